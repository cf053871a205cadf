import { toolEncoding } from '../tool-injection.js';

/** Chat Completions: `{type: "function", function: {name, description, parameters}}`; non-strict by default. */
export const CHAT_TOOLS = toolEncoding((tool) => ({
  type: 'function',
  function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
}));
