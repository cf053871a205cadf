import { NameRegistry } from './tool-naming.js';
import { SnapshotToolSet } from './tool-set.js';
import type { InjectedTool, ToolCallResult, ToolSource } from './tool-source.js';

export interface StaticTool {
  readonly server: string;
  readonly tool: string;
  readonly description: string | undefined;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

/** Answers a call of a static tool; may throw, which the model sees as an error result. */
export type StaticHandler = (tool: InjectedTool, args: unknown) => string | Promise<string>;

/**
 * A ToolSource over a fixed list of tools, named and ordered exactly as MCP tools would
 * be, with no server behind them: for benchmarks (the cost of injecting N tools) and for
 * tests that need tools but not their transport.
 */
export function staticToolSource(
  tools: readonly StaticTool[],
  handler: StaticHandler = () => '',
): ToolSource {
  const registry = new NameRegistry();
  const injected: InjectedTool[] = tools.map((t) => ({
    ...t,
    name: registry.assign(t.server, t.tool),
  }));
  const set = new SnapshotToolSet(1, injected, {
    async run(tool, argumentsJson): Promise<ToolCallResult> {
      const base = { server: tool.server, tool: tool.tool, durationMs: 0 };
      try {
        const args: unknown = argumentsJson.trim() === '' ? {} : JSON.parse(argumentsJson);
        const text = await handler(tool, args);
        return { ...base, text, isError: false, failure: undefined };
      } catch (error) {
        const text = `The tool failed: ${error instanceof Error ? error.message : String(error)}`;
        return { ...base, text, isError: true, failure: 'tool_error' };
      }
    },
  });
  return { snapshot: () => set };
}
