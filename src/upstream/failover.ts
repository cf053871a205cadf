import type { Clock } from '../keypool/clock.js';
import type { Key } from '../keypool/key.js';
import type { ProbeResult, ProbeReason } from '../keypool/key-probe.js';
import type { Pool } from '../keypool/pool.js';
import { parseRetryAfterMs } from '../keypool/retry-after.js';
import { KeyPoolError } from '../keypool/key-pool-error.js';
import { classifyStatus } from '../keypool/status-policy.js';
import { redactMessage } from '../log/redact.js';
import { maskedHint } from '../log/masked-hint.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { Cancellation } from './cancellation.js';
import type { AttemptWatch } from './attempt-observer.js';
import type { Credential } from './credential.js';
import { readFailedBody, type FailedBody } from './failed-body.js';
import type { UpstreamCall, UpstreamResponse, UpstreamTransport } from './http-client.js';
import { errorMessageOf } from './upstream-error-message.js';
import type { UpstreamAttempt } from './upstream-attempt.js';
import { UpstreamBody } from './upstream-body.js';
import { UpstreamTransportError } from './upstream-error.js';

/** What the failover loop needs of a provider. */
export interface FailoverTarget {
  readonly pool: Pool;
  readonly http: UpstreamTransport;
  readonly onForbidden: 'disable' | 'verify';
  setKeyHeader(headers: Record<string, string>, secret: string): void;
  /** `cancellation` ends the probe early, as inconclusive, when the client has gone. */
  probeKey(key: Key, reason: ProbeReason, cancellation?: Cancellation): Promise<ProbeResult>;
}

/** Answers to a failed request are JSON; this finds the request id either provider gives. */
export function upstreamRequestId(response: UpstreamResponse): string | undefined {
  const id = response.headers['request-id'] ?? response.headers['x-request-id'];
  return typeof id === 'string' ? id : undefined;
}

/** A 403 kept while its key is verified, to be relayed as it was if every key is skipped so. */
interface KeptForbidden {
  readonly response: UpstreamResponse;
  /** Still being read: only a relay of it waits for it. */
  readonly body: Promise<FailedBody>;
}

async function replay(kept: KeptForbidden): Promise<UpstreamResponse> {
  const { head, complete } = await kept.body;
  if (!complete) {
    // Cut at the reading limits: relaying it would pass a truncated body off as whole.
    throw new GatewayError(
      403,
      'permission',
      errorMessageOf(head) ?? 'the provider refused this request (403)',
    );
  }
  // Relayed from memory, as read: its length is the relay's to set.
  const headers = { ...kept.response.headers };
  delete headers['content-length'];
  return { status: kept.response.status, headers, body: UpstreamBody.of(head) };
}

/**
 * The failover loop around one upstream call, the one place where keys are walked. The
 * credential header is set on `call.headers`, which must be the caller's own copy. A fresh
 * walker per call; every attempt is appended to `attempts` as it settles.
 *
 * 429 and 401/403 mark the key from the status and headers alone and the next key is tried
 * at once: the failed body is read in the background, bounded, for the transition's log
 * line. With `on_forbidden: verify` a 403 is first checked with a probe of the key: a key
 * that still works stays valid and is only skipped for this request. Any other answer is
 * returned as is. Throws KeyPoolError when every key is unusable, and
 * UpstreamTransportError when the provider cannot be reached (never failed over) or when
 * the call was cancelled: no attempt starts after that.
 */
export async function sendWithFailover(
  target: FailoverTarget,
  credential: Credential,
  call: UpstreamCall,
  clock: Clock,
  attempts: UpstreamAttempt[],
): Promise<UpstreamResponse> {
  if (credential.kind === 'byok') {
    call.headers[credential.header] =
      credential.header === 'authorization' ? `Bearer ${credential.token}` : credential.token;
    const { response, watch } = await attempt(
      target,
      call,
      clock,
      attempts,
      maskedHint(credential.token),
      undefined,
    );
    watchToTheEnd(response, watch, attempts, attempts.length - 1);
    return response;
  }
  const walker = target.pool.walker();
  const walkStart = attempts.length;
  let forbidden: KeptForbidden | undefined;
  // The failed-over attempt whose observers learn its end once the walk decides what follows.
  let pending: { readonly watch: AttemptWatch; readonly index: number } | undefined;
  const settlePending = (): void => {
    pending?.watch.end?.(attempts[pending.index] as UpstreamAttempt, undefined);
    pending = undefined;
  };
  try {
    for (;;) {
      throwIfCancelled(call);
      let key: Key;
      try {
        key = walker.next();
      } catch (exhausted) {
        // Every key that was not skipped for this request is cooling down or disabled. A 403
        // about this request is the more useful answer, unless a key will be back soon.
        if (forbidden !== undefined && !target.pool.keys.some((k) => k.state() === 'temporary'))
          return await replay(forbidden);
        if (exhausted instanceof KeyPoolError) target.pool.exhausted(exhausted.reason);
        throw exhausted;
      }
      target.setKeyHeader(call.headers, key.secret);
      // The attempt before this one, if any, is the one this walk failed over from.
      const previous = attempts.length - 1;
      if (previous >= walkStart) {
        attempts[previous] = { ...(attempts[previous] as UpstreamAttempt), failedOver: true };
      }
      settlePending();
      const { response, watch } = await attempt(target, call, clock, attempts, key.hint, key.index);
      const trigger = classifyStatus(response.status);
      if (trigger === 'none') {
        watchToTheEnd(response, watch, attempts, attempts.length - 1);
        return response;
      }
      if (watch !== undefined) {
        // Its body is only read to drop it; its end is what the walk does next.
        response.body.tap(watch.data?.bind(watch), () => undefined);
        pending = { watch, index: attempts.length - 1 };
      }
      await failOver(target, call, clock, key, response, (kept) => (forbidden = kept));
    }
  } finally {
    settlePending();
  }
}

/** The observers of an answer that is returned learn its end when its body ends. */
function watchToTheEnd(
  response: UpstreamResponse,
  watch: AttemptWatch | undefined,
  attempts: readonly UpstreamAttempt[],
  index: number,
): void {
  if (watch === undefined) return;
  response.body.tap(watch.data?.bind(watch), (error) => {
    watch.end?.(attempts[index] as UpstreamAttempt, error);
  });
}

/**
 * Marks `key` from a 429 or 401/403 and starts reading the failed body in the background;
 * with `on_forbidden: verify`, a 403 waits for the key's probe first and, when the key still
 * works, is kept (`keep`) in case it must be relayed.
 */
async function failOver(
  target: FailoverTarget,
  call: UpstreamCall,
  clock: Clock,
  key: Key,
  response: UpstreamResponse,
  keep: (kept: KeptForbidden) => void,
): Promise<void> {
  const trigger = classifyStatus(response.status);
  const requestId = upstreamRequestId(response);
  if (trigger === 'permanent' && response.status === 403 && target.onForbidden === 'verify') {
    // Only the probe is waited for: the body is needed if this 403 is relayed in the end.
    const body = readFailedBody(response.body, clock);
    const probe = await target.probeKey(key, 'verify', call.cancellation);
    if (probe.verdict !== 'rejected') {
      keep({ response, body });
      return;
    }
    key.markPermanent({
      source: 'upstream',
      status: 403,
      upstreamRequestId: requestId,
      message: body.then((read) => failedBodyMessage(read, key)),
    });
    return;
  }
  const message = readFailedBody(response.body, clock).then((body) => failedBodyMessage(body, key));
  const cause = {
    source: 'upstream',
    status: response.status,
    upstreamRequestId: requestId,
    message,
  } as const;
  if (trigger === 'temporary') {
    key.markTemporary(parseRetryAfterMs(response.headers, clock.now()), cause);
  } else key.markPermanent(cause);
}

function failedBodyMessage(body: FailedBody, key: Key): string | undefined {
  const message = errorMessageOf(body.head);
  return message === undefined ? undefined : redactMessage(message, [key.secret]);
}

function throwIfCancelled(call: UpstreamCall): void {
  if (call.cancellation.isCancelled) {
    throw new UpstreamTransportError('aborted', call.cancellation.message ?? 'request aborted');
  }
}

/** One request with one credential; its outcome is appended to `attempts` either way. */
async function attempt(
  target: FailoverTarget,
  call: UpstreamCall,
  clock: Clock,
  attempts: UpstreamAttempt[],
  keyHint: string,
  keyIndex: number | undefined,
): Promise<{ response: UpstreamResponse; watch: AttemptWatch | undefined }> {
  throwIfCancelled(call);
  const started = clock.now();
  const watch = call.watch?.attempt?.({
    keyHint,
    keyIndex,
    iteration: call.iteration ?? 0,
    method: call.method,
    path: call.path,
    headers: call.headers,
    body: call.body,
    startedAt: started,
  });
  try {
    const response = await target.http.send(call);
    attempts.push({
      keyHint,
      keyIndex,
      status: response.status,
      latencyMs: clock.now() - started,
      failedOver: false,
      upstreamRequestId: upstreamRequestId(response),
      error: undefined,
    });
    watch?.head?.(response.status, response.headers);
    return { response, watch };
  } catch (error) {
    const failed: UpstreamAttempt = {
      keyHint,
      keyIndex,
      status: undefined,
      latencyMs: clock.now() - started,
      failedOver: false,
      upstreamRequestId: undefined,
      error: describeFailure(error),
    };
    attempts.push(failed);
    watch?.end?.(failed, error);
    throw error;
  }
}

/** For the log and the record: what failed, with the cause code and the provider host. */
function describeFailure(error: unknown): string {
  if (!(error instanceof UpstreamTransportError)) {
    return error instanceof Error ? error.message : String(error);
  }
  const where = [error.code, error.host].filter((part) => part !== undefined).join(', ');
  return where === '' ? error.message : `${error.message} (${where})`;
}
