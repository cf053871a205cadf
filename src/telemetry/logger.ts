import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

export type Logger = PinoLogger;

export interface LoggerOptions {
  readonly level?: string;
  /** Defaults to stdout; tests pass a stream to capture every line. */
  readonly destination?: DestinationStream;
}

/**
 * JSON lines on stdout. Nothing in the code logs a header or a request body; the redaction
 * list is a second line of defence should someone add such a field later.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: {
        paths: [
          '*.authorization',
          '*["x-api-key"]',
          '*["x-switchyard-token"]',
          '*.token',
          '*.secret',
          '*.keys',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
