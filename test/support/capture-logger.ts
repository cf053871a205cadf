import { createLogger, type Logger } from '../../src/log/logger.js';

/** A real pino logger whose every line is kept, for asserting what the gateway logs. */
export function captureLogger(level = 'trace'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}
