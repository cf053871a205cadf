import { z } from 'zod';
import { parseDurationMs, parseSizeBytes } from './units.js';

/** Provider and MCP server names: lower-case letters and digits in dash-separated words. */
export const DASHED_WORDS = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** A number or a string with a unit, read by `parse` into milliseconds or bytes. */
function withUnit(parse: (value: string | number) => number | undefined, expected: string) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    const parsed = parse(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: `expected ${expected}` });
      return z.NEVER;
    }
    return parsed;
  });
}

export const duration = withUnit(parseDurationMs, 'a duration such as 500ms, 30s or 10m');
export const size = withUnit(parseSizeBytes, 'a size such as 32MiB or 1048576');

/**
 * `${VAR}` is substituted after YAML parsing, so an interpolated value is always a string:
 * `allow_byok: ${ALLOW_BYOK}` must accept "true" and "false".
 */
export const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false']).transform((value) => value === 'true'),
]);

/** A whole number, written as a number or (from `${VAR}`) as a string of digits. */
export const count = z.union([
  z.number(),
  z
    .string()
    .regex(/^\s*\d+\s*$/, 'expected a whole number')
    .transform(Number),
]);
