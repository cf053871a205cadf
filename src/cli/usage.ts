import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { PROVIDERS_FROM_ENV } from '../config/env-config.js';

export const MAIN_USAGE = `switchyard — an AI gateway for coding agents

Usage: switchyard <command> [options]
(From a clone: ./bin/switchyard <command>; npm start runs serve.)

Commands:
  serve         Run the gateway (config: --config FILE, ./switchyard.yaml, or the environment)
  check-config  Validate the configuration and print what it turns on (no secrets)
  demo          Run the gateway against a built-in simulated provider; needs no account
  tokens        Issue, list and revoke gateway tokens (stored hashed in the database)

Options:
  -h, --help     Show help (also: switchyard <command> --help)
  -v, --version  Print the version
`;

export const SERVE_USAGE = `Usage: switchyard serve [--config FILE] [--listen HOST:PORT] [--workers N|auto]

Runs the gateway. Configuration comes from FILE, else ./switchyard.yaml if present,
else the environment alone.

Options:
  -c, --config FILE        YAML configuration (\${ENV_VAR} is interpolated anywhere)
  -l, --listen HOST:PORT   Address to listen on (overrides the configuration)
  -w, --workers N|auto     Processes serving the one address (auto: one per core;
                           overrides \`workers\`); key state is shared through the
                           primary process, or through Redis when \`redis\` is set
  -h, --help               Show this help

SIGTERM or SIGINT stops accepting, lets in-flight requests finish (shutdown_grace,
default 30s) and exits 0. SIGHUP, or a change of the --config file, reloads providers,
keys, tokens, MCP servers and dump_dir without dropping in-flight requests; a bad new
configuration is refused and the running one stays. A bad configuration at startup
exits 78 with one line naming the field.
`;

export const CHECK_CONFIG_USAGE = `Usage: switchyard check-config [--config FILE]

Reads the configuration exactly as \`serve\` would (FILE, else ./switchyard.yaml if
present, else the environment alone), validates it and prints what it turns on:
listen address, providers with their key counts and masked key hints, timeouts, tokens,
BYOK, admin API, recording, logging and shutdown. Keys and tokens are never printed.

Exits 0 if the gateway would start, 78 with one line naming the field if the
configuration is wrong, 2 if it configures no provider.

Options:
  -c, --config FILE   YAML configuration (\${ENV_VAR} is interpolated anywhere)
  -h, --help          Show this help
`;

export const DEMO_USAGE = `Usage: switchyard demo [--listen HOST:PORT]

Starts the gateway in front of a built-in simulated Anthropic provider whose first key
always answers 429, sends one request so you can watch it fail over, and prints the
commands to try next. Nothing leaves this machine.

Options:
  -l, --listen HOST:PORT   Address to listen on (default 127.0.0.1:8080)
  -h, --help               Show this help
`;

export const TOKENS_USAGE = `Usage: switchyard tokens create --user NAME [--note TEXT] [--config FILE]
       switchyard tokens list [--config FILE]
       switchyard tokens revoke ID [--config FILE]

Gateway tokens issued into the configured database (database:, or SWITCHYARD_DATABASE;
default sqlite:./switchyard.db), read as \`serve\` reads its configuration: FILE, else
./switchyard.yaml if present, else the environment alone. Tokens in auth.tokens and
SWITCHYARD_TOKENS keep working beside them.

  create   Issues a token for user NAME and prints it once on stdout (nothing else goes to
           stdout, so TOKEN=$(switchyard tokens create --user alice) works). Only its
           SHA-256 hash and a masked hint are stored.
  list     Every issued token: id, user, hint, created, last used, state, note. Never a token.
  revoke   Revokes token ID. Running gateways refuse it within about a second.

Options:
  -u, --user NAME     The user the new token identifies (create)
  -n, --note TEXT     What the token is for, shown by list (create)
  -c, --config FILE   YAML configuration (\${ENV_VAR} is interpolated anywhere)
  -h, --help          Show this help

Exits 0 on success, 2 for a bad command line, 78 for a configuration error (or database:
off), 1 when the database cannot be opened or the token id is unknown.
The same is available over HTTP: POST, GET and DELETE /admin/api/tokens.
`;

const KEY_VARIABLES = PROVIDERS_FROM_ENV.map((source) => source.keys);

/** Which configuration was read, and why it gave no provider. */
function whatWasRead(file: string | undefined, env: NodeJS.ProcessEnv): string {
  const set = KEY_VARIABLES.filter((name) => env[name] !== undefined);
  if (file !== undefined) {
    const ignored =
      set.length === 0
        ? ''
        : `\n(${set.join(' and ')} ${set.length === 1 ? 'is' : 'are'} ignored: the environment alone is used only when there is no config file.)`;
    return `Read ${file}: it configures no provider.${ignored}`;
  }
  const blank = set.filter((name) => env[name]?.trim() === '');
  const environment =
    blank.length > 0
      ? `${blank.join(' and ')} ${blank.length === 1 ? 'is' : 'are'} set but empty`
      : `neither ${KEY_VARIABLES.join(' nor ')} is set in the environment`;
  return `No ${DEFAULT_CONFIG_FILE} here (${process.cwd()}) and no --config FILE, and ${environment}.`;
}

/** Printed by `serve` and `check-config` when the configuration is valid but has no provider. */
export function noProviderHelp(file: string | undefined, env: NodeJS.ProcessEnv): string {
  return `switchyard: no provider is configured, so there is nothing to serve.
${whatWasRead(file, env)}

Quick start with environment variables:
  export ANTHROPIC_API_KEYS=sk-ant-key1,sk-ant-key2   # pool, tried in order
  export OPENAI_API_KEYS=sk-key1                      # optional
  export SWITCHYARD_TOKENS=alice:a-long-random-token   # user:token, comma-separated
  export SWITCHYARD_ADMIN_TOKEN=another-long-token     # enables /admin/api
  ./bin/switchyard serve                               # or: npm start

Or a file (${DEFAULT_CONFIG_FILE}, or ./bin/switchyard serve --config FILE):
  listen: 127.0.0.1:8080
  providers:
    - name: anthropic
      type: anthropic
      keys: [ "\${ANTHROPIC_KEY_A}", "\${ANTHROPIC_KEY_B}" ]
  auth:
    tokens:
      - { user: alice, token: "\${ALICE_TOKEN}" }
Check it with ./bin/switchyard check-config [--config FILE].

No account at hand? ./bin/switchyard demo (or npm run demo) needs nothing.
`;
}
