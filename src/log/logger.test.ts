import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function capture(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
  return { lines, logger };
}

describe('logger redaction', () => {
  const secret = 'sk-ant-api03-secret-value-0123456789';

  it.each([
    ['request headers', { headers: { authorization: `Bearer ${secret}` } }],
    ['an API key header', { headers: { 'x-api-key': secret } }],
    ['the gateway token header', { req: { headers: { 'x-switchyard-token': secret } } }],
    ['upstream headers', { upstream: { headers: { authorization: `Bearer ${secret}` } } }],
    ['a top-level token', { token: secret }],
    ['a key list', { keys: [secret] }],
    ['a credential', { credential: secret }],
  ])('censors %s', (_name, fields) => {
    const { lines, logger } = capture();
    logger.info(fields, 'line');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });

  it('keeps masked hints and ordinary fields', () => {
    const { lines, logger } = capture();
    logger.warn({ provider: 'anthropic', key: 'sk-ant-…6789', index: 1 }, 'key rate-limited');
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      provider: 'anthropic',
      key: 'sk-ant-…6789',
      index: 1,
    });
  });
});

describe('pretty format', () => {
  const secret = 'sk-ant-api03-secret-value-pretty-0123';

  function capturePretty(): { lines: string[]; logger: ReturnType<typeof createLogger> } {
    const lines: string[] = [];
    const logger = createLogger({
      format: 'pretty',
      destination: { write: (line: string) => void lines.push(line) },
    });
    return { lines, logger };
  }

  it('writes one readable line with an ISO 8601 time, level and message', () => {
    const { lines, logger } = capturePretty();
    logger.info({ provider: 'anthropic', keys_left: 2 }, 'key re-enabled');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] INFO: key re-enabled \{"provider":"anthropic","keys_left":2\}\n$/,
    );
  });

  it('keeps the redaction of the JSON format', () => {
    const { lines, logger } = capturePretty();
    logger.info({ headers: { 'x-api-key': secret }, token: secret, keys: [secret] }, 'line');
    expect(lines[0]).not.toContain(secret);
    expect(lines[0]).toContain('[redacted]');
  });
});
