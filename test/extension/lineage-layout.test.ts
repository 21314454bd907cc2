// The lineage layout: top to bottom (a declaration below everything it reads), no two boxes
// overlapping, packed to the panel's shape, for pipelines of 1,000 declarations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLineage, NODE_H, NODE_W, type Layout } from '../../webviews/src/lineage-layout';
import { pipelineGraph, type GraphNode } from '../helpers/lineage-graphs';

function assertLayered(nodes: GraphNode[], l: Layout): void {
  assert.equal(l.placed.size, nodes.length);
  for (const n of nodes) for (const d of n.dependsOn) {
    assert.ok(l.placed.get(d)!.y + NODE_H < l.placed.get(n.name)!.y, `${d} above ${n.name}`);
  }
  // No overlaps: sweep the boxes by x, comparing each with those that start before it ends.
  const boxes = [...l.placed.values()].sort((a, b) => a.x - b.x);
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length && boxes[j].x < boxes[i].x + NODE_W; j++) {
      assert.ok(Math.abs(boxes[i].y - boxes[j].y) >= NODE_H, `${boxes[i].name} and ${boxes[j].name} overlap`);
    }
  }
  for (const p of l.placed.values()) assert.ok(p.x >= 0 && p.y >= 0 && p.x + NODE_W <= l.width && p.y + NODE_H <= l.height, `${p.name} inside the drawing`);
  for (const e of l.edges) assert.ok(e.points.length >= 2, `${e.from} → ${e.to} has a route`);
}

test('1,000 declarations in many small pipelines: layered, no overlaps, packed to the panel', (t) => {
  const nodes = pipelineGraph(1000);
  const start = performance.now();
  const l = layoutLineage(nodes, 1.6);
  t.diagnostic(`layout of 1,000 declarations (many parts): ${(performance.now() - start).toFixed(0)} ms`);
  assertLayered(nodes, l);
  assert.equal(l.edges.length, nodes.reduce((s, n) => s + n.dependsOn.length, 0));
  const aspect = l.width / l.height;
  assert.ok(aspect > 0.5 && aspect < 5, `width ${l.width} × height ${l.height}: not one long row`);
});

test('1,000 declarations in one connected pipeline: layered and no overlaps', (t) => {
  const nodes = pipelineGraph(1000, true);
  const start = performance.now();
  const l = layoutLineage(nodes, 1.6);
  t.diagnostic(`layout of 1,000 declarations (one part): ${(performance.now() - start).toFixed(0)} ms`);
  assertLayered(nodes, l);
});

test('a small pipeline is a column in reading order; unknown names and a cycle do not break it', () => {
  const l = layoutLineage([
    { name: 'iris', dependsOn: [] },
    { name: 'parts', dependsOn: ['iris'] },
    { name: 'tree', dependsOn: ['parts', 'not_declared'] },
    { name: 'a', dependsOn: ['b'] },
    { name: 'b', dependsOn: ['a'] },
  ]);
  assert.ok(l.placed.get('iris')!.y < l.placed.get('parts')!.y && l.placed.get('parts')!.y < l.placed.get('tree')!.y);
  assert.equal(l.placed.size, 5);
  assert.equal(layoutLineage([]).placed.size, 0);
});
