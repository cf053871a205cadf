/**
 * Children of a labelled metric, bound once per combination of label values and found again
 * through nested maps: prom-client's own `labels()` hashes the label object into a string on
 * every call, which the request path should not pay for.
 */
export class LabelTree<C> {
  private readonly root = new Map<string, unknown>();

  constructor(private readonly bind: (values: readonly string[]) => C) {}

  get(...values: string[]): C {
    let node = this.root;
    const last = values.length - 1;
    for (let i = 0; i < last; i++) {
      const value = values[i] as string;
      let next = node.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(value, next);
      }
      node = next;
    }
    const leafValue = values[last] as string;
    let child = node.get(leafValue) as C | undefined;
    if (child === undefined) {
      child = this.bind(values);
      node.set(leafValue, child);
    }
    return child;
  }
}
