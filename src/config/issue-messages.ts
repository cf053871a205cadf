import type { z } from 'zod';

type RawIssue = z.core.$ZodRawIssue;
type Issue<Code extends RawIssue['code']> = Extract<RawIssue, { code: Code }>;

const NOUNS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping of fields (name: value)',
  null: 'nothing',
};

function noun(expected: string): string {
  return NOUNS[expected] ?? expected;
}

/** What kind of value was found, never the value itself: it may be a secret. */
function kindOf(input: unknown): string {
  if (input === null) return 'nothing';
  if (Array.isArray(input)) return 'a list';
  switch (typeof input) {
    case 'string':
      return input === '' ? 'empty text' : 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return input ? 'true' : 'false';
    case 'object':
      return 'a mapping of fields';
    default:
      return typeof input;
  }
}

/** The values a field accepts, as written in YAML; these come from the schema, not the input. */
function listValues(values: readonly unknown[]): string {
  return values.map((value) => String(value)).join(', ');
}

function tooSmall(issue: Issue<'too_small'>): string {
  const minimum = Number(issue.minimum);
  switch (issue.origin) {
    case 'string':
      return minimum <= 1 ? 'is empty' : `must be at least ${minimum} characters long`;
    case 'array':
    case 'set':
      return minimum <= 1
        ? 'is an empty list: give at least one entry'
        : `needs at least ${minimum} entries`;
    default:
      return issue.inclusive === false
        ? `must be more than ${minimum}`
        : `must be at least ${minimum}`;
  }
}

function tooBig(issue: Issue<'too_big'>): string {
  const maximum = Number(issue.maximum);
  switch (issue.origin) {
    case 'string':
      return `must be at most ${maximum} characters long`;
    case 'array':
    case 'set':
      return `has too many entries (at most ${maximum})`;
    default:
      return issue.inclusive === false
        ? `must be less than ${maximum}`
        : `must be at most ${maximum}`;
  }
}

function invalidFormat(issue: Issue<'invalid_format'>): string {
  switch (issue.format) {
    case 'url':
      return 'expected a URL such as https://api.example.com/';
    case 'regex':
      return 'does not have the expected form';
    default:
      return `expected ${issue.format.replaceAll('_', ' ')}`;
  }
}

function unknownFields(issue: Issue<'unrecognized_keys'>): string {
  const names = issue.keys.map((key) => `"${key}"`).join(', ');
  const label = issue.keys.length === 1 ? 'unknown field' : 'unknown fields';
  const known = knownFields(issue.inst);
  return known === undefined
    ? `${label} ${names}`
    : `${label} ${names} (known: ${known.join(', ')})`;
}

/** The fields an object schema declares, to list beside a misspelt one. */
function knownFields(schema: unknown): string[] | undefined {
  const shape = (schema as { shape?: unknown } | undefined)?.shape;
  return typeof shape === 'object' && shape !== null ? Object.keys(shape) : undefined;
}

/** "expected a number or text", from the branches of a union that all refused the value. */
function invalidUnion(issue: Issue<'invalid_union'>): string {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.code === 'invalid_type') expected.add(noun(inner.expected));
      else if (inner.code === 'invalid_value') expected.add(`one of ${listValues(inner.values)}`);
    }
  }
  const list = [...expected];
  if (list.length === 0) return 'is not one of the accepted forms';
  const last = list.pop() ?? '';
  const wanted = list.length === 0 ? last : `${list.join(', ')} or ${last}`;
  return `expected ${wanted}, got ${kindOf(issue.input)}`;
}

/**
 * Words every issue zod can raise for a person editing a YAML file, in place of zod's own
 * messages ("Invalid input", "Too small: expected string to have >=1 characters"). Passed
 * to `safeParse` as its error map, so a message written on a schema still wins. Never
 * quotes the value: it may be a key or a token.
 */
export function plainIssueMessage(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined
        ? `missing (expected ${noun(issue.expected)})`
        : `expected ${noun(issue.expected)}, got ${kindOf(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${String(issue.values[0])}`
        : `expected one of ${listValues(issue.values)}`;
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return unknownFields(issue);
    case 'invalid_union':
      return invalidUnion(issue);
    case 'invalid_key':
      return 'has a field name that is not accepted here';
    case 'invalid_element':
      return 'has an entry that is not accepted here';
    case 'custom':
      return 'is not accepted here';
  }
}
