import { maskedHint } from './masked-hint.js';

/** Runs of token characters long enough to be a credential. */
const TOKEN_RUN = /[A-Za-z0-9_\-*+/=]{16,}/g;
const KEY_PREFIX = /^(sk|pk|rk|ak|key|tok|token|sess)[-_]/i;

const MAX_LENGTH = 300;

function looksSecret(run: string): boolean {
  if (run.includes('*') || KEY_PREFIX.test(run)) return true;
  // A long stretch mixing letters and digits is an id or a credential; words joined by
  // dashes (a model name such as claude-3-5-sonnet-20241022) are not.
  return run
    .split(/[-_]/)
    .some((part) => part.length >= 16 && /\d/.test(part) && /[A-Za-z]/.test(part));
}

/**
 * A provider's error message made safe to log: providers quote the key they refused
 * ("Incorrect API key provided: sk-proj-****abcd"), so the known secrets become their hints
 * and anything else that looks like a credential is replaced. Also bounded in length.
 */
export function redactMessage(message: string, knownSecrets: readonly string[] = []): string {
  let text = withHints(message, knownSecrets);
  text = text.replace(TOKEN_RUN, (run) => (looksSecret(run) ? '[redacted]' : run));
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}

/**
 * `text` with every occurrence of a known secret replaced by its masked hint, and nothing
 * else touched: for the users' own words (a prompt may quote a key), which must stay whole.
 */
export function withHints(text: string, knownSecrets: readonly string[]): string {
  let result = text;
  for (const secret of knownSecrets) {
    if (secret !== '' && result.includes(secret))
      result = result.split(secret).join(maskedHint(secret));
  }
  return result;
}
