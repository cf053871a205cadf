import type { Clock } from './clock.js';
import type { Key } from './key.js';
import type { KeyProber, ProbeResult } from './key-probe.js';
import type { Pool } from './pool.js';

export const RECHECK_MAX_DELAY_MS = 60 * 60 * 1000;

export interface RecheckReport {
  readonly key: Key;
  readonly result: ProbeResult;
  /** When the next probe runs; undefined once the key is back in service. */
  readonly nextInMs: number | undefined;
}

/**
 * Brings disabled keys back by themselves. A key disabled by a 401/403 during a provider
 * incident would otherwise stay out until an operator noticed (Coder's AI Bridge users hit
 * exactly this). Each permanent key is probed `firstDelayMs` after it was disabled, then at
 * doubling intervals up to an hour while the provider still refuses it; a probe answered 2xx
 * re-enables it. An operator's re-enable cancels the schedule.
 *
 * With key state shared between processes, every process hears of the disabling and keeps
 * its own schedule, but each round only the process that claims it (`Pool.claimRecheck`)
 * probes: a re-enable reaches the others through the store, and a key still refused keeps
 * them all backing off in step. So one probe per round, whoever marked the key and even if
 * that process is gone.
 */
export class DisabledKeyRecheck {
  private readonly timers = new Map<Key, () => void>();
  /**
   * Counts each key's disablings, so that a probe started before a re-enable and a new
   * disabling cannot apply its old answer to the new one.
   */
  private readonly disablings = new Map<Key, number>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly probe: KeyProber,
    private readonly clock: Clock,
    private readonly firstDelayMs: number,
    private readonly report: (report: RecheckReport) => void,
    private readonly maxDelayMs = RECHECK_MAX_DELAY_MS,
  ) {
    this.unsubscribe = pool.onTransition((transition) => {
      if (transition.to === 'permanent') {
        this.disablings.set(transition.key, (this.disablings.get(transition.key) ?? 0) + 1);
        this.schedule(transition.key, this.firstDelayMs);
      } else if (transition.to === 'valid') this.cancel(transition.key);
    });
  }

  /** Keys with a probe scheduled. */
  get scheduled(): number {
    return this.timers.size;
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
  }

  private stillDisabled(key: Key): boolean {
    return !this.stopped && key.state() === 'permanent';
  }

  private schedule(key: Key, delayMs: number): void {
    this.cancel(key);
    this.timers.set(
      key,
      this.clock.schedule(delayMs, () => {
        this.timers.delete(key);
        void this.run(key, delayMs);
      }),
    );
  }

  private cancel(key: Key): void {
    this.timers.get(key)?.();
    this.timers.delete(key);
  }

  private async run(key: Key, delayMs: number): Promise<void> {
    if (!this.stillDisabled(key)) return;
    const disabling = this.disablings.get(key);
    const next = Math.min(delayMs * 2, Math.max(this.maxDelayMs, this.firstDelayMs));
    // Held for half a round, so that the next round is free to claim whoever comes first.
    const claimed = await this.pool.claimRecheck(key, Math.max(1000, Math.floor(delayMs / 2)));
    if (!this.stillDisabled(key) || this.disablings.get(key) !== disabling) return;
    if (!claimed) {
      this.schedule(key, next);
      return;
    }
    let result: ProbeResult;
    try {
      result = await this.probe(key, 'recheck');
    } catch {
      result = { verdict: 'inconclusive', status: undefined };
    }
    // An operator may have re-enabled it meanwhile (and it may have been disabled again),
    // or the gateway stopped.
    if (!this.stillDisabled(key) || this.disablings.get(key) !== disabling) return;
    if (result.verdict === 'works') {
      key.enable({ source: 'recheck', status: result.status ?? 200 });
      this.report({ key, result, nextInMs: undefined });
      return;
    }
    this.schedule(key, next);
    this.report({ key, result, nextInMs: next });
  }
}
