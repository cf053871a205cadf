import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import type { Key, KeyTransition } from './key.js';
import type { ProbeResult } from './key-probe.js';
import { Pool } from './pool.js';
import { DisabledKeyRecheck, RECHECK_MAX_DELAY_MS, type RecheckReport } from './recheck.js';

const MIN = 60_000;
const FIRST = 10 * MIN;
const DISABLED = { source: 'operator' } as const;

const works: ProbeResult = { verdict: 'works', status: 200 };
const rejected: ProbeResult = { verdict: 'rejected', status: 401 };

/** A probe per call, answered by the test: at once from `answer`, or later by hand. */
interface Probes {
  readonly calls: { index: number; reason: string; at: number }[];
  /** Answers the oldest probe still waiting, for probes the test answers by hand. */
  answer(result: ProbeResult | Error): void;
}

function setup(
  answer: ((call: number) => ProbeResult | Error) | 'by-hand',
  firstDelayMs = FIRST,
): {
  clock: FakeClock;
  pool: Pool;
  key: Key;
  recheck: DisabledKeyRecheck;
  probes: Probes;
  reports: RecheckReport[];
  transitions: KeyTransition[];
} {
  const clock = new FakeClock();
  const pool = new Pool(['key-0', 'key-1'], clock);
  const transitions: KeyTransition[] = [];
  pool.onTransition((t) => transitions.push(t));
  const waiting: ((result: ProbeResult | Error) => void)[] = [];
  const probes: Probes = {
    calls: [],
    answer(result) {
      waiting.shift()?.(result);
    },
  };
  const reports: RecheckReport[] = [];
  const recheck = new DisabledKeyRecheck(
    pool,
    (key, reason) => {
      probes.calls.push({ index: key.index, reason, at: clock.now() });
      const result: Promise<ProbeResult | Error> =
        answer === 'by-hand'
          ? new Promise((resolve) => waiting.push(resolve))
          : Promise.resolve(answer(probes.calls.length - 1));
      return result.then((r) => {
        if (r instanceof Error) throw r;
        return r;
      });
    },
    clock,
    firstDelayMs,
    (report) => reports.push(report),
  );
  const key = pool.keys[0] as Key;
  return { clock, pool, key, recheck, probes, reports, transitions };
}

/** Lets a probe's answer be handled: the re-check awaits it. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function advance(clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await settle();
}

describe('re-check of disabled keys', () => {
  it('probes a disabled key first after the configured delay, not before', async () => {
    const s = setup(() => rejected);
    s.key.markPermanent(DISABLED);
    expect(s.recheck.scheduled).toBe(1);
    expect(s.clock.pending).toEqual([FIRST]);
    await advance(s.clock, FIRST - 1);
    expect(s.probes.calls).toEqual([]);
    await advance(s.clock, 1);
    expect(s.probes.calls).toEqual([{ index: 0, reason: 'recheck', at: s.clock.now() }]);
  });

  it('backs off by doubling up to an hour while the provider still refuses the key', async () => {
    const s = setup(() => rejected);
    const start = s.clock.now();
    s.key.markPermanent(DISABLED);
    for (let i = 0; i < 7; i++) await advance(s.clock, s.clock.pending[0] ?? 0);
    const gaps = s.probes.calls.map((c, i) => c.at - (s.probes.calls[i - 1]?.at ?? start));
    expect(gaps).toEqual([FIRST, 20 * MIN, 40 * MIN, 60 * MIN, 60 * MIN, 60 * MIN, 60 * MIN]);
    expect(s.reports.map((r) => r.nextInMs)).toEqual([
      20 * MIN,
      40 * MIN,
      60 * MIN,
      60 * MIN,
      60 * MIN,
      60 * MIN,
      60 * MIN,
    ]);
    expect(RECHECK_MAX_DELAY_MS).toBe(60 * MIN);
    expect(s.key.state()).toBe('permanent');
    expect(s.recheck.scheduled).toBe(1);
  });

  it('a first delay above the cap is kept, not shortened', async () => {
    const s = setup(() => rejected, 2 * RECHECK_MAX_DELAY_MS);
    s.key.markPermanent(DISABLED);
    await advance(s.clock, 2 * RECHECK_MAX_DELAY_MS);
    expect(s.probes.calls).toHaveLength(1);
    expect(s.clock.pending).toEqual([2 * RECHECK_MAX_DELAY_MS]);
  });

  it('a probe that works re-enables the key and ends its schedule', async () => {
    const s = setup((call) => (call < 2 ? rejected : works));
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    await advance(s.clock, 20 * MIN);
    expect(s.key.state()).toBe('permanent');
    await advance(s.clock, 40 * MIN);
    expect(s.key.state()).toBe('valid');
    expect(s.probes.calls).toHaveLength(3);
    expect(s.recheck.scheduled).toBe(0);
    expect(s.clock.pending).toEqual([]);
    expect(s.reports.at(-1)).toMatchObject({ result: works, nextInMs: undefined });
    expect(s.transitions.at(-1)).toMatchObject({
      to: 'valid',
      cause: { source: 'recheck', status: 200 },
    });
    await advance(s.clock, 10 * RECHECK_MAX_DELAY_MS);
    expect(s.probes.calls).toHaveLength(3);
  });

  it('a key disabled again starts over from the first delay', async () => {
    const s = setup((call) => (call === 0 ? works : rejected));
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.key.state()).toBe('valid');
    s.key.markPermanent(DISABLED);
    expect(s.clock.pending).toEqual([FIRST]);
  });

  it('an operator re-enable cancels the schedule', async () => {
    const s = setup(() => rejected);
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.probes.calls).toHaveLength(1);
    s.key.enable();
    expect(s.recheck.scheduled).toBe(0);
    expect(s.clock.pending).toEqual([]);
    await advance(s.clock, 10 * RECHECK_MAX_DELAY_MS);
    expect(s.probes.calls).toHaveLength(1);
  });

  it('an operator re-enable during a probe wins over its answer', async () => {
    const s = setup('by-hand');
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.probes.calls).toHaveLength(1);
    s.key.enable();
    s.probes.answer(rejected);
    await settle();
    expect(s.key.state()).toBe('valid');
    expect(s.recheck.scheduled).toBe(0);
    expect(s.reports).toEqual([]);
  });

  it('a probe started before a re-enable and a new disabling does not decide the new one', async () => {
    const s = setup('by-hand');
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.probes.calls).toHaveLength(1);
    // Re-enabled and disabled again while the old probe is still out.
    s.key.enable();
    s.key.markPermanent(DISABLED);
    s.probes.answer(works);
    await settle();
    expect(s.key.state()).toBe('permanent');
    // The new disabling keeps its own first delay, not the old backed-off one.
    expect(s.clock.pending).toEqual([FIRST]);
    expect(s.reports).toEqual([]);
  });

  it('stop() cancels every schedule, ignores a probe in flight and watches no more', async () => {
    const s = setup('by-hand');
    s.key.markPermanent(DISABLED);
    s.pool.keys[1]?.markPermanent(DISABLED);
    expect(s.recheck.scheduled).toBe(2);
    await advance(s.clock, FIRST);
    expect(s.probes.calls.map((c) => c.index)).toEqual([0, 1]);
    s.recheck.stop();
    s.probes.answer(works);
    s.probes.answer(rejected);
    await settle();
    expect(s.key.state()).toBe('permanent');
    expect(s.recheck.scheduled).toBe(0);
    expect(s.clock.pending).toEqual([]);
    expect(s.reports).toEqual([]);
    s.key.enable();
    s.key.markPermanent(DISABLED);
    expect(s.clock.pending).toEqual([]);
  });

  it('a probe that throws counts as inconclusive: the key stays disabled and is probed later', async () => {
    const s = setup((call) => (call === 0 ? new Error('socket hang up') : works));
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.key.state()).toBe('permanent');
    expect(s.reports).toEqual([
      {
        key: s.key,
        result: { verdict: 'inconclusive', status: undefined },
        nextInMs: 20 * MIN,
      },
    ]);
    await advance(s.clock, 20 * MIN);
    expect(s.key.state()).toBe('valid');
  });

  it('an inconclusive answer backs off like a refusal', async () => {
    const s = setup(() => ({ verdict: 'inconclusive', status: 503 }));
    s.key.markPermanent(DISABLED);
    await advance(s.clock, FIRST);
    expect(s.key.state()).toBe('permanent');
    expect(s.clock.pending).toEqual([20 * MIN]);
  });

  it('a cooling-down key is not re-checked', async () => {
    const s = setup(() => works);
    s.key.markTemporary(30 * MIN, DISABLED);
    expect(s.recheck.scheduled).toBe(0);
    await advance(s.clock, 2 * RECHECK_MAX_DELAY_MS);
    expect(s.probes.calls).toEqual([]);
  });

  it('each disabled key has its own schedule', async () => {
    const s = setup((call) => (call === 0 ? works : rejected));
    s.key.markPermanent(DISABLED);
    await advance(s.clock, 5 * MIN);
    s.pool.keys[1]?.markPermanent(DISABLED);
    await advance(s.clock, 5 * MIN);
    expect(s.probes.calls.map((c) => c.index)).toEqual([0]);
    expect(s.key.state()).toBe('valid');
    await advance(s.clock, 5 * MIN);
    expect(s.probes.calls.map((c) => c.index)).toEqual([0, 1]);
    expect(s.pool.keys[1]?.state()).toBe('permanent');
    expect(s.clock.pending).toEqual([20 * MIN]);
  });
});
