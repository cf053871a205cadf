import { z } from 'zod';
import { asRecord } from '../dialects/json-access.js';

/**
 * One page of `tools/list`, read leniently: each tool is checked on its own (see
 * `listedTool`), and the schemas stay as the server sent them. The SDK's `listTools`
 * rebuilds each schema's object (its keys in the SDK's order) and fails the whole list for
 * one malformed tool.
 */
export const ListPageSchema = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});

/** A tool as its server lists it. */
export interface ListedTool {
  readonly name: string;
  readonly description: string | undefined;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export type ListingVerdict =
  | { readonly ok: true; readonly tool: ListedTool }
  | { readonly ok: false; readonly name: string | undefined; readonly reason: string };

/**
 * A tool is injectable when it has a name and an object schema: a provider refuses the
 * whole request for one tool whose schema is not `type: "object"`, so such a tool is left
 * out rather than sent.
 */
export function listedTool(raw: unknown): ListingVerdict {
  const record = asRecord(raw);
  const name = record?.['name'];
  if (typeof name !== 'string' || name === '') {
    return { ok: false, name: undefined, reason: 'no name' };
  }
  const schema = asRecord(record?.['inputSchema']);
  if (schema === undefined) return { ok: false, name, reason: 'no inputSchema object' };
  if (schema['type'] !== 'object') {
    return { ok: false, name, reason: 'its inputSchema is not of type "object"' };
  }
  const description = record?.['description'];
  return {
    ok: true,
    tool: {
      name,
      description: typeof description === 'string' ? description : undefined,
      inputSchema: schema,
    },
  };
}
