import { Agent } from 'node:http';
import { DIALECT_SPECS, type DialectId } from './dialects.js';
import type { MockProcess } from './mock-process.js';
import { openStream } from './stream-probe.js';
import type { Target } from './targets.js';

const SHAPE: Readonly<Record<DialectId, [field: string, value: string]>> = {
  messages: ['type', 'message'],
  chat: ['object', 'chat.completion'],
  responses: ['object', 'response'],
};

/**
 * Before a target is measured: one blocking and one streaming request per dialect must come
 * back right, and the mock must have received them with the expected provider key — so a
 * gateway that answered from somewhere else (or not at all) cannot be benchmarked by mistake.
 */
export async function verifyTarget(
  target: Target,
  mock: MockProcess,
  dialects: readonly DialectId[],
): Promise<void> {
  const agent = new Agent({ keepAlive: false });
  try {
    for (const dialect of dialects) {
      const spec = DIALECT_SPECS[dialect];
      const endpoint = target.endpoint(dialect);
      const before = await mock.stats();
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: { ...endpoint.headers, 'content-type': 'application/json' },
        body: spec.body(),
      });
      const text = await response.text();
      const fail = (why: string): Error =>
        new Error(
          `${target.label}, ${spec.label}: ${why} (HTTP ${response.status}: ${text.slice(0, 200)})`,
        );
      if (response.status !== 200) throw fail('blocking request failed');
      const [field, value] = SHAPE[dialect];
      if ((JSON.parse(text) as Record<string, unknown>)[field] !== value) {
        throw fail(`answer is not a ${value}`);
      }
      const after = await mock.stats();
      const path = spec.upstreamPath;
      if ((after.requests[path] ?? 0) <= (before.requests[path] ?? 0)) {
        throw fail(`the mock upstream never received the request on ${path}`);
      }
      const key = target.upstreamKey;
      if ((after.byKey[key] ?? 0) <= (before.byKey[key] ?? 0)) {
        throw fail(`the mock upstream did not see the expected key ${key}`);
      }
      const plan = { events: 5, intervalMs: 2 };
      const sample = await openStream(endpoint, dialect, spec.body(plan), agent).done;
      if (!sample.complete || sample.delaysMs.length !== plan.events) {
        throw new Error(
          `${target.label}, ${spec.label}: streaming request failed (${sample.error ?? 'incomplete'}, ${sample.delaysMs.length}/${plan.events} events)`,
        );
      }
    }
  } finally {
    agent.destroy();
  }
}
