import { joinedText } from '../bounded-text.js';
import { asRecord, stringField } from '../json-access.js';
import type { JsonObjectText } from '../json-object.js';
import { contentText, lastUserText } from '../message-text.js';

/** The last user prompt of a Responses request: `input` itself, or its last user message. */
export function responsesPrompt(body: JsonObjectText): string | undefined {
  const member = body.member('input');
  // A string input is the prompt; otherwise only the last items are parsed.
  if (member !== undefined && body.raw[member.valueStart] === 0x22) {
    const input = body.value('input') as string;
    return input === '' ? undefined : joinedText([input]);
  }
  const text = lastUserText(body.lastElements('input'), (item) => {
    const type = stringField(item, 'type');
    if (type !== undefined && type !== 'message') return '';
    return contentText(item['content'], ['input_text', 'text']);
  });
  return text === undefined ? undefined : joinedText([text]);
}

/**
 * The reasoning of a response's `output`: each reasoning item's summary and, where the
 * model exposes it, its reasoning text. Encrypted reasoning has neither.
 */
export function reasoningOfOutput(output: unknown): string | undefined {
  if (!Array.isArray(output)) return undefined;
  const parts: string[] = [];
  for (const item of output) {
    const record = asRecord(item);
    if (stringField(record, 'type') !== 'reasoning') continue;
    for (const key of ['summary', 'content'] as const) {
      const list = record?.[key];
      if (!Array.isArray(list)) continue;
      for (const part of list) parts.push(stringField(asRecord(part), 'text') ?? '');
    }
  }
  return joinedText(parts);
}

/** The reasoning text of a complete Responses response. */
export function responsesThoughts(answer: JsonObjectText): string | undefined {
  return reasoningOfOutput(answer.value('output'));
}
