import { NameRegistry, type NameCollision } from './tool-naming.js';
import type { InjectedTool, ToolCallOptions, ToolCallResult, ToolSet } from './tool-source.js';

/** Runs a tool wherever it lives. */
export interface ToolRunner {
  run(
    tool: InjectedTool,
    argumentsJson: string,
    options?: ToolCallOptions,
  ): Promise<ToolCallResult>;
}

/** An immutable set of injected tools; see `ToolSet`. */
export class SnapshotToolSet implements ToolSet {
  private readonly byName: ReadonlyMap<string, InjectedTool>;

  constructor(
    readonly version: number,
    readonly tools: readonly InjectedTool[],
    private readonly runner: ToolRunner,
    /** Told about each rename `avoiding` makes. */
    private readonly onRename: (collisions: readonly NameCollision[]) => void = () => undefined,
  ) {
    this.byName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  isInjected(name: string): boolean {
    return this.byName.has(name);
  }

  get(name: string): InjectedTool | undefined {
    return this.byName.get(name);
  }

  avoiding(clientNames: ReadonlySet<string>): ToolSet {
    let clash = false;
    for (const name of clientNames) {
      if (this.byName.has(name)) {
        clash = true;
        break;
      }
    }
    if (!clash) return this;
    const kept = this.tools.filter((tool) => !clientNames.has(tool.name)).map((t) => t.name);
    const registry = new NameRegistry([...clientNames, ...kept]);
    const tools = this.tools.map((tool) =>
      clientNames.has(tool.name)
        ? { ...tool, name: registry.assign(tool.server, tool.tool) }
        : tool,
    );
    this.onRename(registry.collisions);
    return new SnapshotToolSet(this.version, tools, this.runner);
  }

  call(name: string, argumentsJson: string, options?: ToolCallOptions): Promise<ToolCallResult> {
    const tool = this.byName.get(name);
    if (tool === undefined) {
      return Promise.resolve({
        text: `No tool named "${name}" is available.`,
        isError: true,
        failure: 'unknown_tool',
        server: '',
        tool: name,
        durationMs: 0,
      });
    }
    return this.runner.run(tool, argumentsJson, options);
  }
}
