// Evaluates `derive` and `filter` expressions over whole columns (one pass per node, typed arrays).
// Semantics (as SQL): arithmetic and comparisons with a missing operand are missing; a result
// that overflows to ±Infinity is missing too (a number column never holds one); and/or are
// three-valued (false and missing = false, true or missing = true, not missing = missing); a
// filter keeps only rows where the condition is true. x / 0 and x % 0 are missing; % takes the
// divisor's sign (Python's modulo); log/sqrt outside their domain are missing. round halves away
// from zero. if() with a missing condition is missing. Categories compare with strings by level
// text; dates compare with ISO string literals. days_between(a, b) = b − a in days; weekday is
// Monday = 0 … Sunday = 6 (pandas). Booleans are 0/1 in a Float64Array, text is dictionary-encoded;
// result types are the checker's (coalesce of categories is a category, if() of categories text).
import type { BinaryExpr, CallExpr, Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import { compareLevels } from '../data/column-builder';
import { parseIsoDate } from '../data/parse-values';
import type { Column, Table } from '../data/table';
import { mapCodes, mapNumbers } from './table-ops';

type Value =
  | { kind: 'num'; type: 'number' | 'boolean' | 'date'; values: Float64Array; undefinedRows?: Uint8Array }
  | { kind: 'str'; type: 'text' | 'category'; codes: Int32Array; levels: string[] }
  | { kind: 'scalar-num'; type: 'number' | 'boolean' | 'date'; value: number }
  | { kind: 'scalar-str'; value: string };

export class ExpressionError extends Error {}

function fromColumn(c: Column): Value {
  return 'codes' in c ? { kind: 'str', type: c.type, codes: c.codes, levels: c.levels } : { kind: 'num', type: c.type, values: c.values };
}

function numbersOf(v: Value, n: number): Float64Array {
  if (v.kind === 'num') return v.values;
  if (v.kind === 'scalar-num') return new Float64Array(n).fill(v.value);
  if (v.kind === 'scalar-str') return new Float64Array(n).fill(parseIsoDate(v.value));
  throw new ExpressionError('expected a number');
}

/** Text of each row (undefined = missing). */
function stringsOf(v: Value, n: number): (string | undefined)[] {
  if (v.kind === 'str') {
    const out = new Array<string | undefined>(n);
    for (let i = 0; i < n; i++) out[i] = v.codes[i] < 0 ? undefined : v.levels[v.codes[i]];
    return out;
  }
  if (v.kind === 'scalar-str') return new Array<string | undefined>(n).fill(v.value);
  const nums = numbersOf(v, n);
  return Array.from(nums, (x) => (Number.isNaN(x) ? undefined : String(x)));
}

/**
 * Dictionary-encodes texts. With `codes`, `values` are per-level results of a dictionary column and
 * the output codes map through them (equal results share one level), so work is per level, not per row.
 */
function textColumn(values: (string | undefined)[], codes?: Int32Array): Value {
  const index = new Map<string, number>();
  const levels: string[] = [];
  const remap = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const s = values[i];
    if (s === undefined) { remap[i] = -1; continue; }
    let c = index.get(s);
    if (c === undefined) { c = levels.length; levels.push(s); index.set(s, c); }
    remap[i] = c;
  }
  return { kind: 'str', type: 'text', codes: codes ? mapCodes(codes, (k) => (k < 0 ? -1 : remap[k])) : remap, levels };
}

/** f of each row's text as a number column, computed once per level for dictionary columns. */
function perText(v: Value, n: number, f: (x: string) => number, type: 'number' | 'boolean' | 'date'): Value {
  if (v.kind === 'str') {
    const perLevel = v.levels.map(f);
    return { kind: 'num', type, values: mapNumbers(v.codes, (k) => (k < 0 ? NaN : perLevel[k])) };
  }
  return { kind: 'num', type, values: mapNumbers(stringsOf(v, n), (x) => (x === undefined ? NaN : f(x))) };
}

function isDate(v: Value): boolean {
  return (v.kind === 'num' || v.kind === 'scalar-num') && v.type === 'date';
}

function isTextual(v: Value): boolean {
  return v.kind === 'str' || v.kind === 'scalar-str';
}

/**
 * Where a computation on values that are not missing gives no finite number — x / 0, log of
 * x <= 0, an overflow to ±Infinity (exp(1000), 1e200 * 1e200), date() of text that is not a
 * date — the result is missing and the row
 * is marked in a mask that follows the value up the expression, so the step can say how many
 * values it made missing. Masks are copied before marking: inputs keep theirs.
 */
class UndefinedRows {
  private mask: Uint8Array | undefined;
  private owned = false;

  constructor(private readonly n: number, ...inherited: (Value | undefined)[]) {
    for (const v of inherited) {
      const m = v?.kind === 'num' ? v.undefinedRows : undefined;
      if (!m) continue;
      if (!this.mask) { this.mask = m; continue; }
      this.own();
      for (let i = 0; i < this.n; i++) this.mask![i] |= m[i];
    }
  }

  private own(): void {
    if (this.owned) return;
    this.mask = this.mask ? this.mask.slice() : new Uint8Array(this.n);
    this.owned = true;
  }

  /** `v`, or NaN when it is not a finite number (row i is then marked). */
  finite(v: number, i: number): number {
    if (Number.isFinite(v)) return v;
    this.own();
    this.mask![i] = 1;
    return NaN;
  }

  get rows(): Uint8Array | undefined {
    return this.mask;
  }
}

function map1(v: Value, n: number, f: (x: number) => number, type: 'number' | 'boolean' | 'date' = 'number'): Value {
  const x = numbersOf(v, n);
  const out = new Float64Array(n);
  const undef = new UndefinedRows(n, v);
  for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]) ? NaN : undef.finite(f(x[i]), i);
  return { kind: 'num', type, values: out, ...(undef.rows ? { undefinedRows: undef.rows } : {}) };
}

function map2(a: Value, b: Value, n: number, f: (x: number, y: number) => number, type: 'number' | 'boolean' | 'date' = 'number'): Value {
  const x = numbersOf(a, n);
  const y = numbersOf(b, n);
  const out = new Float64Array(n);
  const undef = new UndefinedRows(n, a, b);
  for (let i = 0; i < n; i++) out[i] = Number.isNaN(x[i]) || Number.isNaN(y[i]) ? NaN : undef.finite(f(x[i], y[i]), i);
  return { kind: 'num', type, values: out, ...(undef.rows ? { undefinedRows: undef.rows } : {}) };
}

function roundHalfAway(x: number, digits = 0): number {
  const p = 10 ** digits;
  const y = Math.abs(x) * p;
  return (Math.sign(x) * Math.round(y)) / p;
}

const dateOf = (days: number): Date => new Date(days * 86_400_000);

function evaluate(e: Expr, t: Table): Value {
  const n = t.rowCount;
  switch (e.kind) {
    case 'Number':
    case 'Percent':
      return { kind: 'scalar-num', type: 'number', value: e.value };
    case 'Boolean':
      return { kind: 'scalar-num', type: 'boolean', value: e.value ? 1 : 0 };
    case 'String':
      return { kind: 'scalar-str', value: e.value };
    case 'Paren':
      if (!e.inner) throw new ExpressionError('empty parentheses');
      return evaluate(e.inner, t);
    case 'Name': {
      const i = t.names.indexOf(e.name.text);
      if (i < 0) throw new ExpressionError(`unknown column "${e.name.text}"`);
      return fromColumn(t.columns[i]);
    }
    case 'Unary': {
      if (!e.operand) throw new ExpressionError('missing operand');
      const v = evaluate(e.operand, t);
      return e.operator === 'not' ? map1(v, n, (x) => (x ? 0 : 1), 'boolean') : map1(v, n, (x) => -x);
    }
    case 'Binary': {
      // Folded along the left spine: a 100,000-term chain must not recurse per operator.
      const spine = leftSpine(e);
      let value = evaluate(spine[0].left, t);
      for (const node of spine) value = binary(node, value, t);
      return value;
    }
    case 'Call':
      return call(e, t);
    default:
      throw new ExpressionError(`cannot evaluate ${e.kind}`);
  }
}

function compareStrings(a: Value, b: Value, n: number, op: string): Value {
  if (a.kind === 'str' && b.kind === 'scalar-str') return perText(a, n, (x) => compareResult(x < b.value ? -1 : x > b.value ? 1 : 0, op), 'boolean');
  if (a.kind === 'scalar-str' && b.kind === 'str') return perText(b, n, (y) => compareResult(a.value < y ? -1 : a.value > y ? 1 : 0, op), 'boolean');
  const x = stringsOf(a, n);
  const y = stringsOf(b, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = x[i];
    const q = y[i];
    if (p === undefined || q === undefined) { out[i] = NaN; continue; }
    const c = p < q ? -1 : p > q ? 1 : 0;
    out[i] = compareResult(c, op);
  }
  return { kind: 'num', type: 'boolean', values: out };
}

function compareResult(c: number, op: string): number {
  switch (op) {
    case '==': return c === 0 ? 1 : 0;
    case '!=': return c !== 0 ? 1 : 0;
    case '<': return c < 0 ? 1 : 0;
    case '<=': return c <= 0 ? 1 : 0;
    case '>': return c > 0 ? 1 : 0;
    default: return c >= 0 ? 1 : 0;
  }
}

/** `e` applied to its already evaluated left operand `a`. */
function binary(e: BinaryExpr, a: Value, t: Table): Value {
  const n = t.rowCount;
  if (!e.right) throw new ExpressionError('missing right operand');
  const b = evaluate(e.right, t);
  switch (e.operator) {
    case 'and':
    case 'or': {
      const x = numbersOf(a, n);
      const y = numbersOf(b, n);
      const out = new Float64Array(n);
      const isAnd = e.operator === 'and';
      for (let i = 0; i < n; i++) {
        const p = x[i];
        const q = y[i];
        if (isAnd) out[i] = p === 0 || q === 0 ? 0 : Number.isNaN(p) || Number.isNaN(q) ? NaN : 1;
        else out[i] = p === 1 || q === 1 ? 1 : Number.isNaN(p) || Number.isNaN(q) ? NaN : 0;
      }
      return { kind: 'num', type: 'boolean', values: out };
    }
    case '==': case '!=': case '<': case '<=': case '>': case '>=': {
      const dateVsString = (isDate(a) && b.kind === 'scalar-str') || (isDate(b) && a.kind === 'scalar-str');
      if (!dateVsString && (isTextual(a) || isTextual(b))) return compareStrings(a, b, n, e.operator);
      return map2(a, b, n, (x, y) => compareResult(x < y ? -1 : x > y ? 1 : 0, e.operator), 'boolean');
    }
    case '+': {
      const type = isDate(a) ? 'date' : 'number';
      return map2(a, b, n, (x, y) => x + y, type);
    }
    case '-': {
      return map2(a, b, n, (x, y) => x - y, isDate(a) && !isDate(b) ? 'date' : 'number');
    }
    case '*': return map2(a, b, n, (x, y) => x * y);
    case '/': return map2(a, b, n, (x, y) => (y === 0 ? NaN : x / y));
    case '%': return map2(a, b, n, (x, y) => (y === 0 ? NaN : x - y * Math.floor(x / y)));
  }
}

function call(e: CallExpr, t: Table): Value {
  const n = t.rowCount;
  const args = e.args.map((a) => {
    if (!a.value) throw new ExpressionError('missing argument');
    return evaluate(a.value, t);
  });
  const one = args[0];
  switch (e.callee.name) {
    case 'log': return map1(one, n, (x) => (x > 0 ? Math.log(x) : NaN));
    case 'exp': return map1(one, n, Math.exp);
    case 'sqrt': return map1(one, n, (x) => (x >= 0 ? Math.sqrt(x) : NaN));
    case 'abs': return map1(one, n, Math.abs);
    case 'round': return args.length > 1 ? map2(one, args[1], n, (x, d) => roundHalfAway(x, d)) : map1(one, n, (x) => roundHalfAway(x));
    case 'min':
    case 'max': {
      let acc = args[0];
      for (const next of args.slice(1)) acc = map2(acc, next, n, e.callee.name === 'min' ? Math.min : Math.max);
      return acc;
    }
    case 'year': return map1(one, n, (d) => dateOf(d).getUTCFullYear());
    case 'month': return map1(one, n, (d) => dateOf(d).getUTCMonth() + 1);
    case 'day': return map1(one, n, (d) => dateOf(d).getUTCDate());
    case 'weekday': return map1(one, n, (d) => (dateOf(d).getUTCDay() + 6) % 7);
    case 'days_between': return map2(one, args[1], n, (a, b) => b - a);
    case 'date':
      if (one.kind === 'scalar-str') return { kind: 'scalar-num', type: 'date', value: parseIsoDate(one.value) };
      return markUndefined(one, perText(one, n, parseIsoDate, 'date'), n);
    case 'lower':
    case 'upper': {
      const f = e.callee.name === 'lower' ? (x: string) => x.toLowerCase() : (x: string) => x.toUpperCase();
      if (one.kind === 'scalar-str') return { kind: 'scalar-str', value: f(one.value) };
      if (one.kind === 'str') return textColumn(one.levels.map(f), one.codes);
      return textColumn(stringsOf(one, n).map((x) => (x === undefined ? undefined : f(x))));
    }
    case 'length': return perText(one, n, (x) => x.length, 'number');
    case 'contains': {
      const pattern = args[1];
      if (pattern.kind === 'scalar-str') return perText(one, n, (x) => (x.includes(pattern.value) ? 1 : 0), 'boolean');
      const s = stringsOf(one, n);
      const p = stringsOf(pattern, n);
      return { kind: 'num', type: 'boolean', values: mapNumbers(s, (x, i) => (x === undefined || p[i] === undefined ? NaN : x.includes(p[i]!) ? 1 : 0)) };
    }
    case 'is_missing': {
      if (one.kind === 'str') return { kind: 'num', type: 'boolean', values: mapNumbers(one.codes, (c) => (c < 0 ? 1 : 0)) };
      const x = numbersOf(one, n);
      return { kind: 'num', type: 'boolean', values: mapNumbers(x, (v) => (Number.isNaN(v) ? 1 : 0)) };
    }
    case 'coalesce':
      return pickRows(args, n, (i, vals) => vals.findIndex((v) => !missingAt(v, i)), false);
    case 'if': {
      const cond = numbersOf(args[0], n);
      return pickRows(args.slice(1), n, (i) => (Number.isNaN(cond[i]) ? -1 : cond[i] ? 0 : 1), true);
    }
    default:
      throw new ExpressionError(`unknown function ${e.callee.name}`);
  }
}

/** `out` with the rows marked where `input` held a value but `out` has none (text that is not a date). */
function markUndefined(input: Value, out: Value, n: number): Value {
  if (out.kind !== 'num') return out;
  const undef = new UndefinedRows(n, input);
  for (let i = 0; i < n; i++) if (Number.isNaN(out.values[i]) && !missingAt(input, i)) undef.finite(NaN, i);
  return undef.rows ? { ...out, undefinedRows: undef.rows } : out;
}

function missingAt(v: Value, i: number): boolean {
  if (v.kind === 'num') return Number.isNaN(v.values[i]);
  if (v.kind === 'str') return v.codes[i] < 0;
  if (v.kind === 'scalar-num') return Number.isNaN(v.value);
  return false;
}

/**
 * Row i takes its value from choices[pick(i)] (−1 → missing). The result has the type of the first
 * non-literal choice, as the checker types it; `if` turns a category result into text.
 */
function pickRows(choices: Value[], n: number, pick: (i: number, vals: Value[]) => number, categoryAsText: boolean): Value {
  const typed = choices.find((c) => c.kind === 'num' || c.kind === 'str') ?? choices[0];
  if (choices.some(isTextual)) {
    const strings = choices.map((c) => stringsOf(c, n));
    const picked = textColumn(Array.from({ length: n }, (_, i) => {
      const k = pick(i, choices);
      return k < 0 ? undefined : strings[k][i];
    }));
    return typed.kind === 'str' && typed.type === 'category' && !categoryAsText ? asCategory(picked) : picked;
  }
  const nums = choices.map((c) => numbersOf(c, n));
  const type = typed.kind === 'num' || typed.kind === 'scalar-num' ? typed.type : 'number';
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = pick(i, choices);
    out[i] = k < 0 ? NaN : nums[k][i];
  }
  return { kind: 'num', type, values: out };
}

/** Re-encodes a text value over sorted levels, the invariant of category columns. */
function asCategory(v: Value): Value {
  if (v.kind !== 'str') return v;
  const levels = v.levels.slice().sort(compareLevels);
  const index = new Map(levels.map((l, i) => [l, i]));
  const map = v.levels.map((l) => index.get(l)!);
  return { kind: 'str', type: 'category', codes: mapCodes(v.codes, (c) => (c < 0 ? -1 : map[c])), levels };
}

/**
 * The expression's value for every row, as a column. `onUndefined` hears how many rows are
 * missing because a computation was undefined there (division by zero, log/sqrt outside their
 * domain, overflow), when any are.
 */
export function evaluateExpression(expr: Expr, table: Table, onUndefined?: (rows: number) => void): Column {
  const v = evaluate(expr, table);
  const n = table.rowCount;
  if (v.kind === 'num' && v.undefinedRows && onUndefined) {
    let rows = 0;
    for (let i = 0; i < n; i++) if (v.undefinedRows[i] && Number.isNaN(v.values[i])) rows++;
    if (rows > 0) onUndefined(rows);
  }
  switch (v.kind) {
    case 'num': return { type: v.type, values: v.values };
    case 'str': return { type: v.type, codes: v.codes, levels: v.levels };
    case 'scalar-num': return { type: v.type, values: new Float64Array(n).fill(v.value) };
    case 'scalar-str': return { type: 'text', codes: new Int32Array(n).fill(0), levels: [v.value] };
  }
}
