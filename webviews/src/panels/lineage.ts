// The Lineage panel: the declarations as a top-to-bottom graph fitted to the panel, with pan
// (drag), zoom (wheel, buttons), search (type a name, Enter for the next match), each node's
// status against the last run, its rows and columns on hover or focus, and click (or Enter) to
// reveal the declaration. The layout is kept while only statuses change (every edit re-judges
// them), so a 1,000-declaration pipeline is laid out once, not on each keystroke.
import { connect, el, saveView, savedView, svg } from '../dom';
import { layoutLineage, NODE_H, NODE_W, type Layout } from '../lineage-layout';
import type { FromPanel, LineageStatus, NodeStatus } from '../messages';
import type { PipelineGraph, PipelineGraphNode } from '../../../server/src/contracts/lsp-requests';

const STATUS_LABEL: Record<LineageStatus, string> = { fresh: 'fresh', reused: 'reused', stale: 'stale', failed: 'failed', 'not-run': 'not run', error: 'error' };
const MIN_ZOOM = 0.02;
const MAX_ZOOM = 3;
/** Below this zoom the names are unreadable anyway: they are hidden, which also keeps panning smooth. */
const FAR_ZOOM = 0.35;

interface View { uri: string; x: number; y: number; k: number; fitted: boolean }

let cached: { key: string; layout: Layout } | undefined;

/** The same declarations reading the same names give the same layout. */
function layoutOf(graph: PipelineGraph, aspect: number): Layout {
  const key = JSON.stringify(graph.nodes.map((n) => [n.name, n.dependsOn]));
  if (cached?.key !== key) cached = { key, layout: layoutLineage(graph.nodes, aspect) };
  return cached.layout;
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function rowsText(n: PipelineGraphNode): string | undefined {
  if (n.rows === undefined) return undefined;
  return `${n.rowsExact ? '' : 'about '}${n.rows.toLocaleString('en-US')} row${n.rows === 1 ? '' : 's'}`;
}

/** The hover card: what the declaration is, its status and why, its rows and columns. */
function tipContent(n: PipelineGraphNode, st: NodeStatus): Node[] {
  const parts: Node[] = [el('div', { class: 'tip-name' }, n.name), el('div', { class: 'tip-kind' }, `${n.kind} · ${STATUS_LABEL[st.status]}`), el('div', { class: 'tip-why' }, st.why)];
  const facts = [rowsText(n), n.columnCount !== undefined ? `${n.columnCount.toLocaleString('en-US')} column${n.columnCount === 1 ? '' : 's'}` : undefined, n.schedule ? `schedule "${n.schedule}"` : undefined].filter((x): x is string => !!x);
  if (facts.length) parts.push(el('div', { class: 'tip-facts' }, facts.join(' · ')));
  if (n.warnings) parts.push(el('div', { class: 'tip-why' }, `${n.warnings} warning${n.warnings > 1 ? 's' : ''}`));
  if (n.columns?.length) {
    const list = el('ul', { class: 'tip-columns' }, ...n.columns.slice(0, 12).map((c) => el('li', {}, el('span', {}, c.name), el('span', { class: 'tip-type' }, c.type))));
    parts.push(list);
    const more = (n.columnCount ?? n.columns.length) - Math.min(12, n.columns.length);
    if (more > 0) parts.push(el('div', { class: 'tip-more' }, `and ${more.toLocaleString('en-US')} more`));
  }
  return parts;
}

function render(graph: PipelineGraph, status: Record<string, NodeStatus>, post: (m: FromPanel) => void): HTMLElement {
  const count = graph.nodes.length;
  const statusOf = (n: PipelineGraphNode): NodeStatus => status[n.name] ?? { status: 'not-run', why: 'not run yet' };
  const counts = new Map<LineageStatus, number>();
  for (const n of graph.nodes) counts.set(statusOf(n).status, (counts.get(statusOf(n).status) ?? 0) + 1);
  const legend = el('span', { class: 'legend' }, ...(['fresh', 'reused', 'stale', 'failed', 'not-run', 'error'] as LineageStatus[]).filter((s) => counts.has(s)).map((s) => el('span', { class: `legend-item status-${s}` }, el('span', { class: 'swatch' }), `${STATUS_LABEL[s]} ${counts.get(s)}`)));
  const search = el('input', { type: 'search', class: 'search', placeholder: 'Find a declaration', 'aria-label': 'Find a declaration' });
  const found = el('span', { class: 'found', 'aria-live': 'polite' });
  const button = (label: string, title: string): HTMLButtonElement => el('button', { type: 'button', title, 'aria-label': title }, label);
  const fitButton = button('Fit', 'Fit the graph to the panel');
  const zoomIn = button('+', 'Zoom in');
  const zoomOut = button('−', 'Zoom out');
  const toolbar = el('div', { class: 'toolbar' }, el('h2', {}, `Lineage (${count} declaration${count === 1 ? '' : 's'})`), search, found, fitButton, zoomIn, zoomOut, legend);
  const canvas = el('div', { class: 'canvas' });
  const panel = el('div', { class: 'lineage-panel' }, toolbar, canvas);
  if (count === 0) {
    canvas.append(el('p', { class: 'empty' }, 'No declarations yet: declare a dataset (dataset name from "file.csv") to start the pipeline.'));
    return panel;
  }

  const root = svg('svg', { class: 'lineage', role: 'group', 'aria-label': 'pipeline lineage' }) as SVGSVGElement;
  const viewport = svg('g', { class: 'viewport' });
  const edgeLayer = svg('g', { class: 'edges' });
  const nodeLayer = svg('g', { class: 'nodes' });
  root.append(svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow' }))), viewport);
  viewport.append(edgeLayer, nodeLayer);
  const tip = el('div', { class: 'tip', role: 'tooltip', id: 'lineage-tip' });
  tip.hidden = true;
  canvas.append(root, tip);

  let layout: Layout | undefined;
  const boxes = new Map<string, SVGGElement>();
  const saved = savedView() as View | undefined;
  const view: View = saved?.uri === graph.uri ? { ...saved } : { uri: graph.uri, x: 0, y: 0, k: 1, fitted: true };
  const apply = (): void => {
    viewport.setAttribute('transform', `translate(${view.x.toFixed(1)},${view.y.toFixed(1)}) scale(${view.k.toFixed(4)})`);
    root.classList.toggle('far', view.k < FAR_ZOOM);
    saveView(view);
  };
  const fit = (): void => {
    if (!layout) return;
    const w = canvas.clientWidth || 800, h = canvas.clientHeight || 600;
    // Whatever its size, the whole graph fits (a very wide one is tiny: zoom in or search).
    view.k = Math.min(w / layout.width, h / layout.height, 1.25);
    view.x = (w - layout.width * view.k) / 2;
    view.y = Math.max(0, (h - layout.height * view.k) / 2);
    view.fitted = true;
    apply();
  };
  const zoomAt = (factor: number, px: number, py: number): void => {
    const k = Math.min(MAX_ZOOM, Math.max(Math.min(MIN_ZOOM, view.k), view.k * factor));
    view.x = px - ((px - view.x) * k) / view.k;
    view.y = py - ((py - view.y) * k) / view.k;
    view.k = k;
    view.fitted = false;
    apply();
  };
  const center = (name: string): void => {
    const p = layout?.placed.get(name);
    if (!p) return;
    view.k = Math.max(view.k, 0.8);
    view.x = canvas.clientWidth / 2 - (p.x + NODE_W / 2) * view.k;
    view.y = canvas.clientHeight / 2 - (p.y + NODE_H / 2) * view.k;
    view.fitted = false;
    apply();
  };

  const showTip = (n: PipelineGraphNode, g: SVGGElement): void => {
    tip.replaceChildren(...tipContent(n, statusOf(n)));
    tip.hidden = false;
    const box = g.getBoundingClientRect(), area = canvas.getBoundingClientRect();
    // Beside the node, kept inside the canvas (CSSOM positions are allowed under the CSP).
    const left = Math.min(box.right - area.left + 8, area.width - tip.offsetWidth - 4);
    const top = Math.min(Math.max(4, box.top - area.top), area.height - tip.offsetHeight - 4);
    tip.style.left = `${Math.max(4, left)}px`;
    tip.style.top = `${Math.max(4, top)}px`;
  };
  const hideTip = (): void => { tip.hidden = true; };

  const draw = (): void => {
    layout = layoutOf(graph, (canvas.clientWidth || 800) / (canvas.clientHeight || 600));
    const edges = layout.edges.map((e) => svg('path', { class: 'edge', d: e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' '), 'marker-end': 'url(#arrow)', 'data-from': e.from, 'data-to': e.to }));
    edgeLayer.replaceChildren(...edges);
    const nodes: SVGGElement[] = [];
    for (const n of graph.nodes) {
      const p = layout.placed.get(n.name)!;
      const st = statusOf(n);
      const g = svg('g', { class: `node status-${st.status}`, transform: `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`, tabindex: 0, role: 'button', 'data-name': n.name, 'data-status': st.status, 'aria-label': `${n.kind} ${n.name}: ${STATUS_LABEL[st.status]}. ${st.why}`, 'aria-describedby': 'lineage-tip' }) as SVGGElement;
      g.append(
        svg('rect', { width: NODE_W, height: NODE_H, rx: 6 }),
        svg('rect', { class: 'bar', width: 5, height: NODE_H, rx: 2 }),
        svg('text', { x: 12, y: 17, class: 'kind' }, `${n.kind} · ${STATUS_LABEL[st.status]}`),
        svg('text', { x: 12, y: 34, class: 'name' }, shorten(n.name, 23)),
      );
      const reveal = (): void => post({ type: 'reveal', name: n.name, line: n.line });
      g.addEventListener('click', () => { if (!dragged) reveal(); });
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); reveal(); } });
      g.addEventListener('pointerenter', () => showTip(n, g));
      g.addEventListener('pointerleave', hideTip);
      g.addEventListener('focus', () => showTip(n, g));
      g.addEventListener('blur', hideTip);
      boxes.set(n.name, g);
      nodes.push(g);
    }
    nodeLayer.replaceChildren(...nodes);
    if (view.fitted) fit(); else apply();
  };

  // Pan by dragging the background; a drag that started on a node does not click it.
  let drag: { x: number; y: number; vx: number; vy: number } | undefined;
  let dragged = false;
  root.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
    dragged = false;
  });
  root.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!dragged && Math.hypot(dx, dy) < 4) return;
    if (!dragged) root.setPointerCapture(e.pointerId);
    dragged = true;
    hideTip();
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    view.fitted = false;
    apply();
  });
  const endDrag = (): void => { drag = undefined; };
  root.addEventListener('pointerup', endDrag);
  root.addEventListener('pointercancel', endDrag);
  root.addEventListener('wheel', (e) => {
    e.preventDefault();
    const r = root.getBoundingClientRect();
    hideTip();
    zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  fitButton.addEventListener('click', fit);
  zoomIn.addEventListener('click', () => zoomAt(1.25, canvas.clientWidth / 2, canvas.clientHeight / 2));
  zoomOut.addEventListener('click', () => zoomAt(0.8, canvas.clientWidth / 2, canvas.clientHeight / 2));

  let matches: string[] = [];
  let at = -1;
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    matches = q ? graph.nodes.filter((n) => n.name.toLowerCase().includes(q)).map((n) => n.name) : [];
    at = -1;
    root.classList.toggle('searching', q.length > 0);
    for (const [name, g] of boxes) g.classList.toggle('match', matches.includes(name));
    found.textContent = q ? (matches.length ? `${matches.length} found; Enter for the next` : 'none found') : '';
  });
  search.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || matches.length === 0) return;
    at = (at + (e.shiftKey ? matches.length - 1 : 1)) % matches.length;
    center(matches[at]);
    found.textContent = `${at + 1} of ${matches.length}`;
    boxes.get(matches[at])?.focus();
  });

  // Laid out once attached (the canvas has its size then); a fitted view follows the panel's size.
  const start = (): void => {
    if (!canvas.isConnected) return void requestAnimationFrame(start);
    draw();
    new ResizeObserver(() => { if (view.fitted) fit(); }).observe(canvas);
  };
  if (count > 200 && cached === undefined) canvas.append(el('p', { class: 'empty laying-out' }, `Laying out ${count.toLocaleString('en-US')} declarations…`));
  requestAnimationFrame(() => {
    canvas.querySelector('.laying-out')?.remove();
    start();
  });
  return panel;
}

document.body.classList.add('lineage-body');
connect((m, post) => (m.type === 'lineage' ? render(m.graph, m.status, post) : el('p', {}, 'Nothing to show yet.')));
