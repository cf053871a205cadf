import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { parseConfigText } from '../src/config/load.js';

/**
 * The deployment files in deploy/ can't be run here (no Docker, no cluster); what can be
 * checked is: they parse; they agree with each other and with the gateway's contract
 * (ports, probes, drain times, labels); the configurations they ship load with the
 * gateway's own loader; and the image builds with the README's commands, nothing else.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const seconds = (value: string | number): number =>
  typeof value === 'number' ? value : Number(/^(\d+)s$/.exec(value)?.[1] ?? Number.NaN);

/** Every `${VAR}` a configuration names, given a placeholder value. */
function envFor(text: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [, name] of text.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
    env[name as string] = name === 'KEY_STATE_SECRET' ? 'x'.repeat(32) : `${name}-value`;
  }
  env['DATABASE_URL'] = 'postgres://switchyard@postgres/switchyard';
  env['REDIS_URL'] = 'redis://redis:6379';
  return env;
}

type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v as Record<string | number, unknown> | undefined)?.[key],
    value,
  );

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => !line.startsWith('#') && line.trim() !== '');

  it('builds with exactly the README deployment section commands', () => {
    const npmRuns = lines
      .filter((line) => line.startsWith('RUN npm'))
      .map((line) => line.slice('RUN '.length).trim());
    const readme = read('README.md');
    const section = readme.slice(readme.indexOf('## Deployment'));
    const block = /```sh\n\s*# build by hand[^\n]*\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const commands = block
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim())
      .filter((line) => line !== '');
    expect(commands.length).toBeGreaterThan(0);
    expect(npmRuns).toEqual(commands);
    // `npm ci` compiles through the prepare script: that is what dist/ comes from.
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts['prepare']).toBe('npm run build');
    expect(existsSync(join(ROOT, 'dist', 'main.js'))).toBe(true);
  });

  it('is multi-stage, runs as a non-root user, has a health check, and serves what it exposes', () => {
    expect(lines.filter((line) => line.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    const runtime = lines.slice(lines.findLastIndex((line) => line.startsWith('FROM ')));
    expect(runtime.find((line) => line.startsWith('USER '))).toMatch(/^USER (?!root\b|0\b)\S+/);
    expect(runtime.find((line) => line.startsWith('HEALTHCHECK '))).toContain('/healthz');
    const exposed = runtime.find((line) => line.startsWith('EXPOSE '))?.split(' ')[1];
    expect(runtime.find((line) => line.startsWith('ENTRYPOINT '))).toContain(`0.0.0.0:${exposed}`);
    for (const line of lines.filter((l) => /^COPY (?!--from)/.test(l))) {
      for (const source of line.split(/\s+/).slice(1, -1)) {
        expect(existsSync(join(ROOT, source)), source).toBe(true);
      }
    }
  });
});

describe('deploy/compose', () => {
  const compose = parseYaml(read('deploy/compose/docker-compose.yml')) as Json;
  const configText = read('deploy/compose/switchyard.yaml');
  const config = parseConfigText('switchyard.yaml', configText, envFor(configText));

  it('ships a configuration the gateway loads, with Redis and PostgreSQL of the file', () => {
    expect(config.redis?.url).toBe('redis://redis:6379');
    expect(config.database).toMatchObject({ engine: 'postgres' });
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('has N replicas, Redis, PostgreSQL and a load balancer checking /readyz', () => {
    const services = compose['services'] as Json;
    expect(Object.keys(services).sort()).toEqual(['haproxy', 'postgres', 'redis', 'switchyard']);
    expect(at(services, 'switchyard', 'deploy', 'replicas')).toBeGreaterThanOrEqual(2);
    expect(at(services, 'switchyard', 'ports')).toBeUndefined();
    const dockerfile = join(
      ROOT,
      'deploy/compose',
      String(at(services, 'switchyard', 'build', 'context')),
      String(at(services, 'switchyard', 'build', 'dockerfile')),
    );
    expect(existsSync(dockerfile)).toBe(true);
    // Every variable the configuration needs is passed to the replicas.
    const environment = Object.keys(at(services, 'switchyard', 'environment') as Json);
    for (const [, name] of configText.matchAll(/\$\{([A-Z0-9_]+)\}/g)) {
      expect(environment).toContain(name);
    }
    // Files it mounts exist.
    for (const service of Object.values(services) as Json[]) {
      for (const volume of (service['volumes'] as string[] | undefined) ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./'))
          expect(existsSync(join(ROOT, 'deploy/compose', source))).toBe(true);
      }
    }
    // Compose waits long enough for a drain before it kills.
    expect(seconds(String(at(services, 'switchyard', 'stop_grace_period')))).toBeGreaterThan(
      (config.shutdownDelayMs + config.shutdownGraceMs) / 1000,
    );
    const haproxy = read('deploy/compose/haproxy.cfg');
    expect(haproxy).toMatch(/option httpchk GET \/readyz/);
    expect(haproxy).toMatch(
      new RegExp(`server-template \\S+ \\S+ switchyard:${config.listen.port}\\b`),
    );
  });
});

describe('deploy/kubernetes', () => {
  const documents = parseAllDocuments(read('deploy/kubernetes/switchyard.yaml')).map(
    (d) => d.toJS() as Json,
  );
  const byKind = new Map(documents.map((d) => [String(d['kind']), d]));

  it('has a ConfigMap, Deployment, Service and PodDisruptionBudget with their API versions', () => {
    expect(documents.map((d) => `${String(d['apiVersion'])} ${String(d['kind'])}`)).toEqual([
      'v1 ConfigMap',
      'apps/v1 Deployment',
      'v1 Service',
      'policy/v1 PodDisruptionBudget',
    ]);
    for (const d of documents) expect(at(d, 'metadata', 'name')).toMatch(/^[a-z0-9-]+$/);
  });

  it('selects the same pods everywhere, probes the contract routes, and waits for a drain', () => {
    const deployment = byKind.get('Deployment');
    const labels = at(deployment, 'spec', 'template', 'metadata', 'labels') as Json;
    const matches = (selector: unknown): boolean =>
      Object.entries(selector as Json).every(([k, v]) => labels[k] === v);
    expect(matches(at(deployment, 'spec', 'selector', 'matchLabels'))).toBe(true);
    expect(matches(at(byKind.get('Service'), 'spec', 'selector'))).toBe(true);
    expect(matches(at(byKind.get('PodDisruptionBudget'), 'spec', 'selector', 'matchLabels'))).toBe(
      true,
    );

    const container = at(deployment, 'spec', 'template', 'spec', 'containers', 0) as Json;
    const portName = at(container, 'ports', 0, 'name');
    expect(at(container, 'readinessProbe', 'httpGet')).toEqual({ path: '/readyz', port: portName });
    expect(at(container, 'livenessProbe', 'httpGet')).toEqual({ path: '/healthz', port: portName });
    expect(at(byKind.get('Service'), 'spec', 'ports', 0, 'targetPort')).toBe(portName);

    const text = String(at(byKind.get('ConfigMap'), 'data', 'switchyard.yaml'));
    const config = parseConfigText('switchyard.yaml', text, envFor(text));
    expect(at(container, 'ports', 0, 'containerPort')).toBe(config.listen.port);
    const preStop = Number(at(container, 'lifecycle', 'preStop', 'sleep', 'seconds'));
    expect(preStop).toBeGreaterThan(0);
    const grace = Number(
      at(deployment, 'spec', 'template', 'spec', 'terminationGracePeriodSeconds'),
    );
    expect(grace).toBeGreaterThan(
      preStop + (config.shutdownDelayMs + config.shutdownGraceMs) / 1000,
    );
    expect(at(deployment, 'spec', 'template', 'spec', 'securityContext', 'runAsNonRoot')).toBe(
      true,
    );
    expect(at(byKind.get('PodDisruptionBudget'), 'spec', 'minAvailable')).toBeLessThan(
      Number(at(deployment, 'spec', 'replicas')),
    );
  });
});

describe('deploy/systemd/switchyard.service', () => {
  it('reloads with SIGHUP, stops the primary alone, and does not restart a bad configuration', () => {
    const unit = read('deploy/systemd/switchyard.service');
    expect(unit).toMatch(/^ExecStart=\S+node \S+\/bin\/switchyard serve /m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^KillMode=mixed$/m);
    expect(unit).toMatch(/^RestartPreventExitStatus=78$/m);
    expect(unit).toMatch(/^User=(?!root$)\S+$/m);
  });
});
