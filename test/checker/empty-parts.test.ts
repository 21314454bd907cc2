// A split part or a dataset that would hold no row is a check error (NML127): such pipelines
// checked clean and failed at run time ("parts.train has no rows after its transforms").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';

const dir = mkdtempSync(join(tmpdir(), 'narml-empty-parts-'));
const rows = (n: number): string => 'a,b,y\n' + Array.from({ length: n }, (_, i) => `${i},${(i * 7) % 5},${i % 2 ? 'yes' : 'no'}\n`).join('');
writeFileSync(join(dir, 'none.csv'), rows(0));
writeFileSync(join(dir, 'one.csv'), rows(1));
writeFileSync(join(dir, 'four.csv'), rows(4));
writeFileSync(join(dir, 'forty.csv'), rows(40));

function diagnostics(csv: string, between: string, parts: string): { code: string; message: string; token: string }[] {
  const text = `dataset d from "${csv}"\n${between}split parts from ${between ? 't' : 'd'} { ${parts}, seed: 1 }\nmodel m from parts.train { target: y, algorithm: decision_tree }\nevaluate m on parts.test { metrics: [accuracy] }`;
  return checkPipeline(text, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics
    .map((d) => ({ code: d.code, message: d.message, token: text.slice(d.range.start.offset, d.range.end.offset) }));
}

test('NML127: a split of one row leaves the train part empty', () => {
  const found = diagnostics('one.csv', '', 'train: 50%, test: 50%');
  // Its one row is also of one class (NML123).
  assert.deepEqual(found.map((d) => [d.code, d.token]), [['NML127', '50%'], ['NML123', 'y']]);
  assert.match(found[0].message, /^train: 50% of the 1 row of "d" is no row, so the train part would be empty; add rows to the data, or give train a larger share$/);
});

test('NML127: the sizes are the runner\'s (largest remainder with a validation part)', () => {
  // 4 rows × 80/10/10 = 3.2, 0.4, 0.4: the one row left over goes to the earlier part, test
  // (parts are taken in the order train, test, validation), none to validation.
  const found = diagnostics('four.csv', '', 'train: 80%, validation: 10%, test: 10%');
  assert.deepEqual(found.map((d) => d.code), ['NML127']);
  assert.match(found[0].message, /^validation: 10% of the 4 rows of "d" is no row/);
});

test('NML127: a header without rows is reported once, on the dataset', () => {
  const found = diagnostics('none.csv', '', 'train: 50%, test: 50%').filter((d) => d.code === 'NML127');
  assert.deepEqual(found.map((d) => d.token), ['"none.csv"']);
  assert.match(found[0].message, /the file has a header but no rows/);
});

test('an empty table is NML127 alone: no "lower k to at most 0" or "lower cv to at most 0" beside it', () => {
  const text = 'dataset d from "none.csv"\nmodel m from d { target: y, algorithm: knn(k: 3), tune: grid { k: [1, 3] }, cv: 3 }';
  const found = checkPipeline(text, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML127']);
});

test('no NML127 where every part gets rows, or when a filter makes the count unknown', () => {
  assert.deepEqual(diagnostics('forty.csv', '', 'train: 90%, test: 10%'), []);
  assert.deepEqual(diagnostics('four.csv', 'transform t from d { filter not is_missing(a) }\n', 'train: 80%, validation: 10%, test: 10%'), []);
});

// A boolean target's levels are always false and true, so a file that holds one of them checked
// clean and the run failed ("the target has only the class true").
test('NML123: a boolean target that the whole file holds one value of', () => {
  writeFileSync(join(dir, 'all-yes.csv'), 'a,b,y\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 4},yes\n`).join('') + '31,2,\n');
  const text = 'dataset d from "all-yes.csv"\nmodel m from d { target: y, algorithm: decision_tree }';
  const found = checkPipeline(text, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics;
  assert.deepEqual(found.map((d) => [d.code, text.slice(d.range.start.offset, d.range.end.offset)]), [['NML123', 'y']]);
  assert.match(found[0].message, /the data holds only "true"/);
  const withNo = 'dataset d from "forty.csv"\nmodel m from d { target: y, algorithm: decision_tree }';
  assert.deepEqual(checkPipeline(withNo, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics, [], 'yes and no: two classes');
});

// The parts of a split of an exactly counted table have the runner's sizes, so options that need
// more training rows than a part holds are refused before a run (scikit-learn raises on both):
// cv: 200 failed at run time, knn(k: 500) silently took every row as a neighbour.
test('NML116: cv folds or knn neighbours beyond the rows of the training part', () => {
  const text = `dataset d from "forty.csv"\nsplit parts from d { train: 75%, test: 25%, seed: 1 }\nmodel near from parts.train { target: y, algorithm: knn(k: 31) }\nmodel tuned from parts.train { target: y, algorithm: decision_tree, tune: grid { max_depth: [2, 3] }, cv: 31 }`;
  const found = checkPipeline(text, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics
    .map((d) => [d.code, text.slice(d.range.start.offset, d.range.end.offset), d.message]);
  assert.deepEqual(found.map((f) => f.slice(0, 2)), [['NML116', '31'], ['NML116', '31']]);
  assert.match(found[0][2], /knn\(k: 31\) looks for 31 neighbours, but "parts.train" holds 30 rows; lower k to at most 30/);
  assert.match(found[1][2], /cv: 31 folds need at least 31 training rows, but "parts.train" holds 30; lower cv to at most 30/);
  const fits = text.replace('k: 31', 'k: 30').replace('cv: 31', 'cv: 30');
  assert.deepEqual(checkPipeline(fits, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics, []);
});
