import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { messagesProfile } from './support/anthropic-profile.js';
import { startHarness, TOKEN, type Harness } from './support/harness.js';
import { callRaw } from './support/profile.js';
import { promtool, promtoolMissing, scrape } from './support/prometheus-text.js';

const DEPLOY = fileURLToPath(new URL('../deploy/', import.meta.url));
const ALERTS = join(DEPLOY, 'prometheus', 'alerts.yml');
const DASHBOARD = join(DEPLOY, 'grafana', 'switchyard.json');

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

/** Every PromQL expression of the dashboard: its panels' queries and its variables'. */
function dashboardQueries(dashboard: {
  panels: readonly Panel[];
  templating: { list: readonly { query?: unknown }[] };
}): string[] {
  const exprs: string[] = [];
  const walk = (panels: readonly Panel[]): void => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) {
        if (target.expr !== undefined) exprs.push(target.expr);
      }
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels);
  for (const variable of dashboard.templating.list) {
    const query = variable.query as { query?: string } | string | undefined;
    const text = typeof query === 'string' ? query : query?.query;
    if (text?.includes('switchyard_') === true) exprs.push(text);
  }
  return exprs;
}

function alertExprs(): string[] {
  const rules = parse(readFileSync(ALERTS, 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((group) => group.rules.map((rule) => rule.expr));
}

/** The metric families a scrape declares (`# TYPE` lines), whether or not they have samples yet. */
function families(text: string): Map<string, string> {
  const declared = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    declared.set(match[1] as string, match[2] as string);
  }
  return declared;
}

/** The metric names an expression reads, histogram series mapped to their family. */
function metricsRead(expr: string, declared: ReadonlyMap<string, string>): string[] {
  return [...expr.matchAll(/\bswitchyard_[a-z0-9_]+/g)].map(([name]) => {
    const family = name.replace(/_(bucket|sum|count)$/, '');
    return family !== name && declared.get(family) === 'histogram' ? family : name;
  });
}

describe('ops kit', () => {
  let harness: Harness;
  let declared: Map<string, string>;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchyard-ops-'));
    harness = await startHarness({
      providers: [
        {
          ...messagesProfile.provider,
          keys: ['sk-ops-kit-key-0000000000001'],
          circuit_breaker: { failures: 3, open_for: '30s' },
        },
      ],
    });
    harness.upstream.script = () => messagesProfile.success(false);
    await callRaw(messagesProfile, { gatewayUrl: harness.url, token: TOKEN, streaming: false });
    const { text } = await scrape(harness.url);
    declared = families(text);
  });
  afterAll(async () => {
    await harness.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every metric the Grafana dashboard queries exists in a real /metrics scrape', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Parameters<
      typeof dashboardQueries
    >[0] & { title: string; uid: string };
    expect(dashboard.uid).toBe('switchyard');
    const exprs = dashboardQueries(dashboard);
    expect(exprs.length).toBeGreaterThan(20);
    const read = new Set(exprs.flatMap((expr) => metricsRead(expr, declared)));
    const missing = [...read].filter((name) => !declared.has(name));
    expect(missing).toEqual([]);
    // The dashboard covers every family the gateway exports, not only some.
    const own = [...declared.keys()].filter(
      (name) => !name.startsWith('switchyard_process_') && !name.startsWith('switchyard_nodejs_'),
    );
    expect(own.filter((name) => !read.has(name))).toEqual([]);
  });

  it('every metric the alert rules read exists in a real /metrics scrape', () => {
    const read = new Set(alertExprs().flatMap((expr) => metricsRead(expr, declared)));
    expect(read.size).toBeGreaterThanOrEqual(6);
    expect([...read].filter((name) => !declared.has(name))).toEqual([]);
  });

  it.skipIf(promtoolMissing)(
    'the alert rules pass promtool check rules and their unit tests',
    () => {
      const check = promtool(['check', 'rules', ALERTS]);
      expect(check.output).toContain('SUCCESS');
      expect(check.status).toBe(0);
      const test = promtool(['test', 'rules', join(DEPLOY, 'prometheus', 'alerts.test.yml')]);
      expect(test.output).toContain('SUCCESS');
      expect(test.status).toBe(0);
    },
  );

  it.skipIf(promtoolMissing)('every dashboard query is valid PromQL', () => {
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as Parameters<
      typeof dashboardQueries
    >[0];
    // Grafana's variables as Prometheus would see them once substituted.
    const rules = dashboardQueries(dashboard)
      .filter((expr) => !expr.startsWith('label_values('))
      .map((expr, i) => ({
        record: `switchyard:dashboard_query_${i}`,
        expr: expr.replaceAll('$__rate_interval', '1m').replace(/\$(job|provider)\b/g, '.*'),
      }));
    const file = join(dir, 'dashboard-queries.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const check = promtool(['check', 'rules', file]);
    expect(check.output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(check.status).toBe(0);
  });
});
