// Grows one CART tree over binned features with row weights (bootstrap counts for forests):
// gini impurity for classification, squared error for regression; best split per node over a
// random subset of features (all for a single tree). Depth-first with an explicit stack; polls
// the cancel signal at every node, as one deep tree on many rows can take seconds.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import type { BinnedFeatures } from './histogram-binning';
import { MISSING_BIN } from './histogram-binning';
import type { Rng } from './random';
import type { TreeParams } from './model-types';

export interface TreeGrowOptions {
  maxDepth: number;
  minSamplesLeaf: number;
  /** Features tried per split. */
  maxFeatures: number;
  /** Classes for classification; 0 for regression. */
  nClasses: number;
  signal?: CancelSignal;
}

export interface GrownTree {
  tree: TreeParams;
  /** Weighted impurity decrease per feature. */
  importance: Float64Array;
}

export function growTree(
  data: BinnedFeatures,
  yClass: Int32Array | undefined,
  yValue: Float64Array | undefined,
  weights: Float64Array,
  opts: TreeGrowOptions,
  rng: Rng,
): GrownTree {
  const p = data.bins.length;
  const K = opts.nClasses;
  const isClass = K > 0;
  const stride = isClass ? K : 2; // regression histograms hold [weight, sum of y]
  const rows: number[] = [];
  for (let i = 0; i < data.nRows; i++) if (weights[i] > 0) rows.push(i);
  const index = Int32Array.from(rows);
  const tree: TreeParams = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] };
  const importance = new Float64Array(p);
  const hist = new Float64Array(256 * stride);
  const counts = new Int32Array(256);
  const rightRows = new Int32Array(index.length);
  const features = Int32Array.from({ length: p }, (_, i) => i);

  const newNode = (): number => {
    tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.missingLeft.push(true); tree.value.push([]);
    return tree.feature.length - 1;
  };

  /** Class weights or [weight, sum] of rows lo..hi. */
  const stats = (lo: number, hi: number): Float64Array => {
    const s = new Float64Array(stride);
    for (let r = lo; r < hi; r++) {
      const i = index[r];
      const w = weights[i];
      if (isClass) s[yClass![i]] += w;
      else { s[0] += w; s[1] += w * yValue![i]; }
    }
    return s;
  };
  const score = (s: Float64Array, off = 0): number => {
    // Larger is purer: sum of squared class weights / weight (gini) or sum² / weight (variance).
    if (isClass) {
      let w = 0, q = 0;
      for (let c = 0; c < K; c++) { const v = s[off + c]; w += v; q += v * v; }
      return w > 0 ? q / w : 0;
    }
    return s[off] > 0 ? (s[off + 1] * s[off + 1]) / s[off] : 0;
  };
  const weightOf = (s: Float64Array, off = 0): number => {
    if (!isClass) return s[off];
    let w = 0;
    for (let c = 0; c < K; c++) w += s[off + c];
    return w;
  };
  const leafValue = (s: Float64Array): number[] => {
    if (isClass) {
      const w = weightOf(s);
      return Array.from(s, (v) => (w > 0 ? v / w : 0));
    }
    return [s[0] > 0 ? s[1] / s[0] : 0];
  };

  const stack: { node: number; lo: number; hi: number; depth: number }[] = [{ node: newNode(), lo: 0, hi: index.length, depth: 0 }];
  const left = new Float64Array(stride);
  while (stack.length > 0) {
    throwIfCancelled(opts.signal);
    const { node, lo, hi, depth } = stack.pop()!;
    const total = stats(lo, hi);
    tree.value[node] = leafValue(total);
    const nodeWeight = weightOf(total);
    const count = hi - lo;
    const pure = isClass ? total.filter((v) => v > 0).length <= 1 : false;
    if (pure || count < 2 * opts.minSamplesLeaf || (opts.maxDepth > 0 && depth >= opts.maxDepth)) continue;
    const parentScore = score(total);
    let bestGain = 1e-12 * Math.max(1, parentScore);
    let bestFeature = -1;
    let bestBin = -1;
    // Random feature subset: partial Fisher-Yates.
    for (let k = 0; k < opts.maxFeatures && k < p; k++) {
      const j = k + rng.int(p - k);
      const tmp = features[k]; features[k] = features[j]; features[j] = tmp;
    }
    const tries = Math.min(opts.maxFeatures, p);
    for (let k = 0; k < tries; k++) {
      const f = features[k];
      const bins = data.bins[f];
      const nb = data.nBins[f];
      // Only the bins from the node's lowest to its highest hold rows: a deep node's few rows
      // are scanned and cleared there, not over every bin of the feature.
      let minBin = nb, maxBin = 0;
      for (let r = lo; r < hi; r++) {
        const i = index[r];
        let b = bins[i];
        if (b === MISSING_BIN) b = 0; // trees here take no missing values; treat as the lowest bin
        if (b < minBin) minBin = b;
        if (b > maxBin) maxBin = b;
        const w = weights[i];
        counts[b]++;
        if (isClass) hist[b * stride + yClass![i]] += w;
        else { hist[b * stride] += w; hist[b * stride + 1] += w * yValue![i]; }
      }
      left.fill(0);
      let leftCount = 0;
      // Splits below the lowest bin or at the highest leave one side empty.
      for (let b = minBin; b < maxBin; b++) {
        for (let c = 0; c < stride; c++) left[c] += hist[b * stride + c];
        leftCount += counts[b];
        if (counts[b] === 0) continue;
        if (leftCount < opts.minSamplesLeaf) continue;
        if (count - leftCount < opts.minSamplesLeaf) break;
        const leftScore = score(left);
        let rightScore: number;
        if (isClass) {
          let w = 0, q = 0;
          for (let c = 0; c < K; c++) { const v = total[c] - left[c]; w += v; q += v * v; }
          rightScore = w > 0 ? q / w : 0;
        } else {
          const w = total[0] - left[0];
          const s = total[1] - left[1];
          rightScore = w > 0 ? (s * s) / w : 0;
        }
        const gain = leftScore + rightScore - parentScore;
        if (gain > bestGain) { bestGain = gain; bestFeature = f; bestBin = b; }
      }
      hist.fill(0, minBin * stride, (maxBin + 1) * stride);
      counts.fill(0, minBin, maxBin + 1);
    }
    if (bestFeature < 0) continue;
    // Partition rows lo..hi by the chosen bin, stably: rows stay in ascending order within every
    // node, so the histogram passes below read each feature's bins front to back.
    const bins = data.bins[bestFeature];
    let a = lo, right = 0;
    let leftWeight = 0;
    for (let r = lo; r < hi; r++) {
      const i = index[r];
      const b = bins[i];
      if ((b === MISSING_BIN ? 0 : b) <= bestBin) { leftWeight += weights[i]; index[a++] = i; }
      else rightRows[right++] = i;
    }
    index.set(rightRows.subarray(0, right), a);
    importance[bestFeature] += bestGain;
    const l = newNode();
    const r = newNode();
    tree.feature[node] = bestFeature;
    tree.threshold[node] = data.thresholds[bestFeature][bestBin];
    tree.left[node] = l;
    tree.right[node] = r;
    tree.missingLeft[node] = leftWeight >= nodeWeight - leftWeight;
    stack.push({ node: r, lo: a, hi, depth: depth + 1 });
    stack.push({ node: l, lo, hi: a, depth: depth + 1 });
  }
  return { tree, importance };
}
