import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { Message } from '@anthropic-ai/sdk/resources/messages/messages';

/**
 * What the official SDK's stream helper makes of `bytes`: they are served once, as a
 * Messages stream, from a loopback server, and read with `messages.stream().finalMessage()`.
 * Rejects as the SDK does (an in-stream error event throws its APIError).
 */
export async function sdkFinalMessage(bytes: Buffer): Promise<Message> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const client = new Anthropic({
      baseURL: `http://127.0.0.1:${port}`,
      apiKey: 'test-key',
      maxRetries: 0,
    });
    return await client.messages
      .stream({
        model: 'claude-test',
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'hello' }],
      })
      .finalMessage();
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}
