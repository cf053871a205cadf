import type { Gateway } from '../gateway.js';
import type { Logger } from '../log/logger.js';

export interface LifecycleOptions {
  /** What SIGHUP does; undefined: nothing (a worker's primary reloads it). */
  readonly hangup?: () => void;
  /** Resolves when the process is asked to stop otherwise than by a signal (its primary). */
  readonly stopRequested?: Promise<string>;
}

/**
 * Runs until SIGTERM or SIGINT (or `stopRequested`), then shuts the gateway down as the
 * contract says. SIGHUP must not kill the process (its default action), since operators
 * send it to reload. A second SIGTERM or SIGINT during the shutdown exits at once.
 */
export async function waitForSignal(
  gateway: Gateway,
  logger: Logger,
  options: LifecycleOptions = {},
): Promise<number> {
  const hangup = (): void => {
    options.hangup?.();
  };
  process.on('SIGHUP', hangup);
  let signals = 0;
  let signalled: ((name: NodeJS.Signals) => void) | undefined;
  const signal = await new Promise<string>((resolve) => {
    signalled = (name) => {
      signals++;
      resolve(name);
    };
    process.on('SIGTERM', signalled);
    process.on('SIGINT', signalled);
    void options.stopRequested?.then(resolve);
  });
  if (signalled !== undefined) {
    process.off('SIGTERM', signalled);
    process.off('SIGINT', signalled);
  }
  logger.info({ signal, in_flight: gateway.activeRequests }, 'shutting down');
  const force = (second: NodeJS.Signals): void => {
    // Asked by its primary first, a worker may still get the operator's signal (a process
    // group's, or systemd's): that one is the first signal, not the second.
    if (++signals < 2) return;
    logger.warn(
      { signal: second, in_flight: gateway.activeRequests },
      'second signal: exiting now, without waiting for requests still running',
    );
    logger.flush();
    process.exit(1);
  };
  process.on('SIGTERM', force);
  process.on('SIGINT', force);
  await gateway.shutdown();
  process.off('SIGHUP', hangup);
  process.off('SIGTERM', force);
  process.off('SIGINT', force);
  logger.info('stopped');
  logger.flush();
  return 0;
}
