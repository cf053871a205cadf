import { Agent, request } from 'node:http';
import { DIALECT_SPECS, type DialectId } from './dialects.js';
import { STAMP, type StreamPlan } from './stream-plan.js';
import { STREAM_END } from './stream-shapes.js';
import { percentile, sorted } from './stats.js';
import type { Endpoint } from './targets.js';
import { wallNow } from './wall-clock.js';

/** What one streamed answer looked like from the client's side. */
export interface StreamSample {
  readonly status: number;
  /** From sending the request to the first byte of the response body. */
  readonly ttfbMs: number;
  /** Per text delta: from the mock writing it to the client holding the complete event. */
  readonly delaysMs: number[];
  /** The stream's closing event arrived and the response ended cleanly. */
  readonly complete: boolean;
  readonly error: string | undefined;
}

export interface OpenStream {
  readonly done: Promise<StreamSample>;
  abort(): void;
}

/**
 * Sends one streaming request and watches the SSE events arrive: an event counts as received
 * when its blank-line terminator arrives, and its delay is measured against the send time the
 * mock wrote into its delta text.
 */
export function openStream(
  endpoint: Endpoint,
  dialect: DialectId,
  body: string,
  agent: Agent,
  onFirstByte?: () => void,
): OpenStream {
  const url = new URL(endpoint.url);
  const endMarker = STREAM_END[dialect];
  const delaysMs: number[] = [];
  let status = 0;
  let ttfbMs = Number.NaN;
  let sawEnd = false;
  let pending = '';
  let settle: (sample: StreamSample) => void = () => undefined;
  const done = new Promise<StreamSample>((resolve) => {
    settle = resolve;
  });
  const finish = (complete: boolean, error: string | undefined): void => {
    settle({ status, ttfbMs, delaysMs, complete, error });
  };
  const sentAt = wallNow();
  const req = request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method: 'POST',
      agent,
      headers: {
        ...endpoint.headers,
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': Buffer.byteLength(body),
      },
    },
    (res) => {
      status = res.statusCode ?? 0;
      res.on('data', (chunk: Buffer) => {
        const now = wallNow();
        if (Number.isNaN(ttfbMs)) {
          ttfbMs = now - sentAt;
          onFirstByte?.();
        }
        pending += chunk.toString('latin1');
        let end = pending.indexOf('\n\n');
        while (end !== -1) {
          const event = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const stamp = STAMP.exec(event);
          if (stamp !== null) delaysMs.push(now - Number(stamp[1]));
          else if (event.startsWith(endMarker)) sawEnd = true;
          end = pending.indexOf('\n\n');
        }
      });
      res.on('end', () => {
        finish(status === 200 && sawEnd, status === 200 ? undefined : `HTTP ${status}`);
      });
      res.on('error', (error) => {
        finish(false, error.message);
      });
    },
  );
  req.on('error', (error) => {
    finish(false, error.message);
  });
  req.end(body);
  return {
    done,
    abort: () => {
      req.destroy();
    },
  };
}

export interface StreamProbeResult {
  readonly streams: number;
  readonly ttfbP50Ms: number;
  readonly ttfbP99Ms: number;
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
  readonly eventsExpected: number;
  readonly eventsReceived: number;
  /** Streams that failed or ended without their closing event. */
  readonly failed: number;
  readonly firstError: string | undefined;
  /** Each round's own percentiles, in round order (absent in older result files). */
  readonly perRound?: readonly StreamRoundFigures[];
}

export interface StreamRoundFigures {
  readonly ttfbP50Ms: number;
  readonly delayP99Ms: number;
}

/**
 * `count` streamed requests, `concurrency` at a time. The workers
 * start staggered across one stream's length, so requests arrive spread out in time as from
 * independent clients, not in bursts of `concurrency` (which would make every stream's time to
 * first byte include queueing behind the others of its burst).
 */
export async function streamBatch(
  endpoint: Endpoint,
  dialect: DialectId,
  plan: StreamPlan,
  count: number,
  concurrency: number,
): Promise<StreamSample[]> {
  // A batch's own keep-alive connections: reused between its streams, never left idle long
  // enough for a server to close them under a later batch (Portkey closes after 5 s).
  const agent = new Agent({ keepAlive: true });
  const body = DIALECT_SPECS[dialect].body(plan);
  const workers = Math.min(count, concurrency);
  const staggerMs = (plan.events * plan.intervalMs) / workers;
  const samples: StreamSample[] = [];
  let started = 0;
  const worker = async (index: number): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, index * staggerMs));
    while (started < count) {
      started++;
      samples.push(await openStream(endpoint, dialect, body, agent).done);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  agent.destroy();
  return samples;
}

/** Percentiles over every stream of a target: TTFB per stream, delay per event. */
export function summarizeStreams(
  samples: readonly StreamSample[],
  plan: StreamPlan,
  rounds: readonly (readonly StreamSample[])[] = [],
): StreamProbeResult {
  const ttfb = sorted(samples.map((s) => s.ttfbMs).filter((t) => !Number.isNaN(t)));
  const delays = sorted(samples.flatMap((s) => s.delaysMs));
  const failed = samples.filter((s) => !s.complete || s.delaysMs.length !== plan.events);
  return {
    streams: samples.length,
    ttfbP50Ms: percentile(ttfb, 50),
    ttfbP99Ms: percentile(ttfb, 99),
    delayP50Ms: percentile(delays, 50),
    delayP99Ms: percentile(delays, 99),
    delayMaxMs: percentile(delays, 100),
    eventsExpected: samples.length * plan.events,
    eventsReceived: delays.length,
    failed: failed.length,
    firstError: failed[0]?.error ?? (failed.length > 0 ? 'stream incomplete' : undefined),
    perRound: rounds.map((round) => ({
      ttfbP50Ms: percentile(sorted(round.map((s) => s.ttfbMs).filter((t) => !Number.isNaN(t))), 50),
      delayP99Ms: percentile(sorted(round.flatMap((s) => s.delaysMs)), 99),
    })),
  };
}
