/** How the gateway reaches one MCP server. */
export type McpTransportSettings =
  | {
      readonly kind: 'http';
      /** The Streamable HTTP endpoint. */
      readonly url: URL;
      /** Sent with every request (typically authorization); never logged. */
      readonly headers: Readonly<Record<string, string>>;
    }
  | {
      readonly kind: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      /**
       * Added to the few variables a child inherits (HOME, LOGNAME, PATH, SHELL, TERM,
       * USER): the gateway's own secrets are not passed on. Never logged.
       */
      readonly env: Readonly<Record<string, string>>;
    };

/** One `mcp_servers` entry, validated. */
export interface McpServerSettings {
  /** `[a-z0-9]+(-[a-z0-9]+)*`, unique, at most 32 characters: part of every injected name. */
  readonly name: string;
  readonly transport: McpTransportSettings;
  /** A tool is injected when its own name matches one of these (all when empty)… */
  readonly toolAllow: readonly RegExp[];
  /** …and none of these: deny wins. */
  readonly toolDeny: readonly RegExp[];
  /** Limit for one MCP request to this server: a tool call, a tool listing, the handshake. */
  readonly timeoutMs: number;
}

export interface McpSettings {
  readonly servers: readonly McpServerSettings[];
  /** Upstream calls one request may make in the agentic loop. */
  readonly maxIterations: number;
}
