/** Encodes one SSE event; multi-line data becomes several `data:` lines, as the spec requires. */
export function formatSseEvent(type: string | undefined, data: string): Buffer {
  let text = type === undefined ? '' : `event: ${type}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return Buffer.from(text + '\n');
}
