// `preview`: the first rows of a table and per-column statistics (type, missing count,
// min/max/mean and a histogram for numbers; the most frequent values otherwise).
import type { PreviewColumn, PreviewJson } from '../contracts/cli-json';
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

export function previewTable(name: string, t: Table, rows: number): PreviewJson {
  const schema = tableSchema(t);
  const columns: PreviewColumn[] = t.names.map((colName, j) => {
    const c = t.columns[j];
    const base = { name: colName, type: c.type, nullable: schema.columns[j].nullable };
    if ('values' in c && c.type === 'number') return { ...base, ...numericStats(c.values) };
    return { ...base, ...topLevels(c) };
  });
  const shown = Math.min(rows, t.rowCount);
  const out: PreviewJson['rows'] = [];
  for (let i = 0; i < shown; i++) {
    out.push(t.columns.map((c) => {
      if ('values' in c && c.type === 'number') return Number.isNaN(c.values[i]) ? null : c.values[i];
      if ('values' in c && c.type === 'boolean') return Number.isNaN(c.values[i]) ? null : c.values[i] === 1;
      return cellText(c, i) ?? null;
    }));
  }
  return { name, rowCount: t.rowCount, columns, rows: out };
}
