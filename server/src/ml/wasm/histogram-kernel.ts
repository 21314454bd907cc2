// The WebAssembly histogram kernel of gradient boosting (histograms.wat), instantiated on a
// memory the caller lays out. The module is compiled once per thread and instantiated per memory.
import { HISTOGRAMS_WASM } from './histograms-wasm';

/** Bytes per bin: sum of gradients, sum of hessians, row count (f64 each) and 8 bytes of padding. */
export const BIN_BYTES = 32;
/** Bins per feature (bin 255: missing values). */
export const FEATURE_BINS = 256;

export interface HistogramKernel {
  /**
   * Adds rows index[lo..hi) (i32 row numbers from byte `index` on) into the zeroed histograms at
   * byte `hist`: for each row i, the pair (gradient, hessian) at byte `gh + 16 i` and its `p`
   * bins at byte `bins + p i`.
   */
  build(hist: number, bins: number, p: number, gh: number, index: number, lo: number, hi: number): void;
  /** The `bytes` bytes of f64 at `dst` minus those at `src`, into `dst` (`bytes` a multiple of 16). */
  subtract(dst: number, src: number, bytes: number): void;
}

let compiled: WebAssembly.Module | undefined;

export function histogramKernel(memory: WebAssembly.Memory): HistogramKernel {
  compiled ??= new WebAssembly.Module(Buffer.from(HISTOGRAMS_WASM, 'base64'));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as HistogramKernel;
}
