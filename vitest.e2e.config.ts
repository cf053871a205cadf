import { defineConfig } from 'vitest/config';

/** The real clients (Claude Code, Codex, both SDK generations); see e2e/package.json. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
