// The Data Preview panel: column cards (type, missing count, histogram or top levels) and the
// rows in a virtualised grid (only the visible rows are in the DOM).
import { connect, el, svg } from '../dom';
import { fmt } from '../format';
import type { PreviewColumn } from '../../../server/src/contracts/cli-json';
import { visibleRange } from '../virtual-rows';

const ROW_H = 24;

function card(c: PreviewColumn): HTMLElement {
  const body = el('div', { class: 'card' }, el('div', { class: 'col-name' }, c.name), el('div', { class: 'col-type' }, `${c.type}${c.nullable ? '?' : ''} · ${c.missing} missing`));
  if (c.histogram) {
    const max = Math.max(...c.histogram.counts, 1);
    const s = svg('svg', { width: 160, height: 40, class: 'hist' });
    c.histogram.counts.forEach((n, i) => s.append(svg('rect', { x: i * 8, y: 40 - (n / max) * 38, width: 7, height: (n / max) * 38 })));
    body.append(s, el('div', { class: 'stats' }, `min ${fmt(c.min)} · mean ${fmt(c.mean)} · max ${fmt(c.max)}`));
  } else if (c.top) {
    const list = el('ol', { class: 'top' });
    for (const t of c.top.slice(0, 5)) list.append(el('li', {}, `${t.value} (${t.count})`));
    body.append(list);
  }
  return body;
}

connect((m) => {
  if (m.type !== 'preview') return el('p', {}, 'Nothing to show yet.');
  const p = m.preview;
  const header = el('tr', {}, ...p.columns.map((c) => el('th', { title: `${c.type}${c.nullable ? '?' : ''}` }, c.name)));
  const body = el('tbody');
  const spacer = el('div', { class: 'spacer' });
  spacer.style.height = `${p.rows.length * ROW_H}px`;
  const table = el('table', { class: 'grid' }, el('thead', {}, header), body);
  const viewport = el('div', { class: 'viewport' }, spacer, table);
  const paint = (): void => {
    const { first, last } = visibleRange(viewport.scrollTop, viewport.clientHeight || 400, ROW_H, p.rows.length);
    table.style.transform = `translateY(${first * ROW_H}px)`;
    body.replaceChildren(...p.rows.slice(first, last).map((r) => el('tr', {}, ...r.map((v) => el('td', { class: v === null ? 'missing' : '' }, v === null ? '' : String(v))))));
  };
  viewport.addEventListener('scroll', paint);
  requestAnimationFrame(paint);
  paint();
  return el('div', {}, el('h2', {}, `${p.name}: ${p.rowCount} rows, ${p.columns.length} columns`), el('div', { class: 'cards' }, ...p.columns.map(card)), viewport);
});
