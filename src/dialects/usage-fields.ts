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

/** Totals the API derives from the other counts: not a usage type of their own. */
const DERIVED = new Set(['total_tokens']);

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** The counts `fields` records, top-level and nested (outer name → inner names). */
interface KnownNames {
  readonly flat: ReadonlySet<string>;
  readonly nested: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Each API's fields are a constant: their names are indexed once, not per answer. */
const KNOWN_NAMES = new WeakMap<UsageFields, KnownNames>();

function knownNames(fields: UsageFields): KnownNames {
  let known = KNOWN_NAMES.get(fields);
  if (known === undefined) {
    const flat = new Set<string>();
    const nested = new Map<string, Set<string>>();
    for (const path of Object.values(fields)) {
      if (path.length === 1) flat.add(path[0]);
      else {
        const inner = nested.get(path[0]) ?? new Set<string>();
        inner.add(path[1]);
        nested.set(path[0], inner);
      }
    }
    known = { flat, nested };
    KNOWN_NAMES.set(fields, known);
  }
  return known;
}

/**
 * Every other count in a `usage` object, by the API's own names (nested ones as
 * `outer.inner`, e.g. `server_tool_use.web_search_requests`,
 * `completion_tokens_details.audio_tokens`): what `fields` does not already record, so
 * that usage types the gateway has no column for are kept rather than lost. Folded into
 * `into` (a later figure replaces an earlier one, as streams report them cumulatively).
 * Runs for every answer: for-in loops and no name built for a count already recorded.
 */
export function applyOtherUsage(
  into: Record<string, number>,
  record: JsonRecord | undefined,
  fields: UsageFields,
): void {
  if (record === undefined) return;
  const known = knownNames(fields);
  for (const key in record) {
    const value = record[key];
    if (isCount(value)) {
      if (!known.flat.has(key) && !DERIVED.has(key)) into[key] = value;
      continue;
    }
    const nested = asRecord(value);
    if (nested === undefined) continue;
    const knownInner = known.nested.get(key);
    for (const inner in nested) {
      const count = nested[inner];
      if (isCount(count) && knownInner?.has(inner) !== true) into[`${key}.${inner}`] = count;
    }
  }
}

/** The other counts of a complete response's `usage` object; undefined when there are none. */
export function otherUsageReader(
  fields: UsageFields,
): (usage: unknown) => Record<string, number> | undefined {
  return (record) => {
    const other: Record<string, number> = {};
    applyOtherUsage(other, asRecord(record), fields);
    return Object.keys(other).length === 0 ? undefined : other;
  };
}
