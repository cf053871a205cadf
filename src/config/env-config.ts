/**
 * The quick start without a file: a configuration document built from environment
 * variables, validated exactly like a file so its errors read the same.
 */
export function envOnlyConfig(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const list = (value: string | undefined): string[] | undefined =>
    value === undefined || value.trim() === ''
      ? undefined
      : value.split(',').map((item) => item.trim());
  const providers: Record<string, unknown>[] = [];
  const anthropic = list(env['ANTHROPIC_API_KEYS']);
  if (anthropic !== undefined) {
    providers.push({
      name: 'anthropic',
      type: 'anthropic',
      keys: anthropic,
      ...(env['SWITCHYARD_ANTHROPIC_BASE_URL'] === undefined
        ? {}
        : { base_url: env['SWITCHYARD_ANTHROPIC_BASE_URL'] }),
    });
  }
  const openai = list(env['OPENAI_API_KEYS']);
  if (openai !== undefined) {
    providers.push({
      name: 'openai',
      type: 'openai',
      keys: openai,
      ...(env['SWITCHYARD_OPENAI_BASE_URL'] === undefined
        ? {}
        : { base_url: env['SWITCHYARD_OPENAI_BASE_URL'] }),
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
  if (env['SWITCHYARD_LISTEN'] !== undefined) document['listen'] = env['SWITCHYARD_LISTEN'];
  if (env['SWITCHYARD_DATABASE'] !== undefined) document['database'] = env['SWITCHYARD_DATABASE'];
  if (env['SWITCHYARD_LOG_LEVEL'] !== undefined)
    document['log_level'] = env['SWITCHYARD_LOG_LEVEL'];
  if (env['SWITCHYARD_ADMIN_TOKEN'] !== undefined)
    document['admin'] = { token: env['SWITCHYARD_ADMIN_TOKEN'] };
  return document;
}
