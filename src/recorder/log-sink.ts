import type { Logger } from '../telemetry/logger.js';
import type { Interception, InterceptionSink } from './interception.js';

/** Until a database recorder exists, every interception is one structured log line. */
export class LogSink implements InterceptionSink {
  constructor(private readonly logger: Logger) {}

  record(interception: Interception): void {
    const level = interception.outcome === 'failed' ? 'warn' : 'info';
    this.logger[level]({ interception }, 'interception');
  }
}

/** Sends every interception to several sinks; one failing does not stop the others. */
export class FanoutSink implements InterceptionSink {
  constructor(
    private readonly sinks: readonly InterceptionSink[],
    private readonly logger: Logger,
  ) {}

  record(interception: Interception): void {
    for (const sink of this.sinks) {
      try {
        sink.record(interception);
      } catch (error) {
        this.logger.error({ err: error }, 'interception sink failed');
      }
    }
  }
}
