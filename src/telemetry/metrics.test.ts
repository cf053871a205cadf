import { AggregatorRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Pool } from '../keypool/pool.js';
import { FakeClock } from '../../test/support/fake-clock.js';
import { GatewayMetrics, type MetricSources } from './metrics.js';
import { MetricsObserver } from './metrics-observer.js';
import { ModelLabels, OTHER_MODEL } from './model-labels.js';

function sources(): MetricSources {
  const pool = new Pool(['sk-unit-test-key-aaaaaaaaaaaa1'], new FakeClock());
  return {
    providers: [{ name: 'anthropic', pool, breakers: undefined }],
    recorder: () => ({ state: 'ok', engine: 'off' }),
    dump: () => ({
      queuedBytes: 0,
      writtenBytes: 0,
      droppedBytes: 0,
      truncatedFiles: 0,
      failedWrites: 0,
    }),
    mcp: () => undefined,
  };
}

/** One completed blocking interception with one attempt of `latencyMs`. */
function intercept(metrics: GatewayMetrics, source: MetricSources, latencyMs: number): void {
  const observer = new MetricsObserver(metrics, source.providers);
  const watch = observer.start({
    id: 'i',
    kind: 'bridged',
    provider: 'anthropic',
    dialect: 'anthropic-messages',
    model: 'claude-test',
    streaming: false,
    user: 'u',
    credentialKind: 'centralized',
    method: 'POST',
    upstreamPath: 'v1/messages',
    headers: {},
    body: undefined,
    startedAt: 0,
  });
  watch.end?.({
    outcome: 'completed',
    status: 200,
    error: undefined,
    attempts: [
      {
        keyHint: 'sk-…aaa1',
        keyIndex: 0,
        status: 200,
        latencyMs,
        failedOver: false,
        upstreamRequestId: undefined,
        error: undefined,
      },
    ],
    record: undefined,
    endedAt: 2000,
  });
}

describe('metrics', () => {
  it("workers' registries aggregate with prom-client's AggregatorRegistry", async () => {
    const a = sources();
    const b = sources();
    const one = new GatewayMetrics(a, { processMetrics: false });
    const two = new GatewayMetrics(b, { processMetrics: false });
    intercept(one, a, 20);
    intercept(two, b, 20);
    intercept(two, b, 700);
    const aggregated = AggregatorRegistry.aggregate([
      await one.registry.getMetricsAsJSON(),
      await two.registry.getMetricsAsJSON(),
    ]);
    const text = await aggregated.metrics();
    expect(text).toContain(
      'switchyard_interceptions_total{provider="anthropic",model="claude-test",api="anthropic-messages",outcome="completed",client="other"} 3',
    );
    expect(text).toContain(
      'switchyard_upstream_latency_seconds_bucket{provider="anthropic",le="0.025"} 2',
    );
    expect(text).toContain(
      'switchyard_upstream_latency_seconds_bucket{provider="anthropic",le="1"} 3',
    );
    expect(text).toContain('switchyard_upstream_latency_seconds_sum{provider="anthropic"} 0.74');
    expect(text).toContain('switchyard_upstream_latency_seconds_count{provider="anthropic"} 3');
    expect(text).toContain('switchyard_interceptions_in_flight{provider="anthropic"} 0');
  });

  it('each gateway has a registry of its own', async () => {
    const a = sources();
    const one = new GatewayMetrics(a, { processMetrics: false });
    const two = new GatewayMetrics(sources(), { processMetrics: false });
    intercept(one, a, 5);
    expect(await one.text()).toContain(
      'switchyard_upstream_latency_seconds_count{provider="anthropic"} 1',
    );
    expect(await two.text()).not.toContain('switchyard_upstream_latency_seconds_count');
  });
});

describe('key transitions', () => {
  it("counts this process's own changes, never another replica's heard through the shared state", async () => {
    const clock = new FakeClock();
    const pool = new Pool(
      ['sk-unit-test-key-aaaaaaaaaaaa1', 'sk-unit-test-key-bbbbbbbbbbbb2'],
      clock,
    );
    const source: MetricSources = {
      ...sources(),
      providers: [{ name: 'anthropic', pool, breakers: undefined }],
    };
    const metrics = new GatewayMetrics(source, { processMetrics: false });
    new MetricsObserver(metrics, source.providers);
    const [shared, own] = pool.keys;
    shared?.adopt({ permanent: true, until: 0 });
    shared?.adopt({ permanent: false, until: clock.now() + 30_000 });
    own?.markTemporary(30_000, {
      source: 'upstream',
      status: 429,
      upstreamRequestId: undefined,
      message: Promise.resolve(undefined),
    });
    own?.enable();
    const text = await metrics.text();
    for (const to of ['temporary', 'permanent', 'valid']) {
      expect(text).toContain(
        `switchyard_key_transitions_total{provider="anthropic",key_index="0",to="${to}"} 0`,
      );
    }
    expect(text).toContain(
      'switchyard_key_transitions_total{provider="anthropic",key_index="1",to="temporary"} 1',
    );
    expect(text).toContain(
      'switchyard_key_transitions_total{provider="anthropic",key_index="1",to="valid"} 1',
    );
    // The state gauges show the shared state all the same.
    expect(text).toContain(
      'switchyard_key_state{provider="anthropic",key_index="0",state="temporary"} 1',
    );
  });
});

describe('model labels', () => {
  it('admits completed models up to the cap; the rest, and unknown ones, are other', () => {
    const models = new ModelLabels(2);
    expect(models.label('claude-a')).toBe(OTHER_MODEL);
    expect(models.admit('claude-a')).toBe('claude-a');
    expect(models.label('claude-a')).toBe('claude-a');
    expect(models.admit('gpt-b')).toBe('gpt-b');
    expect(models.admit('gpt-c')).toBe(OTHER_MODEL);
    expect(models.label('gpt-c')).toBe(OTHER_MODEL);
    expect(models.label(undefined)).toBe(OTHER_MODEL);
  });

  it('never admits names no provider would give a model', () => {
    const models = new ModelLabels();
    for (const name of ['', 'a b', 'x'.repeat(101), 'model"}\n', 'ünïcode']) {
      expect(models.admit(name)).toBe(OTHER_MODEL);
    }
  });
});
