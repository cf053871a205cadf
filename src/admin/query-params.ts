import { GatewayError } from '../errors/gateway-error.js';
import { ISO_TIME_EXPECTED, parseIsoTime } from './iso-time.js';

export const badParameter = (name: string, problem: string): GatewayError =>
  new GatewayError(400, 'invalid_request', `query parameter ${name}: ${problem}`);

/**
 * A route's query string, read strictly: a parameter the route does not know, or one given
 * twice, is refused with 400 naming it, as is any value that does not parse. An empty value
 * counts as not given, so a form can send every filter it has.
 */
export class QueryParams {
  private readonly values = new Map<string, string>();

  constructor(search: string, allowed: readonly string[]) {
    const params = new URLSearchParams(search);
    for (const [name, value] of params) {
      if (!allowed.includes(name)) {
        const known =
          allowed.length === 0 ? 'this route takes none' : `known: ${allowed.join(', ')}`;
        throw badParameter(name.slice(0, 100), `unknown (${known})`);
      }
      if (this.values.has(name) || (value === '' && params.getAll(name).length > 1)) {
        throw badParameter(name, 'given more than once');
      }
      if (value !== '') this.values.set(name, value);
    }
  }

  text(name: string, maxLength = 500): string | undefined {
    const value = this.values.get(name);
    if (value !== undefined && value.length > maxLength) {
      throw badParameter(name, `longer than ${maxLength} characters`);
    }
    return value;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    const n = /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) {
      throw badParameter(name, `expected a whole number from ${min} to ${max}`);
    }
    return n;
  }

  time(name: string): number | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    const ms = parseIsoTime(value);
    if (ms === undefined) throw badParameter(name, ISO_TIME_EXPECTED);
    return ms;
  }

  oneOf<T extends string>(name: string, options: readonly T[]): T | undefined {
    const value = this.values.get(name);
    if (value === undefined) return undefined;
    const found = options.find((option) => option === value);
    if (found === undefined) throw badParameter(name, `expected one of ${options.join(', ')}`);
    return found;
  }

  /** `since` and `until`, with until after since. */
  timeRange(): { since?: number; until?: number } {
    const since = this.time('since');
    const until = this.time('until');
    if (since !== undefined && until !== undefined && until <= since) {
      throw badParameter('until', 'must be later than since');
    }
    return {
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
    };
  }
}
