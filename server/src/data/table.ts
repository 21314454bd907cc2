// Columnar tables: one typed array per column, never one object per cell.
import type { TableSchema } from '../language/schema';

/** Numbers and dates (days since 1970-01-01, may be fractional) and booleans (0/1): NaN is missing. */
export interface NumericColumn {
  type: 'number' | 'date' | 'boolean';
  values: Float64Array;
}

/**
 * Categories and text are dictionary-encoded: codes index into `levels`, -1 is missing.
 * For a category the levels are sorted ascending, so code order is level order.
 */
export interface DictionaryColumn {
  type: 'category' | 'text';
  codes: Int32Array;
  levels: string[];
}

export type Column = NumericColumn | DictionaryColumn;

export interface Table {
  names: string[];
  columns: Column[];
  rowCount: number;
}

export function isMissing(c: Column, row: number): boolean {
  return 'codes' in c ? c.codes[row] < 0 : Number.isNaN(c.values[row]);
}

export function getColumn(t: Table, name: string): Column | undefined {
  const i = t.names.indexOf(name);
  return i < 0 ? undefined : t.columns[i];
}

/** The schema a loaded table actually has (levels of categories, nullability from the data). */
export function tableSchema(t: Table): TableSchema {
  return {
    rowCount: t.rowCount,
    rowCountExact: true,
    columns: t.names.map((name, i) => {
      const c = t.columns[i];
      let nullable = false;
      for (let r = 0; r < t.rowCount && !nullable; r++) nullable = isMissing(c, r);
      return {
        name,
        type: c.type,
        nullable,
        ...(c.type === 'category' ? { levels: c.levels } : c.type === 'boolean' ? { levels: ['false', 'true'] } : {}),
      };
    }),
  };
}
