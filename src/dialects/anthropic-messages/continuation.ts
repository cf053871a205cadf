import { invalidRequest } from '../../errors/gateway-error.js';
import type { ToolOutcome, Turn } from '../agentic.js';
import type { JsonObjectText } from '../json-object.js';

const CLOSE_ARRAY = 0x5d;
const OPEN_ARRAY = 0x5b;

function isWhitespace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/**
 * The user message answering the injected calls. `content` is left out of an empty result:
 * the field is optional, and whether the API takes an empty string is not documented.
 */
export function toolResultMessage(results: readonly ToolOutcome[]): string {
  return JSON.stringify({
    role: 'user',
    content: results.map((result) => ({
      type: 'tool_result',
      tool_use_id: result.call.id,
      ...(result.text === '' ? {} : { content: result.text }),
      ...(result.isError ? { is_error: true } : {}),
    })),
  });
}

/**
 * The next request: `previous` with the model's turn and the tool results appended to
 * `messages`, inserted before the array's closing bracket; every other byte as it was.
 */
export function continuation(
  previous: JsonObjectText,
  turn: Turn,
  results: readonly ToolOutcome[],
): Buffer {
  const messages = previous.member('messages');
  const close = messages === undefined ? -1 : messages.valueEnd - 1;
  if (messages === undefined || previous.raw[close] !== CLOSE_ARRAY) {
    // The upstream accepted this body, so it cannot happen but for a bug of ours.
    throw invalidRequest('messages: must be an array to continue the conversation');
  }
  let last = close - 1;
  while (isWhitespace(previous.raw[last])) last--;
  const appended: Buffer[] = [];
  if (turn.replay.length > 0) appended.push(turn.replay);
  appended.push(Buffer.from(toolResultMessage(results)));
  const parts: Buffer[] = [];
  for (const message of appended) {
    if (parts.length > 0 || previous.raw[last] !== OPEN_ARRAY) parts.push(Buffer.from(','));
    parts.push(message);
  }
  return previous.spliced([{ start: close, end: close, bytes: Buffer.concat(parts) }]);
}
