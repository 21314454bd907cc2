// Table operations over columnar storage: row selection, column replacement, concatenation.
// Tables are immutable values: every operation returns a new table sharing untouched columns.
import { compareLevels } from '../data/column-builder';
import type { Column, DictionaryColumn, Table } from '../data/table';

export function takeRows(c: Column, rows: Int32Array): Column {
  if ('codes' in c) {
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = c.codes[rows[i]];
    return { type: c.type, codes, levels: c.levels };
  }
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = c.values[rows[i]];
  return { type: c.type, values };
}

export function selectRows(t: Table, rows: Int32Array): Table {
  return { names: t.names, columns: t.columns.map((c) => takeRows(c, rows)), rowCount: rows.length };
}

/** f over every element into a new Float64Array (explicit loop: `Float64Array.from` with a mapper is several times slower). */
export function mapNumbers<T>(src: ArrayLike<T>, f: (x: T, i: number) => number): Float64Array {
  const out = new Float64Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = f(src[i], i);
  return out;
}

/** f over every element into a new Int32Array (dictionary codes). */
export function mapCodes<T>(src: ArrayLike<T>, f: (x: T, i: number) => number): Int32Array {
  const out = new Int32Array(src.length);
  for (let i = 0; i < out.length; i++) out[i] = f(src[i], i);
  return out;
}

/** Indices of the rows whose mask byte is set, in order. */
export function rowsWhere(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

export function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export function setColumn(t: Table, name: string, column: Column): Table {
  const i = t.names.indexOf(name);
  if (i < 0) return { names: [...t.names, name], columns: [...t.columns, column], rowCount: t.rowCount };
  const columns = t.columns.slice();
  columns[i] = column;
  return { names: t.names, columns, rowCount: t.rowCount };
}

export function dropColumns(t: Table, names: readonly string[]): Table {
  const gone = new Set(names);
  const keep = t.names.map((n, i) => (gone.has(n) ? -1 : i)).filter((i) => i >= 0);
  return { names: keep.map((i) => t.names[i]), columns: keep.map((i) => t.columns[i]), rowCount: t.rowCount };
}

/** Replaces one column by several, at its position (one-hot encoding). */
export function spliceColumns(t: Table, name: string, names: string[], columns: Column[]): Table {
  const i = t.names.indexOf(name);
  return {
    names: [...t.names.slice(0, i), ...names, ...t.names.slice(i + 1)],
    columns: [...t.columns.slice(0, i), ...columns, ...t.columns.slice(i + 1)],
    rowCount: t.rowCount,
  };
}

/** Re-expresses a dictionary column over another level list (unknown levels → missing), optionally as the other dictionary type. */
export function remapLevels(c: DictionaryColumn, levels: string[], type: DictionaryColumn['type'] = c.type): DictionaryColumn {
  const index = new Map(levels.map((l, i) => [l, i]));
  const map = c.levels.map((l) => index.get(l) ?? -1);
  const codes = new Int32Array(c.codes.length);
  for (let i = 0; i < codes.length; i++) codes[i] = c.codes[i] < 0 ? -1 : map[c.codes[i]];
  return { type, codes, levels };
}

/** Concatenates tables with the same column names and types (category levels are merged, sorted). */
export function concatTables(tables: Table[]): Table {
  const first = tables[0];
  const rowCount = tables.reduce((s, t) => s + t.rowCount, 0);
  const columns = first.names.map((name, j) => {
    const parts = tables.map((t) => t.columns[t.names.indexOf(name)] ?? t.columns[j]);
    const c0 = parts[0];
    if ('codes' in c0) {
      const levels = [...new Set(parts.flatMap((p) => ('codes' in p ? p.levels : [])))];
      if (c0.type === 'category') levels.sort(compareLevels);
      const codes = new Int32Array(rowCount);
      let at = 0;
      for (const p of parts) {
        const r = remapLevels(p as DictionaryColumn, levels);
        codes.set(r.codes, at);
        at += r.codes.length;
      }
      return { type: c0.type, codes, levels } as Column;
    }
    const values = new Float64Array(rowCount);
    let at = 0;
    for (const p of parts) {
      values.set((p as { values: Float64Array }).values, at);
      at += (p as { values: Float64Array }).values.length;
    }
    return { type: c0.type, values } as Column;
  });
  return { names: first.names, columns, rowCount };
}

/** Text of one cell (for previews and outputs); missing → undefined. */
export function cellText(c: Column, row: number): string | undefined {
  if ('codes' in c) return c.codes[row] < 0 ? undefined : c.levels[c.codes[row]];
  const v = c.values[row];
  if (Number.isNaN(v)) return undefined;
  if (c.type === 'boolean') return v ? 'true' : 'false';
  if (c.type === 'date') return formatDate(v);
  return String(v);
}

export function formatDate(days: number): string {
  // Days are a double: back to the whole millisecond the value was read with (07 s came out as
  // 06.999…, written 06), and milliseconds are written when there are some.
  const d = new Date(Math.round(days * 86_400_000));
  const iso = d.toISOString();
  if (iso.endsWith('T00:00:00.000Z')) return iso.slice(0, 10);
  return d.getUTCMilliseconds() === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
}
