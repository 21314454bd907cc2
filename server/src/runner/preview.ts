// `preview`: the first rows of a table and per-column statistics (type, missing count,
// min/max/mean and a histogram for numbers; the most frequent values otherwise), then any page
// of its rows, in data order or sorted by a column (the Data Preview grid asks for the pages it
// shows; a million rows are sorted here, never in the webview).
import type { PreviewColumn, PreviewJson, PreviewPageJson } from '../contracts/cli-json';
import type { Column, Table } from '../data/table';
import { tableSchema } from '../data/table';
import { cellText } from '../transforms/table-ops';

function numericStats(values: Float64Array): Pick<PreviewColumn, 'min' | 'max' | 'mean' | 'histogram'> & { missing: number } {
  let min = Infinity, max = -Infinity, sum = 0, n = 0, missing = 0;
  for (const v of values) {
    if (Number.isNaN(v)) { missing++; continue; }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    n++;
  }
  if (n === 0) return { missing };
  const bins = 20;
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins || 1;
  for (const v of values) if (!Number.isNaN(v)) counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + i * width);
  return { min, max, mean: sum / n, histogram: { edges, counts }, missing };
}

function topLevels(c: Column): { top: { value: string; count: number }[]; missing: number } {
  const counts = new Map<string, number>();
  let missing = 0;
  const n = 'codes' in c ? c.codes.length : c.values.length;
  if ('codes' in c) {
    const byCode = new Int32Array(c.levels.length);
    for (const k of c.codes) if (k < 0) missing++; else byCode[k]++;
    c.levels.forEach((l, k) => { if (byCode[k] > 0) counts.set(l, byCode[k]); });
  } else {
    for (let i = 0; i < n; i++) {
      const t = cellText(c, i);
      if (t === undefined) missing++;
      else counts.set(t, (counts.get(t) ?? 0) + 1);
    }
  }
  const top = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([value, count]) => ({ value, count }));
  return { top, missing };
}

/** The cells of row `i` (numbers and booleans as JSON values, the rest as text, missing as null). */
function rowCells(t: Table, i: number): PreviewJson['rows'][number] {
  return t.columns.map((c) => {
    if ('values' in c && c.type === 'number') return Number.isNaN(c.values[i]) ? null : c.values[i];
    if ('values' in c && c.type === 'boolean') return Number.isNaN(c.values[i]) ? null : c.values[i] === 1;
    return cellText(c, i) ?? null;
  });
}

export function previewTable(name: string, t: Table, rows: number): PreviewJson {
  const schema = tableSchema(t);
  const columns: PreviewColumn[] = t.names.map((colName, j) => {
    const c = t.columns[j];
    const base = { name: colName, type: c.type, nullable: schema.columns[j].nullable };
    if ('values' in c && c.type === 'number') return { ...base, ...numericStats(c.values) };
    return { ...base, ...topLevels(c) };
  });
  return { name, rowCount: t.rowCount, columns, rows: previewPage(t, 0, rows).rows };
}

/**
 * The order of a table's rows sorted by one column: missing cells last in both directions,
 * equal cells in row order. Text is compared by code unit, as the levels of a category are.
 */
export function sortedOrder(t: Table, column: number, descending: boolean): Int32Array {
  const c = t.columns[column];
  const n = t.rowCount;
  // One number per row to compare: the value, or the rank of its level's text; NaN is missing.
  let key: Float64Array;
  if ('codes' in c) {
    const byText = c.levels.map((_, k) => k).sort((a, b) => (c.levels[a] < c.levels[b] ? -1 : c.levels[a] > c.levels[b] ? 1 : 0));
    const rank = new Float64Array(c.levels.length);
    byText.forEach((k, r) => { rank[k] = r; });
    key = Float64Array.from(c.codes, (k) => (k < 0 ? NaN : rank[k]));
  } else key = c.values;
  const sign = descending ? -1 : 1;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => {
    const x = key[a], y = key[b];
    const mx = Number.isNaN(x), my = Number.isNaN(y);
    if (mx || my) return mx === my ? a - b : mx ? 1 : -1;
    return x === y ? a - b : (x < y ? -sign : sign);
  });
  return order;
}

/** Rows `start` to `start + count` of the table, in `order` when given, with their row numbers (from 0). */
export function previewPage(t: Table, start: number, count: number, order?: Int32Array): PreviewPageJson {
  const end = Math.min(t.rowCount, Math.max(0, start) + Math.max(0, count));
  const rows: PreviewJson['rows'] = [];
  const index: number[] = [];
  for (let p = Math.max(0, start); p < end; p++) {
    const i = order ? order[p] : p;
    index.push(i);
    rows.push(rowCells(t, i));
  }
  return { start: Math.max(0, start), rows, index };
}
