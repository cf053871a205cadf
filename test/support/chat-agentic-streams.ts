/**
 * Chat Completions answers with tool calls, streamed and blocking, shaped as OpenAI sends
 * them (and, for `reasoning`, as DeepSeek does): the first chunk carries the role, the
 * first delta of a call its id and name, later ones only argument pieces; with
 * `include_usage` every chunk has `"usage":null` and a last chunk with no choices the usage.
 */

export interface ScriptedCall {
  readonly id: string;
  readonly name: string;
  /** The arguments, in the pieces they stream in. */
  readonly arguments: readonly string[];
}

export interface ChatScript {
  readonly id: string;
  readonly text?: readonly string[];
  readonly reasoning?: readonly string[];
  readonly calls?: readonly ScriptedCall[];
  readonly usage: Record<string, unknown>;
  /** Default: 'tool_calls' when there are calls, otherwise 'stop'. */
  readonly finish?: string;
}

export function chatUsageOf(prompt: number, completion: number, cached = 0, reasoning = 0) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0 },
  };
}

const finishOf = (script: ChatScript): string =>
  script.finish ?? ((script.calls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');

/** The events of a streamed answer, each a complete `data:` event. */
export function chatScriptEvents(script: ChatScript, includeUsage = true): string[] {
  const base = {
    id: script.id,
    object: 'chat.completion.chunk',
    created: 1_760_000_000,
    model: 'gpt-test',
    service_tier: 'default',
    system_fingerprint: 'fp_test',
  };
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ ...base, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const delta = (d: Record<string, unknown>, finish: string | null = null): unknown[] => [
    { index: 0, delta: d, logprobs: null, finish_reason: finish },
  ];
  const events = [
    chunk(delta({ role: 'assistant', content: (script.calls?.length ?? 0) > 0 ? null : '' })),
  ];
  for (const piece of script.reasoning ?? [])
    events.push(chunk(delta({ reasoning_content: piece })));
  for (const piece of script.text ?? []) events.push(chunk(delta({ content: piece })));
  (script.calls ?? []).forEach((call, index) => {
    events.push(
      chunk(
        delta({
          tool_calls: [
            { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
      ),
    );
    for (const piece of call.arguments) {
      events.push(chunk(delta({ tool_calls: [{ index, function: { arguments: piece } }] })));
    }
  });
  events.push(chunk(delta({}, finishOf(script))));
  if (includeUsage) events.push(chunk([], { usage: script.usage }));
  events.push('data: [DONE]\n\n');
  return events;
}

/** The same answer, not streamed. */
export function chatScriptCompletion(script: ChatScript): Record<string, unknown> {
  const text = (script.text ?? []).join('');
  const calls = script.calls ?? [];
  return {
    id: script.id,
    object: 'chat.completion',
    created: 1_760_000_000,
    model: 'gpt-test',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text === '' ? null : text,
          ...(script.reasoning === undefined
            ? {}
            : { reasoning_content: script.reasoning.join('') }),
          refusal: null,
          annotations: [],
          ...(calls.length === 0
            ? {}
            : {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments.join('') },
                })),
              }),
        },
        logprobs: null,
        finish_reason: finishOf(script),
      },
    ],
    usage: script.usage,
    service_tier: 'default',
    system_fingerprint: 'fp_test',
  };
}
