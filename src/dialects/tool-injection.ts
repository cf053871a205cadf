import { asRecord } from './json-access.js';
import type { JsonObjectText, Splice } from './json-object.js';
import type { ToolDefinition } from './tool-definition.js';

/** How one API declares tools the gateway adds, and how a request gets them. */
export interface ToolEncoding {
  /**
   * The tools in this API's format: JSON objects separated by commas, no brackets. The same
   * Buffer for the same array (cached by identity), so the hot path never re-serialises and
   * identical tool lists give identical bytes.
   */
  declarations(tools: readonly ToolDefinition[]): Buffer;
  /**
   * The request with `declarations` appended to the client's `tools` array, or a `tools`
   * member added when there is none (or it is null). Every other byte stays as the client
   * sent it. A `tools` that is not an array is left alone for the provider to refuse.
   */
  withTools(body: JsonObjectText, declarations: Buffer): Buffer;
  /**
   * The names of the client's own tools (those starting with `prefix`, when given), to keep
   * injected names off them.
   */
  clientToolNames(body: JsonObjectText, prefix?: string): ReadonlySet<string>;
}

const NO_NAMES: ReadonlySet<string> = new Set();
const COMMA = Buffer.from(',');
const OPEN = Buffer.from('[');
const CLOSE = Buffer.from(']');
const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function isNull(raw: Buffer, start: number, end: number): boolean {
  return end - start === 4 && raw.toString('latin1', start, end) === 'null';
}

/** The edit `withTools` makes, for combining with a dialect's other edits of the body. */
export function toolsSplice(body: JsonObjectText, declarations: Buffer): Splice | undefined {
  if (declarations.length === 0) return undefined;
  const member = body.member('tools');
  const raw = body.raw;
  // The declarations (tens of KB with many tools) go in as a piece of their own: `spliced`
  // copies them once, into the body sent upstream.
  if (member === undefined || isNull(raw, member.valueStart, member.valueEnd)) {
    return body.memberSplice('tools', [OPEN, declarations, CLOSE]);
  }
  if (raw[member.valueStart] !== 0x5b) return undefined;
  const close = member.valueEnd - 1;
  let last = close - 1;
  while (WHITESPACE.has(raw[last] ?? 0)) last--;
  const empty = last === member.valueStart;
  return { start: close, end: close, bytes: empty ? declarations : [COMMA, declarations] };
}

function withTools(body: JsonObjectText, declarations: Buffer): Buffer {
  const splice = toolsSplice(body, declarations);
  return splice === undefined ? body.raw : body.spliced([splice]);
}

/**
 * Every name a tool entry may carry in any of the APIs: `name` (Anthropic, Responses),
 * `function.name` and `custom.name` (Chat Completions), and the tools nested in a
 * Responses `namespace`. Gathering them all over-reserves at worst.
 */
function collectNames(tools: unknown, prefix: string, into: Set<string>): void {
  if (!Array.isArray(tools)) return;
  for (const entry of tools) {
    const tool = asRecord(entry);
    const names = [
      tool?.['name'],
      asRecord(tool?.['function'])?.['name'],
      asRecord(tool?.['custom'])?.['name'],
    ];
    for (const name of names) {
      if (typeof name === 'string' && name.startsWith(prefix)) into.add(name);
    }
    collectNames(tool?.['tools'], prefix, into);
  }
}

function clientToolNames(body: JsonObjectText, prefix = ''): ReadonlySet<string> {
  const member = body.member('tools');
  if (member === undefined) return NO_NAMES;
  if (prefix !== '') {
    // No name can start with the prefix if its bytes appear nowhere, unless escaped (\u…).
    const slice = body.raw.subarray(member.valueStart, member.valueEnd);
    if (slice.indexOf(prefix) === -1 && slice.indexOf('\\u') === -1) return NO_NAMES;
  }
  const names = new Set<string>();
  collectNames(body.value('tools'), prefix, names);
  return names.size === 0 ? NO_NAMES : names;
}

/** A dialect's ToolEncoding from how it declares one tool. */
export function toolEncoding(declare: (tool: ToolDefinition) => unknown): ToolEncoding {
  const cache = new WeakMap<readonly ToolDefinition[], Buffer>();
  return {
    declarations(tools) {
      let encoded = cache.get(tools);
      if (encoded === undefined) {
        encoded = Buffer.from(tools.map((tool) => JSON.stringify(declare(tool))).join(','));
        cache.set(tools, encoded);
      }
      return encoded;
    },
    withTools,
    clientToolNames,
  };
}
