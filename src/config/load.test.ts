import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { envOnlyConfig } from './env-config.js';
import { configFromEnv, parseConfig, parseListen } from './load.js';

const provider = { name: 'anthropic', type: 'anthropic', keys: ['sk-key-a'] };

function error(raw: unknown, env: NodeJS.ProcessEnv | undefined = {}): string {
  try {
    parseConfig(raw, env, 'test');
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('fills the defaults of the contract', () => {
    const config = parseConfig({ providers: [provider] }, {}, 'test');
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.bodyLimit).toBe(32 * 1024 * 1024);
    expect(config.shutdownGraceMs).toBe(30_000);
    expect(config.auth.allowByok).toBe(false);
    expect(config.providers[0]?.baseUrl.href).toBe('https://api.anthropic.com/');
    expect(config.providers[0]?.timeouts).toEqual({
      connectMs: 10_000,
      firstByteMs: 600_000,
      idleMs: 300_000,
    });
  });

  it('defaults the OpenAI base URL to include /v1', () => {
    const config = parseConfig(
      { providers: [{ ...provider, name: 'openai', type: 'openai' }] },
      {},
      'test',
    );
    expect(config.providers[0]?.baseUrl.href).toBe('https://api.openai.com/v1/');
  });

  it('reads durations and sizes with units', () => {
    const config = parseConfig(
      {
        providers: [provider],
        shutdown_grace: '1m',
        limits: { max_body: '1MiB' },
        timeouts: { connect: '500ms', first_byte: 90, idle: '2.5s' },
      },
      {},
      'test',
    );
    expect(config.shutdownGraceMs).toBe(60_000);
    expect(config.bodyLimit).toBe(1024 * 1024);
    expect(config.providers[0]?.timeouts).toEqual({
      connectMs: 500,
      firstByteMs: 90_000,
      idleMs: 2500,
    });
  });

  it('interpolates ${VAR}, ${VAR:-default} and $${ anywhere after parsing', () => {
    const config = parseConfig(
      {
        listen: '${HOST:-0.0.0.0}:${PORT}',
        providers: [{ ...provider, keys: ['${KEY}', 'literal-$${NOT_A_VAR}'] }],
      },
      { PORT: '9090', KEY: 'sk-from-env: with "yaml" {chars}' },
      'test',
    );
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 9090 });
    expect(config.providers[0]?.keys).toEqual([
      'sk-from-env: with "yaml" {chars}',
      'literal-${NOT_A_VAR}',
    ]);
  });

  it.each([
    [
      { providers: [{ ...provider, keys: [] }] },
      'provider "anthropic" (providers[0]): keys: no keys: give at least one',
    ],
    [
      { providers: [{ ...provider, keys: ['a', 'b', 'a'] }] },
      'provider "anthropic" (providers[0]): keys[2]: duplicate key: entries 0 and 2 are the same key',
    ],
    [
      { providers: [{ ...provider, keys: [''] }] },
      'provider "anthropic" (providers[0]): keys[0]: a key is empty',
    ],
    [
      { providers: [provider, provider] },
      'provider "anthropic" (providers[1]): name: duplicate provider name (also providers[0])',
    ],
    [{ providers: [{ ...provider, base_url: 'ftp://x' }] }, 'base_url: expected an http(s) URL'],
    [{ providers: [provider], listen: 'localhost' }, 'listen: expected HOST:PORT'],
    [
      { providers: [provider], auth: { tokens: [{ user: 'a', token: '' }] } },
      'auth.tokens[0].token: token is empty',
    ],
    [
      { providers: [{ ...provider, name: 'admin' }] },
      'provider "admin" (providers[0]): name: is reserved for the gateway\'s own routes',
    ],
    [
      { providers: [provider], auth: { allow_byok: 'maybe' } },
      'auth.allow_byok: expected true or false (also accepted: yes/no, 1/0)',
    ],
    [{ providers: [provider], timeouts: { idle: 'soon' } }, 'timeouts.idle: expected a duration'],
    [
      { providers: [{ name: 'x', type: 'anthropic' }] },
      'provider "x" (providers[0]): keys: missing',
    ],
  ])('%j → %s', (raw, message) => {
    expect(error(raw)).toContain(message);
  });

  it('reads booleans and bare-second durations that came from ${VAR}', () => {
    const config = parseConfig(
      {
        providers: [provider],
        shutdown_grace: '${GRACE}',
        auth: { allow_byok: '${BYOK}' },
      },
      { GRACE: '30', BYOK: 'true' },
      'test',
    );
    expect(config.shutdownGraceMs).toBe(30_000);
    expect(config.auth.allowByok).toBe(true);
  });

  it('accepts the contract quick-start token alice:tok', () => {
    const config = configFromEnv({ ANTHROPIC_API_KEYS: 'k1,k2', SWITCHYARD_TOKENS: 'alice:tok' });
    expect(config.auth.tokens).toEqual([{ user: 'alice', token: 'tok' }]);
  });

  it('names the missing variable and where it was used', () => {
    expect(error({ admin: { token: '${ADMIN}' } })).toBe(
      'admin.token: environment variable ADMIN is not set',
    );
  });
});

describe('database and recording', () => {
  it('records into ./switchyard.db by default, prompts yes, thoughts no, for 60 days', () => {
    const config = parseConfig({ providers: [provider] }, {}, 'test');
    expect(config.database).toEqual({ engine: 'sqlite', path: './switchyard.db' });
    expect(config.recording).toEqual({
      prompts: true,
      thoughts: false,
      retentionMs: 60 * 86_400_000,
    });
  });

  it.each([
    [
      'sqlite:/var/lib/switchyard/records.db',
      { engine: 'sqlite', path: '/var/lib/switchyard/records.db' },
    ],
    [
      'postgres://sy@db.internal/switchyard',
      { engine: 'postgres', url: 'postgres://sy@db.internal/switchyard' },
    ],
    [
      'postgresql://sy:pw@127.0.0.1:5433/sy',
      { engine: 'postgres', url: 'postgresql://sy:pw@127.0.0.1:5433/sy' },
    ],
    ['off', { engine: 'off' }],
  ])('reads database: %s', (database, expected) => {
    expect(parseConfig({ providers: [provider], database }, {}, 'test').database).toEqual(expected);
  });

  it.each(['sqlite:', 'mysql://root@localhost/db', './switchyard.db', 'postgres://', 'OFF'])(
    'refuses database: %s with the forms it takes',
    (database) => {
      expect(error({ providers: [provider], database })).toBe(
        'database: expected sqlite:PATH (e.g. sqlite:./switchyard.db), postgres://USER@HOST/DB or off',
      );
    },
  );

  it('never repeats a PostgreSQL password in its error', () => {
    const message = error({ providers: [provider], database: 'postgres:/user:hunter22@host/db' });
    expect(message).not.toContain('hunter22');
  });

  it('takes SWITCHYARD_DATABASE from the environment', () => {
    const { document } = envOnlyConfig({ ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_DATABASE: 'off' });
    expect(parseConfig(document, undefined, 'environment').database).toEqual({ engine: 'off' });
  });

  it('reads the recording block, days included, from YAML or ${VAR}', () => {
    const config = parseConfig(
      {
        providers: [provider],
        recording: { prompts: '${PROMPTS}', thoughts: true, retention: '7d' },
      },
      { PROMPTS: 'false' },
      'test',
    );
    expect(config.recording).toEqual({
      prompts: false,
      thoughts: true,
      retentionMs: 7 * 86_400_000,
    });
    expect(
      parseConfig({ providers: [provider], recording: { retention: 0 } }, {}, 'test').recording
        .retentionMs,
    ).toBe(0);
  });

  it('names an unknown or bad recording field', () => {
    expect(error({ providers: [provider], recording: { prompt: true } })).toBe(
      'recording: unknown field "prompt" (known: prompts, thoughts, retention)',
    );
    expect(error({ providers: [provider], recording: { retention: 'forever' } })).toBe(
      'recording.retention: expected a duration such as 60d, 12h or 0 (keep forever)',
    );
  });
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['[::1]:7000', { host: '::1', port: 7000 }],
  ])('%s', (text, expected) => {
    expect(parseListen(text)).toEqual(expected);
  });

  it('refuses a port out of range', () => {
    expect(() => parseListen('h:70000')).toThrow(ConfigError);
  });
});

describe('configFromEnv', () => {
  it('builds providers, tokens and admin from the quick-start variables', () => {
    const config = configFromEnv({
      ANTHROPIC_API_KEYS: 'sk-a, sk-b',
      OPENAI_API_KEYS: 'sk-o',
      SWITCHYARD_OPENAI_BASE_URL: 'http://127.0.0.1:9/v1/',
      SWITCHYARD_TOKENS: 'alice:tok-alice-123,bob:tok:with:colons',
      SWITCHYARD_ADMIN_TOKEN: 'admin-token-1',
      SWITCHYARD_ALLOW_BYOK: 'true',
      SWITCHYARD_LISTEN: '0.0.0.0:80',
    });
    expect(config.providers.map((p) => [p.name, p.type, p.keys, p.baseUrl.href])).toEqual([
      ['anthropic', 'anthropic', ['sk-a', 'sk-b'], 'https://api.anthropic.com/'],
      ['openai', 'openai', ['sk-o'], 'http://127.0.0.1:9/v1/'],
    ]);
    expect(config.auth).toEqual({
      allowByok: true,
      tokens: [
        { user: 'alice', token: 'tok-alice-123' },
        { user: 'bob', token: 'tok:with:colons' },
      ],
    });
    expect(config.adminToken).toBe('admin-token-1');
    expect(config.listen).toEqual({ host: '0.0.0.0', port: 80 });
  });

  it('configures no provider when no key variable is set', () => {
    expect(configFromEnv({}).providers).toEqual([]);
  });
});

describe('booleans', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('${VAR}=%s reads as %s in a file and from SWITCHYARD_ALLOW_BYOK', (word, expected) => {
    const fromFile = parseConfig(
      {
        providers: [provider],
        auth: { allow_byok: '${BYOK}' },
        forward_client_ip: '${FORWARD}',
      },
      { BYOK: word, FORWARD: word },
      'test',
    );
    expect(fromFile.auth.allowByok).toBe(expected);
    expect(fromFile.forwardClientIp).toBe(expected);
    const fromEnv = configFromEnv({ ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_ALLOW_BYOK: word });
    expect(fromEnv.auth.allowByok).toBe(expected);
  });

  it('reads YAML booleans and the numbers 1 and 0', () => {
    const config = parseConfig(
      { providers: [provider], auth: { allow_byok: 1 }, forward_client_ip: true },
      {},
      'test',
    );
    expect(config.auth.allowByok).toBe(true);
    expect(config.forwardClientIp).toBe(true);
  });

  it.each([['maybe'], ['on'], ['2'], ['']])('refuses %j, naming the accepted words', (word) => {
    expect(error({ providers: [provider], forward_client_ip: '${F}' }, { F: word })).toBe(
      'forward_client_ip: expected true or false (also accepted: yes/no, 1/0)',
    );
  });
});

describe('admin token', () => {
  const secret = 'sy-shared-token-0123456789';

  it('refuses an admin token equal to a gateway token, naming both fields but not the value', () => {
    const message = error(
      {
        providers: [provider],
        auth: {
          tokens: [
            { user: 'alice', token: 'sy-alice-token-99999' },
            { user: 'bob', token: '${T}' },
          ],
        },
        admin: { token: '${T}' },
      },
      { T: secret },
    );
    expect(message).toBe(
      'admin.token: is the same as auth.tokens[1].token: the admin token must differ from every gateway token',
    );
    expect(message).not.toContain(secret);
  });
});

describe('timeouts per provider', () => {
  it('a provider override wins for its own fields; the rest inherit the top level', () => {
    const config = parseConfig(
      {
        providers: [
          { ...provider, timeouts: { first_byte: '30s' } },
          { ...provider, name: 'openai', type: 'openai', timeouts: { connect: 2, idle: '1m' } },
          { ...provider, name: 'plain' },
        ],
        timeouts: { connect: '5s', first_byte: '2m', idle: '90s' },
      },
      {},
      'test',
    );
    expect(config.timeouts).toEqual({ connectMs: 5000, firstByteMs: 120_000, idleMs: 90_000 });
    expect(config.providers.map((p) => p.timeouts)).toEqual([
      { connectMs: 5000, firstByteMs: 30_000, idleMs: 90_000 },
      { connectMs: 2000, firstByteMs: 120_000, idleMs: 60_000 },
      { connectMs: 5000, firstByteMs: 120_000, idleMs: 90_000 },
    ]);
  });

  it('inherits the defaults when there is no top-level timeouts section', () => {
    const config = parseConfig(
      { providers: [{ ...provider, timeouts: { idle: '10s' } }] },
      {},
      'test',
    );
    expect(config.providers[0]?.timeouts).toEqual({
      connectMs: 10_000,
      firstByteMs: 600_000,
      idleMs: 10_000,
    });
  });

  it.each([
    [
      { idle: 'soon' },
      'provider "anthropic" (providers[0]): timeouts.idle: expected a duration such as 500ms, 30s or 10m',
    ],
    [
      { idel: '1s' },
      'provider "anthropic" (providers[0]): timeouts: unknown field "idel" (known: connect, first_byte, idle)',
    ],
    [
      '5s',
      'provider "anthropic" (providers[0]): timeouts: expected a mapping of fields (name: value), got text',
    ],
  ])('%j → %s', (timeouts, message) => {
    expect(error({ providers: [{ ...provider, timeouts }] })).toBe(message);
  });
});

describe('provider key settings', () => {
  it('reads recheck_disabled_keys and on_forbidden, with their defaults', () => {
    const config = parseConfig(
      {
        providers: [
          provider,
          { ...provider, name: 'b', recheck_disabled_keys: '0', on_forbidden: 'verify' },
        ],
      },
      {},
      'test',
    );
    expect(config.providers.map((p) => [p.recheckDisabledKeysMs, p.onForbidden])).toEqual([
      [600_000, 'disable'],
      [0, 'verify'],
    ]);
  });

  it.each([
    [
      { on_forbidden: 'ignore' },
      'provider "anthropic" (providers[0]): on_forbidden: expected one of disable, verify',
    ],
    [
      { recheck_disabled_keys: 'often' },
      'provider "anthropic" (providers[0]): recheck_disabled_keys: expected a duration such as 500ms, 30s or 10m',
    ],
  ])('%j → %s', (fields, message) => {
    expect(error({ providers: [{ ...provider, ...fields }] })).toBe(message);
  });
});

describe('top-level settings', () => {
  it('reads log_format, shutdown_delay and forward_client_ip with their defaults', () => {
    const defaults = parseConfig({ providers: [provider] }, {}, 'test');
    expect([defaults.logFormat, defaults.shutdownDelayMs, defaults.forwardClientIp]).toEqual([
      'json',
      0,
      false,
    ]);
    const set = parseConfig(
      {
        providers: [provider],
        log_format: 'pretty',
        shutdown_delay: '5s',
        forward_client_ip: true,
      },
      {},
      'test',
    );
    expect([set.logFormat, set.shutdownDelayMs, set.forwardClientIp]).toEqual([
      'pretty',
      5000,
      true,
    ]);
  });

  it.each([
    [{ log_format: 'text' }, 'log_format: expected one of json, pretty'],
    [{ shutdown_delay: 'later' }, 'shutdown_delay: expected a duration such as 500ms, 30s or 10m'],
    [{ listen: 'host:99999' }, 'listen: the port must be between 0 and 65535'],
    [{ listen: 8080 }, 'listen: expected HOST:PORT, e.g. 127.0.0.1:8080'],
    [{ database: '' }, 'database: is empty (is its environment variable set to "")?'],
  ])('%j → %s', (fields, message) => {
    expect(error({ providers: [provider], ...fields })).toBe(message);
  });

  it('names --listen when the command-line address is wrong', () => {
    expect(() => parseListen('nope', '--listen')).toThrow(
      '--listen: expected HOST:PORT, e.g. 127.0.0.1:8080',
    );
  });
});

describe('shared key state', () => {
  const secret = 'a-deployment-secret-0123456789';

  it('is this process alone unless redis is set', () => {
    expect(parseConfig({ providers: [provider] }, {}, 'test').redis).toBeUndefined();
  });

  it('reads redis and key_state_secret, from YAML or ${VAR}', () => {
    const config = parseConfig(
      { providers: [provider], redis: '${REDIS}', key_state_secret: '${SECRET}' },
      { REDIS: 'redis://:pw@cache.internal:6380/2', SECRET: secret },
      'test',
    );
    expect(config.redis).toEqual({
      url: 'redis://:pw@cache.internal:6380/2',
      keyStateSecret: secret,
    });
  });

  it('requires key_state_secret with redis, and says how to make one', () => {
    expect(error({ providers: [provider], redis: 'redis://127.0.0.1:6379' })).toMatch(
      /^key_state_secret: is required with redis: .*openssl rand -hex 32/,
    );
  });

  it('refuses a URL that is not Redis, and a secret too short, without repeating them', () => {
    const wrong = error({
      providers: [provider],
      redis: 'http://user:hunter2@cache/',
      key_state_secret: secret,
    });
    expect(wrong).toMatch(/^redis: expected redis:\/\//);
    expect(wrong).not.toContain('hunter2');
    const short = error({ providers: [provider], redis: 'redis://h', key_state_secret: 'abc123' });
    expect(short).toMatch(/^key_state_secret: is too short/);
    expect(short).not.toContain('abc123');
  });

  it('takes SWITCHYARD_REDIS and SWITCHYARD_KEY_STATE_SECRET from the environment', () => {
    const env = {
      ANTHROPIC_API_KEYS: 'sk-a',
      SWITCHYARD_REDIS: 'rediss://cache:6380',
      SWITCHYARD_KEY_STATE_SECRET: secret,
    };
    expect(configFromEnv(env).redis).toEqual({
      url: 'rediss://cache:6380',
      keyStateSecret: secret,
    });
    expect(() => configFromEnv({ ...env, SWITCHYARD_KEY_STATE_SECRET: undefined })).toThrow(
      /^SWITCHYARD_KEY_STATE_SECRET: is required with redis/,
    );
  });
});
