// The checker on inputs far larger than anyone types: a flat expression of 100,000 terms, a
// lineage chain and a cycle of 20,000 declarations, a CSV of 10,000 columns. Each is checked
// completely (the diagnostics prove the far end was reached), on a normal stack, in memory and
// output linear in the input. The wide CSV's re-check time is measured in bench/wide-csv.bench.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { flatSum, lineageChain, lineageCycle, splitChain, writeWideCsv } from '../helpers/large-pipelines';

const FILE = join(__dirname, 'case.narml');
const cache = new CsvSchemaCache();

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap growth while `f` runs and its result is alive, in MB. */
function heapGrowthMb<T>(f: () => T): { result: T; mb: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  const result = f();
  gc();
  return { result, mb: (process.memoryUsage().heapUsed - before) / 1e6 };
}

test('a flat sum of 100,000 terms is typed to its end', () => {
  const text = flatSum(100_000, 'nope');
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML101'], found.map((d) => d.message).join(' | '));
  assert.equal(text.slice(found[0].range.start.offset, found[0].range.end.offset), 'nope', 'the last term is reported');
  assert.deepEqual(checkPipeline(flatSum(100_000), FILE, cache).diagnostics, []);
});

test('a flat "and" of 100,000 conditions is typed to its end', () => {
  const terms = Array.from({ length: 100_000 }, (_, i) => (i === 99_999 ? 'sepal_length_cm + 1' : 'sepal_length_cm > 1'));
  const text = `dataset iris from "../fixtures/data/iris.csv"\ntransform t from iris {\n  filter ${terms.join(' and ')}\n}\nmodel m from t { target: species, algorithm: knn }\n`;
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML112']);
  assert.match(found[0].message, /"and" needs booleans on both sides but this is number/);
  assert.equal(found[0].range.start.offset, text.lastIndexOf('sepal_length_cm + 1'));
});

test('a 20,000-declaration lineage chain checks clean in bounded memory', () => {
  const { result, mb } = heapGrowthMb(() => checkPipeline(lineageChain(20_000), FILE, cache));
  assert.deepEqual(result.diagnostics.map((d) => d.message), []);
  assert.equal(result.order.length, 20_002);
  // The last transform still sees the first one's dropped column gone.
  assert.ok(!result.tables.get('t19999')?.columns.some((c) => c.name === 'sepal_width_cm'));
  // Every table used to keep the set of all its ancestors: 200 million entries and an out-of-memory crash.
  assert.ok(mb < 400, `heap grew by ${mb.toFixed(0)} MB`);
});

test('a 20,000-deep chain of splits: one NML118 on the first split of a split part, the rest silent', () => {
  const text = splitChain(20_000);
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML118']);
  assert.equal(found[0].range.start.offset, text.indexOf('s0.train'));
  assert.match(found[0].message, /split "s1" reads "s0.train", which comes from a part of split "s0": splitting a split part is not supported yet; split once/);
});

test('a 20,000-declaration cycle is reported once, with the rest of the cycle as related places', () => {
  const text = lineageCycle(20_000);
  const { result, mb } = heapGrowthMb(() => checkPipeline(text, FILE, cache));
  const cycles = result.diagnostics.filter((d) => d.code === 'NML103');
  assert.equal(cycles.length, 1);
  const [d] = cycles;
  // On the cycle's first reference in the file, naming both ends and the size.
  assert.equal(text.slice(d.range.start.offset, d.range.end.offset), 't1');
  assert.match(d.message, /^cycle in the pipeline: t0 → t1 → .* → t19999 → t0 \(20000 declarations\); "t0" cannot read from "t1"/);
  assert.ok(d.message.length < 400, 'the message does not list 20,000 names');
  assert.equal(d.related?.length, 19_999);
  assert.deepEqual(d.related?.[0], { range: d.related?.[0].range, message: '"t1" reads "t2" here, closing the same cycle' });
  // What depends on the cycle stays silent: one mistake, one diagnostic.
  assert.deepEqual(result.diagnostics.map((x) => x.code), ['NML103']);
  assert.ok(mb < 400, `heap grew by ${mb.toFixed(0)} MB`);
});

test('a two-declaration cycle: one report, on the first reference, pointing at the other', () => {
  const text = 'dataset iris from "../fixtures/data/iris.csv"\ntransform a from b { drop sepal_width_cm }\ntransform b from a { drop petal_width_cm }\nmodel m from b { target: species, algorithm: knn }\nmodel n from iris { target: species, algorithm: knn }\n';
  const found = checkPipeline(text, FILE, cache).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML103']);
  assert.equal(found[0].range.start.offset, text.indexOf('from b') + 5);
  assert.match(found[0].message, /a → b → a/);
  assert.deepEqual(found[0].related?.map((r) => [r.range.start.offset, r.message]), [[text.indexOf('from a') + 5, '"b" reads "a" here, closing the same cycle']]);
});

test('a 10,000-column CSV: columns across its width resolve, and a re-check from the cache gives the same result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-wide-'));
  try {
    const { pipeline } = writeWideCsv(dir, 10_000, 40);
    const file = join(dir, 'wide.narml');
    const wideCache = new CsvSchemaCache();
    const first = checkPipeline(pipeline, file, wideCache);
    assert.deepEqual(first.diagnostics.map((d) => d.message), []);
    const model = first.infos.find((i) => i?.kind === 'model');
    assert.ok(model?.kind === 'model');
    // Every column but the label and the two dropped ones, plus the derived gap.
    assert.equal(model.features.length, 10_000 - 3 + 1);
    assert.ok(!model.features.some((f) => f.name === 'c9999') && model.features.some((f) => f.name === 'c9998'));
    const typo = pipeline.replace('derive gap = c3 -', 'derive gap = c3x -');
    const again = checkPipeline(typo, file, wideCache);
    assert.deepEqual(again.diagnostics.map((d) => d.code), ['NML101']);
    assert.match(again.diagnostics[0].message, /unknown column "c3x" at this step; did you mean column "c3[0-9]?"\?/);
    assert.deepEqual(checkPipeline(pipeline, file, wideCache).diagnostics, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
