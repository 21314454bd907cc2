// Which tables' rows come from which: a forest, since every table reads exactly one other (a
// transform its input, a split part its split's input). Evaluate and compare ask whether two
// tables share rows (NML200): one comes from the other, or they come from parts of two different
// splits of one table (two random draws from the same rows overlap; the parts of one split do
// not, and neither do two transforms, whose filters may well be disjoint). Each table keeps its parent, its depth and one jump pointer
// (Myers' skew-binary scheme), so memory stays linear and an ancestor test takes O(log depth)
// steps: 20,000 evaluations on a 20,000-table chain must not walk the whole chain each time.

interface Node {
  parent?: string;
  depth: number;
  /** An ancestor (the table itself for a root) spaced so that climbing by jumps is logarithmic. */
  jump: string;
  /** For a split part: the split it is a part of. */
  split?: string;
}

export class TableLineage {
  private readonly nodes = new Map<string, Node>();

  /**
   * Adds `table`, whose rows come from `parent` (added before it), or none for a dataset; `split`
   * names the split when `table` is one of its parts.
   */
  add(table: string, parent: string | undefined, split?: string): void {
    const p = parent === undefined ? undefined : this.nodes.get(parent);
    if (parent === undefined || !p) {
      this.nodes.set(table, { depth: 0, jump: table });
      return;
    }
    const j = this.nodes.get(p.jump)!;
    const jj = this.nodes.get(j.jump)!;
    const jump = p.depth - j.depth === j.depth - jj.depth ? j.jump : parent;
    this.nodes.set(table, { parent, depth: p.depth + 1, jump, ...(split === undefined ? {} : { split }) });
  }

  /**
   * True when the rows of `a` and `b` may overlap: one is the other or comes from it, or they
   * come from parts of two different splits of one table.
   */
  overlaps(a: string, b: string): boolean {
    const na = this.nodes.get(a), nb = this.nodes.get(b);
    if (!na || !nb) return a === b;
    let x = this.climb(a, na.depth - Math.min(na.depth, nb.depth));
    let y = this.climb(b, nb.depth - Math.min(na.depth, nb.depth));
    if (x === y) return true;
    // Same depth now: jumps land at the same depth, so climb both until their parents meet.
    for (;;) {
      const nx = this.nodes.get(x)!, ny = this.nodes.get(y)!;
      if (nx.parent === undefined || ny.parent === undefined) return false;
      if (nx.parent === ny.parent) return nx.split !== undefined && ny.split !== undefined && nx.split !== ny.split;
      if (nx.jump !== ny.jump && this.nodes.get(nx.jump)!.depth < nx.depth) { x = nx.jump; y = ny.jump; } else { x = nx.parent; y = ny.parent; }
    }
  }

  /** The ancestor `steps` levels above `table`. */
  private climb(table: string, steps: number): string {
    let name = table;
    let node = this.nodes.get(table)!;
    const depth = node.depth - steps;
    while (node.depth > depth) {
      const jumpNode: Node = this.nodes.get(node.jump)!;
      name = jumpNode.depth >= depth ? node.jump : node.parent!;
      node = this.nodes.get(name)!;
    }
    return name;
  }
}
