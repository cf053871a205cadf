import { z } from 'zod';
import type { McpServerSettings, McpSettings } from '../mcp/settings.js';
import { count, DASHED_WORDS, duration } from './schema-values.js';

/**
 * Room in the 64 characters of a tool name: `mcp_` + server + `__` leaves at least 26 for
 * the tool's own name, or for a cut of it and its short hash.
 */
const MAX_SERVER_NAME = 32;

/** Compiled here so that a typo stops startup with the pattern named, not on first use. */
const pattern = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^.*: /, '') : 'invalid';
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(source)} is not a valid regular expression (${reason})`,
    });
  }
});

/** One pattern or a list; a tool matches when any of them matches. */
const patterns = z
  .union([pattern, z.array(pattern)])
  .transform((value) => (typeof value === 'string' ? [value] : value));

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const headers = z
  .record(
    z.string(),
    z
      .string()
      .refine((value) => !/[\r\n\0]/.test(value), 'a header value may not contain line breaks'),
  )
  .superRefine((record, ctx) => {
    for (const name of Object.keys(record)) {
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'a header name may not contain spaces or separators',
        });
      }
    }
  });

const serverSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        DASHED_WORDS,
        'must be lower-case letters and digits in dash-separated words, e.g. tickets or code-search',
      )
      .max(
        MAX_SERVER_NAME,
        `at most ${MAX_SERVER_NAME} characters: it is part of every tool name the model sees`,
      ),
    /** Streamable HTTP. */
    url: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).optional(),
    headers: headers.optional(),
    /** stdio. */
    command: z.string().min(1, 'command is empty').optional(),
    args: z.array(z.string()).optional(),
    env: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'not a variable name'), z.string())
      .optional(),
    tool_allow: patterns.optional(),
    tool_deny: patterns.optional(),
    timeout: duration.refine((ms) => ms > 0, 'must be more than 0').default(60_000),
  })
  .superRefine((server, ctx) => {
    if (server.url === undefined && server.command === undefined) {
      ctx.addIssue({ code: 'custom', message: 'give url (Streamable HTTP) or command (stdio)' });
    } else if (server.url !== undefined && server.command !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: 'give url (Streamable HTTP) or command (stdio), not both',
      });
    } else if (server.url !== undefined) {
      for (const field of ['args', 'env'] as const) {
        if (server[field] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: `${field} is for a stdio server (command), not one with url`,
          });
        }
      }
    } else if (server.headers !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['headers'],
        message: 'headers are for a Streamable HTTP server (url), not one with command',
      });
    }
  });

export const mcpServers = z.array(serverSchema).superRefine((servers, ctx) => {
  const names = new Map<string, number>();
  servers.forEach((server, index) => {
    const earlier = names.get(server.name);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `duplicate MCP server name (also mcp_servers[${earlier}])`,
      });
    }
    names.set(server.name, index);
  });
});

export const mcpMaxIterations = count.pipe(
  z
    .number()
    .refine(Number.isInteger, 'expected a whole number')
    .refine((n) => n >= 1, 'must be at least 1'),
);

function toSettings(server: z.output<typeof serverSchema>): McpServerSettings {
  return {
    name: server.name,
    transport:
      server.url !== undefined
        ? { kind: 'http', url: new URL(server.url), headers: server.headers ?? {} }
        : {
            kind: 'stdio',
            command: server.command ?? '',
            args: server.args ?? [],
            env: server.env ?? {},
          },
    toolAllow: (server.tool_allow ?? []).map((source) => new RegExp(source)),
    toolDeny: (server.tool_deny ?? []).map((source) => new RegExp(source)),
    timeoutMs: server.timeout,
  };
}

export function mcpSettingsOf(
  servers: z.output<typeof mcpServers>,
  maxIterations: number,
): McpSettings {
  return { servers: servers.map(toSettings), maxIterations };
}
