/** Lists whose entries an operator knows by name, and what to call such an entry. */
const NAMED_LISTS: Readonly<Record<string, string>> = {
  providers: 'provider',
  mcp_servers: 'MCP server',
};

/**
 * Names a place in the configuration the way an operator thinks of it:
 * `provider "anthropic" (providers[0]): keys[1]`. Only names and positions, never values
 * other than a provider's or MCP server's name.
 */
export function describePath(root: unknown, path: readonly PropertyKey[]): string {
  const list = path[0];
  const kind = typeof list === 'string' ? NAMED_LISTS[list] : undefined;
  if (kind !== undefined && typeof list === 'string' && typeof path[1] === 'number') {
    const entries = (root as Record<string, unknown> | null)?.[list];
    const entry = Array.isArray(entries) ? (entries[path[1]] as unknown) : undefined;
    const name = (entry as { name?: unknown } | null | undefined)?.name;
    const label =
      typeof name === 'string' && name.length <= 64
        ? `${kind} "${name}" (${list}[${path[1]}])`
        : `${kind} ${list}[${path[1]}]`;
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
