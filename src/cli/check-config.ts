import { describeConfig } from './config-summary.js';
import { loadCliConfig } from './load-cli-config.js';

export interface CheckConfigArgs {
  readonly config: string | undefined;
}

/** Validates like `serve` and prints the summary on stdout; exits as `serve` would fail. */
export function checkConfig(args: CheckConfigArgs, env: NodeJS.ProcessEnv): number {
  const loaded = loadCliConfig(args.config, env);
  if ('exitCode' in loaded) return loaded.exitCode;
  process.stdout.write(describeConfig(loaded.config));
  return 0;
}
