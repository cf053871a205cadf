import { maskedHint } from '../log/masked-hint.js';

/** Headers that carry a credential: written as the credential's masked hint, never the value. */
const CREDENTIALS = new Set([
  'authorization',
  'proxy-authorization',
  'x-api-key',
  'x-switchyard-token',
  'openai-api-key',
  'api-key',
  'x-goog-api-key',
]);

/** Session cookies: no hint either, they are not the operator's to tell apart. */
const COOKIES = new Set(['cookie', 'set-cookie']);

function redactedValue(name: string, value: string): string {
  if (COOKIES.has(name)) return '[redacted]';
  if (!CREDENTIALS.has(name)) return value;
  const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value);
  const secret = scheme === null ? value : value.slice(scheme[0].length);
  return `${scheme === null ? '' : `${scheme[1] ?? ''} `}[redacted ${maskedHint(secret.trim())}]`;
}

type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

function headerLines(headers: HeaderValues): string {
  let lines = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    const key = name.toLowerCase();
    for (const one of typeof value === 'string' ? [value] : value) {
      // A header value cannot hold a line break on the wire; one here would forge lines.
      lines += `${name}: ${redactedValue(key, one).replace(/[\r\n]/g, ' ')}\r\n`;
    }
  }
  return lines;
}

/**
 * An upstream request's head as HTTP/1.1 text, with a comment line first and credentials
 * redacted; `target` is the URL it went to (the absolute form a proxy is sent).
 */
export function requestHead(
  comment: string,
  method: string,
  target: string,
  headers: HeaderValues,
): string {
  return `# ${comment}\r\n${method} ${target} HTTP/1.1\r\n${headerLines(headers)}\r\n`;
}

/** An upstream answer's head as HTTP/1.1 text, credentials and cookies redacted. */
export function responseHead(status: number, headers: HeaderValues): string {
  return `HTTP/1.1 ${status}\r\n${headerLines(headers)}\r\n`;
}
