// Fitting statistics as SQL: the parameters of impute (mean, median, constant), one-hot encoding
// (the levels present), scale (standard, minmax) and clip (fixed bounds) learned by aggregates
// that the server runs over the training rows, each step on what the previous ones left (the
// steps so far are compiled to expressions by clickhouse-scoring.ts). The training rows are
// named by position in the engine's order (ORDER BY every column), so when they are not all rows
// their positions go to the server as a Memory table (data into the cluster, never out).
// Steps these aggregates do not cover (row steps, derive, cast, ordinal, mode, quantile clips)
// return undefined: the engine then fits in memory.
import type { Step } from '../language/ast';
import type { ColumnSchema } from '../language/schema';
import { compareLevels } from '../data/column-builder';
import type { FittedStep } from '../transforms/fitted-step';
import { execute, queryBytes, queryRows, sqlName, sqlString, type ClickHouseConnection } from './clickhouse-http';
import { applyToExprs, f64, rawExprs, type Expr } from './clickhouse-scoring';
import { splitTableName } from './clickhouse-schema';
import { EngineError } from './engine-error';

type Method = 'mean' | 'median' | 'constant';

/** True when every step is one these aggregates fit. */
function sqlFittable(steps: readonly Step[]): boolean {
  return steps.every((s) => {
    switch (s.kind) {
      case 'drop': case 'keep': case 'rename': return true;
      case 'impute': {
        const m = s.method?.kind === 'Call' ? s.method.callee.name : s.method?.kind === 'Name' ? s.method.name.text : 'mean';
        return m === 'mean' || m === 'median' || (m === 'constant' && s.method?.kind === 'Call' && s.method.args[0]?.value?.kind === 'Number');
      }
      case 'encode': return s.method?.name !== 'ordinal';
      case 'scale': return (s.method?.name ?? 'standard') !== 'robust';
      case 'clip': return s.bounds?.kind === 'List';
      default: return false;
    }
  });
}

export async function fitStepsInSql(
  conn: ClickHouseConnection, table: string, columns: readonly ColumnSchema[], chTypes: readonly string[], steps: readonly Step[], rows: Int32Array, total: number,
): Promise<FittedStep[] | undefined> {
  if (!splitTableName(table) || !sqlFittable(steps)) return undefined;
  return withTrainingRows(conn, table, columns, rows, total, async (source) => {
    let exprs = rawExprs(columns, chTypes);
    const fitted: FittedStep[] = [];
    const one = async (selects: string[]): Promise<unknown[]> => (await queryRows(conn, `SELECT ${selects.join(', ')} FROM ${source}`))[0];
    for (const step of steps) {
      const learned = await fitOne(step, exprs, one);
      if (!learned) return undefined;
      fitted.push(...learned);
      exprs = applyToExprs(learned, exprs);
    }
    return fitted;
  });
}

/**
 * Runs `work` on `source`, a FROM clause holding the rows `rows` of `table` (positions in the
 * engine's order, ORDER BY every column) with its columns (and their positions as `__narml_row`
 * when they are not all rows, or when `numbered`); `total` is the table's row count.
 * Positions go to the server as a Memory table when they are not all rows, dropped afterwards.
 */
export async function withTrainingRows<T>(
  conn: ClickHouseConnection, table: string, columns: readonly ColumnSchema[], rows: Int32Array, total: number, work: (source: string) => Promise<T>, numbered = false,
): Promise<T> {
  const parts = splitTableName(table);
  if (!parts) throw new EngineError(`"${table}" is not a table name`);
  const [db, name] = parts.map(sqlName);
  const all = rows.length === total && rows.every((r, i) => r === i);
  const rowsTable = `${db}.${sqlName(`__narml_rows_${process.pid}_${Date.now().toString(36)}_${positionTables++}`)}`;
  const order = columns.map((c) => sqlName(c.name)).join(', ');
  // Positions as the engine reads them: rows numbered after the ORDER BY, on the initiator.
  const positioned = `(SELECT *, rowNumberInAllBlocks() AS __narml_row FROM (SELECT * FROM ${db}.${name} ORDER BY ${order}))`;
  const source = all ? (numbered ? positioned : `${db}.${name}`) : `(SELECT * FROM ${positioned} WHERE __narml_row IN ${rowsTable})`;
  if (!all) {
    await execute(conn, `CREATE TABLE ${rowsTable} (r UInt64) ENGINE = Memory`);
    await execute(conn, `INSERT INTO ${rowsTable} FORMAT TabSeparated\n${Array.from(rows).join('\n')}\n`);
  }
  try {
    return await work(source);
  } finally {
    const { signal: _cancelled, ...cleanup } = conn;
    if (!all) await execute(cleanup, `DROP TABLE IF EXISTS ${rowsTable}`);
  }
}

let positionTables = 0;

async function fitOne(step: Step, exprs: Map<string, Expr>, one: (selects: string[]) => Promise<unknown[]>): Promise<FittedStep[] | undefined> {
  const num = (c: string): string | undefined => { const e = exprs.get(c); return e?.numeric ? e.sql : undefined; };
  switch (step.kind) {
    case 'drop': return [{ kind: 'drop', columns: step.columns.map((c) => c.name) }];
    case 'keep': return [{ kind: 'keep', columns: step.columns.map((c) => c.name) }];
    case 'rename': return step.from && step.to ? [{ kind: 'rename', from: step.from.name, to: step.to.name }] : [];
    case 'impute': {
      const method = (step.method?.kind === 'Call' ? step.method.callee.name : step.method?.kind === 'Name' ? step.method.name.text : 'mean') as Method;
      const xs = step.columns.map((c) => num(c.name));
      if (xs.some((x) => x === undefined)) return undefined;
      if (method === 'constant') {
        const v = step.method?.kind === 'Call' && step.method.args[0]?.value?.kind === 'Number' ? step.method.args[0].value.value : NaN;
        return step.columns.map((c) => ({ kind: 'impute' as const, column: c.name, method, value: v }));
      }
      // median: the memory engine's interpolation between the two middle sorted values.
      const selects = xs.map((x) => (method === 'mean'
        ? `sumIf(${x}, NOT isNaN(${x})) / countIf(NOT isNaN(${x}))`
        : `arrayElement(arraySort(groupArrayIf(${x}, NOT isNaN(${x}))), toUInt64(floor((countIf(NOT isNaN(${x})) - 1) / 2)) + 1) + (arrayElement(arraySort(groupArrayIf(${x}, NOT isNaN(${x}))), toUInt64(ceil((countIf(NOT isNaN(${x})) - 1) / 2)) + 1) - arrayElement(arraySort(groupArrayIf(${x}, NOT isNaN(${x}))), toUInt64(floor((countIf(NOT isNaN(${x})) - 1) / 2)) + 1)) * ((countIf(NOT isNaN(${x})) - 1) / 2 - floor((countIf(NOT isNaN(${x})) - 1) / 2))`));
      const values = await one(selects);
      if (values.some((v) => typeof v !== 'number' || Number.isNaN(v))) return undefined;
      return step.columns.map((c, i) => ({ kind: 'impute' as const, column: c.name, method, value: values[i] as number }));
    }
    case 'encode': {
      const es = step.columns.map((c) => exprs.get(c.name));
      if (es.some((e) => !e || e.numeric)) return undefined;
      const levels = await one(es.map((e) => `groupUniqArray(${e!.sql})`));
      return step.columns.map((c, i) => {
        const l = (levels[i] as string[]).slice().sort(compareLevels);
        return { kind: 'onehot' as const, column: c.name, levels: l, outputs: l.map((x) => `${c.name}_${x}`) };
      });
    }
    case 'scale': {
      const method = (step.method?.name ?? 'standard') as 'standard' | 'minmax';
      const xs = step.columns.map((c) => num(c.name));
      if (xs.some((x) => x === undefined)) return undefined;
      if (method === 'minmax') {
        const v = await one(xs.flatMap((x) => [`minIf(${x}, NOT isNaN(${x}))`, `maxIf(${x}, NOT isNaN(${x}))`]));
        return step.columns.map((c, i) => ({ kind: 'scale' as const, column: c.name, method, center: v[2 * i] as number, scale: (v[2 * i + 1] as number) - (v[2 * i] as number) }));
      }
      const means = await one(xs.map((x) => `sumIf(${x}, NOT isNaN(${x})) / countIf(NOT isNaN(${x}))`));
      // The spread around the mean as learned, in a second pass (as the memory engine does).
      const ss = await one(xs.map((x, i) => `sqrt(sumIf(pow(${x} - ${f64(means[i] as number)}, 2), NOT isNaN(${x})) / countIf(NOT isNaN(${x})))`));
      return step.columns.map((c, i) => ({ kind: 'scale' as const, column: c.name, method, center: means[i] as number, scale: ss[i] as number }));
    }
    case 'clip': {
      const b = step.bounds;
      if (b?.kind !== 'List') return undefined;
      const [lo, hi] = b.items.map((x) => (x.kind === 'Number' || x.kind === 'Percent' ? x.value : NaN));
      return step.columns.map((c) => ({ kind: 'clip' as const, column: c.name, lo, hi }));
    }
    default:
      return undefined;
  }
}

/**
 * The part index of every row (in the engine's order) of a keyed split, computed by the server
 * with keyed-split.ts's hash: the first 32 bits, big-endian, of MD5("<seed>:<key text>"). Only
 * for a key of integers or strings, whose text ClickHouse writes as JavaScript does; undefined
 * otherwise (the engine then splits in memory, which also says what is wrong with the key).
 */
export async function keyedPartsInSql(
  conn: ClickHouseConnection, table: string, columns: readonly ColumnSchema[], chTypes: readonly string[], key: string, seed: number, bounds: readonly number[],
): Promise<Uint8Array | undefined> {
  const parts = splitTableName(table);
  const i = columns.findIndex((c) => c.name === key);
  if (!parts || i < 0 || bounds.length > 255) return undefined;
  const base = chTypes[i].replace(/^Nullable\((.*)\)$/, '$1').replace(/^LowCardinality\((.*)\)$/, '$1');
  const k = sqlName(key);
  const text = /^U?Int(8|16|32|64)$/.test(base) ? `ifNull(toString(${k}), '')` : /^(String|FixedString\(\d+\))$/.test(base) ? `ifNull(toString(${k}), '')` : undefined;
  if (!text) return undefined;
  const u = `reinterpretAsUInt32(reverse(substring(MD5(concat(${sqlString(`${seed}:`)}, ${text})), 1, 4))) / 4294967296`;
  const part = bounds.slice(0, -1).reduceRight((rest, b, j) => `if(${u} < ${f64(b)}, ${j}, ${rest})`, String(bounds.length - 1));
  const order = columns.map((c) => sqlName(c.name)).join(', ');
  const body = await queryBytes(conn, `SELECT toUInt8(${part}) FROM (SELECT * FROM ${sqlName(parts[0])}.${sqlName(parts[1])} ORDER BY ${order}) FORMAT RowBinary`);
  return new Uint8Array(body.buffer, body.byteOffset, body.length);
}
