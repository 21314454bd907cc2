// What reading a dataset notices reaches the checker as warnings with the count, an example, its
// line and the fix (NML105 cells read as missing, NML106 numbers in an undeclared format, NML107
// renamed headers); thousands/decimal options are checked (NML116).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';

const FILE = join(__dirname, 'case.narml');
const cache = new CsvSchemaCache();
const check = (text: string): string[] => checkPipeline(text, FILE, cache).diagnostics.map((d) => `${d.code} ${d.message}`);
const at = (text: string, code: string): string => {
  const d = checkPipeline(text, FILE, cache).diagnostics.find((x) => x.code === code);
  assert.ok(d, `${code} expected`);
  return text.slice(d.range.start.offset, d.range.end.offset);
};

const SENSOR = (body: string): string => `dataset s from "../fixtures/data/quirky/sensor.csv" {\n  ${body}\n}\ntransform t from s {\n  drop when\n  impute reading with median\n}\nmodel m from t { target: site, algorithm: knn }`;

test('NML105: cells that are not numbers are counted, with an example, its line and the fix', () => {
  const found = check(SENSOR('columns { when: text }'));
  assert.deepEqual(found, [
    'NML105 column "reading" of dataset "s": 2 of 100 values are not numbers (e.g. "err" on line 18 of ../fixtures/data/quirky/sensor.csv) and are read as missing; add them to missing: [...] of dataset "s" if they mean missing, or declare columns { reading: category } to keep them as values',
  ]);
  assert.equal(at(SENSOR('columns { when: text }'), 'NML105'), '"../fixtures/data/quirky/sensor.csv"');
  assert.deepEqual(check(SENSOR('columns { when: text }\n  missing: ["", "err", "#VALUE!"]')), [], 'declared as missing: nothing to say');
});

test('NML105: impossible dates are counted; on a declared column the warning sits on its declaration', () => {
  const text = `dataset s from "../fixtures/data/quirky/sensor.csv" {\n  columns { when: date }\n  missing: ["", "err", "#VALUE!"]\n}\ntransform t from s {\n  derive hour = day(when)\n  drop when\n  impute reading, hour with median\n}\nmodel m from t { target: site, algorithm: knn }`;
  const found = check(text);
  assert.equal(found.length, 1, found.join('\n'));
  assert.match(found[0], /^NML105 column "when" of dataset "s": 2 of 100 values are not real dates \(e\.g\. "2023-02-30T10:00:00\+02:00" on line 42 .*dates are read as YYYY-MM-DD.*fix them in the file/);
  assert.equal(at(text, 'NML105'), 'when');
});

test('NML106: numbers with thousands separators read as text say which option reads them; with it they are numbers', () => {
  const prices = (options: string): string => `dataset p from "../fixtures/data/quirky/prices-us.csv" {${options}}\ntransform t from p {\n  drop id, note\n}\nmodel m from t { target: qty, algorithm: knn }`;
  const found = check(prices(''));
  const hit = found.find((f) => f.startsWith('NML106'));
  assert.equal(hit, 'NML106 column "price" of dataset "p" is read as text, but its values are numbers written with thousands: "," (e.g. "1,554.07" on line 3 of ../fixtures/data/quirky/prices-us.csv); add thousands: "," to dataset "p" to read them as numbers');
  assert.deepEqual(check(prices(' thousands: "," ')), []);
});

test('NML107: a repeated header name is renamed and the warning says to what', () => {
  const found = check('dataset d from "../fixtures/data/quirky/dup-headers.csv"\nmodel m from d { target: b, algorithm: knn }');
  assert.deepEqual(found.filter((f) => f.startsWith('NML107')), [
    'NML107 a column repeats the header name "a" (line 1 of ../fixtures/data/quirky/dup-headers.csv); it is read as "a_3": name it in the file, or refer to it as a_3',
    'NML107 a column has no name in the header (line 1 of ../fixtures/data/quirky/dup-headers.csv); it is read as "c4": name it in the file, or refer to it as c4',
  ]);
});

test('NML116: thousands and decimal take known separators, and not the same one', () => {
  const eu = (options: string): string[] => check(`dataset p from "../fixtures/data/quirky/prices-eu.csv" { delimiter: ";", ${options} }\nmodel m from p { target: menge, algorithm: knn }`);
  const option = (options: string): string => eu(options).find((f) => f.startsWith('NML116')) ?? '';
  assert.deepEqual(eu('decimal: ",", thousands: "."'), []);
  assert.match(option('decimal: ";"'), /^NML116 decimal must be "\." or ","/);
  assert.match(option('thousands: "x"'), /^NML116 thousands must be one of/);
  assert.match(option('thousands: "."'), /^NML116 decimal and thousands are both "\."; numbers such as 1\.234,5 use decimal: "," with thousands: "\."/);
});

test('a file that is not UTF-8 is NML104 naming the line and the encoding option', () => {
  const found = check('dataset p from "../fixtures/data/quirky/latin1.csv"\nmodel m from p { target: city, algorithm: knn }');
  assert.match(found[0], /^NML104 dataset "p": .*latin1\.csv: line 2 is not valid UTF-8 .*add encoding: "latin1"/);
  assert.deepEqual(check('dataset p from "../fixtures/data/quirky/latin1.csv" { encoding: "latin1" }\ntransform t from p { drop name }\nmodel m from t { target: city, algorithm: knn }').filter((f) => f.startsWith('NML104')), []);
});

test('before a run (whole file read) the counts are the file\'s, as in the sample for a small file', async () => {
  const text = SENSOR('columns { when: text }');
  const full = await checkWithFullSchemas(text, FILE);
  assert.deepEqual(full.diagnostics.map((d) => `${d.code} ${d.message}`), check(text));
});

test('NML105 on a prediction source: its cells that are not numbers are counted against the training dataset\'s options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-notes-'));
  const rows = (bad: boolean): string => `x,y\n${Array.from({ length: 60 }, (_, i) => `${bad && i === 7 ? '?' : i * 1.5},${i % 2 ? 'a' : 'b'}`).join('\n')}\n`;
  writeFileSync(join(dir, 'train.csv'), rows(false));
  writeFileSync(join(dir, 'incoming.csv'), rows(true));
  const text = 'dataset d from "train.csv"\nmodel m from d { target: y, algorithm: knn }\npredict scores with m from "incoming.csv" { output: "out/s.csv" }';
  const found = checkPipeline(text, join(dir, 'p.narml'), new CsvSchemaCache()).diagnostics.map((d) => `${d.code} ${d.message}`);
  assert.deepEqual(found, ['NML105 column "x" of the prediction source of "scores": 1 of 60 values are not numbers (e.g. "?" on line 9 of incoming.csv) and are read as missing; add them to missing: [...] of dataset "d" if they mean missing, or declare columns { x: category } to keep them as values']);
});

// orders.csv writes prices as "$1,234.50" and discounts as "45%": no cell is a number. A run of
// these pipelines failed after a clean check ("cannot impute price with median: it has no values").
const ORDERS = (dataset: string, steps: string): string => `dataset orders from "../fixtures/pipelines/data/orders.csv"${dataset}\ntransform t from orders {\n  keep price, discount, spend\n${steps}\n  impute price, discount with median\n}\nmodel m from t { target: spend, algorithm: linear_regression }`;

test('NML126: a cast that no value survives is an error on the cast column, with an example and the fix', () => {
  const text = ORDERS('', '  cast price, discount as number');
  const found = check(text);
  assert.deepEqual(found.map((f) => f.slice(0, 6)), ['NML126', 'NML126'], found.join('\n'));
  assert.match(found[0], /cast price as number: no value of price is a number \(e\.g\. "\$1,247\.54"\), so the column would hold only missing values; write its values as numbers .*without a currency sign or %.*or drop price/);
  assert.match(found[1], /e\.g\. "13%"/);
  assert.equal(at(text, 'NML126'), 'price');
});

test('NML126: a declared type that no value has is an error on its declaration', () => {
  const text = ORDERS(' { columns { price: number, discount: number } }', '');
  const found = check(text);
  assert.equal(found.length, 2, found.join('\n'));
  assert.match(found[0], /^NML126 column "price" of dataset "orders" is declared number, but none of its 300 values are numbers \(e\.g\. "\$1,247\.54" on line 2 of .*orders\.csv\), so it would hold only missing values/);
  assert.equal(at(text, 'NML126'), 'price');
});

test('a cast that some values survive is no NML126', () => {
  assert.deepEqual(check(`dataset orders from "../fixtures/pipelines/data/orders.csv"\ntransform t from orders {\n  keep spend, tier\n  cast spend as text\n  cast spend as number\n  encode tier as onehot\n}\nmodel m from t { target: spend, algorithm: gradient_boosting }`), []);
});

test('the whole-file schema keeps what the sample knew: a cast no value survives is NML126 before a run too (file larger than the sample)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-full-'));
  const rows = Array.from({ length: 6000 }, (_, i) => `$${(i * 3.25).toFixed(2)},${i % 2 ? 'a' : 'b'}`);
  writeFileSync(join(dir, 'prices.csv'), `price,kind\n${rows.join('\n')}\n`);
  const text = 'dataset p from "prices.csv"\ntransform t from p {\n  cast price as number\n  impute price with median\n}\nmodel m from t { target: kind, algorithm: knn }';
  const file = join(dir, 'p.narml');
  const sampled = checkPipeline(text, file, new CsvSchemaCache()).diagnostics.map((d) => d.code);
  const full = (await checkWithFullSchemas(text, file)).diagnostics.map((d) => d.code);
  assert.ok(sampled.includes('NML126'), sampled.join());
  assert.deepEqual(full, sampled);
});

test('NML126: impute with mean, median or mode of a column that every row leaves empty', () => {
  const text = `dataset orders from "../fixtures/pipelines/data/orders.csv"\ntransform t from orders {\n  keep spend, empty\n  impute empty with median\n}\nmodel m from t { target: spend, algorithm: linear_regression }`;
  const found = check(text);
  assert.deepEqual(found, ['NML126 impute empty with median: every cell of empty is missing in the data, so there is no value to learn a median from; drop empty, or impute it with constant(...)']);
  assert.equal(at(text, 'NML126'), 'empty');
  assert.deepEqual(check(text.replace('with median', 'with constant(0)')), [], 'a constant needs no value to learn from');
});
