import type { IsInjected, ToolCall } from '../agentic.js';
import { asRecord, stringField, type JsonRecord } from '../json-access.js';

/**
 * What an output item is to the agentic loop. `injected`: a call of a gateway tool, run by
 * the gateway and hidden from the client. `client`: a call the client itself must carry
 * out; it reaches the client only in a final turn. `visible`: content (messages,
 * reasoning, calls of the provider's hosted tools), shown to the client as it comes.
 */
export type ItemRole = 'injected' | 'client' | 'visible';

/**
 * Item types the client answers with a `*_output` item of the same call_id. Calls of the
 * provider's hosted tools (web_search_call, file_search_call, mcp_call, …) are run by the
 * provider and are content, not calls the client has to make.
 */
const CLIENT_CALL_TYPES = new Set([
  'function_call',
  'custom_tool_call',
  'computer_call',
  'local_shell_call',
  'shell_call',
  'apply_patch_call',
]);

export function itemRole(item: JsonRecord | undefined, isInjected: IsInjected): ItemRole {
  const type = stringField(item, 'type');
  if (type === 'function_call') {
    // Injected tools are declared at the top level; a call inside a namespace is the
    // client's even when its name matches.
    const namespace = stringField(item, 'namespace');
    const name = stringField(item, 'name');
    if ((namespace === undefined || namespace === '') && name !== undefined && isInjected(name)) {
      return 'injected';
    }
    return 'client';
  }
  if (type !== undefined && CLIENT_CALL_TYPES.has(type)) return 'client';
  if (type === 'tool_search_call' && stringField(item, 'execution') === 'client') return 'client';
  return 'visible';
}

/** A call item in no API's format; calls without a name or JSON arguments say what they have. */
export function toolCallOf(item: JsonRecord | undefined): ToolCall {
  const type = stringField(item, 'type') ?? 'unknown';
  const input = item?.['arguments'] ?? item?.['input'] ?? item?.['action'] ?? item?.['operation'];
  return {
    id: stringField(item, 'call_id') ?? stringField(item, 'id') ?? '',
    name: stringField(item, 'name') ?? type,
    arguments: typeof input === 'string' ? input : input === undefined ? '' : JSON.stringify(input),
  };
}

/** What the SDKs' `output_text` holds: the output_text parts of the message items, joined. */
export function outputTextOf(items: readonly unknown[]): string {
  let text = '';
  for (const item of items) {
    const record = asRecord(item);
    if (stringField(record, 'type') !== 'message') continue;
    const content = record?.['content'];
    if (!Array.isArray(content)) continue;
    for (const part of content) {
      const p = asRecord(part);
      if (stringField(p, 'type') === 'output_text') text += stringField(p, 'text') ?? '';
    }
  }
  return text;
}
