import type { Clock } from '../keypool/clock.js';
import type { ToolSource } from '../mcp/tool-source.js';
import type { InterceptionSink } from '../recorder/interception.js';
import type { Logger } from '../telemetry/logger.js';
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
  /** Metrics, tracing, the dump; undefined when none is on. */
  readonly observer: InterceptionObserver | undefined;
}
