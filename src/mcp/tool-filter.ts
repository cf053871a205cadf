import type { McpServerSettings } from './settings.js';

/**
 * `tool_allow` / `tool_deny` on the tool's own name (not the injected one): allowed when
 * no allow pattern is set or one matches, and no deny pattern matches. Deny wins.
 */
export function isToolAllowed(
  settings: Pick<McpServerSettings, 'toolAllow' | 'toolDeny'>,
  tool: string,
): boolean {
  if (settings.toolDeny.some((pattern) => pattern.test(tool))) return false;
  return settings.toolAllow.length === 0 || settings.toolAllow.some((p) => p.test(tool));
}
