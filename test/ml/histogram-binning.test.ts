// Binning, the input of every tree model: quantile cuts between neighbouring distinct values
// (also when the quantile falls on the largest value), one bin per value for few distinct
// values, and each row's bin the number of thresholds below its float32 value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { binFeatures, MISSING_BIN, sortNumbers } from '../../server/src/ml/histogram-binning';

function assertBinsCountThresholdsBelow(col: Float64Array, bins: Uint8Array, thresholds: Float64Array): void {
  for (let i = 0; i < col.length; i++) {
    if (Number.isNaN(col[i])) { assert.equal(bins[i], MISSING_BIN); continue; }
    const v = Math.fround(col[i]);
    assert.equal(bins[i], thresholds.filter((t) => t < v).length, `row ${i} value ${col[i]}`);
  }
}

test('every column of the diabetes data: each bin is the number of thresholds below the value, thresholds float32 and increasing', () => {
  const t = readCsvText(readFileSync(join(__dirname, '..', 'fixtures', 'data', 'diabetes.csv'), 'utf8'), DEFAULT_CSV_OPTIONS, 'diabetes');
  const cols = t.columns.flatMap((c) => ('values' in c ? [c.values] : []));
  const binned = binFeatures(cols, t.rowCount);
  cols.forEach((col, f) => {
    const th = binned.thresholds[f];
    for (let b = 1; b < th.length; b++) assert.ok(th[b - 1] < th[b]);
    for (const v of th) assert.equal(Math.fround(v), v);
    assertBinsCountThresholdsBelow(col, binned.bins[f], th);
  });
});

test('few distinct values get one bin each, cut midway; missing values get the missing bin', () => {
  const col = Float64Array.from([3, 1, NaN, 2, 1, 3, 10]);
  const b = binFeatures([col], col.length);
  assert.deepEqual(Array.from(b.thresholds[0]), [1.5, 2.5, 6.5]);
  assert.deepEqual(Array.from(b.bins[0]), [2, 0, MISSING_BIN, 1, 0, 2, 3]);
  assert.equal(b.nBins[0], 4);
  assert.equal(b.hasMissing[0], true);
});

test('quantile cuts: between a quantile value and the next distinct value above it; below the largest value when a quantile falls on it', () => {
  // 600 distinct values, then the largest value repeated so that the top quantiles fall on it.
  const values = [...Array.from({ length: 600 }, (_, i) => i), ...new Array<number>(400).fill(1000)];
  const col = Float64Array.from(values);
  const b = binFeatures([col], col.length);
  const th = Array.from(b.thresholds[0]);
  assert.ok(th.length <= 254 && th.length > 100);
  // The top quantiles are all 1000: their cut lies between 599 and 1000, once.
  assert.equal(th[th.length - 1], 799.5);
  assert.equal(th.filter((t) => t > 599).length, 1);
  // The others are midway between neighbouring integers.
  for (const t of th.slice(0, -1)) assert.equal(t - Math.floor(t), 0.5);
  assertBinsCountThresholdsBelow(col, b.bins[0], b.thresholds[0]);
  assert.equal(b.bins[0][999], th.length);
});

test('the radix sort orders numbers exactly as the built-in sort: signs, -0 and 0, infinities, subnormals, ties, short and long arrays', () => {
  let state = 12345;
  const next = (): number => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648; };
  const special = [0, -0, Infinity, -Infinity, 5e-324, -5e-324, 1e-310, -1e-310, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1];
  const arrays = [
    Float64Array.from({ length: 50_000 }, () => Number(((next() - 0.5) * 8).toFixed(6))),
    Float64Array.from({ length: 50_000 }, () => Math.floor(next() * 7) - 3),
    Float64Array.from({ length: 30_000 }, (_, i) => (i % 3 === 0 ? special[Math.floor(next() * special.length)] : (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20))),
    Float64Array.from({ length: 10_000 }, () => 42),
    Float64Array.from({ length: 100 }, () => next() - 0.5),
  ];
  for (const values of arrays) {
    const expected = values.slice().sort();
    const sorted = sortNumbers(values);
    assert.equal(sorted, values, 'in place');
    for (let i = 0; i < values.length; i++) assert.ok(Object.is(sorted[i], expected[i]), `position ${i} of ${values.length}: ${sorted[i]} vs ${expected[i]}`);
  }
});
