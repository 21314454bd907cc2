// Histogram gradient boosting as scikit-learn's HistGradientBoosting*: binned features, native
// missing values (each split learns which side missing values go to), log-loss for binary
// targets (one margin), softmax for multiclass (one tree per class per round), squared error for
// regression; leaf values -G/(H + l2) shrunk by the learning rate; depth-limited trees.
import { binFeatures, MISSING_BIN, type BinnedFeatures } from './histogram-binning';
import type { Algorithm, Target, TreeParams } from './model-types';
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { normalise, treeEnsembleModel } from './decision-tree';
import type { TreeEnsembleParams } from './tree-ensemble';
import { softmaxInPlace } from './linear-predict';

interface BoostOptions {
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

const MIN_HESSIAN = 1e-3;

/** Grows one tree on gradients/hessians; returns it and adds its predictions to `raw` (stride k, output o). */
function growBoostTree(data: BinnedFeatures, g: Float64Array, h: Float64Array, opts: BoostOptions, importance: Float64Array, signal?: CancelSignal): { tree: TreeParams; leafOfRow: Int32Array } {
  const n = data.nRows;
  const p = data.bins.length;
  const index = new Int32Array(n);
  for (let i = 0; i < n; i++) index[i] = i;
  const tree: TreeParams = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] };
  const leafOfRow = new Int32Array(n);
  const newNode = (): number => {
    tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.missingLeft.push(true); tree.value.push([0]);
    return tree.feature.length - 1;
  };
  // Histograms of gradients, hessians and counts per feature and bin (bin 255: missing). A
  // node's larger child gets its histograms by subtraction from the parent's, so only the
  // smaller child is scanned; nodes that will not be split get none.
  interface Hist { g: Float64Array; h: Float64Array; c: Int32Array }
  const build = (lo: number, hi: number): Hist => {
    const hist: Hist = { g: new Float64Array(p * 256), h: new Float64Array(p * 256), c: new Int32Array(p * 256) };
    for (let f = 0; f < p; f++) {
      const bins = data.bins[f];
      const off = f * 256;
      for (let r = lo; r < hi; r++) {
        const i = index[r];
        const k = off + bins[i];
        hist.g[k] += g[i]; hist.h[k] += h[i]; hist.c[k]++;
      }
    }
    return hist;
  };
  const minus = (a: Hist, b: Hist): Hist => {
    const out: Hist = { g: new Float64Array(p * 256), h: new Float64Array(p * 256), c: new Int32Array(p * 256) };
    for (let k = 0; k < p * 256; k++) { out.g[k] = a.g[k] - b.g[k]; out.h[k] = a.h[k] - b.h[k]; out.c[k] = a.c[k] - b.c[k]; }
    return out;
  };
  const splittable = (count: number, depth: number, H: number): boolean =>
    !((opts.maxDepth > 0 && depth >= opts.maxDepth) || count < 2 * opts.minSamplesLeaf || H < 2 * MIN_HESSIAN);
  const stack: { node: number; lo: number; hi: number; depth: number; G: number; H: number; hist?: Hist }[] = [];
  let G0 = 0, H0 = 0;
  for (let i = 0; i < n; i++) { G0 += g[i]; H0 += h[i]; }
  stack.push({ node: newNode(), lo: 0, hi: n, depth: 0, G: G0, H: H0, ...(splittable(n, 0, H0) ? { hist: build(0, n) } : {}) });
  while (stack.length > 0) {
    // A deep tree on many rows builds many histograms: poll for cancellation per node.
    throwIfCancelled(signal);
    const { node, lo, hi, depth, G, H, hist } = stack.pop()!;
    tree.value[node] = [(-G / (H + opts.l2)) * opts.learningRate];
    for (let r = lo; r < hi; r++) leafOfRow[index[r]] = node;
    const count = hi - lo;
    if (!hist || !splittable(count, depth, H)) continue;
    const parent = (G * G) / (H + opts.l2);
    let bestGain = 1e-12;
    let best = { f: -1, bin: -1, missingLeft: false, GL: 0, HL: 0 };
    for (let f = 0; f < p; f++) {
      const nb = data.nBins[f];
      const off = f * 256;
      const hg = hist.g.subarray(off, off + 256);
      const hh = hist.h.subarray(off, off + 256);
      const hc = hist.c.subarray(off, off + 256);
      const gm = hg[MISSING_BIN], hm = hh[MISSING_BIN], cm = hc[MISSING_BIN];
      // Try missing values on the right (scan) and on the left (scan with them added).
      for (const missLeft of cm > 0 ? [false, true] : [false]) {
        let GL = missLeft ? gm : 0, HL = missLeft ? hm : 0, CL = missLeft ? cm : 0;
        for (let b = 0; b < nb - 1; b++) {
          GL += hg[b]; HL += hh[b]; CL += hc[b];
          if (hc[b] === 0) continue;
          const CR = count - CL;
          if (CL < opts.minSamplesLeaf) continue;
          if (CR < opts.minSamplesLeaf) break;
          const HR = H - HL;
          if (HL < MIN_HESSIAN || HR < MIN_HESSIAN) continue;
          const GR = G - GL;
          const gain = (GL * GL) / (HL + opts.l2) + (GR * GR) / (HR + opts.l2) - parent;
          if (gain > bestGain) { bestGain = gain; best = { f, bin: b, missingLeft: missLeft, GL, HL }; }
        }
      }
      // With missing values, "all present values left, missing right" is a split too.
      if (cm > 0 && cm >= opts.minSamplesLeaf && count - cm >= opts.minSamplesLeaf) {
        const GL = G - gm, HL = H - hm;
        if (HL >= MIN_HESSIAN && hm >= MIN_HESSIAN) {
          const gain = (GL * GL) / (HL + opts.l2) + (gm * gm) / (hm + opts.l2) - parent;
          if (gain > bestGain) { bestGain = gain; best = { f, bin: nb - 1, missingLeft: false, GL, HL }; }
        }
      }
    }
    if (best.f < 0) continue;
    const bins = data.bins[best.f];
    let a = lo, z = hi - 1;
    while (a <= z) {
      const b = bins[index[a]];
      const goLeft = b === MISSING_BIN ? best.missingLeft : b <= best.bin;
      if (goLeft) a++;
      else { const t = index[a]; index[a] = index[z]; index[z] = t; z--; }
    }
    importance[best.f] += bestGain;
    const l = newNode();
    const r = newNode();
    tree.feature[node] = best.f;
    const thresholds = data.thresholds[best.f];
    tree.threshold[node] = best.bin < thresholds.length ? thresholds[best.bin] : Number.MAX_VALUE;
    tree.left[node] = l;
    tree.right[node] = r;
    // Without missing values in training, missing go where most rows went (as scikit-learn).
    tree.missingLeft[node] = data.hasMissing[best.f] ? best.missingLeft : a - lo >= hi - a;
    const leftCount = a - lo;
    const rightCount = hi - a;
    const leftSplits = splittable(leftCount, depth + 1, best.HL);
    const rightSplits = splittable(rightCount, depth + 1, H - best.HL);
    let leftHist: Hist | undefined;
    let rightHist: Hist | undefined;
    if (leftSplits || rightSplits) {
      if (leftCount <= rightCount) {
        leftHist = build(lo, a);
        if (rightSplits) rightHist = minus(hist, leftHist);
      } else {
        rightHist = build(a, hi);
        if (leftSplits) leftHist = minus(hist, rightHist);
      }
    }
    stack.push({ node: r, lo: a, hi, depth: depth + 1, G: G - best.GL, H: H - best.HL, ...(rightSplits && rightHist ? { hist: rightHist } : {}) });
    stack.push({ node: l, lo, hi: a, depth: depth + 1, G: best.GL, H: best.HL, ...(leftSplits && leftHist ? { hist: leftHist } : {}) });
  }
  return { tree, leafOfRow };
}

export const gradientBoosting: Algorithm = {
  name: 'gradient_boosting',
  tasks: ['classification', 'regression'],
  allowsMissing: true,
  defaults: { rounds: 100, learning_rate: 0.1, max_depth: 3, min_samples_leaf: 20, l2_regularization: 0 },
  fit(x, target: Target, options, ctx) {
    const n = x.nRows;
    const data = binFeatures(x.columns, n);
    const rounds = Number(options.rounds ?? 100);
    const opts: BoostOptions = {
      maxDepth: Number(options.max_depth ?? 3),
      minSamplesLeaf: Number(options.min_samples_leaf ?? 20),
      l2: Number(options.l2_regularization ?? 0),
      learningRate: Number(options.learning_rate ?? 0.1),
    };
    const K = target.task === 'classification' && target.classes.length > 2 ? target.classes.length : 1;
    const base = new Array<number>(K).fill(0);
    const y = target.y;
    if (target.task === 'regression') {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += y[i];
      base[0] = sum / n;
    } else if (K === 1) {
      let pos = 0;
      for (let i = 0; i < n; i++) pos += y[i] === 1 ? 1 : 0;
      const prior = Math.min(1 - 1e-15, Math.max(1e-15, pos / n));
      base[0] = Math.log(prior / (1 - prior));
    } else {
      const counts = new Float64Array(K);
      for (let i = 0; i < n; i++) counts[y[i]]++;
      for (let k = 0; k < K; k++) base[k] = Math.log(Math.max(1e-15, counts[k] / n));
    }
    const raw = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k];
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    const prob = new Float64Array(n * K);
    const trees: TreeParams[] = [];
    const treeOutput: number[] = [];
    const importance = new Float64Array(x.columns.length);
    for (let round = 0; round < rounds; round++) {
      if (K > 1) {
        prob.set(raw);
        for (let i = 0; i < n; i++) softmaxInPlace(prob, i * K, K);
      }
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < n; i++) {
          if (target.task === 'regression') { g[i] = raw[i] - y[i]; h[i] = 1; }
          else if (K === 1) {
            const q = 1 / (1 + Math.exp(-raw[i]));
            g[i] = q - (y[i] === 1 ? 1 : 0);
            h[i] = q * (1 - q);
          } else {
            const q = prob[i * K + k];
            g[i] = q - (y[i] === k ? 1 : 0);
            h[i] = q * (1 - q);
          }
        }
        const { tree, leafOfRow } = growBoostTree(data, g, h, opts, importance, ctx.signal);
        for (let i = 0; i < n; i++) raw[i * K + k] += tree.value[leafOfRow[i]][0];
        trees.push(tree);
        treeOutput.push(k);
      }
      ctx.onProgress?.((round + 1) / rounds);
    }
    const link = target.task === 'regression' ? 'identity' : K === 1 ? 'logistic' : 'softmax';
    const params: TreeEnsembleParams = { kind: 'tree-ensemble', trees, aggregate: 'sum', base, ...(K > 1 ? { treeOutput } : {}), link };
    return treeEnsembleModel('gradient_boosting', params, x.names, target.task === 'classification' ? target.classes : undefined, normalise(importance));
  },
};
