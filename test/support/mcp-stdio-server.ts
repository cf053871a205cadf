/**
 * A test MCP server over stdio, run as a child process (`node --import tsx` this file, from the repository root).
 * Its tools come from the MCP_TEST_TOOLS environment variable (JSON, ScriptedToolSpec[]),
 * else DEFAULT_TOOLS plus `env` and `exit`.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { DEFAULT_TOOLS, ScriptedTools, type ScriptedToolSpec } from './mcp-scripted-tools.js';

const configured = process.env['MCP_TEST_TOOLS'];
const specs: readonly ScriptedToolSpec[] =
  configured === undefined
    ? [
        ...DEFAULT_TOOLS,
        { name: 'env', description: 'Lists its environment', behavior: 'env' },
        { name: 'exit', description: 'Ends the server process', behavior: 'exit' },
      ]
    : (JSON.parse(configured) as ScriptedToolSpec[]);

const tools = new ScriptedTools(specs, () => process.exit(0));
// A line on stderr, as real servers print: the gateway logs it, the protocol ignores it.
process.stderr.write('test MCP server listening on stdio\n');
await tools.createServer().connect(new StdioServerTransport());
