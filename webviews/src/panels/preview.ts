// The Data Preview panel: a virtual grid over all the rows of a table. Only the visible rows are
// in the DOM; rows not yet here are asked of the extension by blocks (the process that read the
// table answers, sorted by a column when asked: a million rows are never sorted here). The header
// sticks to the top and carries each column's statistics: type, missing count, and min/max/mean
// with a histogram, or the most frequent levels. The first column is the row's number in the table.
import { connect, el, svg } from '../dom';
import { fmt } from '../format';
import type { PreviewColumn, PreviewJson, PreviewPageJson, PreviewSort } from '../../../server/src/contracts/cli-json';
import type { FromPanel, ToPanelPart } from '../messages';
import { rowWindow } from '../virtual-rows';

const ROW_H = 24;
const BLOCK = 200;

function stats(c: PreviewColumn): HTMLElement {
  const box = el('div', { class: 'col-stats' }, el('div', { class: 'col-type' }, `${c.type}${c.nullable ? '?' : ''} · ${c.missing} missing`));
  if (c.histogram) {
    const max = Math.max(...c.histogram.counts, 1);
    const w = 120 / c.histogram.counts.length;
    const s = svg('svg', { width: 120, height: 22, class: 'hist', role: 'img', 'aria-label': `histogram of ${c.name}` });
    c.histogram.counts.forEach((n, i) => s.append(svg('rect', { x: i * w, y: 22 - (n / max) * 22, width: Math.max(1, w - 1), height: (n / max) * 22 }, svg('title', {}, `${fmt(c.histogram!.edges[i])} – ${fmt(c.histogram!.edges[i + 1])}: ${n}`))));
    box.append(s, el('div', { class: 'stats' }, `${fmt(c.min)} – ${fmt(c.max)}, mean ${fmt(c.mean)}`));
  } else if (c.top) {
    const rows = c.top.reduce((a, t) => a + t.count, 0) + c.missing;
    box.append(el('div', { class: 'stats' }, c.top.slice(0, 3).map((t) => `${t.value} ${Math.round((t.count / Math.max(1, rows)) * 100)}%`).join(' · ')));
  }
  return box;
}

const sortKey = (s?: PreviewSort): string => (s ? `${s.column}:${s.descending}` : '');

class Grid {
  private sort: PreviewSort | undefined;
  private readonly blocks = new Map<number, PreviewPageJson>();
  private readonly asked = new Set<number>();
  private readonly viewport = el('div', { class: 'viewport', tabindex: '0' });
  private readonly spacer = el('div', { class: 'spacer' });
  private readonly table = el('table', { class: 'grid' });
  private readonly thead = el('thead');
  private readonly body = el('tbody');
  private readonly status = el('p', { class: 'grid-status' });
  private readonly headers: HTMLElement[] = [];
  private frame = 0;

  constructor(private readonly p: PreviewJson, private readonly post: (m: FromPanel) => void) {
    this.seed();
    const head = el('tr', {}, el('th', { class: 'rownum' }, '#'));
    p.columns.forEach((c, j) => {
      const button = el('button', { class: 'sort', title: `Sort by ${c.name}` }, c.name);
      button.addEventListener('click', () => this.toggleSort(j));
      const th = el('th', { 'data-column': String(j), class: c.type === 'number' ? 'num' : '' }, button, stats(c));
      this.headers.push(button);
      head.append(th);
    });
    this.thead.append(head);
    this.table.append(this.thead, this.body);
    // Fixed column widths: rows coming and going while scrolling must not move the columns.
    this.table.style.width = `${64 + p.columns.length * 150}px`;
    this.viewport.append(this.spacer, this.table);
    this.viewport.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  element(): HTMLElement {
    return el('div', { class: 'preview' }, el('h2', {}, `${this.p.name}: ${this.p.rowCount} rows, ${this.p.columns.length} columns`), this.status, this.viewport);
  }

  /** Rows that came with the preview (data order) fill the first blocks. */
  private seed(): void {
    const { rows, rowCount } = this.p;
    for (let b = 0; b * BLOCK < rows.length; b++) {
      const part = rows.slice(b * BLOCK, (b + 1) * BLOCK);
      if (part.length === BLOCK || b * BLOCK + part.length === rowCount) this.blocks.set(b, { start: b * BLOCK, rows: part, index: part.map((_, i) => b * BLOCK + i) });
    }
  }

  private toggleSort(column: number): void {
    const s = this.sort;
    this.sort = s?.column !== column ? { column, descending: false } : !s.descending ? { column, descending: true } : undefined;
    this.headers.forEach((h, j) => h.setAttribute('data-sorted', this.sort?.column === j ? (this.sort.descending ? 'descending' : 'ascending') : ''));
    this.blocks.clear();
    this.asked.clear();
    if (!this.sort) this.seed();
    this.viewport.scrollTop = 0;
    this.paint();
  }

  receive(m: ToPanelPart): void {
    if (m.type !== 'rows') return;
    if (sortKey(m.sort) !== sortKey(this.sort)) return;
    if (m.page.error) { this.status.textContent = m.page.error; return; }
    this.blocks.set(Math.floor(m.page.start / BLOCK), m.page);
    this.schedule();
  }

  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.paint(); });
  }

  paint(): void {
    const headH = this.thead.offsetHeight;
    const w = rowWindow(this.viewport.scrollTop, Math.max(ROW_H, (this.viewport.clientHeight || 400) - headH), ROW_H, this.p.rowCount);
    this.spacer.style.height = `${w.height + headH}px`;
    this.table.style.top = `${w.top}px`;
    const trs: HTMLElement[] = [];
    for (let r = w.first; r < w.last; r++) {
      const b = Math.floor(r / BLOCK);
      const block = this.blocks.get(b);
      const at = block ? r - block.start : -1;
      if (!block || at >= block.rows.length) {
        this.ask(b);
        trs.push(el('tr', { class: 'loading' }, el('td', { class: 'rownum' }, '…')));
        continue;
      }
      const cells = block.rows[at].map((v, j) => el('td', { class: `${v === null ? 'missing' : ''}${this.p.columns[j].type === 'number' ? ' num' : ''}` }, v === null ? '' : String(v)));
      trs.push(el('tr', { 'data-row': String(block.index[at]) }, el('td', { class: 'rownum' }, String(block.index[at] + 1)), ...cells));
    }
    this.body.replaceChildren(...trs);
  }

  private ask(b: number): void {
    if (this.asked.has(b)) return;
    this.asked.add(b);
    this.post({ type: 'rows', start: b * BLOCK, count: BLOCK, ...(this.sort ? { sort: this.sort } : {}) });
  }
}

let grid: Grid | undefined;

connect((m, post) => {
  if (m.type !== 'preview') return el('p', {}, 'Nothing to show yet.');
  grid = new Grid(m.preview, post);
  const root = grid.element();
  grid.schedule();
  return root;
}, (part) => grid?.receive(part));
