import { randomBytes } from 'node:crypto';
import { maskedHint } from '../log/masked-hint.js';
import { tokenDigest } from './gateway-tokens.js';

/** A freshly made gateway token: the secret, shown once, and what may be stored of it. */
export interface NewToken {
  readonly id: string;
  /** The secret itself: handed to the caller once, never stored or logged. */
  readonly token: string;
  /** SHA-256 hex, the digest GatewayTokens compares. */
  readonly tokenHash: string;
  readonly hint: string;
}

/**
 * 256 random bits, base64url. The `sy_` prefix tells people and secret scanners what it is;
 * the id is separate and random, so it says nothing about the token.
 */
export function newToken(): NewToken {
  const token = `sy_${randomBytes(32).toString('base64url')}`;
  return {
    id: `tok_${randomBytes(8).toString('hex')}`,
    token,
    tokenHash: tokenDigest(token).toString('hex'),
    hint: maskedHint(token),
  };
}

export const TOKEN_USER_MAX = 200;
export const TOKEN_NOTE_MAX = 1000;

// Control characters would garble the CLI's table and the log lines that name the user; a
// note may span lines.
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /(?![\n\t])\p{Cc}/u;

/** Why a user name for a new token is refused, or undefined if it is fine. */
export function userProblem(user: string): string | undefined {
  if (user.trim() === '') return 'is empty';
  if (user !== user.trim()) return 'has leading or trailing spaces';
  if (user.length > TOKEN_USER_MAX) return `is longer than ${TOKEN_USER_MAX} characters`;
  if (CONTROL.test(user)) return 'contains control characters';
  return undefined;
}

/** Why a note is refused, or undefined if it is fine. */
export function noteProblem(note: string): string | undefined {
  if (note.length > TOKEN_NOTE_MAX) return `is longer than ${TOKEN_NOTE_MAX} characters`;
  if (CONTROL_BUT_LINES.test(note)) return 'contains control characters';
  return undefined;
}
