import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  McpError,
  ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../log/logger.js';
import { errorText, safeUrl, secretsOf } from './error-text.js';
import type { Clock } from '../keypool/clock.js';
import type { McpServerSettings, McpTransportSettings } from './settings.js';
import { listedTool, ListPageSchema, type ListedTool } from './tool-listing.js';
import { CallResultSchema, resultText } from './tool-result.js';
import type { ToolFailure } from './tool-source.js';

export type ConnectionState = 'connecting' | 'ready' | 'down' | 'closed';

/** Delay before the n-th retry (n from 0): `initialMs`·2ⁿ, at most `maxMs`. */
export interface Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 1000, maxMs: 60_000 };

/** What a call gives back before the hub adds the names and the duration. */
export interface CallOutcome {
  readonly text: string;
  readonly failure: ToolFailure | undefined;
}

export interface ConnectionDeps {
  readonly scheduler: Clock;
  readonly logger: Logger;
  readonly backoff: Backoff;
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** The state or the tool list changed. */
  readonly onChange: () => void;
  readonly createTransport: (
    settings: McpTransportSettings,
    onStderr: (line: string) => void,
  ) => Transport;
}

/** A request to the server took longer than its limit. */
class DeadlineError extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${formatMs(ms)}`);
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** The SDK reports the transport's failures as anything but a protocol error. */
function isTransportFailure(error: unknown): boolean {
  return !(error instanceof McpError) || error.code === (ErrorCode.ConnectionClosed as number);
}

const MAX_STDERR_LINE = 200;
/** Guards against a server whose cursors never end. */
const MAX_LIST_PAGES = 100;

/**
 * One configured MCP server: connects, lists its tools, keeps the list fresh on
 * `notifications/tools/list_changed`, runs tool calls, and when it is unreachable or drops,
 * reconnects with exponential backoff on the injected scheduler. Nothing it does throws to
 * its owner.
 */
export class ServerConnection {
  private currentState: ConnectionState = 'connecting';
  private listed: readonly ListedTool[] = [];
  private client: Client | undefined;
  /** Bumped by every attempt and every drop: callbacks of an older client are ignored. */
  private generation = 0;
  private failures = 0;
  private error: string | undefined;
  private retryAt: number | undefined;
  private cancelRetry: (() => void) | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private probing = false;
  private lastStderr: string | undefined;
  private readonly secrets: readonly string[];
  private readonly log: Logger;

  constructor(
    private currentSettings: McpServerSettings,
    private readonly deps: ConnectionDeps,
  ) {
    this.secrets = secretsOf(currentSettings.transport);
    const { transport } = currentSettings;
    this.log = deps.logger.child({
      mcp_server: currentSettings.name,
      ...(transport.kind === 'http'
        ? { mcp_url: safeUrl(transport.url) }
        : { mcp_command: transport.command }),
    });
  }

  get settings(): McpServerSettings {
    return this.currentSettings;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The server's tools as last listed; empty unless ready. */
  get tools(): readonly ListedTool[] {
    return this.currentState === 'ready' ? this.listed : [];
  }

  get lastError(): string | undefined {
    return this.error;
  }

  /** Until the next connection attempt, while down. */
  get retryInMs(): number | undefined {
    return this.retryAt === undefined
      ? undefined
      : Math.max(0, this.retryAt - this.deps.scheduler.now());
  }

  /** Filters and the call timeout change in place; a new transport needs a new connection. */
  updateSettings(settings: McpServerSettings): void {
    this.currentSettings = settings;
  }

  /** The first attempt; resolves once it succeeded or failed (a retry is then scheduled). */
  start(): Promise<void> {
    return this.attempt();
  }

  async close(): Promise<void> {
    this.generation++;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.retryAt = undefined;
    const client = this.client;
    this.client = undefined;
    this.currentState = 'closed';
    await client?.close().catch(() => undefined);
  }

  async call(
    tool: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined },
  ): Promise<CallOutcome> {
    const client = this.client;
    if (client === undefined || this.currentState !== 'ready') {
      return {
        failure: 'server_unavailable',
        text: `The tool could not be run: the MCP server "${this.currentSettings.name}" is unavailable (${this.error ?? this.currentState}).`,
      };
    }
    const timeoutMs = options.timeoutMs ?? this.currentSettings.timeoutMs;
    try {
      const result = await this.withDeadline(
        timeoutMs,
        (signal) =>
          client.request(
            { method: 'tools/call', params: { name: tool, arguments: args } },
            CallResultSchema,
            { signal, timeout: timeoutMs },
          ),
        options.signal,
      );
      const text = resultText(result);
      return result.isError === true
        ? { failure: 'tool_error', text }
        : { failure: undefined, text };
    } catch (error) {
      if (options.signal?.aborted === true) {
        return { failure: 'cancelled', text: 'The tool call was cancelled.' };
      }
      if (
        error instanceof DeadlineError ||
        (error instanceof McpError && error.code === (ErrorCode.RequestTimeout as number))
      ) {
        return {
          failure: 'timeout',
          text: `The tool did not answer within ${formatMs(timeoutMs)}; it may or may not have finished.`,
        };
      }
      if (isTransportFailure(error)) {
        this.check(client);
        return {
          failure: 'server_unavailable',
          text: `The connection to the MCP server "${this.currentSettings.name}" failed during the call (${this.describe(error)}); the tool may or may not have run.`,
        };
      }
      return { failure: 'tool_error', text: `The tool failed: ${this.describe(error)}` };
    }
  }

  private describe(error: unknown): string {
    return errorText(error, this.secrets);
  }

  private setState(state: ConnectionState): void {
    this.currentState = state;
    this.deps.onChange();
  }

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.retryAt = undefined;
    this.lastStderr = undefined;
    this.setState('connecting');
    const client = new Client({ ...this.deps.clientInfo }, { capabilities: {} });
    const isCurrent = (): boolean => this.generation === generation && this.client === client;
    client.onclose = () => {
      if (isCurrent()) this.lost(new Error(this.closedReason()));
    };
    client.onerror = () => {
      if (isCurrent() && this.currentState === 'ready') this.check(client);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      if (isCurrent()) this.refreshInBackground(client);
    });
    try {
      const transport = this.deps.createTransport(this.currentSettings.transport, (line) => {
        this.stderrLine(line);
      });
      await this.withDeadline(this.currentSettings.timeoutMs, (signal) =>
        client.connect(transport, { signal, timeout: this.currentSettings.timeoutMs }),
      );
      if (this.generation !== generation) {
        await client.close().catch(() => undefined);
        return;
      }
      this.client = client;
      await this.refresh(client);
      if (!isCurrent()) return;
      this.failures = 0;
      this.error = undefined;
      this.setState('ready');
      this.log.info({ tools: this.listed.length }, 'MCP server ready');
    } catch (error) {
      if (this.generation !== generation) return;
      this.client = undefined;
      void client.close().catch(() => undefined);
      this.failed(error, 'MCP server unavailable');
    }
  }

  private closedReason(): string {
    const last = this.lastStderr === undefined ? '' : ` (last stderr line: ${this.lastStderr})`;
    return this.currentSettings.transport.kind === 'stdio'
      ? `the server process exited${last}`
      : 'the connection closed';
  }

  private stderrLine(line: string): void {
    const text = errorText(line, this.secrets).slice(0, MAX_STDERR_LINE);
    if (text === '') return;
    this.lastStderr = text;
    this.log.debug({ stderr: text }, 'MCP server stderr');
  }

  /** Marks the server down and schedules the next attempt. */
  private failed(error: unknown, message: string): void {
    this.error = this.describe(error);
    const delay = Math.min(
      this.deps.backoff.initialMs * 2 ** this.failures,
      this.deps.backoff.maxMs,
    );
    this.failures++;
    this.retryAt = this.deps.scheduler.now() + delay;
    this.cancelRetry = this.deps.scheduler.schedule(delay, () => {
      this.cancelRetry = undefined;
      void this.attempt();
    });
    this.setState('down');
    this.log.warn({ error: this.error, retry_in_ms: delay, failures: this.failures }, message);
  }

  /** A ready connection broke: drop it and reconnect. */
  private lost(error: unknown): void {
    if (this.currentState !== 'ready') return;
    const client = this.client;
    this.generation++;
    this.client = undefined;
    void client?.close().catch(() => undefined);
    this.failed(error, 'MCP server connection lost');
  }

  /**
   * The transport reported an error: one failed POST or a closed event stream need not
   * mean the server is gone, so a ping decides. A server that answers may have sent a
   * tool-list change we missed, so the list is read again.
   */
  private check(client: Client): void {
    if (this.probing) return;
    this.probing = true;
    const timeoutMs = this.currentSettings.timeoutMs;
    this.withDeadline(timeoutMs, (signal) => client.ping({ signal, timeout: timeoutMs })).then(
      () => {
        this.probing = false;
        if (this.client === client) this.refreshInBackground(client);
      },
      (error: unknown) => {
        this.probing = false;
        if (this.client === client) this.lost(error);
      },
    );
  }

  /** Lists the tools again; a notification during a listing triggers one more. */
  private refresh(client: Client): Promise<void> {
    if (this.refreshing !== undefined) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.refreshAgain = false;
          const tools = await this.listTools(client);
          if (this.client !== client) return;
          this.listed = tools;
          this.deps.onChange();
        } while (this.refreshRequested());
      } finally {
        this.refreshing = undefined;
      }
    };
    this.refreshing = run();
    return this.refreshing;
  }

  /** Read through a method: the compiler would keep `refreshAgain` narrowed across awaits. */
  private refreshRequested(): boolean {
    return this.refreshAgain;
  }

  private refreshInBackground(client: Client): void {
    const before = this.listed.length;
    this.refresh(client).then(
      () => {
        if (this.client === client && this.currentState === 'ready') {
          this.log.info({ tools: this.listed.length, before }, 'MCP tool list refreshed');
        }
      },
      (error: unknown) => {
        if (this.client !== client || this.currentState !== 'ready') return;
        if (isTransportFailure(error)) this.check(client);
        else {
          this.log.warn(
            { error: this.describe(error) },
            'MCP tool list refresh failed: keeping the previous list',
          );
        }
      },
    );
  }

  private async listTools(client: Client): Promise<ListedTool[]> {
    if (client.getServerCapabilities()?.tools === undefined) return [];
    const timeoutMs = this.currentSettings.timeoutMs;
    const tools: ListedTool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const params = cursor === undefined ? {} : { cursor };
      const result = await this.withDeadline(timeoutMs, (signal) =>
        client.request({ method: 'tools/list', params }, ListPageSchema, {
          signal,
          timeout: timeoutMs,
        }),
      );
      for (const raw of result.tools) {
        const verdict = listedTool(raw);
        if (!verdict.ok) {
          this.log.warn({ tool: verdict.name, reason: verdict.reason }, 'MCP tool left out');
        } else if (seen.has(verdict.tool.name)) {
          this.log.warn({ tool: verdict.tool.name }, 'MCP tool listed twice: the first kept');
        } else {
          seen.add(verdict.tool.name);
          tools.push(verdict.tool);
        }
      }
      cursor = result.nextCursor;
      if (cursor === undefined) break;
    }
    return tools;
  }

  /**
   * Runs `work` with a signal that aborts after `ms` on the injected scheduler (so tests
   * drive timeouts with a fake clock) or when `outer` aborts. Rejects with a DeadlineError
   * when the time ran out.
   */
  private async withDeadline<T>(
    ms: number,
    work: (signal: AbortSignal) => Promise<T>,
    outer?: AbortSignal,
  ): Promise<T> {
    const controller = new AbortController();
    const deadline = new DeadlineError(ms);
    const cancel = this.deps.scheduler.schedule(ms, () => {
      controller.abort(deadline);
    });
    const forward = (): void => {
      controller.abort(outer?.reason);
    };
    if (outer?.aborted === true) forward();
    else outer?.addEventListener('abort', forward, { once: true });
    try {
      return await work(controller.signal);
    } catch (error) {
      throw controller.signal.reason === deadline ? deadline : error;
    } finally {
      cancel();
      outer?.removeEventListener('abort', forward);
    }
  }
}
