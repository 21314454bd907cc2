// Prediction from tree parameters alone (forests average, boosting sums margins then applies
// the link). Inputs are compared as float32, exactly as an exported ONNX model compares them.
// From FLATTEN_FROM_ROWS rows on, the trees are flattened once per ensemble into one buffer of
// 16-byte nodes (float32 threshold, feature, children, missing side side by side, so a step down
// the tree touches one cache line; the two children of a node are adjacent, so the step is an
// index plus the comparison, without a branch; leaves step to themselves, so rows walk in
// lockstep, without a look down to the shallowest leaf, then until all are at leaves). The
// flat trees are copied once per thread into a WebAssembly kernel's memory (wasm/trees.wat: no
// bounds checks, byte offsets instead of indices, eight rows in lockstep), which walks them. Rows
// are scored in blocks: a block's features are copied column-major as float32 into the kernel's memory, then every tree walks
// every row of the block, so block and nodes stay in cache; the kernel ignores missing values (a
// third fewer operations per step), and the rows of a block that have one walk again, one by one,
// in JS with them. Each row still adds its trees' leaves in tree order, so sums are bit-identical
// to the tree-by-tree walk over the parameters that scores a few rows.
// Many rows are scored on all cores: the rows are cut into one range per thread, each thread
// walks its range into the shared output (the flat trees, the features and the output live in
// shared memory), and a row's sums do not depend on which thread or range it fell in.
import { throwIfCancelled, type CancelSignal } from './cancellation';
import { binaryProbabilities, softmaxInPlace } from './linear-predict';
import type { FeatureMatrix, ModelParams, TreeParams } from './model-types';
import { sharedMatrix } from './parallel/shared-arrays';
import { computeInParallel, trainingThreads } from './parallel/thread-pool';
import { WASM_PAGE, treeKernel, type TreeKernel } from './wasm/kernels';

export type TreeEnsembleParams = Extract<ModelParams, { kind: 'tree-ensemble' }>;

/** Every tree's nodes end to end, NODE numbers each, renumbered so that siblings are adjacent. */
interface FlatEnsemble {
  /** Node index (not offset) of each tree's root. */
  roots: Int32Array;
  /** Per node, as int32: [-, feature, left child (right is left + 1), missing goes right (1/0)]; a leaf reads feature 0 and has itself as left child. */
  links: Int32Array;
  /** The same buffer as float32: word 0 of each node is its threshold (NaN for a leaf: no value goes right). */
  thresholds: Float32Array;
  /** Per tree, its depth: no walk takes more steps (a leaf steps to itself). */
  depths: Int32Array;
  /** Per tree, the depth of its shallowest leaf: every walk takes at least this many steps. */
  shallow: Int32Array;
  /** Per node, for a leaf the offset of its values. */
  leafAt: Int32Array;
  /** Leaf values, `width` per leaf. */
  value: Float64Array;
  /** Output each tree adds to (boosting); all 0 otherwise. */
  output: Int32Array;
}

/** 32-bit words per node: a node's offset is its index << 2 in the hot loop. */
const NODE = 4;
const BLOCK = 4096;
/** Fewer rows than this, when the ensemble is not flattened yet, are scored from its parameters. */
export const FLATTEN_FROM_ROWS = 1024;
/** Fewer tree steps than this (rows × trees) are scored on the calling thread: starting the fan-out costs more. */
export const PARALLEL_FROM_WALKS = 1 << 22;
const flattened = new WeakMap<TreeEnsembleParams, FlatEnsemble>();

const bits = new DataView(new ArrayBuffer(4));

/**
 * The largest float32 ≤ t. Inputs are float32, and for a float32 x, x ≤ t exactly when x ≤ this
 * value, so thresholds that are not float32 (Number.MAX_VALUE: "every present value") still split
 * the same rows.
 */
export function float32AtOrBelow(t: number): number {
  const f = Math.fround(t);
  if (!(f > t)) return f;
  if (f === Infinity) return 3.4028234663852886e38;
  bits.setFloat32(0, f);
  const u = bits.getUint32(0);
  // Sign and magnitude: one step down is one unit less for a positive value, one more for a negative one.
  if (f > 0) bits.setUint32(0, u - 1);
  else if (f === 0) bits.setUint32(0, 0x80000001);
  else bits.setUint32(0, u + 1);
  return bits.getFloat32(0);
}

function flatten(p: TreeEnsembleParams, width: number): FlatEnsemble {
  const total = p.trees.reduce((s, t) => s + t.feature.length, 0);
  // In shared memory, so that scoring on worker threads shares the trees instead of copying them.
  const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(bytes);
  const buffer = shared(total * NODE * 4);
  const links = new Int32Array(buffer);
  const thresholds = new Float32Array(buffer);
  const value = new Float64Array(shared(total * width * 8));
  const roots = new Int32Array(shared(p.trees.length * 4));
  const depths = new Int32Array(shared(p.trees.length * 4));
  const shallow = new Int32Array(shared(p.trees.length * 4)).fill(0x7fffffff);
  const leafAt = new Int32Array(shared(total * 4));
  let next = 0;
  let leaves = 0;
  p.trees.forEach((tree: TreeParams, t) => {
    roots[t] = next++;
    // [original node, its new index, depth]: a node's children are given the next two indices together.
    const stack: number[] = [0, roots[t], 0];
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const at = stack.pop()!;
      const node = stack.pop()!;
      const o = at * NODE;
      if (tree.feature[node] < 0) {
        thresholds[o] = NaN;
        links[o + 1] = 0;
        links[o + 2] = at;
        links[o + 3] = 0;
        leafAt[at] = leaves * width;
        const leaf = tree.value[node];
        for (let k = 0; k < width && k < leaf.length; k++) value[leaves * width + k] = leaf[k];
        leaves++;
        depths[t] = Math.max(depths[t], depth);
        shallow[t] = Math.min(shallow[t], depth);
      } else {
        thresholds[o] = float32AtOrBelow(tree.threshold[node]);
        links[o + 1] = tree.feature[node];
        links[o + 2] = next;
        links[o + 3] = tree.missingLeft[node] ? 0 : 1;
        stack.push(tree.left[node], next, depth + 1, tree.right[node], next + 1, depth + 1);
        next += 2;
      }
    }
  });
  const output = new Int32Array(shared(p.trees.length * 4));
  p.trees.forEach((_, t) => { output[t] = p.treeOutput?.[t] ?? 0; });
  return { roots, links, thresholds, depths, shallow, leafAt, value: value.subarray(0, leaves * width), output };
}

/** Adds each row's leaves to raw (row-major, k outputs), tree by tree over the parameters. */
function addLeavesWalked(p: TreeEnsembleParams, x: FeatureMatrix, raw: Float64Array, k: number, signal?: CancelSignal): void {
  p.trees.forEach((tree, t) => {
    throwIfCancelled(signal);
    const output = p.aggregate === 'sum' ? p.treeOutput?.[t] ?? 0 : -1;
    for (let i = 0; i < x.nRows; i++) {
      let node = 0;
      while (tree.feature[node] >= 0) {
        const v = x.columns[tree.feature[node]][i];
        node = (Number.isNaN(v) ? tree.missingLeft[node] : Math.fround(v) <= tree.threshold[node]) ? tree.left[node] : tree.right[node];
      }
      const leaf = tree.value[node];
      if (output >= 0) raw[i * k + output] += leaf[0];
      else for (let c = 0; c < k; c++) raw[i * k + c] += leaf[c];
    }
  });
}

/** One thread's share of a scoring: rows [start, end) of x, added into the shared raw outputs. */
export interface EnsembleRowsPiece {
  flat: FlatEnsemble;
  x: FeatureMatrix;
  raw: Float64Array;
  k: number;
  sum: boolean;
  start: number;
  end: number;
}

/** Scores a piece (on a worker thread, or this one); the result is in `raw`. */
export function scoreEnsembleRows(piece: EnsembleRowsPiece, signal?: CancelSignal): null {
  addLeavesFlat(piece.flat, piece.x, piece.raw, piece.k, piece.sum, signal, piece.start, piece.end);
  return null;
}

/** An ensemble's trees in a tree kernel's memory (trees.wat), with room for a block of rows and their outputs. */
interface KernelTrees {
  kernel: TreeKernel;
  /** Byte offsets of the block's rows (column-major f32) and of their accumulators (row-major f64). */
  blockAt: number;
  accAt: number;
  block: Float32Array;
  acc: Float64Array;
  nf: number;
  k: number;
}

/** Per flattened ensemble, on this thread: the kernel holding its trees (copied once). */
const inKernel = new WeakMap<FlatEnsemble, KernelTrees>();

function kernelTrees(flat: FlatEnsemble, nf: number, k: number): KernelTrees {
  const known = inKernel.get(flat);
  if (known && known.nf === nf && known.k === k) return known;
  const { links, thresholds, leafAt, value } = flat;
  const nodes = leafAt.length;
  const valuesAt = nodes * 16;
  const blockAt = valuesAt + value.length * 8;
  const accAt = blockAt + Math.ceil((BLOCK * nf * 4) / 8) * 8;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((accAt + BLOCK * k * 8) / WASM_PAGE) });
  const words = new Int32Array(memory.buffer, 0, nodes * NODE);
  const f32 = new Float32Array(memory.buffer, 0, nodes * NODE);
  // Byte offsets instead of indices: a step in the kernel is a load and an add, without a shift.
  for (let at = 0; at < nodes; at++) {
    const o = at * NODE;
    f32[o] = thresholds[o];
    words[o + 1] = links[o + 1] * BLOCK * 4;
    words[o + 2] = links[o + 2] * 16;
    words[o + 3] = valuesAt + leafAt[at] * 8;
  }
  new Float64Array(memory.buffer, valuesAt, value.length).set(value);
  const trees: KernelTrees = {
    kernel: treeKernel(memory), blockAt, accAt, nf, k,
    block: new Float32Array(memory.buffer, blockAt, BLOCK * nf),
    acc: new Float64Array(memory.buffer, accAt, BLOCK * k),
  };
  inKernel.set(flat, trees);
  return trees;
}

/** The same sums from the flattened trees, a block of rows at a time (rows [from, to) of x). */
function addLeavesFlat(flat: FlatEnsemble, x: FeatureMatrix, raw: Float64Array, k: number, sum: boolean, signal?: CancelSignal, from = 0, to = x.nRows): void {
  const { roots, links, thresholds, depths, shallow, leafAt, value, output } = flat;
  const n = to;
  const nf = x.columns.length;
  const { kernel, blockAt, accAt, block, acc } = kernelTrees(flat, nf, k);
  const rows = Math.min(n - from, BLOCK);
  // Rows of the block with a missing feature (1), and their list: they walk apart (see below).
  const missing = new Uint8Array(rows);
  const missingRows = new Int32Array(rows);
  for (let start = from; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    missing.fill(0);
    for (let f = 0; f < nf; f++) {
      const col = x.columns[f];
      for (let i = start; i < end; i++) {
        const v = col[i];
        block[f * BLOCK + i - start] = v;
        if (v !== v) missing[i - start] = 1;
      }
    }
    let missingCount = 0;
    for (let b = 0; b < end - start; b++) if (missing[b] !== 0) missingRows[missingCount++] = b;
    acc.set(raw.subarray(start * k, end * k));
    for (let t = 0; t < roots.length; t++) {
      throwIfCancelled(signal);
      const root = roots[t] * NODE;
      const depth = depths[t];
      const out = sum ? output[t] : -1;
      // Every walk takes the shallowest leaf's depth in steps without a look; where leaves are
      // about as deep (boosting's trees), the look costs more than the steps it saves.
      const unchecked = depth - shallow[t] <= 2 ? depth : shallow[t];
      // Rows up to a multiple of 8 (the rows past the block walk whatever is there, unused).
      kernel.walk(root * 4, unchecked, depth, blockAt, (end - start + 7) & ~7, accAt + Math.max(out, 0) * 8, k * 8, sum ? 1 : k);
      // The kernel walked the rows with a missing value as if it went left; they walk again
      // with it, straight into raw, whose sums the kernel's accumulators do not overwrite.
      for (let m = 0; m < missingCount; m++) {
        const b = missingRows[m];
        addLeaf(raw, k, out, start + b, value, leafAt[walk(links, thresholds, block, root, depth, b) >> 2]);
      }
    }
    if (missingCount === 0) raw.set(acc.subarray(0, (end - start) * k), start * k);
    else for (let b = 0; b < end - start; b++) if (missing[b] === 0) for (let c = 0; c < k; c++) raw[(start + b) * k + c] = acc[b * k + c];
  }
}

/** One row's walk down a tree from node offset `root`, missing values included; the leaf's node offset. */
function walk(links: Int32Array, thresholds: Float32Array, block: Float32Array, root: number, depth: number, row: number): number {
  let o = root;
  for (let d = 0; d < depth && atInner(links, o) !== 0; d++) o = step(links, thresholds, block, o, row);
  return o;
}

/**
 * One step down from node offset o for row `row` of the (column-major) block, without a branch (the side
 * taken is as good as random): right when v > threshold, or when v is NaN (which fails every
 * comparison) and the split sends missing values right.
 */
function step(links: Int32Array, thresholds: Float32Array, block: Float32Array, o: number, row: number): number {
  const v = block[links[o + 1] * BLOCK + row];
  return (links[o + 2] + (Number(v > thresholds[o]) | (Number(v !== v) & links[o + 3]))) << 2;
}

/** Non-zero when node offset o is not a leaf (a leaf's left child is itself). */
function atInner(links: Int32Array, o: number): number {
  return (links[o + 2] << 2) ^ o;
}

/** Adds a leaf's values to row i's outputs: its one value to `output` (boosting), or all k (-1). */
function addLeaf(raw: Float64Array, k: number, output: number, i: number, value: Float64Array, leaf: number): void {
  if (output >= 0) raw[i * k + output] += value[leaf];
  else for (let c = 0; c < k; c++) raw[i * k + c] += value[leaf + c];
}

/** Number of outputs: probabilities per class (forests, multiclass boosting) or 1. */
export function ensembleOutputs(p: TreeEnsembleParams): number {
  if (p.aggregate === 'sum') return p.base.length;
  return p.trees[0]?.value[0]?.length ?? 1;
}

/** Row-major n × outputs after the link: class probabilities (binary: 2 columns) or values. */
export function predictTreeEnsemble(p: TreeEnsembleParams, x: FeatureMatrix, signal?: CancelSignal): Float64Array {
  const raw = treeEnsembleMargins(p, x, signal);
  if (p.aggregate !== 'sum') return raw;
  const n = x.nRows;
  const k = ensembleOutputs(p);
  if (p.link === 'logistic') return binaryProbabilities(raw, n);
  if (p.link === 'softmax') for (let i = 0; i < n; i++) softmaxInPlace(raw, i * k, k);
  return raw;
}

/** Row-major n × outputs before the link: boosting's summed margins (its decision function), a forest's mean leaf values. */
export function treeEnsembleMargins(p: TreeEnsembleParams, x: FeatureMatrix, signal?: CancelSignal): Float64Array {
  const n = x.nRows;
  const k = ensembleOutputs(p);
  const sum = p.aggregate === 'sum';
  let flat = flattened.get(p);
  // Flattening a 100-tree forest costs about as much as walking its parameters for a few thousand
  // rows: a few rows (a one-row predict) walk the parameters instead.
  if (!flat && n >= FLATTEN_FROM_ROWS) { flat = flatten(p, sum ? 1 : k); flattened.set(p, flat); }
  const threads = flat && n * p.trees.length >= PARALLEL_FROM_WALKS ? Math.min(trainingThreads(), Math.ceil(n / BLOCK)) : 1;
  const raw = threads > 1 ? new Float64Array(new SharedArrayBuffer(n * k * 8)) : new Float64Array(n * k);
  if (sum) for (let i = 0; i < n; i++) for (let o = 0; o < k; o++) raw[i * k + o] = p.base[o];
  if (flat && threads > 1) {
    const xs = sharedMatrix(x);
    // Ranges of whole blocks, one per thread.
    const per = Math.ceil(n / BLOCK / threads) * BLOCK;
    const pieces: EnsembleRowsPiece[] = [];
    for (let start = 0; start < n; start += per) pieces.push({ flat, x: xs, raw, k, sum, start, end: Math.min(n, start + per) });
    computeInParallel('ensemble-rows', pieces, scoreEnsembleRows, signal, threads);
  } else if (flat) addLeavesFlat(flat, x, raw, k, sum, signal);
  else addLeavesWalked(p, x, raw, k, signal);
  if (!sum) {
    const m = p.trees.length || 1;
    for (let i = 0; i < raw.length; i++) raw[i] /= m;
  }
  return raw;
}
