import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

/** The demo's keys: the first is always rate-limited, the second works, anything else is refused. */
export const DEMO_KEYS = {
  rateLimited: 'demo-provider-key-rate-limited-0001',
  healthy: 'demo-provider-key-healthy-0002',
} as const;

const RATE_LIMIT_SECONDS = 30;

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': `req_demo_${randomUUID()}`,
    ...headers,
  });
  res.end(text);
}

function error(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers?: Record<string, string>,
): void {
  json(res, status, { type: 'error', error: { type, message } }, headers);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown } | undefined;
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    if (Array.isArray(message.content)) {
      const text = (message.content as { type?: unknown; text?: unknown }[]).find(
        (b) => b.type === 'text',
      );
      if (typeof text?.text === 'string') return text.text;
    }
  }
  return '';
}

function replyText(body: Record<string, unknown>): string {
  const said = lastUserText(body).slice(0, 200);
  return `Hello from Switchyard's simulated provider. You said: "${said}". This answer came through the gateway after it failed over from a rate-limited key.`;
}

async function messages(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const model = typeof body['model'] === 'string' ? body['model'] : 'claude-demo';
  const text = replyText(body);
  const inputTokens = Math.ceil(JSON.stringify(body['messages'] ?? '').length / 4);
  const outputTokens = Math.ceil(text.length / 4);
  const id = `msg_demo_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
  if (body['stream'] !== true) {
    json(res, 200, {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        output_tokens: outputTokens,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: unknown): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  send('message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        output_tokens: 1,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
      },
    },
  });
  send('content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  for (const piece of text.match(/.{1,24}/gs) ?? []) {
    if (res.destroyed) return;
    send('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: piece },
    });
    await new Promise((resolve) => setTimeout(resolve, 15));
  }
  send('content_block_stop', { type: 'content_block_stop', index: 0 });
  send('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: outputTokens },
  });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const key = req.headers['x-api-key'];
  if (key === DEMO_KEYS.rateLimited) {
    req.resume();
    error(res, 429, 'rate_limit_error', 'This demo key is always rate-limited.', {
      'retry-after': String(RATE_LIMIT_SECONDS),
    });
    return;
  }
  if (key !== DEMO_KEYS.healthy) {
    error(res, 401, 'authentication_error', 'invalid x-api-key');
    return;
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (req.method === 'POST' && path === '/v1/messages') return messages(req, res);
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
    const body = await readJson(req);
    json(res, 200, { input_tokens: Math.ceil(JSON.stringify(body['messages'] ?? '').length / 4) });
    return;
  }
  if (req.method === 'GET' && path.startsWith('/v1/models')) {
    json(res, 200, {
      data: [
        {
          type: 'model',
          id: 'claude-demo',
          display_name: 'Claude (simulated)',
          created_at: '2026-01-01T00:00:00Z',
        },
      ],
      has_more: false,
      first_id: 'claude-demo',
      last_id: 'claude-demo',
    });
    return;
  }
  error(res, 404, 'not_found_error', `no such endpoint: ${req.method ?? ''} ${path}`);
}

/** A tiny Anthropic look-alike for `switchyard demo`, listening on a loopback port. */
export async function startSimulatedAnthropic(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}
