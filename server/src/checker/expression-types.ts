// Types of `derive` and `filter` expressions (NML112), resolving columns against the table
// at that step (NML101). An unknown part yields `undefined` and stays silent downstream, so one
// mistake gives one diagnostic.
import type { BinaryExpr, CallExpr, Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import { FUNCTIONS, type ArgType } from '../language/functions';
import type { ColumnType } from '../language/schema';
import { parseIsoDate } from '../data/parse-values';
import { CheckContext } from './check-context';
import { presentWhen } from './present-columns';
import { lookupColumn, type TableState } from './table-state';

export interface ExprType {
  type: ColumnType;
  nullable: boolean;
  /** Raw dataset columns the value is computed from. */
  sources: string[];
  /** A string literal: compares with categories by level text. */
  literal?: boolean;
  /** Largest magnitude the value can have, when literals make it other than DATA_BOUND. */
  bound?: number;
}

/**
 * The magnitude data values are assumed to stay within (far beyond any measurement or amount).
 * `+ - *` are marked nullable when their bound under this assumption passes the largest double:
 * `x * 1e308` overflows for ordinary x, `x * y * 1000` cannot.
 */
const DATA_BOUND = 1e100;
const boundOf = (t: ExprType): number => t.bound ?? DATA_BOUND;

const NUMERIC_OPS = new Set(['-', '*', '/', '%']);
const COMPARISONS = new Set(['==', '!=', '<', '<=', '>', '>=']);

function merge(...types: (ExprType | undefined)[]): string[] {
  const out = new Set<string>();
  for (const t of types) if (t) for (const s of t.sources) out.add(s);
  return [...out];
}

const isTextLike = (t: ColumnType): boolean => t === 'text' || t === 'category';

/** The value of a number literal (`2`, `-0.5`, `(3)`), else undefined. */
export function literalNumber(e: Expr | undefined): number | undefined {
  if (!e) return undefined;
  if (e.kind === 'Number' || e.kind === 'Percent') return e.value;
  if (e.kind === 'Paren') return literalNumber(e.inner);
  if (e.kind === 'Unary' && e.operator === '-') {
    const v = literalNumber(e.operand);
    return v === undefined ? undefined : -v;
  }
  return undefined;
}

/**
 * Functions defined on part of their domain: the result is missing outside it. `exp` overflows
 * above 709.78, well within real data, so it is nullable unless its argument is a literal inside.
 * log (x <= 0), sqrt (x < 0) and division by zero depend on values a ratio or a log of real data
 * seldom has (and a clip or filter before may rule out): marking them nullable would refuse
 * every `log(income)` with NML114. They are nullable for a literal outside the domain; otherwise
 * the run counts the rows they make missing and warns.
 */
const PARTIAL_FUNCTIONS: Partial<Record<string, { inDomain: (x: number) => boolean; literalOnly: boolean }>> = {
  log: { inDomain: (x) => x > 0, literalOnly: true },
  sqrt: { inDomain: (x) => x >= 0, literalOnly: true },
  exp: { inDomain: (x) => Number.isFinite(Math.exp(x)), literalOnly: false },
};

/** A string literal compared with or converted to a date must be a real date: else every row would be missing. */
function checkDateLiteral(e: Expr | undefined, ctx: CheckContext): void {
  if (e?.kind === 'String' && Number.isNaN(parseIsoDate(e.value))) {
    ctx.report('NML112', e.range, `"${e.value}" is not a real date; write YYYY-MM-DD, optionally with a time (hh:mm:ss) and a Z or ±hh:mm offset, e.g. "2024-02-29T13:00:00+01:00"`);
  }
}

export function typeOfExpression(expr: Expr, table: TableState, ctx: CheckContext): ExprType | undefined {
  switch (expr.kind) {
    case 'Number':
    case 'Percent':
      if (!Number.isFinite(expr.value)) {
        ctx.report('NML112', expr.range, `${expr.text} is too large for a number (the largest is about 1.8e308); write a smaller number`);
        return undefined;
      }
      return { type: 'number', nullable: false, sources: [], bound: Math.abs(expr.value) };
    case 'Duration':
      ctx.report('NML112', expr.range, `a duration (${expr.text}) is not a value in an expression; write a number`);
      return undefined;
    case 'String':
      return { type: 'text', nullable: false, sources: [], literal: true };
    case 'Boolean':
      return { type: 'boolean', nullable: false, sources: [] };
    case 'Paren':
      return expr.inner ? typeOfExpression(expr.inner, table, ctx) : undefined;
    case 'Nullable':
      ctx.report('NML112', expr.range, 'a "?" belongs in a type (number?), not in an expression; remove it');
      return undefined;
    case 'List':
      ctx.report('NML112', expr.range, 'a list is not a value in an expression; use one value');
      return undefined;
    case 'Name': {
      const parts = expr.name.parts;
      const id = parts[0];
      if (parts.length > 1) {
        ctx.report('NML101', expr.range, `"${expr.name.text}" is not a column of this table; columns have plain names (use backquotes for odd ones)`);
        return undefined;
      }
      const col = lookupColumn(table, id.name);
      if (!col) {
        const s = ctx.suggest(id.name, table.schema.columns.map((c) => c.name), 'column');
        ctx.report('NML101', id.range, `unknown column "${id.name}" at this step${s.text || `; columns here: ${preview(table)}`}`, s.fixes);
        return undefined;
      }
      ctx.columnReferences.push({ column: id.name, origin: table.origin, range: id.range, isDefinition: false });
      return { type: col.type, nullable: col.nullable, sources: table.sources.get(col.name) ?? [col.name] };
    }
    case 'Unary': {
      const operand = expr.operand ? typeOfExpression(expr.operand, table, ctx) : undefined;
      if (!operand) return undefined;
      if (expr.operator === 'not') {
        if (operand.type !== 'boolean') {
          ctx.report('NML112', expr.operand!.range, `"not" needs a boolean but this is ${operand.type}; compare it first, e.g. not (x > 0)`);
          return undefined;
        }
        return { ...operand, literal: false };
      }
      if (operand.type !== 'number') {
        ctx.report('NML112', expr.operand!.range, `"-" needs a number but this is ${operand.type}`);
        return undefined;
      }
      return { ...operand, literal: false };
    }
    case 'Binary': {
      // Folded along the left spine: a 100,000-term chain must not recurse per operator.
      const spine = leftSpine(expr);
      let type = typeOfExpression(spine[0].left, table, ctx);
      for (const node of spine) type = typeOfBinary(node, type, table, ctx);
      return type;
    }
    case 'Call':
      return typeOfCall(expr, table, ctx);
  }
}

function preview(table: TableState): string {
  const names = table.schema.columns.map((c) => c.name);
  return names.length > 8 ? `${names.slice(0, 8).join(', ')}, ...` : names.join(', ') || '(none)';
}

/** The type of `expr` given the type of its left operand (undefined: already reported). */
function typeOfBinary(expr: BinaryExpr, left: ExprType | undefined, table: TableState, ctx: CheckContext): ExprType | undefined {
  const right = expr.right ? typeOfExpression(expr.right, table, ctx) : undefined;
  if (!left || !right) return undefined;
  const op = expr.operator;
  const nullable = left.nullable || right.nullable;
  const sources = merge(left, right);
  if (op === 'and' || op === 'or') {
    for (const [side, t] of [[expr.left, left], [expr.right!, right]] as const) {
      if (t.type !== 'boolean') {
        ctx.report('NML112', side.range, `"${op}" needs booleans on both sides but this is ${t.type}; compare it, e.g. x > 0`);
        return undefined;
      }
    }
    return { type: 'boolean', nullable, sources };
  }
  if (COMPARISONS.has(op)) {
    const ok =
      (left.type === right.type && (op === '==' || op === '!=' || left.type !== 'boolean')) ||
      (isTextLike(left.type) && isTextLike(right.type)) ||
      (left.type === 'date' && right.literal) || (right.type === 'date' && left.literal);
    if (!ok) {
      ctx.report('NML112', expr.operatorRange, `cannot compare ${left.type} with ${right.type} using "${op}"; make both sides the same type (cast, or date("YYYY-MM-DD") for dates)`);
      return undefined;
    }
    if (left.type === 'date') checkDateLiteral(expr.right, ctx);
    if (right.type === 'date') checkDateLiteral(expr.left, ctx);
    return { type: 'boolean', nullable, sources };
  }
  if (op === '+' && (isTextLike(left.type) || isTextLike(right.type))) {
    ctx.report('NML112', expr.operatorRange, `"+" adds numbers, but ${isTextLike(left.type) ? 'the left side' : 'the right side'} is ${isTextLike(left.type) ? left.type : right.type}; cast it to number, or derive a separate column`);
    return undefined;
  }
  if (op === '-' && left.type === 'date' && right.type === 'date') return { type: 'number', nullable, sources };
  if ((op === '+' || op === '-') && left.type === 'date' && right.type === 'number') return { type: 'date', nullable, sources };
  if (op === '+' || NUMERIC_OPS.has(op)) {
    for (const [side, t] of [[expr.left, left], [expr.right!, right]] as const) {
      if (t.type !== 'number') {
        const hint = t.type === 'date' ? '; use year(), month(), days_between() ...' : t.type === 'boolean' ? '; use if(cond, 1, 0)' : '; cast it to number first';
        ctx.report('NML112', side.range, `"${op}" needs numbers but this is ${t.type}${hint}`);
        return undefined;
      }
    }
    // x / 0 and x % 0 are missing (see PARTIAL_FUNCTIONS for why only a literal 0 counts here).
    const divisor = op === '/' || op === '%' ? literalNumber(expr.right) : undefined;
    const bound = op === '*' ? boundOf(left) * boundOf(right)
      : op === '/' ? (divisor ? boundOf(left) / Math.abs(divisor) : undefined)
        : op === '%' ? undefined : boundOf(left) + boundOf(right);
    const overflows = bound !== undefined && bound > Number.MAX_VALUE;
    return { type: 'number', nullable: nullable || divisor === 0 || overflows, sources, ...(bound !== undefined ? { bound } : {}) };
  }
  return undefined;
}

function matches(want: ArgType, got: ExprType): boolean {
  if (want === 'any' || want === 'same') return true;
  if (want === 'text-like') return isTextLike(got.type);
  if (want === 'date' && got.literal) return true;
  return want === got.type;
}

function typeOfCall(expr: CallExpr, table: TableState, ctx: CheckContext): ExprType | undefined {
  const name = expr.callee.name;
  const fn = FUNCTIONS[name];
  if (!fn) {
    const s = ctx.suggest(name, Object.keys(FUNCTIONS), 'function');
    ctx.report('NML112', expr.callee.range, `unknown function "${name}"${s.text || `; functions are ${Object.keys(FUNCTIONS).join(', ')}`}`, s.fixes);
    for (const a of expr.args) if (a.value) typeOfExpression(a.value, table, ctx);
    return undefined;
  }
  const args = expr.args.map((a) => (a.value ? typeOfExpression(a.value, table, ctx) : undefined));
  const named = expr.args.find((a) => a.name);
  if (named?.name) {
    ctx.report('NML112', named.name.range, `${name}() takes plain arguments, not "${named.name.name}:"`);
    return undefined;
  }
  const min = fn.args.length - fn.optional;
  const max = fn.variadic ? Infinity : fn.args.length;
  if (args.length < min || args.length > max) {
    const expected = fn.variadic ? `at least ${min}` : fn.optional ? `${min} or ${fn.args.length}` : `${fn.args.length}`;
    ctx.report('NML112', expr.range, `${name}() takes ${expected} argument${expected === '1' ? '' : 's'} but got ${args.length}: ${fn.doc}`);
    return undefined;
  }
  if (args.some((a) => a === undefined)) return undefined;
  let same: ExprType | undefined;
  for (let i = 0; i < args.length; i++) {
    const want = fn.args[Math.min(i, fn.args.length - 1)];
    const got = args[i]!;
    if (!matches(want, got)) {
      const wanted = want === 'text-like' ? 'text or category' : want;
      ctx.report('NML112', expr.args[i].range, `argument ${i + 1} of ${name}() must be ${wanted} but is ${got.type}: ${fn.doc}`);
      return undefined;
    }
    if (want === 'same') {
      if (same && !(same.type === got.type || (isTextLike(same.type) && isTextLike(got.type)))) {
        ctx.report('NML112', expr.args[i].range, `the arguments of ${name}() must have one type, but ${same.type} and ${got.type} are mixed`);
        return undefined;
      }
      if (!same || same.literal) same = got;
    }
  }
  const sources = merge(...args);
  if (name === 'is_missing') return { type: 'boolean', nullable: false, sources };
  if (name === 'coalesce') return { type: same!.type, nullable: args.every((a) => a!.nullable), sources };
  if (name === 'if') {
    const branchMissing = (i: 1 | 2): boolean => args[i]!.nullable && mayBeMissingWhere(expr.args[i].value!, table, presentWhen(expr.args[0].value, i === 1));
    return { type: same!.type === 'category' ? 'text' : same!.type, nullable: args[0]!.nullable || branchMissing(1) || branchMissing(2), sources };
  }
  const result = fn.result === 'same' ? same!.type : fn.result;
  // A date parsed from a column may fail; one parsed from a literal is checked here.
  if (name === 'date') checkDateLiteral(expr.args[0].value, ctx);
  const unparsable = name === 'date' && !args[0]!.literal;
  const partial = PARTIAL_FUNCTIONS[name];
  const literal = partial ? literalNumber(expr.args[0].value) : undefined;
  const outsideDomain = partial !== undefined && (literal === undefined ? !partial.literalOnly : !partial.inDomain(literal));
  return { type: result, nullable: args.some((a) => a!.nullable) || unparsable || outsideDomain, sources };
}

/**
 * Whether `e` may still be missing on rows where the columns `present` hold a value: typed again
 * against the table with those columns non-nullable, in a context of its own (its diagnostics
 * were already reported by the first typing).
 */
function mayBeMissingWhere(e: Expr, table: TableState, present: Set<string>): boolean {
  if (present.size === 0) return true;
  const columns = table.schema.columns.map((c) => (c.nullable && present.has(c.name) ? { ...c, nullable: false } : c));
  return typeOfExpression(e, { ...table, schema: { ...table.schema, columns } }, new CheckContext())?.nullable ?? true;
}
