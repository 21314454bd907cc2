// Histogram gradient boosting as scikit-learn's HistGradientBoosting*: binned features, native
// missing values (each split learns which side missing values go to), log-loss for binary
// targets (one margin), softmax for multiclass (one tree per class per round), squared error for
// regression; leaf values -G/(H + l2) shrunk by the learning rate; depth-limited trees; optional
// early stopping on held-out rows (early-stopping.ts).
import { classRowWeights, classWeights } from './class-weight';
import { boostingLoss, holdoutRows, shouldStop } from './early-stopping';
import { binFeatures, MISSING_BIN, type BinnedFeatures } from './histogram-binning';
import type { Algorithm, AlgorithmOptions, EarlyStoppingRecord, FeatureMatrix, FittedModel, Target, TrainContext, TreeParams } from './model-types';
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { normalise, treeEnsembleModel } from './decision-tree';
import { treeEnsembleMargins, type TreeEnsembleParams } from './tree-ensemble';
import { subsetMatrix, subsetTarget } from './subset';
import { softmaxInPlace } from './linear-predict';
import { BIN_BYTES, FEATURE_BINS, growKernelMemory, histogramKernel, kernelMemory } from './wasm/kernels';

export interface BoostOptions {
  maxDepth: number;
  minSamplesLeaf: number;
  l2: number;
  learningRate: number;
}

/** A tree's growth options from the model's options (scikit-learn's defaults). */
export function boostOptions(options: AlgorithmOptions): BoostOptions {
  return {
    maxDepth: Number(options.max_depth ?? 3),
    minSamplesLeaf: Number(options.min_samples_leaf ?? 20),
    l2: Number(options.l2_regularization ?? 0),
    learningRate: Number(options.learning_rate ?? 0.1),
  };
}

const MIN_HESSIAN = 1e-3;
/** Histogram slots a tree grower starts with (enough for depth 6). */
const INITIAL_SLOTS = 8;

/** Per bin of a histogram: sum of gradients, sum of hessians, row count and padding (f64 words). */
export const STRIDE = BIN_BYTES / 8;
/** Histogram words per feature: 256 bins (bin 255: missing). */
export const FEATURE_WORDS = FEATURE_BINS * STRIDE;

/** What the split search needs of binned features: the non-missing bins and thresholds of each. */
export type Binning = Pick<BinnedFeatures, 'thresholds' | 'nBins' | 'hasMissing'>;

/** The best split of a node: feature, last bin going left, where missing values go, the left side's sums and row count. */
export interface BoostSplit { f: number; bin: number; missingLeft: boolean; GL: number; HL: number; CL: number; gain: number }

/** Whether a node of `count` rows at `depth` with hessian sum `H` may be split. */
function splittable(opts: BoostOptions, count: number, depth: number, H: number): boolean {
  return !((opts.maxDepth > 0 && depth >= opts.maxDepth) || count < 2 * opts.minSamplesLeaf || H < 2 * MIN_HESSIAN);
}

/** A node's value: the shrunk Newton step -G/(H + l2). */
function leafValue(opts: BoostOptions, G: number, H: number): number {
  return (-G / (H + opts.l2)) * opts.learningRate;
}

/**
 * Makes `node` a split on `best` with children `l` and `r`. Without missing values in training,
 * missing go where most rows went (as scikit-learn).
 */
function setSplit(tree: TreeParams, node: number, best: BoostSplit, binning: Binning, count: number, l: number, r: number): void {
  tree.feature[node] = best.f;
  const thresholds = binning.thresholds[best.f];
  tree.threshold[node] = best.bin < thresholds.length ? thresholds[best.bin] : Number.MAX_VALUE;
  tree.left[node] = l;
  tree.right[node] = r;
  tree.missingLeft[node] = binning.hasMissing[best.f] ? best.missingLeft : best.CL >= count - best.CL;
}

function emptyTree(): TreeParams {
  return { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] };
}

function addNode(tree: TreeParams): number {
  tree.feature.push(-1); tree.threshold.push(0); tree.left.push(-1); tree.right.push(-1); tree.missingLeft.push(true); tree.value.push([0]);
  return tree.feature.length - 1;
}

const RELEASED = new Uint8Array(0);

/** Grows one tree on gradients/hessians and adds each row's leaf value to `raw[row * stride + output]`. */
type GrowBoostTree = (g: Float64Array, h: Float64Array, raw: Float64Array, stride: number, output: number, importance: Float64Array, signal?: CancelSignal) => TreeParams;

/**
 * A tree grower for the rows of `data`, reusing its buffers from tree to tree. Histograms are
 * built by a WebAssembly kernel (wasm/histograms.wat: no bounds checks, gradient and hessian
 * added as one SIMD pair, about twice the speed of the same loop in JS) in one memory holding
 * the bins again row-major (a histogram pass visits only a node's rows, skipping the others:
 * one cache line then holds a row's bins for every feature), the gradients and hessians
 * interleaved, the row partition, and the histograms, whose slots are added as a tree needs them.
 * It takes `data.bins`: each column is released once copied.
 */
function boostTreeGrower(data: BinnedFeatures, opts: BoostOptions): GrowBoostTree {
  const n = data.nRows;
  const p = data.bins.length;
  // At least one feature's worth: without features a slot of 0 bytes would make the slot count infinite.
  const histBytes = Math.max(1, p) * FEATURE_WORDS * 8;
  // Byte offsets in the memory: gradient pairs (16-byte aligned for the SIMD loads), row
  // numbers, scratch rows of a partition, row-major bins, then the histograms from a 64-byte
  // boundary on.
  const GH = 0;
  const INDEX = GH + n * 16;
  const RIGHT = INDEX + n * 4;
  const BINS = RIGHT + n * 4;
  const HISTS = Math.ceil((BINS + n * p) / 64) * 64;
  // One histogram per level of the deepest path is live at once, plus the smaller child's; a
  // deeper tree adds slots as it needs them rather than reserving them all for a depth it may
  // never reach.
  const initialSlots = opts.maxDepth > 0 ? Math.min(opts.maxDepth + 2, INITIAL_SLOTS) : INITIAL_SLOTS;
  const memory = kernelMemory(HISTS + initialSlots * histBytes, 'gradient_boosting');
  const kernel = histogramKernel(memory);
  // Views of the memory, made again when it grows (growing detaches the old buffer).
  let words = new Float64Array(memory.buffer);
  let index = new Int32Array(memory.buffer, INDEX, n);
  const rowBins = new Uint8Array(memory.buffer, BINS, n * p);
  for (let f = 0; f < p; f++) {
    const bins = data.bins[f];
    for (let i = 0, at = f; i < n; i++, at += p) rowBins[at] = bins[i];
    // The grower takes the column: once copied it is released, so the bins are held once (at 10M
    // rows × 40 features that is 400 MB), not twice.
    data.bins[f] = RELEASED;
  }
  let slots = Math.floor((memory.buffer.byteLength - HISTS) / histBytes);
  const spare: number[] = [];
  for (let s = slots - 1; s >= 0; s--) spare.push(HISTS + s * histBytes);
  /** A zeroed histogram slot: its byte offset in the memory. */
  const take = (): number => {
    if (spare.length === 0) {
      growKernelMemory(memory, histBytes, 'gradient_boosting');
      words = new Float64Array(memory.buffer);
      index = new Int32Array(memory.buffer, INDEX, n);
      for (; HISTS + (slots + 1) * histBytes <= memory.buffer.byteLength; slots++) spare.push(HISTS + slots * histBytes);
    }
    const at = spare.pop()!;
    words.fill(0, at / 8, (at + histBytes) / 8);
    return at;
  };
  const canSplit = (count: number, depth: number, H: number): boolean => splittable(opts, count, depth, H);

  return (g, h, raw, stride, output, importance, signal) => {
    let G0 = 0, H0 = 0;
    for (let i = 0, at = GH / 8; i < n; i++, at += 2) {
      words[at] = g[i]; words[at + 1] = h[i];
      G0 += g[i]; H0 += h[i];
      index[i] = i;
    }
    const tree = emptyTree();
    const newNode = (): number => addNode(tree);
    /** Histograms of rows lo..hi. A node's larger child gets its histograms by subtraction from the parent's, so only the smaller child is scanned; nodes that will not be split get none. */
    const build = (lo: number, hi: number): number => {
      const hist = take();
      kernel.build(hist, BINS, p, GH, INDEX, lo, hi);
      return hist;
    };
    const stack: { node: number; lo: number; hi: number; depth: number; G: number; H: number; hist?: number }[] = [];
    stack.push({ node: newNode(), lo: 0, hi: n, depth: 0, G: G0, H: H0, ...(canSplit(n, 0, H0) ? { hist: build(0, n) } : {}) });
    while (stack.length > 0) {
      // A deep tree on many rows builds many histograms: poll for cancellation per node.
      throwIfCancelled(signal);
      const { node, lo, hi, depth, G, H, hist } = stack.pop()!;
      tree.value[node] = [leafValue(opts, G, H)];
      const count = hi - lo;
      const best = hist !== undefined && canSplit(count, depth, H) ? bestSplit(data, words, hist / 8, count, G, H, opts) : undefined;
      if (hist === undefined || !best) {
        if (hist !== undefined) spare.push(hist);
        const value = tree.value[node][0];
        for (let r = lo; r < hi; r++) raw[index[r] * stride + output] += value;
        continue;
      }
      // A stable partition: rows stay in ascending order within every node, so histogram passes
      // read the bins and gradients front to back.
      const a = kernel.partition(INDEX, lo, hi, BINS + best.f, p, best.bin, best.missingLeft ? 1 : 0, RIGHT);
      importance[best.f] += best.gain;
      const l = newNode();
      const r = newNode();
      setSplit(tree, node, best, data, count, l, r);
      const leftSplits = canSplit(a - lo, depth + 1, best.HL);
      const rightSplits = canSplit(hi - a, depth + 1, H - best.HL);
      let leftHist: number | undefined;
      let rightHist: number | undefined;
      if (leftSplits || rightSplits) {
        const leftSmaller = a - lo <= hi - a;
        const small = leftSmaller ? build(lo, a) : build(a, hi);
        // The parent's histograms become the larger child's, minus the smaller child's.
        if (leftSmaller ? rightSplits : leftSplits) kernel.subtract(hist, small, histBytes);
        else spare.push(hist);
        if (leftSmaller) { leftHist = small; if (rightSplits) rightHist = hist; }
        else { rightHist = small; if (leftSplits) leftHist = hist; }
      } else spare.push(hist);
      stack.push({ node: r, lo: a, hi, depth: depth + 1, G: G - best.GL, H: H - best.HL, ...(rightHist !== undefined ? { hist: rightHist } : {}) });
      stack.push({ node: l, lo, hi: a, depth: depth + 1, G: best.GL, H: best.HL, ...(leftHist !== undefined ? { hist: leftHist } : {}) });
    }
    return tree;
  };
}

/** The split of largest gain over every feature of a node's histograms (at word `base` of `hist`), if any gains. */
function bestSplit(data: Binning, hist: Float64Array, base: number, count: number, G: number, H: number, opts: BoostOptions): BoostSplit | undefined {
  const parent = (G * G) / (H + opts.l2);
  let bestGain = 1e-12;
  let best: BoostSplit | undefined;
  for (let f = 0; f < data.nBins.length; f++) {
    const nb = data.nBins[f];
    const off = base + f * FEATURE_WORDS;
    const miss = off + MISSING_BIN * STRIDE;
    const gm = hist[miss], hm = hist[miss + 1], cm = hist[miss + 2];
    // Try missing values on the right (scan) and on the left (scan with them added).
    for (const missLeft of cm > 0 ? [false, true] : [false]) {
      let GL = missLeft ? gm : 0, HL = missLeft ? hm : 0, CL = missLeft ? cm : 0;
      for (let b = 0, k = off; b < nb - 1; b++, k += STRIDE) {
        GL += hist[k]; HL += hist[k + 1]; CL += hist[k + 2];
        if (hist[k + 2] === 0) continue;
        const CR = count - CL;
        if (CL < opts.minSamplesLeaf) continue;
        if (CR < opts.minSamplesLeaf) break;
        const HR = H - HL;
        if (HL < MIN_HESSIAN || HR < MIN_HESSIAN) continue;
        const GR = G - GL;
        const gain = (GL * GL) / (HL + opts.l2) + (GR * GR) / (HR + opts.l2) - parent;
        if (gain > bestGain) { bestGain = gain; best = { f, bin: b, missingLeft: missLeft, GL, HL, CL, gain }; }
      }
    }
    // With missing values, "all present values left, missing right" is a split too.
    if (cm > 0 && cm >= opts.minSamplesLeaf && count - cm >= opts.minSamplesLeaf) {
      const GL = G - gm, HL = H - hm;
      if (HL >= MIN_HESSIAN && hm >= MIN_HESSIAN) {
        const gain = (GL * GL) / (HL + opts.l2) + (gm * gm) / (hm + opts.l2) - parent;
        if (gain > bestGain) { bestGain = gain; best = { f, bin: nb - 1, missingLeft: false, GL, HL, CL: count - cm, gain }; }
      }
    }
  }
  return best;
}

/** Margins per row: one for regression and two classes, one per class beyond. */
export function outputsOf(target: Pick<Target, 'task'> & { classes?: readonly string[] }): number {
  return target.task === 'classification' && (target.classes?.length ?? 0) > 2 ? target.classes!.length : 1;
}

export function linkOf(target: Pick<Target, 'task'> & { classes?: readonly string[] }): TreeEnsembleParams['link'] {
  return target.task === 'regression' ? 'identity' : outputsOf(target) === 1 ? 'logistic' : 'softmax';
}

/**
 * The starting margins, from sums over the training rows: for regression `sums` is [Σy] and
 * `total` the row count (the mean); for classification `sums` are the classes' weights and
 * `total` their sum (the positive class's log-odds, or each class's log share).
 */
export function baseMargins(target: Pick<Target, 'task'> & { classes?: readonly string[] }, sums: ArrayLike<number>, total: number): number[] {
  if (target.task === 'regression') return [sums[0] / total];
  const K = outputsOf(target);
  if (K === 1) {
    const prior = Math.min(1 - 1e-15, Math.max(1e-15, sums[1] / total));
    return [Math.log(prior / (1 - prior))];
  }
  return Array.from({ length: K }, (_, k) => Math.log(Math.max(1e-15, sums[k] / total)));
}

/** A step of a node's path from the root: the parent's split and the side taken. */
export interface PathStep { f: number; bin: number; missingLeft: boolean; left: boolean }

/** A node of one level that is to be split: its path from the root. */
export interface LevelNode { path: readonly PathStep[] }

/**
 * Where a level-wise grower gets its histograms: those of every node of one level at once, in
 * the memory grower's layout (FEATURE_WORDS words per feature, the features of a node one after
 * another, then the next node's). The root's sums and row count are read off its histograms.
 */
export interface HistogramSource {
  level(nodes: readonly LevelNode[]): Promise<Float64Array>;
}

interface GrownNode extends LevelNode { count: number; G: number; H: number; depth: number; split?: BoostSplit; children?: [GrownNode, GrownNode] }

/**
 * Grows one tree level by level on histograms from `source` (one request per level: a query of a
 * database) with the memory grower's split search, and numbers its nodes as the memory grower
 * does (depth first, left before right), so the same histograms give the same tree. `importance`
 * gets each split's gain in that order too.
 */
export async function growTreeByLevels(source: HistogramSource, binning: Binning, opts: BoostOptions, importance: Float64Array, signal?: CancelSignal): Promise<TreeParams> {
  throwIfCancelled(signal);
  const rootHist = await source.level([{ path: [] }]);
  let G0 = 0, H0 = 0, n = 0;
  for (let k = 0; k < FEATURE_WORDS; k += STRIDE) { G0 += rootHist[k]; H0 += rootHist[k + 1]; n += rootHist[k + 2]; }
  const root: GrownNode = { path: [], count: n, G: G0, H: H0, depth: 0 };
  let level = [root];
  let hists = rootHist;
  const words = binning.nBins.length * FEATURE_WORDS;
  while (level.length > 0) {
    throwIfCancelled(signal);
    const next: GrownNode[] = [];
    level.forEach((node, i) => {
      const best = splittable(opts, node.count, node.depth, node.H) ? bestSplit(binning, hists, i * words, node.count, node.G, node.H, opts) : undefined;
      if (!best) return;
      node.split = best;
      const side = (left: boolean): GrownNode => ({
        path: [...node.path, { f: best.f, bin: best.bin, missingLeft: best.missingLeft, left }],
        depth: node.depth + 1,
        ...(left ? { count: best.CL, G: best.GL, H: best.HL } : { count: node.count - best.CL, G: node.G - best.GL, H: node.H - best.HL }),
      });
      node.children = [side(true), side(false)];
      for (const c of node.children) if (splittable(opts, c.count, c.depth, c.H)) next.push(c);
    });
    level = next;
    if (next.length > 0) hists = await source.level(next);
  }
  const tree = emptyTree();
  const stack: [GrownNode, number][] = [[root, addNode(tree)]];
  while (stack.length > 0) {
    const [node, id] = stack.pop()!;
    tree.value[id] = [leafValue(opts, node.G, node.H)];
    if (!node.split || !node.children) continue;
    importance[node.split.f] += node.split.gain;
    const l = addNode(tree);
    const r = addNode(tree);
    setSplit(tree, id, node.split, binning, node.count, l, r);
    stack.push([node.children[1], r], [node.children[0], l]);
  }
  return tree;
}

export const gradientBoosting: Algorithm = {
  name: 'gradient_boosting',
  tasks: ['classification', 'regression'],
  allowsMissing: true,
  defaults: { rounds: 100, learning_rate: 0.1, max_depth: 3, min_samples_leaf: 20, l2_regularization: 0, early_stopping: 0, validation_fraction: 0.1 },
  fit(allX, allTarget: Target, options, ctx) {
    const patience = Number(options.early_stopping ?? 0);
    // class_weight as HistGradientBoostingClassifier's: weights of the classes counted on all the
    // training rows (before a holdout is set aside), on the baseline's class shares, on every
    // gradient and hessian, and on the validation loss (min_samples_leaf still counts rows).
    const perClass = classWeights(options, allTarget);
    let x = allX;
    let target = allTarget;
    let scored: { x: FeatureMatrix; target: Target; on: EarlyStoppingRecord['on'] } | undefined;
    if (patience > 0 && ctx.validation && ctx.validation.x.nRows > 0) scored = { ...ctx.validation, on: 'validation' };
    else if (patience > 0) {
      const fraction = Number(options.validation_fraction ?? 0.1);
      // As train_test_split(test_size=fraction): ceil(fraction × rows) held out.
      const count = Math.ceil(fraction * allX.nRows);
      if (count >= allX.nRows) throw new Error(`early_stopping holds out validation_fraction ${fraction} of the ${allX.nRows} training rows, which leaves no row to fit on; train on more rows or lower validation_fraction`);
      const { fit, held } = holdoutRows(allX.nRows, count, ctx.seed, allTarget.task === 'classification' ? allTarget.y : undefined);
      x = subsetMatrix(allX, fit);
      target = subsetTarget(allTarget, fit);
      scored = { x: subsetMatrix(allX, held), target: subsetTarget(allTarget, held), on: 'holdout' };
    }
    return boost(binFeatures(x.columns, x.nRows), x.names, target, options, ctx, perClass, scored);
  },
};

/**
 * Boosting on features binned already, e.g. streamed from an engine column by column (the
 * runner's large-table path): the same model as `fit` on the columns they were binned from.
 * Early stopping needs the raw rows of its holdout, so it is `fit`'s alone.
 */
export function boostBinned(data: BinnedFeatures, names: string[], target: Target, options: AlgorithmOptions, ctx: TrainContext): FittedModel {
  if (Number(options.early_stopping ?? 0) > 0) throw new Error('early_stopping needs the training rows themselves, not their bins');
  return boost(data, names, target, options, ctx, classWeights(options, target), undefined);
}

function boost(data: BinnedFeatures, names: string[], target: Target, options: AlgorithmOptions, ctx: TrainContext, perClass: ReturnType<typeof classWeights>, scored: { x: FeatureMatrix; target: Target; on: EarlyStoppingRecord['on'] } | undefined): FittedModel {
  const rounds = Number(options.rounds ?? 100);
  const patience = Number(options.early_stopping ?? 0);
  const n = data.nRows;
  const opts = boostOptions(options);
  const K = outputsOf(target);
  const y = target.y;
  const rowWeight = classRowWeights(options, target, perClass);
  const weightOf = (i: number): number => (rowWeight ? rowWeight[i] : 1);
  let base: number[];
  if (target.task === 'regression') {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += y[i];
    base = baseMargins(target, [sum], n);
  } else {
    let totalWeight = 0;
    for (let i = 0; i < n; i++) totalWeight += weightOf(i);
    const sums = new Float64Array(target.classes.length);
    for (let i = 0; i < n; i++) sums[y[i]] += weightOf(i);
    base = baseMargins(target, sums, totalWeight);
  }
  const growBoostTree = boostTreeGrower(data, opts);
  const raw = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = base[k];
  const g = new Float64Array(n);
  const h = new Float64Array(n);
  // Softmax probabilities for more than two classes only (n × K numbers at 10M rows).
  const prob = new Float64Array(K > 1 ? n * K : 0);
  const trees: TreeParams[] = [];
  const treeOutput: number[] = [];
  const importance = new Float64Array(names.length);
  const link = linkOf(target);
  // The held-out rows' margins, a round's trees added to them as they are grown; their loss
  // after each round (the baseline's first) decides when to stop.
  const scoredRaw = scored ? new Float64Array(scored.x.nRows * K) : undefined;
  const scoredWeight = scored ? classRowWeights(options, scored.target, perClass) : undefined;
  const scores: number[] = [];
  if (scored && scoredRaw) {
    for (let i = 0; i < scored.x.nRows; i++) for (let k = 0; k < K; k++) scoredRaw[i * K + k] = base[k];
    scores.push(-boostingLoss(scoredRaw, scored.target, K, scoredWeight));
  }
  let round = 0;
  while (round < rounds) {
    if (K > 1) {
      prob.set(raw);
      for (let i = 0; i < n; i++) softmaxInPlace(prob, i * K, K);
    }
    for (let k = 0; k < K; k++) {
      if (target.task === 'regression') {
        for (let i = 0; i < n; i++) { g[i] = raw[i] - y[i]; h[i] = 1; }
      } else if (K === 1) {
        for (let i = 0; i < n; i++) {
          const q = 1 / (1 + Math.exp(-raw[i]));
          // y is 0 or 1 for two classes.
          g[i] = q - y[i];
          h[i] = q * (1 - q);
        }
      } else {
        for (let i = 0; i < n; i++) {
          const q = prob[i * K + k];
          g[i] = q - (y[i] === k ? 1 : 0);
          h[i] = q * (1 - q);
        }
      }
      if (rowWeight) for (let i = 0; i < n; i++) { g[i] *= rowWeight[i]; h[i] *= rowWeight[i]; }
      const tree = growBoostTree(g, h, raw, K, k, importance, ctx.signal);
      trees.push(tree);
      treeOutput.push(k);
    }
    round++;
    ctx.onProgress?.(round / rounds);
    if (scored && scoredRaw) {
      const added = treeEnsembleMargins({ kind: 'tree-ensemble', trees: trees.slice(-K), aggregate: 'sum', base: new Array<number>(K).fill(0), treeOutput: treeOutput.slice(-K), link }, scored.x, ctx.signal);
      for (let i = 0; i < scoredRaw.length; i++) scoredRaw[i] += added[i];
      scores.push(-boostingLoss(scoredRaw, scored.target, K, scoredWeight));
      if (shouldStop(scores, patience)) break;
    }
  }
  const params: TreeEnsembleParams = {
    kind: 'tree-ensemble', trees, aggregate: 'sum', base, ...(K > 1 ? { treeOutput } : {}), link,
    ...(scored ? { earlyStopping: { on: scored.on, rows: scored.x.nRows, rounds: round, maxRounds: rounds } } : {}),
  };
  return treeEnsembleModel('gradient_boosting', params, names, target.task === 'classification' ? target.classes : undefined, normalise(importance));
}
