// Fitting and applying transform steps (spec §3). `fitSteps` learns each fitted step's
// parameters from the training table, applying every step in turn so each sees the previous
// one's output; `applySteps` replays fitted steps unchanged on any table. Row steps (filter,
// drop_missing, dedupe) apply in 'train' mode only: at prediction every input row stays.
// Parameters: mean and median ignore missing values (median of an even count = average of the
// middle two; percentiles are numpy's linear ones); mode ties go to the smallest value/level;
// standard scaling uses the population std (ddof 0, as StandardScaler); a zero std, range or
// IQR scales by 1. onehot/ordinal levels are those present in the training rows, sorted
// (booleans: false, true); at apply time unseen and missing values give all-0 one-hot columns
// and a missing ordinal. Column order: onehot outputs replace C at its position, rename and
// cast keep the position, keep keeps table order, derive of a new name appends at the end
// (of an existing name replaces it in place); a derived category-valued expression is text.
// dedupe keeps the first occurrence and treats missing values as equal.
import type { Expr, Step } from '../language/ast';
import type { ColumnType, TableSchema } from '../language/schema';
import { compareLevels } from '../data/column-builder';
import { parseBoolean, parseIsoDate, parseNumber } from '../data/parse-values';
import type { Column, DictionaryColumn, Table } from '../data/table';
import type { FittedStep } from './fitted-step';
import { evaluateExpression } from './evaluate-expression';
import { cellText, dropColumns, mapCodes, mapNumbers, remapLevels, rowsWhere, selectRows, setColumn, spliceColumns } from './table-ops';

export class TransformError extends Error {}

/** Values a step made missing (text a cast could not parse, an overflow): reported by the runner, never lost silently. */
export interface ValueLoss {
  /** The step, as written: cast "income" as number. */
  step: string;
  count: number;
  /** Rows the step saw (for a cast: cells that were not missing before it). */
  of: number;
  /** What happened to them: 'could not be parsed (e.g. "abc")'. */
  reason: string;
  fix: string;
}

export type LossSink = (loss: ValueLoss) => void;

function column(t: Table, name: string): Column {
  const i = t.names.indexOf(name);
  if (i < 0) throw new TransformError(`column "${name}" is not in the table (columns: ${t.names.join(', ')})`);
  return t.columns[i];
}

function numeric(c: Column, name: string): Float64Array {
  if ('values' in c) return c.values;
  throw new TransformError(`column "${name}" is ${c.type}, not a number`);
}

/** Sorted non-missing values. */
function sortedValues(v: Float64Array): Float64Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) n++;
  const out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) out[k++] = v[i];
  return out.sort();
}

/** numpy's default (linear) percentile of sorted values. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function mean(v: Float64Array): number {
  let s = 0, n = 0;
  for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) { s += v[i]; n++; }
  return n === 0 ? NaN : s / n;
}

/** Most frequent value; ties go to the smallest (as scikit-learn's SimpleImputer). */
function modeOf(c: Column): number | string {
  if ('codes' in c) {
    const counts = new Int32Array(c.levels.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) counts[c.codes[i]]++;
    let best = -1;
    for (let k = 0; k < counts.length; k++) {
      if (counts[k] === 0) continue;
      if (best < 0 || counts[k] > counts[best] || (counts[k] === counts[best] && compareLevels(c.levels[k], c.levels[best]) < 0)) best = k;
    }
    if (best < 0) throw new TransformError('cannot impute the mode of a column with no values');
    return c.levels[best];
  }
  const counts = new Map<number, number>();
  for (let i = 0; i < c.values.length; i++) {
    const v = c.values[i];
    if (!Number.isNaN(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  let best = NaN, bestCount = 0;
  for (const [v, k] of counts) if (k > bestCount || (k === bestCount && v < best)) { best = v; bestCount = k; }
  if (Number.isNaN(best)) throw new TransformError('cannot impute the mode of a column with no values');
  return best;
}

export function constantValue(e: Expr | undefined): number | string {
  if (!e) throw new TransformError('constant needs a value');
  if (e.kind === 'Number' || e.kind === 'Percent') return e.value;
  if (e.kind === 'Boolean') return e.value ? 1 : 0;
  if (e.kind === 'String') return e.value;
  throw new TransformError('constant needs a number, a string or true/false');
}

/** Learns one step's parameters from `t` (the training rows as the previous steps left them). */
function fitStep(step: Step, t: Table): FittedStep[] {
  switch (step.kind) {
    case 'drop': return [{ kind: 'drop', columns: step.columns.map((c) => c.name) }];
    case 'keep': return [{ kind: 'keep', columns: step.columns.map((c) => c.name) }];
    case 'rename': return step.from && step.to ? [{ kind: 'rename', from: step.from.name, to: step.to.name }] : [];
    case 'cast': return step.type ? step.columns.map((c) => ({ kind: 'cast' as const, column: c.name, to: step.type!.name.name as ColumnType })) : [];
    case 'drop_missing': return [{ kind: 'drop_missing', columns: step.columns.map((c) => c.name), rowStep: true }];
    case 'dedupe': return [{ kind: 'dedupe', columns: step.columns.map((c) => c.name), rowStep: true }];
    case 'filter': return step.expr ? [{ kind: 'filter', expr: step.expr, rowStep: true }] : [];
    case 'derive': {
      if (!step.target || !step.expr) return [];
      return [{ kind: 'derive', column: step.target.name, expr: step.expr, type: derived(step.expr, t).type }];
    }
    case 'impute': {
      const m = step.method;
      const method = (m?.kind === 'Call' ? m.callee.name : m?.kind === 'Name' ? m.name.text : 'mean') as 'mean' | 'median' | 'mode' | 'constant';
      return step.columns.map((id) => {
        const c = column(t, id.name);
        let value: number | string;
        if (method === 'mean') value = mean(numeric(c, id.name));
        else if (method === 'median') value = quantile(sortedValues(numeric(c, id.name)), 0.5);
        else if (method === 'mode') value = modeOf(c);
        else value = constantValue(m?.kind === 'Call' ? m.args[0]?.value : undefined);
        if (typeof value === 'number' && Number.isNaN(value)) throw new TransformError(`cannot impute "${id.name}" with ${method}: it has no values in the training rows`);
        return { kind: 'impute' as const, column: id.name, method, value };
      });
    }
    case 'encode': {
      const method = step.method?.name === 'ordinal' ? 'ordinal' : 'onehot';
      return step.columns.map((id) => {
        const c = column(t, id.name);
        const levels = levelsPresent(c);
        return method === 'onehot'
          ? { kind: 'onehot' as const, column: id.name, levels, outputs: levels.map((l) => `${id.name}_${l}`) }
          : { kind: 'ordinal' as const, column: id.name, levels };
      });
    }
    case 'scale': {
      const method = (step.method?.name ?? 'standard') as 'standard' | 'minmax' | 'robust';
      return step.columns.map((id) => {
        const v = numeric(column(t, id.name), id.name);
        let center: number, scale: number;
        if (method === 'standard') {
          center = mean(v);
          let ss = 0, n = 0;
          for (let i = 0; i < v.length; i++) if (!Number.isNaN(v[i])) { ss += (v[i] - center) ** 2; n++; }
          scale = Math.sqrt(ss / n);
        } else {
          const s = sortedValues(v);
          if (method === 'minmax') { center = s[0]; scale = s[s.length - 1] - s[0]; }
          else { center = quantile(s, 0.5); scale = quantile(s, 0.75) - quantile(s, 0.25); }
        }
        if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
        if (Number.isNaN(center)) center = 0;
        return { kind: 'scale' as const, column: id.name, method, center, scale };
      });
    }
    case 'clip': {
      const b = step.bounds;
      return step.columns.map((id) => {
        if (b?.kind === 'List') {
          const [lo, hi] = b.items.map((x) => (x.kind === 'Number' || x.kind === 'Percent' ? x.value : NaN));
          return { kind: 'clip' as const, column: id.name, lo, hi };
        }
        const qs = b?.kind === 'Call' ? b.args.map((a) => (a.value?.kind === 'Number' ? a.value.value : NaN)) : [0, 1];
        const s = sortedValues(numeric(column(t, id.name), id.name));
        if (s.length === 0) throw new TransformError(`cannot learn clip bounds for "${id.name}": it has no values in the training rows`);
        return { kind: 'clip' as const, column: id.name, lo: quantile(s, qs[0]), hi: quantile(s, qs[1]) };
      });
    }
    case 'unknown':
      return [];
  }
}

/**
 * A step with stand-in parameters (centre 0, scale 1, the schema's levels) for checks that need
 * the fitted steps' shape but have no data: whether ONNX can express a model's steps. `before`
 * and `after` are the table's schemas around the step; undefined when its levels are unknown.
 */
export function placeholderStep(step: Step, before: TableSchema, after: TableSchema): FittedStep[] | undefined {
  const levelsOf = (name: string): string[] | undefined => {
    const c = before.columns.find((x) => x.name === name);
    return c?.levels ?? (c?.type === 'boolean' ? ['false', 'true'] : undefined);
  };
  switch (step.kind) {
    case 'derive': {
      const type = after.columns.find((c) => c.name === step.target?.name)?.type;
      return step.target && step.expr && type ? [{ kind: 'derive', column: step.target.name, expr: step.expr, type }] : [];
    }
    case 'impute': {
      const m = step.method;
      const method = (m?.kind === 'Call' ? m.callee.name : m?.kind === 'Name' ? m.name.text : 'mean') as 'mean' | 'median' | 'mode' | 'constant';
      return step.columns.map((id) => ({ kind: 'impute' as const, column: id.name, method, value: levelsOf(id.name)?.[0] ?? 0 }));
    }
    case 'encode': {
      const levels = step.columns.map((id) => levelsOf(id.name));
      if (levels.some((l) => !l)) return undefined;
      return step.columns.map((id, i) => (step.method?.name === 'ordinal'
        ? { kind: 'ordinal' as const, column: id.name, levels: levels[i]! }
        : { kind: 'onehot' as const, column: id.name, levels: levels[i]!, outputs: levels[i]!.map((l) => `${id.name}_${l}`) }));
    }
    case 'scale': return step.columns.map((id) => ({ kind: 'scale' as const, column: id.name, method: (step.method?.name ?? 'standard') as 'standard' | 'minmax' | 'robust', center: 0, scale: 1 }));
    case 'clip': return step.columns.map((id) => ({ kind: 'clip' as const, column: id.name, lo: 0, hi: 1 }));
    default: return fitStep(step, { names: [], columns: [], rowCount: 0 });
  }
}

/** A derived column: a category-valued expression becomes text (its levels are not known ahead), as the checker types it. */
function derived(expr: Expr, t: Table, onUndefined?: (rows: number) => void): Column {
  const c = evaluateExpression(expr, t, onUndefined);
  return c.type === 'category' ? { type: 'text', codes: c.codes, levels: c.levels } : c;
}

/** Levels that occur in the column, sorted (booleans: false, true). */
function levelsPresent(c: Column): string[] {
  if ('codes' in c) {
    const seen = new Uint8Array(c.levels.length);
    for (let i = 0; i < c.codes.length; i++) if (c.codes[i] >= 0) seen[c.codes[i]] = 1;
    return c.levels.filter((_, k) => seen[k]).sort(compareLevels);
  }
  if (c.type === 'boolean') return ['false', 'true'];
  throw new TransformError(`cannot encode a ${c.type} column; cast it to category first`);
}

export interface AppliedSteps {
  table: Table;
  /** Output row → input row. */
  rowMap: Int32Array;
}

export function fitSteps(steps: Step[], train: Table, onLoss?: LossSink): { fitted: FittedStep[]; result: AppliedSteps } {
  const fitted: FittedStep[] = [];
  let current: AppliedSteps = { table: train, rowMap: identity(train.rowCount) };
  for (const step of steps) {
    const learned = fitStep(step, current.table);
    fitted.push(...learned);
    current = applySteps(learned, current.table, 'train', current.rowMap, onLoss);
  }
  return { fitted, result: current };
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

export function applySteps(fitted: FittedStep[], table: Table, mode: 'train' | 'predict', rowMap = identity(table.rowCount), onLoss?: LossSink): AppliedSteps {
  let t = table;
  let map = rowMap;
  for (const s of fitted) {
    if ('rowStep' in s) {
      if (mode === 'predict') continue;
      const keep = rowsKept(s, t);
      if (keep.length !== t.rowCount) {
        t = selectRows(t, keep);
        map = mapCodes(keep, (r) => map[r]);
      }
      continue;
    }
    t = applyColumnStep(s, t, onLoss);
  }
  return { table: t, rowMap: map };
}

function rowsKept(s: Extract<FittedStep, { rowStep: true }>, t: Table): Int32Array {
  const n = t.rowCount;
  const mask = new Uint8Array(n);
  if (s.kind === 'filter') {
    const c = evaluateExpression(s.expr, t);
    if (!('values' in c)) throw new TransformError(`filter needs a condition (boolean) but the expression is ${c.type}`);
    for (let i = 0; i < n; i++) mask[i] = c.values[i] === 1 ? 1 : 0;
  } else if (s.kind === 'drop_missing') {
    mask.fill(1);
    for (const c of (s.columns.length ? s.columns : t.names).map((name) => column(t, name))) {
      if ('codes' in c) { for (let i = 0; i < n; i++) if (c.codes[i] < 0) mask[i] = 0; }
      else for (let i = 0; i < n; i++) if (Number.isNaN(c.values[i])) mask[i] = 0;
    }
  } else {
    const cols = (s.columns.length ? s.columns : t.names).map((name) => column(t, name));
    const seen = new Set<string>();
    const cells: (number | string)[] = new Array(cols.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < cols.length; j++) {
        const c = cols[j];
        cells[j] = 'codes' in c ? c.codes[i] : c.values[i];
      }
      const key = cols.length === 1 ? String(cells[0]) : cells.join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      mask[i] = 1;
    }
  }
  return rowsWhere(mask);
}

/** `c` as type `to`; text that does not parse becomes missing and is reported to `lost`. */
function castColumn(c: Column, to: ColumnType, lost: (count: number, of: number, example: string) => void): Column {
  if (c.type === to) return c;
  const n = 'codes' in c ? c.codes.length : c.values.length;
  if ('codes' in c && to === 'text') return { type: to, codes: c.codes, levels: c.levels };
  if ('codes' in c && to === 'category') return remapLevels(c, [...new Set(c.levels)].sort(compareLevels), to);
  if (to === 'category' || to === 'text') {
    const texts: (string | undefined)[] = Array.from({ length: n }, (_, i) => cellText(c, i));
    const levels = [...new Set(texts.filter((x): x is string => x !== undefined))];
    if (to === 'category') levels.sort(compareLevels);
    const index = new Map(levels.map((l, i) => [l, i]));
    return { type: to, codes: mapCodes(texts, (x) => (x === undefined ? -1 : index.get(x)!)), levels };
  }
  const parse = to === 'number' ? parseNumber : to === 'boolean' ? parseBoolean : parseIsoDate;
  if ('codes' in c) {
    const table = c.levels.map(parse);
    let count = 0;
    let of = 0;
    let example = -1;
    for (const k of c.codes) {
      if (k < 0) continue;
      of++;
      if (!Number.isNaN(table[k])) continue;
      count++;
      if (example < 0) example = k;
    }
    if (count > 0) lost(count, of, c.levels[example]);
    return { type: to, values: mapNumbers(c.codes, (k) => (k < 0 ? NaN : table[k])) };
  }
  if (to === 'boolean') return { type: to, values: mapNumbers(c.values, (v) => (Number.isNaN(v) ? NaN : v !== 0 ? 1 : 0)) };
  return { type: to, values: c.values };
}

function applyColumnStep(s: Exclude<FittedStep, { rowStep: true }>, t: Table, onLoss?: LossSink): Table {
  switch (s.kind) {
    case 'drop': return dropColumns(t, s.columns);
    case 'keep': {
      const keep = new Set(s.columns);
      return dropColumns(t, t.names.filter((n) => !keep.has(n)));
    }
    case 'rename': {
      const i = t.names.indexOf(s.from);
      if (i < 0) throw new TransformError(`cannot rename "${s.from}": no such column`);
      const names = t.names.slice();
      names[i] = s.to;
      return { ...t, names };
    }
    case 'cast': {
      const lost = (count: number, of: number, example: string): void => onLoss?.({
        step: `cast "${s.column}" as ${s.to}`, count, of, reason: `could not be parsed (e.g. "${example}")`,
        fix: 'fix them in the data, or impute the column after the cast',
      });
      return setColumn(t, s.column, castColumn(column(t, s.column), s.to, lost));
    }
    case 'impute': {
      const c = column(t, s.column);
      if ('codes' in c) {
        const value = String(s.value);
        let levels = c.levels;
        let k = levels.indexOf(value);
        let base: DictionaryColumn = c;
        if (k < 0) {
          levels = c.type === 'category' ? [...levels, value].sort(compareLevels) : [...levels, value];
          base = remapLevels(c, levels);
          k = levels.indexOf(value);
        }
        return setColumn(t, s.column, { type: c.type, codes: mapCodes(base.codes, (x) => (x < 0 ? k : x)), levels });
      }
      const v = typeof s.value === 'number' ? s.value : parseNumber(s.value);
      return setColumn(t, s.column, { type: c.type, values: mapNumbers(c.values, (x) => (Number.isNaN(x) ? v : x)) });
    }
    case 'onehot': {
      const c = column(t, s.column);
      const n = t.rowCount;
      const outputs = s.levels.map(() => new Float64Array(n));
      if ('codes' in c) {
        const map = c.levels.map((l) => s.levels.indexOf(l));
        for (let i = 0; i < n; i++) {
          const k = c.codes[i] < 0 ? -1 : map[c.codes[i]];
          if (k >= 0) outputs[k][i] = 1;
        }
      } else {
        for (let i = 0; i < n; i++) {
          const v = c.values[i];
          if (Number.isNaN(v)) continue;
          const k = s.levels.indexOf(c.type === 'boolean' ? (v ? 'true' : 'false') : String(v));
          if (k >= 0) outputs[k][i] = 1;
        }
      }
      return spliceColumns(t, s.column, s.outputs, outputs.map((values) => ({ type: 'number' as const, values })));
    }
    case 'ordinal': {
      const c = column(t, s.column);
      const n = t.rowCount;
      const values = new Float64Array(n);
      if ('codes' in c) {
        const map = c.levels.map((l) => s.levels.indexOf(l));
        for (let i = 0; i < n; i++) values[i] = c.codes[i] < 0 || map[c.codes[i]] < 0 ? NaN : map[c.codes[i]];
      } else {
        for (let i = 0; i < n; i++) {
          const v = c.values[i];
          const k = Number.isNaN(v) ? -1 : s.levels.indexOf(c.type === 'boolean' ? (v ? 'true' : 'false') : String(v));
          values[i] = k < 0 ? NaN : k;
        }
      }
      return setColumn(t, s.column, { type: 'number', values });
    }
    case 'scale': {
      const v = numeric(column(t, s.column), s.column);
      return setColumn(t, s.column, { type: 'number', values: mapNumbers(v, (x) => (x - s.center) / s.scale) });
    }
    case 'clip': {
      const v = numeric(column(t, s.column), s.column);
      return setColumn(t, s.column, { type: 'number', values: mapNumbers(v, (x) => (Number.isNaN(x) ? x : Math.min(s.hi, Math.max(s.lo, x)))) });
    }
    case 'derive': {
      const undefinedRows = (count: number): void => onLoss?.({
        step: `derive ${s.column}`, count, of: t.rowCount,
        reason: 'are undefined (division by zero, log or sqrt outside their domain, overflow to ±Infinity, or date() of text that is not a date)',
        fix: `impute ${s.column} after it, or filter those rows out before`,
      });
      return setColumn(t, s.column, derived(s.expr, t, undefinedRows));
    }
  }
}
