import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import type { Response, ResponseStreamEvent } from 'openai/resources/responses/responses';

export interface SdkParse {
  readonly events: readonly ResponseStreamEvent[];
  /** What `finalResponse()` resolved with, or undefined when it threw. */
  readonly response: Response | undefined;
  readonly error: unknown;
}

/**
 * Serves `stream` as a Responses event stream from a throwaway server and reads it with
 * the official SDK's helper (`client.responses.stream(...).finalResponse()`), as a client
 * of the gateway would.
 */
export async function parseWithSdk(stream: Buffer): Promise<SdkParse> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const client = new OpenAI({
      baseURL: `http://127.0.0.1:${port}/v1`,
      apiKey: 'x',
      maxRetries: 0,
    });
    const events: ResponseStreamEvent[] = [];
    const helper = client.responses.stream({ model: 'gpt-test', input: 'Hi' });
    helper.on('event', (event) => {
      events.push(event);
    });
    try {
      return { events, response: await helper.finalResponse(), error: undefined };
    } catch (error) {
      return { events, response: undefined, error };
    }
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}
