/**
 * Synthetic OpenAI Responses answers for the agentic codec's tests, shaped like the
 * provider's (see openai-fixtures.ts): messages, reasoning with a summary, function calls,
 * a hosted tool call; streamed with every event named and numbered, or as one body.
 */

export interface UsageSpec {
  readonly input: number;
  readonly cached: number;
  readonly output: number;
  readonly reasoning: number;
}

export type ItemSpec =
  | { readonly type: 'message'; readonly text: string }
  | { readonly type: 'reasoning'; readonly summary: string; readonly encrypted?: string }
  | {
      readonly type: 'call';
      readonly callId: string;
      readonly name: string;
      readonly arguments: string;
    }
  | { readonly type: 'web_search'; readonly query: string };

export interface AnswerSpec {
  /** The response id. */
  readonly id: string;
  readonly items: readonly ItemSpec[];
  readonly usage: UsageSpec;
  readonly status?: 'completed' | 'incomplete';
}

export type Json = Record<string, unknown>;

export function usageObject(usage: UsageSpec): Json {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cached },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoning },
    total_tokens: usage.input + usage.output,
  };
}

function responseBase(spec: AnswerSpec, status: string): Json {
  return {
    id: spec.id,
    object: 'response',
    created_at: 1_760_000_000,
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: null,
    model: 'gpt-test',
    output: [],
    parallel_tool_calls: true,
    previous_response_id: null,
    store: false,
    tools: [],
    usage: null,
    metadata: {},
  };
}

const itemId = (spec: AnswerSpec, i: number, prefix: string): string =>
  `${prefix}_${spec.id.replace(/^resp_/, '')}_${i}`;

/** The item as the answer's output holds it once done. */
export function doneItem(spec: AnswerSpec, i: number): Json {
  const item = spec.items[i];
  if (item === undefined) throw new Error(`no item ${i}`);
  switch (item.type) {
    case 'message':
      return {
        id: itemId(spec, i, 'msg'),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', annotations: [], logprobs: [], text: item.text }],
      };
    case 'reasoning':
      return {
        id: itemId(spec, i, 'rs'),
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: item.summary }],
        ...(item.encrypted === undefined ? {} : { encrypted_content: item.encrypted }),
      };
    case 'call':
      return {
        id: itemId(spec, i, 'fc'),
        type: 'function_call',
        status: 'completed',
        arguments: item.arguments,
        call_id: item.callId,
        name: item.name,
      };
    case 'web_search':
      return {
        id: itemId(spec, i, 'ws'),
        type: 'web_search_call',
        status: 'completed',
        action: { type: 'search', query: item.query },
      };
  }
}

/** A blocking answer's body. */
export function answerBody(spec: AnswerSpec): Json {
  return {
    ...responseBase(spec, spec.status ?? 'completed'),
    output: spec.items.map((_, i) => doneItem(spec, i)),
    usage: usageObject(spec.usage),
  };
}

function halves(text: string): [string, string] {
  const half = Math.ceil(text.length / 2);
  return [text.slice(0, half), text.slice(half)];
}

/** The events of one item, without sequence numbers. */
function itemEvents(spec: AnswerSpec, i: number): Json[] {
  const item = spec.items[i];
  const done = doneItem(spec, i);
  const id = done['id'];
  const at = { item_id: id, output_index: i };
  if (item === undefined) return [];
  switch (item.type) {
    case 'message': {
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      const added = { ...done, status: 'in_progress', content: [] };
      return [
        { type: 'response.output_item.added', output_index: i, item: added },
        { type: 'response.content_part.added', ...at, content_index: 0, part },
        ...halves(item.text).map((delta) => ({
          type: 'response.output_text.delta',
          ...at,
          content_index: 0,
          delta,
          logprobs: [],
        })),
        {
          type: 'response.output_text.done',
          ...at,
          content_index: 0,
          text: item.text,
          logprobs: [],
        },
        {
          type: 'response.content_part.done',
          ...at,
          content_index: 0,
          part: { ...part, text: item.text },
        },
        { type: 'response.output_item.done', output_index: i, item: done },
      ];
    }
    case 'reasoning': {
      const summary = { ...at, summary_index: 0 };
      return [
        {
          type: 'response.output_item.added',
          output_index: i,
          item: { id, type: 'reasoning', summary: [] },
        },
        {
          type: 'response.reasoning_summary_part.added',
          ...summary,
          part: { type: 'summary_text', text: '' },
        },
        ...halves(item.summary).map((delta) => ({
          type: 'response.reasoning_summary_text.delta',
          ...summary,
          delta,
        })),
        { type: 'response.reasoning_summary_text.done', ...summary, text: item.summary },
        {
          type: 'response.reasoning_summary_part.done',
          ...summary,
          part: { type: 'summary_text', text: item.summary },
        },
        { type: 'response.output_item.done', output_index: i, item: done },
      ];
    }
    case 'call':
      return [
        {
          type: 'response.output_item.added',
          output_index: i,
          item: { ...done, status: 'in_progress', arguments: '' },
        },
        ...halves(item.arguments).map((delta) => ({
          type: 'response.function_call_arguments.delta',
          ...at,
          delta,
        })),
        { type: 'response.function_call_arguments.done', ...at, arguments: item.arguments },
        { type: 'response.output_item.done', output_index: i, item: done },
      ];
    case 'web_search':
      return [
        {
          type: 'response.output_item.added',
          output_index: i,
          item: { ...done, status: 'in_progress' },
        },
        { type: 'response.web_search_call.in_progress', ...at },
        { type: 'response.web_search_call.searching', ...at },
        { type: 'response.web_search_call.completed', ...at },
        { type: 'response.output_item.done', output_index: i, item: done },
      ];
  }
}

/** The event bodies of a streamed answer, numbered from 0. */
export function answerEventBodies(spec: AnswerSpec): Json[] {
  const status = spec.status ?? 'completed';
  const bodies: Json[] = [
    { type: 'response.created', response: responseBase(spec, 'in_progress') },
    { type: 'response.in_progress', response: responseBase(spec, 'in_progress') },
    ...spec.items.flatMap((_, i) => itemEvents(spec, i)),
    { type: `response.${status}`, response: answerBody(spec) },
  ];
  return bodies.map((body, i) => ({ ...body, sequence_number: i }));
}

/** A streamed answer as the provider writes it: one `event:` + `data:` block per event. */
export function answerEvents(spec: AnswerSpec): string[] {
  return answerEventBodies(spec).map(sseEvent);
}

export function sseEvent(body: Json): string {
  return `event: ${String(body['type'])}\ndata: ${JSON.stringify(body)}\n\n`;
}
