import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { KeyTransition } from '../keypool/key.js';
import { KeyPoolError } from '../keypool/key-pool-error.js';
import type { ProbeResult } from '../keypool/key-probe.js';
import { Pool } from '../keypool/pool.js';
import { maskedHint } from '../log/masked-hint.js';
import { Cancellation } from './cancellation.js';
import type { Credential } from './credential.js';
import { FAILED_BODY_LIMITS } from './failed-body.js';
import { sendWithFailover, type FailoverTarget } from './failover.js';
import type { UpstreamCall, UpstreamResponse, UpstreamTransport } from './http-client.js';
import type { UpstreamAttempt } from './upstream-attempt.js';
import { UpstreamBody } from './upstream-body.js';
import { UpstreamTransportError } from './upstream-error.js';

/** A body the test drives chunk by chunk; it remembers whether the loop gave up on it. */
class DrivenBody {
  abortedWith: string | undefined;
  readonly body = new UpstreamBody(
    {
      pause: () => undefined,
      resume: () => undefined,
      abort: (reason) => {
        this.abortedWith = reason.message;
      },
    },
    1000,
  );

  push(text: string | Buffer): this {
    this.body.push(typeof text === 'string' ? Buffer.from(text) : text);
    return this;
  }

  end(): this {
    this.body.end();
    return this;
  }

  fail(): this {
    this.body.fail(new UpstreamTransportError('reset', 'the upstream connection failed'));
    return this;
  }
}

interface Sent {
  readonly key: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** An answer's head, and its body. */
interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  /** A finished body, or one the test keeps driving. */
  readonly body?: string | DrivenBody;
  /** How far the fake clock moves before the answer's head arrives. */
  readonly latencyMs?: number;
  /** Runs as the head arrives, e.g. the client hanging up at that very moment. */
  readonly onAnswer?: () => void;
}

/** What the fake provider does with one request: answer (after some latency), or never. */
type Reply = Answer | 'hang' | 'unreachable';

/**
 * An UpstreamTransport with no network: each call is recorded (credential as sent, a copy
 * of the headers) and answered by the script. A hanging call is aborted by its
 * cancellation, as undici's dispatcher does.
 */
class FakeTransport implements UpstreamTransport {
  readonly sent: Sent[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly script: (key: string | undefined) => Reply,
  ) {}

  async send(call: UpstreamCall): Promise<UpstreamResponse> {
    const key = call.headers['x-api-key'] ?? call.headers['authorization'];
    this.sent.push({ key, method: call.method, path: call.path, headers: { ...call.headers } });
    await Promise.resolve();
    const reply = this.script(key);
    if (reply === 'unreachable') {
      throw new UpstreamTransportError('unreachable', 'the upstream is unreachable');
    }
    if (reply === 'hang') {
      return new Promise((_resolve, reject) => {
        call.cancellation.onCancel(() => {
          reject(new UpstreamTransportError('aborted', call.cancellation.message ?? 'aborted'));
        });
      });
    }
    if (reply.latencyMs !== undefined) this.clock.advance(reply.latencyMs);
    reply.onAnswer?.();
    const body =
      reply.body instanceof DrivenBody
        ? reply.body.body
        : UpstreamBody.of(Buffer.from(reply.body ?? ''));
    return { status: reply.status, headers: reply.headers ?? {}, body };
  }
}

const secrets = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `sk-test-${i}-${randomBytes(10).toString('hex')}`);

interface Setup {
  readonly keys: string[];
  readonly clock: FakeClock;
  readonly pool: Pool;
  readonly http: FakeTransport;
  readonly target: FailoverTarget;
  readonly probes: { index: number; reason: string }[];
  readonly transitions: KeyTransition[];
  readonly attempts: UpstreamAttempt[];
  readonly call: UpstreamCall;
  send(credential?: Credential): Promise<UpstreamResponse>;
  /** Key indexes in the order requests were sent with them. */
  keysSent(): number[];
  states(): string[];
}

function setup(
  count: number,
  replies: (index: number) => Reply,
  options: {
    onForbidden?: 'disable' | 'verify';
    probe?: (index: number) => Promise<ProbeResult> | ProbeResult;
  } = {},
): Setup {
  const keys = secrets(count);
  const clock = new FakeClock();
  const pool = new Pool(keys, clock);
  const transitions: KeyTransition[] = [];
  pool.onTransition((t) => transitions.push(t));
  const http = new FakeTransport(clock, (key) => {
    const index = keys.findIndex((k) => key === k || key === `Bearer ${k}`);
    return replies(index);
  });
  const probes: { index: number; reason: string }[] = [];
  const target: FailoverTarget = {
    pool,
    http,
    onForbidden: options.onForbidden ?? 'disable',
    setKeyHeader(headers, secret) {
      headers['x-api-key'] = secret;
    },
    async probeKey(key, reason) {
      probes.push({ index: key.index, reason });
      return (await options.probe?.(key.index)) ?? { verdict: 'inconclusive', status: undefined };
    },
  };
  const attempts: UpstreamAttempt[] = [];
  const call: UpstreamCall = {
    method: 'POST',
    path: 'v1/messages',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"model":"m"}'),
    cancellation: new Cancellation(),
  };
  return {
    keys,
    clock,
    pool,
    http,
    target,
    probes,
    transitions,
    attempts,
    call,
    send: (credential = { kind: 'centralized' }) =>
      sendWithFailover(target, credential, call, clock, attempts),
    keysSent: () => http.sent.map((s) => keys.indexOf(s.key ?? '')),
    states: () => pool.keys.map((k) => k.state()),
  };
}

const ok = (text = 'fine'): Reply => ({ status: 200, body: JSON.stringify({ text }) });
const failed = (status: number, message: string, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ error: { message } }),
});

function bodyText(response: UpstreamResponse): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.body.pipeTo({
      onData: (chunk) => chunks.push(chunk),
      onEnd: () => {
        resolve(Buffer.concat(chunks).toString());
      },
      onError: reject,
    });
  });
}

/** Lets every callback already queued run: what "at once" means without a real clock. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Whether `promise` settled once the queued work has run, without moving the clock. */
async function settledAtOnce(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  return done;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('the walk', () => {
  it('tries keys in order and returns the first answer that is not about the key', async () => {
    const s = setup(4, (i) => [failed(429, 'slow'), failed(401, 'bad'), ok('from 2')][i] ?? ok());
    const response = await s.send();
    expect(response.status).toBe(200);
    expect(await bodyText(response)).toBe('{"text":"from 2"}');
    expect(s.keysSent()).toEqual([0, 1, 2]);
    expect(s.states()).toEqual(['temporary', 'permanent', 'valid', 'valid']);
    // Each attempt carried its own key and nothing else changed in the request.
    expect(s.http.sent.map((sent) => sent.path)).toEqual([
      'v1/messages',
      'v1/messages',
      'v1/messages',
    ]);
    expect(s.http.sent.every((sent) => sent.headers['content-type'] === 'application/json')).toBe(
      true,
    );
  });

  it('skips keys that are not valid when reached, and starts from the first key every call', async () => {
    const s = setup(3, () => ok());
    s.pool.keys[0]?.markPermanent({ source: 'operator' });
    await s.send();
    expect(s.keysSent()).toEqual([1]);
    s.pool.keys[0]?.enable();
    await s.send();
    expect(s.keysSent()).toEqual([1, 0]);
  });

  it.each([500, 400, 404, 529])(
    'an upstream %i is returned as is, with no failover',
    async (status) => {
      const s = setup(3, () => failed(status, 'not about the key'));
      const response = await s.send();
      expect(response.status).toBe(status);
      expect(s.keysSent()).toEqual([0]);
      expect(s.states()).toEqual(['valid', 'valid', 'valid']);
      expect(s.attempts.map((a) => a.failedOver)).toEqual([false]);
    },
  );

  it('a transport error is thrown, never failed over, and recorded as an attempt', async () => {
    const s = setup(2, () => 'unreachable');
    const error = await rejection(s.send());
    expect(error).toBeInstanceOf(UpstreamTransportError);
    expect(s.keysSent()).toEqual([0]);
    expect(s.states()).toEqual(['valid', 'valid']);
    expect(s.attempts).toEqual([
      {
        keyHint: maskedHint(s.keys[0] ?? ''),
        keyIndex: 0,
        status: undefined,
        latencyMs: 0,
        failedOver: false,
        upstreamRequestId: undefined,
        error: 'the upstream is unreachable',
      },
    ]);
  });
});

describe('429: the key cools down and the next one is tried at once', () => {
  it.each<{ name: string; headers: Record<string, string>; ms: number }>([
    { name: 'retry-after-ms', headers: { 'retry-after-ms': '1500', 'retry-after': '9' }, ms: 1500 },
    { name: 'Retry-After seconds', headers: { 'retry-after': '7' }, ms: 7000 },
    {
      name: 'Retry-After date',
      headers: { 'retry-after': new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString() },
      ms: 30_000,
    },
    { name: 'no header', headers: {}, ms: 60_000 },
  ])('cooldown from $name', async ({ headers, ms }) => {
    const s = setup(2, (i) => (i === 0 ? failed(429, 'slow down', headers) : ok()));
    expect((await s.send()).status).toBe(200);
    expect(s.pool.keys[0]?.state()).toBe('temporary');
    expect(s.pool.keys[0]?.cooldownRemainingMs()).toBe(ms);
    expect(s.transitions.map((t) => [t.key.index, t.to, t.cooldownMs])).toEqual([
      [0, 'temporary', ms],
    ]);
  });

  it('does not wait for a body that never ends; the stalled body is aborted at the time cap', async () => {
    const stalled = new DrivenBody().push('{"error":{"message":"Rate limit reached"}}');
    const s = setup(2, (i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '30' }, body: stalled } : ok(),
    );
    const response = s.send();
    // The next key answered without the clock moving: nobody waited for key 0's body.
    expect(await settledAtOnce(response)).toBe(true);
    expect((await response).status).toBe(200);
    expect(s.keysSent()).toEqual([0, 1]);
    expect(s.pool.keys[0]?.state()).toBe('temporary');
    expect(stalled.abortedWith).toBeUndefined();

    s.clock.advance(FAILED_BODY_LIMITS.maxMs - 1);
    expect(stalled.abortedWith).toBeUndefined();
    s.clock.advance(1);
    expect(stalled.abortedWith).toBe('a failed-over body took too long');
    // What did arrive still gives the transition its message.
    const cause = s.transitions[0]?.cause;
    expect(cause?.source === 'upstream' ? await cause.message : 'not upstream').toBe(
      'Rate limit reached',
    );
  });

  it('a failed body that ends in time is read, not aborted, and its timer is cancelled', async () => {
    const body = new DrivenBody().push('{"error":{"message":"too many"}}');
    const s = setup(2, (i) => (i === 0 ? { status: 429, body } : ok()));
    await s.send();
    body.end();
    await settle();
    expect(body.abortedWith).toBeUndefined();
    expect(s.clock.pending).toEqual([]);
    const cause = s.transitions[0]?.cause;
    expect(cause?.source === 'upstream' ? await cause.message : undefined).toBe('too many');
  });

  it('a failed body over the byte cap is aborted at once', async () => {
    const body = new DrivenBody();
    const s = setup(2, (i) => (i === 0 ? { status: 429, body } : ok()));
    await s.send();
    body.push(Buffer.alloc(FAILED_BODY_LIMITS.maxBytes, 'x'));
    expect(body.abortedWith).toBeUndefined();
    body.push('y');
    expect(body.abortedWith).toBe('a failed-over body was too large');
    expect(s.clock.pending).toEqual([]);
    const cause = s.transitions[0]?.cause;
    expect(cause?.source === 'upstream' ? await cause.message : 'not upstream').toBeUndefined();
  });

  it('a failed body that breaks off gives no message and is not aborted again', async () => {
    const body = new DrivenBody().push('{"error":{"mess');
    const s = setup(2, (i) => (i === 0 ? { status: 429, body } : ok()));
    await s.send();
    body.fail();
    const cause = s.transitions[0]?.cause;
    expect(cause?.source === 'upstream' ? await cause.message : 'not upstream').toBeUndefined();
    expect(body.abortedWith).toBeUndefined();
  });
});

describe('401 and 403: the key is disabled', () => {
  it.each([401, 403])('%i marks the key permanent and moves on', async (status) => {
    const s = setup(3, (i) => (i === 0 ? failed(status, 'no') : ok()));
    expect((await s.send()).status).toBe(200);
    expect(s.states()).toEqual(['permanent', 'valid', 'valid']);
    expect(s.transitions.map((t) => [t.key.index, t.to])).toEqual([[0, 'permanent']]);
    expect(s.probes).toEqual([]);
  });

  it('permanent beats an earlier cooldown', async () => {
    const s = setup(2, (i) => (i === 0 ? failed(401, 'no') : ok()));
    s.pool.keys[0]?.markTemporary(1, { source: 'operator' });
    s.clock.advance(1);
    await s.send();
    expect(s.states()).toEqual(['permanent', 'valid']);
  });
});

describe('exhaustion', () => {
  it('every key rate-limited: rate-limited with the smallest cooldown', async () => {
    const s = setup(3, (i) => failed(429, 'slow', { 'retry-after': String([5, 3, 10][i]) }));
    const error = await rejection(s.send());
    expect(error).toBeInstanceOf(KeyPoolError);
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: 3000, status: 429 });
    expect(s.keysSent()).toEqual([0, 1, 2]);
  });

  it('every key rejected: permanent, 502', async () => {
    const s = setup(2, (i) => failed(i === 0 ? 401 : 403, 'no'));
    const error = await rejection(s.send());
    expect(error).toMatchObject({ name: 'KeyPoolError', reason: 'permanent', status: 502 });
  });

  it('a mix of rejected and rate-limited keys is rate-limited', async () => {
    const s = setup(2, (i) =>
      i === 0 ? failed(401, 'no') : failed(429, 'slow', { 'retry-after-ms': '2500' }),
    );
    const error = await rejection(s.send());
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: 2500 });
  });

  it('no usable key at all: nothing is sent', async () => {
    const s = setup(2, () => ok());
    for (const key of s.pool.keys) key.markPermanent({ source: 'operator' });
    const error = await rejection(s.send());
    expect(error).toMatchObject({ reason: 'permanent' });
    expect(s.http.sent).toEqual([]);
    expect(s.attempts).toEqual([]);
  });
});

describe('the attempts record', () => {
  it('lists every attempt with hint, index, status, latency, failover and request id', async () => {
    const s = setup(3, (i) =>
      i === 0
        ? { ...failed(429, 'slow', { 'x-request-id': 'req_openai_0' }), latencyMs: 120 }
        : i === 1
          ? { ...failed(401, 'bad', { 'request-id': 'req_anthropic_1' }), latencyMs: 45 }
          : { status: 200, headers: { 'request-id': 'req_ok_2' }, body: '{}', latencyMs: 800 },
    );
    await s.send();
    expect(s.attempts).toEqual([
      {
        keyHint: maskedHint(s.keys[0] ?? ''),
        keyIndex: 0,
        status: 429,
        latencyMs: 120,
        failedOver: true,
        upstreamRequestId: 'req_openai_0',
        error: undefined,
      },
      {
        keyHint: maskedHint(s.keys[1] ?? ''),
        keyIndex: 1,
        status: 401,
        latencyMs: 45,
        failedOver: true,
        upstreamRequestId: 'req_anthropic_1',
        error: undefined,
      },
      {
        keyHint: maskedHint(s.keys[2] ?? ''),
        keyIndex: 2,
        status: 200,
        latencyMs: 800,
        failedOver: false,
        upstreamRequestId: 'req_ok_2',
        error: undefined,
      },
    ]);
    // Hints only: no attempt holds a key.
    const recorded = JSON.stringify(s.attempts);
    for (const key of s.keys) expect(recorded).not.toContain(key);
  });

  it('the transition carries the status and the upstream request id', async () => {
    const s = setup(2, (i) =>
      i === 0 ? failed(403, 'forbidden', { 'x-request-id': 'req_9' }) : ok(),
    );
    await s.send();
    const cause = s.transitions[0]?.cause;
    expect(cause).toMatchObject({ source: 'upstream', status: 403, upstreamRequestId: 'req_9' });
  });
});

describe('the provider message on a transition is redacted', () => {
  it('a 401 quoting the key never carries the key, only its hint', async () => {
    const s = setup(2, (i) =>
      i === 0 ? failed(401, `Incorrect API key provided: ${s.keys[0] ?? ''}.`) : ok(),
    );
    await s.send();
    const cause = s.transitions[0]?.cause;
    const message = cause?.source === 'upstream' ? await cause.message : undefined;
    expect(message).toBe(`Incorrect API key provided: ${maskedHint(s.keys[0] ?? '')}.`);
    expect(message).not.toContain(s.keys[0]);
  });

  it('a credential the provider masks itself, or another secret-looking run, is removed', async () => {
    const s = setup(2, (i) =>
      i === 0
        ? failed(429, 'Limit for sk-proj-****************abcd in org org-Zx81Kq93LmPq7Rst')
        : ok(),
    );
    await s.send();
    const cause = s.transitions[0]?.cause;
    const message = cause?.source === 'upstream' ? await cause.message : undefined;
    expect(message).toBe('Limit for [redacted] in org [redacted]');
  });
});

describe('cancellation: no attempt starts after the client is gone', () => {
  it('cancelled before the first attempt: nothing is sent', async () => {
    const s = setup(2, () => ok());
    s.call.cancellation.cancel('client');
    const error = await rejection(s.send());
    expect(error).toMatchObject({ name: 'UpstreamTransportError', failure: 'aborted' });
    expect(s.http.sent).toEqual([]);
    expect(s.attempts).toEqual([]);
  });

  it('cancelled while an attempt is pending: it is aborted and recorded, and no other key is tried', async () => {
    const s = setup(3, (i) => (i === 0 ? failed(429, 'slow') : 'hang'));
    const response = s.send();
    await settle();
    expect(s.keysSent()).toEqual([0, 1]);
    s.call.cancellation.cancel('client');
    const error = await rejection(response);
    expect(error).toMatchObject({ failure: 'aborted', message: 'client disconnected' });
    expect(s.keysSent()).toEqual([0, 1]);
    expect(s.attempts.map((a) => [a.keyIndex, a.status, a.error])).toEqual([
      [0, 429, undefined],
      [1, undefined, 'client disconnected'],
    ]);
    // A hang-up says nothing about key 1.
    expect(s.states()).toEqual(['temporary', 'valid', 'valid']);
  });

  it('cancelled just as a 429 arrives: the key is marked, the walk stops there', async () => {
    const s: Setup = setup(3, (i) =>
      i === 0
        ? {
            ...failed(429, 'slow'),
            onAnswer: () => {
              s.call.cancellation.cancel('client');
            },
          }
        : ok(),
    );
    const error = await rejection(s.send());
    expect(error).toMatchObject({ failure: 'aborted' });
    expect(s.keysSent()).toEqual([0]);
    expect(s.states()).toEqual(['temporary', 'valid', 'valid']);
  });

  it('cancelled while a 403 is being verified: no attempt follows the probe', async () => {
    let answerProbe: (result: ProbeResult) => void = () => undefined;
    const s = setup(2, (i) => (i === 0 ? failed(403, 'not for this model') : ok()), {
      onForbidden: 'verify',
      probe: () =>
        new Promise((resolve) => {
          answerProbe = resolve;
        }),
    });
    const response = s.send();
    await settle();
    expect(s.probes).toEqual([{ index: 0, reason: 'verify' }]);
    s.call.cancellation.cancel('client');
    answerProbe({ verdict: 'works', status: 200 });
    expect(await rejection(response)).toMatchObject({ failure: 'aborted' });
    expect(s.keysSent()).toEqual([0]);
  });
});

describe('BYOK: one attempt with the caller own credential', () => {
  it.each([
    { header: 'x-api-key' as const, sent: (token: string) => token },
    { header: 'authorization' as const, sent: (token: string) => `Bearer ${token}` },
  ])('in $header, a 429 is returned as is and the pool is untouched', async ({ header, sent }) => {
    const token = `sk-byok-${randomBytes(12).toString('hex')}`;
    const s = setup(2, () => failed(429, 'your own limit', { 'retry-after': '5' }));
    const response = await s.send({ kind: 'byok', header, token });
    expect(response.status).toBe(429);
    expect(s.http.sent).toHaveLength(1);
    expect(s.http.sent[0]?.headers[header]).toBe(sent(token));
    expect(s.states()).toEqual(['valid', 'valid']);
    expect(s.transitions).toEqual([]);
    expect(s.attempts).toEqual([
      {
        keyHint: maskedHint(token),
        keyIndex: undefined,
        status: 429,
        latencyMs: 0,
        failedOver: false,
        upstreamRequestId: undefined,
        error: undefined,
      },
    ]);
  });

  it('a 403 is returned as is, and nothing is probed', async () => {
    const s = setup(1, () => failed(403, 'forbidden'), { onForbidden: 'verify' });
    const response = await s.send({
      kind: 'byok',
      header: 'x-api-key',
      token: 'sk-byok-own-key-0123456789',
    });
    expect(response.status).toBe(403);
    expect(s.probes).toEqual([]);
  });
});

describe('on_forbidden: verify', () => {
  const works: ProbeResult = { verdict: 'works', status: 200 };
  const rejected: ProbeResult = { verdict: 'rejected', status: 401 };
  const inconclusive: ProbeResult = { verdict: 'inconclusive', status: 503 };

  it('a key that still works stays valid and is skipped for this request only', async () => {
    const s = setup(2, (i) => (i === 0 ? failed(403, 'model not allowed') : ok()), {
      onForbidden: 'verify',
      probe: () => works,
    });
    expect((await s.send()).status).toBe(200);
    expect(s.keysSent()).toEqual([0, 1]);
    expect(s.probes).toEqual([{ index: 0, reason: 'verify' }]);
    expect(s.states()).toEqual(['valid', 'valid']);
    expect(s.transitions).toEqual([]);
    expect(s.attempts.map((a) => [a.keyIndex, a.status, a.failedOver])).toEqual([
      [0, 403, true],
      [1, 200, false],
    ]);
    // The next request starts from key 0 again.
    await s.send();
    expect(s.keysSent()).toEqual([0, 1, 0, 1]);
  });

  it('every key skipped so: the last 403 is returned as it was, body included', async () => {
    const bodies = [0, 1, 2].map((i) =>
      JSON.stringify({ error: { message: `key ${i} may not use m` } }),
    );
    const s = setup(
      3,
      (i) => ({
        status: 403,
        headers: {
          'content-type': 'application/json',
          'content-length': String(bodies[i]?.length),
          'x-request-id': `req_${i}`,
        },
        body: bodies[i],
      }),
      { onForbidden: 'verify', probe: () => works },
    );
    const response = await s.send();
    expect(response.status).toBe(403);
    expect(response.headers['x-request-id']).toBe('req_2');
    expect(response.headers['content-type']).toBe('application/json');
    expect(await bodyText(response)).toBe(bodies[2]);
    expect(s.keysSent()).toEqual([0, 1, 2]);
    expect(s.probes.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(s.states()).toEqual(['valid', 'valid', 'valid']);
  });

  it('a key the probe finds rejected is disabled with the 403 message, and the request fails over', async () => {
    const s = setup(2, (i) => (i === 0 ? failed(403, 'key revoked') : ok()), {
      onForbidden: 'verify',
      probe: () => rejected,
    });
    expect((await s.send()).status).toBe(200);
    expect(s.keysSent()).toEqual([0, 1]);
    expect(s.states()).toEqual(['permanent', 'valid']);
    const cause = s.transitions[0]?.cause;
    expect(cause).toMatchObject({ source: 'upstream', status: 403 });
    expect(cause?.source === 'upstream' ? await cause.message : undefined).toBe('key revoked');
  });

  it('an inconclusive probe leaves the key valid and skips it', async () => {
    const s = setup(2, (i) => (i === 0 ? failed(403, 'hmm') : ok()), {
      onForbidden: 'verify',
      probe: () => inconclusive,
    });
    expect((await s.send()).status).toBe(200);
    expect(s.states()).toEqual(['valid', 'valid']);
  });

  it('skipped keys and a rejected one: the kept 403 is relayed', async () => {
    const s = setup(2, (i) => failed(403, `no ${i}`), {
      onForbidden: 'verify',
      probe: (i) => (i === 0 ? works : rejected),
    });
    const response = await s.send();
    expect(response.status).toBe(403);
    expect(await bodyText(response)).toBe(JSON.stringify({ error: { message: 'no 0' } }));
    expect(s.states()).toEqual(['valid', 'permanent']);
  });

  it('skipped keys while another cools down: rate-limited, since a key will be back soon', async () => {
    const s = setup(
      2,
      (i) => (i === 0 ? failed(403, 'no') : failed(429, 'slow', { 'retry-after': '4' })),
      {
        onForbidden: 'verify',
        probe: () => works,
      },
    );
    const error = await rejection(s.send());
    expect(error).toMatchObject({ reason: 'rate-limited', retryAfterMs: 4000 });
  });

  it('401 is never verified: it disables the key at once', async () => {
    const s = setup(2, (i) => (i === 0 ? failed(401, 'bad key') : ok()), {
      onForbidden: 'verify',
      probe: () => works,
    });
    await s.send();
    expect(s.probes).toEqual([]);
    expect(s.states()).toEqual(['permanent', 'valid']);
  });

  it('a skipped key does not wait for its stalled 403 body; a relay of it waits for the cap and is never passed off whole', async () => {
    const stalled = new DrivenBody().push('{"error":{"message":"not this model"}}');
    const s = setup(2, (i) => (i === 0 ? { status: 403, body: stalled } : ok()), {
      onForbidden: 'verify',
      probe: () => works,
    });
    expect(await settledAtOnce(s.send())).toBe(true);
    expect(s.keysSent()).toEqual([0, 1]);

    // Now every key answers 403 and key 0's body stalls: at the cap, the gateway says the
    // provider's message in its own 403 rather than relay a body it could not read whole.
    const second = new DrivenBody().push('{"error":{"message":"not this model either"}}');
    const t = setup(1, () => ({ status: 403, body: second }), {
      onForbidden: 'verify',
      probe: () => works,
    });
    const relayed = t.send();
    expect(await settledAtOnce(relayed)).toBe(false);
    t.clock.advance(FAILED_BODY_LIMITS.maxMs);
    await expect(relayed).rejects.toMatchObject({
      name: 'GatewayError',
      status: 403,
      message: 'not this model either',
    });

    // A complete body is relayed as it was.
    const whole = new DrivenBody().push('{"error":{"message":"whole"}}').end();
    const u = setup(1, () => ({ status: 403, body: whole }), {
      onForbidden: 'verify',
      probe: () => works,
    });
    const response = await u.send();
    expect(response.status).toBe(403);
    expect(await bodyText(response)).toBe('{"error":{"message":"whole"}}');
  });

  it('a rejected key does not wait for its stalled 403 body', async () => {
    const stalled = new DrivenBody().push('{"error":{"message":"revoked"}}');
    const s = setup(2, (i) => (i === 0 ? { status: 403, body: stalled } : ok()), {
      onForbidden: 'verify',
      probe: () => rejected,
    });
    const response = s.send();
    expect(await settledAtOnce(response)).toBe(true);
    expect(s.keysSent()).toEqual([0, 1]);
    s.clock.advance(FAILED_BODY_LIMITS.maxMs);
    expect(stalled.abortedWith).toBe('a failed-over body took too long');
    const cause = s.transitions[0]?.cause;
    expect(cause?.source === 'upstream' ? await cause.message : undefined).toBe('revoked');
  });
});
