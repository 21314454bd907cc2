// Which tables' rows come from which: a forest, since every table reads exactly one other (a
// transform its input, a split part its split's input). Evaluate and compare ask whether two
// tables share rows (NML200). Each table keeps its parent, its depth and one jump pointer
// (Myers' skew-binary scheme), so memory stays linear and an ancestor test takes O(log depth)
// steps: 20,000 evaluations on a 20,000-table chain must not walk the whole chain each time.

interface Node {
  parent?: string;
  depth: number;
  /** An ancestor (the table itself for a root) spaced so that climbing by jumps is logarithmic. */
  jump: string;
}

export class TableLineage {
  private readonly nodes = new Map<string, Node>();

  /** Adds `table`, whose rows come from `parent` (added before it), or none for a dataset. */
  add(table: string, parent: string | undefined): void {
    const p = parent === undefined ? undefined : this.nodes.get(parent);
    if (parent === undefined || !p) {
      this.nodes.set(table, { depth: 0, jump: table });
      return;
    }
    const j = this.nodes.get(p.jump)!;
    const jj = this.nodes.get(j.jump)!;
    const jump = p.depth - j.depth === j.depth - jj.depth ? j.jump : parent;
    this.nodes.set(table, { parent, depth: p.depth + 1, jump });
  }

  /** True when the rows of `a` and `b` overlap: one is the other or comes from it. */
  overlaps(a: string, b: string): boolean {
    return this.descendsFrom(a, b) || this.descendsFrom(b, a);
  }

  private descendsFrom(table: string, ancestor: string): boolean {
    if (table === ancestor) return true;
    const target = this.nodes.get(ancestor);
    let name = table;
    let node = this.nodes.get(table);
    if (!target || !node) return false;
    while (node.depth > target.depth) {
      const jumpNode: Node = this.nodes.get(node.jump)!;
      name = jumpNode.depth >= target.depth ? node.jump : node.parent!;
      node = this.nodes.get(name)!;
    }
    return name === ancestor;
  }
}
