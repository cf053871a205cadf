import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Waits for something that happens in the background (MCP tools listed, a record written
    // by the writer thread) get more than vitest's default 1 s on a loaded two-core machine.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    globalSetup: ['test/support/dashboard-build.ts'],
  },
});
