import { anthropicMessages } from '../../src/dialects/anthropic-messages/dialect.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { openaiChat } from '../../src/dialects/openai-chat/dialect.js';
import { openaiResponses } from '../../src/dialects/openai-responses/dialect.js';
import { anthropicToolUseStreamEvents } from './anthropic-fixtures.js';
import { messagesProfile } from './anthropic-profile.js';
import { chatScriptCompletion, chatScriptEvents, chatUsageOf } from './chat-agentic-streams.js';
import type { MockReply } from './mock-upstream.js';
import { chatProfile, responsesProfile } from './openai-profiles.js';
import {
  responseObject,
  responsesFunctionCallStreamEvents,
  responsesUsage,
} from './openai-fixtures.js';
import type { DialectProfile } from './profile.js';

/** A call of one of the gateway's tools, as the scripted model makes it. */
export interface ScriptedToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text. */
  readonly arguments: string;
}

/** A tool result the gateway sent back upstream in a continuation. */
export interface SentResult {
  readonly callId: string;
  readonly text: string;
}

/** What the agentic tables need beyond a dialect profile: tool calls and their results. */
export interface AgenticProfile {
  readonly profile: DialectProfile;
  readonly dialect: Dialect;
  /** The upstream's answer when the model calls a tool. */
  toolCall(streaming: boolean, calls: readonly ScriptedToolCall[]): MockReply;
  /** The tool results in a request body the gateway sent upstream. */
  resultsIn(body: unknown): SentResult[];
}

type Json = Record<string, unknown>;
const asArray = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

const messages: AgenticProfile = {
  profile: messagesProfile,
  dialect: anthropicMessages,
  toolCall(streaming, calls) {
    const [first] = calls;
    if (streaming && calls.length === 1 && first !== undefined) {
      return {
        sse: anthropicToolUseStreamEvents({
          id: first.id,
          name: first.name,
          input: JSON.parse(first.arguments) as Record<string, unknown>,
        }),
      };
    }
    if (streaming) throw new Error('one streamed call per turn in this profile');
    return {
      status: 200,
      body: {
        id: 'msg_01ToolUseBlockingFixture01',
        type: 'message',
        role: 'assistant',
        model: 'claude-test',
        content: calls.map((call) => ({
          type: 'tool_use',
          id: call.id,
          name: call.name,
          input: JSON.parse(call.arguments) as unknown,
        })),
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 25, output_tokens: 30 },
      },
    };
  },
  resultsIn(body) {
    const last = asArray((body as Json)['messages']).at(-1);
    return asArray(last?.['content'])
      .filter((block) => block['type'] === 'tool_result')
      .map((block) => ({
        callId: String(block['tool_use_id']),
        text:
          typeof block['content'] === 'string'
            ? block['content']
            : asArray(block['content'])
                .map((part) => String(part['text']))
                .join(''),
      }));
  },
};

const chat: AgenticProfile = {
  profile: chatProfile,
  dialect: openaiChat,
  toolCall(streaming, calls) {
    const script = {
      id: 'chatcmpl-tool-turn',
      calls: calls.map((call) => ({ id: call.id, name: call.name, arguments: [call.arguments] })),
      usage: chatUsageOf(31, 12),
    };
    return streaming
      ? { sse: chatScriptEvents(script) }
      : { status: 200, body: chatScriptCompletion(script) };
  },
  resultsIn(body) {
    return asArray((body as Json)['messages'])
      .filter((message) => message['role'] === 'tool')
      .map((message) => ({
        callId: String(message['tool_call_id']),
        text: String(message['content']),
      }));
  },
};

const responses: AgenticProfile = {
  profile: responsesProfile,
  dialect: openaiResponses,
  toolCall(streaming, calls) {
    const [first] = calls;
    if (streaming && calls.length === 1 && first !== undefined) {
      return {
        sse: responsesFunctionCallStreamEvents({
          callId: first.id,
          name: first.name,
          arguments: first.arguments,
        }),
      };
    }
    if (streaming) throw new Error('one streamed call per turn in this profile');
    return {
      status: 200,
      body: {
        ...responseObject(''),
        id: 'resp_tool_turn',
        output: calls.map((call, i) => ({
          id: `fc_${i}`,
          type: 'function_call',
          status: 'completed',
          call_id: call.id,
          name: call.name,
          arguments: call.arguments,
        })),
        usage: responsesUsage,
      },
    };
  },
  resultsIn(body) {
    return asArray((body as Json)['input'])
      .filter((item) => item['type'] === 'function_call_output')
      .map((item) => ({ callId: String(item['call_id']), text: String(item['output']) }));
  },
};

/** The APIs whose dialect takes part in the agentic loop. */
export const agenticProfiles: readonly AgenticProfile[] = [messages, chat, responses].filter(
  (p) => p.dialect.agentic !== undefined,
);
