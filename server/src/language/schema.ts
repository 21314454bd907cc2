// Column and table types (spec §4). Shared by the checker (static schemas) and the data engine
// (the schema a loaded table actually has), so both speak of types the same way.

export type ColumnType = 'number' | 'category' | 'boolean' | 'text' | 'date';

export const COLUMN_TYPES: readonly ColumnType[] = ['number', 'category', 'boolean', 'text', 'date'];

export interface ColumnSchema {
  name: string;
  type: ColumnType;
  /** May hold missing values. */
  nullable: boolean;
  /** Known levels of a category (sorted), or of a boolean (["false","true"]). */
  levels?: string[];
  /**
   * For a text or category column read from data: the value types that none of its values is
   * (a cast to one of them would leave nothing but missing values), with one value as example.
   */
  noValueIs?: { types: CastTarget[]; example: string };
  /** Every cell of the column is missing in the whole file read (a column left empty). */
  noValue?: true;
  /** A boolean column whose every value in the whole file read is this one (a target of one class). */
  onlyValue?: 'false' | 'true';
}

/** Types a cast can fail to reach, value by value. */
export type CastTarget = 'number' | 'date' | 'boolean';

export interface TableSchema {
  columns: ColumnSchema[];
  /** Number of rows, when known (exact for a fully read dataset, estimated otherwise). */
  rowCount?: number;
  rowCountExact?: boolean;
}

export type Task = 'classification' | 'regression';

export function formatColumnType(c: ColumnSchema): string {
  return `${c.type}${c.nullable ? '?' : ''}`;
}
