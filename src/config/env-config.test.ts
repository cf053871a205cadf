import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { configFromEnv } from './load.js';

const SECRET = 'sk-ant-env-secret-never-printed-7731';
const TOKEN = 'sy-env-token-never-printed-5120';

function error(env: NodeJS.ProcessEnv): string {
  try {
    configFromEnv(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('errors of the environment-only quick start name the variable, counting from 1', () => {
  it.each([
    [{ ANTHROPIC_API_KEYS: `${SECRET},,sk-b` }, 'ANTHROPIC_API_KEYS: entry 2 is empty'],
    [{ OPENAI_API_KEYS: `${SECRET},` }, 'OPENAI_API_KEYS: entry 2 is empty'],
    [
      { ANTHROPIC_API_KEYS: `${SECRET},sk-b,${SECRET}` },
      'ANTHROPIC_API_KEYS: entries 1 and 3 are the same key',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_TOKENS: `alice:${TOKEN},${TOKEN}` },
      'SWITCHYARD_TOKENS: entry 2 has no user (expected user:token)',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_TOKENS: `:${TOKEN}` },
      'SWITCHYARD_TOKENS: entry 1 has no user (expected user:token)',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_TOKENS: `alice:${TOKEN},bob:` },
      'SWITCHYARD_TOKENS: entry 2 has no token (expected user:token)',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_TOKENS: `alice:${TOKEN},,bob:x` },
      'SWITCHYARD_TOKENS: entry 2 is empty',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_TOKENS: `alice:${TOKEN},bob:${TOKEN}` },
      'SWITCHYARD_TOKENS: entries 1 and 2 are the same token',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_LISTEN: 'localhost' },
      'SWITCHYARD_LISTEN: expected HOST:PORT, e.g. 127.0.0.1:8080',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_LISTEN: '0.0.0.0:123456' },
      'SWITCHYARD_LISTEN: expected HOST:PORT, e.g. 127.0.0.1:8080',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_ALLOW_BYOK: 'sure' },
      'SWITCHYARD_ALLOW_BYOK: expected true or false (also accepted: yes/no, 1/0)',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_ANTHROPIC_BASE_URL: 'ftp://mirror' },
      'SWITCHYARD_ANTHROPIC_BASE_URL: expected an http(s) URL',
    ],
    [
      { OPENAI_API_KEYS: 'sk-o', SWITCHYARD_OPENAI_BASE_URL: 'api.openai.com' },
      'SWITCHYARD_OPENAI_BASE_URL: expected an http(s) URL',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_LOG_LEVEL: 'verbose' },
      'SWITCHYARD_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_LOG_FORMAT: 'xml' },
      'SWITCHYARD_LOG_FORMAT: expected one of json, pretty',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_DATABASE: '' },
      'SWITCHYARD_DATABASE: is set but empty (give it a value, or unset it)',
    ],
    [
      { ANTHROPIC_API_KEYS: 'sk-a', SWITCHYARD_ADMIN_TOKEN: '' },
      'SWITCHYARD_ADMIN_TOKEN: is set but empty (give it a value, or unset it)',
    ],
    [
      {
        ANTHROPIC_API_KEYS: 'sk-a',
        SWITCHYARD_TOKENS: `alice:sy-other-token-1,bob:${TOKEN}`,
        SWITCHYARD_ADMIN_TOKEN: TOKEN,
      },
      'SWITCHYARD_ADMIN_TOKEN: is the same as the token of SWITCHYARD_TOKENS entry 2: the admin token must differ from every gateway token',
    ],
  ])('%j → %s', (env, message) => {
    const text = error(env);
    expect(text).toBe(message);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(TOKEN);
  });

  it('names the provider variable, not a YAML path, for a schema-level problem', () => {
    const text = error({
      ANTHROPIC_API_KEYS: 'sk-a',
      OPENAI_API_KEYS: 'sk-o',
      SWITCHYARD_OPENAI_BASE_URL: 'x',
    });
    expect(text).toMatch(/^SWITCHYARD_OPENAI_BASE_URL: /);
    expect(text).not.toContain('providers[');
  });
});

describe('the environment-only quick start', () => {
  it('trims spaces around entries and around user and token', () => {
    const config = configFromEnv({
      ANTHROPIC_API_KEYS: ' sk-a , sk-b ',
      SWITCHYARD_TOKENS: ' alice : tok-a , bob:tok:b ',
    });
    expect(config.providers[0]?.keys).toEqual(['sk-a', 'sk-b']);
    expect(config.auth.tokens).toEqual([
      { user: 'alice', token: 'tok-a' },
      { user: 'bob', token: 'tok:b' },
    ]);
  });

  it('treats a blank key list as not set', () => {
    const config = configFromEnv({ ANTHROPIC_API_KEYS: '  ', OPENAI_API_KEYS: 'sk-o' });
    expect(config.providers.map((p) => p.name)).toEqual(['openai']);
  });

  it('reads SWITCHYARD_LOG_FORMAT and ignores a base URL variable for an absent provider', () => {
    const config = configFromEnv({
      OPENAI_API_KEYS: 'sk-o',
      SWITCHYARD_ANTHROPIC_BASE_URL: '',
      SWITCHYARD_LOG_FORMAT: 'pretty',
    });
    expect(config.logFormat).toBe('pretty');
    expect(config.file).toBeUndefined();
    expect(config.source).toBe('environment');
  });
});
