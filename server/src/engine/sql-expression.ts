// `derive` and `filter` expressions compiled to SQL for the SQL engines, with the in-memory
// evaluator's semantics (transforms/evaluate-expression.ts): missing is NULL; numbers, booleans
// (0/1) and dates (days since 1970-01-01 UTC) are DOUBLE; categories and text are strings; a
// computation with no finite result (x / 0, log of x <= 0, an overflow) is missing; and/or are
// three-valued; % takes the divisor's sign; round halves away from zero.
// What a dialect writes differently (quoting, helper functions) is in `SqlDialect`, so DuckDB and
// ClickHouse share the compiler. What SQL cannot give exactly as the evaluator does is refused
// with a reason (`SqlUnsupported`), which the checker reports before a run (`sqlUnsupported`).
import type { BinaryExpr, CallExpr, Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';
import type { ColumnType } from '../language/schema';
import { parseIsoDate } from '../data/parse-values';

/** Helpers whose SQL differs between engines; each takes SQL operands and returns SQL. */
export interface SqlHelpers {
  /** x when it is a finite number, else NULL. */
  finite(x: string): string;
  /** a / b, NULL when b is 0. */
  div(a: string, b: string): string;
  /** Python's modulo (the divisor's sign), NULL when b is 0. */
  mod(a: string, b: string): string;
  /** Natural logarithm, NULL for x <= 0. */
  ln(x: string): string;
  /** Square root, NULL for x < 0. */
  sqrt(x: string): string;
  exp(x: string): string;
  /** Halves away from zero, to `digits` decimals. */
  round(x: string, digits: string): string;
  /** The smaller/larger of two values; NULL when either is NULL. */
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /** Calendar parts of a date held as days since 1970-01-01 UTC. */
  datePart(part: 'year' | 'month' | 'day' | 'weekday', days: string): string;
  /** An ISO date text as days since 1970-01-01 UTC (as data/parse-values.ts parseIsoDate), else NULL. */
  dateFromText(text: string): string;
  /** 1.0 for true, 0.0 for false, NULL for NULL. */
  boolToNumber(condition: string): string;
  lower(x: string): string;
  upper(x: string): string;
  length(x: string): string;
  contains(haystack: string, needle: string): string;
  /** The first 32 bits of the MD5 of a text, big-endian, as a number (keyed splits). */
  hash32(text: string): string;
}

export interface SqlDialect {
  readonly name: 'duckdb' | 'clickhouse';
  ident(name: string): string;
  string(s: string): string;
  /** A DOUBLE literal (finite). */
  number(v: number): string;
  readonly fn: SqlHelpers;
}

/** Thrown when an expression has no exact SQL equivalent; the message says why. */
export class SqlUnsupported extends Error {}

type SqlType = ColumnType;
interface Compiled {
  sql: string;
  type: SqlType;
  /** A string literal: compares with dates as a date, with texts as text. */
  literal?: string;
}

const textual = (c: Compiled): boolean => c.type === 'text' || c.type === 'category';

/** The expression as SQL over columns of the given types, and the type of its value. */
export function compileExpression(e: Expr, columns: ReadonlyMap<string, SqlType>, d: SqlDialect): { sql: string; type: SqlType } {
  const c = compile(e, columns, d);
  // A category-valued result is text, as fit-steps' `derived` makes it.
  return { sql: c.sql, type: c.type === 'category' ? 'text' : c.type };
}

function compile(e: Expr, columns: ReadonlyMap<string, SqlType>, d: SqlDialect): Compiled {
  switch (e.kind) {
    case 'Number':
    case 'Percent':
      return { sql: d.number(e.value), type: 'number' };
    case 'Boolean':
      return { sql: d.number(e.value ? 1 : 0), type: 'boolean' };
    case 'String':
      return { sql: d.string(e.value), type: 'text', literal: e.value };
    case 'Paren':
      if (!e.inner) throw new SqlUnsupported('empty parentheses');
      return compile(e.inner, columns, d);
    case 'Name': {
      const type = columns.get(e.name.text);
      if (!type) throw new SqlUnsupported(`unknown column "${e.name.text}"`);
      return { sql: d.ident(e.name.text), type };
    }
    case 'Unary': {
      if (!e.operand) throw new SqlUnsupported('missing operand');
      const v = numeric(compile(e.operand, columns, d), d);
      return e.operator === 'not'
        ? { sql: `(CASE WHEN ${v} IS NULL THEN NULL WHEN ${v} <> 0 THEN ${d.number(0)} ELSE ${d.number(1)} END)`, type: 'boolean' }
        : { sql: `(-${v})`, type: 'number' };
    }
    case 'Binary': {
      // Along the left spine, as the evaluator: a long chain must not recurse per operator.
      const spine = leftSpine(e);
      let value = compile(spine[0].left, columns, d);
      for (const node of spine) value = binary(node, value, columns, d);
      return value;
    }
    case 'Call':
      return call(e, columns, d);
    default:
      throw new SqlUnsupported(`${e.kind.toLowerCase()} values are not expressions a SQL engine can compute`);
  }
}

/** A number-valued operand; a string literal next to a date is that date's days. */
function numeric(c: Compiled, d: SqlDialect): string {
  if (c.literal !== undefined) {
    const days = parseIsoDate(c.literal);
    return Number.isNaN(days) ? 'NULL' : d.number(days);
  }
  if (textual(c)) throw new SqlUnsupported(`a ${c.type} value where a number is needed`);
  return c.sql;
}

/** A text-valued operand; numbers are refused (SQL prints them differently from JavaScript's String). */
function text(c: Compiled): string {
  if (!textual(c)) throw new SqlUnsupported(`${c.type} values turned into text (SQL writes numbers differently), cast the column to text first`);
  return c.sql;
}

function binary(e: BinaryExpr, a: Compiled, columns: ReadonlyMap<string, SqlType>, d: SqlDialect): Compiled {
  if (!e.right) throw new SqlUnsupported('missing right operand');
  const b = compile(e.right, columns, d);
  const op = e.operator;
  switch (op) {
    case 'and':
    case 'or': {
      const x = numeric(a, d);
      const y = numeric(b, d);
      const decisive = op === 'and' ? 0 : 1;
      return {
        sql: `(CASE WHEN ${x} = ${d.number(decisive)} OR ${y} = ${d.number(decisive)} THEN ${d.number(decisive)} WHEN ${x} IS NULL OR ${y} IS NULL THEN NULL ELSE ${d.number(1 - decisive)} END)`,
        type: 'boolean',
      };
    }
    case '==': case '!=': case '<': case '<=': case '>': case '>=': {
      const sqlOp = op === '==' ? '=' : op === '!=' ? '<>' : op;
      const dateVsString = (a.type === 'date' && b.literal !== undefined) || (b.type === 'date' && a.literal !== undefined);
      if (!dateVsString && (textual(a) || textual(b))) return { sql: d.fn.boolToNumber(`${text(a)} ${sqlOp} ${text(b)}`), type: 'boolean' };
      return { sql: d.fn.boolToNumber(`${numeric(a, d)} ${sqlOp} ${numeric(b, d)}`), type: 'boolean' };
    }
    case '+':
      return { sql: d.fn.finite(`(${numeric(a, d)} + ${numeric(b, d)})`), type: a.type === 'date' ? 'date' : 'number' };
    case '-':
      return { sql: d.fn.finite(`(${numeric(a, d)} - ${numeric(b, d)})`), type: a.type === 'date' && b.type !== 'date' ? 'date' : 'number' };
    case '*':
      return { sql: d.fn.finite(`(${numeric(a, d)} * ${numeric(b, d)})`), type: 'number' };
    case '/':
      return { sql: d.fn.div(numeric(a, d), numeric(b, d)), type: 'number' };
    case '%':
      return { sql: d.fn.mod(numeric(a, d), numeric(b, d)), type: 'number' };
  }
}

function call(e: CallExpr, columns: ReadonlyMap<string, SqlType>, d: SqlDialect): Compiled {
  const args = e.args.map((a) => {
    if (!a.value) throw new SqlUnsupported('missing argument');
    return compile(a.value, columns, d);
  });
  const num = (i: number): string => numeric(args[i], d);
  const name = e.callee.name;
  switch (name) {
    case 'log': return { sql: d.fn.ln(num(0)), type: 'number' };
    case 'exp': return { sql: d.fn.exp(num(0)), type: 'number' };
    case 'sqrt': return { sql: d.fn.sqrt(num(0)), type: 'number' };
    case 'abs': return { sql: `abs(${num(0)})`, type: 'number' };
    case 'round': return { sql: d.fn.round(num(0), args.length > 1 ? num(1) : d.number(0)), type: 'number' };
    case 'min':
    case 'max': {
      let acc = num(0);
      for (let i = 1; i < args.length; i++) acc = name === 'min' ? d.fn.least(acc, num(i)) : d.fn.greatest(acc, num(i));
      return { sql: acc, type: 'number' };
    }
    case 'year': case 'month': case 'day': case 'weekday':
      return { sql: d.fn.datePart(name, num(0)), type: 'number' };
    case 'days_between': return { sql: `(${num(1)} - ${num(0)})`, type: 'number' };
    case 'date': {
      const one = args[0];
      if (one.literal !== undefined) return { sql: numeric(one, d), type: 'date' };
      return { sql: d.fn.dateFromText(text(one)), type: 'date' };
    }
    case 'lower': return { sql: d.fn.lower(text(args[0])), type: 'text' };
    case 'upper': return { sql: d.fn.upper(text(args[0])), type: 'text' };
    case 'length': return { sql: d.fn.length(text(args[0])), type: 'number' };
    case 'contains': return { sql: d.fn.boolToNumber(d.fn.contains(text(args[0]), text(args[1]))), type: 'boolean' };
    case 'is_missing': return { sql: d.fn.boolToNumber(`${args[0].sql} IS NULL`), type: 'boolean' };
    case 'coalesce': {
      const typed = args.find((a) => a.literal === undefined) ?? args[0];
      const anyText = args.some(textual);
      const parts = args.map((a) => (anyText ? text(a) : numeric(a, d)));
      return { sql: `coalesce(${parts.join(', ')})`, type: typed.type === 'category' ? 'category' : typed.type };
    }
    case 'if': {
      const cond = num(0);
      const choices = args.slice(1);
      const typed = choices.find((a) => a.literal === undefined) ?? choices[0];
      const anyText = choices.some(textual);
      const [yes, no] = choices.map((a) => (anyText ? text(a) : numeric(a, d)));
      return { sql: `(CASE WHEN ${cond} IS NULL THEN NULL WHEN ${cond} <> 0 THEN ${yes} ELSE ${no} END)`, type: anyText ? 'text' : typed.type };
    }
    default:
      throw new SqlUnsupported(`the function ${name}() has no SQL translation`);
  }
}

/** Why `e` cannot run on dialect `d` over these columns, or undefined when it can. */
export function sqlUnsupported(e: Expr, columns: ReadonlyMap<string, SqlType>, d: SqlDialect): string | undefined {
  try {
    compileExpression(e, columns, d);
    return undefined;
  } catch (err) {
    if (err instanceof SqlUnsupported) return err.message;
    throw err;
  }
}
