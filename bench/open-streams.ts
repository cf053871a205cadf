import { Agent } from 'node:http';
import { DIALECT_SPECS, type DialectId } from './dialects.js';
import type { MockProcess } from './mock-process.js';
import { sleep } from './processes.js';
import { median, Sampler } from './stats.js';
import type { StreamPlan } from './stream-plan.js';
import { openStream, type OpenStream } from './stream-probe.js';
import type { Target } from './targets.js';

export interface OpenStreamsOptions {
  readonly count: number;
  /** How long to hold them all open, sampling RSS, once they are open. */
  readonly holdMs: number;
  /** Give up waiting for every stream's first byte after this long. */
  readonly openTimeoutMs: number;
  /** A slow, long stream: it must outlast the hold; it is aborted afterwards. */
  readonly plan: StreamPlan;
  /** How long to wait for the upstream streams to close once every client has hung up. */
  readonly abortWaitMs: number;
}

export interface OpenStreamsResult {
  readonly requested: number;
  /** Streams whose first byte reached the client. */
  readonly opened: number;
  /** Streams the mock was writing at the end of the hold. */
  readonly upstreamOpen: number;
  readonly rssBeforeMb: number;
  readonly rssPeakMb: number;
  readonly addedMb: number;
  /** Upstream streams still open `abortWaitMs` after every client hung up. */
  readonly upstreamLeftAfterAbort: number;
}

/**
 * Memory of many idle-ish concurrent streams: RSS of the target process before (idle, after a
 * warm-up) and its peak while `count` streams are open through it, each receiving an event
 * every `plan.intervalMs`. Streams are opened in batches of 50 to avoid a connect storm.
 */
export async function holdOpenStreams(
  target: Target,
  dialect: DialectId,
  mock: MockProcess,
  options: OpenStreamsOptions,
): Promise<OpenStreamsResult> {
  const child = target.process;
  if (child === undefined) throw new Error('open-streams needs a target process');
  const endpoint = target.endpoint(dialect);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const upstreamBaseline = (await mock.stats()).streamsOpen;
  const before: number[] = [];
  for (let i = 0; i < 5; i++) {
    const rss = child.rssMb();
    if (rss !== undefined) before.push(rss);
    await sleep(100);
  }
  const rssBeforeMb = median(before);
  const rss = new Sampler(() => child.rssMb(), 100);
  const body = DIALECT_SPECS[dialect].body(options.plan);
  const streams: OpenStream[] = [];
  let opened = 0;
  for (let i = 0; i < options.count; i++) {
    streams.push(
      openStream(endpoint, dialect, body, agent, () => {
        opened++;
      }),
    );
    if (i % 50 === 49) await sleep(20);
  }
  const openDeadline = performance.now() + options.openTimeoutMs;
  while (opened < options.count && performance.now() < openDeadline) await sleep(50);
  await sleep(options.holdMs);
  const upstreamOpen = (await mock.stats()).streamsOpen - upstreamBaseline;
  const rssPeakMb = rss.stop();
  for (const stream of streams) stream.abort();
  await Promise.all(streams.map((s) => s.done));
  agent.destroy();
  let upstreamLeftAfterAbort = upstreamOpen;
  const closeDeadline = performance.now() + options.abortWaitMs;
  while (performance.now() < closeDeadline) {
    upstreamLeftAfterAbort = (await mock.stats()).streamsOpen - upstreamBaseline;
    if (upstreamLeftAfterAbort <= 0) break;
    await sleep(100);
  }
  return {
    requested: options.count,
    opened,
    upstreamOpen,
    rssBeforeMb,
    rssPeakMb,
    addedMb: rssPeakMb - rssBeforeMb,
    upstreamLeftAfterAbort: Math.max(0, upstreamLeftAfterAbort),
  };
}
