import { asRecord } from '../json-access.js';

type UsageObject = Record<string, unknown>;

function add(total: UsageObject, usage: Readonly<Record<string, unknown>>): void {
  for (const [key, value] of Object.entries(usage)) {
    const current = total[key];
    if (typeof value === 'number') {
      total[key] = typeof current === 'number' ? current + value : value;
      continue;
    }
    const details = asRecord(value);
    if (details !== undefined) {
      const sub: UsageObject = { ...asRecord(current) };
      add(sub, details);
      total[key] = sub;
    } else if (current === undefined) {
      total[key] = value;
    }
  }
}

/**
 * The `usage` object of one answer made of several: every count summed (input, output,
 * total, cached, reasoning, and whatever counts the provider adds), at the top level and in
 * the `*_details` objects. Undefined when no answer reported usage.
 */
export function summedUsage(usages: readonly unknown[]): UsageObject | undefined {
  let total: UsageObject | undefined;
  for (const usage of usages) {
    const record = asRecord(usage);
    if (record === undefined) continue;
    total ??= {};
    add(total, record);
  }
  return total;
}
