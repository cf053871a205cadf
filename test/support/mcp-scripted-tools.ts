import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';

/** What a scripted tool does when called; serialisable, so a stdio child can be told too. */
export type ToolBehavior =
  /** Answers its `text` argument. */
  | 'echo'
  /** Waits `ms` (default 60 s), then answers; aborts when the client cancels. */
  | 'slow'
  /** Throws: the client gets a JSON-RPC error. */
  | 'throw'
  /** Answers with `isError: true`. */
  | 'error_result'
  /** Adds an echo tool named `name`, which sends `notifications/tools/list_changed`. */
  | 'add_tool'
  /** Removes the tool `name`, which sends `notifications/tools/list_changed`. */
  | 'remove_tool'
  /** Answers with the names of its environment variables (stdio: what the child inherits). */
  | 'env'
  /** Answers, then the server process exits (stdio) or the server stops (HTTP). */
  | 'exit';

export interface ScriptedToolSpec {
  readonly name: string;
  readonly description?: string;
  /** Sent as is; defaults to an object schema with the behaviour's arguments. */
  readonly inputSchema?: Record<string, unknown>;
  readonly behavior?: ToolBehavior;
}

export interface ToolCallRecord {
  readonly name: string;
  readonly arguments: Record<string, unknown>;
}

const SCHEMAS: Partial<Record<ToolBehavior, Record<string, unknown>>> = {
  echo: {
    type: 'object',
    properties: { text: { type: 'string', description: 'What to say back' } },
    required: ['text'],
  },
  slow: {
    type: 'object',
    properties: { ms: { type: 'integer', minimum: 0 } },
  },
  add_tool: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
  remove_tool: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
};

/** The tools most tests want: one of each behaviour, named after it. */
export const DEFAULT_TOOLS: readonly ScriptedToolSpec[] = [
  { name: 'echo', description: 'Says its text back', behavior: 'echo' },
  { name: 'slow', description: 'Answers after ms milliseconds', behavior: 'slow' },
  { name: 'throw', description: 'Always throws', behavior: 'throw' },
  { name: 'error_result', description: 'Always reports an error', behavior: 'error_result' },
  { name: 'add_tool', description: 'Adds an echo tool', behavior: 'add_tool' },
  { name: 'remove_tool', description: 'Removes a tool', behavior: 'remove_tool' },
];

function text(value: string, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: value }], ...(isError ? { isError } : {}) };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('cancelled'));
      },
      { once: true },
    );
  });
}

/**
 * A scripted tool list shared by every session of a test MCP server: calls are recorded,
 * and adding or removing a tool tells every connected session.
 */
export class ScriptedTools {
  private readonly specs = new Map<string, ScriptedToolSpec>();
  private readonly servers = new Set<McpServer>();
  readonly calls: ToolCallRecord[] = [];
  private readonly waiters: { name: string; times: number; resolve: () => void }[] = [];

  constructor(
    specs: readonly ScriptedToolSpec[] = DEFAULT_TOOLS,
    /** What the `exit` behaviour does, after the answer has gone out. */
    private readonly onExit: () => void = () => undefined,
  ) {
    for (const spec of specs) this.specs.set(spec.name, spec);
  }

  add(spec: ScriptedToolSpec): void {
    this.specs.set(spec.name, spec);
    this.changed();
  }

  remove(name: string): void {
    this.specs.delete(name);
    this.changed();
  }

  /** Resolves once `times` calls of `name` have started (at once if they already have). */
  called(name: string, times = 1): Promise<void> {
    if (this.count(name) >= times) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ name, times, resolve }));
  }

  private count(name: string): number {
    return this.calls.filter((c) => c.name === name).length;
  }

  /** A fresh MCP server (one per session) over these tools, with raw JSON Schemas. */
  createServer(): McpServer {
    const mcp = new McpServer(
      { name: 'switchyard-test-tools', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    mcp.server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [...this.specs.values()].map((spec) => ({
        name: spec.name,
        ...(spec.description === undefined ? {} : { description: spec.description }),
        inputSchema: spec.inputSchema ??
          SCHEMAS[spec.behavior ?? 'echo'] ?? { type: 'object', properties: {} },
      })),
    }));
    mcp.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
      this.call(request.params.name, request.params.arguments ?? {}, extra.signal),
    );
    this.servers.add(mcp);
    mcp.server.onclose = () => {
      this.servers.delete(mcp);
    };
    return mcp;
  }

  private changed(): void {
    for (const mcp of this.servers) if (mcp.isConnected()) mcp.sendToolListChanged();
  }

  private async call(
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<CallToolResult> {
    const spec = this.specs.get(name);
    if (spec === undefined) throw new McpError(ErrorCode.InvalidParams, `unknown tool ${name}`);
    this.calls.push({ name, arguments: args });
    for (const waiter of this.waiters) {
      if (waiter.name === name && this.count(name) >= waiter.times) waiter.resolve();
    }
    const argument = (key: string): string => {
      const value = args[key];
      return typeof value === 'string' ? value : JSON.stringify(value ?? '');
    };
    switch (spec.behavior ?? 'echo') {
      case 'echo':
        return text(argument('text'));
      case 'slow': {
        const ms = typeof args['ms'] === 'number' ? args['ms'] : 60_000;
        await sleep(ms, signal);
        return text(`slept ${ms} ms`);
      }
      case 'throw':
        throw new Error('the tool broke on purpose');
      case 'error_result':
        return text('the tool reported a failure', true);
      case 'add_tool':
        this.add({ name: argument('name'), description: 'Added at runtime', behavior: 'echo' });
        return text(`added ${argument('name')}`);
      case 'remove_tool':
        this.remove(argument('name'));
        return text(`removed ${argument('name')}`);
      case 'env':
        return text(Object.keys(process.env).sort().join(','));
      case 'exit':
        setTimeout(this.onExit, 20);
        return text('bye');
    }
  }
}
