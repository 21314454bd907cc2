// Layout of the lineage graph: each node's layer is its longest path from a source (so every
// edge points right), and nodes within a layer are ordered by the mean position of their
// parents (a few barycentre sweeps), which keeps edges short and mostly uncrossed.

export interface LayoutNode { name: string; dependsOn: string[] }
export interface Placed { name: string; layer: number; order: number; x: number; y: number }

export const NODE_W = 170;
export const NODE_H = 44;
const GAP_X = 70;
const GAP_Y = 18;

export function layoutLineage(nodes: LayoutNode[]): { placed: Map<string, Placed>; width: number; height: number } {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const layer = new Map<string, number>();
  const visiting = new Set<string>();
  const depth = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0;
    visiting.add(name);
    const parents = byName.get(name)?.dependsOn.filter((d) => byName.has(d)) ?? [];
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map(depth));
    visiting.delete(name);
    layer.set(name, d);
    return d;
  };
  for (const n of nodes) depth(n.name);
  const layers: string[][] = [];
  for (const n of nodes) (layers[layer.get(n.name)!] ??= []).push(n.name);
  const position = new Map<string, number>();
  layers.forEach((l) => l.forEach((name, i) => position.set(name, i)));
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let li = 1; li < layers.length; li++) {
      const bary = (name: string): number => {
        const ps = byName.get(name)!.dependsOn.filter((d) => position.has(d));
        return ps.length ? ps.reduce((s, p) => s + position.get(p)!, 0) / ps.length : position.get(name)!;
      };
      layers[li].sort((a, b) => bary(a) - bary(b) || a.localeCompare(b));
      layers[li].forEach((name, i) => position.set(name, i));
    }
  }
  const placed = new Map<string, Placed>();
  let height = 0;
  layers.forEach((l, li) => l.forEach((name, order) => {
    const y = 20 + order * (NODE_H + GAP_Y);
    placed.set(name, { name, layer: li, order, x: 20 + li * (NODE_W + GAP_X), y });
    height = Math.max(height, y + NODE_H + 20);
  }));
  return { placed, width: 40 + layers.length * (NODE_W + GAP_X), height };
}
