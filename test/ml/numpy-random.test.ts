// numpy's RandomState shuffle and default argsort reproduced (successive halving's subsampled folds
// and tie order), compared with Debian's numpy itself on the same seeds and values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { numpyArgsort, numpyShuffledRange } from '../../server/src/ml/numpy-random';
import { createRng } from '../../server/src/ml/random';

function numpy(script: string, input: unknown): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = spawnSync('/usr/bin/python3', ['-c', `import json, sys, numpy as np\ndata = json.load(sys.stdin)\n${script}`], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `numpy is missing for /usr/bin/python3 (${r.stderr.trim()}): install Debian's python3-numpy`);
  return JSON.parse(r.stdout);
}

test('numpyShuffledRange is np.random.RandomState(seed).shuffle(np.arange(n))', () => {
  const cases = [[1, 42], [2, 42], [10, 42], [427, 42], [1000, 0], [5000, 123456789], [70000, 4294967295]];
  const theirs = numpy('out = []\nfor n, seed in data:\n    a = np.arange(n)\n    np.random.RandomState(seed).shuffle(a)\n    out.append(a.tolist())\nprint(json.dumps(out))', cases);
  cases.forEach(([n, seed], i) => assert.deepEqual(Array.from(numpyShuffledRange(n, seed)), theirs[i], `n ${n} seed ${seed}`));
});

test('numpyArgsort orders equal values as np.argsort does (insertion sort, partitions, NaN last)', () => {
  const rng = createRng(5);
  // Few distinct values, so most are tied: the order of ties is what halving depends on.
  const cases = [3, 16, 17, 18, 40, 100, 1000, 5000].map((n, c) => Array.from({ length: n }, () => (c % 2 === 0 ? Math.floor(rng.next() * 4) / 4 : Math.floor(rng.next() * 50))));
  cases.push(Array(60).fill(0.5), Array.from({ length: 64 }, (_, i) => 64 - i), [0.5, NaN, 0.25, NaN, 0.5, 1, 0.25, NaN, 0, 0.5, 0.75, 0.5, 0.25, 0, 1, 0.5, 0.25, 0.5, NaN, 0.75]);
  const theirs = numpy('print(json.dumps([np.argsort(np.array(v, dtype=float)).tolist() for v in data]))', cases.map((c) => c.map((v) => (Number.isNaN(v) ? null : v))));
  cases.forEach((c, i) => assert.deepEqual(Array.from(numpyArgsort(c)), theirs[i], `case ${i} of ${c.length} values`));
});
