import { DIALECT_SPECS, type DialectId } from './dialects.js';
import type { LoadResult, RunFigures } from './load.js';
import type { BenchOptions } from './options.js';
import type { Results } from './results.js';
import type { StreamProbeResult, StreamRoundFigures } from './stream-probe.js';
import { median } from './stats.js';
import { SWITCHYARD_IDS, TARGET_LABELS, type TargetId } from './targets.js';

export const RESULTS_START = '<!-- bench:results:start -->';
export const RESULTS_END = '<!-- bench:results:end -->';

const num = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
const ratio = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}×`;
const signed = (value: number | undefined, digits = 2): string =>
  value === undefined || !Number.isFinite(value)
    ? '—'
    : `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const rps = (value: number | undefined): string =>
  value === undefined || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en-US');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const label = (target: string): string =>
  target in TARGET_LABELS ? TARGET_LABELS[target as TargetId] : target;

function blockingResult(
  results: Results,
  dialect: DialectId,
  target: string,
  connections: number,
): LoadResult | undefined {
  return results.blocking.find(
    (r) => r.dialect === dialect && r.target === target && r.result.connections === connections,
  )?.result;
}

/**
 * The range of a figure over the rounds of a run: each round ran every target back to back,
 * so round i of the gateway pairs with round i of the baseline. Empty when fewer than two
 * rounds were recorded.
 */
function spread(
  a: LoadResult,
  b: LoadResult,
  figure: (x: RunFigures, y: RunFigures) => number | undefined,
  format: (value: number) => string,
): string {
  const values: number[] = [];
  const n = Math.min(a.perRun?.length ?? 0, b.perRun?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const x = a.perRun?.[i];
    const y = b.perRun?.[i];
    const v = x === undefined || y === undefined ? undefined : figure(x, y);
    if (v !== undefined && Number.isFinite(v)) values.push(v);
  }
  return rangeOf(values, format);
}

function rangeOf(values: readonly number[], format: (value: number) => string): string {
  if (values.length < 2) return '';
  return ` [${format(Math.min(...values))} … ${format(Math.max(...values))} over ${values.length} runs]`;
}

function streamSpread(
  a: StreamProbeResult,
  b: StreamProbeResult,
  figure: (x: StreamRoundFigures, y: StreamRoundFigures) => number,
): string {
  const n = Math.min(a.perRound?.length ?? 0, b.perRound?.length ?? 0);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a.perRound?.[i];
    const y = b.perRound?.[i];
    if (x !== undefined && y !== undefined) values.push(figure(x, y));
  }
  return rangeOf(
    values.filter((v) => Number.isFinite(v)),
    (v) => signed(v),
  );
}

interface Verdict {
  readonly goal: string;
  readonly dialect: string;
  readonly measured: string;
  readonly bound: string;
  readonly met: boolean | undefined;
}

/** Open streams the memory target is stated for; fewer measured are projected linearly. */
const STREAM_TARGET = 10_000;

function verdicts(results: Results, options: BenchOptions): Verdict[] {
  const out: Verdict[] = [];
  const c = options.headlineConcurrency;
  for (const gateway of SWITCHYARD_IDS) {
    const config = gateway === 'switchyard' ? 'bare' : 'full';
    for (const dialect of results.dialects) {
      out.push(...dialectVerdicts(results, dialect, gateway, config, c));
    }
    const mems = results.memory.filter((m) => m.target === gateway);
    if (mems.length > 0) {
      const idle = Math.max(...mems.map((m) => m.result.rssBeforeMb));
      out.push({
        goal: `Idle RSS after warm-up (${config})`,
        dialect: 'all',
        measured: `${num(idle, 0)} MB`,
        bound: '≤ 80 MB',
        met: idle <= 80,
      });
    }
  }
  const fo = results.failover;
  for (const f of fo) {
    const cost = 1 - f.cooling.rps / f.noCooldown.rps;
    const cpu = cpuCost(f.noCooldown, f.cooling);
    out.push({
      goal: `Failover path (key 0 cooling), throughput cost at c=${c}`,
      dialect: DIALECT_SPECS[f.dialect].label,
      measured: `${num(cost * 100, 1)} % (CPU per request ${signed(cpu * 100, 1)} %)`,
      bound: '≤ 5 %',
      met: cost <= 0.05 && f.rateLimitedDuringRuns === 0,
    });
  }
  for (const w of results.workers ?? []) {
    out.push({
      goal: `\`--workers auto\` (${w.workers} workers) ÷ one process, throughput at c=${c} (bare)`,
      dialect: DIALECT_SPECS[w.dialect].label,
      measured:
        ratio(w.auto.rps / w.one.rps) + spread(w.auto, w.one, (x, y) => x.rps / y.rps, ratio),
      bound: 'reported',
      met: undefined,
    });
  }
  const cold: [string, number[] | undefined][] = [
    ['bare', results.coldStartMs],
    ['full, migrations of a new SQLite file included', results.coldStartFullMs],
  ];
  for (const [config, times] of cold) {
    if (times === undefined || times.length === 0) continue;
    const m = median(times);
    out.push({
      goal: `Cold start to /readyz, median (${config})`,
      dialect: '—',
      measured: `${num(m, 0)} ms`,
      bound: '≤ 1000 ms',
      met: m <= 1000,
    });
  }
  return out;
}

function dialectVerdicts(
  results: Results,
  dialect: DialectId,
  gateway: string,
  config: string,
  c: number,
): Verdict[] {
  const out: Verdict[] = [];
  const api = DIALECT_SPECS[dialect].label;
  const sw = blockingResult(results, dialect, gateway, c);
  const floor = blockingResult(results, dialect, 'floor', c);
  const portkey = blockingResult(results, dialect, 'portkey', c);
  if (sw !== undefined && floor !== undefined) {
    const r = sw.rps / floor.rps;
    out.push({
      goal: `Throughput at c=${c} ÷ Node floor (${config})`,
      dialect: api,
      measured: ratio(r) + spread(sw, floor, (x, y) => x.rps / y.rps, ratio),
      bound: '≥ 0.80×',
      met: r >= 0.8,
    });
    if (sw.cpuUsPerRequest !== undefined && floor.cpuUsPerRequest !== undefined) {
      const over = sw.cpuUsPerRequest - floor.cpuUsPerRequest;
      out.push({
        goal: `Gateway CPU per request over the floor's (${config})`,
        dialect: api,
        measured:
          `${signed(over, 0)} µs (${num(sw.cpuUsPerRequest, 0)} vs ${num(floor.cpuUsPerRequest, 0)})` +
          spread(
            sw,
            floor,
            (x, y) =>
              x.cpuUsPerRequest === undefined || y.cpuUsPerRequest === undefined
                ? undefined
                : x.cpuUsPerRequest - y.cpuUsPerRequest,
            (v) => signed(v, 0),
          ),
        bound: '≤ +40 µs',
        met: over <= 40,
      });
    }
    const p99 = sw.p99Ms / floor.p99Ms;
    out.push({
      goal: `p99 latency at c=${c} ÷ Node floor (${config})`,
      dialect: api,
      measured:
        `${ratio(p99)} (${num(sw.p99Ms)} vs ${num(floor.p99Ms)} ms)` +
        spread(sw, floor, (x, y) => x.p99Ms / y.p99Ms, ratio),
      bound: '≤ 1.50×',
      met: p99 <= 1.5,
    });
  }
  if (sw !== undefined && portkey !== undefined) {
    const r = sw.rps / portkey.rps;
    out.push({
      goal: `Throughput at c=${c} ÷ Portkey (${config})`,
      dialect: api,
      measured: ratio(r) + spread(sw, portkey, (x, y) => x.rps / y.rps, ratio),
      bound: '≥ 10×',
      met: r >= 10,
    });
  }
  const stream = (t: string) =>
    results.streaming.find((s) => s.dialect === dialect && s.target === t)?.result;
  const swStream = stream(gateway);
  const floorStream = stream('floor');
  if (swStream !== undefined && floorStream !== undefined) {
    const ttfb = swStream.ttfbP50Ms - floorStream.ttfbP50Ms;
    out.push({
      goal: `Streaming TTFB p50 over Node floor (${config})`,
      dialect: api,
      measured:
        `${signed(ttfb)} ms` +
        streamSpread(swStream, floorStream, (x, y) => x.ttfbP50Ms - y.ttfbP50Ms),
      bound: '≤ +1 ms',
      met: ttfb <= 1 && swStream.failed === 0,
    });
    const delay = swStream.delayP99Ms - floorStream.delayP99Ms;
    out.push({
      goal: `Streaming event delay p99 over Node floor (${config})`,
      dialect: api,
      measured:
        `${signed(delay)} ms` +
        streamSpread(swStream, floorStream, (x, y) => x.delayP99Ms - y.delayP99Ms),
      bound: '≤ +1 ms',
      met: delay <= 1 && swStream.failed === 0,
    });
  }
  const mem = results.memory.find((m) => m.dialect === dialect && m.target === gateway);
  if (mem !== undefined) {
    const r = mem.result;
    const all = r.opened === r.requested;
    const perStreamMb = r.opened > 0 ? r.addedMb / r.opened : Number.NaN;
    const projected = r.rssBeforeMb + perStreamMb * STREAM_TARGET;
    const closed = r.upstreamLeftAfterAbort === 0;
    out.push({
      goal: `${STREAM_TARGET.toLocaleString('en-US')} open streams: RSS, upstreams closed ≤ 1 s after the client (${config})`,
      dialect: api,
      measured:
        `${num(projected, 0)} MB` +
        (r.requested === STREAM_TARGET
          ? ''
          : ` (projected from ${r.opened.toLocaleString('en-US')}: peak ${num(r.rssPeakMb, 0)} MB)`) +
        (closed ? '' : `; ${r.upstreamLeftAfterAbort} upstreams still open`),
      bound: '≤ 400 MB, all open, all closed',
      met: all && closed && projected <= 400,
    });
  }
  return out;
}

/** Relative change in CPU time per request from `a` to `b`. */
function cpuCost(a: LoadResult, b: LoadResult): number {
  return a.cpuUsPerRequest === undefined || b.cpuUsPerRequest === undefined
    ? Number.NaN
    : b.cpuUsPerRequest / a.cpuUsPerRequest - 1;
}

function blockingSection(results: Results, options: BenchOptions): string {
  const parts: string[] = [];
  for (const dialect of results.dialects) {
    const rows: string[][] = [];
    for (const c of options.concurrencies) {
      const direct = blockingResult(results, dialect, 'direct', c);
      const floor = blockingResult(results, dialect, 'floor', c);
      const portkey = blockingResult(results, dialect, 'portkey', c);
      for (const target of results.targets) {
        const r = blockingResult(results, dialect, target, c);
        if (r === undefined) continue;
        const errors = r.non2xx + r.errors;
        rows.push([
          String(c),
          label(target),
          rps(r.rps),
          num(r.p50Ms),
          num(r.p99Ms),
          target === 'direct' || direct === undefined ? '' : signed(r.p50Ms - direct.p50Ms),
          target === 'direct' || direct === undefined ? '' : signed(r.p99Ms - direct.p99Ms),
          floor === undefined ? '—' : ratio(r.rps / floor.rps),
          portkey === undefined ? '—' : ratio(r.rps / portkey.rps),
          floor === undefined ? '—' : ratio(r.p99Ms / floor.p99Ms),
          num(r.cpuUsPerRequest, 0),
          num(r.rssPeakMb, 0),
          errors === 0 ? '0' : `**${errors}**`,
        ]);
      }
    }
    parts.push(
      `#### ${DIALECT_SPECS[dialect].label}\n\n` +
        table(
          [
            'c',
            'target',
            'req/s',
            'p50 ms',
            'p99 ms',
            '+p50 vs direct',
            '+p99 vs direct',
            'req/s ÷ floor',
            'req/s ÷ Portkey',
            'p99 ÷ floor',
            'CPU µs/req',
            'peak RSS MB',
            'errors',
          ],
          rows,
        ),
    );
  }
  return parts.join('\n\n');
}

function streamingSection(results: Results, options: BenchOptions): string {
  const rows: string[][] = [];
  for (const dialect of results.dialects) {
    const find = (t: string) =>
      results.streaming.find((s) => s.dialect === dialect && s.target === t)?.result;
    const direct = find('direct');
    for (const target of results.targets) {
      const r = find(target);
      if (r === undefined) continue;
      const vsDirect = target !== 'direct' && direct !== undefined;
      rows.push([
        DIALECT_SPECS[dialect].label,
        label(target),
        num(r.ttfbP50Ms),
        vsDirect ? signed(r.ttfbP50Ms - direct.ttfbP50Ms) : '',
        num(r.ttfbP99Ms),
        num(r.delayP50Ms),
        num(r.delayP99Ms),
        vsDirect ? signed(r.delayP99Ms - direct.delayP99Ms) : '',
        num(r.delayMaxMs),
        `${r.eventsReceived}/${r.eventsExpected}${r.failed > 0 ? ` (**${r.failed} streams failed**)` : ''}`,
      ]);
    }
  }
  const s = options.stream;
  return (
    `Each stream: ${s.plan.events} text deltas ${s.plan.intervalMs} ms apart; ${options.rounds} rounds of ${s.streams} streams per target, ${s.concurrency} at a time, targets interleaved. ` +
    'TTFB: request sent → first body byte. Event delay: the mock writing a delta → the client holding the complete event (wall clock shared by both processes).\n\n' +
    table(
      [
        'API',
        'target',
        'TTFB p50 ms',
        '+TTFB p50 vs direct',
        'TTFB p99 ms',
        'event delay p50 ms',
        'event delay p99 ms',
        '+delay p99 vs direct',
        'max delay ms',
        'events received',
      ],
      rows,
    )
  );
}

function failoverSection(results: Results, options: BenchOptions): string {
  const rows = results.failover.map((f) => [
    DIALECT_SPECS[f.dialect].label,
    rps(f.noCooldown.rps),
    rps(f.cooling.rps),
    `${num((1 - f.cooling.rps / f.noCooldown.rps) * 100, 1)} %`,
    `${num(f.noCooldown.p99Ms)} / ${num(f.cooling.p99Ms)}`,
    `${num(f.noCooldown.cpuUsPerRequest, 0)} / ${num(f.cooling.cpuUsPerRequest, 0)}`,
    `${signed(cpuCost(f.noCooldown, f.cooling) * 100, 1)} %`,
    String(f.rateLimitedDuringRuns),
  ]);
  const states = results.failoverKeyStates?.join(', ') ?? '—';
  return (
    `One Switchyard process, warmed up, measured in two phases: healthy (the mock serves key 0, re-enabled through the admin API before each run) and cooling (the mock answers key 0 with 429 \`retry-after: 3600\`; one request cools it down before each run, so every measured request skips it; key 0 state during those runs: ${states}). ` +
    `c=${options.headlineConcurrency}, ${options.pairedRounds} runs of ${options.durationS} s per phase, A-B-B-A. ` +
    'Throughput differences of a few per cent are within the noise of this machine; CPU time per request is the steadier measure of the extra work.\n\n' +
    table(
      [
        'API',
        'healthy pool req/s',
        'key 0 cooling req/s',
        'throughput cost',
        'p99 ms (healthy / cooling)',
        'CPU µs/req (healthy / cooling)',
        'CPU cost',
        'upstream 429s during runs',
      ],
      rows,
    )
  );
}

function deployedSection(results: Results, options: BenchOptions): string {
  const f = results.deployedFeatures;
  const c = options.headlineConcurrency;
  const rows = results.deployed.map((d) => {
    const floor = blockingResult(results, d.dialect, 'floor', c);
    const r = d.deployed;
    return [
      DIALECT_SPECS[d.dialect].label,
      rps(d.standard.rps),
      rps(r.rps),
      ratio(r.rps / d.standard.rps),
      `${num(d.standard.p99Ms)} / ${num(r.p99Ms)}`,
      `${num(d.standard.cpuUsPerRequest, 0)} / ${num(r.cpuUsPerRequest, 0)}`,
      floor === undefined ? '—' : ratio(r.rps / floor.rps),
      floor === undefined ? '—' : ratio(r.p99Ms / floor.p99Ms),
      num(r.rssPeakMb, 0),
    ];
  });
  const features =
    f === undefined
      ? ''
      : [
          `gateway-token auth: on`,
          `key pool: ${f.keys} keys per provider`,
          `shutdown_delay: ${f.shutdownDelay}`,
          `interception log line at \`info\`, to a file: ${f.interceptionLog ? 'on' : 'off'}`,
          `SQLite recording: ${f.sqliteBytes === undefined ? '**no file written**' : `on (${f.sqliteBytes.toLocaleString('en-US')} bytes written)`}`,
          `metrics: ${f.metricsStatus === 200 ? `on, /metrics scraped ${f.metricsScrapes} times (once a second)` : `**off** (GET /metrics answered ${f.metricsStatus})`}`,
          'tracing: on, no exporter (`OTEL_EXPORTER_OTLP_ENDPOINT` unset)',
          `MCP: ${f.mcpTools} tools injected into every request from an MCP server over Streamable HTTP, none called`,
        ]
          .map((line) => `- ${line}`)
          .join('\n');
  return (
    `${features}\n\n` +
    `Two fresh processes warmed up alike, the bare gateway and the full configuration (both as in the tables above), under the same load at c=${c}, ${options.pairedRounds} runs of ${options.durationS} s each, A-B-B-A; the floor ratios use the blocking runs at c=${c}.\n\n` +
    table(
      [
        'API',
        `bare req/s (c=${c})`,
        'full req/s',
        'full ÷ bare',
        'p99 ms (bare / full)',
        'CPU µs/req (bare / full)',
        'full req/s ÷ floor',
        'full p99 ÷ floor',
        'full peak RSS MB',
      ],
      rows,
    )
  );
}

function workersSection(results: Results, options: BenchOptions): string {
  const c = options.headlineConcurrency;
  const rows = (results.workers ?? []).map((w) => [
    DIALECT_SPECS[w.dialect].label,
    rps(w.one.rps),
    rps(w.auto.rps),
    ratio(w.auto.rps / w.one.rps) + spread(w.auto, w.one, (x, y) => x.rps / y.rps, ratio),
    `${num(w.one.p99Ms)} / ${num(w.auto.p99Ms)}`,
  ]);
  const n = results.workers?.[0]?.workers ?? 0;
  return (
    `Two fresh bare processes, one of them \`serve --workers auto\` (${n} workers here: one per available core), warmed up alike, under the same load at c=${c}, ${options.pairedRounds} runs of ${options.durationS} s each, A-B-B-A. The load generator and the mock upstream run on the same ${n} cores, so a second worker competes with them for CPU.\n\n` +
    table(
      ['API', 'one process req/s', '--workers auto req/s', 'auto ÷ one', 'p99 ms (one / auto)'],
      rows,
    )
  );
}

function memorySection(results: Results, options: BenchOptions): string {
  const rows = results.memory.map((m) => [
    DIALECT_SPECS[m.dialect].label,
    label(m.target),
    `${m.result.opened}/${m.result.requested}`,
    String(m.result.upstreamOpen),
    num(m.result.rssBeforeMb, 0),
    num(m.result.rssPeakMb, 0),
    signed(m.result.addedMb, 1),
    m.result.opened > 0 ? num((m.result.addedMb * 1024) / m.result.opened, 0) : '—',
    String(m.result.upstreamLeftAfterAbort),
  ]);
  const mem = options.memory;
  return (
    `A fresh process per row, warmed up (${options.warmupS} s of blocking load and 16 streams of that API); then ${mem.count.toLocaleString('en-US')} streams opened (50 at a time), each receiving an event every ${mem.plan.intervalMs} ms, held ${mem.holdMs / 1000} s after they are all open (or after ${mem.openTimeoutMs / 1000} s), then all aborted by the client.\n\n` +
    table(
      [
        'API',
        'target',
        'streams open at client',
        'streams open upstream',
        'RSS before MB',
        'peak RSS MB',
        'added MB',
        'KB per stream',
        `upstream streams left ${mem.abortWaitMs / 1000} s after client abort`,
      ],
      rows,
    )
  );
}

export function renderResults(results: Results, options: BenchOptions): string {
  const m = results.machine;
  const sections: string[] = [];
  sections.push(
    `_Generated by \`${results.command}\` on ${results.startedAt.replace('T', ' ').slice(0, 16)} UTC; the run took ${num(results.wallSeconds / 60, 1)} min. Commit ${m.commit}._` +
      (results.smoke
        ? '\n\n**Smoke run: durations are too short for the timings to mean anything.**'
        : ''),
  );
  sections.push(
    '### Machine\n\n' +
      [
        `- CPU: ${m.cpu}, ${m.cores} cores — shared by the load generator, the mock upstream and the process under test`,
        `- Memory: ${m.memoryGiB} GiB; OS: ${m.os}, kernel ${m.kernel}`,
        `- Node ${m.node}; ${Object.entries(m.versions)
          .map(([name, version]) => `${name} ${version}`)
          .join(', ')}`,
        `- Load average when the run started: ${m.loadAverageAtStart}; CPU steal during the run (the hypervisor running something else while a vCPU wanted to run): ${num(results.stealPercent, 1)} %`,
        `- Settings: ${Object.entries(results.settings)
          .map(([k, v]) => `${k} ${v}`)
          .join('; ')}`,
      ].join('\n'),
  );
  const v = verdicts(results, options);
  if (v.length > 0) {
    sections.push(
      '### Targets\n\n' +
        'Each figure is over every run of the scenario pooled (the verdict is on it); in brackets, its range over the runs (rounds) taken one by one, each round having measured every target back to back.\n\n' +
        table(
          ['goal', 'API', 'measured', 'target', 'met?'],
          v.map((x) => [
            x.goal,
            x.dialect,
            x.measured,
            x.bound,
            x.met === undefined ? '—' : x.met ? 'met' : '**not met**',
          ]),
        ),
    );
  }
  if (results.blocking.length > 0) {
    sections.push(
      '### Blocking requests\n\n' +
        'Closed loop: c connections, each sending the next request when the previous answer is complete. ' +
        `Every process warmed up first; then per API and concurrency ${options.rounds} runs of ${options.durationS} s per target, targets interleaved and rotated each round, summarised together (latency of every 2xx answer). ` +
        '"+p50/+p99 vs direct": added over the mock answering directly. CPU µs/req: CPU time of the process under test per request (from /proc). ' +
        'RSS: peak VmRSS of the process under test during the run.\n\n' +
        blockingSection(results, options),
    );
  }
  if (results.streaming.length > 0)
    sections.push(`### Streaming\n\n${streamingSection(results, options)}`);
  if (results.failover.length > 0)
    sections.push(`### Failover path\n\n${failoverSection(results, options)}`);
  if (results.deployed.length > 0) {
    sections.push(
      `### Full configuration against bare, paired\n\n${deployedSection(results, options)}`,
    );
  }
  if ((results.workers ?? []).length > 0)
    sections.push(
      `### \`--workers auto\` against one process\n\n${workersSection(results, options)}`,
    );
  if (results.memory.length > 0)
    sections.push(`### Concurrent open streams (memory)\n\n${memorySection(results, options)}`);
  if (results.coldStartMs !== undefined) {
    sections.push(
      '### Cold start\n\n' +
        `\`bin/switchyard serve\` spawned → first 200 from /readyz, bare: ${results.coldStartMs.map((t) => `${num(t, 0)} ms`).join(', ')} (median ${num(median(results.coldStartMs), 0)} ms).` +
        (results.coldStartFullMs === undefined
          ? ''
          : ` Full configuration, each run on a new SQLite file (its migrations included): ${results.coldStartFullMs.map((t) => `${num(t, 0)} ms`).join(', ')} (median ${num(median(results.coldStartFullMs), 0)} ms).`),
    );
  }
  if (results.problems.length > 0 || results.notes.length > 0) {
    sections.push(
      '### Errors seen during the run\n\n' +
        [...results.problems.map((p) => `- **${p}**`), ...results.notes.map((n) => `- ${n}`)].join(
          '\n',
        ),
    );
  }
  return sections.join('\n\n');
}

/** Replaces the generated section of BENCHMARKS.md, keeping the hand-written text around it. */
export function spliceResults(document: string, generated: string): string {
  const block = `${RESULTS_START}\n\n${generated}\n\n${RESULTS_END}`;
  const start = document.indexOf(RESULTS_START);
  const end = document.indexOf(RESULTS_END);
  if (start === -1 || end === -1 || end < start) return `${document.trimEnd()}\n\n${block}\n`;
  return document.slice(0, start) + block + document.slice(end + RESULTS_END.length);
}
