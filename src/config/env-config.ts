import { ConfigError } from './config-error.js';

export const PROVIDERS_FROM_ENV = [
  { keys: 'ANTHROPIC_API_KEYS', baseUrl: 'SWITCHYARD_ANTHROPIC_BASE_URL', name: 'anthropic' },
  { keys: 'OPENAI_API_KEYS', baseUrl: 'SWITCHYARD_OPENAI_BASE_URL', name: 'openai' },
] as const;

const SCALARS_FROM_ENV = [
  ['SWITCHYARD_LISTEN', 'listen'],
  ['SWITCHYARD_WORKERS', 'workers'],
  ['SWITCHYARD_DATABASE', 'database'],
  ['SWITCHYARD_REDIS', 'redis'],
  ['SWITCHYARD_KEY_STATE_SECRET', 'key_state_secret'],
  ['SWITCHYARD_LOG_LEVEL', 'log_level'],
  ['SWITCHYARD_LOG_FORMAT', 'log_format'],
] as const;

const TOKENS = 'SWITCHYARD_TOKENS';
const ALLOW_BYOK = 'SWITCHYARD_ALLOW_BYOK';
const ADMIN_TOKEN = 'SWITCHYARD_ADMIN_TOKEN';

/** The configuration the environment describes, and how to name a place in it. */
export interface EnvDocument {
  readonly document: Record<string, unknown>;
  /** Names the variable (and entry) behind a path of the document: `SWITCHYARD_TOKENS: entry 2`. */
  readonly locate: (path: readonly PropertyKey[]) => string | undefined;
}

/** A comma-separated variable; blank counts as not set. */
function list(value: string | undefined): string[] | undefined {
  return value === undefined || value.trim() === ''
    ? undefined
    : value.split(',').map((item) => item.trim());
}

/** A set variable with nothing in it is almost always a shell variable that was not set. */
function scalar(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  const value = env[variable];
  if (value === '') {
    throw new ConfigError(`${variable}: is set but empty (give it a value, or unset it)`);
  }
  return value;
}

/** Entries are counted from 1 here, as a person counts the items they typed. */
function checkEntries(variable: string, entries: readonly string[], what: string): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (entry === '') throw new ConfigError(`${variable}: entry ${index + 1} is empty`);
    const earlier = seen.get(entry);
    if (earlier !== undefined) {
      throw new ConfigError(
        `${variable}: entries ${earlier + 1} and ${index + 1} are the same ${what}`,
      );
    }
    seen.set(entry, index);
  });
}

function parseTokens(env: NodeJS.ProcessEnv): { user: string; token: string }[] {
  const pairs = list(env[TOKENS]) ?? [];
  const tokens = pairs.map((pair, index) => {
    const entry = `${TOKENS}: entry ${index + 1}`;
    if (pair === '') throw new ConfigError(`${entry} is empty`);
    const colon = pair.indexOf(':');
    const user = colon === -1 ? '' : pair.slice(0, colon).trim();
    const token = colon === -1 ? pair : pair.slice(colon + 1).trim();
    if (user === '') throw new ConfigError(`${entry} has no user (expected user:token)`);
    if (token === '') throw new ConfigError(`${entry} has no token (expected user:token)`);
    return { user, token };
  });
  checkEntries(
    TOKENS,
    tokens.map((entry) => entry.token),
    'token',
  );
  return tokens;
}

/**
 * The quick start without a file: a configuration document built from environment
 * variables, validated by the same schema as a file. Problems only the environment can
 * have (an empty list entry, a token without its user) are reported here with the variable
 * and the entry counted from 1; `locate` lets the schema's messages name the variable too.
 */
export function envOnlyConfig(env: NodeJS.ProcessEnv): EnvDocument {
  const providers: Record<string, unknown>[] = [];
  const providerVariables: { keys: string; baseUrl: string }[] = [];
  for (const source of PROVIDERS_FROM_ENV) {
    const keys = list(env[source.keys]);
    if (keys === undefined) continue;
    checkEntries(source.keys, keys, 'key');
    const baseUrl = scalar(env, source.baseUrl);
    providers.push({
      name: source.name,
      type: source.name,
      keys,
      ...(baseUrl === undefined ? {} : { base_url: baseUrl }),
    });
    providerVariables.push(source);
  }
  const tokens = parseTokens(env);
  const allowByok = scalar(env, ALLOW_BYOK);
  const document: Record<string, unknown> = {
    providers,
    auth: { ...(allowByok === undefined ? {} : { allow_byok: allowByok }), tokens },
  };
  for (const [variable, field] of SCALARS_FROM_ENV) {
    const value = scalar(env, variable);
    if (value !== undefined) document[field] = value;
  }
  const adminToken = scalar(env, ADMIN_TOKEN);
  if (adminToken !== undefined) {
    const shared = tokens.findIndex((entry) => entry.token === adminToken);
    if (shared !== -1) {
      throw new ConfigError(
        `${ADMIN_TOKEN}: is the same as the token of ${TOKENS} entry ${shared + 1}: the admin token must differ from every gateway token`,
      );
    }
    document['admin'] = { token: adminToken };
  }

  const locate = (path: readonly PropertyKey[]): string | undefined => {
    const [first, second, third, fourth] = path;
    if (first === 'providers' && typeof second === 'number') {
      const variables = providerVariables[second];
      if (variables === undefined) return undefined;
      if (third === 'base_url') return variables.baseUrl;
      return typeof fourth === 'number' ? `${variables.keys}: entry ${fourth + 1}` : variables.keys;
    }
    if (first === 'auth' && second === 'tokens' && typeof third === 'number') {
      return `${TOKENS}: entry ${third + 1}`;
    }
    if (first === 'auth' && second === 'allow_byok') return ALLOW_BYOK;
    if (first === 'admin') return ADMIN_TOKEN;
    return SCALARS_FROM_ENV.find(([, field]) => field === first)?.[0];
  };
  return { document, locate };
}
