import type { IncomingHttpHeaders } from 'node:http';
import type { ApiFamily } from '../dialects/dialect.js';
import type { ClientInfo } from './interception.js';

/**
 * Which program sent a request, from what it says about itself (CLIENTS.md): Claude Code
 * and Codex by their user agents and their own headers, the official SDKs by the
 * Stainless headers every generated SDK sends. Only descriptive headers are read, never a
 * credential, and every value is capped and stripped of control characters before it is
 * kept, since all of it is whatever the client chose to send.
 */

const MAX_USER_AGENT = 200;
const MAX_VERSION = 64;
const MAX_LANGUAGE = 32;
const MAX_SESSION_ID = 128;

/** `claude-cli/2.1.197 (external, sdk-cli)` */
const CLAUDE_CODE_AGENT = /^claude-cli\/([^\s(]+)/i;
/** `codex_exec/0.169.0 (…)` for `codex exec`, `codex_cli_rs/…` for the interactive CLI. */
const CODEX_AGENT = /^(codex_exec|codex_cli_rs|codex_[a-z_]+)\/([^\s(]+)/i;
/** `Anthropic/JS 0.137.0`, `Anthropic/Python 0.69.0`, `OpenAI/JS 6.49.0`, … */
const SDK_AGENT = /^(Anthropic|OpenAI)\/([A-Za-z]+) ([^\s(]+)/;

/** Where each client puts the id of the session or conversation a request belongs to. */
const CLAUDE_CODE_SESSION = ['x-claude-code-session-id'] as const;
const CODEX_SESSION = ['session-id', 'session_id', 'conversation_id', 'conversation-id'] as const;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Printable text only, at most `max` characters; undefined when nothing is left. */
function capped(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (clean === '') return undefined;
  return clean.length > max ? clean.slice(0, max) : clean;
}

function firstHeader(
  headers: IncomingHttpHeaders,
  names: readonly string[],
  max: number,
): string | undefined {
  for (const name of names) {
    const value = capped(header(headers, name), max);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Stainless names languages `js`, `python`, `go`…; older SDKs sent `JavaScript`. */
function language(value: string | undefined): string | undefined {
  const lower = capped(value, MAX_LANGUAGE)?.toLowerCase();
  return lower === 'javascript' ? 'js' : lower;
}

/** Optional fields only when known, so records compare and serialise without undefined. */
function info(
  name: ClientInfo['name'],
  userAgent: string | undefined,
  fields: {
    version?: string | undefined;
    language?: string | undefined;
    sessionId?: string | undefined;
  },
): ClientInfo {
  return {
    name,
    ...(fields.version === undefined ? {} : { version: fields.version }),
    ...(fields.language === undefined ? {} : { language: fields.language }),
    ...(fields.sessionId === undefined ? {} : { sessionId: fields.sessionId }),
    ...(userAgent === undefined ? {} : { userAgent }),
  };
}

/**
 * The client of one request. `family` is the route's API: an SDK that sends the Stainless
 * headers without a telling user agent (a browser cannot set one) is taken for that API's
 * own SDK.
 */
export function detectClient(headers: IncomingHttpHeaders, family: ApiFamily): ClientInfo {
  const userAgent = capped(header(headers, 'user-agent'), MAX_USER_AGENT);
  const ua = userAgent ?? '';

  const claude = CLAUDE_CODE_AGENT.exec(ua);
  if (claude !== null || header(headers, 'x-claude-code-session-id') !== undefined) {
    return info('claude-code', userAgent, {
      version: capped(claude?.[1], MAX_VERSION),
      language: language(header(headers, 'x-stainless-lang')),
      sessionId: firstHeader(headers, CLAUDE_CODE_SESSION, MAX_SESSION_ID),
    });
  }

  const codex = CODEX_AGENT.exec(ua);
  const originator = capped(header(headers, 'originator'), MAX_VERSION);
  if (codex !== null || originator?.startsWith('codex_') === true) {
    return info('codex', userAgent, {
      version: capped(codex?.[2], MAX_VERSION),
      sessionId: firstHeader(headers, CODEX_SESSION, MAX_SESSION_ID),
    });
  }

  const sdk = SDK_AGENT.exec(ua);
  const stainlessVersion = capped(header(headers, 'x-stainless-package-version'), MAX_VERSION);
  const stainlessLanguage = language(header(headers, 'x-stainless-lang'));
  if (sdk !== null || stainlessVersion !== undefined || stainlessLanguage !== undefined) {
    const vendor = sdk?.[1]?.toLowerCase() ?? family;
    return info(vendor === 'anthropic' ? 'anthropic-sdk' : 'openai-sdk', userAgent, {
      version: stainlessVersion ?? capped(sdk?.[3], MAX_VERSION),
      language: stainlessLanguage ?? language(sdk?.[2]),
    });
  }

  return info('other', userAgent, {});
}
