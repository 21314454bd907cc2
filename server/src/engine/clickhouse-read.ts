// Reads a ClickHouse table into a columnar Table with one query in RowBinary: numbers and dates
// as Float64 (NaN for NULL), categories as Int32 codes into the levels the checker saw, text as
// strings put into a dictionary once per distinct value. Rows come ordered by every column, left
// to right: a Distributed table answers in whatever order its shards finish, and a run must not
// depend on that (the unkeyed split draws by row position).
import type { TableSchema } from '../language/schema';
import type { Column, Table } from '../data/table';
import { ClickHouseError, queryBytes, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';
import { splitTableName } from './clickhouse-schema';

/** The SELECT expression that gives a column in the form `readRows` parses. */
function selectExpr(name: string, type: TableSchema['columns'][number]['type'], levels: readonly string[] | undefined, chType: string): string {
  const c = sqlName(name);
  switch (type) {
    case 'number':
    case 'boolean':
      return `ifNull(toFloat64(${c}), nan)`;
    case 'date':
      // Days since 1970-01-01, fractional for a time of day (as the CSV reader reads dates).
      return /DateTime/.test(chType) ? `ifNull(toFloat64(toUInt32(${c})) / 86400, nan)` : `ifNull(toFloat64(toUInt16(${c})), nan)`;
    case 'category':
      // Int32 arithmetic widens to Int64 in ClickHouse: subtract first, narrow last (4 bytes a cell).
      return `toInt32(toInt64(ifNull(indexOf([${(levels ?? []).map(sqlString).join(', ')}], toString(${c})), 0)) - 1)`;
    case 'text':
      return `ifNull(toString(${c}), '')`;
  }
}

/**
 * The whole table `name` with the columns of `schema` (the checker's, from system.columns), in
 * the order of `ORDER BY` every column. `chTypes` are the ClickHouse types, same order.
 */
export async function readClickHouseTable(conn: ClickHouseConnection, name: string, schema: TableSchema, chTypes: readonly string[]): Promise<Table> {
  const parts = splitTableName(name);
  if (!parts) throw new ClickHouseError(`"${name}" is not a table name`, 'query');
  const cols = schema.columns;
  const nullText = cols.map((c, i) => c.type === 'text' && /^Nullable\(/.test(chTypes[i]));
  const selects = cols.flatMap((c, i) => [selectExpr(c.name, c.type, c.levels, chTypes[i]), ...(nullText[i] ? [`toUInt8(isNull(${sqlName(c.name)}))`] : [])]);
  const order = cols.map((c) => sqlName(c.name)).join(', ');
  const body = await queryBytes(conn, `SELECT ${selects.join(', ')} FROM ${sqlName(parts[0])}.${sqlName(parts[1])} ORDER BY ${order} FORMAT RowBinary`);
  return parseRows(body, schema, nullText);
}

/** Parses RowBinary rows of the shape `readClickHouseTable` selects. */
export function parseRows(body: Buffer, schema: TableSchema, nullText: readonly boolean[]): Table {
  const cols = schema.columns;
  // Fixed part of a row: 8 bytes per number, 4 per category; text is variable, so count rows as we go.
  const fixed = cols.reduce((s, c) => s + (c.type === 'category' ? 4 : c.type === 'text' ? 0 : 8), 0);
  const hasText = cols.some((c) => c.type === 'text');
  let capacity = hasText ? 1024 : fixed > 0 ? body.length / fixed : 0;
  const numbers: (Float64Array | undefined)[] = cols.map((c) => (c.type === 'number' || c.type === 'date' || c.type === 'boolean' ? new Float64Array(capacity) : undefined));
  const codes: (Int32Array | undefined)[] = cols.map((c) => (c.type === 'category' || c.type === 'text' ? new Int32Array(capacity) : undefined));
  const dicts: (Map<string, number> | undefined)[] = cols.map((c) => (c.type === 'text' ? new Map() : undefined));
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let p = 0;
  let rows = 0;
  while (p < body.length) {
    if (rows === capacity) {
      capacity *= 2;
      for (let i = 0; i < cols.length; i++) {
        const n = numbers[i];
        if (n) { const g = new Float64Array(capacity); g.set(n); numbers[i] = g; }
        const k = codes[i];
        if (k) { const g = new Int32Array(capacity); g.set(k); codes[i] = g; }
      }
    }
    for (let i = 0; i < cols.length; i++) {
      const n = numbers[i];
      if (n) { n[rows] = view.getFloat64(p, true); p += 8; continue; }
      const k = codes[i]!;
      if (cols[i].type === 'category') { k[rows] = view.getInt32(p, true); p += 4; continue; }
      let len = 0;
      let shift = 0;
      for (;;) {
        const b = body[p++];
        len |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
      }
      const text = body.toString('utf8', p, p + len);
      p += len;
      const dict = dicts[i]!;
      let code = dict.get(text);
      if (code === undefined) { code = dict.size; dict.set(text, code); }
      k[rows] = code;
      if (nullText[i]) { if (body[p] === 1) k[rows] = -1; p += 1; }
    }
    rows++;
  }
  const columns: Column[] = cols.map((c, i) => {
    const n = numbers[i];
    if (n) return { type: c.type as 'number' | 'date' | 'boolean', values: n.length === rows ? n : n.slice(0, rows) };
    const k = codes[i]!;
    const levels = c.type === 'category' ? [...(c.levels ?? [])] : [...dicts[i]!.keys()];
    return { type: c.type as 'category' | 'text', codes: k.length === rows ? k : k.slice(0, rows), levels };
  });
  return { names: cols.map((c) => c.name), columns, rowCount: rows };
}

/**
 * What a run's reuse keys a table dataset on, in place of a file's hash: the row count and the
 * wrapping sum of every row's cityHash64 over the columns (independent of row order and shard).
 */
export async function tableChecksum(conn: ClickHouseConnection, name: string, columns: readonly string[]): Promise<string> {
  const parts = splitTableName(name);
  if (!parts) throw new ClickHouseError(`"${name}" is not a table name`, 'query');
  const rows = await queryBytes(conn, `SELECT count(), sum(cityHash64(${columns.map(sqlName).join(', ')})) FROM ${sqlName(parts[0])}.${sqlName(parts[1])} FORMAT TabSeparated`);
  return `${conn.url}|${name}|${rows.toString('utf8').trim()}`;
}
