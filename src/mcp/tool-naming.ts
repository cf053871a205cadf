import { createHash } from 'node:crypto';

/**
 * Every injected name starts so; a client's own tool can only collide with one when its
 * name does too.
 */
export const INJECTED_PREFIX = 'mcp_';

/** The providers' limit on a tool name (Anthropic, Chat Completions and Responses alike). */
export const MAX_TOOL_NAME = 64;

/** What the providers accept in a tool name: `^[a-zA-Z0-9_-]{1,64}$`. */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const OUTSIDE_ALPHABET = /[^a-zA-Z0-9_-]/g;

/** Eight hex digits of SHA-256 over the parts: stable across runs, machines and versions. */
function shortHash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 8);
}

/**
 * `mcp_<server>__<tool>` when that is a valid name as it stands; otherwise (a tool name
 * with characters the providers refuse, or too long) the sanitised name cut to fit, then
 * `_` and a short hash of the server and the tool's real name, so that two tools whose
 * names sanitise or cut alike still differ. `attempt` > 0 gives the alternatives used to
 * resolve a collision (see `NameRegistry`).
 */
export function injectedName(server: string, tool: string, attempt = 0): string {
  const plain = `${INJECTED_PREFIX}${server}__${tool}`;
  if (attempt === 0 && plain.length <= MAX_TOOL_NAME && TOOL_NAME.test(plain)) return plain;
  const suffix = `_${shortHash(attempt === 0 ? [server, tool] : [server, tool, String(attempt)])}`;
  const sanitised = plain.replace(OUTSIDE_ALPHABET, '_');
  return sanitised.slice(0, MAX_TOOL_NAME - suffix.length) + suffix;
}

export interface NameCollision {
  readonly server: string;
  readonly tool: string;
  /** The name it would have had, held by an earlier tool or by a client's own tool. */
  readonly wanted: string;
  readonly assigned: string;
}

/**
 * Hands out injected names in a fixed order, so the outcome depends only on the tools and
 * the names already taken. The rule: a tool gets `injectedName(server, tool)`; if that is
 * taken (by a tool earlier in the order, or by a name reserved up front, such as a client
 * tool's), it gets the first of `injectedName(server, tool, 1)`, `…, 2)`, … that is free.
 */
export class NameRegistry {
  private readonly taken: Set<string>;
  readonly collisions: NameCollision[] = [];

  constructor(reserved: Iterable<string> = []) {
    this.taken = new Set(reserved);
  }

  assign(server: string, tool: string): string {
    const wanted = injectedName(server, tool);
    let name = wanted;
    for (let attempt = 1; this.taken.has(name); attempt++) {
      name = injectedName(server, tool, attempt);
    }
    if (name !== wanted) this.collisions.push({ server, tool, wanted, assigned: name });
    this.taken.add(name);
    return name;
  }
}
