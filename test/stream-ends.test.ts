import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { request } from 'undici';
import type { TokenUsage } from '../src/dialects/token-usage.js';
import type { Interception } from '../src/recorder/interception.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { sseEventsOf } from './support/fault-replies.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import type { SeenRequest } from './support/mock-upstream.js';
import { chatProfile, responsesProfile } from './support/openai-profiles.js';
import { streamWithSdk } from './support/profile.js';
import { parseSseText, type ParsedEvent } from './support/sse-text.js';

const NO_USAGE: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0, reasoning: 0 };

/** The fixtures' usage, in the gateway's names (anthropic-fixtures.ts, openai-fixtures.ts). */
const FULL_USAGE: Record<string, TokenUsage> = {
  messages: { input: 25, output: 12, cacheRead: 7, cacheCreation: 3, reasoning: 0 },
  chat: { input: 31, output: 9, cacheRead: 8, cacheCreation: 0, reasoning: 2 },
  responses: { input: 41, output: 17, cacheRead: 16, cacheCreation: 0, reasoning: 5 },
};

/** Each API's terminal event, as named in the stream's text. */
const TERMINAL: Record<string, string> = {
  messages: 'message_stop',
  chat: '[DONE]',
  responses: 'response.completed',
};

interface Cut {
  readonly profile: DialectProfile;
  readonly name: string;
  /** The events the upstream sends before its stream ends or drops. */
  readonly events: (all: readonly string[]) => string[];
  /** Usage recorded from what arrived. */
  readonly usage: TokenUsage;
}

const cuts: readonly Cut[] = [
  {
    profile: messagesProfile,
    name: 'before message_stop',
    events: (all) => all.slice(0, -1),
    usage: FULL_USAGE['messages'] ?? NO_USAGE,
  },
  {
    profile: chatProfile,
    name: 'after the usage chunk, before [DONE]',
    events: (all) => {
      // The gateway always asks the upstream for usage: the chunk before [DONE] carries it.
      expect(all.at(-2)).toContain('"usage":{');
      return all.slice(0, -1);
    },
    usage: FULL_USAGE['chat'] ?? NO_USAGE,
  },
  {
    profile: chatProfile,
    name: 'right after finish_reason',
    events: (all) => {
      const finish = all.findIndex((e) => e.includes('"finish_reason":"stop"'));
      expect(finish).toBeGreaterThan(0);
      return all.slice(0, finish + 1);
    },
    usage: NO_USAGE,
  },
  {
    profile: responsesProfile,
    name: 'before response.completed',
    events: (all) => all.slice(0, -1),
    // Responses reports usage only in its terminal event: none has been seen.
    usage: NO_USAGE,
  },
];

const keys = [`sk-test-stream-ends-${randomBytes(10).toString('hex')}`];
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({
    providers: [
      { name: 'anthropic', type: 'anthropic', keys },
      { name: 'openai', type: 'openai', keys },
    ],
  });
});
afterAll(async () => {
  await harness.close();
});
beforeEach(() => {
  harness.upstream.reset();
  harness.interceptions.length = 0;
});

async function rawStream(
  profile: DialectProfile,
): Promise<{ status: number; events: ParsedEvent[] }> {
  const response = await request(`${harness.url}${profile.route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming: true }),
    },
    body: JSON.stringify(profile.requestBody(true)),
  });
  return { status: response.statusCode, events: parseSseText(await response.body.text()) };
}

async function recorded(): Promise<Interception> {
  await vi.waitFor(() => {
    expect(harness.interceptions).toHaveLength(1);
  });
  return harness.interceptions[0] as Interception;
}

function textOf(profile: DialectProfile, events: readonly ParsedEvent[]): string {
  return events
    .filter((e) => e.data.startsWith('{'))
    .map((e) => profile.textOfEvent(JSON.parse(e.data)) ?? '')
    .join('');
}

describe.each(cuts)('a $profile.name stream cut $name', (cut) => {
  const { profile } = cut;
  const script =
    (then: 'end' | 'drop') =>
    (seen: SeenRequest): { sse: string[]; then: 'end' | 'drop' } => ({
      sse: cut.events(sseEventsOf(profile, seen)),
      then,
    });

  it.each(['end', 'drop'] as const)(
    'then %s: the client gets the error event, the record says failed, usage is kept',
    async (then) => {
      harness.upstream.script = script(then);
      const { status, events } = await rawStream(profile);
      expect(status).toBe(200);
      expect(profile.isStreamError(events.at(-1))).toBe(true);
      expect(events.filter((e) => profile.isStreamError(e))).toHaveLength(1);
      // Everything the upstream did send got through before the error.
      expect(textOf(profile, events)).toBe(SUCCESS_TEXT);
      const text = events.map((e) => `${e.event ?? ''} ${e.data}`).join('\n');
      expect(text).not.toContain(TERMINAL[profile.name]);

      const record = await recorded();
      expect(record.outcome).toBe('failed');
      expect(record.status).toBe(200);
      expect(record.usage).toEqual(cut.usage);
      expect(record.upstreamCalls[0]?.usage).toEqual(cut.usage);
      if (then === 'end')
        expect(record.error).toBe('the upstream stream ended before it was complete');
      else expect(record.error).toBeDefined();
    },
  );

  it('the official SDK throws instead of returning a truncated answer', async () => {
    harness.upstream.script = script('end');
    const outcome = await streamWithSdk(profile, {
      gatewayUrl: harness.url,
      token: TOKEN,
      streaming: true,
    });
    // Whatever the SDK throws (the Responses helper throws the error event itself), it says why.
    expect(String((outcome.error as { message?: unknown } | undefined)?.message)).toContain(
      'the upstream stream ended before it was complete',
    );
    expect(outcome.textBeforeError).toBe(SUCCESS_TEXT);
    expect((await recorded()).outcome).toBe('failed');
  });
});

describe.each([messagesProfile, chatProfile, responsesProfile])(
  'a complete $name stream',
  (profile) => {
    it('that then saw the client close is recorded completed, with all its usage', async () => {
      let upstreamClosed = false;
      harness.upstream.script = (seen) => (_seen, res) => {
        res.on('close', () => (upstreamClosed = true));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // Every event, the terminal one included, and then the connection stays open.
        res.write(sseEventsOf(profile, seen).join(''));
      };
      const response = await request(`${harness.url}${profile.route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming: true }),
        },
        body: JSON.stringify(profile.requestBody(true)),
      });
      let text = '';
      for await (const chunk of response.body) {
        text += String(chunk);
        // The client has its whole answer and goes.
        if (text.endsWith('\n\n') && text.includes(TERMINAL[profile.name] ?? '?')) break;
      }
      expect(textOf(profile, parseSseText(text))).toBe(SUCCESS_TEXT);

      const record = await recorded();
      expect(record.outcome).toBe('completed');
      expect(record.error).toBeUndefined();
      expect(record.usage).toEqual(FULL_USAGE[profile.name]);
      // The upstream connection the client no longer needs is closed.
      await vi.waitFor(() => {
        expect(upstreamClosed).toBe(true);
      });
    });
  },
);

describe('the other ends of a Responses stream', () => {
  const responseEvent = (type: string, status: string, extra: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({
      type,
      response: { id: 'resp_abc123', object: 'response', status, output: [], ...extra },
      sequence_number: 9,
    })}\n\n`;

  it('response.incomplete is a complete stream, with its usage', async () => {
    harness.upstream.script = (seen) => ({
      sse: [
        ...sseEventsOf(responsesProfile, seen).slice(0, -1),
        responseEvent('response.incomplete', 'incomplete', {
          incomplete_details: { reason: 'max_output_tokens' },
          usage: { input_tokens: 41, output_tokens: 64, total_tokens: 105 },
        }),
      ],
    });
    const { events } = await rawStream(responsesProfile);
    expect(events.at(-1)?.event).toBe('response.incomplete');
    const record = await recorded();
    expect(record.outcome).toBe('completed');
    expect(record.usage).toEqual({ ...NO_USAGE, input: 41, output: 64 });
  });

  it('response.failed ends the stream as an upstream error, with no event added', async () => {
    harness.upstream.script = (seen) => ({
      sse: [
        ...sseEventsOf(responsesProfile, seen).slice(0, 5),
        responseEvent('response.failed', 'failed', {
          error: { code: 'server_error', message: 'The model crashed.' },
          usage: null,
        }),
      ],
    });
    const { events } = await rawStream(responsesProfile);
    expect(events.at(-1)?.event).toBe('response.failed');
    expect(events.filter((e) => e.event === 'error')).toEqual([]);
    const record = await recorded();
    expect(record.outcome).toBe('upstream_error');
    expect(record.error).toBe('The model crashed.');
  });
});
