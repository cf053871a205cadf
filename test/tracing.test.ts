import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { request } from 'undici';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { maskedHint } from '../src/log/masked-hint.js';
import { dialectProfiles } from './support/dialect-profiles.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { ADMIN_TOKEN, startHarness, TOKEN } from './support/harness.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

afterAll(async () => {
  await provider.shutdown();
});

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Spans of one interception, once its span has ended (after the client got its answer). */
async function spansOf(interceptionId: string): Promise<{
  interception: ReadableSpan;
  attempts: ReadableSpan[];
  all: ReadableSpan[];
}> {
  const interception = await vi.waitFor(() => {
    const span = exporter
      .getFinishedSpans()
      .find((s) => s.attributes['switchyard.interception.id'] === interceptionId);
    if (span === undefined) throw new Error('the interception span has not ended yet');
    return span;
  });
  const { traceId, spanId } = interception.spanContext();
  const all = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
  const attempts = all.filter((s) => s.parentSpanContext?.spanId === spanId);
  return { interception, attempts, all };
}

describe.each(dialectProfiles)('tracing: $name', (profile) => {
  it.each([false, true])(
    'streaming=%s: one span per attempt under the interception span, in the client trace, each sending its own traceparent',
    async (streaming) => {
      const keys = [0, 1, 2].map((i) => `sk-trace-${i}-${hex(12)}`);
      const harness = await startHarness({
        providers: [{ ...profile.provider, keys }],
        tracing: { provider },
      });
      try {
        harness.upstream.script = (seen) => {
          if (seen.key === keys[0]) {
            return profile.upstreamError(429, 'slow down', { 'retry-after': '30' });
          }
          if (seen.key === keys[1]) return profile.upstreamError(401, 'invalid key');
          return profile.success(streaming);
        };
        const traceId = hex(16);
        const clientSpanId = hex(8);
        const response = await request(`${harness.url}${profile.route}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming }),
            traceparent: `00-${traceId}-${clientSpanId}-01`,
            tracestate: 'vendor=opaque',
          },
          body: JSON.stringify(profile.requestBody(streaming)),
        });
        await response.body.text();
        expect(response.statusCode).toBe(200);
        const id = String(response.headers['x-switchyard-request-id']);

        const { interception, attempts, all } = await spansOf(id);
        expect(interception.spanContext().traceId).toBe(traceId);
        expect(interception.parentSpanContext?.spanId).toBe(clientSpanId);
        expect(interception.kind).toBe(SpanKind.SERVER);
        expect(interception.attributes['switchyard.outcome']).toBe('completed');
        expect(interception.attributes['switchyard.attempts']).toBe(3);

        attempts.sort(
          (a, b) =>
            Number(a.attributes['switchyard.key.index']) -
            Number(b.attributes['switchyard.key.index']),
        );
        expect(attempts.map((s) => s.name)).toEqual(Array(3).fill('upstream attempt'));
        expect(attempts.map((s) => s.kind)).toEqual(Array(3).fill(SpanKind.CLIENT));
        expect(attempts.map((s) => s.attributes['switchyard.key.index'])).toEqual([0, 1, 2]);
        expect(attempts.map((s) => s.attributes['switchyard.key.hint'])).toEqual(
          keys.map(maskedHint),
        );
        expect(attempts.map((s) => s.attributes['http.response.status_code'])).toEqual([
          429, 401, 200,
        ]);
        expect(attempts.map((s) => s.attributes['switchyard.failed_over'])).toEqual([
          true,
          true,
          false,
        ]);

        // The upstream saw one traceparent per attempt: the attempt's own span, same trace.
        const sent = harness.upstream.requests.map((r) => r.headers['traceparent']);
        expect(sent).toEqual(attempts.map((s) => `00-${traceId}-${s.spanContext().spanId}-01`));
        expect(new Set(sent).size).toBe(3);
        expect(harness.upstream.requests.map((r) => r.headers['tracestate'])).toEqual(
          Array(3).fill('vendor=opaque'),
        );

        const everything = JSON.stringify(
          all.map((s) => [s.name, s.attributes, s.events, s.status]),
        );
        for (const secret of [...keys, TOKEN, ADMIN_TOKEN])
          expect(everything).not.toContain(secret);
        expect(everything).not.toContain('alice');
      } finally {
        await harness.close();
      }
    },
  );
});

describe('tracing', () => {
  it('starts a trace of its own when the client sends none, and traces a key probe and the recorder write', async () => {
    const keys = [0, 1].map((i) => `sk-probe-${i}-${hex(12)}`);
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-tracing-'));
    const harness = await startHarness({
      providers: [{ ...messagesProfile.provider, keys, on_forbidden: 'verify' }],
      tracing: { provider },
      database: `sqlite:${join(dir, 'records.db')}`,
    });
    try {
      harness.upstream.script = (seen) => {
        // The probe (GET v1/models) finds key 0 working: it stays valid, the 403 was this request's.
        if (seen.method === 'GET') return { status: 200, body: { data: [] } };
        if (seen.key === keys[0]) return messagesProfile.upstreamError(403, 'not for this model');
        return messagesProfile.success(false);
      };
      const response = await request(`${harness.url}${messagesProfile.route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...messagesProfile.rawHeaders({
            gatewayUrl: harness.url,
            token: TOKEN,
            streaming: false,
          }),
        },
        body: JSON.stringify(messagesProfile.requestBody(false)),
      });
      await response.body.text();
      expect(response.statusCode).toBe(200);
      const { interception, attempts } = await spansOf(
        String(response.headers['x-switchyard-request-id']),
      );
      expect(interception.parentSpanContext).toBeUndefined();
      expect(attempts).toHaveLength(2);
      const posts = harness.upstream.requests.filter((r) => r.method === 'POST');
      expect(posts.map((r) => r.headers['traceparent'])).toEqual(
        attempts
          .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])
          .map((s) => `00-${interception.spanContext().traceId}-${s.spanContext().spanId}-01`),
      );
      const probe = exporter
        .getFinishedSpans()
        .find(
          (s) =>
            s.name === 'key probe verify' &&
            s.attributes['switchyard.key.hint'] === maskedHint(keys[0] ?? ''),
        );
      expect(probe?.attributes).toMatchObject({
        'switchyard.key.index': 0,
        'switchyard.probe.verdict': 'works',
        'http.response.status_code': 200,
      });
      // The recorder's write of this interception is a span too (SQLite's writer thread may
      // take a while to start on a loaded machine).
      const write = await vi.waitFor(
        () => {
          const span = exporter.getFinishedSpans().find((s) => s.name === 'recorder write');
          if (span === undefined) throw new Error('no recorder write yet');
          return span;
        },
        { timeout: 15_000, interval: 50 },
      );
      expect(write.attributes['switchyard.recorder.interceptions']).toBe(1);
      expect(write.status.code).not.toBe(SpanStatusCode.ERROR);
    } finally {
      await harness.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('without tracing, the client traceparent reaches the provider unchanged', async () => {
    const harness = await startHarness({
      providers: [{ ...messagesProfile.provider, keys: [`sk-plain-${hex(12)}`] }],
    });
    try {
      harness.upstream.script = () => messagesProfile.success(false);
      const traceparent = `00-${hex(16)}-${hex(8)}-01`;
      const response = await request(`${harness.url}${messagesProfile.route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...messagesProfile.rawHeaders({
            gatewayUrl: harness.url,
            token: TOKEN,
            streaming: false,
          }),
          traceparent,
        },
        body: JSON.stringify(messagesProfile.requestBody(false)),
      });
      await response.body.text();
      expect(response.statusCode).toBe(200);
      expect(harness.upstream.requests.map((r) => r.headers['traceparent'])).toEqual([traceparent]);
    } finally {
      await harness.close();
    }
  });
});
