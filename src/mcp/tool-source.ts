import type { ToolDefinition } from '../dialects/tool-definition.js';

/** An MCP tool as the model sees it, and where it really lives. */
export interface InjectedTool extends ToolDefinition {
  /** The injected name (`mcp_<server>__<tool>`, see tool-naming.ts). */
  readonly name: string;
  readonly server: string;
  /** The tool's own name on its server. */
  readonly tool: string;
  readonly description: string | undefined;
  /** The server's JSON Schema for the arguments, whole, in the server's own key order. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** Why a tool call gave the model an error result. */
export type ToolFailure =
  /** The tool said so (`isError`) or threw. */
  | 'tool_error'
  | 'timeout'
  /** The server is down, reconnecting, or the connection broke during the call. */
  | 'server_unavailable'
  /** The model's arguments are not a JSON object. */
  | 'invalid_arguments'
  /** The name is not an injected tool of this request. */
  | 'unknown_tool'
  /** The caller's signal aborted the call (the client hung up). */
  | 'cancelled';

/** What a tool call gives the model: never a thrown exception for an ordinary failure. */
export interface ToolCallResult {
  /** The tool's text content, or for a failure a sentence the model can act on. */
  readonly text: string;
  readonly isError: boolean;
  /** Set exactly when `isError`. */
  readonly failure: ToolFailure | undefined;
  /** For the record. */
  readonly server: string;
  readonly tool: string;
  readonly durationMs: number;
}

export interface ToolCallOptions {
  /** Aborting it ends the call at once with a `cancelled` result (and tells the server). */
  readonly signal?: AbortSignal;
  /** Overrides the server's configured `timeout`. */
  readonly timeoutMs?: number;
}

/**
 * The tools one request is given: a snapshot, unchanged for as long as the request holds
 * it, even if a server's tool list changes meanwhile. Names resolve against what the model
 * was shown.
 */
export interface ToolSet {
  /** Bumped whenever the injectable tools change; equal versions hold equal tools. */
  readonly version: number;
  /**
   * In a stable order (servers as configured, then each server's tools by name), so that
   * identical tool lists encode to identical bytes. The same array for as long as the tools
   * do not change: dialects cache their encoding by its identity.
   */
  readonly tools: readonly InjectedTool[];
  isInjected(name: string): boolean;
  get(name: string): InjectedTool | undefined;
  /**
   * This set for a request whose client already uses some of these names: each injected
   * tool whose name a client tool holds is renamed (the `NameRegistry` rule), the others
   * keep theirs. Returns this very set when nothing collides.
   */
  avoiding(clientNames: ReadonlySet<string>): ToolSet;
  /** Runs an injected tool by the name the model used. Never rejects. */
  call(name: string, argumentsJson: string, options?: ToolCallOptions): Promise<ToolCallResult>;
}

/** The gateway's MCP tools, as the interception sees them. */
export interface ToolSource {
  /** The injectable tools now: synchronous, never an MCP round trip. */
  snapshot(): ToolSet;
}
