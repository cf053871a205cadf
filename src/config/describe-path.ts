/**
 * Names a place in the configuration the way an operator thinks of it:
 * `provider "anthropic" (providers[0]): keys[1]`. Only names and positions, never values
 * other than a provider's name.
 */
export function describePath(root: unknown, path: readonly PropertyKey[]): string {
  if (path[0] === 'providers' && typeof path[1] === 'number') {
    const providers = (root as { providers?: unknown } | null)?.providers;
    const entry = Array.isArray(providers) ? (providers[path[1]] as unknown) : undefined;
    const name = (entry as { name?: unknown } | null | undefined)?.name;
    const label =
      typeof name === 'string' && name.length <= 64
        ? `provider "${name}" (providers[${path[1]}])`
        : `provider providers[${path[1]}]`;
    const rest = formatPath(path.slice(2));
    return rest === '' ? label : `${label}: ${rest}`;
  }
  const text = formatPath(path);
  return text === '' ? 'config' : text;
}

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}
