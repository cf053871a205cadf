import { emptyUsage, type TokenUsage } from './token-usage.js';
import { asRecord, countField, type JsonRecord } from './json-access.js';

type FieldPath = readonly [string] | readonly [string, string];

/** Where an API's `usage` object keeps each count we record. */
export type UsageFields = Readonly<Partial<Record<keyof TokenUsage, FieldPath>>>;

function read(record: JsonRecord, path: FieldPath): number | undefined {
  return path.length === 1
    ? countField(record, path[0])
    : countField(asRecord(record[path[0]]), path[1]);
}

/**
 * Folds a usage object into the running totals. Streams report some counts early and
 * cumulative counts later, so a figure that is present replaces the earlier one.
 */
export function applyUsage(
  usage: TokenUsage,
  record: JsonRecord | undefined,
  fields: UsageFields,
): void {
  if (record === undefined) return;
  for (const name of Object.keys(fields) as (keyof TokenUsage)[]) {
    const path = fields[name];
    if (path !== undefined) usage[name] = read(record, path) ?? usage[name];
  }
}

/** Reads a complete response's `usage` object. */
export function usageReader(fields: UsageFields): (usage: unknown) => TokenUsage {
  return (record) => {
    const usage = emptyUsage();
    applyUsage(usage, asRecord(record), fields);
    return usage;
  };
}
