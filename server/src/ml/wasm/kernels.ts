// The WebAssembly kernels (*.wat beside this file, their bytes in *-wasm.ts), each instantiated
// on a memory its caller lays out. A module is compiled once per thread, instantiated per memory.
import { HISTOGRAMS_WASM } from './histograms-wasm';
import { LINEAR_WASM } from './linear-wasm';
import { TREES_WASM } from './trees-wasm';

/** Bytes per histogram bin: sum of gradients, sum of hessians, row count (f64 each) and 8 bytes of padding. */
export const BIN_BYTES = 32;
/** Bins per feature (bin 255: missing values). */
export const FEATURE_BINS = 256;

/** Gradient boosting's histograms (histograms.wat). */
export interface HistogramKernel {
  /**
   * Adds rows index[lo..hi) (i32 row numbers from byte `index` on) into the zeroed histograms at
   * byte `hist`: for each row i, the pair (gradient, hessian) at byte `gh + 16 i` and its `p`
   * bins at byte `bins + p i`.
   */
  build(hist: number, bins: number, p: number, gh: number, index: number, lo: number, hi: number): void;
  /** The `bytes` bytes of f64 at `dst` minus those at `src`, into `dst` (`bytes` a multiple of 16). */
  subtract(dst: number, src: number, bytes: number): void;
  /**
   * Reorders rows index[lo..hi) stably: first those whose bin (byte `bins + p i` for row i) is at
   * most `bin`, or is the missing bin when `missingLeft` is 1, then the others, through the
   * scratch rows at byte `right`. Returns the position of the first of the others.
   */
  partition(index: number, lo: number, hi: number, bins: number, p: number, bin: number, missingLeft: number, right: number): number;
}

/**
 * Logistic regression's two passes over a block of rows (linear.wat). The features are `p`
 * column-major f64 columns from byte `x` on, `stride` bytes apart, padded with zeros to an even
 * number of rows; `lo` and `m` are even.
 */
export interface LinearKernel {
  /** z[0..m) = b + Σ_j w[j] x[j][lo + r], with `w` the byte offset of p f64 weights and `z` of m f64 scores. */
  scores(x: number, stride: number, p: number, w: number, b: number, z: number, lo: number, m: number): void;
  /** grad[j] += Σ_r e[r] x[j][lo + r] for j < p and grad[p] += Σ_r e[r], with `e` the byte offset of m f64 residuals. */
  gradient(x: number, stride: number, p: number, e: number, lo: number, m: number, grad: number): void;
  /**
   * The binary log-loss of m rows (m even, at most 1,000) from their scores at byte `z` and labels
   * (0 or 1, f64) at byte `y`: the scores become the residuals σ(z) − y in place; the f64 at byte
   * `out` gets Σ max(z, 0) − y z and the one after it Π (1 + e^−|z|), so that the loss is the
   * first plus the logarithm of the second.
   */
  logisticResiduals(z: number, y: number, m: number, out: number): void;
}

/** Tree ensemble scoring (trees.wat): 16-byte nodes (f32 threshold, byte offset of the feature's column in a block, of the left child, of the leaf's values). */
export interface TreeKernel {
  /**
   * Walks the tree whose root node is at byte `root` (every walk at least `unchecked` steps, at
   * most `depth`) for `rows` rows (a multiple of 8) of the column-major f32 block at byte `block`,
   * ignoring missing values, and adds each row's leaf (`width` f64) to its accumulators,
   * `accStride` bytes apart from byte `acc` on.
   */
  walk(root: number, unchecked: number, depth: number, block: number, rows: number, acc: number, accStride: number, width: number): void;
}

export const WASM_PAGE = 65536;
/** A wasm32 memory's limit in V8: 65,536 pages of 64 KiB. */
const MAX_PAGES = 65536;

/**
 * A kernel's memory of at least `bytes` bytes (zeroed), for the training of `algorithm`; past
 * wasm32's 4 GiB, or when the system cannot give it, an error that says what to do instead of
 * V8's bare RangeError.
 */
export function kernelMemory(bytes: number, algorithm: string): WebAssembly.Memory {
  const pages = Math.ceil(bytes / WASM_PAGE);
  const gib = (bytes / 2 ** 30).toFixed(1);
  if (pages > MAX_PAGES) throw new Error(`${algorithm}: the training data needs ${gib} GiB of working memory, more than the 4 GiB a WebAssembly kernel can address; train on fewer rows (a sample) or fewer columns`);
  try {
    return new WebAssembly.Memory({ initial: pages });
  } catch (e) {
    throw new Error(`${algorithm}: could not allocate ${gib} GiB of working memory for training (${(e as Error).message}); train on fewer rows (a sample) or fewer columns`);
  }
}

/** Grows `memory` by at least `bytes` bytes (the same limits and errors as `kernelMemory`). */
export function growKernelMemory(memory: WebAssembly.Memory, bytes: number, algorithm: string): void {
  const pages = Math.ceil(bytes / WASM_PAGE);
  const total = memory.buffer.byteLength / WASM_PAGE + pages;
  if (total > MAX_PAGES) throw new Error(`${algorithm}: training needs more than the 4 GiB of working memory a WebAssembly kernel can address; train on fewer rows (a sample), fewer columns or shallower trees`);
  memory.grow(pages);
}

const compiled = new Map<string, WebAssembly.Module>();

function instantiate(bytes: string, memory: WebAssembly.Memory): WebAssembly.Exports {
  let module = compiled.get(bytes);
  if (!module) compiled.set(bytes, module = new WebAssembly.Module(Buffer.from(bytes, 'base64')));
  return new WebAssembly.Instance(module, { env: { memory } }).exports;
}

export const histogramKernel = (memory: WebAssembly.Memory): HistogramKernel => instantiate(HISTOGRAMS_WASM, memory) as unknown as HistogramKernel;
export const linearKernel = (memory: WebAssembly.Memory): LinearKernel => instantiate(LINEAR_WASM, memory) as unknown as LinearKernel;
export const treeKernel = (memory: WebAssembly.Memory): TreeKernel => instantiate(TREES_WASM, memory) as unknown as TreeKernel;
