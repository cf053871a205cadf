import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT_USAGE, serve } from './cli/serve.js';
import { DEMO_USAGE, MAIN_USAGE, SERVE_USAGE } from './cli/usage.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(MAIN_USAGE);
    return command === undefined ? EXIT_USAGE : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'serve': {
        const { values } = parseArgs({
          args: rest,
          options: {
            config: { type: 'string', short: 'c' },
            listen: { type: 'string', short: 'l' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help === true) {
          process.stdout.write(SERVE_USAGE);
          return 0;
        }
        return await serve({ config: values.config, listen: values.listen }, process.env);
      }
      case 'demo': {
        const { values } = parseArgs({
          args: rest,
          options: {
            listen: { type: 'string', short: 'l' },
            help: { type: 'boolean', short: 'h' },
          },
        });
        if (values.help === true) {
          process.stdout.write(DEMO_USAGE);
          return 0;
        }
        // Loaded on demand: the demo pulls in a pretty printer that `serve` never needs.
        const { demo } = await import('./cli/demo.js');
        return await demo({ listen: values.listen ?? '127.0.0.1:8080' });
      }
      default:
        process.stderr.write(`switchyard: unknown command "${command}"\n\n${MAIN_USAGE}`);
        return EXIT_USAGE;
    }
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true) {
      process.stderr.write(
        `switchyard ${command}: ${(error as Error).message}\nTry: switchyard ${command} --help\n`,
      );
      return EXIT_USAGE;
    }
    throw error;
  }
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
