// NML154: what engine duckdb cannot run is an error of the check when the run will use it
// (`--engine duckdb`), at the step or expression, and never with the memory engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { marked } from '../helpers/marked';
import { FILE, IRIS } from '../helpers/fixture-pipelines';

const cache = new CsvSchemaCache();
const model = 'model m from t { target: species, algorithm: knn }';

test('engine duckdb: a cast step is NML154 at the step, naming the engine and the alternative', () => {
  const { text, start, end } = marked(`${IRIS}\ntransform t from iris {\n  «cast petal_width_cm as text»\n  drop petal_width_cm\n}\n${model}`);
  const found = checkPipeline(text, FILE, cache, { engine: 'duckdb' }).diagnostics.filter((d) => d.code === 'NML154');
  assert.equal(found.length, 1, found.map((d) => d.message).join(' | '));
  assert.equal(found[0].range.start.offset, start);
  assert.equal(found[0].range.end.offset, end);
  assert.match(found[0].message, /engine duckdb cannot run .*cast.*--engine memory/);
  assert.deepEqual(checkPipeline(text, FILE, cache).diagnostics.map((d) => d.code), []);
});

test('engine duckdb: an expression that turns a number into text is NML154 at the expression; a supported one is clean', () => {
  const { text, start, end } = marked(`${IRIS}\ntransform t from iris {\n  derive name = «lower(sepal_length_cm)»\n  drop name\n}\n${model}`);
  const found = checkPipeline(text, FILE, cache, { engine: 'duckdb' }).diagnostics.filter((d) => d.code === 'NML154');
  assert.equal(found.length, 1, found.map((d) => d.message).join(' | '));
  assert.equal(found[0].range.start.offset, start);
  assert.equal(found[0].range.end.offset, end);
  assert.match(found[0].message, /number values turned into text/);
  const fine = `${IRIS}\ntransform t from iris {\n  derive ratio = round(sepal_length_cm / sepal_width_cm, 2) % 3\n  filter contains(upper(species), "SET") or petal_width_cm > 1\n}\n${model}`;
  assert.deepEqual(checkPipeline(fine, FILE, cache, { engine: 'duckdb' }).diagnostics.map((d) => `${d.code} ${d.message}`), []);
});

test('the engine: duckdb statement chooses the engine the check judges for; --engine memory overrides it', () => {
  const text = `engine: duckdb\n${IRIS}\ntransform t from iris {\n  cast petal_width_cm as text\n  drop petal_width_cm\n}\n${model}`;
  assert.deepEqual(checkPipeline(text, FILE, cache).diagnostics.map((d) => d.code), ['NML154']);
  assert.deepEqual(checkPipeline(text, FILE, cache, { engine: 'memory' }).diagnostics.map((d) => d.code), []);
});

test('engine duckdb: a dataset with a decimal separator is NML154 at its name', () => {
  const text = 'dataset «iris» from "../fixtures/data/iris.csv" { decimal: "," }\nmodel m from iris { target: species, algorithm: knn }';
  const { text: t, start } = marked(text);
  const found = checkPipeline(t, FILE, cache, { engine: 'duckdb' }).diagnostics.filter((d) => d.code === 'NML154');
  assert.equal(found.length, 1);
  assert.equal(found[0].range.start.offset, start);
  assert.match(found[0].message, /decimal\/thousands/);
});

test('defaultEngine (--default-engine, the editor\'s narml.engine) is the engine of a file without a statement only', () => {
  const body = `${IRIS}\ntransform t from iris {\n  cast petal_width_cm as text\n  drop petal_width_cm\n}\n${model}`;
  assert.deepEqual(checkPipeline(body, FILE, cache, { defaultEngine: 'duckdb' }).diagnostics.map((d) => d.code), ['NML154']);
  assert.equal(checkPipeline(body, FILE, cache, { defaultEngine: 'duckdb' }).engine.kind, 'duckdb');
  assert.deepEqual(checkPipeline(`engine: memory\n${body}`, FILE, cache, { defaultEngine: 'duckdb' }).diagnostics.map((d) => d.code), []);
  assert.deepEqual(checkPipeline(`engine: duckdb\n${body}`, FILE, cache, { defaultEngine: 'memory' }).diagnostics.map((d) => d.code), ['NML154']);
});
