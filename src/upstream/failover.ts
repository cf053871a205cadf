import type { Clock } from '../keypool/clock.js';
import { applyStatusToKey } from '../keypool/status-policy.js';
import { maskedHint } from '../telemetry/masked-hint.js';
import type { Credential } from './credential.js';
import type { UpstreamCall, UpstreamResponse } from './http-client.js';
import type { Provider } from './provider.js';

/** Filled in as attempts are made, so the caller knows the last key tried even when all failed. */
export interface AttemptTrace {
  keyHint: string | undefined;
  attempts: number;
}

/**
 * The failover loop around one upstream call. The credential header is set on
 * `call.headers`, which must be the caller's own copy. A fresh walker per call; 429 and 401/403
 * mark the key and move on (the failed body is drained so its connection can be reused);
 * any other answer is returned as is. Throws KeyPoolError when every key is unusable and
 * UpstreamTransportError when the provider cannot be reached, which never fails over.
 */
export async function sendWithFailover(
  provider: Provider,
  credential: Credential,
  call: UpstreamCall,
  clock: Clock,
  trace: AttemptTrace,
): Promise<UpstreamResponse> {
  if (credential.kind === 'byok') {
    trace.keyHint = maskedHint(credential.token);
    trace.attempts = 1;
    call.headers[credential.header] =
      credential.header === 'authorization' ? `Bearer ${credential.token}` : credential.token;
    return provider.http.send(call);
  }
  const walker = provider.pool.walker();
  for (;;) {
    const key = walker.next();
    trace.keyHint = key.hint;
    trace.attempts += 1;
    provider.setKeyHeader(call.headers, key.secret);
    const response = await provider.http.send(call);
    if (applyStatusToKey(key, response.status, response.headers, clock.now()) === 'none') {
      return response;
    }
    // Read to its end, so the connection goes back to the pool.
    await response.body.discard();
  }
}
