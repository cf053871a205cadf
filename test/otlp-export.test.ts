import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTracing } from '../src/telemetry/tracing.js';
import { messagesProfile } from './support/anthropic-profile.js';
import { MockUpstream } from './support/mock-upstream.js';

const BIN = fileURLToPath(new URL('../bin/switchyard', import.meta.url));

interface OtlpAttribute {
  readonly key: string;
  readonly value: { readonly stringValue?: string; readonly intValue?: number | string };
}
interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes: readonly OtlpAttribute[];
}
interface OtlpExport {
  readonly resourceSpans: readonly {
    readonly resource: { readonly attributes: readonly OtlpAttribute[] };
    readonly scopeSpans: readonly { readonly spans: readonly OtlpSpan[] }[];
  }[];
}

/** An OTLP/HTTP trace receiver: what POST /v1/traces received, as JSON. */
class OtlpReceiver {
  readonly exports: OtlpExport[] = [];
  readonly contentTypes: string[] = [];
  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.method === 'POST' && req.url === '/v1/traces') {
          receiver.contentTypes.push(String(req.headers['content-type']));
          receiver.exports.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpExport);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  spans(): OtlpSpan[] {
    return this.exports.flatMap((e) =>
      e.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
  }

  serviceNames(): (string | undefined)[] {
    return this.exports.flatMap((e) =>
      e.resourceSpans.map(
        (r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
      ),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

describe('OTLP export', () => {
  let upstream: MockUpstream;
  let receiver: OtlpReceiver;
  let dir: string;
  beforeAll(async () => {
    upstream = await MockUpstream.start();
    receiver = await OtlpReceiver.start();
    dir = mkdtempSync(join(tmpdir(), 'switchyard-otlp-'));
  });
  afterAll(async () => {
    await upstream.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('without OTEL_EXPORTER_OTLP_ENDPOINT, tracing is not even set up', async () => {
    expect(await openTracing({}, {})).toBeUndefined();
    expect(await openTracing({}, { OTEL_SERVICE_NAME: 'x' })).toBeUndefined();
    expect(
      await openTracing(
        {},
        { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SDK_DISABLED: 'true' },
      ),
    ).toBeUndefined();
  });

  it('with it, a spawned gateway exports its spans over OTLP/HTTP and flushes them at shutdown', async () => {
    const key = `sk-otlp-${randomBytes(12).toString('hex')}`;
    const token = `otlp-token-${randomBytes(6).toString('hex')}`;
    upstream.script = () => messagesProfile.success(false);
    const file = join(dir, 'switchyard.yaml');
    writeFileSync(
      file,
      `listen: 127.0.0.1:0\nproviders:\n  - name: anthropic\n    type: anthropic\n    base_url: ${upstream.url}\n    keys: ["\${KEY}"]\nauth:\n  tokens:\n    - { user: alice, token: "\${TOKEN}" }\n`,
    );
    const child = spawn(process.execPath, [BIN, 'serve', '--config', file], {
      cwd: dir,
      env: {
        PATH: process.env['PATH'] ?? '',
        KEY: key,
        TOKEN: token,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        // A long batch delay: only the flush at shutdown sends the spans.
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const traceId = randomBytes(16).toString('hex');
    try {
      await expect
        .poll(() => /"url":"(http:[^"]+)"/.exec(stdout)?.[1], { timeout: 10_000 })
        .toBeDefined();
      const url = /"url":"(http:[^"]+)"/.exec(stdout)?.[1] ?? '';
      const response = await request(`${url}${messagesProfile.route}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': token,
          'anthropic-version': '2023-06-01',
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
        body: JSON.stringify(messagesProfile.requestBody(false)),
      });
      await response.body.text();
      expect(response.statusCode).toBe(200);
      expect(receiver.exports).toHaveLength(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const spans = receiver.spans();
    const interception = spans.find((s) => s.name === 'interception anthropic-messages');
    const attempt = spans.find((s) => s.name === 'upstream attempt');
    expect(interception?.traceId).toBe(traceId);
    expect(attempt?.parentSpanId).toBe(interception?.spanId);
    expect(attempt?.traceId).toBe(interception?.traceId);
    expect(upstream.requests.at(-1)?.headers['traceparent']).toBe(
      `00-${attempt?.traceId}-${attempt?.spanId}-01`,
    );
    expect(new Set(receiver.serviceNames())).toEqual(new Set(['switchyard']));
    expect(receiver.contentTypes.every((type) => type.startsWith('application/json'))).toBe(true);
    const everything = JSON.stringify(receiver.exports);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(token);
  });
});
