// A prediction request's rows, checked against the model's raw input schema and turned into a
// columnar table (one typed array per column, as the CSV reader builds it), so scoring a request
// is the same code as scoring a file. Every refusal names the row, the column and the type
// expected; a request never reaches the model half-checked.
import { compareLevels } from '../data/column-builder';
import { parseBoolean, parseIsoDate } from '../data/parse-values';
import type { Column, Table } from '../data/table';
import { closestName } from '../language/suggest';
import type { InputColumn } from './served-model';

/** What is wrong with a request: the HTTP answer is 400 with these fields. */
export interface RequestProblem {
  error: string;
  column?: string;
  expected?: string;
  row?: number;
}

export class RequestError extends Error {
  constructor(readonly problem: RequestProblem) {
    super(problem.error);
  }
}

/** `{"rows": [...]}`, an array of rows, or one row. */
export function requestRows(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (body !== null && typeof body === 'object' && 'rows' in body) {
    const rows = (body as { rows: unknown }).rows;
    if (!Array.isArray(rows)) throw new RequestError({ error: '"rows" must be an array of objects, one per row: {"rows": [{"column": value, ...}]}' });
    return rows;
  }
  if (body !== null && typeof body === 'object') return [body];
  throw new RequestError({ error: 'the body must be a JSON object (one row), an array of rows, or {"rows": [...]}' });
}

function expectedText(c: InputColumn): string {
  return `${c.type}${c.nullable ? '?' : ''}`;
}

const WHAT_EACH_TYPE_TAKES: Record<InputColumn['type'], string> = {
  number: 'a JSON number',
  boolean: 'true or false (or "yes"/"no", "1"/"0")',
  category: 'a string',
  text: 'a string',
  date: 'an ISO date string such as "2024-01-31" or "2024-01-31T08:30:00Z"',
};

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v)}`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}

/**
 * The rows as a table of the model's input columns, in schema order. A column absent from a row
 * is missing there; a column the model does not know is refused (a misspelt name would otherwise
 * turn silently into a missing value), as is a value of another type or null in a column that is
 * never missing in training.
 */
export function tableFromRows(rows: unknown[], input: InputColumn[]): Table {
  if (rows.length === 0) throw new RequestError({ error: 'no rows to score: send at least one row, e.g. {"rows": [{...}]}' });
  const index = new Map(input.map((c, i) => [c.name, i]));
  const n = rows.length;
  const numeric = input.map((c) => (c.type === 'number' || c.type === 'boolean' || c.type === 'date' ? new Float64Array(n).fill(NaN) : undefined));
  const texts = input.map((c) => (c.type === 'category' || c.type === 'text' ? new Array<string | undefined>(n) : undefined));
  rows.forEach((row, r) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new RequestError({ error: `row ${r} is ${describe(row)}; each row is an object of column: value`, row: r });
    }
    for (const key of Object.keys(row)) {
      if (index.has(key)) continue;
      const near = closestName(key, input.map((c) => c.name));
      throw new RequestError({
        error: `row ${r} has the column "${key}", which the model does not take${near ? ` (did you mean "${near}"?)` : ''}; send only its input columns: ${input.map((c) => c.name).join(', ')}`,
        column: key, expected: `one of ${input.map((c) => c.name).join(', ')}`, row: r,
      });
    }
    input.forEach((c, j) => {
      const v = (row as Record<string, unknown>)[c.name];
      const bad = (): RequestError => new RequestError({
        error: `row ${r}, column "${c.name}": expected ${expectedText(c)} (${WHAT_EACH_TYPE_TAKES[c.type]}${c.nullable ? ', or null' : ''}), got ${describe(v)}`,
        column: c.name, expected: expectedText(c), row: r,
      });
      if (v === undefined || v === null) {
        if (!c.nullable) {
          throw new RequestError({
            error: `row ${r}, column "${c.name}": ${v === undefined ? 'missing' : 'null'}, but the model was trained on a "${c.name}" that is never missing; send ${WHAT_EACH_TYPE_TAKES[c.type]}`,
            column: c.name, expected: expectedText(c), row: r,
          });
        }
        return;
      }
      const values = numeric[j];
      if (values) {
        let x: number;
        if (c.type === 'number') x = typeof v === 'number' ? v : NaN;
        else if (c.type === 'boolean') x = typeof v === 'boolean' ? Number(v) : typeof v === 'string' ? parseBoolean(v) : NaN;
        else x = typeof v === 'string' ? parseIsoDate(v) : NaN;
        if (Number.isNaN(x)) throw bad();
        values[r] = x;
      } else {
        if (typeof v !== 'string') throw bad();
        texts[j]![r] = v;
      }
    });
  });
  const columns: Column[] = input.map((c, j) => numeric[j] ? { type: c.type as 'number' | 'boolean' | 'date', values: numeric[j]! } : dictionaryColumn(c.type as 'category' | 'text', texts[j]!));
  return { names: input.map((c) => c.name), columns, rowCount: n };
}

/** Dictionary-encodes strings; a category's levels are in the CSV reader's order. */
export function dictionaryColumn(type: 'category' | 'text', cells: (string | undefined)[]): Column {
  const distinct = [...new Set(cells.filter((s): s is string => s !== undefined))];
  const levels = type === 'category' ? distinct.sort(compareLevels) : distinct;
  const code = new Map(levels.map((l, i) => [l, i]));
  return { type, levels, codes: Int32Array.from(cells, (s) => (s === undefined ? -1 : code.get(s)!)) };
}
