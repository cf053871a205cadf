import { ConfigError } from './config-error.js';
import { describePath } from './describe-path.js';

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` (or `${VAR:-default}`) in every string of a parsed YAML document;
 * `$${` stands for a literal `${`. Done after parsing, so a value with YAML syntax in it
 * cannot change the document's structure.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  root: unknown = value,
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(
      REFERENCE,
      (match, name: string | undefined, fallback: string | undefined) => {
        if (name === undefined) return '${';
        const found = env[name];
        if (found !== undefined) return found;
        if (fallback !== undefined) return fallback;
        throw new ConfigError(
          `${describePath(root, path)}: environment variable ${name} is not set`,
        );
      },
    );
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateEnv(item, env, root, [...path, index]));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] = interpolateEnv(item, env, root, [...path, key]);
    }
    return out;
  }
  return value;
}
