// A branch of if() that runs only where a column holds a value is not missing because of it:
// the checker's nullability follows, and the run agrees (no row of the derived column is empty).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const FILE = join(__dirname, 'case.narml');
const cache = new CsvSchemaCache();
const PENGUINS = 'dataset penguins from "../fixtures/data/penguins.csv" { missing: ["", "NA", "."] }';

function derived(expr: string): { nullable?: boolean; codes: string[] } {
  const text = `${PENGUINS}\ntransform t from penguins {\n  derive x = ${expr}\n}\nmodel m from t {\n  target: Species\n  features: [x]\n  algorithm: logistic_regression\n}`;
  const checked = checkPipeline(text, FILE, cache);
  const info = checked.infos.find((i) => i?.kind === 'transform') as { schema: { columns: { name: string; nullable: boolean }[] } } | undefined;
  return { nullable: info?.schema.columns.find((c) => c.name === 'x')?.nullable, codes: checked.diagnostics.map((d) => d.code) };
}

test('if(is_missing(c), v, f(c)) is not missing because of c, and the model takes it', () => {
  assert.deepEqual(derived('if(is_missing(`Beak Length (mm)`), 0, `Beak Length (mm)` * 2)'), { nullable: false, codes: [] });
  assert.deepEqual(derived('if(not is_missing(`Beak Length (mm)`), `Beak Length (mm)` > 40, false)'), { nullable: false, codes: [] });
  assert.deepEqual(derived('if(is_missing(`Beak Length (mm)`) or is_missing(`Beak Depth (mm)`), 0, `Beak Length (mm)` / `Beak Depth (mm)`)'), { nullable: false, codes: [] });
});

test('near misses stay nullable: the branch that runs where c is missing, another column, a condition that proves nothing', () => {
  assert.equal(derived('if(is_missing(`Beak Length (mm)`), `Beak Length (mm)`, 0)').nullable, true);
  assert.equal(derived('if(is_missing(`Beak Length (mm)`), 0, `Beak Depth (mm)`)').nullable, true);
  assert.equal(derived('if(is_missing(`Beak Length (mm)`) and `Beak Depth (mm)` > 3, 0, `Beak Length (mm)`)').nullable, true, 'false "and" does not say which side failed');
  assert.ok(derived('if(is_missing(`Beak Length (mm)`), 0, `Beak Depth (mm)`)').codes.includes('NML114'));
});

test('the run agrees: a derive the checker calls present has a value on every row', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-present-'));
  copyFileSync(join(__dirname, '..', 'fixtures', 'data', 'penguins.csv'), join(dir, 'penguins.csv'));
  const file = join(dir, 'p.narml');
  const text = `dataset penguins from "penguins.csv" { missing: ["", "NA", "."] }
transform t from penguins {
  derive ratio = if(is_missing(\`Beak Length (mm)\`) or is_missing(\`Beak Depth (mm)\`), 0, \`Beak Length (mm)\` / \`Beak Depth (mm)\`)
}
split p from t { train: 70%, test: 30%, stratify: Species, seed: 3 }
model m from p.train { target: Species, features: [ratio], algorithm: logistic_regression }
evaluate m on p.test { metrics: [accuracy] }`;
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), []);
  const r = await runPipeline(checked);
  assert.equal(r.status, 'succeeded', r.error);
  assert.equal(r.evaluations.m_on_p_test.rows, 104, 'every test row scored: none has a missing ratio');
});
