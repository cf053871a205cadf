import { spawnSync } from 'node:child_process';
import { request } from 'undici';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[name as string] = (value as string).replace(/\\(.)/g, (_, c: string) =>
        c === 'n' ? '\n' : c,
      );
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `where`. */
export function sumOf(
  samples: readonly Sample[],
  name: string,
  where: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const sample of samples) {
    if (sample.name !== name) continue;
    if (Object.entries(where).every(([k, v]) => sample.labels[k] === v)) total += sample.value;
  }
  return total;
}

/** GET /metrics as a scraper would: status, content type and text. */
export async function scrape(
  gatewayUrl: string,
): Promise<{ status: number; contentType: string; text: string }> {
  const response = await request(`${gatewayUrl}/metrics`);
  return {
    status: response.statusCode,
    contentType: String(response.headers['content-type']),
    text: await response.body.text(),
  };
}

/** Whether Debian's `prometheus` package (promtool) is installed. */
export function hasPromtool(): boolean {
  return spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Runs `promtool` with `args` (stdin optional); its exit status and what it printed. */
export function promtool(
  args: readonly string[],
  input?: string,
): { status: number; output: string } {
  const result = spawnSync('promtool', args, { input, encoding: 'utf8' });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/**
 * Tests that need promtool skip without it on a developer's machine, never in CI (where
 * .ci/run installs it).
 */
export const promtoolMissing = !hasPromtool() && process.env['CI'] === undefined;

/**
 * prom-client's default process metrics name three gauges `…_total`, which promtool's lint
 * flags; they are the library's names, kept so that its dashboards and the workers'
 * aggregation know them. Anything else promtool says is a finding.
 */
const PROM_CLIENT_GAUGES =
  /^switchyard_nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/;

/**
 * `promtool check metrics` over an exposition: parse errors (exit 1) and lint findings, the
 * known ones of prom-client's default metrics aside.
 */
export function checkMetricsText(text: string): { parsed: boolean; findings: string[] } {
  const { status, output } = promtool(['check', 'metrics'], text);
  const findings = output
    .split('\n')
    .filter((line) => line.trim() !== '' && !PROM_CLIENT_GAUGES.test(line));
  return { parsed: status === 0 || status === 3, findings };
}
