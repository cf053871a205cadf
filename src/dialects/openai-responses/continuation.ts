import type { ToolOutcome, Turn } from '../agentic.js';
import { asRecord, parseJson, stringField } from '../json-access.js';
import type { JsonObjectText } from '../json-object.js';

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** The model reads a failed tool's result as such: Responses has no error flag on outputs. */
function outputText(outcome: ToolOutcome): string {
  return outcome.isError && !outcome.text.startsWith('Error:')
    ? `Error: ${outcome.text}`
    : outcome.text;
}

/**
 * The replay's items as JSON texts. A reasoning item travels by id unless it carries its
 * `encrypted_content`; with `"store": false` the provider has nothing stored to resolve the
 * id with (it answers 404 "Items are not persisted when `store` is set to false"), so such
 * an item stays out. Without that filter the items keep the upstream's own bytes.
 */
function replayItems(replay: Buffer, store: unknown): Buffer[] {
  if (store !== false) {
    const inner = replay.subarray(1, replay.lastIndexOf(0x5d));
    return inner.every((c) => WHITESPACE.has(c)) ? [] : [inner];
  }
  const items = parseJson(replay.toString('utf8'));
  if (!Array.isArray(items)) return [];
  return items
    .filter((item) => {
      const record = asRecord(item);
      if (stringField(record, 'type') !== 'reasoning') return true;
      const encrypted = stringField(record, 'encrypted_content');
      return encrypted !== undefined && encrypted !== '';
    })
    .map((item) => Buffer.from(JSON.stringify(item)));
}

function joined(parts: readonly Buffer[]): Buffer {
  const withCommas: Buffer[] = [];
  for (const part of parts) {
    if (withCommas.length > 0) withCommas.push(Buffer.from(','));
    withCommas.push(part);
  }
  return Buffer.concat(withCommas);
}

/**
 * The next request: the model's output items and one `function_call_output` per result
 * appended to `input` (a string input becomes the user message it stood for). Every other
 * member — previous_response_id, tools, include, store, the client's own — keeps its bytes.
 */
export function responsesContinuation(
  previous: JsonObjectText,
  turn: Turn,
  results: readonly ToolOutcome[],
): Buffer {
  const appended = replayItems(turn.replay, previous.value('store'));
  for (const outcome of results) {
    appended.push(
      Buffer.from(
        JSON.stringify({
          type: 'function_call_output',
          call_id: outcome.call.id,
          output: outputText(outcome),
        }),
      ),
    );
  }
  const items = joined(appended);
  const input = previous.member('input');
  const raw = previous.raw;
  if (input === undefined) {
    const array = Buffer.concat([Buffer.from('['), items, Buffer.from(']')]);
    return previous.spliced([previous.memberSplice('input', array)]);
  }
  const first = raw[input.valueStart];
  if (first === 0x5b) {
    if (items.length === 0) return raw;
    const close = input.valueEnd - 1;
    const empty = raw.subarray(input.valueStart + 1, close).every((c) => WHITESPACE.has(c));
    return previous.spliced([
      { start: close, end: close, bytes: empty ? items : Buffer.concat([Buffer.from(','), items]) },
    ]);
  }
  const lead =
    first === 0x22
      ? [
          Buffer.from('{"role":"user","content":'),
          raw.subarray(input.valueStart, input.valueEnd),
          Buffer.from('}'),
        ]
      : [];
  const separator = lead.length > 0 && items.length > 0 ? [Buffer.from(',')] : [];
  return previous.spliced([
    {
      start: input.valueStart,
      end: input.valueEnd,
      bytes: Buffer.concat([Buffer.from('['), ...lead, ...separator, items, Buffer.from(']')]),
    },
  ]);
}
