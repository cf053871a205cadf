import type { ApiFamily, BridgeRequest, Dialect, DialectId, StreamObserver } from './dialect.js';
import { usageReader, type UsageFields } from './usage-fields.js';

interface DialectSpec {
  readonly id: DialectId;
  readonly family: ApiFamily;
  readonly usage: UsageFields;
  readonly observeStream: (request: BridgeRequest | undefined) => StreamObserver;
  /** Defaults to the client's bytes, untouched. */
  readonly upstreamBody?: (request: BridgeRequest) => Buffer;
}

export function defineDialect(spec: DialectSpec): Dialect {
  return {
    id: spec.id,
    family: spec.family,
    upstreamBody: spec.upstreamBody ?? ((request) => request.raw),
    observeStream: spec.observeStream,
    usageOf: usageReader(spec.usage),
  };
}
