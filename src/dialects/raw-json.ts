/**
 * Minimal edits on a request body without re-serialising it: the client's bytes survive
 * untouched (number precision, key order, fields we do not know), except the one member
 * we change. The body has already been validated by JSON.parse, so the scanner only has
 * to find boundaries, not to validate.
 */

export interface MemberSpan {
  readonly key: string;
  /** Offsets into the text of the member's value. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, at: number): number {
  while (at < text.length && WHITESPACE.has(text[at] ?? '')) at++;
  return at;
}

function skipString(text: string, at: number): number {
  // `at` is on the opening quote.
  for (let i = at + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (c === '"') return i + 1;
  }
  return text.length;
}

function skipValue(text: string, at: number): number {
  const c = text[at];
  if (c === '"') return skipString(text, at);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const d = text[i];
      if (d === '"') i = skipString(text, i) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return text.length;
  }
  let i = at;
  while (
    i < text.length &&
    !WHITESPACE.has(text[i] ?? '') &&
    text[i] !== ',' &&
    text[i] !== '}' &&
    text[i] !== ']'
  )
    i++;
  return i;
}

/** The top-level members of a JSON object text, in order, with their value spans. */
export function topLevelMembers(text: string): MemberSpan[] {
  const members: MemberSpan[] = [];
  let at = skipWhitespace(text, text.charCodeAt(0) === 0xfeff ? 1 : 0);
  if (text[at] !== '{') return members;
  at++;
  for (;;) {
    at = skipWhitespace(text, at);
    if (text[at] !== '"') return members;
    const keyEnd = skipString(text, at);
    const key = JSON.parse(text.slice(at, keyEnd)) as string;
    at = skipWhitespace(text, keyEnd);
    at = skipWhitespace(text, at + 1); // the colon
    const valueEnd = skipValue(text, at);
    members.push({ key, valueStart: at, valueEnd });
    at = skipWhitespace(text, valueEnd);
    if (text[at] !== ',') return members;
    at++;
  }
}

/**
 * Sets a top-level member to `valueJson`: replaced in place when present (the last
 * occurrence, which is the one JSON parsers keep), otherwise inserted first.
 */
export function setTopLevelMember(text: string, key: string, valueJson: string): string {
  const existing = topLevelMembers(text)
    .filter((m) => m.key === key)
    .at(-1);
  if (existing !== undefined) {
    return text.slice(0, existing.valueStart) + valueJson + text.slice(existing.valueEnd);
  }
  const open = text.indexOf('{');
  const rest = text.slice(open + 1);
  const empty = rest.trim().startsWith('}');
  return `${text.slice(0, open + 1)}${JSON.stringify(key)}:${valueJson}${empty ? '' : ','}${rest}`;
}
