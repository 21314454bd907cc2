// Rebalancing: every class reaches the largest class's size (smallest for undersampling), and
// SMOTE's synthetic rows lie on segments between two original minority rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample } from '../../server/src/ml/resample';
import type { FeatureMatrix } from '../../server/src/ml/model-types';

// 40 majority rows on a line far away, 8 minority rows on the parabola y = x².
const n = 48;
const a = new Float64Array(n), b = new Float64Array(n);
const y = new Int32Array(n);
for (let i = 0; i < n; i++) {
  if (i < 40) { a[i] = 10 + i; b[i] = -5; } else { const t = i - 40; a[i] = t; b[i] = t * t; y[i] = 1; }
}
const x: FeatureMatrix = { nRows: n, columns: [a, b], names: ['a', 'b'] };
const counts = (v: Int32Array) => [0, 1].map((c) => v.filter((e) => e === c).length);

for (const method of ['smote', 'adasyn', 'borderline_smote', 'oversample', 'undersample']) {
  test(`${method} balances the classes`, () => {
    const out = resample(method, { k: 3 }, x, y, 11);
    const want = method === 'undersample' ? 8 : 40;
    assert.deepEqual(counts(out.y), [want, want]);
    assert.equal(out.x.nRows, out.y.length);
    assert.deepEqual(resample(method, { k: 3 }, x, y, 11).x.columns[0], out.x.columns[0]);
  });
}

test('smote rows lie between two minority rows', () => {
  const out = resample('smote', { k: 3 }, x, y, 5);
  for (let i = 0; i < out.x.nRows; i++) {
    if (out.y[i] !== 1) continue;
    const u = out.x.columns[0][i], v = out.x.columns[1][i];
    const lo = Math.floor(u), hi = Math.ceil(u);
    // Between two parabola points p, q (at most 3 apart): on their chord, so v is between the chords' bounds.
    let onChord = false;
    for (let p = 0; p <= 7; p++) for (let q = p; q <= Math.min(7, p + 3); q++) {
      if (u < p - 1e-9 || u > q + 1e-9) continue;
      const t = q === p ? 0 : (u - p) / (q - p);
      if (Math.abs(p * p + t * (q * q - p * p) - v) < 1e-9) onChord = true;
    }
    assert.ok(onChord, `synthetic row (${u}, ${v}) is not between minority neighbours (${lo}..${hi})`);
  }
});
