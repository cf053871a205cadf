export interface ParsedEvent {
  readonly event: string | undefined;
  readonly data: string;
}

/** A deliberately naive SSE reader for assertions (LF-only, as our fixtures and gateway write). */
export function parseSseText(text: string): ParsedEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      let event: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      return { event, data: data.join('\n') };
    });
}
