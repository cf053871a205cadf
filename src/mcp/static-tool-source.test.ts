import { describe, expect, it } from 'vitest';
import { openaiResponses } from '../dialects/openai-responses/dialect.js';
import { syntheticTools } from '../../test/support/synthetic-tools.js';
import { staticToolSource } from './static-tool-source.js';

describe('staticToolSource (the benchmark hook)', () => {
  it('offers N tools named and encoded as MCP tools would be', () => {
    const source = staticToolSource(syntheticTools(20));
    const tools = source.snapshot().tools;
    expect(tools).toHaveLength(20);
    expect(tools[0]?.name).toBe('mcp_bench__tool_000_search');
    expect(source.snapshot()).toBe(source.snapshot());
    const encoded = openaiResponses.tools.declarations(tools);
    expect(JSON.parse(`[${encoded.toString()}]`)).toHaveLength(20);
    expect(encoded.length).toBeGreaterThan(20 * 500);
  });

  it('runs calls through the handler, a throw becoming an error result', async () => {
    const source = staticToolSource(syntheticTools(2), (tool, args) => {
      if (tool.tool.startsWith('tool_001')) throw new Error('no such record');
      return JSON.stringify(args);
    });
    const set = source.snapshot();
    expect(await set.call('mcp_bench__tool_000_search', '{"text":"q"}')).toMatchObject({
      text: '{"text":"q"}',
      isError: false,
    });
    expect(await set.call('mcp_bench__tool_001_search', '{}')).toMatchObject({
      text: 'The tool failed: no such record',
      failure: 'tool_error',
    });
  });
});
