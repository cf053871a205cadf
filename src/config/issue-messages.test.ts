import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { plainIssueMessage } from './issue-messages.js';
import { parseConfig } from './load.js';

function message(schema: z.ZodType, value: unknown): string {
  const result = schema.safeParse(value, { error: plainIssueMessage });
  if (result.success) throw new Error('expected the value to be refused');
  return result.error.issues[0]?.message ?? '';
}

/** Words zod uses in its own messages, which a person editing YAML should never see. */
const ZOD_JARGON = /Invalid input|Invalid option|Too small|Too big|Unrecognized key|received|>=|<=/;

describe('every zod issue code is worded for a person', () => {
  it.each([
    [
      'invalid_type, missing',
      z.strictObject({ keys: z.array(z.string()) }),
      {},
      'missing (expected a list)',
    ],
    ['invalid_type, wrong kind', z.array(z.string()), 'sk-a', 'expected a list, got text'],
    ['invalid_type, null', z.string(), null, 'expected text, got nothing'],
    [
      'invalid_type, object',
      z.strictObject({}),
      [1],
      'expected a mapping of fields (name: value), got a list',
    ],
    [
      'invalid_value',
      z.enum(['anthropic', 'openai']),
      'google',
      'expected one of anthropic, openai',
    ],
    ['invalid_value, literal', z.literal('v1'), 'v2', 'expected v1'],
    ['too_small, string', z.string().min(1), '', 'is empty'],
    ['too_small, longer string', z.string().min(8), 'abc', 'must be at least 8 characters long'],
    [
      'too_small, list',
      z.array(z.string()).min(1),
      [],
      'is an empty list: give at least one entry',
    ],
    ['too_small, number', z.number().min(1), 0, 'must be at least 1'],
    ['too_small, exclusive', z.number().positive(), 0, 'must be more than 0'],
    ['too_big, string', z.string().max(3), 'abcd', 'must be at most 3 characters long'],
    ['too_big, list', z.array(z.number()).max(1), [1, 2], 'has too many entries (at most 1)'],
    ['too_big, number', z.number().max(10), 11, 'must be at most 10'],
    [
      'invalid_format, url',
      z.url(),
      'not a url',
      'expected a URL such as https://api.example.com/',
    ],
    ['invalid_format, regex', z.string().regex(/^a+$/), 'b', 'does not have the expected form'],
    ['invalid_format, email', z.email(), 'x', 'expected email'],
    ['not_multiple_of', z.number().multipleOf(5), 7, 'must be a multiple of 5'],
    [
      'unrecognized_keys',
      z.strictObject({ name: z.string(), type: z.string() }),
      { name: 'a', type: 'b', weight: 1 },
      'unknown field "weight" (known: name, type)',
    ],
    [
      'unrecognized_keys, several',
      z.strictObject({ name: z.string() }),
      { name: 'a', x: 1, y: 2 },
      'unknown fields "x", "y" (known: name)',
    ],
    [
      'invalid_union',
      z.union([z.number(), z.string()]),
      [1],
      'expected a number or text, got a list',
    ],
    [
      'invalid_union with values',
      z.union([z.boolean(), z.enum(['on', 'off'])]),
      'maybe',
      'expected true or false or one of on, off, got text',
    ],
    [
      'invalid_key',
      z.record(z.string().regex(/^[a-z]+$/), z.number()),
      { A1: 1 },
      'has a field name that is not accepted here',
    ],
    [
      'invalid_element',
      z.map(z.object({}), z.number()),
      new Map([[{}, 'x']]),
      'has an entry that is not accepted here',
    ],
    [
      'custom without a message',
      z.string().refine((s) => s === 'ok'),
      'no',
      'is not accepted here',
    ],
  ])('%s', (_code, schema, value, expected) => {
    const text = message(schema, value);
    expect(text).toBe(expected);
    expect(text).not.toMatch(ZOD_JARGON);
  });

  it('keeps a message written on the schema', () => {
    expect(message(z.string().min(1, 'a key is empty'), '')).toBe('a key is empty');
  });

  it('never quotes the refused value', () => {
    const secret = 'sk-ant-quoted-secret-0001';
    const schemas: [z.ZodType, unknown][] = [
      [z.enum(['a', 'b']), secret],
      [z.number(), secret],
      [z.url(), secret],
      [z.string().regex(/^x$/), secret],
      [z.union([z.number(), z.boolean()]), secret],
    ];
    for (const [schema, value] of schemas) expect(message(schema, value)).not.toContain(secret);
  });
});

describe('configuration messages', () => {
  // Any document at all: whatever is wrong with it, the message names a place and is plain.
  const document = fc.dictionary(
    fc.constantFrom(
      'listen',
      'providers',
      'auth',
      'admin',
      'timeouts',
      'limits',
      'log_level',
      'log_format',
      'shutdown_grace',
      'shutdown_delay',
      'forward_client_ip',
      'database',
      'extra',
    ),
    fc.oneof(
      fc.jsonValue(),
      fc.array(
        fc.record(
          {
            name: fc.oneof(fc.constantFrom('anthropic', 'openai', 'Bad_Name', ''), fc.jsonValue()),
            type: fc.oneof(fc.constantFrom('anthropic', 'openai', 'google'), fc.jsonValue()),
            keys: fc.oneof(fc.array(fc.string()), fc.jsonValue()),
            base_url: fc.oneof(fc.webUrl(), fc.string(), fc.jsonValue()),
            timeouts: fc.jsonValue(),
            on_forbidden: fc.jsonValue(),
            recheck_disabled_keys: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
  );

  it('are never zod jargon and always say where', () => {
    fc.assert(
      fc.property(document, (raw) => {
        try {
          parseConfig(raw, {}, 'test');
        } catch (error) {
          if (!(error instanceof ConfigError)) throw error;
          expect(error.message).not.toMatch(ZOD_JARGON);
          expect(error.message).toMatch(/^\S.*: \S/);
        }
      }),
      { numRuns: 200 },
    );
  });
});
