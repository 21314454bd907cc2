// What the checker knows about a table at one point of the pipeline: its schema, which raw
// dataset columns each column comes from (for a model's input schema and leakage), and the
// dataset it descends from (columns are scoped by it for rename).
import type { ColumnSchema, TableSchema } from '../language/schema';

export interface TableState {
  schema: TableSchema;
  /** Column name → raw columns of the origin dataset it is computed from. */
  sources: Map<string, string[]>;
  /** Root dataset name. */
  origin: string;
  /** Column-name prefixes of one-hot outputs whose levels are unknown (`plan_`): any such name is accepted. */
  openPrefixes: string[];
  /**
   * The origin's levels come from a sample of the file (the editor's first look), so a level
   * may be missing from them: one-hot outputs of other levels are accepted too. A run checks
   * with the whole file read, where the levels are complete.
   */
  sampledLevels: boolean;
}

/**
 * Name → column of each columns array looked up so far. A 10,000-column table is looked up
 * once per feature and per reference, and a scan each time made a re-check quadratic. Schemas
 * are not modified once built (steps make new arrays), so an index stays valid.
 */
const columnIndexes = new WeakMap<readonly ColumnSchema[], Map<string, ColumnSchema>>();

export function lookupColumn(t: TableState, name: string): ColumnSchema | undefined {
  let index = columnIndexes.get(t.schema.columns);
  if (!index) {
    index = new Map();
    for (const col of t.schema.columns) if (!index.has(col.name)) index.set(col.name, col);
    columnIndexes.set(t.schema.columns, index);
  }
  const c = index.get(name);
  if (c) return c;
  if (t.openPrefixes.some((p) => name.startsWith(p))) return { name, type: 'number', nullable: false };
  return undefined;
}

export function withColumns(t: TableState, columns: ColumnSchema[], sources = t.sources): TableState {
  return { ...t, schema: { ...t.schema, columns }, sources };
}
