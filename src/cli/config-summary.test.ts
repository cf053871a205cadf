import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/load.js';
import { describeConfig, startupFields } from './config-summary.js';

const KEY_A = 'sk-ant-summary-secret-key-a-1111';
const KEY_B = 'sk-ant-summary-secret-key-b-2222';
const TOKEN = 'sy-summary-gateway-token-3333';
const ADMIN = 'sy-summary-admin-token-4444';
const DB_PASSWORD = 'db-password-5555';
const REDIS_PASSWORD = 'redis-password-6666';
const KEY_STATE_SECRET = 'key-state-secret-7777-abcdef';
const SECRETS = [KEY_A, KEY_B, TOKEN, ADMIN, DB_PASSWORD, REDIS_PASSWORD, KEY_STATE_SECRET];

const config = parseConfig(
  {
    listen: '0.0.0.0:9090',
    database: `postgres://sy:${DB_PASSWORD}@db/sy`,
    redis: `redis://:${REDIS_PASSWORD}@cache:6379`,
    key_state_secret: KEY_STATE_SECRET,
    providers: [
      {
        name: 'anthropic',
        type: 'anthropic',
        keys: [KEY_A, KEY_B],
        timeouts: { first_byte: '30s' },
        on_forbidden: 'verify',
        circuit_breaker: { failures: 4, open_for: '1m', half_open_requests: 1 },
      },
      { name: 'openai', type: 'openai', keys: ['short'], recheck_disabled_keys: 0 },
    ],
    auth: { allow_byok: true, tokens: [{ user: 'alice', token: TOKEN }] },
    admin: { token: ADMIN },
    timeouts: { connect: '5s', first_byte: '10m', idle: '5m' },
    shutdown_grace: '20s',
    shutdown_delay: '5s',
    log_format: 'pretty',
    dump_dir: '/var/lib/switchyard/dumps',
  },
  {},
  '/etc/switchyard.yaml',
  { file: '/etc/switchyard.yaml' },
);

describe('startupFields', () => {
  it('says what is on, with counts and overrides only', () => {
    expect(startupFields(config)).toEqual({
      config: '/etc/switchyard.yaml',
      providers: [
        {
          name: 'anthropic',
          type: 'anthropic',
          keys: 2,
          on_forbidden: 'verify',
          recheck_disabled_keys_ms: 600_000,
          timeouts_ms: { first_byte: 30_000 },
          circuit_breaker: { failures: 4, open_for_ms: 60_000, half_open_requests: 1 },
        },
        {
          name: 'openai',
          type: 'openai',
          keys: 1,
          on_forbidden: 'disable',
          recheck_disabled_keys_ms: 0,
        },
      ],
      byok: true,
      admin_api: true,
      workers: 1,
      recording: 'postgres://sy:***@db/sy',
      key_state: 'redis://:***@cache:6379',
      gateway_tokens: 1,
      timeouts_ms: { connect: 5000, first_byte: 600_000, idle: 300_000 },
      shutdown_grace_ms: 20_000,
      shutdown_delay_ms: 5000,
      forward_client_ip: false,
      dump_dir: '/var/lib/switchyard/dumps',
    });
    const text = JSON.stringify(startupFields(config));
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('reports the default database, SQLite, when none is set', () => {
    const bare = parseConfig(
      { providers: [{ name: 'a', type: 'anthropic', keys: ['k'] }] },
      {},
      't',
    );
    expect(startupFields(bare)).toMatchObject({
      recording: 'sqlite:./switchyard.db',
      key_state: 'this process',
      byok: false,
      admin_api: false,
      gateway_tokens: 0,
    });
  });
});

describe('describeConfig', () => {
  it('prints every setting in plain words with masked key hints', () => {
    const text = describeConfig(config);
    expect(text.split('\n')).toEqual([
      'Configuration from /etc/switchyard.yaml is valid.',
      '',
      'listen: 0.0.0.0:9090',
      'providers: 2',
      '  anthropic: type anthropic, https://api.anthropic.com/',
      '    2 keys, in order: sk-…1111, sk-…2222',
      '    disabled keys re-checked after 10m (backing off to 1h); on 403: verify',
      '    timeouts: connect 5s, first byte 30s, idle 5m (first byte set for this provider)',
      '    circuit breaker: opens after 4 consecutive failures for 1m, then 1 trial request',
      '  openai: type openai, https://api.openai.com/v1/',
      '    1 key, in order: …',
      '    disabled keys are never re-checked; on 403: disable',
      '    timeouts: connect 5s, first byte 10m, idle 5m',
      'gateway tokens: 1',
      'BYOK: on',
      'admin API: on',
      'recording: postgres://sy:***@db/sy',
      'key state: shared through redis://:***@cache:6379',
      'timeouts: connect 5s, first byte 10m, idle 5m',
      'shutdown: grace 20s, delay 5s',
      'client IP headers to providers: dropped',
      'API dump: /var/lib/switchyard/dumps (credentials redacted)',
      'log: level info, format pretty',
      '',
    ]);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });
});

describe('a configuration without gateway tokens', () => {
  const bare = (database: string) =>
    parseConfig({ database, providers: [{ name: 'a', type: 'anthropic', keys: ['k'] }] }, {}, 't');

  it('says that only issued tokens will work when there is a database', () => {
    expect(describeConfig(bare('sqlite:./x.db'))).toContain(
      'gateway tokens: 0 (only tokens issued with `switchyard tokens create` will be accepted)\n',
    );
  });

  it('says that every request will be refused without one', () => {
    expect(describeConfig(bare('off'))).toContain(
      'gateway tokens: 0 (every request will be refused with 401)\n',
    );
  });
});
