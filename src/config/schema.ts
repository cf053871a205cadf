import { z } from 'zod';
import { circuitBreaker } from './breaker-schema.js';
import { mcpMaxIterations, mcpServers } from './mcp-schema.js';
import { pricesSchema } from './prices-schema.js';
import { DATABASE_EXPECTED, DEFAULT_DATABASE, parseDatabaseTarget } from './database-target.js';
import { DASHED_WORDS, duration, flag, longDuration, size } from './schema-values.js';

export const PROVIDER_NAME = DASHED_WORDS;

/** First path segments the gateway answers itself; a provider there would be unreachable. */
const RESERVED_NAMES = new Set(['admin', 'healthz', 'readyz', 'metrics']);

export const LISTEN_EXPECTED = 'expected HOST:PORT, e.g. 127.0.0.1:8080';

const listen = z
  .string({ error: LISTEN_EXPECTED })
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, LISTEN_EXPECTED)
  .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, {
    message: 'the port must be between 0 and 65535',
  });

const timeoutOverrides = z.strictObject({
  connect: duration.optional(),
  first_byte: duration.optional(),
  idle: duration.optional(),
});

const providerSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        PROVIDER_NAME,
        'must be lower-case letters and digits in dash-separated words, e.g. anthropic or openai-eu',
      )
      .refine((name) => !RESERVED_NAMES.has(name), {
        message: `is reserved for the gateway's own routes (${[...RESERVED_NAMES].join(', ')})`,
      }),
    type: z.enum(['anthropic', 'openai']),
    base_url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    keys: z
      .array(z.string().min(1, 'a key is empty (is its environment variable set to "")?'))
      .min(1, 'no keys: give at least one'),
    // 0 turns the re-check off.
    recheck_disabled_keys: duration.default(600_000),
    on_forbidden: z.enum(['disable', 'verify']).default('disable'),
    /** Overrides of the top-level timeouts for this provider only. */
    timeouts: timeoutOverrides.optional(),
    circuit_breaker: circuitBreaker.optional(),
  })
  .superRefine((provider, ctx) => {
    const seen = new Map<string, number>();
    provider.keys.forEach((key, index) => {
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['keys', index],
          message: `duplicate key: entries ${earlier} and ${index} are the same key`,
        });
      }
      seen.set(key, index);
    });
  });

const tokenSchema = z.strictObject({
  user: z.string().min(1, 'user is empty'),
  token: z.string().min(1, 'token is empty (is its environment variable set to "")?'),
});

export const REDIS_EXPECTED = 'expected redis://[USER:PASSWORD@]HOST[:PORT][/DB] or rediss://…';

/** Shared key state: where it lives, and the secret that names keys there. */
const redisUrl = z
  .string()
  .min(1, 'is empty (is its environment variable set to "")?')
  .refine((value) => {
    try {
      const url = new URL(value.trim());
      return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, REDIS_EXPECTED)
  .transform((value) => value.trim());

export const KEY_STATE_SECRET_REQUIRED =
  'is required with redis: a random secret, the same on every replica, that names provider keys in Redis without storing them (e.g. the output of `openssl rand -hex 32`)';

export const WORKERS_EXPECTED = 'expected auto (one per core) or a whole number from 1 to 256';

/** `workers`: how many processes serve (`auto`: one per core); resolved in load.ts. */
export const workersSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const text = String(value).trim();
  if (text === 'auto') return 'auto' as const;
  const count = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(count) || count < 1 || count > 256) {
    ctx.addIssue({ code: 'custom', message: WORKERS_EXPECTED });
    return z.NEVER;
  }
  return count;
});

export const configSchema = z
  .strictObject({
    listen: listen.default('127.0.0.1:8080'),
    workers: workersSchema.default(1),
    database: z
      .string()
      .min(1, 'is empty (is its environment variable set to "")?')
      .default(DEFAULT_DATABASE)
      .transform((value, ctx) => {
        const target = parseDatabaseTarget(value);
        if (target === undefined) {
          ctx.addIssue({ code: 'custom', message: DATABASE_EXPECTED });
          return z.NEVER;
        }
        return target;
      }),
    /** Optional: key state shared by every replica. */
    redis: redisUrl.optional(),
    key_state_secret: z
      .string()
      .min(16, 'is too short: give at least 16 characters (e.g. `openssl rand -hex 32`)')
      .optional(),
    recording: z
      .strictObject({
        /** The last user prompt of each interception. */
        prompts: flag.default(true),
        /** The model's reasoning text. */
        thoughts: flag.default(false),
        // 0 keeps records forever.
        retention: longDuration.default(60 * 86_400_000),
      })
      .default({ prompts: true, thoughts: false, retention: 60 * 86_400_000 }),
    /** The operator's prices (USD per million tokens), over the maintained table's. */
    prices: pricesSchema.default({}),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    // zod 4 defaults are output values: milliseconds and bytes.
    shutdown_grace: duration.default(30_000),
    shutdown_delay: duration.default(0),
    log_format: z.enum(['json', 'pretty']).default('json'),
    /** Whether the client's X-Forwarded-For, Forwarded and X-Real-IP reach the provider. */
    forward_client_ip: flag.default(false),
    limits: z
      .strictObject({ max_body: size.default(32 * 1024 * 1024) })
      .default({ max_body: 32 * 1024 * 1024 }),
    timeouts: z
      .strictObject({
        connect: duration.default(10_000),
        first_byte: duration.default(600_000),
        idle: duration.default(300_000),
      })
      .default({ connect: 10_000, first_byte: 600_000, idle: 300_000 }),
    providers: z.array(providerSchema).default([]),
    auth: z
      .strictObject({
        allow_byok: flag.default(false),
        tokens: z.array(tokenSchema).default([]),
      })
      .default({ allow_byok: false, tokens: [] }),
    mcp_servers: mcpServers.default([]),
    mcp_max_iterations: mcpMaxIterations.default(16),
    admin: z
      .strictObject({
        token: z
          .string()
          .min(1, 'the admin token is empty (is its environment variable set to "")?')
          .optional(),
      })
      .optional(),
    /** Every upstream exchange's bytes are written below it, secrets redacted. */
    dump_dir: z.string().min(1, 'is empty (is its environment variable set to "")?').optional(),
  })
  .superRefine((config, ctx) => {
    const names = new Map<string, number>();
    config.providers.forEach((provider, index) => {
      const earlier = names.get(provider.name);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['providers', index, 'name'],
          message: `duplicate provider name (also providers[${earlier}])`,
        });
      }
      names.set(provider.name, index);
    });
    const users = new Map<string, number>();
    config.auth.tokens.forEach((entry, index) => {
      const earlier = users.get(entry.token);
      if (earlier !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['auth', 'tokens', index, 'token'],
          message: `duplicate token: entries ${earlier} and ${index} are the same token`,
        });
      }
      users.set(entry.token, index);
    });
    if (config.redis !== undefined && config.key_state_secret === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['key_state_secret'],
        message: KEY_STATE_SECRET_REQUIRED,
      });
    }
    const adminToken = config.admin?.token;
    const shared = adminToken === undefined ? undefined : users.get(adminToken);
    if (shared !== undefined) {
      // Anyone holding that gateway token could otherwise administer the gateway.
      ctx.addIssue({
        code: 'custom',
        path: ['admin', 'token'],
        message: `is the same as auth.tokens[${shared}].token: the admin token must differ from every gateway token`,
      });
    }
  });

export type RawConfig = z.output<typeof configSchema>;
