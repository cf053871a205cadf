type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** Whether a response's headers announce an SSE body. */
export function isEventStream(headers: Headers): boolean {
  const type = headers['content-type'];
  return typeof type === 'string' && type.toLowerCase().startsWith('text/event-stream');
}
