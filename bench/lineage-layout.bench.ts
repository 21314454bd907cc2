// Lineage layout of 1,000 declarations (test/helpers/lineage-graphs.ts): the panel's layout
// (dagre per connected part, parts packed) against one dagre call on the whole graph, measured
// in the same run; CPU time, median of 3.
import dagre from '@dagrejs/dagre';
import { layoutLineage, NODE_H, NODE_W } from '../webviews/src/lineage-layout';
import { pipelineGraph, type GraphNode } from '../test/helpers/lineage-graphs';

function cpuMs(f: () => void): number {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = process.cpuUsage();
    f();
    const b = process.cpuUsage(a);
    runs.push((b.user + b.system) / 1000);
  }
  return runs.sort((x, y) => x - y)[1];
}

function wholeDagre(nodes: GraphNode[]): void {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 44 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.name, { width: NODE_W, height: NODE_H });
  for (const n of nodes) for (const d of n.dependsOn) g.setEdge(d, n.name);
  dagre.layout(g);
}

for (const connected of [false, true]) {
  const nodes = pipelineGraph(1000, connected);
  const reference = cpuMs(() => wholeDagre(nodes));
  const ours = cpuMs(() => layoutLineage(nodes, 1.6));
  const l = layoutLineage(nodes, 1.6);
  console.log(`${connected ? 'one connected pipeline' : '100 small pipelines'}: panel layout ${ours.toFixed(0)} ms CPU, one dagre call ${reference.toFixed(0)} ms (ratio ${(ours / reference).toFixed(2)}); drawing ${l.width.toFixed(0)} × ${l.height.toFixed(0)} px`);
}
