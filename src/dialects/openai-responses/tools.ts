import { toolEncoding } from '../tool-injection.js';

/**
 * Responses: `{type: "function", name, description, parameters, strict: false}`. Without
 * `strict`, Responses normalises a schema into strict mode (every property required, no
 * additional ones), which changes what most MCP tools accept.
 */
export const RESPONSES_TOOLS = toolEncoding((tool) => ({
  type: 'function',
  name: tool.name,
  description: tool.description,
  parameters: tool.inputSchema,
  strict: false,
}));
