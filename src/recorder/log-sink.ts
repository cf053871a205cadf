import type { Logger } from '../log/logger.js';
import type { Interception, InterceptionSink } from './interception.js';

/**
 * Every interception is one structured log line, with or without a database. Prompt and
 * thoughts stay out of it: they are the users' words, kept only where `recording` allows.
 */
export class LogSink implements InterceptionSink {
  constructor(private readonly logger: Logger) {}

  record(interception: Interception): void {
    const level = interception.outcome === 'failed' ? 'warn' : 'info';
    // At `log_level: warn` the line is dropped: no copy without the texts is made for it.
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level]({ interception: withoutTexts(interception) }, 'interception');
  }
}

function withoutTexts(interception: Interception): Interception {
  if (interception.prompt === undefined && interception.thoughts === undefined) return interception;
  const copy: { -readonly [K in keyof Interception]: Interception[K] } = { ...interception };
  delete copy.prompt;
  delete copy.thoughts;
  return copy;
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
