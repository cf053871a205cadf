import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';

/** A provider key that is unique per run, so finding it anywhere proves a leak. */
export function providerKey(prefix: string, index: number): string {
  return `${prefix}-e2e-${index}-${randomBytes(12).toString('hex')}`;
}

/**
 * No secret, nor its random middle (a partial leak such as a truncated key), appears in the
 * gateway's log lines. Logs must exist: an empty capture would pass for the wrong reason.
 */
export function expectNoSecretLogged(logs: readonly string[], secrets: readonly string[]): void {
  expect(logs.length).toBeGreaterThan(0);
  const all = logs.join('\n');
  for (const secret of secrets) {
    const middle = secret.slice(4, -4);
    expect(all.includes(secret), `secret …${secret.slice(-4)} logged`).toBe(false);
    expect(all.includes(middle), `part of secret …${secret.slice(-4)} logged`).toBe(false);
  }
}

/** The gateway token appears nowhere in what the provider received. */
export function expectTokenNotForwarded(
  requests: readonly { headers: object; body: Buffer }[],
  token: string,
): void {
  expect(requests.length).toBeGreaterThan(0);
  for (const request of requests) {
    expect(JSON.stringify(request.headers)).not.toContain(token);
    expect(request.body.toString()).not.toContain(token);
  }
}
