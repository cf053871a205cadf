import { toolEncoding } from '../tool-injection.js';

/** Messages API: `{name, description, input_schema}`. */
export const ANTHROPIC_TOOLS = toolEncoding((tool) => ({
  name: tool.name,
  description: tool.description,
  input_schema: tool.inputSchema,
}));
