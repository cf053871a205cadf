import cluster from 'node:cluster';
import { waitForSignal } from '../lifecycle.js';
import { parseConfigText, type GatewayConfig } from '../../config/load.js';
import { Gateway } from '../../gateway.js';
import type { Logger } from '../../log/logger.js';
import { primaryPort } from './ipc-port.js';
import {
  isPrimaryMessage,
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
  const on: {
    reload?: (message: PrimaryMessage & { sy: 'reload' }) => void;
    collect?: (id: number) => void;
  } = {};
  const scrapes = new Map<number, (text: string) => void>();
  let scrapeId = 0;
  const metricsText = (): Promise<string> =>
    new Promise((resolve) => {
      const id = ++scrapeId;
      scrapes.set(id, (text) => {
        scrapes.delete(id);
        resolve(text);
      });
      port.send({ sy: 'scrape', id } satisfies WorkerMessage);
    });
  const stopRequested = new Promise<string>((resolve) => {
    port.onMessage((message) => {
      if (!isPrimaryMessage(message)) return;
      if (message.sy === 'shutdown') resolve('primary');
      else if (message.sy === 'reload') on.reload?.(message);
      else if (message.sy === 'collect') on.collect?.(message.id);
      else scrapes.get(message.id)?.(message.text);
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
      metricsText,
    });
  } catch (error) {
    process.stderr.write(
      `switchyard: cannot listen on ${config.listen.host}:${config.listen.port}: ${(error as Error).message}\n`,
    );
    cluster.worker?.disconnect();
    return 1;
  }
  const send = (message: WorkerMessage): void => {
    port.send(message);
  };
  on.collect = (id) => {
    void gateway.metrics?.registry.getMetricsAsJSON().then((metrics) => {
      send({ sy: 'metrics', id, metrics });
    });
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
  cluster.worker?.disconnect();
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
