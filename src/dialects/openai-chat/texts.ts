import { joinedText } from '../bounded-text.js';
import { asRecord, stringField, type JsonRecord } from '../json-access.js';
import type { JsonObjectText } from '../json-object.js';
import { contentText, lastUserText } from '../message-text.js';

/** The last user prompt of a Chat Completions request. */
export function chatPrompt(body: JsonObjectText): string | undefined {
  const text = lastUserText(body.lastElements('messages'), (m) =>
    contentText(m['content'], ['text']),
  );
  return text === undefined ? undefined : joinedText([text]);
}

/**
 * Reasoning text of a message or delta. OpenAI itself returns none in Chat Completions;
 * compatible servers do, as `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter).
 */
export function chatReasoningText(message: JsonRecord | undefined): string | undefined {
  return stringField(message, 'reasoning_content') ?? stringField(message, 'reasoning');
}

/** The reasoning text of a complete Chat Completions response's first choice. */
export function chatThoughts(answer: JsonObjectText): string | undefined {
  const choices = answer.value('choices');
  if (!Array.isArray(choices)) return undefined;
  const message = asRecord(asRecord(choices[0])?.['message']);
  const text = chatReasoningText(message);
  return text === undefined ? undefined : joinedText([text]);
}
