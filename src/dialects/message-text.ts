import { asRecord, stringField, type JsonRecord } from './json-access.js';

/**
 * The text of a message's `content`: the string itself, or the text parts of an array of
 * blocks whose type is one of `textTypes` (tool results, images and files are not the
 * person's words). Empty when there is none.
 */
export function contentText(content: unknown, textTypes: readonly string[]): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts: string[] = [];
  for (const block of content) {
    const record = asRecord(block);
    const type = stringField(record, 'type');
    const text = stringField(record, 'text');
    if (type !== undefined && textTypes.includes(type) && text !== undefined && text !== '')
      parts.push(text);
  }
  return parts.join('\n');
}

/**
 * The text of the last message from the user that has any, from messages given last first:
 * a follow-up that only returns tool results carries no prompt of its own, so the search
 * goes on to the one before.
 */
export function lastUserText(
  lastFirst: Iterable<unknown>,
  textOf: (message: JsonRecord) => string,
): string | undefined {
  for (const element of lastFirst) {
    const message = asRecord(element);
    if (message === undefined || stringField(message, 'role') !== 'user') continue;
    const text = textOf(message);
    if (text !== '') return text;
  }
  return undefined;
}
