import { join } from 'node:path';
import { compileChild } from './compile.js';
import { RATE_LIMITING_PATH, STATS_PATH, type MockStats } from './mock-protocol.js';
import { spawnNode, waitForListening, type ChildHandle } from './processes.js';

/** The mock upstream's process, seen from the runner. */
export class MockProcess {
  private constructor(
    readonly child: ChildHandle,
    readonly origin: string,
  ) {}

  static async start(logDir: string): Promise<MockProcess> {
    const child = spawnNode({
      name: 'mock upstream',
      args: [compileChild('bench/mock-upstream.ts')],
      logFile: join(logDir, 'mock-upstream.log'),
      ipc: true,
    });
    const port = await waitForListening(child);
    return new MockProcess(child, `http://127.0.0.1:${port}`);
  }

  async stats(): Promise<MockStats> {
    const response = await fetch(this.origin + STATS_PATH);
    return (await response.json()) as MockStats;
  }

  /** Whether keys starting with `rl-` are answered 429 from now on. */
  async setRateLimiting(on: boolean): Promise<void> {
    const response = await fetch(this.origin + RATE_LIMITING_PATH, {
      method: 'POST',
      body: on ? 'on' : 'off',
    });
    if (!response.ok) throw new Error(`mock refused to set rate limiting: ${response.status}`);
    await response.body?.cancel();
  }

  async stop(): Promise<void> {
    await this.child.stop();
  }
}
