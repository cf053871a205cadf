/**
 * The recording schema as the query layer sees it, the same for SQLite and PostgreSQL.
 * Times are milliseconds since the epoch (BIGINT), flags are 0/1 integers (SQLite binds no
 * booleans), maps are JSON text: types both engines store and return alike.
 */

/** One row per interception: every field of the admin API's list item, and more. */
export interface InterceptionsTable {
  id: string;
  started_at: number;
  ended_at: number;
  /** YYYY-MM-DD (UTC) of started_at, so that grouping by day is the same query on both engines. */
  started_day: string;
  user_name: string;
  provider: string;
  /** The dialect: anthropic-messages, openai-chat, openai-responses. */
  route: string;
  model: string;
  streaming: number;
  credential_kind: string;
  credential_hint: string | null;
  attempts: number;
  status: number;
  outcome: string;
  error: string | null;
  client_name: string;
  client_version: string | null;
  client_language: string | null;
  client_session_id: string | null;
  client_user_agent: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  /** JSON object of further counts by the API's names, or null. */
  other_usage: string | null;
  /** Null when the model is unpriced. */
  cost_usd: number | null;
  /**
   * The upstream calls and their attempts, JSON (`StoredCall[]`, migration 0003); null for
   * rows written before it, whose calls are rows of upstream_calls and upstream_attempts.
   */
  upstream: string | null;
}

/** What the newest-first list reads: the row without its upstream calls. */
export type ListedInterception = Omit<InterceptionsTable, 'upstream'>;

/** Token usage of one upstream call (iteration 0 is the client's own request); before migration 0003. */
export interface UpstreamCallsTable {
  interception_id: string;
  iteration: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  other_usage: string | null;
}

/** One try with one key within an upstream call; before migration 0003. */
export interface UpstreamAttemptsTable {
  interception_id: string;
  iteration: number;
  /** The attempt's place within its call, from 0. */
  position: number;
  key_hint: string;
  key_index: number | null;
  status: number | null;
  latency_ms: number;
  failed_over: number;
  upstream_request_id: string | null;
  error: string | null;
}

export interface ToolCallsTable {
  interception_id: string;
  /** The call's place within its interception, from 0. */
  position: number;
  iteration: number;
  server: string | null;
  tool: string;
  injected: number;
  arguments: string;
  duration_ms: number | null;
  error: string | null;
}

/** Prompt and thoughts, apart so that the list scans stay narrow. */
export interface InterceptionTextsTable {
  interception_id: string;
  prompt: string | null;
  thoughts: string | null;
}

/** Gateway tokens issued with `tokens create` or the admin API: only the hash is kept. */
export interface GatewayTokensTable {
  id: string;
  user_name: string;
  note: string | null;
  token_hash: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  /** Masked hint of the token (migration 0002); null for rows issued before it. */
  hint: string | null;
}

/** One row (id 1): bumped with every token issued or revoked, so gateways poll one read. */
export interface GatewayTokenVersionTable {
  id: number;
  version: number;
}

export interface RecordingTables {
  interceptions: InterceptionsTable;
  upstream_calls: UpstreamCallsTable;
  upstream_attempts: UpstreamAttemptsTable;
  tool_calls: ToolCallsTable;
  interception_texts: InterceptionTextsTable;
  gateway_tokens: GatewayTokensTable;
  gateway_token_version: GatewayTokenVersionTable;
}
