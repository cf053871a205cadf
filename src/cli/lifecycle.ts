import type { Gateway } from '../gateway.js';
import type { Logger } from '../telemetry/logger.js';

/**
 * Runs until SIGTERM or SIGINT, then shuts the gateway down as the contract says. SIGHUP
 * must not kill the process (its default action), since operators send it to reload. A
 * second SIGTERM or SIGINT during the shutdown exits at once.
 */
export async function waitForSignal(gateway: Gateway, logger: Logger): Promise<number> {
  const hangup = (): void => {
    logger.warn(
      'SIGHUP: reloading the configuration is not supported yet; the running configuration is unchanged',
    );
  };
  process.on('SIGHUP', hangup);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  logger.info({ signal, in_flight: gateway.activeRequests }, 'shutting down');
  const force = (second: NodeJS.Signals): void => {
    logger.warn(
      { signal: second, in_flight: gateway.activeRequests },
      'second signal: exiting now, without waiting for requests still running',
    );
    logger.flush();
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  await gateway.shutdown();
  process.off('SIGHUP', hangup);
  logger.info('stopped');
  logger.flush();
  return 0;
}
