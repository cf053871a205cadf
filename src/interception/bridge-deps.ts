import type { Clock } from '../keypool/clock.js';
import type { ToolSource } from '../mcp/tool-source.js';
import type { InterceptionSink } from '../recorder/interception.js';
import type { Pricer } from '../recorder/pricing.js';
import type { Logger } from '../log/logger.js';
import type { InterceptionObserver } from './observer.js';

/** What every interception needs of the gateway around it. */
export interface BridgeDeps {
  readonly clock: Clock;
  readonly sink: InterceptionSink;
  readonly logger: Logger;
  /** `forward_client_ip`: whether the client's address headers reach the provider. */
  readonly forwardClientIp: boolean;
  /** The MCP tools injected into bridged requests; undefined without `mcp_servers`. */
  readonly tools: ToolSource | undefined;
  /** `mcp_max_iterations`: upstream calls one request may make in the agentic loop. */
  readonly maxIterations: number;
  /**
   * Which texts the record carries: `recording.prompts` and `recording.thoughts`, both off
   * when nothing keeps them (no database), so that no request pays for reading them.
   */
  readonly keepTexts: { readonly prompts: boolean; readonly thoughts: boolean };
  /**
   * Each interception's estimated cost, from `prices:` and the maintained table; undefined
   * when nothing would see it (no recording, no metrics, no observer).
   */
  readonly pricer: Pricer | undefined;
  /** Metrics, tracing, the dump; undefined when none is on. */
  readonly observer: InterceptionObserver | undefined;
}
