import { maskedHint } from '../log/masked-hint.js';
import type { McpTransportSettings } from './settings.js';

const MAX_LENGTH = 300;
/** Shorter values are too common to be secrets, and masking them would garble messages. */
const MIN_SECRET = 6;

/**
 * The configured values that may be secret: header values (and the token in
 * `Bearer <token>`), credentials and query values in the URL, the child's environment.
 */
export function secretsOf(transport: McpTransportSettings): string[] {
  const values: string[] = [];
  if (transport.kind === 'http') {
    for (const value of Object.values(transport.headers)) values.push(value, ...value.split(/\s+/));
    values.push(decodeURIComponent(transport.url.username));
    values.push(decodeURIComponent(transport.url.password));
    for (const value of transport.url.searchParams.values()) values.push(value);
  } else {
    values.push(...Object.values(transport.env));
  }
  return [...new Set(values.filter((v) => v.length >= MIN_SECRET))].sort(
    (a, b) => b.length - a.length,
  );
}

/** Where an HTTP server is, for logs: no credentials, no query. */
export function safeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch's own message ("fetch failed") says nothing; its cause says why.
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${error.message} (${code ?? cause.message})`;
  }
  return error.message;
}

/** An error as one line for the log and the status, with every secret masked. */
export function errorText(error: unknown, secrets: readonly string[]): string {
  let text = messageOf(error).replace(/\s+/g, ' ').trim();
  for (const secret of secrets) text = text.split(secret).join(maskedHint(secret));
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}
