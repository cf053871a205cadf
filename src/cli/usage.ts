export const MAIN_USAGE = `switchyard — an AI gateway for coding agents

Usage: switchyard <command> [options]

Commands:
  serve    Run the gateway (config: --config FILE, ./switchyard.yaml, or the environment)
  demo     Run the gateway against a built-in simulated provider; needs no account

Options:
  -h, --help     Show help (also: switchyard <command> --help)
  -v, --version  Print the version
`;

export const SERVE_USAGE = `Usage: switchyard serve [--config FILE] [--listen HOST:PORT]

Runs the gateway. Configuration comes from FILE, else ./switchyard.yaml if present,
else the environment alone.

Options:
  -c, --config FILE        YAML configuration (\${ENV_VAR} is interpolated anywhere)
  -l, --listen HOST:PORT   Address to listen on (overrides the configuration)
  -h, --help               Show this help

SIGTERM or SIGINT stops accepting, lets in-flight requests finish (shutdown_grace,
default 30s) and exits 0. A bad configuration exits 78 with one line naming the field.
`;

export const DEMO_USAGE = `Usage: switchyard demo [--listen HOST:PORT]

Starts the gateway in front of a built-in simulated Anthropic provider whose first key
always answers 429, sends one request so you can watch it fail over, and prints the
commands to try next. Nothing leaves this machine.

Options:
  -l, --listen HOST:PORT   Address to listen on (default 127.0.0.1:8080)
  -h, --help               Show this help
`;

export const NO_PROVIDER_HELP = `switchyard: no provider is configured, so there is nothing to serve.

Quick start with environment variables:
  export ANTHROPIC_API_KEYS=sk-ant-key1,sk-ant-key2   # pool, tried in order
  export OPENAI_API_KEYS=sk-key1                      # optional
  export SWITCHYARD_TOKENS=alice:a-long-random-token   # user:token, comma-separated
  export SWITCHYARD_ADMIN_TOKEN=another-long-token     # enables /admin/api
  switchyard serve

Or a file (./switchyard.yaml, or --config FILE):
  listen: 127.0.0.1:8080
  providers:
    - name: anthropic
      type: anthropic
      keys: [ "\${ANTHROPIC_KEY_A}", "\${ANTHROPIC_KEY_B}" ]
  auth:
    tokens:
      - { user: alice, token: "\${ALICE_TOKEN}" }

No account at hand? \`switchyard demo\` needs nothing.
`;
