import { join } from 'node:path';
import { REPO_ROOT } from './compile.js';
import { DIALECT_SPECS, keyHeaders } from './dialects.js';
import type { MockProcess } from './mock-process.js';
import { freePort, spawnNode, waitForHttp } from './processes.js';
import { CLIENT_KEY, TARGET_LABELS, type Target } from './targets.js';

const ENTRY = join(REPO_ROOT, 'bench/node_modules/@portkey-ai/gateway/build/start-server.js');

/**
 * The peer: Portkey's open-source gateway from npm, run as its own Node server. It takes the
 * provider and the upstream from request headers: `x-portkey-provider` picks its provider
 * adapter (anthropic, openai) and `x-portkey-custom-host` replaces the provider's base URL,
 * which for both adapters ends in `/v1` (Portkey appends `/messages`, `/chat/completions`,
 * `/responses`). The client's own provider key travels as it would to the provider
 * (`x-api-key` for Anthropic, `Authorization: Bearer` for OpenAI); Portkey forwards it.
 * `--headless` and NODE_ENV=production turn off its local log UI.
 */
export async function startPortkey(mock: MockProcess, logDir: string): Promise<Target> {
  const port = await freePort();
  const child = spawnNode({
    name: 'portkey',
    args: [ENTRY, `--port=${port}`, '--headless'],
    env: { ...process.env, NODE_ENV: 'production' },
    logFile: join(logDir, 'portkey.log'),
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitForHttp(`${origin}/`, child);
  const customHost = `${mock.origin}/v1`;
  return {
    id: 'portkey',
    label: TARGET_LABELS.portkey,
    process: child,
    upstreamKey: CLIENT_KEY,
    endpoint: (dialect) => {
      const spec = DIALECT_SPECS[dialect];
      return {
        url: origin + spec.upstreamPath,
        headers: {
          'x-portkey-provider': spec.family,
          'x-portkey-custom-host': customHost,
          ...keyHeaders(spec.family, CLIENT_KEY),
        },
      };
    },
    // It takes its time on SIGTERM (and longer with streams open); nothing is measured then.
    stop: () => child.stop(1_000),
  };
}
