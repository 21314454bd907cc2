// The Experiments panel: every run × model of a pipeline in a sortable, filterable table; two
// rows selected show their diff (parameters, inputs, metric deltas, both confusion matrices); a
// metric plotted across runs per model; the leaderboards of tune and auto trials. The view
// (sort, filter, selection, plotted metric) survives new data, so a run does not reset it.
import { connect, el, svg } from '../dom';
import { fmt } from '../format';
import type { ExperimentRow, ExperimentsJson } from '../../../server/src/contracts/cli-json';
import type { FromPanel } from '../messages';
import { columnsOf, diffRows, filterRows, formatTime, metricSeries, plotLayout, rowId, sortRows, type Column, type RowDiff } from '../experiments-table';
import { trialsFigure } from '../trials-view';

interface View {
  sort?: { key: string; descending: boolean };
  query: string;
  /** Row ids, oldest selection first; at most two. */
  selected: string[];
  plotted?: string;
}

const view: View = { query: '', selected: [] };
const SERIES_COLOURS = 8;

function describe(row: ExperimentRow): string {
  return `${row.model ?? '(no model)'} in run ${row.run}`;
}

function headerCell(column: Column, onSort: () => void): HTMLTableCellElement {
  const sorted = view.sort?.key === column.key ? view.sort : undefined;
  const arrow = sorted ? (sorted.descending ? ' ▼' : ' ▲') : '';
  const button = el('button', { class: 'sort', type: 'button', title: `Sort by ${column.label}`, 'data-focus': `sort:${column.key}` }, `${column.label}${arrow}`);
  button.addEventListener('click', onSort);
  return el('th', { class: `col-${column.group}${column.key === 'model' ? ' key' : ''}`, scope: 'col', 'aria-sort': sorted ? (sorted.descending ? 'descending' : 'ascending') : 'none' }, button);
}

function tableOf(rows: ExperimentRow[], columns: Column[], refresh: () => void, post: (m: FromPanel) => void): HTMLElement {
  const head = el('tr', {}, el('th', { class: 'select', scope: 'col' }, el('span', { class: 'visually-hidden' }, 'Select')));
  for (const c of columns) {
    head.append(headerCell(c, () => {
      view.sort = view.sort?.key === c.key ? { key: c.key, descending: !view.sort.descending } : { key: c.key, descending: c.group === 'metric' };
      refresh();
    }));
  }
  const body = el('tbody');
  for (const row of rows) {
    const id = rowId(row);
    const box = el('input', { type: 'checkbox', 'aria-label': `Select ${describe(row)} to compare`, 'data-focus': `select:${id}` });
    box.checked = view.selected.includes(id);
    box.addEventListener('change', () => {
      view.selected = box.checked ? [...view.selected.filter((s) => s !== id), id].slice(-2) : view.selected.filter((s) => s !== id);
      refresh();
    });
    const tr = el('tr', { class: `status-${row.status}${view.selected.includes(id) ? ' selected' : ''}`, 'data-row': id }, el('td', { class: 'select' }, box));
    for (const c of columns) {
      const td = el('td', { class: `col-${c.group}${c.group === 'metric' || c.key === 'duration' ? ' num' : ''}${c.key === 'model' ? ' key' : ''}` });
      if (c.key === 'run') {
        const link = el('button', { class: 'link', type: 'button', title: `Show run ${row.run} in the Metrics panel` }, row.run);
        link.addEventListener('click', () => post({ type: 'showRun', run: row.run }));
        td.append(link);
      } else td.append(c.text(row));
      const title = c.key === 'status' && row.error ? row.error : c.title?.(row);
      if (title) td.setAttribute('title', title);
      tr.append(td);
    }
    body.append(tr);
  }
  return el('div', { class: 'table-scroll' }, el('table', { class: 'experiments' }, el('thead', {}, head), body));
}

function confusionTable(c: { labels: string[]; matrix: number[][] }): HTMLElement {
  const max = Math.max(1, ...c.matrix.flat());
  const t = el('table', { class: 'confusion' }, el('tr', {}, el('th', {}, 'actual \\ predicted'), ...c.labels.map((l) => el('th', { scope: 'col' }, l))));
  c.matrix.forEach((row, i) => {
    const tr = el('tr', {}, el('th', { scope: 'row' }, c.labels[i]));
    for (const n of row) {
      const td = el('td', {}, String(n));
      // CSSOM, not a style attribute: the panel's CSP refuses inline styles.
      td.style.setProperty('--share', (n / max).toFixed(3));
      tr.append(td);
    }
    t.append(tr);
  });
  return t;
}

function diffView(a: ExperimentRow, b: ExperimentRow, d: RowDiff): HTMLElement {
  const section = el('section', { class: 'diff', 'aria-label': 'Comparison of the two selected rows' },
    el('h3', {}, `A: ${describe(a)} → B: ${describe(b)}`));
  const facts: string[] = [];
  if (a.algorithm !== b.algorithm) facts.push(`algorithm ${a.algorithm ?? '—'} → ${b.algorithm ?? '—'}`);
  if (d.pipelineChanged) facts.push('the pipeline text changed between the runs');
  if (a.version === b.version && a.version) facts.push(`same model version ${a.version} (B reused what A trained, or the same definition and data)`);
  for (const f of facts) section.append(el('p', { class: 'fact' }, f));

  const params = el('table', { class: 'diff-table' }, el('tr', {}, el('th', { scope: 'col' }, 'parameter'), el('th', { scope: 'col' }, 'A'), el('th', { scope: 'col' }, 'B')));
  for (const p of d.params) params.append(el('tr', { class: p.changed ? 'changed' : '' }, el('th', { scope: 'row' }, p.key), el('td', {}, p.a ?? '—'), el('td', {}, p.b ?? '—')));
  const inputs = el('table', { class: 'diff-table' }, el('tr', {}, el('th', { scope: 'col' }, 'data'), el('th', { scope: 'col' }, 'A'), el('th', { scope: 'col' }, 'B')));
  for (const i of d.inputs) inputs.append(el('tr', { class: i.changed ? 'changed' : '' }, el('th', { scope: 'row' }, i.dataset), el('td', {}, i.a ?? '—'), el('td', {}, i.b ?? '—')));
  const metrics = el('table', { class: 'diff-table' }, el('tr', {}, el('th', { scope: 'col' }, 'metric'), el('th', { scope: 'col' }, 'A'), el('th', { scope: 'col' }, 'B'), el('th', { scope: 'col' }, 'B − A')));
  for (const m of d.metrics) {
    const delta = m.delta === undefined ? '—' : `${m.delta > 0 ? '+' : ''}${fmt(m.delta)}${m.better ? (m.better === 'b' ? ' (B better)' : ' (A better)') : ''}`;
    metrics.append(el('tr', {}, el('th', { scope: 'row' }, m.key), el('td', { class: 'num' }, fmt(m.a)), el('td', { class: 'num' }, fmt(m.b)),
      el('td', { class: `num ${m.better === 'b' ? 'better' : m.better === 'a' ? 'worse' : ''}` }, delta)));
  }
  const changedParams = d.params.filter((p) => p.changed).length;
  const changedInputs = d.inputs.filter((i) => i.changed).length;
  section.append(el('div', { class: 'diff-grid' },
    el('figure', {}, params, el('figcaption', {}, `Parameters: ${changedParams === 0 ? 'none changed' : `${changedParams} changed`}`)),
    el('figure', {}, inputs, el('figcaption', {}, `Input data: ${changedInputs === 0 ? 'same files' : `${changedInputs} changed`}`)),
    el('figure', {}, metrics, el('figcaption', {}, 'Metrics'))));
  if (d.confusions.length > 0) {
    const grid = el('div', { class: 'diff-grid' });
    for (const c of d.confusions) {
      for (const side of ['a', 'b'] as const) {
        const m = c[side];
        grid.append(el('figure', {}, m ? confusionTable(m) : el('p', {}, 'not evaluated'), el('figcaption', {}, `${side.toUpperCase()}: confusion matrix on ${c.label}`)));
      }
    }
    section.append(grid);
  }
  return section;
}

function plotView(rows: ExperimentRow[], columns: Column[], refresh: () => void): HTMLElement | undefined {
  const metricColumns = columns.filter((c) => c.group === 'metric');
  if (metricColumns.length === 0) return undefined;
  const label = metricColumns.some((c) => c.label === view.plotted) ? view.plotted! : metricColumns[0].label;
  const select = el('select', { 'aria-label': 'Metric to plot across runs', 'data-focus': 'plot' });
  for (const c of metricColumns) {
    const option = el('option', { value: c.label }, c.label);
    option.selected = c.label === label;
    select.append(option);
  }
  select.addEventListener('change', () => { view.plotted = select.value; refresh(); });
  const { runs, series } = metricSeries(rows, label);
  const p = plotLayout(runs, series);
  const chart = svg('svg', { class: 'runs-plot', width: p.width, height: p.height, viewBox: `0 0 ${p.width} ${p.height}`, role: 'img', 'aria-label': `${label} across ${runs.length} runs` });
  for (const t of p.yTicks) {
    chart.append(svg('line', { class: 'grid-line', x1: p.left, x2: p.right, y1: t.py, y2: t.py }));
    chart.append(svg('text', { class: 'tick', x: p.left - 6, y: t.py + 4, 'text-anchor': 'end' }, t.label));
  }
  for (const t of p.xTicks) chart.append(svg('text', { class: 'tick', x: t.px, y: p.bottom + 16, 'text-anchor': 'middle' }, t.label));
  chart.append(svg('line', { class: 'axis', x1: p.left, x2: p.right, y1: p.bottom, y2: p.bottom }));
  chart.append(svg('line', { class: 'axis', x1: p.left, x2: p.left, y1: p.top, y2: p.bottom }));
  const legend = el('ul', { class: 'legend' });
  p.series.forEach((s, i) => {
    const colour = `series-${i % SERIES_COLOURS}`;
    const g = svg('g', { class: `series ${colour}` });
    if (s.pixels.length > 1) g.append(svg('polyline', { points: s.pixels.map((q) => `${q.px},${q.py}`).join(' ') }));
    for (const q of s.pixels) g.append(svg('circle', { cx: q.px, cy: q.py, r: 4 }, svg('title', {}, `${s.model}, run #${runs.indexOf(q.run) + 1} (${q.run}): ${label} ${fmt(q.y)}`)));
    chart.append(g);
    legend.append(el('li', { class: colour }, el('span', { class: 'swatch' }), s.model));
  });
  const caption = `${label} of each model across runs, oldest first (#1 = ${runs[0] ?? '—'})`;
  return el('section', { class: 'plot' }, el('h3', {}, 'Metric across runs'), el('label', {}, 'Metric ', select), el('figure', {}, chart, el('figcaption', {}, caption)), legend);
}

function leaderboardsView(rows: ExperimentRow[]): HTMLElement | undefined {
  // One board per model version: a reused model repeats the trials of the run that trained it.
  const seen = new Set<string>();
  const boards: HTMLElement[] = [];
  for (const row of [...rows].reverse()) {
    const key = `${row.model}\0${row.version}`;
    if (!row.trials || row.trials.length === 0 || seen.has(key)) continue;
    seen.add(key);
    boards.push(trialsFigure(`${row.model} ${row.version ?? ''} (run ${row.run})`, row.trials, row.selection));
  }
  return boards.length > 0 ? el('section', { class: 'leaderboards' }, el('h3', {}, 'Leaderboards of tune and auto'), ...boards) : undefined;
}

function render(table: ExperimentsJson, post: (m: FromPanel) => void): Node {
  const file = table.file.split(/[\\/]/).pop() ?? table.file;
  if (table.rows.length === 0) return el('div', {}, el('h2', {}, `Experiments: ${file}`), el('p', {}, 'No runs of this pipeline yet: run it (NarML: Run Pipeline), then each run adds a row per model.'));
  const columns = columnsOf(table.rows);
  const filter = el('input', { type: 'search', class: 'filter', placeholder: 'Filter: text, or accuracy>0.9 c<1 status=failed', 'aria-label': 'Filter rows' });
  filter.value = view.query;
  const problem = el('p', { class: 'error', role: 'status' });
  const count = el('p', { class: 'count', role: 'status' });
  const tableSlot = el('div');
  const detailSlot = el('div');
  const refresh = (): void => {
    const filtered = filterRows(table.rows, columns, view.query);
    problem.textContent = filtered.problem ?? '';
    const sortColumn = columns.find((c) => c.key === view.sort?.key);
    // Newest first until the user sorts.
    const shown = sortColumn ? sortRows(filtered.rows, sortColumn, view.sort!.descending) : [...filtered.rows].reverse();
    view.selected = view.selected.filter((id) => table.rows.some((r) => rowId(r) === id));
    const picked = view.selected.map((id) => table.rows.find((r) => rowId(r) === id)!);
    count.textContent = `${shown.length} of ${table.rows.length} rows · ${picked.length === 2 ? 'comparing the two selected rows below' : picked.length === 1 ? 'select one more row to compare' : 'select two rows to compare them'}`;
    // The table is redrawn: the keyboard focus goes back to the same control in the new one.
    const focused = (document.activeElement as HTMLElement | null)?.dataset.focus;
    tableSlot.replaceChildren(tableOf(shown, columns, refresh, post));
    const parts: Node[] = [];
    if (picked.length === 2) parts.push(diffView(picked[0], picked[1], diffRows(picked[0], picked[1], table.metricDirections)));
    const plot = plotView(filtered.rows, columns, refresh);
    if (plot) parts.push(plot);
    const boards = leaderboardsView(filtered.rows);
    if (boards) parts.push(boards);
    detailSlot.replaceChildren(...parts);
    if (focused) Array.from(document.querySelectorAll<HTMLElement>('[data-focus]')).find((e) => e.dataset.focus === focused)?.focus();
  };
  filter.addEventListener('input', () => { view.query = filter.value; refresh(); });
  refresh();
  const latest = table.rows[table.rows.length - 1];
  return el('div', { class: 'experiments-panel' },
    el('h2', {}, `Experiments: ${file}`),
    el('p', { class: 'subtitle' }, `${new Set(table.rows.map((r) => r.run)).size} runs, latest ${formatTime(latest.started)}`),
    el('div', { class: 'toolbar' }, filter, count), problem, tableSlot, detailSlot);
}

connect((m, post) => (m.type === 'experiments' ? render(m.table, post) : el('p', {}, 'Nothing to show yet.')));
