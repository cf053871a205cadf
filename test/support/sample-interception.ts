import { randomUUID } from 'node:crypto';
import type { Interception } from '../../src/recorder/interception.js';

/**
 * A full interception as the flow will record it: a failover on the first call, an agentic
 * continuation, an injected and a client tool call, usage beyond the five named counts,
 * prompt and thoughts. `overrides` replace any field.
 */
export function sampleInterception(overrides: Partial<Interception> = {}): Interception {
  const startedAt = overrides.startedAt ?? Date.UTC(2026, 0, 1, 12, 0, 0);
  const endedAt = overrides.endedAt ?? startedAt + 1234;
  return {
    id: randomUUID(),
    startedAt,
    endedAt,
    durationMs: endedAt - startedAt,
    provider: 'anthropic',
    dialect: 'anthropic-messages',
    model: 'claude-sonnet-4-5',
    streaming: true,
    user: 'alice',
    credentialKind: 'centralized',
    keyHint: 'sk-…b2c3',
    attempts: 3,
    status: 200,
    outcome: 'completed',
    error: undefined,
    usage: { input: 1500, output: 420, cacheRead: 1000, cacheCreation: 200, reasoning: 64 },
    otherUsage: { web_search_requests: 2 },
    upstreamCalls: [
      {
        iteration: 0,
        attempts: [
          {
            keyHint: 'sk-…a1b2',
            keyIndex: 0,
            status: 429,
            latencyMs: 35,
            failedOver: true,
            upstreamRequestId: 'req_011',
            error: 'rate limited',
          },
          {
            keyHint: 'sk-…b2c3',
            keyIndex: 1,
            status: 200,
            latencyMs: 812,
            failedOver: false,
            upstreamRequestId: 'req_012',
            error: undefined,
          },
        ],
        usage: { input: 1000, output: 300, cacheRead: 1000, cacheCreation: 200, reasoning: 64 },
        otherUsage: { web_search_requests: 2 },
      },
      {
        iteration: 1,
        attempts: [
          {
            keyHint: 'sk-…b2c3',
            keyIndex: 1,
            status: undefined,
            latencyMs: 3,
            failedOver: false,
            upstreamRequestId: undefined,
            error: 'connection reset',
          },
        ],
        usage: { input: 500, output: 120, cacheRead: 0, cacheCreation: 0, reasoning: 0 },
      },
    ],
    toolCalls: [
      {
        iteration: 0,
        server: 'tickets',
        tool: 'search_tickets',
        injected: true,
        arguments: '{"query":"failover","limit":5}',
        durationMs: 57,
        error: undefined,
      },
      {
        iteration: 1,
        server: undefined,
        tool: 'Bash',
        injected: false,
        arguments: '{"command":"ls"}',
        durationMs: undefined,
        error: undefined,
      },
    ],
    client: {
      name: 'claude-code',
      version: '2.1.3',
      language: 'js',
      sessionId: 'session-7f3a',
      userAgent: 'claude-cli/2.1.3 (external, cli)',
    },
    prompt: 'Why did the key fail over?',
    thoughts: 'The first key answered 429, so…',
    costUsd: 0.01234,
    ...overrides,
  };
}

/** As little as an interception can hold: refused before any upstream call. */
export function bareInterception(overrides: Partial<Interception> = {}): Interception {
  const startedAt = overrides.startedAt ?? Date.UTC(2026, 0, 1, 12, 0, 0);
  return {
    id: randomUUID(),
    startedAt,
    endedAt: startedAt + 2,
    durationMs: 2,
    provider: 'openai',
    dialect: 'openai-chat',
    model: 'gpt-5',
    streaming: false,
    user: 'bob',
    credentialKind: 'byok',
    keyHint: undefined,
    attempts: 0,
    status: 502,
    outcome: 'failed',
    error: 'upstream unreachable',
    usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0, reasoning: 0 },
    upstreamCalls: [],
    toolCalls: [],
    client: { name: 'other' },
    ...overrides,
  };
}

/**
 * The usual interception: one upstream call, one attempt that served it, no tool calls and no
 * thoughts (the agentic sample above is the heavy shape).
 */
export function typicalInterception(overrides: Partial<Interception> = {}): Interception {
  return sampleInterception({
    attempts: 1,
    upstreamCalls: [
      {
        iteration: 0,
        attempts: [
          {
            keyHint: 'sk-…b2c3',
            keyIndex: 0,
            status: 200,
            latencyMs: 640,
            failedOver: false,
            upstreamRequestId: 'req_01',
            error: undefined,
          },
        ],
        usage: { input: 1500, output: 420, cacheRead: 1000, cacheCreation: 200, reasoning: 0 },
      },
    ],
    toolCalls: [],
    thoughts: undefined,
    ...overrides,
  });
}
