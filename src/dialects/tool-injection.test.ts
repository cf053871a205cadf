import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anthropicMessages } from './anthropic-messages/dialect.js';
import { parseBridgeRequest } from './bridge-request.js';
import type { Dialect } from './dialect.js';
import { openaiChat } from './openai-chat/dialect.js';
import { openaiResponses } from './openai-responses/dialect.js';
import type { ToolDefinition } from './tool-definition.js';

const DIALECTS: readonly Dialect[] = [anthropicMessages, openaiChat, openaiResponses];

const SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { q: { type: 'string', description: 'the "query"' }, n: { $ref: '#/$defs/n' } },
  required: ['q'],
  $defs: { n: { type: 'integer', minimum: 1 } },
  additionalProperties: false,
};

const TOOLS: readonly ToolDefinition[] = [
  { name: 'mcp_docs__search', description: 'Searches the docs', inputSchema: SCHEMA },
  { name: 'mcp_docs__list', description: undefined, inputSchema: { type: 'object' } },
];

/** The JSON each API expects for TOOLS, written out by hand. */
const EXPECTED: Record<Dialect['id'], string> = {
  'anthropic-messages':
    `{"name":"mcp_docs__search","description":"Searches the docs","input_schema":${JSON.stringify(SCHEMA)}},` +
    '{"name":"mcp_docs__list","input_schema":{"type":"object"}}',
  'openai-chat':
    `{"type":"function","function":{"name":"mcp_docs__search","description":"Searches the docs","parameters":${JSON.stringify(SCHEMA)}}},` +
    '{"type":"function","function":{"name":"mcp_docs__list","parameters":{"type":"object"}}}',
  'openai-responses':
    `{"type":"function","name":"mcp_docs__search","description":"Searches the docs","parameters":${JSON.stringify(SCHEMA)},"strict":false},` +
    '{"type":"function","name":"mcp_docs__list","parameters":{"type":"object"},"strict":false}',
};

function edit(dialect: Dialect, text: string, tools = TOOLS): string {
  const request = parseBridgeRequest(Buffer.from(text));
  return dialect.upstreamBody(request, dialect.tools.declarations(tools)).toString('utf8');
}

describe.each(DIALECTS)('$id tool declarations', (dialect) => {
  it("are the API's own format, the whole schema in its key order", () => {
    expect(dialect.tools.declarations(TOOLS).toString('utf8')).toBe(EXPECTED[dialect.id]);
  });

  it('are the very same bytes for the same tool list, and equal bytes for an equal one', () => {
    const first = dialect.tools.declarations(TOOLS);
    expect(dialect.tools.declarations(TOOLS)).toBe(first);
    const copy = TOOLS.map((t) => ({ ...t, inputSchema: structuredClone(t.inputSchema) }));
    expect(dialect.tools.declarations(copy).equals(first)).toBe(true);
  });
});

describe.each(DIALECTS)('$id request edit', (dialect) => {
  const decl = (): string => EXPECTED[dialect.id];

  it('appends to the client tools and leaves every other byte as sent', () => {
    const before =
      '{ "zeta" :1,\n  "model":"m", "tools" : [ {"name":"client","x":{"é":"\\u00e9"}} ';
    const after = '] ,"unknown_field":{"nested":[1,2.50]},\t"messages":[] }\n';
    expect(edit(dialect, before + after)).toBe(`${before},${decl()}${after}`);
  });

  it('adds tools when the client sent none', () => {
    const text = '{"model":"m",  "x-new-field":true}';
    expect(edit(dialect, text)).toBe(`{"tools":[${decl()}],"model":"m",  "x-new-field":true}`);
  });

  it('fills an empty or null tools member', () => {
    expect(edit(dialect, '{"model":"m","tools":[ \n ]}')).toBe(
      `{"model":"m","tools":[ \n ${decl()}]}`,
    );
    expect(edit(dialect, '{"model":"m","tools":null,"a":1}')).toBe(
      `{"model":"m","tools":[${decl()}],"a":1}`,
    );
  });

  it('edits the member JSON parsers keep when tools appears twice', () => {
    expect(edit(dialect, '{"model":"m","tools":[1],"tools":[]}')).toBe(
      `{"model":"m","tools":[1],"tools":[${decl()}]}`,
    );
  });

  it('leaves a tools member that is not an array for the provider to refuse', () => {
    const text = '{"model":"m","tools":"oops"}';
    expect(edit(dialect, text)).toBe(text);
  });

  it('changes nothing when there is nothing to inject', () => {
    const text = '{"model":"m" , "tools":[{"name":"a"}]}';
    const request = parseBridgeRequest(Buffer.from(text));
    expect(dialect.upstreamBody(request, dialect.tools.declarations([]))).toBe(request.raw);
    expect(dialect.upstreamBody(request)).toBe(request.raw);
  });

  it('only ever inserts: without the inserted bytes the body is as the client sent it', () => {
    const body = fc.record({
      model: fc.string().map((s) => `m${s}`),
      tools: fc.option(fc.array(fc.jsonValue(), { maxLength: 3 }), { nil: undefined }),
      other: fc.dictionary(
        fc.string().filter((k) => !['tools', 'model', '__proto__'].includes(k)),
        fc.jsonValue(),
        { maxKeys: 4 },
      ),
    });
    fc.assert(
      fc.property(body, fc.constantFrom(0, 2, '\t'), ({ model, tools, other }, indent) => {
        const value = { ...other, model, ...(tools === undefined ? {} : { tools }) };
        const text = JSON.stringify(value, null, indent);
        const edited = edit(dialect, text);
        const inserted =
          tools === undefined ? `"tools":[${decl()}],` : tools.length === 0 ? decl() : `,${decl()}`;
        expect(edited.replace(inserted, '')).toBe(text);
        const sent = JSON.parse(text) as { tools?: unknown[] };
        const parsed = JSON.parse(edited) as { tools: unknown[] };
        const injected = JSON.parse(`[${decl()}]`) as unknown[];
        expect(parsed.tools).toEqual([...(sent.tools ?? []), ...injected]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('openai-chat with stream and injected tools', () => {
  it('makes both edits, each where it belongs', () => {
    const text = '{"model":"m","stream":true,"tools":[{"type":"function"}]}';
    expect(edit(openaiChat, text)).toBe(
      `{"stream_options":{"include_usage":true},"model":"m","stream":true,"tools":[{"type":"function"},${EXPECTED['openai-chat']}]}`,
    );
  });
});

describe('clientToolNames', () => {
  function names(dialect: Dialect, text: string, prefix?: string): string[] {
    const body = parseBridgeRequest(Buffer.from(text)).body;
    return [...dialect.tools.clientToolNames(body, prefix)].sort();
  }

  it("reads each API's tool names, built-in and nested ones included", () => {
    expect(
      names(
        anthropicMessages,
        '{"model":"m","tools":[{"name":"Bash","input_schema":{}},{"type":"web_search_20250305","name":"web_search"}]}',
      ),
    ).toEqual(['Bash', 'web_search']);
    expect(
      names(
        openaiChat,
        '{"model":"m","tools":[{"type":"function","function":{"name":"f"}},{"type":"custom","custom":{"name":"c"}}]}',
      ),
    ).toEqual(['c', 'f']);
    expect(
      names(
        openaiResponses,
        '{"model":"m","tools":[{"type":"function","name":"f"},{"type":"web_search"},{"type":"namespace","name":"ns","tools":[{"type":"function","name":"inner"}]}]}',
      ),
    ).toEqual(['f', 'inner', 'ns']);
    expect(names(openaiResponses, '{"model":"m"}')).toEqual([]);
  });

  it('keeps only names with the prefix, escaped ones too', () => {
    const text =
      '{"model":"m","tools":[{"name":"mcp_docs__search"},{"name":"\\u006dcp_x__y"},{"name":"other"}]}';
    expect(names(anthropicMessages, text, 'mcp_')).toEqual(['mcp_docs__search', 'mcp_x__y']);
    expect(names(anthropicMessages, '{"model":"m","tools":[{"name":"Bash"}]}', 'mcp_')).toEqual([]);
  });
});
