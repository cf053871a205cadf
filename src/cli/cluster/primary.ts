import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { ConfigReloader } from '../config-reloader.js';
import type { GatewayConfig } from '../../config/load.js';
import { applicableConfig } from '../../config/reload-diff.js';
import { systemClock, type Clock } from '../../keypool/clock.js';
import { MemoryKeyStateHub } from '../../keypool/key-state/memory-hub.js';
import { PrimaryKeyStateHost } from '../../keypool/key-state/primary-host.js';
import type { Logger } from '../../log/logger.js';
import { workerPort } from './ipc-port.js';
import {
  isWorkerMessage,
  WORKER_CONFIG_ENV,
  WORKER_SECRET_ENV,
  WORKER_SLOT_ENV,
  type PrimaryMessage,
} from './messages.js';
import { MetricsAggregator } from './metrics-aggregator.js';
import { RestartBackoff } from './restart-backoff.js';

export interface PrimaryOptions {
  readonly config: GatewayConfig;
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Fields of the startup line besides the address. */
  readonly startupFields: Record<string, unknown>;
  /** The command line's overrides, applied to every reloaded file. */
  readonly overrides?: (config: GatewayConfig) => GatewayConfig;
  /** The configuration file's text as validated at start; undefined without a file. */
  readonly configText: string | undefined;
  readonly clock?: Clock;
}

interface Slot {
  readonly slot: number;
  worker: Worker | undefined;
  startedAt: number;
  /** Set once the slot's worker has listened at least once. */
  served: boolean;
}

/**
 * `--workers N`: this process serves nothing itself. It forks N workers that share the
 * listening socket (node:cluster), holds their shared key state unless Redis does, replaces
 * a worker that dies (with backoff), reloads them all on SIGHUP or a change of the config
 * file after validating the file once, and on SIGTERM/SIGINT has each run the contract's
 * shutdown, then exits 0 if they all stopped cleanly.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { logger, env } = options;
  const clock = options.clock ?? systemClock;
  let config = options.config;
  const backoff = new RestartBackoff(clock);
  const metrics = new MetricsAggregator();
  const secret = randomBytes(32).toString('hex');
  const host =
    config.redis === undefined ? new PrimaryKeyStateHost(new MemoryKeyStateHub(clock)) : undefined;
  const slots: Slot[] = Array.from({ length: config.workers }, (_, i) => ({
    slot: i + 1,
    worker: undefined,
    startedAt: 0,
    served: false,
  }));
  let stopping = false;
  let reloadGeneration = 0;
  let configText = options.configText;
  let announce: ((url: string) => void) | undefined;
  let failStart: ((reason: string) => void) | undefined;
  const listening = new Promise<string>((resolve, reject) => {
    announce = resolve;
    failStart = (reason) => {
      reject(new Error(reason));
    };
  });
  // Timers of the injected clock never hold the process; this does, until the end.
  const alive = setInterval(() => undefined, 1 << 30);

  const broadcast = (message: PrimaryMessage): void => {
    for (const { worker } of slots) if (worker?.isConnected() === true) worker.send(message);
  };

  const fork = (slot: Slot): void => {
    const worker = cluster.fork({
      ...env,
      [WORKER_SLOT_ENV]: String(slot.slot),
      [WORKER_SECRET_ENV]: secret,
      // A worker started after a reload serves what the others serve, whatever the file now says.
      ...(configText === undefined ? {} : { [WORKER_CONFIG_ENV]: configText }),
    });
    slot.worker = worker;
    slot.startedAt = clock.now();
    if (host !== undefined) host.serve(workerPort(worker));
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.sy === 'listening') {
        // Started while the others were already stopping: it stops too.
        if (stopping) worker.send({ sy: 'shutdown' } satisfies PrimaryMessage);
        const first = !slot.served;
        slot.served = true;
        if (first && slots.every((s) => s.served)) announce?.(message.url);
        else if (!first || slots.some((s) => s !== slot && s.served)) {
          logger.info({ worker: slot.slot, pid: worker.process.pid }, 'worker listening');
        }
      } else if (message.sy === 'scrape') {
        const workers = slots.flatMap((s) => (s.worker === undefined ? [] : [s.worker]));
        void metrics.scrape(workers).then(
          (text) => {
            if (worker.isConnected()) worker.send({ sy: 'scraped', id: message.id, text });
          },
          (error: unknown) => {
            logger.warn({ error: (error as Error).message }, 'metrics: aggregation failed');
            if (worker.isConnected()) worker.send({ sy: 'scraped', id: message.id, text: '' });
          },
        );
      } else if (message.sy === 'metrics') {
        metrics.collected(message.id, message.metrics);
      } else if (message.error !== undefined) {
        logger.error(
          { worker: slot.slot, error: message.error },
          'reload failed in a worker; it keeps its running configuration',
        );
      }
    });
    worker.once('exit', (code, signal) => {
      slot.worker = undefined;
      if (stopping) return;
      if (!slot.served) {
        // It never served: the address or the configuration is wrong, not a passing fault.
        failStart?.(`worker ${slot.slot} exited before listening (code ${code})`);
        return;
      }
      const delay = backoff.delayAfterExit(slot.slot, slot.startedAt);
      logger.error(
        { worker: slot.slot, code, signal, restart_in_ms: delay },
        'worker exited; starting a new one',
      );
      clock.schedule(delay, () => {
        if (!stopping && slot.worker === undefined) fork(slot);
      });
    });
  };

  const stopAll = (): Promise<number> => {
    stopping = true;
    const exits = slots.map(({ worker }) =>
      worker === undefined || worker.isDead()
        ? Promise.resolve(0)
        : new Promise<number>((resolve) => {
            worker.once('exit', (code) => {
              resolve(code);
            });
          }),
    );
    broadcast({ sy: 'shutdown' });
    return Promise.all(exits).then((codes) => (codes.every((c) => c === 0) ? 0 : 1));
  };

  for (const slot of slots) fork(slot);
  let url: string;
  try {
    url = await listening;
  } catch (error) {
    process.stderr.write(`switchyard: ${(error as Error).message}\n`);
    await stopAll();
    for (const { worker } of slots) worker?.process.kill('SIGKILL');
    clearInterval(alive);
    return 1;
  }
  logger.info(
    {
      url,
      pid: process.pid,
      ...options.startupFields,
      workers: slots.length,
      worker_pids: slots.map((s) => s.worker?.process.pid),
    },
    'switchyard listening',
  );

  const reloader = new ConfigReloader({
    file: config.file,
    env,
    logger,
    current: () => config,
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
    apply: (next, text) => {
      config = applicableConfig(config, next);
      configText = text;
      broadcast({ sy: 'reload', generation: ++reloadGeneration, text });
      return Promise.resolve();
    },
  });
  const hangup = (): void => {
    void reloader.reload('SIGHUP');
  };
  process.on('SIGHUP', hangup);
  reloader.watch();

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  reloader.stop();
  process.off('SIGHUP', hangup);
  logger.info({ signal, workers: slots.filter((s) => s.worker).length }, 'shutting down');
  const force = (second: NodeJS.Signals): void => {
    logger.warn({ signal: second }, 'second signal: stopping every worker now');
    for (const { worker } of slots) worker?.process.kill('SIGKILL');
    logger.flush();
    process.exit(1);
  };
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  const code = await stopAll();
  clearInterval(alive);
  logger.info({ exit_code: code }, 'stopped');
  logger.flush();
  return code;
}
