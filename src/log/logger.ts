import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type { PrettyOptions } from 'pino-pretty';

export type Logger = PinoLogger;

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  readonly level?: string;
  /** json (the default): one JSON object a line. pretty: for a person at a terminal. */
  readonly format?: LogFormat;
  /** Defaults to stdout; tests pass a stream to capture every line. */
  readonly destination?: DestinationStream;
}

/**
 * Stdout is written in batches of this size, or at FLUSH_INTERVAL_MS at the latest: one
 * write(2) per interception line costs more CPU than building the line. pino flushes what
 * is buffered synchronously when the process exits, however it exits.
 */
const BATCH_BYTES = 4096;
const FLUSH_INTERVAL_MS = 250;

const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  '["x-api-key"]',
  '["x-switchyard-token"]',
  '["openai-api-key"]',
  'cookie',
];
const HEADER_HOLDERS = ['headers', 'req.headers', 'request.headers', 'upstream.headers'];

/**
 * Nothing in the code logs a header, a key or a request body; this list is a second line of
 * defence should someone add such a field later. Paths are explicit, not wildcards: a
 * wildcard makes pino walk every logged object, which tripled the cost of an interception
 * line (~12 µs against ~4 µs, measured).
 */
export const REDACTED_PATHS: readonly string[] = [
  ...HEADER_HOLDERS.flatMap((holder) =>
    CREDENTIAL_HEADERS.map((header) =>
      header.startsWith('[') ? `${holder}${header}` : `${holder}.${header}`,
    ),
  ),
  ...CREDENTIAL_HEADERS,
  'token',
  'secret',
  'keys',
  'apiKey',
  'api_key',
  'credential',
];

/** ISO 8601 in UTC, e.g. 2025-01-31T09:15:02.123Z: unambiguous across time zones and sortable. */
const ISO_TIME = "UTC:yyyy-mm-dd'T'HH:MM:ss.l'Z'";

/**
 * JSON lines on stdout, or with `format: 'pretty'` one readable line per entry. Both go
 * through the same redaction, which pino applies before formatting.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.format === 'pretty'
      ? prettyStream(options.destination)
      : (options.destination ?? batchedStdout());
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * Formatted in-process and written synchronously: a person reading it wants every line
 * even if the process is killed, and pretty output is not meant for production volume.
 */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  // Loaded only for pretty output: it and its dependencies weigh on every startup otherwise.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as {
    prettyFactory: (options: PrettyOptions) => (line: string) => string;
  };
  const format = prettyFactory({
    colorize: destination === undefined && process.stdout.isTTY,
    translateTime: ISO_TIME,
    singleLine: true,
  });
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  return {
    write: (line: string) => {
      out.write(format(line));
    },
  };
}

function batchedStdout(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES });
  setInterval(() => {
    stream.flush();
  }, FLUSH_INTERVAL_MS).unref();
  return stream;
}
