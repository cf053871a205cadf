import { readFileSync } from 'node:fs';
import type { Logger } from '../log/logger.js';
import { systemClock, type Clock } from '../keypool/clock.js';
import {
  DEFAULT_BACKOFF,
  ServerConnection,
  type Backoff,
  type ConnectionDeps,
} from './server-connection.js';
import type { McpServerSettings, McpTransportSettings } from './settings.js';
import { isToolAllowed } from './tool-filter.js';
import { NameRegistry, type NameCollision } from './tool-naming.js';
import { SnapshotToolSet, type ToolRunner } from './tool-set.js';
import type {
  InjectedTool,
  ToolCallOptions,
  ToolCallResult,
  ToolSet,
  ToolSource,
} from './tool-source.js';
import { createTransport } from './transports.js';

export interface McpHubOptions {
  readonly servers: readonly McpServerSettings[];
  readonly logger: Logger;
  readonly clock?: Clock;
  readonly backoff?: Backoff;
}

/** One server as /readyz reports it. */
export interface McpServerStatus {
  readonly name: string;
  readonly transport: 'http' | 'stdio';
  readonly state: 'connecting' | 'ready' | 'down';
  /** Tools of this server injected now (after tool_allow / tool_deny). */
  readonly tools: number;
  readonly lastError: string | undefined;
  /** While down: until the next attempt. */
  readonly retryInMs: number | undefined;
}

function gatewayVersion(): string {
  try {
    const url = new URL('../../package.json', import.meta.url);
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0';
  } catch {
    return '0';
  }
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameTransport(a: McpTransportSettings, b: McpTransportSettings): boolean {
  const canonical = (t: McpTransportSettings): string =>
    JSON.stringify(
      t.kind === 'http'
        ? [t.kind, t.url.href, Object.entries(t.headers).sort()]
        : [t.kind, t.command, t.args, Object.entries(t.env).sort()],
    );
  return canonical(a) === canonical(b);
}

/** The arguments the model wrote, as the object MCP wants, or why they are not one. */
function parseArguments(json: string): Record<string, unknown> | string {
  if (json.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return `they are not valid JSON (${error instanceof Error ? error.message : 'unreadable'})`;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'they are not a JSON object';
  }
  return value as Record<string, unknown>;
}

/**
 * The MCP servers of the configuration, connected concurrently, and the tools they offer
 * as one `ToolSource`. The snapshot is rebuilt when a server's state or tool list changes,
 * never on a request's path; a rebuild that yields the same tools keeps the same snapshot
 * (and so the dialects' cached encoding).
 */
export class McpHub implements ToolSource, ToolRunner {
  private connections: ServerConnection[] = [];
  private current: SnapshotToolSet;
  private fingerprint = '[]';
  private readonly listeners = new Set<() => void>();
  private readonly scheduler: Clock;
  private readonly deps: ConnectionDeps;
  /** Name collisions already logged, so a steady state logs each once. */
  private reported = new Set<string>();
  private closed = false;

  constructor(private readonly options: McpHubOptions) {
    this.scheduler = options.clock ?? systemClock;
    this.deps = {
      scheduler: this.scheduler,
      logger: options.logger,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      clientInfo: { name: 'switchyard', version: gatewayVersion() },
      onChange: () => {
        this.rebuild();
      },
      createTransport,
    };
    this.current = this.toolSet(0, []);
    this.connections = options.servers.map((s) => new ServerConnection(s, this.deps));
  }

  /**
   * Connects every server at once. Resolves when each first attempt has succeeded or failed
   * (failed ones keep retrying in the background); never rejects. The gateway may serve
   * before this resolves: requests then get the tools of the servers ready so far.
   */
  async start(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.start()));
  }

  snapshot(): ToolSet {
    return this.current;
  }

  status(): McpServerStatus[] {
    const counts = new Map<string, number>();
    for (const tool of this.current.tools)
      counts.set(tool.server, (counts.get(tool.server) ?? 0) + 1);
    return this.connections.map((c) => ({
      name: c.settings.name,
      transport: c.settings.transport.kind,
      state: c.state === 'closed' ? 'down' : c.state,
      tools: counts.get(c.settings.name) ?? 0,
      lastError: c.lastError,
      retryInMs: c.retryInMs,
    }));
  }

  /** Called after every change of a server's state or tools; returns the unsubscriber. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * A reload: servers whose transport is unchanged keep their connection (new filters and
   * timeout apply at once); changed ones reconnect; removed ones close; added ones connect.
   */
  async reconfigure(servers: readonly McpServerSettings[]): Promise<void> {
    const existing = new Map(this.connections.map((c) => [c.settings.name, c]));
    const next: ServerConnection[] = [];
    const started: Promise<void>[] = [];
    const stopped: Promise<void>[] = [];
    for (const settings of servers) {
      const connection = existing.get(settings.name);
      existing.delete(settings.name);
      if (
        connection !== undefined &&
        sameTransport(connection.settings.transport, settings.transport)
      ) {
        connection.updateSettings(settings);
        next.push(connection);
        continue;
      }
      if (connection !== undefined) stopped.push(connection.close());
      const fresh = new ServerConnection(settings, this.deps);
      next.push(fresh);
      started.push(fresh.start());
    }
    for (const removed of existing.values()) stopped.push(removed.close());
    this.connections = next;
    this.rebuild();
    await Promise.all([...stopped, ...started]);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connections = this.connections;
    this.connections = [];
    await Promise.all(connections.map((c) => c.close()));
    this.rebuild();
  }

  async run(
    tool: InjectedTool,
    argumentsJson: string,
    options: ToolCallOptions = {},
  ): Promise<ToolCallResult> {
    const started = this.scheduler.now();
    const result = (text: string, failure: ToolCallResult['failure']): ToolCallResult => ({
      text,
      isError: failure !== undefined,
      failure,
      server: tool.server,
      tool: tool.tool,
      durationMs: this.scheduler.now() - started,
    });
    if (options.signal?.aborted === true)
      return result('The tool call was cancelled.', 'cancelled');
    const args = parseArguments(argumentsJson);
    if (typeof args === 'string') {
      return result(
        `The tool was not run: its arguments are invalid: ${args}.`,
        'invalid_arguments',
      );
    }
    const connection = this.connections.find((c) => c.settings.name === tool.server);
    if (connection === undefined) {
      return result(
        `The tool could not be run: the MCP server "${tool.server}" is no longer configured.`,
        'server_unavailable',
      );
    }
    const outcome = await connection.call(tool.tool, args, options);
    return result(outcome.text, outcome.failure);
  }

  private toolSet(version: number, tools: readonly InjectedTool[]): SnapshotToolSet {
    return new SnapshotToolSet(version, tools, this, (collisions) => {
      this.report(collisions, 'with a tool of the client');
    });
  }

  private report(collisions: readonly NameCollision[], cause: string): void {
    for (const c of collisions) {
      const key = `${c.server}\0${c.tool}\0${c.assigned}`;
      if (this.reported.has(key)) continue;
      if (this.reported.size > 10_000) this.reported = new Set();
      this.reported.add(key);
      this.options.logger.warn(
        { mcp_server: c.server, tool: c.tool, wanted: c.wanted, assigned: c.assigned },
        `MCP tool name collision ${cause}: renamed`,
      );
    }
  }

  /**
   * Servers in configuration order, each server's allowed tools by name; names assigned in
   * that order, so an earlier tool keeps a contested name.
   */
  private rebuild(): void {
    const registry = new NameRegistry();
    const tools: InjectedTool[] = [];
    if (!this.closed) {
      for (const connection of this.connections) {
        const { settings } = connection;
        const listed = connection.tools
          .filter((t) => isToolAllowed(settings, t.name))
          .sort((a, b) => byCodeUnits(a.name, b.name));
        for (const t of listed) {
          tools.push({
            name: registry.assign(settings.name, t.name),
            server: settings.name,
            tool: t.name,
            description: t.description,
            inputSchema: t.inputSchema,
          });
        }
      }
    }
    this.report(registry.collisions, 'between MCP tools');
    const fingerprint = JSON.stringify(
      tools.map((t) => [t.name, t.server, t.tool, t.description, t.inputSchema]),
    );
    if (fingerprint !== this.fingerprint) {
      this.fingerprint = fingerprint;
      this.current = this.toolSet(this.current.version + 1, tools);
    }
    for (const listener of this.listeners) listener();
  }
}
