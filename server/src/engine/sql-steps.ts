// Transform steps compiled to SQL for the SQL engines, with transforms/fit-steps.ts's semantics.
// A relation is a SELECT whose first column is `__row` (the raw row) followed by the table's
// columns; each step wraps the previous relation. Fitting asks the engine for aggregates over the
// training relation as the previous steps left it — means as sum/count, medians and quantiles
// as quantile_cont (numpy's linear interpolation), the population std in two passes, levels and
// mode counts by GROUP BY — and the last decisions that depend on JavaScript's order (mode ties,
// level order by compareLevels) are made here, so the fitted steps are the memory engine's.
import type { Step } from '../language/ast';
import type { ColumnType } from '../language/schema';
import { compareLevels } from '../data/column-builder';
import { parseNumber } from '../data/parse-values';
import { constantValue, TransformError } from '../transforms/fit-steps';
import type { FittedStep } from '../transforms/fitted-step';
import { compileExpression, SqlUnsupported, type SqlDialect } from './sql-expression';

export interface SqlColumn {
  name: string;
  type: ColumnType;
}

export interface Relation {
  /** A SELECT of `__row` and the columns, in order. */
  sql: string;
  columns: SqlColumn[];
}

/** What the step compiler needs from an engine: its dialect and small aggregate queries. */
export interface SqlSession {
  readonly dialect: SqlDialect;
  /** The rows of a query whose values are numbers (DOUBLE), strings or NULL. */
  rows(sql: string): Promise<(number | string | null)[][]>;
}

export const ROW = '__row';

/** Why a step cannot run as SQL, or undefined when it can (the checker reports it first). */
export function stepUnsupported(step: Step | FittedStep): string | undefined {
  if (step.kind === 'cast') return 'cast has no SQL translation yet (SQL parses and prints values differently from the in-memory reader)';
  return undefined;
}

function typesOf(r: Relation): Map<string, ColumnType> {
  return new Map(r.columns.map((c) => [c.name, c.type]));
}

function columnOf(r: Relation, name: string): SqlColumn {
  const c = r.columns.find((x) => x.name === name);
  if (!c) throw new TransformError(`column "${name}" is not in the table (columns: ${r.columns.map((x) => x.name).join(', ')})`);
  return c;
}

function numericColumn(r: Relation, name: string): SqlColumn {
  const c = columnOf(r, name);
  if (c.type === 'category' || c.type === 'text') throw new TransformError(`column "${name}" is ${c.type}, not a number`);
  return c;
}

/** `SELECT __row, <items> FROM (<r>) AS s [WHERE cond]`. */
function wrap(r: Relation, items: { sql: string; column: SqlColumn }[], d: SqlDialect, where?: string): Relation {
  const select = [ROW, ...items.map((i) => `${i.sql} AS ${d.ident(i.column.name)}`)].join(', ');
  return { sql: `SELECT ${select} FROM (${r.sql}) AS s${where ? ` WHERE ${where}` : ''}`, columns: items.map((i) => i.column) };
}

const passThrough = (r: Relation, d: SqlDialect): { sql: string; column: SqlColumn }[] => r.columns.map((c) => ({ sql: d.ident(c.name), column: c }));

/** Replays one fitted step on a relation. */
export function applySqlStep(s: FittedStep, r: Relation, d: SqlDialect): Relation {
  const why = stepUnsupported(s);
  if (why) throw new SqlUnsupported(why);
  const q = d.ident;
  const items = passThrough(r, d);
  const replace = (name: string, sql: string, type: ColumnType): Relation =>
    wrap(r, items.map((i) => (i.column.name === name ? { sql, column: { name, type } } : i)), d);
  switch (s.kind) {
    case 'drop': {
      for (const name of s.columns) columnOf(r, name);
      const gone = new Set(s.columns);
      return wrap(r, items.filter((i) => !gone.has(i.column.name)), d);
    }
    case 'keep': {
      const keep = new Set(s.columns);
      return wrap(r, items.filter((i) => keep.has(i.column.name)), d);
    }
    case 'rename': {
      const c = columnOf(r, s.from);
      return wrap(r, items.map((i) => (i.column.name === s.from ? { sql: q(s.from), column: { name: s.to, type: c.type } } : i)), d);
    }
    case 'impute': {
      const c = columnOf(r, s.column);
      const textual = c.type === 'category' || c.type === 'text';
      const value = textual ? d.string(String(s.value)) : d.number(typeof s.value === 'number' ? s.value : parseNumber(s.value));
      return replace(s.column, `coalesce(${q(s.column)}, ${value})`, c.type);
    }
    case 'onehot': {
      const c = columnOf(r, s.column);
      const outs = s.levels.map((level, k) => ({
        sql: `coalesce(${d.fn.boolToNumber(`${q(s.column)} = ${levelLiteral(c, level, d)}`)}, ${d.number(0)})`,
        column: { name: s.outputs[k], type: 'number' as const },
      }));
      return wrap(r, items.flatMap((i) => (i.column.name === s.column ? outs : [i])), d);
    }
    case 'ordinal': {
      const c = columnOf(r, s.column);
      const cases = s.levels.map((level, k) => `WHEN ${levelLiteral(c, level, d)} THEN ${d.number(k)}`).join(' ');
      return replace(s.column, s.levels.length ? `(CASE ${q(s.column)} ${cases} END)` : d.number(NaN), 'number');
    }
    case 'scale':
      numericColumn(r, s.column);
      return replace(s.column, `((${q(s.column)} - ${d.number(s.center)}) / ${d.number(s.scale)})`, 'number');
    case 'clip':
      numericColumn(r, s.column);
      return replace(s.column, `(CASE WHEN ${q(s.column)} IS NOT NULL THEN least(${d.number(s.hi)}, greatest(${d.number(s.lo)}, ${q(s.column)})) END)`, 'number');
    case 'derive': {
      const e = compileExpression(s.expr, typesOf(r), d);
      const column = { name: s.column, type: s.type };
      return r.columns.some((c) => c.name === s.column) ? replace(s.column, e.sql, s.type) : wrap(r, [...items, { sql: e.sql, column }], d);
    }
    case 'filter': {
      const e = compileExpression(s.expr, typesOf(r), d);
      return wrap(r, items, d, `${e.sql} = ${d.number(1)}`);
    }
    case 'drop_missing': {
      const cols = s.columns.length ? s.columns : r.columns.map((c) => c.name);
      for (const name of cols) columnOf(r, name);
      return cols.length ? wrap(r, items, d, cols.map((name) => `${q(name)} IS NOT NULL`).join(' AND ')) : r;
    }
    case 'dedupe': {
      // The first occurrence in row order; missing values are equal to each other (PARTITION BY groups NULLs).
      const cols = s.columns.length ? s.columns : r.columns.map((c) => c.name);
      for (const name of cols) columnOf(r, name);
      const inner = `SELECT *, row_number() OVER (PARTITION BY ${cols.map(q).join(', ')} ORDER BY ${ROW}) AS nml_seen FROM (${r.sql}) AS s0`;
      return wrap({ sql: inner, columns: r.columns }, items, d, 'nml_seen = 1');
    }
    case 'cast':
      throw new SqlUnsupported('cast');
  }
}

/** A level as the column holds it: a boolean's "true" is 1. */
function levelLiteral(c: SqlColumn, level: string, d: SqlDialect): string {
  if (c.type === 'boolean') return d.number(level === 'true' ? 1 : 0);
  if (c.type === 'category' || c.type === 'text') return d.string(level);
  throw new TransformError(`cannot encode a ${c.type} column; cast it to category first`);
}

export function applySqlSteps(fitted: FittedStep[], r: Relation, d: SqlDialect): Relation {
  let out = r;
  for (const s of fitted) out = applySqlStep(s, out, d);
  return out;
}

const num = (v: number | string | null): number => (v === null ? NaN : Number(v));

/** Learns one step's parameters from relation `r` (the training rows as the previous steps left them). */
async function fitSqlStep(step: Step, r: Relation, session: SqlSession): Promise<FittedStep[]> {
  const d = session.dialect;
  const q = d.ident;
  const why = stepUnsupported(step);
  if (why) throw new SqlUnsupported(why);
  const from = `FROM (${r.sql}) AS s`;
  switch (step.kind) {
    case 'drop': return [{ kind: 'drop', columns: step.columns.map((c) => c.name) }];
    case 'keep': return [{ kind: 'keep', columns: step.columns.map((c) => c.name) }];
    case 'rename': return step.from && step.to ? [{ kind: 'rename', from: step.from.name, to: step.to.name }] : [];
    case 'drop_missing': return [{ kind: 'drop_missing', columns: step.columns.map((c) => c.name), rowStep: true }];
    case 'dedupe': return [{ kind: 'dedupe', columns: step.columns.map((c) => c.name), rowStep: true }];
    case 'filter': return step.expr ? [{ kind: 'filter', expr: step.expr, rowStep: true }] : [];
    case 'derive': {
      if (!step.target || !step.expr) return [];
      return [{ kind: 'derive', column: step.target.name, expr: step.expr, type: compileExpression(step.expr, typesOf(r), d).type }];
    }
    case 'impute': {
      const m = step.method;
      const method = (m?.kind === 'Call' ? m.callee.name : m?.kind === 'Name' ? m.name.text : 'mean') as 'mean' | 'median' | 'mode' | 'constant';
      const out: FittedStep[] = [];
      for (const id of step.columns) {
        const c = columnOf(r, id.name);
        let value: number | string;
        if (method === 'mean') value = num((await session.rows(`SELECT sum(${q(numericColumn(r, id.name).name)}) / count(${q(id.name)}) ${from}`))[0][0]);
        else if (method === 'median') value = num((await session.rows(`SELECT quantile_cont(${q(numericColumn(r, id.name).name)}, 0.5) ${from}`))[0][0]);
        else if (method === 'mode') value = await modeOf(c, from, session);
        else value = constantValue(m?.kind === 'Call' ? m.args[0]?.value : undefined);
        if (typeof value === 'number' && Number.isNaN(value)) throw new TransformError(`cannot impute "${id.name}" with ${method}: it has no values in the training rows`);
        out.push({ kind: 'impute', column: id.name, method, value });
      }
      return out;
    }
    case 'encode': {
      const method = step.method?.name === 'ordinal' ? 'ordinal' : 'onehot';
      const out: FittedStep[] = [];
      for (const id of step.columns) {
        const levels = await levelsPresent(columnOf(r, id.name), from, session);
        out.push(method === 'onehot'
          ? { kind: 'onehot', column: id.name, levels, outputs: levels.map((l) => `${id.name}_${l}`) }
          : { kind: 'ordinal', column: id.name, levels });
      }
      return out;
    }
    case 'scale': {
      const method = (step.method?.name ?? 'standard') as 'standard' | 'minmax' | 'robust';
      const out: FittedStep[] = [];
      for (const id of step.columns) {
        const x = q(numericColumn(r, id.name).name);
        let center: number, scale: number;
        if (method === 'standard') {
          center = num((await session.rows(`SELECT sum(${x}) / count(${x}) ${from}`))[0][0]);
          // Two passes, as fit-steps: the squared deviations from the mean, over n (ddof 0).
          scale = Number.isNaN(center) ? NaN : Math.sqrt(num((await session.rows(`SELECT sum((${x} - ${d.number(center)}) * (${x} - ${d.number(center)})) / count(${x}) ${from}`))[0][0]));
        } else if (method === 'minmax') {
          const [lo, hi] = (await session.rows(`SELECT min(${x}), max(${x}) ${from}`))[0].map(num);
          center = lo;
          scale = hi - lo;
        } else {
          const [q1, q2, q3] = (await session.rows(`SELECT quantile_cont(${x}, 0.25), quantile_cont(${x}, 0.5), quantile_cont(${x}, 0.75) ${from}`))[0].map(num);
          center = q2;
          scale = q3 - q1;
        }
        if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
        if (Number.isNaN(center)) center = 0;
        out.push({ kind: 'scale', column: id.name, method, center, scale });
      }
      return out;
    }
    case 'clip': {
      const b = step.bounds;
      const out: FittedStep[] = [];
      for (const id of step.columns) {
        if (b?.kind === 'List') {
          const [lo, hi] = b.items.map((x) => (x.kind === 'Number' || x.kind === 'Percent' ? x.value : NaN));
          out.push({ kind: 'clip', column: id.name, lo, hi });
          continue;
        }
        const qs = b?.kind === 'Call' ? b.args.map((a) => (a.value?.kind === 'Number' ? a.value.value : NaN)) : [0, 1];
        const x = q(numericColumn(r, id.name).name);
        const [n, lo, hi] = (await session.rows(`SELECT count(${x}), quantile_cont(${x}, ${d.number(qs[0])}), quantile_cont(${x}, ${d.number(qs[1])}) ${from}`))[0].map(num);
        if (n === 0) throw new TransformError(`cannot learn clip bounds for "${id.name}": it has no values in the training rows`);
        out.push({ kind: 'clip', column: id.name, lo, hi });
      }
      return out;
    }
    case 'cast':
    case 'unknown':
      return [];
  }
}

/** Most frequent value; ties to the smallest (compareLevels for levels), as fit-steps' modeOf. */
async function modeOf(c: SqlColumn, from: string, session: SqlSession): Promise<number | string> {
  const x = session.dialect.ident(c.name);
  const rows = await session.rows(`SELECT ${x}, count(*) ${from} WHERE ${x} IS NOT NULL GROUP BY ${x}`);
  if (rows.length === 0) throw new TransformError('cannot impute the mode of a column with no values');
  const textual = c.type === 'category' || c.type === 'text';
  let best = rows[0];
  for (const row of rows.slice(1)) {
    const [v, k] = [row[0]!, num(row[1])];
    const bestCount = num(best[1]);
    const smaller = textual ? compareLevels(String(v), String(best[0])) < 0 : num(v) < num(best[0]);
    if (k > bestCount || (k === bestCount && smaller)) best = row;
  }
  return textual ? String(best[0]) : num(best[0]);
}

/** Levels that occur, sorted by compareLevels (booleans: false, true), as fit-steps' levelsPresent. */
async function levelsPresent(c: SqlColumn, from: string, session: SqlSession): Promise<string[]> {
  if (c.type === 'boolean') return ['false', 'true'];
  if (c.type !== 'category' && c.type !== 'text') throw new TransformError(`cannot encode a ${c.type} column; cast it to category first`);
  const x = session.dialect.ident(c.name);
  const rows = await session.rows(`SELECT DISTINCT ${x} ${from} WHERE ${x} IS NOT NULL`);
  return rows.map((row) => String(row[0])).sort(compareLevels);
}

/** Fits `steps` in turn, each on what the previous ones left, as fit-steps' fitSteps. */
export async function fitSqlSteps(steps: Step[], r: Relation, session: SqlSession): Promise<{ fitted: FittedStep[]; result: Relation }> {
  const fitted: FittedStep[] = [];
  let current = r;
  for (const step of steps) {
    const learned = await fitSqlStep(step, current, session);
    fitted.push(...learned);
    current = applySqlSteps(learned, current, session.dialect);
  }
  return { fitted, result: current };
}
