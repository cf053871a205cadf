import { waitForSignal } from '../cli/lifecycle.js';
import { parseConfigText, type GatewayConfig } from '../config/load.js';
import { Gateway } from '../gateway.js';
import type { Logger } from '../telemetry/logger.js';
import { primaryPort } from './ipc-port.js';
import {
  isMessage,
  WORKER_SECRET_ENV,
  type PrimaryMessage,
  type WorkerMessage,
} from './messages.js';

/**
 * One worker of `--workers N`: a whole gateway on the socket the primary shares, its key
 * state the primary's (or Redis's). It stops when the primary says so (or on a signal, or
 * when the primary is gone) and reloads the configuration text the primary validated.
 */
export async function runWorker(
  config: GatewayConfig,
  logger: Logger,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const port = primaryPort();
  // Listening from the start: a shutdown asked for while the gateway starts is not lost.
  const on: { reload?: (message: PrimaryMessage & { sy: 'reload' }) => void } = {};
  const stopRequested = new Promise<string>((resolve) => {
    port.onMessage((message) => {
      if (!isMessage(message) || message.sy === 'listening' || message.sy === 'reloaded') return;
      if (message.sy === 'shutdown') resolve('primary');
      else on.reload?.(message);
    });
    port.onDisconnect(() => {
      resolve('primary gone');
    });
  });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({
      config,
      logger,
      primary: { port, keyStateSecret: env[WORKER_SECRET_ENV] ?? '' },
    });
  } catch (error) {
    process.stderr.write(
      `switchyard: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`,
    );
    if (process.connected) process.disconnect();
    return 1;
  }
  const send = (message: WorkerMessage): void => {
    port.send(message);
  };
  on.reload = (message) => {
    void reload(gateway, message.text, config.file, env).then((error) => {
      send({
        sy: 'reloaded',
        generation: message.generation,
        ...(error === undefined ? {} : { error }),
      });
    });
  };
  send({ sy: 'listening', url: gateway.url });
  const code = await waitForSignal(gateway, logger, { stopRequested });
  // The IPC channel would keep this process alive.
  if (process.connected) process.disconnect();
  return code;
}

/** Undefined when applied; else why not. */
async function reload(
  gateway: Gateway,
  text: string,
  file: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  try {
    await gateway.reload(parseConfigText(file ?? 'config', text, env));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
