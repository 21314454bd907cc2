// The schema of a ClickHouse table as the checker sees it: column types from system.columns
// (one query), the row count, and the levels of string columns (one scan, capped), cached per
// server, user and table. The checker is synchronous, so `get` answers from the cache only and
// `load` (awaited by the CLI before it checks, started by the language server, which re-checks
// when it ends) asks the server. A failure is cached too, with the message to show; the language
// server retries it after RETRY_MS.
import { compareLevels } from '../data/column-builder';
import type { ColumnSchema, ColumnType, TableSchema } from '../language/schema';
import { ClickHouseError, connectionFor, queryRows, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';

/** A string column with more distinct values than this is text, not a category (no one-hot of 10,000 levels). */
export const MAX_LEVELS = 1000;
const RETRY_MS = 10_000;

export type TableSchemaResult = { ok: true; schema: TableSchema; columnTypes: string[] } | { ok: false; error: string };

/** `db.events` → ['db', 'events']; `events` → ['default', 'events']. */
export function splitTableName(name: string): [string, string] | undefined {
  const parts = name.split('.');
  if (parts.length === 1 && parts[0] !== '') return ['default', parts[0]];
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return [parts[0], parts[1]];
  return undefined;
}

/** `Nullable(Float64)` → number?, `LowCardinality(String)` → category; undefined for what NarML cannot hold (arrays, tuples…). */
export function narmlType(chType: string): { type: ColumnType; nullable: boolean; enumLevels?: string[] } | undefined {
  let t = chType;
  let nullable = false;
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) break;
    if (m[1] === 'Nullable') nullable = true;
    t = m[2];
  }
  if (/^(U?Int(8|16|32|64)|Float(32|64)|Decimal(32|64|128)?\(.*\))$/.test(t)) return { type: 'number', nullable };
  if (t === 'String' || /^FixedString\(\d+\)$/.test(t)) return { type: 'category', nullable };
  if (t === 'Date' || /^DateTime(\(.*\))?$/.test(t)) return { type: 'date', nullable };
  const e = /^Enum(8|16)\((.*)\)$/.exec(t);
  if (e) {
    const levels = [...e[2].matchAll(/'((?:[^'\\]|\\.)*)'\s*=\s*-?\d+/g)].map((x) => x[1].replace(/\\(.)/g, '$1')).sort(compareLevels);
    return { type: 'category', nullable, enumLevels: levels };
  }
  return undefined;
}

interface Entry {
  result?: TableSchemaResult;
  at: number;
  loading?: Promise<TableSchemaResult>;
}

export class ClickHouseSchemas {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  private key(conn: ClickHouseConnection, table: string): string {
    return JSON.stringify([conn.url, conn.user, conn.password, table]);
  }

  /** The cached answer for `table` of the server at `url`; undefined until `load` has answered. */
  get(url: string, table: string): TableSchemaResult | undefined {
    return this.entries.get(this.key(connectionFor(url, this.env), table))?.result;
  }

  /** True when `get` has no answer, or a failure older than RETRY_MS (the server may be up now). */
  needsLoad(url: string, table: string): boolean {
    const e = this.entries.get(this.key(connectionFor(url, this.env), table));
    return !e?.result || (!e.result.ok && Date.now() - e.at > RETRY_MS && !e.loading);
  }

  /** Asks the server (once at a time per table) and caches the answer, a failure included. */
  load(url: string, table: string): Promise<TableSchemaResult> {
    const conn = connectionFor(url, this.env);
    const key = this.key(conn, table);
    let e = this.entries.get(key);
    if (e?.loading) return e.loading;
    if (!e) this.entries.set(key, (e = { at: 0 }));
    const entry = e;
    entry.loading = readTableSchema(conn, table).then((result) => {
      entry.result = result;
      entry.at = Date.now();
      entry.loading = undefined;
      return result;
    });
    return entry.loading;
  }

  /** Forgets every answer (a run re-reads the catalog: the table may have changed). */
  clear(): void {
    this.entries.clear();
  }
}

async function readTableSchema(conn: ClickHouseConnection, table: string): Promise<TableSchemaResult> {
  const parts = splitTableName(table);
  if (!parts) return { ok: false, error: `"${table}" is not a table name; write "database.table" or "table"` };
  const [db, name] = parts;
  try {
    const rows = await queryRows(conn, `SELECT name, type FROM system.columns WHERE database = ${sqlString(db)} AND table = ${sqlString(name)}`);
    if (rows.length === 0) {
      const tables = await queryRows(conn, `SELECT name FROM system.tables WHERE database = ${sqlString(db)} ORDER BY name LIMIT 20`);
      const list = tables.map((t) => `${db}.${String(t[0])}`).join(', ');
      return { ok: false, error: `ClickHouse at ${conn.url} has no table ${db}.${name}${list ? `; its tables in ${db} are ${list}` : `, and no table in database ${db}`}` };
    }
    const columns: ColumnSchema[] = [];
    const columnTypes: string[] = [];
    const unreadable: string[] = [];
    const strings: number[] = [];
    for (const [colName, chType] of rows as [string, string][]) {
      const t = narmlType(chType);
      if (!t) { unreadable.push(`${colName} (${chType})`); continue; }
      if (t.type === 'category' && !t.enumLevels) strings.push(columns.length);
      columns.push({ name: colName, type: t.type, nullable: t.nullable, ...(t.enumLevels ? { levels: t.enumLevels } : {}) });
      columnTypes.push(chType);
    }
    if (unreadable.length > 0) {
      return { ok: false, error: `table ${db}.${name} at ${conn.url} has columns of types NarML cannot read: ${unreadable.join(', ')}; make a view without them (numbers, strings, dates and enums are read)` };
    }
    // One scan for the row count and the distinct counts of the string columns, a second for the
    // levels of those with at most MAX_LEVELS (18.16's groupUniqArray takes no cap).
    const from = `${sqlName(db)}.${sqlName(name)}`;
    const [stats] = await queryRows(conn, `SELECT ${['count()', ...strings.map((i) => `uniqExact(${sqlName(columns[i].name)})`)].join(', ')} FROM ${from}`);
    const small = strings.filter((ci, k) => {
      if (Number(stats[k + 1]) <= MAX_LEVELS) return true;
      columns[ci] = { ...columns[ci], type: 'text' };
      return false;
    });
    if (small.length > 0) {
      const [levels] = await queryRows(conn, `SELECT ${small.map((ci) => `groupUniqArray(${sqlName(columns[ci].name)})`).join(', ')} FROM ${from}`);
      small.forEach((ci, k) => { columns[ci] = { ...columns[ci], levels: (levels[k] as string[]).slice().sort(compareLevels) }; });
    }
    return { ok: true, schema: { columns, rowCount: Number(stats[0]), rowCountExact: true }, columnTypes };
  } catch (e) {
    if (e instanceof ClickHouseError) return { ok: false, error: e.message };
    throw e;
  }
}
