// The WebAssembly kernels: the committed bytes are what the .wat compiles to (scripts/build-wasm.mjs),
// and the histogram kernel's sums, counts and subtraction equal plain sums over the same rows of
// real data (breast cancer: 30 features, so the four-feature steps and the rest both run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { binFeatures } from '../../server/src/ml/histogram-binning';
import { BIN_BYTES, FEATURE_BINS, histogramKernel } from '../../server/src/ml/wasm/histogram-kernel';

const root = join(__dirname, '..', '..');

test('every generated kernel module holds the bytes its .wat compiles to', async () => {
  const { wasmModuleSource } = await import(join(root, 'scripts', 'build-wasm.mjs')) as { wasmModuleSource: (path: string) => Promise<string> };
  const wat = join(root, 'server', 'src', 'ml', 'wasm', 'histograms.wat');
  assert.equal(readFileSync(wat.replace(/\.wat$/, '-wasm.ts'), 'utf8'), await wasmModuleSource(wat), 'run node scripts/build-wasm.mjs');
});

test('histogram kernel: sums of gradients and hessians and row counts per feature and bin equal plain sums over the rows named', () => {
  const t = readCsvText(readFileSync(join(root, 'test', 'fixtures', 'data', 'breast_cancer.csv'), 'utf8'), DEFAULT_CSV_OPTIONS, 'breast_cancer');
  const cols = t.columns.flatMap((c) => ('values' in c ? [c.values] : []));
  const n = t.rowCount;
  const p = cols.length;
  assert.ok(p % 4 !== 0 && p > 4);
  const binned = binFeatures(cols, n);
  const histBytes = p * FEATURE_BINS * BIN_BYTES;
  const GH = 0, INDEX = 16 * n, BINS = INDEX + 4 * n, HIST = Math.ceil((BINS + n * p) / 64) * 64;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((HIST + 2 * histBytes) / 65536) });
  const kernel = histogramKernel(memory);
  const f64 = new Float64Array(memory.buffer);
  const rowBins = new Uint8Array(memory.buffer, BINS, n * p);
  for (let i = 0; i < n; i++) for (let f = 0; f < p; f++) rowBins[i * p + f] = binned.bins[f][i];
  // Gradients of a logistic loss at a margin varying with the row, so no two rows are alike.
  for (let i = 0; i < n; i++) { const q = 1 / (1 + Math.exp(-Math.sin(i))); f64[2 * i] = q - (i % 3 === 0 ? 1 : 0); f64[2 * i + 1] = q * (1 - q); }
  // Rows 1, 4, 7, … at positions 5..(n − 9) of the index: lo and hi are honoured.
  const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 1);
  new Int32Array(memory.buffer, INDEX, n).set(rows);
  const lo = 5, hi = rows.length - 9;
  kernel.build(HIST, BINS, p, GH, INDEX, lo, hi);
  const whole = HIST + histBytes;
  kernel.build(whole, BINS, p, GH, INDEX, 0, rows.length);
  const expected = new Float64Array(p * FEATURE_BINS * 3);
  for (let r = lo; r < hi; r++) {
    const i = rows[r];
    for (let f = 0; f < p; f++) {
      const k = (f * FEATURE_BINS + binned.bins[f][i]) * 3;
      expected[k] += f64[2 * i]; expected[k + 1] += f64[2 * i + 1]; expected[k + 2]++;
    }
  }
  const at = (base: number, f: number, b: number, s: number): number => f64[base / 8 + (f * FEATURE_BINS + b) * (BIN_BYTES / 8) + s];
  let filled = 0;
  for (let f = 0; f < p; f++) for (let b = 0; b < FEATURE_BINS; b++) {
    for (let s = 0; s < 3; s++) assert.equal(at(HIST, f, b, s), expected[(f * FEATURE_BINS + b) * 3 + s], `feature ${f} bin ${b} slot ${s}`);
    if (expected[(f * FEATURE_BINS + b) * 3 + 2] > 0) filled++;
  }
  assert.ok(filled > p * 20, 'many bins hold rows');
  // The whole set minus the part: the rows outside lo..hi.
  kernel.subtract(whole, HIST, histBytes);
  const outside = [...rows.slice(0, lo), ...rows.slice(hi)];
  for (let f = 0; f < p; f++) {
    const counts = new Float64Array(FEATURE_BINS);
    for (const i of outside) counts[binned.bins[f][i]]++;
    for (let b = 0; b < FEATURE_BINS; b++) assert.equal(at(whole, f, b, 2), counts[b], `feature ${f} bin ${b} count after subtraction`);
  }
});
