/**
 * Prompts and thoughts are kept for people to read, not to replay: past this many
 * characters the rest is cut and the cut is marked, so one huge paste or a long reasoning
 * trace cannot bloat the records (or the memory of a stream being collected).
 */
export const MAX_RECORDED_TEXT = 32 * 1024;

function marker(more: number): string {
  return `\n…[truncated: ${more} more characters]`;
}

/** `text` cut to `max` characters, with a marker saying how much was left out. */
export function boundedText(text: string, max = MAX_RECORDED_TEXT): string {
  return text.length <= max ? text : text.slice(0, max) + marker(text.length - max);
}

/** Collects pieces of text as a stream delivers them, holding at most `max` characters. */
export class TextCollector {
  private readonly parts: string[] = [];
  private held = 0;
  private dropped = 0;
  private separator: string | undefined;

  constructor(private readonly max = MAX_RECORDED_TEXT) {}

  add(piece: string): void {
    if (piece === '') return;
    if (this.separator !== undefined) {
      const separator = this.separator;
      this.separator = undefined;
      this.add(separator);
    }
    const room = this.max - this.held;
    if (piece.length <= room) {
      this.parts.push(piece);
      this.held += piece.length;
      return;
    }
    if (room > 0) {
      this.parts.push(piece.slice(0, room));
      this.held = this.max;
    }
    this.dropped += piece.length - Math.max(room, 0);
  }

  /** What follows is another block or item: a paragraph apart from what came before, if anything did. */
  separate(separator = '\n\n'): void {
    if (this.held > 0) this.separator = separator;
  }

  /** Undefined when nothing was collected. */
  text(): string | undefined {
    if (this.held === 0) return undefined;
    const text = this.parts.join('');
    return this.dropped === 0 ? text : text + marker(this.dropped);
  }
}

/** The texts of several blocks, one paragraph each; undefined when there are none. */
export function joinedText(parts: readonly string[]): string | undefined {
  const kept = parts.filter((part) => part !== '');
  return kept.length === 0 ? undefined : boundedText(kept.join('\n\n'));
}
