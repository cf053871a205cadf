import { modelWithPlan, type StreamPlan } from './stream-plan.js';

/** The three provider APIs the gateway bridges. */
export type DialectId = 'messages' | 'chat' | 'responses';

export const DIALECTS: readonly DialectId[] = ['messages', 'chat', 'responses'];

export interface DialectSpec {
  readonly id: DialectId;
  readonly label: string;
  /** Which provider type serves it, and so which credential header carries a key. */
  readonly family: 'anthropic' | 'openai';
  /** The upstream path below the provider origin. */
  readonly upstreamPath: string;
  /** A realistic request body; streaming when a plan is given. */
  body(plan?: StreamPlan): string;
}

// An agent turn as coding agents send it: instructions, tool definitions, a tool call and
// its result (a source file), then the next user message. About 5 KB per dialect.
const SYSTEM_PROMPT = [
  'You are a coding agent working in a TypeScript repository on behalf of the user.',
  'Follow the repository conventions: strict TypeScript, small files named after what they',
  'hold, no floating promises, tests next to the code they test. Before editing a file, read',
  'it; after editing, run the type checker and the tests that cover the change. Prefer small,',
  'reviewable changes over sweeping rewrites, and explain what you changed and why in one',
  'short paragraph at the end. Never print secrets; redact anything that looks like a key.',
  'When a command fails, read its output carefully before trying again, and do not retry the',
  'same command more than twice without changing something. Ask before deleting files.',
].join(' ');

const FILE_CONTENT = `import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers every request with the same JSON document; used by the integration tests. */
export class FixedServer {
  private readonly server: Server;
  constructor(private readonly body: string) {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(this.body);
      });
    });
  }
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
`;

const READ_FILE_SCHEMA = {
  type: 'object',
  properties: {
    path: { type: 'string', description: 'Path relative to the repository root' },
    start_line: { type: 'integer', description: 'First line to read (1-based)' },
    end_line: { type: 'integer', description: 'Last line to read (inclusive)' },
  },
  required: ['path'],
};

const RUN_COMMAND_SCHEMA = {
  type: 'object',
  properties: {
    command: { type: 'string', description: 'A shell command to run in the repository' },
    timeout_ms: { type: 'integer', description: 'Kill the command after this long' },
  },
  required: ['command'],
};

const EDIT_FILE_SCHEMA = {
  type: 'object',
  properties: {
    path: { type: 'string' },
    old_text: { type: 'string', description: 'Exact text to replace; must be unique' },
    new_text: { type: 'string', description: 'Replacement text' },
  },
  required: ['path', 'old_text', 'new_text'],
};

const TOOLS = [
  { name: 'read_file', description: 'Read a file from the repository.', schema: READ_FILE_SCHEMA },
  {
    name: 'run_command',
    description: 'Run a shell command and return its output.',
    schema: RUN_COMMAND_SCHEMA,
  },
  { name: 'edit_file', description: 'Replace text in a file.', schema: EDIT_FILE_SCHEMA },
];

const FIRST_ASK = 'The FixedServer in test/support should also expose its URL. Have a look.';
const NEXT_ASK =
  'Good. Add a `url` getter that returns http://127.0.0.1:PORT after listen(), and throws ' +
  'before it. Keep the style of the file.';
const CALL_ARGS = { path: 'test/support/fixed-server.ts' };

const streamFields = (model: string, plan: StreamPlan | undefined): Record<string, unknown> =>
  plan === undefined ? { model } : { model: modelWithPlan(model, plan), stream: true };

function messagesBody(plan?: StreamPlan): string {
  return JSON.stringify({
    ...streamFields('claude-sonnet-4-5', plan),
    max_tokens: 8192,
    system: [{ type: 'text', text: SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } }],
    tools: TOOLS.map((t) => ({ name: t.name, description: t.description, input_schema: t.schema })),
    messages: [
      { role: 'user', content: [{ type: 'text', text: FIRST_ASK }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me read the file first.' },
          { type: 'tool_use', id: 'toolu_01A9', name: 'read_file', input: CALL_ARGS },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A9', content: FILE_CONTENT },
          { type: 'text', text: NEXT_ASK },
        ],
      },
    ],
    metadata: { user_id: 'user_2f9c41' },
  });
}

function chatBody(plan?: StreamPlan): string {
  return JSON.stringify({
    ...streamFields('gpt-5', plan),
    ...(plan === undefined ? {} : { stream_options: { include_usage: true } }),
    max_completion_tokens: 8192,
    tools: TOOLS.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: t.schema },
    })),
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      { role: 'user', content: FIRST_ASK },
      {
        role: 'assistant',
        content: 'Let me read the file first.',
        tool_calls: [
          {
            id: 'call_01A9',
            type: 'function',
            function: { name: 'read_file', arguments: JSON.stringify(CALL_ARGS) },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_01A9', content: FILE_CONTENT },
      { role: 'user', content: NEXT_ASK },
    ],
    user: 'user_2f9c41',
  });
}

function responsesBody(plan?: StreamPlan): string {
  return JSON.stringify({
    ...streamFields('gpt-5-codex', plan),
    instructions: SYSTEM_PROMPT,
    tools: TOOLS.map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description,
      parameters: t.schema,
      strict: false,
    })),
    input: [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: FIRST_ASK }] },
      {
        type: 'function_call',
        call_id: 'call_01A9',
        name: 'read_file',
        arguments: JSON.stringify(CALL_ARGS),
      },
      { type: 'function_call_output', call_id: 'call_01A9', output: FILE_CONTENT },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: NEXT_ASK }] },
    ],
    reasoning: { effort: 'medium', summary: 'auto' },
    store: false,
    include: ['reasoning.encrypted_content'],
    prompt_cache_key: 'session-7f3a',
  });
}

export const DIALECT_SPECS: Readonly<Record<DialectId, DialectSpec>> = {
  messages: {
    id: 'messages',
    label: 'Anthropic Messages',
    family: 'anthropic',
    upstreamPath: '/v1/messages',
    body: messagesBody,
  },
  chat: {
    id: 'chat',
    label: 'OpenAI Chat Completions',
    family: 'openai',
    upstreamPath: '/v1/chat/completions',
    body: chatBody,
  },
  responses: {
    id: 'responses',
    label: 'OpenAI Responses',
    family: 'openai',
    upstreamPath: '/v1/responses',
    body: responsesBody,
  },
};

/** The dialect an upstream path belongs to, for the mock. */
export function dialectOfPath(path: string): DialectId | undefined {
  for (const id of DIALECTS) if (DIALECT_SPECS[id].upstreamPath === path) return id;
  return undefined;
}

/** How a provider key travels for a dialect's API. */
export function keyHeaders(family: 'anthropic' | 'openai', key: string): Record<string, string> {
  return family === 'anthropic'
    ? { 'x-api-key': key, 'anthropic-version': '2023-06-01' }
    : { authorization: `Bearer ${key}` };
}
