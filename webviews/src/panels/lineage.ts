// The Lineage panel: the declaration graph, laid out in layers, coloured by status; clicking a
// node reveals its declaration.
import { connect, el, svg } from '../dom';
import { layoutLineage, NODE_H, NODE_W } from '../lineage-layout';

connect((m, post) => {
  if (m.type !== 'lineage') return el('p', {}, 'Nothing to show yet.');
  const { placed, width, height } = layoutLineage(m.graph.nodes);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'lineage', role: 'img', 'aria-label': 'pipeline lineage' });
  for (const n of m.graph.nodes) {
    const to = placed.get(n.name)!;
    for (const d of n.dependsOn) {
      const from = placed.get(d);
      if (!from) continue;
      const x1 = from.x + NODE_W, y1 = from.y + NODE_H / 2, x2 = to.x, y2 = to.y + NODE_H / 2;
      root.append(svg('path', { d: `M${x1},${y1} C${x1 + 35},${y1} ${x2 - 35},${y2} ${x2},${y2}`, class: 'edge' }));
    }
  }
  for (const n of m.graph.nodes) {
    const p = placed.get(n.name)!;
    const status = n.errors > 0 ? 'error' : m.status[n.name] ?? 'pending';
    const g = svg('g', { class: `node ${status}`, transform: `translate(${p.x},${p.y})`, tabindex: 0, 'data-name': n.name });
    g.append(svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }));
    g.append(svg('text', { x: 10, y: 18, class: 'kind' }, n.kind));
    g.append(svg('text', { x: 10, y: 35, class: 'name' }, n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name));
    g.append(svg('title', {}, `${n.kind} ${n.name}: ${status}${n.errors ? `, ${n.errors} errors` : ''}${n.warnings ? `, ${n.warnings} warnings` : ''}`));
    const reveal = (): void => post({ type: 'reveal', name: n.name, line: n.line });
    g.addEventListener('click', reveal);
    g.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') reveal(); });
    root.append(g);
  }
  return el('div', { class: 'scroll' }, el('h2', {}, `Lineage (${m.graph.nodes.length} declarations)`), root);
});
