import { createGzip } from 'node:zlib';
import type { MockReply, SeenRequest } from './mock-upstream.js';
import type { DialectProfile } from './profile.js';

/** Upstream behaviours mixed into load tests and the soak run; 'ok' is listed thrice to dominate. */
export const FAULTS = [
  'ok',
  'ok',
  'ok',
  'drop',
  'stall',
  'error-event',
  'client-abort',
  'rate-limit',
  'gzip',
  'reset',
] as const;
export type FaultName = (typeof FAULTS)[number];

/** The request header that tells the mock which fault to play; unknown headers reach the upstream. */
export const FAULT_HEADER = 'x-test-fault';

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sseEventsOf(profile: DialectProfile, seen: SeenRequest): string[] {
  const reply = profile.success(true, seen);
  if (typeof reply === 'function' || !('sse' in reply)) throw new Error('expected an SSE fixture');
  return [...reply.sse];
}

/** How the upstream misbehaves for one streamed request. `firstKey`: whether the gateway used pool key 0. */
export function faultReply(
  profile: DialectProfile,
  fault: FaultName,
  seen: SeenRequest,
  firstKey: boolean,
): MockReply {
  const events = sseEventsOf(profile, seen);
  switch (fault) {
    case 'ok':
    case 'client-abort':
      return { sse: events, delayMs: 5 };
    case 'drop':
      return { sse: events.slice(0, 3), delayMs: 5, then: 'drop' };
    case 'stall':
      return { sse: events.slice(0, 3), then: 'stall' };
    case 'error-event':
      return profile.midStreamError();
    case 'rate-limit':
      return firstKey
        ? profile.upstreamError(429, 'slow down', { 'retry-after-ms': '20' })
        : { sse: events };
    case 'reset':
      return (_seen, res) => {
        res.socket?.destroy();
      };
    case 'gzip':
      return (_seen, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
        const gzip = createGzip();
        gzip.pipe(res);
        for (const event of events) gzip.write(event);
        gzip.end();
      };
  }
}
