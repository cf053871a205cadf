import type { IncomingHttpHeaders } from 'node:http';
import { parseBearer } from '../auth/bearer.js';
import type { BridgeRequest, Dialect } from '../dialects/dialect.js';
import { withHints } from '../log/redact.js';

/** What the client sent as credentials: its gateway token, and its own key with BYOK. */
export function presentedCredentials(headers: IncomingHttpHeaders): string[] {
  const found: string[] = [];
  for (const name of ['x-api-key', 'x-switchyard-token', 'authorization'] as const) {
    const value = headers[name];
    if (typeof value !== 'string') continue;
    const token = name === 'authorization' ? parseBearer(value) : value.trim();
    if (token !== undefined && token.length >= 8) found.push(token);
  }
  return found;
}

/**
 * The prompt and thoughts an interception's record keeps, per `recording`: read only when
 * kept. A prompt may quote a credential (and the model's thoughts repeat it): the ones this
 * request carried or could have used (`secrets`) are kept as their hints only.
 */
export function recordTexts(
  dialect: Dialect,
  request: BridgeRequest,
  thoughts: string | undefined,
  keep: { readonly prompts: boolean },
  secrets: () => readonly string[],
): { prompt?: string; thoughts?: string } {
  const prompt = keep.prompts ? dialect.promptOf(request.body) : undefined;
  if (prompt === undefined && thoughts === undefined) return {};
  const known = secrets();
  return {
    ...(prompt === undefined ? {} : { prompt: withHints(prompt, known) }),
    ...(thoughts === undefined ? {} : { thoughts: withHints(thoughts, known) }),
  };
}
