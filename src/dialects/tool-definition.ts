/**
 * A tool the gateway adds to a request, in no API's format yet: what every dialect needs
 * to declare it. Where it comes from (MCP) is none of the dialects' business.
 */
export interface ToolDefinition {
  /** Already valid for every provider: `^[a-zA-Z0-9_-]{1,64}$`. */
  readonly name: string;
  readonly description: string | undefined;
  /** A JSON Schema object for the arguments, sent as given. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
}
