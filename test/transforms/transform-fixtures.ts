// Small helpers shared by the transform tests: tables from CSV text, steps and expressions
// from real `.narml` source (so the tests go through the parser the runner sees).
import assert from 'node:assert/strict';
import type { Expr, Step } from '../../server/src/language/ast';
import { parse } from '../../server/src/language/parser';
import type { ColumnType } from '../../server/src/language/schema';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { readCsvText } from '../../server/src/data/read-csv';
import type { Column, Table } from '../../server/src/data/table';
import { cellText } from '../../server/src/transforms/table-ops';

export function csvTable(text: string, types: Record<string, ColumnType> = {}): Table {
  const columnTypes = Object.fromEntries(Object.entries(types).map(([k, type]) => [k, { type }]));
  return readCsvText(text.trim() + '\n', { ...DEFAULT_CSV_OPTIONS, columnTypes });
}

export function parseSteps(body: string): Step[] {
  const doc = parse(`transform t from d {\n${body}\n}\n`);
  assert.deepEqual(doc.syntaxErrors, [], `steps should parse: ${body}`);
  const decl = doc.declarations[0];
  assert.equal(decl.kind, 'transform');
  return (decl as Extract<typeof decl, { kind: 'transform' }>).steps;
}

export function parseExpr(text: string): Expr {
  const step = parseSteps(`derive x = ${text}`)[0];
  assert.equal(step.kind, 'derive');
  return (step as Extract<Step, { kind: 'derive' }>).expr!;
}

export function col(t: Table, name: string): Column {
  const i = t.names.indexOf(name);
  assert.ok(i >= 0, `no column ${name} in ${t.names.join(',')}`);
  return t.columns[i];
}

/** Numbers of a column, missing as null (so deepEqual can compare). */
export function nums(c: Column): (number | null)[] {
  assert.ok('values' in c, `expected a numeric column, got ${c.type}`);
  return Array.from(c.values, (v) => (Number.isNaN(v) ? null : v));
}

/** Cell texts of a column, missing as null. */
export function texts(c: Column): (string | null)[] {
  const n = 'codes' in c ? c.codes.length : c.values.length;
  return Array.from({ length: n }, (_, i) => cellText(c, i) ?? null);
}

export function close(actual: (number | null)[], expected: (number | null)[], eps = 1e-9): void {
  assert.equal(actual.length, expected.length, `length: ${actual} vs ${expected}`);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (e === null || a === null) assert.equal(a, e, `row ${i}: ${actual} vs ${expected}`);
    else assert.ok(Math.abs(a - e) <= eps, `row ${i}: ${a} vs ${e} (all: ${actual})`);
  });
}
