// Training inputs in shared memory: a typed array backed by a SharedArrayBuffer is shared with a
// worker thread when posted, not copied. A matrix is moved there once (one buffer for all its
// columns) and remembered, so every piece of a forest or of a cross-validation reuses it.
import type { FeatureMatrix, Target } from '../model-types';

const sharedMatrices = new WeakMap<FeatureMatrix, FeatureMatrix>();

function isShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

export function sharedMatrix(x: FeatureMatrix): FeatureMatrix {
  if (x.columns.every(isShared)) return x;
  const known = sharedMatrices.get(x);
  if (known) return known;
  const buffer = new SharedArrayBuffer(x.nRows * x.columns.length * Float64Array.BYTES_PER_ELEMENT);
  const columns = x.columns.map((c, j) => {
    const view = new Float64Array(buffer, j * x.nRows * Float64Array.BYTES_PER_ELEMENT, x.nRows);
    view.set(c);
    return view;
  });
  const shared = { nRows: x.nRows, names: x.names, columns };
  sharedMatrices.set(x, shared);
  return shared;
}

export function sharedTarget(t: Target): Target {
  if (isShared(t.y)) return t;
  if (t.task === 'classification') {
    const y = new Int32Array(new SharedArrayBuffer(t.y.byteLength));
    y.set(t.y);
    return { task: 'classification', y, classes: t.classes };
  }
  const y = new Float64Array(new SharedArrayBuffer(t.y.byteLength));
  y.set(t.y);
  return { task: 'regression', y };
}

export function sharedInt32(a: Int32Array): Int32Array {
  if (isShared(a)) return a;
  const s = new Int32Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}

export function sharedFloat64(a: Float64Array): Float64Array {
  if (isShared(a)) return a;
  const s = new Float64Array(new SharedArrayBuffer(a.byteLength));
  s.set(a);
  return s;
}
