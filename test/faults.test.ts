import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { dialectProfiles, type DialectProfile } from './support/dialect-profiles.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply, SeenRequest } from './support/mock-upstream.js';
import { callRaw } from './support/profile.js';
import { parseSseText } from './support/sse-text.js';

const TIMEOUT_MS = 400;

/** What the client must get: a complete answer, or a well-formed error (status before the commit point, event after). */
type Expectation =
  | { readonly kind: 'complete'; readonly text?: (profile: DialectProfile) => string }
  | { readonly kind: 'error-status'; readonly status: number; readonly message: RegExp }
  | { readonly kind: 'error-event'; readonly message: RegExp };

interface Fault {
  readonly name: string;
  readonly modes: readonly ('blocking' | 'streaming')[];
  readonly reply: (profile: DialectProfile, streaming: boolean, seen: SeenRequest) => MockReply;
  readonly expect: (streaming: boolean) => Expectation;
}

function events(profile: DialectProfile, seen: SeenRequest): string[] {
  const reply = profile.success(true, seen);
  if (typeof reply === 'function' || !('sse' in reply)) throw new Error('expected an SSE fixture');
  return [...reply.sse];
}

function body(profile: DialectProfile): unknown {
  const reply = profile.success(false);
  if (typeof reply === 'function' || 'sse' in reply) throw new Error('expected a JSON fixture');
  return reply.body;
}

const BIG_TEXT = 'x'.repeat(12 * 1024 * 1024);

/** A fixture body with its assistant text replaced, whatever the API's shape. */
function withText(value: unknown, text: string): unknown {
  return JSON.parse(JSON.stringify(value).replace('Hello from upstream', text)) as unknown;
}

const faults: readonly Fault[] = [
  {
    name: 'resets the connection before headers',
    modes: ['blocking', 'streaming'],
    reply: () => (_seen, res) => {
      res.socket?.destroy();
    },
    expect: () => ({ kind: 'error-status', status: 502, message: /upstream connection failed/ }),
  },
  {
    name: 'resets the connection mid-body',
    modes: ['blocking', 'streaming'],
    reply: (profile, streaming, seen) =>
      streaming
        ? { sse: events(profile, seen).slice(0, 3), then: 'drop' }
        : (_seen, res) => {
            const text = JSON.stringify(body(profile));
            res.writeHead(200, {
              'content-type': 'application/json',
              'content-length': text.length,
            });
            res.write(text.slice(0, 20));
            setTimeout(() => res.socket?.destroy(), 20);
          },
    expect: (streaming) =>
      streaming
        ? { kind: 'error-event', message: /upstream connection failed/ }
        : { kind: 'error-status', status: 502, message: /upstream connection failed/ },
  },
  {
    name: 'stalls before the first byte',
    modes: ['blocking', 'streaming'],
    reply: () => () => new Promise<void>(() => undefined),
    expect: () => ({ kind: 'error-status', status: 504, message: /did not answer in time/ }),
  },
  {
    name: 'stalls mid-body',
    modes: ['blocking', 'streaming'],
    reply: (profile, streaming, seen) =>
      streaming
        ? { sse: events(profile, seen).slice(0, 3), then: 'stall' }
        : (_seen, res) => {
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': 5000 });
            res.write('{"id":');
          },
    expect: (streaming) =>
      streaming
        ? { kind: 'error-event', message: /stopped sending data/ }
        : { kind: 'error-status', status: 504, message: /stopped sending data/ },
  },
  {
    name: 'sends malformed SSE and ends without a terminal event',
    modes: ['streaming'],
    reply: (profile, _streaming, seen) => ({
      sse: [
        ...events(profile, seen).slice(0, 2),
        'data: {this is not json\n\n',
        'event: \u0000\u00ff weird\ndata: [1,2\n\n',
        ': a comment\n\n',
        'no-colon-field\n\n',
      ],
    }),
    expect: () => ({ kind: 'error-event', message: /ended before it was complete/ }),
  },
  {
    name: 'sends an event larger than the 16 MiB limit',
    modes: ['streaming'],
    reply: (profile, _streaming, seen) => ({
      sse: [...events(profile, seen).slice(0, 2), `data: ${'y'.repeat(17 * 1024 * 1024)}`],
    }),
    expect: () => ({ kind: 'error-event', message: /exceeded/ }),
  },
  {
    name: 'sends gzip it was not asked for',
    modes: ['blocking', 'streaming'],
    reply: (profile, streaming, seen) => (_seen, res) => {
      res.writeHead(200, {
        'content-type': streaming ? 'text/event-stream' : 'application/json',
        'content-encoding': 'gzip',
      });
      if (!streaming) {
        res.end(gzipSync(JSON.stringify(body(profile))));
        return;
      }
      const gzip = createGzip();
      gzip.pipe(res);
      for (const event of events(profile, seen)) {
        gzip.write(event);
        gzip.flush();
      }
      gzip.end();
    },
    expect: () => ({ kind: 'complete' }),
  },
  {
    name: 'sends a very large body',
    modes: ['blocking', 'streaming'],
    reply: (profile, streaming, seen) =>
      streaming
        ? {
            sse: events(profile, seen).map((event) =>
              event.replace('Hello from', `${'z'.repeat(4 * 1024 * 1024)}Hello from`),
            ),
          }
        : { status: 200, body: withText(body(profile), BIG_TEXT) },
    expect: (streaming) => ({
      kind: 'complete',
      text: () => (streaming ? `${'z'.repeat(4 * 1024 * 1024)}Hello from upstream` : BIG_TEXT),
    }),
  },
];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

describe.each(dialectProfiles)('upstream faults: $name', (profile) => {
  let harness: Harness;
  let refused: Harness;
  const keys = [
    `sk-test-fault-${randomBytes(8).toString('hex')}`,
    `sk-test-fault-${randomBytes(8).toString('hex')}`,
  ];
  const timeouts = {
    timeouts: { connect: '1s', first_byte: `${TIMEOUT_MS}ms`, idle: `${TIMEOUT_MS}ms` },
  };

  beforeAll(async () => {
    harness = await startHarness({ providers: [{ ...profile.provider, keys }], extra: timeouts });
    const port = await closedPort();
    const base =
      profile.provider.type === 'openai'
        ? `http://127.0.0.1:${port}/v1/`
        : `http://127.0.0.1:${port}/`;
    refused = await startHarness({
      providers: [{ ...profile.provider, keys, baseUrl: base }],
      extra: timeouts,
    });
  });
  afterAll(async () => {
    await harness.close();
    await refused.close();
    const logs = harness.logs.join('\n') + refused.logs.join('\n');
    for (const secret of [...keys, TOKEN]) expect(logs).not.toContain(secret);
  });

  async function stillServes(): Promise<void> {
    harness.upstream.script = (seen) => profile.success(false, seen);
    const outcome = await callRaw(profile, {
      gatewayUrl: harness.url,
      token: TOKEN,
      streaming: false,
    });
    expect(outcome.status).toBe(200);
  }

  /** The API's usual request, raw, so that exact statuses and bytes can be checked. */
  function send(streaming: boolean, signal?: AbortSignal): ReturnType<typeof request> {
    return request(`${harness.url}${profile.route}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming }),
      },
      body: JSON.stringify(profile.requestBody(streaming)),
      signal,
    });
  }

  function expectNoFailover(target: Harness): void {
    expect(target.gateway.providers[0]?.pool.keys.map((k) => k.state())).toEqual([
      'valid',
      'valid',
    ]);
  }

  it.each([false, true])('refuses connections (streaming=%s) → 502', async (streaming) => {
    const outcome = await callRaw(profile, { gatewayUrl: refused.url, token: TOKEN, streaming });
    expect(outcome.status).toBe(502);
    expect(outcome.errorMessage).toMatch(/unreachable/);
    expectNoFailover(refused);
  });

  const cases = faults.flatMap((fault) =>
    fault.modes.map((mode) => ({
      fault,
      streaming: mode === 'streaming',
      label: `${fault.name} (${mode})`,
    })),
  );

  it.each(cases)('$label', async ({ fault, streaming }) => {
    harness.upstream.reset((seen) => fault.reply(profile, streaming, seen));
    const expectation = fault.expect(streaming);
    const response = await send(streaming);
    const text = await response.body.text();
    expect(harness.upstream.requests).toHaveLength(1);
    expectNoFailover(harness);

    if (expectation.kind === 'error-status') {
      expect(response.statusCode).toBe(expectation.status);
      const parsed = JSON.parse(text) as unknown;
      expect(profile.errorMessageOf(parsed)).toMatch(expectation.message);
    } else if (expectation.kind === 'error-event') {
      expect(response.statusCode).toBe(200);
      const last = parseSseText(text).at(-1);
      expect(profile.isStreamError(last)).toBe(true);
      expect(last?.data).toMatch(expectation.message);
    } else {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBeUndefined();
      const received = streaming
        ? parseSseText(text)
            .filter((event) => event.data.startsWith('{'))
            .map((event) => profile.textOfEvent(JSON.parse(event.data)) ?? '')
            .join('')
        : profile.textOfBody(JSON.parse(text));
      expect(received).toBe(expectation.text?.(profile) ?? 'Hello from upstream');
      expect(harness.interceptions.at(-1)?.outcome).toBe('completed');
    }
    await stillServes();
  });

  it.each([
    { encoding: 'zstd', streaming: false, message: /unsupported content-encoding: zstd/ },
    { encoding: 'zstd', streaming: true, message: /unsupported content-encoding: zstd/ },
    { encoding: 'gzip', streaming: false, message: /corrupt gzip body/ },
    { encoding: 'gzip', streaming: true, message: /corrupt gzip body/ },
  ])(
    'an undecodable $encoding body (streaming=$streaming) is an error and its upstream request is aborted',
    async ({ encoding, streaming, message }) => {
      let upstreamClosed = false;
      harness.upstream.reset(() => (_seen, res) => {
        res.writeHead(200, {
          'content-type': streaming ? 'text/event-stream' : 'application/json',
          'content-encoding': encoding,
        });
        // Not a gzip header, and then silence: only the gateway can end this.
        res.write(Buffer.from('this is not compressed data at all'));
        res.on('close', () => {
          upstreamClosed = true;
        });
      });
      const response = await send(streaming);
      const text = await response.body.text();
      // An unsupported encoding is refused before the commit point; a corrupt stream is
      // found only after it.
      if (streaming && encoding === 'gzip') {
        expect(response.statusCode).toBe(200);
        const last = parseSseText(text).at(-1);
        expect(profile.isStreamError(last)).toBe(true);
        expect(last?.data).toMatch(message);
      } else {
        expect(response.statusCode).toBe(502);
        expect(profile.errorMessageOf(JSON.parse(text) as unknown)).toMatch(message);
      }
      // Well before the 400 ms idle timeout would close it anyway.
      await expect.poll(() => upstreamClosed, { timeout: 150, interval: 5 }).toBe(true);
      expectNoFailover(harness);
      await stillServes();
    },
  );

  it('a client that hangs up mid-stream gets its upstream request aborted within a second', async () => {
    let aborted = 0;
    harness.upstream.reset(() => (seen, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(events(profile, seen)[0]);
      res.on('close', () => {
        aborted = Date.now();
      });
    });
    const before = harness.interceptions.length;
    const controller = new AbortController();
    const response = await send(true, controller.signal);
    expect(response.statusCode).toBe(200);
    const hungUp = Date.now();
    controller.abort();
    await expect.poll(() => aborted, { timeout: 1000, interval: 10 }).toBeGreaterThan(0);
    expect(aborted - hungUp).toBeLessThan(1000);
    await expect.poll(() => harness.interceptions.length).toBe(before + 1);
    expect(harness.interceptions.at(-1)?.outcome).toBe('cancelled');
    expect(harness.logs.some((line) => line.includes('"outcome":"cancelled"'))).toBe(true);
    await stillServes();
  });
});
