import { z } from 'zod';
import type { BreakerSettings } from '../breaker/circuit-breaker.js';
import { count, duration } from './schema-values.js';

const EXPECTED =
  'expected a mapping such as { failures: 5, open_for: 30s, half_open_requests: 3 } (each field optional)';

const atLeastOne = count.pipe(
  z
    .number()
    .refine(Number.isInteger, 'expected a whole number')
    .refine((n) => n >= 1, 'must be at least 1'),
);

/** A provider's `circuit_breaker`; absent, the provider has none. */
export const circuitBreaker = z.strictObject(
  {
    failures: atLeastOne.default(5),
    open_for: duration
      .refine((ms) => ms > 0, 'must be longer than 0 (e.g. 30s): an open breaker must stay open')
      .default(30_000),
    half_open_requests: atLeastOne.default(3),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? EXPECTED : undefined) },
);

export function breakerSettingsOf(
  raw: z.output<typeof circuitBreaker> | undefined,
): BreakerSettings | undefined {
  return raw === undefined
    ? undefined
    : {
        failures: raw.failures,
        openForMs: raw.open_for,
        halfOpenRequests: raw.half_open_requests,
      };
}
