import type { Interception } from '../../src/recorder/interception.js';

/** A usage group as the admin API answers it, summed by a test from the records it wrote. */
export interface ExpectedGroup {
  key: string;
  requests: number;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  reasoning: number;
  cost_usd: number | null;
  unpriced: number;
}

export function emptyGroup(key: string): ExpectedGroup {
  return {
    key,
    requests: 0,
    input: 0,
    output: 0,
    cache_read: 0,
    cache_write: 0,
    reasoning: 0,
    cost_usd: null,
    unpriced: 0,
  };
}

/** Adds one interception to a group the way the usage report must. */
export function addToGroup(group: ExpectedGroup, i: Interception): void {
  group.requests++;
  group.input += i.usage.input;
  group.output += i.usage.output;
  group.cache_read += i.usage.cacheRead;
  group.cache_write += i.usage.cacheCreation;
  group.reasoning += i.usage.reasoning;
  if (i.costUsd === undefined) group.unpriced++;
  else group.cost_usd = (group.cost_usd ?? 0) + i.costUsd;
}
