import { randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { dialectProfiles, type DialectProfile } from './support/dialect-profiles.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import {
  FAULT_HEADER,
  FAULTS,
  faultReply,
  seededRandom,
  type FaultName,
} from './support/fault-replies.js';
import { parseSseText } from './support/sse-text.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STREAMS = 200;
interface Figures {
  /** The gateway's sockets: accepted from clients, or opened to the upstream. */
  gatewaySockets: number;
  handles: number;
  heapMb: number;
  rssMb: number;
}

interface SocketHandle {
  localPort?: number;
  remotePort?: number;
}

/**
 * Client, gateway and mock share this process, so sockets are attributed by port. The
 * mock's own half of a stalled exchange can outlive the gateway's; that is not ours.
 */
function figures(harness: Harness): Figures {
  gc();
  const gatewayPort = harness.gateway.port;
  const upstreamPort = Number(new URL(harness.upstream.url).port);
  // Node has no public API listing sockets; this one has been stable since Node 0.x.
  const handles = (
    process as unknown as { _getActiveHandles(): SocketHandle[] }
  )._getActiveHandles();
  const resources = process.getActiveResourcesInfo();
  const memory = process.memoryUsage();
  return {
    gatewaySockets: handles.filter(
      (h) => h.localPort === gatewayPort || h.remotePort === upstreamPort,
    ).length,
    handles: resources.length,
    heapMb: Math.round((memory.heapUsed / 1024 / 1024) * 10) / 10,
    rssMb: Math.round((memory.rss / 1024 / 1024) * 10) / 10,
  };
}

async function settle(harness: Harness, baseline: Figures): Promise<Figures> {
  const deadline = Date.now() + 10_000;
  let now = figures(harness);
  while (
    Date.now() < deadline &&
    (harness.gateway.activeRequests > 0 || now.gatewaySockets > baseline.gatewaySockets)
  ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    now = figures(harness);
  }
  return now;
}

describe('load with faults', () => {
  let harness: Harness;
  const keys = [0, 1].map((i) => `sk-test-load-${i}-${randomBytes(8).toString('hex')}`);

  beforeAll(async () => {
    harness = await startHarness({
      providers: [
        { name: 'anthropic', type: 'anthropic', keys },
        { name: 'openai', type: 'openai', keys },
      ],
      extra: { timeouts: { connect: '1s', first_byte: '2s', idle: '300ms' }, log_level: 'warn' },
    });
    // Idle upstream connections close quickly, so the socket count can return to where it was.
    harness.upstream.keepAliveTimeoutMs = 300;
  });
  afterAll(async () => {
    await harness.close();
  });

  async function round(seed: number): Promise<Record<string, number>> {
    const next = seededRandom(seed);
    const plan = Array.from({ length: STREAMS }, () => ({
      profile: dialectProfiles[Math.floor(next() * dialectProfiles.length)] as DialectProfile,
      fault: FAULTS[Math.floor(next() * FAULTS.length)] as FaultName,
    }));
    harness.upstream.reset((seen) => {
      const fault = seen.headers[FAULT_HEADER] as FaultName;
      const profile = dialectProfiles.find((p) =>
        seen.url.endsWith(p.route.replace(/^\/[^/]+/, '')),
      ) as DialectProfile;
      return faultReply(profile, fault, seen, seen.key === keys[0]);
    });
    const client = new Agent({ connections: STREAMS });
    const outcomes: Record<string, number> = {};
    const count = (name: string): void => {
      outcomes[name] = (outcomes[name] ?? 0) + 1;
    };
    await Promise.all(
      plan.map(async ({ profile, fault }) => {
        const controller = new AbortController();
        const response = await request(`${harness.url}${profile.route}`, {
          dispatcher: client,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [FAULT_HEADER]: fault,
            ...profile.rawHeaders({ gatewayUrl: harness.url, token: TOKEN, streaming: true }),
          },
          body: JSON.stringify(profile.requestBody(true)),
          signal: controller.signal,
        });
        if (fault === 'client-abort') {
          controller.abort();
          await response.body.text().catch(() => undefined);
          count('client-abort');
          return;
        }
        const text = await response.body.text();
        if (response.statusCode !== 200) {
          // Before the commit point: a well-formed error in the API's shape.
          expect([502, 504]).toContain(response.statusCode);
          expect(profile.errorMessageOf(JSON.parse(text))).toBeTypeOf('string');
          count(`status ${response.statusCode}`);
          return;
        }
        const events = parseSseText(text);
        const last = events.at(-1);
        if (profile.isStreamError(last)) {
          count('error event');
          return;
        }
        const received = events
          .filter((event) => event.data.startsWith('{'))
          .map((event) => profile.textOfEvent(JSON.parse(event.data)) ?? '')
          .join('');
        expect(received).toBe('Hello from upstream');
        count('complete');
      }),
    );
    await client.close();
    return outcomes;
  }

  it(`runs ${STREAMS} concurrent streams with random faults, twice, and returns to baseline`, async () => {
    const baseline = figures(harness);
    const outcomes = await round(1);
    const afterFirst = await settle(harness, baseline);
    await round(2);
    const afterSecond = await settle(harness, baseline);

    const table = {
      'before (baseline)': baseline,
      'after round 1': afterFirst,
      'after round 2': afterSecond,
    };
    console.log(
      `load with faults, ${STREAMS} concurrent streams per round; outcomes of round 1:`,
      outcomes,
    );
    console.table(table);

    expect(Object.values(outcomes).reduce((a, b) => a + b, 0)).toBe(STREAMS);
    expect(outcomes['complete']).toBeGreaterThan(0);
    expect(outcomes['error event']).toBeGreaterThan(0);
    expect(harness.gateway.activeRequests).toBe(0);
    expect(afterSecond.gatewaySockets).toBeLessThanOrEqual(baseline.gatewaySockets);
    expect(afterSecond.handles).toBeLessThanOrEqual(baseline.handles + 4);
    // Memory is stable when a second round leaves no more behind than the first.
    expect(afterSecond.heapMb - afterFirst.heapMb).toBeLessThan(5);
    expect(afterSecond.heapMb - baseline.heapMb).toBeLessThan(15);
    const logs = harness.logs.join('\n');
    for (const secret of [...keys, TOKEN]) expect(logs).not.toContain(secret);
  });
});
