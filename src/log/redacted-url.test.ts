import { describe, expect, it } from 'vitest';
import { redactedUrl } from './redacted-url.js';

describe('redactedUrl', () => {
  it.each([
    ['https://api.anthropic.com/', 'https://api.anthropic.com/'],
    ['sqlite:./switchyard.db', 'sqlite:./switchyard.db'],
    ['./switchyard.db', './switchyard.db'],
    ['postgres://app:s3cret-pw@db:5432/sy', 'postgres://app:***@db:5432/sy'],
    [
      'postgres://app@db/sy?password=s3cret-pw&sslmode=require',
      'postgres://app@db/sy?password=***&sslmode=***',
    ],
    ['app:s3cret-pw@db/sy', '(not shown: unreadable URL)'],
    ['not a url but @s3cret-pw', '(not shown: unreadable URL)'],
  ])('%s → %s', (text, shown) => {
    expect(redactedUrl(text)).toBe(shown);
    expect(redactedUrl(text)).not.toContain('s3cret-pw');
  });
});
