import { z } from 'zod';
import { parseDurationMs, parseSizeBytes } from './units.js';

/** Provider and MCP server names: lower-case letters and digits in dash-separated words. */
export const DASHED_WORDS = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A number or a string with a unit, read by `parse` into milliseconds or bytes. */
function withUnit(parse: (value: string | number) => number | undefined, expected: string) {
  return z
    .union([z.number(), z.string()], { error: `expected ${expected}` })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
        return z.NEVER;
      }
      return parsed;
    });
}

export const duration = withUnit(parseDurationMs, 'a duration such as 500ms, 30s or 10m');
export const longDuration = withUnit(
  parseDurationMs,
  'a duration such as 60d, 12h or 0 (keep forever)',
);
export const size = withUnit(parseSizeBytes, 'a size such as 32MiB or 1048576');

const TRUE_WORDS = new Set(['true', '1', 'yes']);
const FALSE_WORDS = new Set(['false', '0', 'no']);
export const FLAG_EXPECTED = 'expected true or false (also accepted: yes/no, 1/0)';

/** true/false/1/0/yes/no in any case; undefined for anything else. */
export function parseFlag(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value !== 0 && value !== 1 && typeof value !== 'string') return undefined;
  const word = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/**
 * `${VAR}` is substituted after YAML parsing, so an interpolated value is always a string:
 * `allow_byok: ${ALLOW_BYOK}` must accept "true", and the words shells and container
 * platforms use for booleans (1, yes).
 */
export const flag = z.unknown().transform((value, ctx) => {
  const parsed = parseFlag(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: FLAG_EXPECTED });
    return z.NEVER;
  }
  return parsed;
});

/** A whole number, written as a number or (from `${VAR}`) as a string of digits. */
export const count = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*\d+\s*$/, 'expected a whole number')
    .transform(Number),
]);
