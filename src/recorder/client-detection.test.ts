import { describe, expect, it } from 'vitest';
import { detectClient } from './client-detection.js';

/*
 * Header sets as the clients of CLIENTS.md send them (versions observed there, and in the
 * e2e runs: claude-cli 2.1.197, codex 0.169.0, @anthropic-ai/sdk 1.12.0 and 0.137.0,
 * openai 6.49.0). Credentials are part of the sets so that a test would see them leak.
 */

const claudeCode = {
  'accept-encoding': 'gzip, deflate, br, zstd',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
  'anthropic-version': '2023-06-01',
  'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
  'x-app': 'cli',
  'x-api-key': 'sk-ant-secret-claude-code',
  'x-claude-code-session-id': '5b0c6a3e-1d2f-4c8e-9a7b-0e1f2a3b4c5d',
  'x-stainless-lang': 'js',
  'x-stainless-package-version': '0.70.0',
  'x-stainless-timeout': '600',
};

const codexExec = {
  authorization: 'Bearer sy-gateway-token-secret',
  originator: 'codex_exec',
  'session-id': '0199a0b1-7c2d-7e3f-8a9b-0c1d2e3f4a5b',
  'thread-id': '0199a0b1-7c2d-7e3f-8a9b-0c1d2e3f4a5b',
  'user-agent': 'codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm-256color (codex_exec; 0.169.0)',
  'x-client-request-id': '0199a0b1-0000-7000-8000-000000000001',
  'x-codex-turn-metadata': '{}',
};

const codexInteractive = {
  authorization: 'Bearer sy-gateway-token-secret',
  originator: 'codex_cli_rs',
  session_id: 'c0ffee00-1111-2222-3333-444455556666',
  'user-agent': 'codex_cli_rs/0.169.0 (Mac OS 15.5.0; arm64) iTerm.app/3.5.14',
};

const anthropicSdk1 = {
  authorization: 'Bearer sk-ant-secret-sdk',
  'anthropic-version': '2023-06-01',
  'user-agent': 'Anthropic/JS 1.12.0',
  'x-stainless-arch': 'x64',
  'x-stainless-lang': 'js',
  'x-stainless-os': 'Linux',
  'x-stainless-package-version': '1.12.0',
  'x-stainless-retry-count': '0',
  'x-stainless-runtime': 'node',
  'x-stainless-runtime-version': 'v20.19.5',
};

const anthropicSdkPython = {
  'x-api-key': 'sk-ant-secret-python',
  'user-agent': 'Anthropic/Python 0.69.0',
  'x-stainless-lang': 'python',
  'x-stainless-package-version': '0.69.0',
  'x-stainless-runtime': 'CPython',
};

const openaiSdk = {
  authorization: 'Bearer sk-proj-secret',
  'user-agent': 'OpenAI/JS 6.49.0',
  'x-stainless-arch': 'x64',
  'x-stainless-lang': 'js',
  'x-stainless-os': 'Linux',
  'x-stainless-package-version': '6.49.0',
  'x-stainless-runtime': 'node',
};

describe('detectClient', () => {
  it('knows Claude Code by its user agent, with its session id', () => {
    expect(detectClient(claudeCode, 'anthropic')).toEqual({
      name: 'claude-code',
      version: '2.1.197',
      language: 'js',
      sessionId: '5b0c6a3e-1d2f-4c8e-9a7b-0e1f2a3b4c5d',
      userAgent: 'claude-cli/2.1.197 (external, sdk-cli)',
    });
  });

  it('knows codex exec and the interactive codex, with their session ids', () => {
    expect(detectClient(codexExec, 'openai')).toEqual({
      name: 'codex',
      version: '0.169.0',
      sessionId: '0199a0b1-7c2d-7e3f-8a9b-0c1d2e3f4a5b',
      userAgent: codexExec['user-agent'],
    });
    expect(detectClient(codexInteractive, 'openai')).toMatchObject({
      name: 'codex',
      version: '0.169.0',
      sessionId: 'c0ffee00-1111-2222-3333-444455556666',
    });
    // The originator alone is enough when a proxy rewrote the user agent.
    expect(detectClient({ originator: 'codex_exec', 'session-id': 's1' }, 'openai')).toEqual({
      name: 'codex',
      sessionId: 's1',
    });
  });

  it('knows the official SDKs with their language and version', () => {
    expect(detectClient(anthropicSdk1, 'anthropic')).toEqual({
      name: 'anthropic-sdk',
      version: '1.12.0',
      language: 'js',
      userAgent: 'Anthropic/JS 1.12.0',
    });
    expect(detectClient(anthropicSdkPython, 'anthropic')).toMatchObject({
      name: 'anthropic-sdk',
      version: '0.69.0',
      language: 'python',
    });
    expect(detectClient(openaiSdk, 'openai')).toEqual({
      name: 'openai-sdk',
      version: '6.49.0',
      language: 'js',
      userAgent: 'OpenAI/JS 6.49.0',
    });
    // The OpenAI SDK pointed at an OpenAI-compatible route of another vendor is still itself.
    expect(detectClient(openaiSdk, 'anthropic').name).toBe('openai-sdk');
  });

  it("takes Stainless headers without a telling user agent for the route's own SDK", () => {
    const browser = { 'x-stainless-lang': 'js', 'x-stainless-package-version': '6.1.0' };
    expect(detectClient(browser, 'openai')).toEqual({
      name: 'openai-sdk',
      version: '6.1.0',
      language: 'js',
    });
    expect(detectClient(browser, 'anthropic').name).toBe('anthropic-sdk');
  });

  it('calls anything else other, keeping its user agent', () => {
    expect(detectClient({ 'user-agent': 'curl/8.5.0' }, 'openai')).toEqual({
      name: 'other',
      userAgent: 'curl/8.5.0',
    });
    expect(detectClient({}, 'anthropic')).toEqual({ name: 'other' });
  });

  it('caps lengths and strips control characters', () => {
    const long = detectClient(
      {
        'user-agent': `claude-cli/${'9'.repeat(500)}`,
        'x-claude-code-session-id': `a\u0000b\nc${'x'.repeat(500)}`,
      },
      'anthropic',
    );
    expect(long.userAgent?.length).toBe(200);
    expect(long.version?.length).toBe(64);
    expect(long.sessionId?.startsWith('abc')).toBe(true);
    expect(long.sessionId?.length).toBe(128);
    expect(detectClient({ 'user-agent': ' \u0007 ' }, 'openai')).toEqual({ name: 'other' });
  });

  it('never keeps a credential', () => {
    for (const headers of [
      claudeCode,
      codexExec,
      codexInteractive,
      anthropicSdk1,
      anthropicSdkPython,
      openaiSdk,
    ]) {
      const kept = JSON.stringify(detectClient(headers, 'anthropic'));
      expect(kept).not.toMatch(/secret/);
    }
  });
});
