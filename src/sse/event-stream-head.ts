import type { ServerResponse } from 'node:http';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Whether a response's headers announce an SSE body. */
export function isEventStream(headers: Headers): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('text/event-stream');
}

/** Sends an event stream's status and headers now, before its first event exists. */
export function startEventStream(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string | string[]>>,
): void {
  // Proxies such as nginx must not hold events back.
  res.writeHead(status, { ...headers, 'x-accel-buffering': 'no' });
  res.flushHeaders();
}
