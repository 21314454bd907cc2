// The WebAssembly kernels: the committed bytes are what each .wat compiles to (scripts/build-wasm.mjs);
// the histogram kernel's sums, counts, subtraction and partition and the linear kernel's scores and gradients
// equal plain sums over the same rows of real data, and its log-loss and residuals equal those
// computed with Math.exp and Math.log (breast cancer: 30 features, so the
// four-feature steps and the remaining features both run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { binFeatures } from '../../server/src/ml/histogram-binning';
import { BIN_BYTES, FEATURE_BINS, growKernelMemory, histogramKernel, kernelMemory, linearKernel } from '../../server/src/ml/wasm/kernels';

const root = join(__dirname, '..', '..');

test('every generated kernel module holds the bytes its .wat compiles to', async () => {
  const { wasmModuleSource } = await import(join(root, 'scripts', 'build-wasm.mjs')) as { wasmModuleSource: (path: string) => Promise<string> };
  const dir = join(root, 'server', 'src', 'ml', 'wasm');
  const wats = readdirSync(dir).filter((f) => f.endsWith('.wat'));
  assert.deepEqual(wats.sort(), ['histograms.wat', 'linear.wat', 'trees.wat']);
  for (const f of wats) assert.equal(readFileSync(join(dir, f.replace(/\.wat$/, '-wasm.ts')), 'utf8'), await wasmModuleSource(join(dir, f)), `${f}: run node scripts/build-wasm.mjs`);
});

function breastCancer(): { cols: Float64Array[]; n: number } {
  const t = readCsvText(readFileSync(join(root, 'test', 'fixtures', 'data', 'breast_cancer.csv'), 'utf8'), DEFAULT_CSV_OPTIONS, 'breast_cancer');
  return { cols: t.columns.flatMap((c) => ('values' in c ? [c.values] : [])), n: t.rowCount };
}

test('histogram kernel: sums of gradients and hessians and row counts per feature and bin equal plain sums over the rows named', () => {
  const { cols, n } = breastCancer();
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

test('linear kernel: scores equal the weighted sums in the same order; gradients equal the plain sums of residual × feature and of residuals', () => {
  const { cols, n } = breastCancer();
  const p = cols.length;
  assert.ok(p % 4 !== 0);
  const nPad = n + (n & 1);
  const stride = nPad * 8;
  const W = p * stride, GRAD = W + p * 8, Z = Math.ceil((GRAD + (p + 1) * 8) / 16) * 16;
  const lo = 100, m = 300;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((Z + m * 8) / 65536) });
  const kernel = linearKernel(memory);
  const f64 = new Float64Array(memory.buffer);
  cols.forEach((c, j) => f64.set(c, j * nPad));
  // Weights of mixed signs and sizes, as the columns' scales differ by orders of magnitude.
  const w = Float64Array.from({ length: p }, (_, j) => Math.cos(j) / (1 + j));
  f64.set(w, W / 8);
  kernel.scores(0, stride, p, W, 0.25, Z, lo, m);
  for (let r = 0; r < m; r++) {
    let z = 0.25;
    let j = 0;
    for (; j + 4 <= p; j += 4) z += w[j] * cols[j][lo + r] + w[j + 1] * cols[j + 1][lo + r] + w[j + 2] * cols[j + 2][lo + r] + w[j + 3] * cols[j + 3][lo + r];
    for (; j < p; j++) z += w[j] * cols[j][lo + r];
    assert.equal(f64[Z / 8 + r], z, `row ${lo + r}`);
  }
  const e = Float64Array.from({ length: m }, (_, r) => Math.sin(r) / 2);
  f64.set(e, Z / 8);
  f64.fill(1, GRAD / 8, GRAD / 8 + p + 1);
  kernel.gradient(0, stride, p, Z, lo, m, GRAD);
  for (let j = 0; j <= p; j++) {
    let g = 0, scale = 0;
    for (let r = 0; r < m; r++) { const v = e[r] * (j < p ? cols[j][lo + r] : 1); g += v; scale += Math.abs(v); }
    // Summed two rows per lane: the same terms in another order.
    assert.ok(Math.abs(f64[GRAD / 8 + j] - (1 + g)) <= 1e-13 * (1 + scale), `column ${j}: ${f64[GRAD / 8 + j]} vs ${1 + g}`);
  }
});

test('histogram kernel: the partition puts the rows at or below a bin first and the others after, each side in its former order; missing values go the side asked', () => {
  const { cols, n } = breastCancer();
  const p = cols.length;
  const binned = binFeatures(cols, n);
  const INDEX = 0, RIGHT = 4 * n, BINS = 8 * n;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((BINS + n * p) / 65536) });
  const kernel = histogramKernel(memory);
  const rowBins = new Uint8Array(memory.buffer, BINS, n * p);
  for (let i = 0; i < n; i++) for (let f = 0; f < p; f++) rowBins[i * p + f] = binned.bins[f][i];
  const f = 7;
  // Every fifth row's value missing in feature 7.
  for (let i = 0; i < n; i += 5) rowBins[i * p + f] = 255;
  const index = new Int32Array(memory.buffer, INDEX, n);
  for (const missingLeft of [0, 1]) {
    // The rows of a node: every other row, from position 10 to 10 from the end; the rest stays put.
    const rows = Array.from({ length: n }, (_, i) => i).filter((i) => i % 2 === 0);
    index.set(rows);
    const lo = 10, hi = rows.length - 10, bin = 40;
    const a = kernel.partition(INDEX, lo, hi, BINS + f, p, bin, missingLeft, RIGHT);
    const binOf = (i: number): number => rowBins[i * p + f];
    const goesLeft = (i: number): boolean => (binOf(i) === 255 ? missingLeft === 1 : binOf(i) <= bin);
    const node = rows.slice(lo, hi);
    const expected = [...rows.slice(0, lo), ...node.filter(goesLeft), ...node.filter((i) => !goesLeft(i)), ...rows.slice(hi)];
    assert.deepEqual(Array.from(index.subarray(0, rows.length)), expected);
    assert.equal(a, lo + node.filter(goesLeft).length);
    assert.ok(a - lo > 20 && hi - a > 20, `both sides hold rows: ${a - lo} and ${hi - a}`);
  }
});

test('linear kernel: the binary log-loss and residuals σ(z) − y equal those from Math.exp and Math.log within a few ulp, for scores from −800 to 800', () => {
  const m = 1000;
  const Z = 0, Y = 8 * m, OUT = 16 * m;
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernel = linearKernel(memory);
  const f64 = new Float64Array(memory.buffer);
  // Scores spread over every scale: tiny, around the exponential's reduction boundaries, large
  // enough that e^−|z| underflows; labels alternate irregularly.
  const z = Float64Array.from({ length: m }, (_, r) => {
    const u = Math.sin(r * 12.9898) * 43758.5453;
    const t = u - Math.floor(u);
    return r < 10 ? [0, -0, 1e-300, -1e-12, 708, -708, 745, -745, 800, -800][r] : (t - 0.5) * 2 * 10 ** ((r % 7) - 3) * (r % 11 === 0 ? 400 : 1);
  });
  const y = Float64Array.from({ length: m }, (_, r) => ((r * 7) % 3 === 0 ? 1 : 0));
  f64.set(z, Z / 8);
  f64.set(y, Y / 8);
  kernel.logisticResiduals(Z, Y, m, OUT);
  let loss = 0;
  for (let r = 0; r < m; r++) {
    const e = Math.exp(-Math.abs(z[r]));
    const residual = (z[r] > 0 ? 1 : e) / (1 + e) - y[r];
    assert.ok(Math.abs(f64[Z / 8 + r] - residual) <= 4e-16 * Math.max(Math.abs(residual), 1e-300) + 1e-300, `row ${r}: z ${z[r]}: ${f64[Z / 8 + r]} vs ${residual}`);
    loss += Math.max(z[r], 0) - y[r] * z[r] + Math.log1p(e);
  }
  const kernelLoss = f64[OUT / 8] + Math.log(f64[OUT / 8 + 1]);
  assert.ok(Math.abs(kernelLoss - loss) <= 1e-12 * loss, `${kernelLoss} vs ${loss}`);
});

test('a kernel memory past 4 GiB is refused with the algorithm named and what to do, before V8 is asked', () => {
  assert.throws(() => kernelMemory(5 * 2 ** 30, 'logistic_regression'), /logistic_regression: the training data needs 5\.0 GiB of working memory, more than the 4 GiB .*fewer rows \(a sample\) or fewer columns/);
  const memory = kernelMemory(100_000, 'gradient_boosting');
  assert.equal(memory.buffer.byteLength, 2 * 65536);
  growKernelMemory(memory, 70_000, 'gradient_boosting');
  assert.equal(memory.buffer.byteLength, 4 * 65536);
  assert.throws(() => growKernelMemory(memory, 4 * 2 ** 30, 'gradient_boosting'), /gradient_boosting: training needs more than the 4 GiB .*shallower trees/);
});
