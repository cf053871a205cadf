import { describe, expect, it } from 'vitest';
import { errorText, safeUrl, secretsOf } from './error-text.js';

describe('errorText', () => {
  it('masks header values, URL credentials and child environment values', () => {
    const url = new URL('https://user:pa55word-xyz@mcp.example/mcp?key=query-secret-1');
    const secrets = secretsOf({
      kind: 'http',
      url,
      headers: { authorization: 'Bearer tok-abcdef123456' },
    });
    const text = errorText(
      new Error('denied tok-abcdef123456 for pa55word-xyz at ?key=query-secret-1'),
      secrets,
    );
    expect(text).not.toMatch(/abcdef|pa55word|query-secret/);
    expect(text).toBe('denied …56 for …yz at ?key=…-1');
    expect(safeUrl(url)).toBe('https://mcp.example/mcp');
    const env = secretsOf({
      kind: 'stdio',
      command: 'x',
      args: [],
      env: { TOKEN: 'env-secret-99' },
    });
    expect(errorText('failed with env-secret-99', env)).toBe('failed with …99');
  });

  it('says why fetch failed, on one bounded line', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' }),
    });
    expect(errorText(error, [])).toBe('fetch failed (ECONNREFUSED)');
    expect(errorText(new Error(`a\n${'x'.repeat(500)}`), []).length).toBe(300);
  });
});
