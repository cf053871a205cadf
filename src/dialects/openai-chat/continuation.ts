import type { ToolOutcome, Turn } from '../agentic.js';
import type { JsonObjectText } from '../json-object.js';
import { invalidRequest } from '../../errors/gateway-error.js';

const COMMA = Buffer.from(',');
const OPEN_BRACKET = 0x5b;

/**
 * Chat has no error flag on a tool result; the model reads the failure from the text.
 * A text that already says so is left alone.
 */
function resultText(outcome: ToolOutcome): string {
  return outcome.isError && !outcome.text.startsWith('Error:')
    ? `Error: ${outcome.text}`
    : outcome.text;
}

function toolMessage(outcome: ToolOutcome): Buffer {
  return Buffer.from(
    JSON.stringify({ role: 'tool', tool_call_id: outcome.call.id, content: resultText(outcome) }),
  );
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  }
  return true;
}

/**
 * The next Chat request: `messages` with the assistant turn (its injected calls) and one
 * `tool` message per result appended before its closing bracket; every other byte of the
 * previous request stays as it was.
 */
export function chatContinuation(
  previous: JsonObjectText,
  turn: Turn,
  results: readonly ToolOutcome[],
): Buffer {
  const items = [turn.replay, ...results.map(toolMessage)].filter((item) => item.length > 0);
  const appended = Buffer.concat(items.flatMap((item, i) => (i === 0 ? [item] : [COMMA, item])));
  const messages = previous.member('messages');
  if (messages === undefined) {
    return previous.withMember('messages', `[${appended.toString()}]`);
  }
  const raw = previous.raw;
  if (raw[messages.valueStart] !== OPEN_BRACKET) {
    throw invalidRequest('messages: must be an array');
  }
  const closing = messages.valueEnd - 1;
  const empty = isBlank(raw.subarray(messages.valueStart + 1, closing));
  const bytes = empty ? appended : Buffer.concat([COMMA, appended]);
  return previous.spliced([{ start: closing, end: closing, bytes }]);
}
