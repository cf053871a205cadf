import { joinedText } from '../bounded-text.js';
import { asRecord, stringField } from '../json-access.js';
import type { JsonObjectText } from '../json-object.js';
import { contentText, lastUserText } from '../message-text.js';

/** The last user prompt of a Messages request: the text blocks of the last user turn with any. */
export function anthropicPrompt(body: JsonObjectText): string | undefined {
  const text = lastUserText(body.lastElements('messages'), (m) =>
    contentText(m['content'], ['text']),
  );
  return text === undefined ? undefined : joinedText([text]);
}

/** The thinking blocks of a complete Messages response (redacted thinking has no text). */
export function anthropicThoughts(answer: JsonObjectText): string | undefined {
  const content = answer.value('content');
  if (!Array.isArray(content)) return undefined;
  const parts: string[] = [];
  for (const block of content) {
    const record = asRecord(block);
    if (stringField(record, 'type') === 'thinking')
      parts.push(stringField(record, 'thinking') ?? '');
  }
  return joinedText(parts);
}
