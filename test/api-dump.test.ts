import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { ApiDump } from '../src/dump/api-dump.js';
import { maskedHint } from '../src/log/masked-hint.js';
import { captureLogger } from './support/capture-logger.js';
import { dialectProfiles, SUCCESS_TEXT, type DialectProfile } from './support/dialect-profiles.js';
import { ADMIN_TOKEN, startHarness, TOKEN, type Harness } from './support/harness.js';
import type { MockReply } from './support/mock-upstream.js';
import { callRaw } from './support/profile.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const newDir = (): string => mkdtempSync(join(tmpdir(), 'switchyard-dump-'));
const newKey = (label: string): string =>
  `sk-test-dump-${label}-${randomBytes(10).toString('hex')}`;

/** Every file below `dir`, as paths relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** A dumped message: its head lines and its body bytes. */
function readMessage(path: string): { head: string[]; body: string } {
  const text = readFileSync(path, 'utf8');
  const split = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, split).split('\r\n'), body: text.slice(split + 4) };
}

/** What the mock sends for a reply: its body bytes. */
function replyText(reply: MockReply): string {
  if (typeof reply === 'function') throw new Error('expected a scripted reply');
  if ('sse' in reply) return reply.sse.join('');
  return typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
}

/** dump_dir/<provider>/<model>/<date>/<time>-<id>, from the record of an interception. */
function stemOf(provider: string, model: string, startedAt: number, id: string): string {
  const at = new Date(startedAt).toISOString();
  const time = `${at.slice(11, 13)}${at.slice(14, 16)}${at.slice(17, 19)}.${at.slice(20, 23)}`;
  return join(provider, model, at.slice(0, 10), `${time}-${id}`);
}

function call(h: Harness, profile: DialectProfile, streaming: boolean, body?: unknown) {
  return callRaw(
    profile,
    { gatewayUrl: h.url, token: TOKEN, streaming },
    body === undefined ? undefined : JSON.stringify(body),
  );
}

describe.each(dialectProfiles)('API dump: $name', (profile) => {
  it.each([false, true])(
    'streaming=%s: the upstream request and answer, as exchanged, key redacted',
    async (streaming) => {
      const dir = newDir();
      const key = newKey(profile.name);
      harness = await startHarness({
        providers: [{ ...profile.provider, keys: [key] }],
        extra: { dump_dir: dir },
      });
      const h = harness;
      h.upstream.script = (seen) => profile.success(streaming, seen);
      const outcome = await call(h, profile, streaming);
      expect([outcome.status, outcome.text]).toEqual([200, SUCCESS_TEXT]);
      await h.gateway.dump.idle();

      const record = h.interceptions[0];
      const seen = h.upstream.requests[0];
      if (record === undefined || seen === undefined) throw new Error('no interception');
      const stem = stemOf(profile.provider.name, record.model, record.startedAt, record.id);
      expect(filesUnder(dir)).toEqual([`${stem}.req`, `${stem}.resp`]);

      const req = readMessage(join(dir, `${stem}.req`));
      expect(req.head[0]).toMatch(
        new RegExp(
          `^# switchyard bridged interception ${record.id}, ${record.dialect}, attempt 1, key ${maskedHint(key)}, \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`,
        ),
      );
      expect(req.head[1]).toBe(`POST ${h.upstream.url.slice(0, -1)}${seen.url} HTTP/1.1`);
      const credential =
        profile.provider.type === 'anthropic' ? 'x-api-key: ' : 'authorization: Bearer ';
      expect(req.head).toContain(`${credential}[redacted ${maskedHint(key)}]`);
      expect(req.head).toContain('content-type: application/json');
      expect(req.body).toBe(seen.body.toString());

      const resp = readMessage(join(dir, `${stem}.resp`));
      expect(resp.head[0]).toBe('HTTP/1.1 200');
      expect(resp.head).toContain(
        streaming ? 'content-type: text/event-stream' : 'content-type: application/json',
      );
      expect(resp.body).toBe(replyText(profile.success(streaming, seen)));
    },
  );
});

describe('API dump', () => {
  const profile = dialectProfiles[0] as DialectProfile;

  it('gives each attempt of a failover its own exchange: <stem>, then <stem>.2', async () => {
    const dir = newDir();
    const keys = [newKey('a'), newKey('b')];
    harness = await startHarness({
      providers: [{ ...profile.provider, keys }],
      extra: { dump_dir: dir },
    });
    const h = harness;
    h.upstream.script = (seen) =>
      seen.key === keys[0]
        ? profile.upstreamError(429, 'slow down', { 'retry-after': '30' })
        : profile.success(true, seen);
    expect((await call(h, profile, true)).status).toBe(200);
    await h.gateway.dump.idle();
    const record = h.interceptions[0];
    if (record === undefined) throw new Error('no interception');
    const stem = stemOf('anthropic', record.model, record.startedAt, record.id);
    expect(filesUnder(dir)).toEqual([
      `${stem}.2.req`,
      `${stem}.2.resp`,
      `${stem}.req`,
      `${stem}.resp`,
    ]);
    expect(readMessage(join(dir, `${stem}.req`)).head).toContain(
      `x-api-key: [redacted ${maskedHint(keys[0] ?? '')}]`,
    );
    const first = readMessage(join(dir, `${stem}.resp`));
    expect(first.head).toEqual(expect.arrayContaining(['HTTP/1.1 429', 'retry-after: 30']));
    expect(JSON.parse(first.body)).toMatchObject({ error: { message: 'slow down' } });
    expect(readMessage(join(dir, `${stem}.2.req`)).head[0]).toMatch(
      new RegExp(`attempt 2, key ${maskedHint(keys[1] ?? '')}`),
    );
    expect(readMessage(join(dir, `${stem}.2.resp`)).head[0]).toBe('HTTP/1.1 200');
  });

  it('dumps passthrough calls under the model name "passthrough"', async () => {
    const dir = newDir();
    harness = await startHarness({
      providers: [{ ...profile.provider, keys: [newKey('p')] }],
      extra: { dump_dir: dir },
    });
    const h = harness;
    const models = { data: [{ id: 'model-a' }], has_more: false };
    h.upstream.script = () => ({ status: 200, body: models });
    const response = await request(`${h.url}/anthropic/v1/models?limit=5`, {
      headers: profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming: false }),
    });
    expect(response.statusCode).toBe(200);
    const id = response.headers['x-switchyard-request-id'] as string;
    await response.body.text();
    await h.gateway.dump.idle();
    const files = filesUnder(dir);
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(
      new RegExp(`^anthropic/passthrough/\\d{4}-\\d\\d-\\d\\d/\\d{6}\\.\\d{3}-${id}\\.req$`),
    );
    const req = readMessage(join(dir, files[0] ?? ''));
    expect(req.head[0]).toMatch(/^# switchyard passthrough interception/);
    expect(req.head[1]).toBe(`GET ${h.upstream.url}v1/models?limit=5 HTTP/1.1`);
    expect(req.body).toBe('');
    const resp = readMessage(join(dir, files[1] ?? ''));
    expect(resp.head[0]).toBe('HTTP/1.1 200');
    expect(JSON.parse(resp.body)).toEqual(models);
  });

  it('says when no answer came, and when an answer broke off', async () => {
    const dir = newDir();
    harness = await startHarness({
      providers: [
        { ...profile.provider, keys: [newKey('n')], baseUrl: 'http://127.0.0.1:1/' },
        { name: 'live', type: 'anthropic', keys: [newKey('l')] },
      ],
      extra: { dump_dir: dir },
    });
    const h = harness;
    expect((await call(h, profile, false)).status).toBe(502);
    h.upstream.script = () => profile.midStreamDrop();
    const dropped = await request(`${h.url}/live/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...profile.rawHeaders({ gatewayUrl: h.url, token: TOKEN, streaming: true }),
      },
      body: JSON.stringify(profile.requestBody(true)),
    });
    await dropped.body.text();
    await h.gateway.dump.idle();
    const responses = filesUnder(dir).filter((file) => file.endsWith('.resp'));
    const unreachable = responses.find((file) => file.startsWith('anthropic/'));
    const broken = responses.find((file) => file.startsWith('live/'));
    expect(readFileSync(join(dir, unreachable ?? ''), 'utf8')).toMatch(
      /^# switchyard: no answer \(the upstream is unreachable \(ECONNREFUSED, 127\.0\.0\.1:1\)\)\n$/,
    );
    const text = readFileSync(join(dir, broken ?? ''), 'utf8');
    expect(text.startsWith('HTTP/1.1 200\r\n')).toBe(true);
    expect(text).toContain(replyText(profile.midStreamDrop()));
    expect(text).toMatch(/\n# switchyard: the answer broke off \(.+\)\n$/);
  });

  it('never writes a configured secret, in the dump or in any log line', async () => {
    const dir = newDir();
    const anthropicKeys = [newKey('anthropic-0'), newKey('anthropic-1')];
    const openaiKeys = [newKey('openai-0')];
    const bobToken = `sy-test-gateway-token-bob-${randomBytes(8).toString('hex')}`;
    const byokKey = `sk-ant-byok-${randomBytes(12).toString('hex')}`;
    const secrets = [...anthropicKeys, ...openaiKeys, TOKEN, bobToken, ADMIN_TOKEN, byokKey];
    harness = await startHarness({
      providers: [
        { name: 'anthropic', type: 'anthropic', keys: anthropicKeys },
        { name: 'openai', type: 'openai', keys: openaiKeys },
      ],
      tokens: [
        { user: 'alice', token: TOKEN },
        { user: 'bob', token: bobToken },
      ],
      allowByok: true,
      extra: { dump_dir: dir },
    });
    const h = harness;
    const messages = dialectProfiles[0] as DialectProfile;
    const chat = dialectProfiles[1] as DialectProfile;
    // Providers quote the key they refuse; this one quotes it whole.
    h.upstream.script = (seen) => {
      if (seen.method === 'GET') return { status: 200, body: { data: [] } };
      if (seen.key === anthropicKeys[0]) {
        return messages.upstreamError(401, `invalid x-api-key: ${seen.key ?? ''}`);
      }
      if (seen.key === byokKey) return messages.upstreamError(400, `your key ${byokKey} is odd`);
      const streaming = (JSON.parse(seen.body.toString()) as { stream?: boolean }).stream;
      return (seen.url.includes('chat') ? chat : messages).success(streaming === true, seen);
    };
    expect((await call(h, messages, false)).status).toBe(200);
    expect((await call(h, messages, true)).status).toBe(200);
    expect((await call(h, chat, true)).status).toBe(200);
    // A client that pastes credentials into a prompt: they are not the gateway's to send, but
    // they are the gateway's secrets, and never land in its files.
    const pasted = {
      ...messages.requestBody(false),
      messages: [{ role: 'user', content: `my tokens: ${bobToken} ${ADMIN_TOKEN}` }],
    };
    expect((await call(h, messages, false, pasted)).status).toBe(200);
    const byok = await callRaw(messages, {
      gatewayUrl: h.url,
      token: TOKEN,
      streaming: false,
      byokKey,
    });
    expect(byok.status).toBe(400);
    const models = await request(`${h.url}/openai/v1/models`, {
      headers: { authorization: `Bearer ${bobToken}` },
    });
    expect(models.statusCode).toBe(200);
    await models.body.text();
    const admin = await request(`${h.url}/admin/api/providers`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(admin.statusCode).toBe(200);
    await admin.body.text();
    await h.gateway.dump.idle();

    const files = filesUnder(dir);
    // Five bridged calls (one failed over: six attempts) and one passthrough call.
    expect(files).toHaveLength(14);
    const dumped = files.map((file) => readFileSync(join(dir, file), 'utf8')).join('\n');
    expect(dumped).toContain(`[redacted ${maskedHint(anthropicKeys[0] ?? '')}]`);
    expect(dumped).toContain(`[redacted ${maskedHint(byokKey)}]`);
    expect(dumped).toContain(`[redacted ${maskedHint(bobToken)}]`);
    const logs = h.logs.join('\n');
    expect(h.logs.length).toBeGreaterThan(5);
    for (const secret of secrets) {
      expect(dumped).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
  });

  it('a dump_dir that cannot be written is logged once and counted; requests go on', async () => {
    const parent = newDir();
    writeFileSync(join(parent, 'a-file'), 'not a directory');
    harness = await startHarness({
      providers: [{ ...profile.provider, keys: [newKey('f')] }],
      extra: { dump_dir: join(parent, 'a-file', 'dumps') },
    });
    const h = harness;
    h.upstream.script = (seen) =>
      profile.success((JSON.parse(seen.body.toString()) as { stream?: boolean }).stream === true);
    for (let i = 0; i < 4; i++) {
      const outcome = await call(h, profile, i % 2 === 1);
      expect([outcome.status, outcome.text]).toEqual([200, SUCCESS_TEXT]);
    }
    await h.gateway.dump.idle();
    const stats = h.gateway.dump.stats();
    expect(stats.failedWrites).toBe(8);
    expect(stats.writtenBytes).toBe(0);
    expect(stats.droppedBytes).toBeGreaterThan(0);
    const failures = h.logs.filter((line) => line.includes('API dump: cannot write'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0] ?? '{}')).toMatchObject({ level: 50, code: 'ENOTDIR' });
  });

  it('past its byte budget cuts files short, logs once per burst and counts; the response is whole', async () => {
    const dir = newDir();
    const { logger, lines } = captureLogger();
    const dump = new ApiDump({ dir, secrets: [], baseUrls: {} }, { logger, budgetBytes: 600 });
    harness = await startHarness({
      providers: [{ ...profile.provider, keys: [newKey('b')] }],
      observers: [dump],
    });
    const h = harness;
    // Many small events, all in one socket write: they arrive faster than any disk.
    h.upstream.script = (seen) => (_request, res) => {
      const events = replyText(profile.success(true, seen));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${': padding\n\n'.repeat(200)}${events}`);
    };
    const outcome = await call(h, profile, true);
    expect([outcome.status, outcome.text]).toEqual([200, SUCCESS_TEXT]);
    await dump.idle();
    expect(dump.stats()).toMatchObject({ truncatedFiles: 1, queuedBytes: 0 });
    expect(dump.stats().droppedBytes).toBeGreaterThan(0);
    const resp = filesUnder(dir).find((file) => file.endsWith('.resp'));
    expect(readFileSync(join(dir, resp ?? ''), 'utf8')).toMatch(
      /\n# switchyard: the rest of this exchange was not dumped \(the dump queue was full\)\n$/,
    );
    const messages = lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toEqual([
      'API dump: queue full (the disk is slower than the traffic); files are cut short until it drains',
      'API dump: queue drained',
    ]);
  });

  it('takes new settings at once: another directory, or off (a reload)', async () => {
    const [first, second] = [newDir(), newDir()];
    harness = await startHarness({
      providers: [{ ...profile.provider, keys: [newKey('r')] }],
      extra: { dump_dir: first },
    });
    const h = harness;
    h.upstream.script = (seen) => profile.success(false, seen);
    await call(h, profile, false);
    h.gateway.dump.configure({ ...h.gateway.dump.settings, dir: second });
    await call(h, profile, false);
    h.gateway.dump.configure({ ...h.gateway.dump.settings, dir: undefined });
    await call(h, profile, false);
    await h.gateway.dump.idle();
    expect(filesUnder(first)).toHaveLength(2);
    expect(filesUnder(second)).toHaveLength(2);
    expect(h.upstream.requests).toHaveLength(3);
  });
});
