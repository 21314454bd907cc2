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
}

export function lookupColumn(t: TableState, name: string): ColumnSchema | undefined {
  const c = t.schema.columns.find((col) => col.name === name);
  if (c) return c;
  if (t.openPrefixes.some((p) => name.startsWith(p))) return { name, type: 'number', nullable: false };
  return undefined;
}

export function withColumns(t: TableState, columns: ColumnSchema[], sources = t.sources): TableState {
  return { ...t, schema: { ...t.schema, columns }, sources };
}
