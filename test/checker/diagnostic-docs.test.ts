// docs/language.md is the user's reference for diagnostics: its table must list every code of
// diagnostic-codes.ts, in code order, with its severity, when it fires and how to fix it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../server/src/checker/diagnostic-codes';

const docs = readFileSync(join(__dirname, '../../docs/language.md'), 'utf8');

/** The rows of the Diagnostics table as cells; `\|` inside a cell is text, not a border. */
function diagnosticRows(): string[][] {
  const section = docs.slice(docs.indexOf('\n## Diagnostics\n'));
  const table = section.slice(section.indexOf('| code |')).split('\n\n')[0];
  return table.split('\n').slice(2).map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

test('docs/language.md documents every diagnostic code in code order, with severity, when and fix', () => {
  const rows = diagnosticRows();
  assert.deepEqual(rows.map((r) => r[0]), Object.keys(CODES));
  for (const [code, severity, when, fix] of rows) {
    assert.equal(severity, CODES[code as keyof typeof CODES].severity, `${code}'s severity`);
    assert.ok(when && when.length > 10, `${code} says when it fires`);
    assert.ok(fix && fix.length > 5, `${code} says how to fix it`);
  }
});
