import type { StaticTool } from '../../src/mcp/static-tool-source.js';
import type { ScriptedToolSpec } from './mcp-scripted-tools.js';

/**
 * `count` tools shaped like a real organisation's (ticketing, search, docs): a paragraph of
 * description and a schema with nested objects, enums and required fields, about 1 KB of
 * JSON each. For the CPU benchmark of injection (`staticToolSource(syntheticTools(20))`) and
 * for test MCP servers with many tools.
 */
export function syntheticTools(count: number, server = 'bench'): (StaticTool & ScriptedToolSpec)[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `tool_${String(i).padStart(3, '0')}_search`;
    return {
      server,
      tool: name,
      name,
      behavior: 'echo' as const,
      description:
        `Searches collection ${i} of the organisation's records and returns the matching ` +
        'entries with their identifiers, titles, owners and last-modified times. Use it when ' +
        'the user asks about existing work before creating anything new.',
      inputSchema: {
        type: 'object',
        properties: {
          text: { type: 'string', description: 'Free-text query; quoted phrases match exactly' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          status: { type: 'string', enum: ['open', 'in_progress', 'closed', 'any'] },
          filters: {
            type: 'object',
            properties: {
              owner: { type: 'string', description: 'A user name or email address' },
              labels: { type: 'array', items: { type: 'string' } },
              since: { type: 'string', format: 'date-time' },
            },
            additionalProperties: false,
          },
        },
        required: ['text'],
        additionalProperties: false,
      },
    };
  });
}
