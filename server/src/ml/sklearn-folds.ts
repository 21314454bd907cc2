// The folds scikit-learn makes for an integer cv (stacking, calibration), reproduced row for row.

/**
 * scikit-learn's default folds (cv=K of a stacking or calibration): KFold without shuffling for
 * regression (contiguous blocks, the first n % k one row longer), StratifiedKFold without shuffling
 * for classes (each class, in order of first appearance, dealt to the folds in blocks so every
 * fold gets its share). Reproduced exactly so our out-of-fold predictions are sklearn's.
 */
export function sklearnFolds(n: number, k: number, stratifyBy?: Int32Array): Int32Array {
  const fold = new Int32Array(n);
  if (!stratifyBy) {
    const base = Math.floor(n / k);
    let at = 0;
    for (let f = 0; f < k; f++) {
      const size = base + (f < n % k ? 1 : 0);
      fold.fill(f, at, at + size);
      at += size;
    }
    return fold;
  }
  const firstSeen = new Map<number, number>();
  for (let i = 0; i < n; i++) if (!firstSeen.has(stratifyBy[i])) firstSeen.set(stratifyBy[i], firstSeen.size);
  const encoded = Int32Array.from(stratifyBy, (c) => firstSeen.get(c)!);
  const counts = new Int32Array(firstSeen.size);
  for (const c of encoded) counts[c]++;
  // allocation[f][c]: rows of class c in fold f, as bincount(sorted_y[f::k]) deals them.
  const sorted = Int32Array.from(encoded).sort();
  const allocation = Array.from({ length: k }, () => new Int32Array(counts.length));
  for (let i = 0; i < n; i++) allocation[i % k][sorted[i]]++;
  for (let c = 0; c < counts.length; c++) {
    let f = 0;
    let left = allocation[0][c];
    for (let i = 0; i < n; i++) {
      if (encoded[i] !== c) continue;
      while (left === 0) left = allocation[++f][c];
      fold[i] = f;
      left--;
    }
  }
  return fold;
}
