import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkConfig } from './cli/check-config.js';
import { EXIT_USAGE } from './cli/exit-codes.js';
import { serve } from './cli/serve.js';
import {
  CHECK_CONFIG_USAGE,
  DEMO_USAGE,
  MAIN_USAGE,
  SERVE_USAGE,
  TOKENS_USAGE,
} from './cli/usage.js';

interface Command {
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command takes arguments besides its options (`tokens revoke ID`). */
  readonly positionals?: boolean;
  run(
    values: Record<string, string | boolean | undefined>,
    positionals: readonly string[],
  ): Promise<number>;
}

const str = (value: string | boolean | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

const COMMANDS: Record<string, Command> = {
  serve: {
    usage: SERVE_USAGE,
    options: {
      config: { type: 'string', short: 'c' },
      listen: { type: 'string', short: 'l' },
      workers: { type: 'string', short: 'w' },
    },
    run: (values) =>
      serve(
        {
          config: str(values['config']),
          listen: str(values['listen']),
          workers: str(values['workers']),
        },
        process.env,
      ),
  },
  'check-config': {
    usage: CHECK_CONFIG_USAGE,
    options: { config: { type: 'string', short: 'c' } },
    run: (values) => Promise.resolve(checkConfig({ config: str(values['config']) }, process.env)),
  },
  demo: {
    usage: DEMO_USAGE,
    options: { listen: { type: 'string', short: 'l' } },
    async run(values) {
      // Loaded on demand: the demo pulls in a pretty printer that `serve` never needs.
      const { demo } = await import('./cli/demo.js');
      return demo({ listen: str(values['listen']) ?? '127.0.0.1:8080' });
    },
  },
  tokens: {
    usage: TOKENS_USAGE,
    options: {
      config: { type: 'string', short: 'c' },
      user: { type: 'string', short: 'u' },
      note: { type: 'string', short: 'n' },
    },
    positionals: true,
    async run(values, positionals) {
      // Loaded on demand, like the SQL layer it opens.
      const { tokens } = await import('./cli/tokens.js');
      return tokens(
        { config: str(values['config']), user: str(values['user']), note: str(values['note']) },
        positionals,
        process.env,
      );
    },
  },
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(MAIN_USAGE);
    return name === undefined ? EXIT_USAGE : 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`switchyard: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return EXIT_USAGE;
  }
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals ?? false,
    }));
  } catch (error) {
    process.stderr.write(
      `switchyard ${name}: ${(error as Error).message}\nTry: switchyard ${name} --help\n`,
    );
    return EXIT_USAGE;
  }
  if (values['help'] === true) {
    process.stdout.write(command.usage);
    return 0;
  }
  return command.run(values, positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`switchyard: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
