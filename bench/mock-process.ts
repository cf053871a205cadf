import { join } from 'node:path';
import { compileChild } from './compile.js';
import { STATS_PATH, type MockStats } from './mock-protocol.js';
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

  async stop(): Promise<void> {
    await this.child.stop();
  }
}
