// Layout of the lineage graph: top to bottom, a declaration below what it reads. Each connected
// part of the pipeline is laid out by dagre (layered: ranks, crossing reduction, coordinates;
// docs/decisions/0007-lineage-layout.md), then the parts are packed in rows to the panel's
// shape, so 100 small independent pipelines make a block rather than one row 100 parts wide.
// Laying out parts apart also keeps the cost near linear: dagre's ordering is superlinear in
// the size of one graph.
import dagre from '@dagrejs/dagre';

export interface LayoutNode { name: string; dependsOn: string[] }
/** A node's box (top-left corner). */
export interface Placed { name: string; x: number; y: number }
export interface PlacedEdge { from: string; to: string; points: { x: number; y: number }[] }
export interface Layout { placed: Map<string, Placed>; edges: PlacedEdge[]; width: number; height: number }

export const NODE_W = 180;
export const NODE_H = 44;
const GAP = 32;
const MARGIN = 16;
/** Above this many nodes a part is ranked by longest path: network simplex costs seconds there. */
const SIMPLEX_MAX = 150;

/** Connected parts (edges either way), each in the nodes' order; parts in order of first node. */
function parts(nodes: LayoutNode[], known: Set<string>): LayoutNode[][] {
  const parent = new Map(nodes.map((n) => [n.name, n.name]));
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    while (parent.get(x) !== r) { const next = parent.get(x)!; parent.set(x, r); x = next; }
    return r;
  };
  for (const n of nodes) for (const d of n.dependsOn) if (known.has(d)) parent.set(find(d), find(n.name));
  const groups = new Map<string, LayoutNode[]>();
  for (const n of nodes) {
    const r = find(n.name);
    const g = groups.get(r);
    if (g) g.push(n); else groups.set(r, [n]);
  }
  return [...groups.values()];
}

function layoutPart(part: LayoutNode[], known: Set<string>): Layout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 44, edgesep: 8, marginx: 0, marginy: 0, ranker: part.length > SIMPLEX_MAX ? 'longest-path' : 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of part) g.setNode(n.name, { width: NODE_W, height: NODE_H });
  for (const n of part) for (const d of new Set(n.dependsOn)) if (known.has(d) && d !== n.name) g.setEdge(d, n.name);
  dagre.layout(g);
  const placed = new Map<string, Placed>();
  for (const n of part) {
    const p = g.node(n.name) as { x: number; y: number };
    placed.set(n.name, { name: n.name, x: p.x - NODE_W / 2, y: p.y - NODE_H / 2 });
  }
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: ((g.edge(e) as { points?: { x: number; y: number }[] }).points ?? []).map((p) => ({ x: p.x, y: p.y })) }));
  const label = g.graph() as { width?: number; height?: number };
  return { placed, edges, width: label.width ?? NODE_W, height: label.height ?? NODE_H };
}

/**
 * Lays out the graph; `aspect` is the panel's width over its height, which the packed parts
 * approach. Names a node reads that are not nodes are ignored.
 */
export function layoutLineage(nodes: LayoutNode[], aspect = 1.6): Layout {
  const known = new Set(nodes.map((n) => n.name));
  const laid = parts(nodes, known).map((p) => layoutPart(p, known));
  // Shelf packing, tallest first: rows as wide as the area's square root stretched to the panel.
  const area = laid.reduce((s, l) => s + (l.width + GAP) * (l.height + GAP), 0);
  const rowWidth = Math.max(Math.sqrt(area * aspect), ...laid.map((l) => l.width));
  const order = laid.map((_, i) => i).sort((a, b) => laid[b].height - laid[a].height || a - b);
  const placed = new Map<string, Placed>();
  const edges: PlacedEdge[] = [];
  let x = 0, y = 0, rowHeight = 0, width = 0;
  for (const i of order) {
    const l = laid[i];
    if (x > 0 && x + l.width > rowWidth) { y += rowHeight + GAP; x = 0; rowHeight = 0; }
    const dx = MARGIN + x, dy = MARGIN + y;
    for (const p of l.placed.values()) placed.set(p.name, { name: p.name, x: p.x + dx, y: p.y + dy });
    for (const e of l.edges) edges.push({ ...e, points: e.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) });
    x += l.width + GAP;
    rowHeight = Math.max(rowHeight, l.height);
    width = Math.max(width, x - GAP);
  }
  return { placed, edges, width: width + 2 * MARGIN, height: y + rowHeight + 2 * MARGIN };
}
