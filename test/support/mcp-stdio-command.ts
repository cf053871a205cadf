import { fileURLToPath } from 'node:url';
import type { ScriptedToolSpec } from './mcp-scripted-tools.js';

/** The `mcp_servers` entry of a stdio test server (see mcp-stdio-server.ts). */
export function stdioServerConfig(
  name: string,
  options: { tools?: readonly ScriptedToolSpec[]; env?: Record<string, string> } = {},
): Record<string, unknown> {
  return {
    name,
    command: process.execPath,
    args: ['--import', 'tsx', fileURLToPath(new URL('./mcp-stdio-server.ts', import.meta.url))],
    env: {
      ...options.env,
      ...(options.tools === undefined ? {} : { MCP_TEST_TOOLS: JSON.stringify(options.tools) }),
    },
  };
}
