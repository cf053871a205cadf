import { createHmac, randomBytes } from 'node:crypto';

/**
 * A provider key's name in the shared store: an HMAC-SHA256 of the key under the
 * deployment's secret (`key_state_secret`). Stable across processes that share the secret,
 * useless to anyone who reads the store without it: they can neither recover a key nor
 * check whether a key they hold is one of ours.
 */
export type Fingerprinter = (secret: string) => string;

export function keyFingerprinter(deploymentSecret: string): Fingerprinter {
  return (secret) => createHmac('sha256', deploymentSecret).update(secret).digest('base64url');
}

/** For a backend no other deployment reads (one process): a secret that never leaves it. */
export function processFingerprinter(): Fingerprinter {
  return keyFingerprinter(randomBytes(32).toString('hex'));
}
