import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { ParsedChatCompletion } from 'openai/resources/chat/completions';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
}

/**
 * What the official SDK's stream helper makes of a stream the codec wrote: the bytes are
 * served as one `text/event-stream` answer and read by `chat.completions.stream()`.
 */
export async function sdkFinalCompletion(
  bytes: Buffer,
  clientAskedForUsage = true,
): Promise<ParsedChatCompletion<null>> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(bytes);
    });
  });
  const baseURL = await listen(server);
  try {
    const client = new OpenAI({ baseURL, apiKey: 'sk-test', maxRetries: 0 });
    return await client.chat.completions
      .stream({
        model: 'gpt-test',
        messages: [{ role: 'user', content: 'hi' }],
        ...(clientAskedForUsage ? { stream_options: { include_usage: true } } : {}),
      })
      .finalChatCompletion();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
