import { z } from 'zod';
import { asRecord, stringField } from '../dialects/json-access.js';

/**
 * A `tools/call` result, read leniently: the SDK's own schema rejects a whole result for
 * one odd content part, and the model is better served by the rest of it.
 */
export const CallResultSchema = z.looseObject({
  content: z.array(z.unknown()).optional(),
  structuredContent: z.unknown().optional(),
  isError: z.boolean().optional(),
});

export type CallResult = z.output<typeof CallResultSchema>;

/** One content part as text the model can read; parts that are not text are named. */
function partText(part: unknown): string {
  const record = asRecord(part);
  const type = stringField(record, 'type') ?? 'unknown';
  if (type === 'text') return stringField(record, 'text') ?? '';
  if (type === 'resource') {
    const resource = asRecord(record?.['resource']);
    const text = stringField(resource, 'text');
    if (text !== undefined) return text;
    return `[binary resource ${stringField(resource, 'uri') ?? ''} omitted]`;
  }
  if (type === 'resource_link') {
    return `[resource link: ${stringField(record, 'name') ?? ''} ${stringField(record, 'uri') ?? ''}]`;
  }
  const mime = stringField(record, 'mimeType');
  return `[${type} content${mime === undefined ? '' : ` (${mime})`} omitted]`;
}

/**
 * The result's content as text, parts joined by newlines; the structured content as JSON
 * when that is all there is.
 */
export function resultText(result: CallResult): string {
  const content = result.content ?? [];
  if (content.length === 0 && result.structuredContent !== undefined) {
    return JSON.stringify(result.structuredContent);
  }
  return content.map(partText).join('\n');
}
