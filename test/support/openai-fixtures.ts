/** What OpenAI's Chat Completions and Responses APIs send, for the scripted upstream. */

export const chatUsage = {
  prompt_tokens: 31,
  completion_tokens: 9,
  total_tokens: 40,
  prompt_tokens_details: { cached_tokens: 8 },
  completion_tokens_details: { reasoning_tokens: 2 },
};

export function chatCompletion(text = 'Hello from upstream'): Record<string, unknown> {
  return {
    id: 'chatcmpl-abc123',
    object: 'chat.completion',
    created: 1_760_000_000,
    model: 'gpt-test',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: chatUsage,
    system_fingerprint: 'fp_test',
  };
}

/**
 * A streamed completion exactly as OpenAI sends it: with `include_usage` every chunk carries
 * `"usage":null` and a last chunk with empty choices carries the usage; without it, neither.
 */
export function chatStreamEvents(text = 'Hello from upstream', includeUsage = false): string[] {
  const half = Math.ceil(text.length / 2);
  const base = {
    id: 'chatcmpl-abc123',
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'gpt-test',
    system_fingerprint: 'fp_test',
  };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ ...base, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const events = [
    chunk([
      {
        index: 0,
        delta: { role: 'assistant', content: '', refusal: null },
        logprobs: null,
        finish_reason: null,
      },
    ]),
    chunk([
      { index: 0, delta: { content: text.slice(0, half) }, logprobs: null, finish_reason: null },
    ]),
    chunk([
      { index: 0, delta: { content: text.slice(half) }, logprobs: null, finish_reason: null },
    ]),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]),
  ];
  if (includeUsage) events.push(chunk([], { usage: chatUsage }));
  events.push('data: [DONE]\n\n');
  return events;
}

export function chatStreamError(
  message = 'The server had an error while processing your request.',
): string {
  return `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`;
}

export function openaiError(status: number, message: string): Record<string, unknown> {
  const type =
    status === 429
      ? 'requests'
      : status === 401
        ? 'invalid_request_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
  const code = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : null;
  return { error: { message, type, param: null, code } };
}

export const responsesUsage = {
  input_tokens: 41,
  input_tokens_details: { cached_tokens: 16 },
  output_tokens: 17,
  output_tokens_details: { reasoning_tokens: 5 },
  total_tokens: 58,
};

export function responseObject(
  text = 'Hello from upstream',
  status = 'completed',
): Record<string, unknown> {
  return {
    id: 'resp_abc123',
    object: 'response',
    created_at: 1_760_000_000,
    status,
    model: 'gpt-test',
    output:
      status === 'completed'
        ? [
            { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'gAAAAB-opaque' },
            {
              id: 'msg_1',
              type: 'message',
              role: 'assistant',
              status: 'completed',
              content: [{ type: 'output_text', text, annotations: [] }],
            },
          ]
        : [],
    usage: status === 'completed' ? responsesUsage : null,
    previous_response_id: null,
    store: false,
  };
}

/** Responses events as sent: named after their type and numbered in order. */
function sequencedEvents(bodies: readonly Record<string, unknown>[]): string[] {
  return bodies.map(
    (body, i) =>
      `event: ${String(body['type'])}\ndata: ${JSON.stringify({ ...body, sequence_number: i })}\n\n`,
  );
}

/** The events Codex and the SDK helpers depend on, in order, with sequence numbers. */
export function responsesStreamEvents(text = 'Hello from upstream'): string[] {
  const half = Math.ceil(text.length / 2);
  const message = {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    status: 'in_progress',
    content: [],
  };
  const part = { type: 'output_text', text: '', annotations: [] };
  const done = {
    ...message,
    status: 'completed',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
  const bodies: Record<string, unknown>[] = [
    { type: 'response.created', response: responseObject(text, 'in_progress') },
    { type: 'response.in_progress', response: responseObject(text, 'in_progress') },
    { type: 'response.output_item.added', output_index: 0, item: message },
    {
      type: 'response.content_part.added',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part,
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: text.slice(0, half),
    },
    {
      type: 'response.output_text.delta',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      delta: text.slice(half),
    },
    {
      type: 'response.output_text.done',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      text,
    },
    {
      type: 'response.content_part.done',
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { ...part, text },
    },
    { type: 'response.output_item.done', output_index: 0, item: done },
    { type: 'response.completed', response: { ...responseObject(text), output: [done] } },
  ];
  return sequencedEvents(bodies);
}

export function responsesStreamError(
  sequence: number,
  message = 'An error occurred while processing your request.',
): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', code: 'server_error', message, param: null, sequence_number: sequence })}\n\n`;
}

/** A Responses stream whose answer is one function call; its arguments arrive in two deltas. */
export function responsesFunctionCallStreamEvents(call: {
  callId: string;
  name: string;
  arguments: string;
}): string[] {
  const half = Math.ceil(call.arguments.length / 2);
  const added = {
    id: 'fc_1',
    type: 'function_call',
    status: 'in_progress',
    call_id: call.callId,
    name: call.name,
    arguments: '',
  };
  const done = { ...added, status: 'completed', arguments: call.arguments };
  const response = (status: string, output: unknown[]): Record<string, unknown> => ({
    ...responseObject('', status),
    output,
    usage: status === 'completed' ? responsesUsage : null,
  });
  const bodies: Record<string, unknown>[] = [
    { type: 'response.created', response: response('in_progress', []) },
    { type: 'response.in_progress', response: response('in_progress', []) },
    { type: 'response.output_item.added', output_index: 0, item: added },
    ...[call.arguments.slice(0, half), call.arguments.slice(half)].map((delta) => ({
      type: 'response.function_call_arguments.delta',
      item_id: 'fc_1',
      output_index: 0,
      delta,
    })),
    {
      type: 'response.function_call_arguments.done',
      item_id: 'fc_1',
      output_index: 0,
      arguments: call.arguments,
    },
    { type: 'response.output_item.done', output_index: 0, item: done },
    { type: 'response.completed', response: response('completed', [done]) },
  ];
  return sequencedEvents(bodies);
}
