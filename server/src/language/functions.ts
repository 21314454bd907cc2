// The expression functions of spec §3 with their argument and result types. The checker types
// calls with it; the runner's evaluator implements exactly these names.
import type { ColumnType } from './schema';

/** `any` matches every type; `same` must equal the other `same` arguments (and is the result). */
export type ArgType = ColumnType | 'any' | 'same' | 'text-like';

export interface FunctionSignature {
  name: string;
  args: readonly ArgType[];
  /** Trailing arguments that may be left out. */
  optional: number;
  /** The last argument may repeat (coalesce, min, max). */
  variadic?: boolean;
  result: ColumnType | 'same';
  doc: string;
}

const sig = (name: string, args: ArgType[], result: ColumnType | 'same', doc: string, optional = 0, variadic = false): FunctionSignature =>
  ({ name, args, optional, result, doc, ...(variadic ? { variadic } : {}) });

export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  log: sig('log', ['number'], 'number', 'natural logarithm'),
  exp: sig('exp', ['number'], 'number', 'e to the power x'),
  sqrt: sig('sqrt', ['number'], 'number', 'square root'),
  abs: sig('abs', ['number'], 'number', 'absolute value'),
  round: sig('round', ['number', 'number'], 'number', 'round(x) or round(x, digits), halves away from zero', 1),
  min: sig('min', ['number', 'number'], 'number', 'the smaller of the values', 0, true),
  max: sig('max', ['number', 'number'], 'number', 'the larger of the values', 0, true),
  year: sig('year', ['date'], 'number', 'calendar year of a date'),
  month: sig('month', ['date'], 'number', 'month of a date, 1-12'),
  day: sig('day', ['date'], 'number', 'day of the month, 1-31'),
  weekday: sig('weekday', ['date'], 'number', 'day of the week, Monday = 0 ... Sunday = 6'),
  days_between: sig('days_between', ['date', 'date'], 'number', 'days from the first date to the second'),
  date: sig('date', ['text-like'], 'date', 'a date from an ISO string, e.g. date("2024-01-31")'),
  lower: sig('lower', ['text-like'], 'text', 'lower-case text'),
  upper: sig('upper', ['text-like'], 'text', 'upper-case text'),
  length: sig('length', ['text-like'], 'number', 'number of characters'),
  contains: sig('contains', ['text-like', 'text-like'], 'boolean', 'true when the text contains the second argument'),
  is_missing: sig('is_missing', ['any'], 'boolean', 'true when the value is missing'),
  coalesce: sig('coalesce', ['same', 'same'], 'same', 'the first argument that is not missing', 0, true),
  if: sig('if', ['boolean', 'same', 'same'], 'same', 'if(condition, value when true, value otherwise)'),
};
