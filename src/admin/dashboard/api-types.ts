/* The admin API's JSON as DESIGN ("Admin API") defines it; the dashboard only reads it. */

export type KeyState = 'valid' | 'temporary' | 'permanent';

export interface KeyView {
  readonly index: number;
  readonly hint: string;
  readonly state: KeyState;
  readonly cooldown_remaining_ms: number;
}

export interface ProviderView {
  readonly name: string;
  readonly type: string;
  readonly keys: readonly KeyView[];
}

export interface UsageCounts {
  readonly input: number;
  readonly output: number;
  readonly cache_read: number;
  readonly cache_write: number;
}

export interface InterceptionItem {
  readonly id: string;
  readonly user: string;
  readonly provider: string;
  readonly model: string;
  readonly route: string;
  readonly streaming: boolean;
  readonly client: string;
  readonly credential_kind: string;
  readonly credential_hint: string | null;
  readonly started_at: string;
  readonly ended_at: string;
  readonly outcome: string;
  readonly attempts: number;
  readonly usage: UsageCounts;
  readonly cost_usd: number | null;
}

export interface InterceptionPage {
  readonly items: readonly InterceptionItem[];
  readonly next_cursor: string | null;
}

export interface FullUsage extends UsageCounts {
  readonly reasoning: number;
  readonly other: Readonly<Record<string, number>>;
}

export interface AttemptView {
  readonly key_hint: string;
  readonly key_index: number | null;
  readonly status: number | null;
  readonly latency_ms: number;
  readonly failed_over: boolean;
  readonly upstream_request_id: string | null;
  readonly error: string | null;
}

export interface UpstreamCallView {
  readonly iteration: number;
  readonly usage: FullUsage;
  readonly attempts: readonly AttemptView[];
}

export interface ToolCallView {
  readonly iteration: number;
  readonly server: string | null;
  readonly tool: string;
  readonly injected: boolean;
  readonly arguments: string;
  readonly duration_ms: number | null;
  readonly error: string | null;
}

export interface InterceptionDetail extends Omit<InterceptionItem, 'usage'> {
  readonly usage: FullUsage;
  readonly status: number;
  readonly error: string | null;
  readonly duration_ms: number;
  readonly client_version: string | null;
  readonly client_language: string | null;
  readonly client_session_id: string | null;
  readonly user_agent: string | null;
  readonly upstream_calls: readonly UpstreamCallView[];
  readonly tool_calls: readonly ToolCallView[];
  readonly prompt: string | null;
  readonly thoughts: string | null;
}

export type SeriesBucket = 'hour' | 'day';
export type SeriesBy = 'model' | 'user' | 'provider' | 'client';

export interface UsagePoint {
  readonly start: string;
  readonly key: string;
  readonly requests: number;
  readonly input: number;
  readonly output: number;
  readonly cache_read: number;
  readonly cache_write: number;
  readonly reasoning: number;
  readonly cost_usd: number | null;
  readonly unpriced: number;
}

export interface UsageSeries {
  readonly bucket: SeriesBucket;
  readonly by: SeriesBy;
  readonly points: readonly UsagePoint[];
}
