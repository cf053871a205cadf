const PROVIDERS_FROM_ENV = [
  { keys: 'ANTHROPIC_API_KEYS', baseUrl: 'SWITCHYARD_ANTHROPIC_BASE_URL', name: 'anthropic' },
  { keys: 'OPENAI_API_KEYS', baseUrl: 'SWITCHYARD_OPENAI_BASE_URL', name: 'openai' },
] as const;

const SCALARS_FROM_ENV = [
  ['SWITCHYARD_LISTEN', 'listen'],
  ['SWITCHYARD_DATABASE', 'database'],
  ['SWITCHYARD_LOG_LEVEL', 'log_level'],
] as const;

function list(value: string | undefined): string[] | undefined {
  return value === undefined || value.trim() === ''
    ? undefined
    : value.split(',').map((item) => item.trim());
}

/**
 * The quick start without a file: a configuration document built from environment
 * variables, validated exactly like a file so its errors read the same.
 */
export function envOnlyConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const providers: Record<string, unknown>[] = [];
  for (const source of PROVIDERS_FROM_ENV) {
    const keys = list(env[source.keys]);
    if (keys === undefined) continue;
    const baseUrl = env[source.baseUrl];
    providers.push({
      name: source.name,
      type: source.name,
      keys,
      ...(baseUrl === undefined ? {} : { base_url: baseUrl }),
    });
  }
  const tokens = (list(env['SWITCHYARD_TOKENS']) ?? []).map((pair) => {
    const colon = pair.indexOf(':');
    return colon === -1
      ? { user: '', token: pair }
      : { user: pair.slice(0, colon), token: pair.slice(colon + 1) };
  });
  const document: Record<string, unknown> = {
    providers,
    auth: { allow_byok: env['SWITCHYARD_ALLOW_BYOK'] === 'true', tokens },
  };
  for (const [variable, field] of SCALARS_FROM_ENV) {
    const value = env[variable];
    if (value !== undefined) document[field] = value;
  }
  const adminToken = env['SWITCHYARD_ADMIN_TOKEN'];
  if (adminToken !== undefined) document['admin'] = { token: adminToken };
  return document;
}
