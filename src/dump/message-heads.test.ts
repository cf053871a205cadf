import { describe, expect, it } from 'vitest';
import { maskedHint } from '../log/masked-hint.js';
import { requestHead, responseHead } from './message-heads.js';

const KEY = 'sk-ant-heads-secret-key-444555666';

describe('message heads', () => {
  it('writes a request head with credentials as masked hints', () => {
    const head = requestHead(
      'switchyard bridged interception 1',
      'POST',
      'https://api.anthropic.com/v1/messages',
      {
        'x-api-key': KEY,
        authorization: `Bearer ${KEY}`,
        'anthropic-version': '2023-06-01',
      },
    );
    expect(head).toBe(
      [
        '# switchyard bridged interception 1',
        'POST https://api.anthropic.com/v1/messages HTTP/1.1',
        `x-api-key: [redacted ${maskedHint(KEY)}]`,
        `authorization: Bearer [redacted ${maskedHint(KEY)}]`,
        'anthropic-version: 2023-06-01',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('writes a response head, each value of a repeated header on its own line, cookies hidden', () => {
    expect(
      responseHead(429, {
        'retry-after': '30',
        'set-cookie': ['a=1', 'b=2'],
        'x-missing': undefined,
      }),
    ).toBe(
      [
        'HTTP/1.1 429',
        'retry-after: 30',
        'set-cookie: [redacted]',
        'set-cookie: [redacted]',
        '',
        '',
      ].join('\r\n'),
    );
  });

  it('cannot be made to forge lines', () => {
    expect(responseHead(200, { 'x-evil': 'a\r\nx-api-key: forged' })).toBe(
      'HTTP/1.1 200\r\nx-evil: a  x-api-key: forged\r\n\r\n',
    );
  });
});
