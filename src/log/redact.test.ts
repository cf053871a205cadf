import { describe, expect, it } from 'vitest';
import { maskedHint } from './masked-hint.js';
import { redactMessage } from './redact.js';

describe('redactMessage', () => {
  it('replaces a known secret with its hint', () => {
    const key = 'sk-ant-api03-abcdefghijklmnop0123456789';
    expect(redactMessage(`invalid x-api-key ${key}`, [key])).toBe(
      `invalid x-api-key ${maskedHint(key)}`,
    );
  });

  it.each([
    ['a partly masked key', 'Incorrect API key provided: sk-proj-********************abcd.'],
    ['a key by its prefix', 'key sk-live-0000000000000000 is revoked'],
    ['a long random token', 'token 9f2c4b1a7d3e8f6a0b5c2d9e1f4a7b3c rejected'],
  ])('hides %s', (_name, message) => {
    const redacted = redactMessage(message);
    expect(redacted).toContain('[redacted]');
    expect(redacted).not.toMatch(/\*{4}|0{16}|9f2c4b1a7d3e8f6a/);
  });

  it.each([
    'model claude-3-5-sonnet-20241022 is not available for this key',
    'You exceeded your current quota, please check your plan and billing details.',
    'organization-specific-rate-limits apply',
  ])('keeps ordinary words and model names: %s', (message) => {
    expect(redactMessage(message)).toBe(message);
  });

  it('bounds the length', () => {
    expect(redactMessage('x'.repeat(1000)).length).toBeLessThanOrEqual(301);
  });
});
