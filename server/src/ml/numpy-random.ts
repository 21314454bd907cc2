// numpy's legacy RandomState (MT19937 seeded by an integer) and the two things scikit-learn does
// with it that NarML reproduces row for row: shuffling indices (RandomState.shuffle, as
// sklearn.utils.resample draws rows without replacement) and numpy's default argsort (the
// introsort whose order of equal values decides which tied candidates successive halving keeps).

const N = 624;
const M = 397;

/** numpy.random.RandomState(seed)'s stream of 32-bit words (mt19937_seed, then genrand). */
export class Mt19937 {
  private readonly key = new Uint32Array(N);
  private pos = N;

  constructor(seed: number) {
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      const x = (s ^ (s >>> 30)) >>> 0;
      // 1812433253 * x mod 2^32 without losing bits: split the multiplier into 16-bit halves.
      s = ((((1812433253 & 0xffff0000) >>> 16) * x << 16) + (1812433253 & 0xffff) * x + i + 1) >>> 0;
    }
  }

  nextUint32(): number {
    const key = this.key;
    if (this.pos >= N) {
      for (let i = 0; i < N; i++) {
        const y = (key[i] & 0x80000000) | (key[(i + 1) % N] & 0x7fffffff);
        key[i] = key[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.pos = 0;
    }
    let y = key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] by masked rejection (numpy's random_interval, max < 2^32). */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0; while (value > max);
    return value;
  }
}

/** np.random.RandomState(seed).shuffle(np.arange(n)): Fisher–Yates from the last position down. */
export function numpyShuffledRange(n: number, seed: number): Int32Array {
  const rng = new Mt19937(seed);
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.interval(i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** numpy's `a < b` for float64 sorting: NaN sorts after every number. */
function less(a: number, b: number): boolean {
  return a < b || (b !== b && a === a);
}

const SMALL = 15;

/**
 * np.argsort(values) with numpy 1.24's default kind ('quicksort': median-of-three introsort with
 * insertion sort of up to 16 elements and heapsort past its depth limit), so equal values come out in
 * numpy's order, which is not the order they came in.
 */
export function numpyArgsort(values: ArrayLike<number>): Int32Array {
  const v = values;
  const num = v.length;
  const idx = Int32Array.from({ length: num }, (_, i) => i);
  const swap = (a: number, b: number): void => { const t = idx[a]; idx[a] = idx[b]; idx[b] = t; };
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = num - 1;
  let depth = num > 1 ? 2 * Math.floor(Math.log2(num)) : 0;
  for (;;) {
    if (depth < 0) heapsort(v, idx, pl, pr - pl + 1);
    else {
      while (pr - pl > SMALL) {
        const pm = pl + ((pr - pl) >> 1);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        if (less(v[idx[pr]], v[idx[pm]])) swap(pr, pm);
        if (less(v[idx[pm]], v[idx[pl]])) swap(pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi; while (less(v[idx[pi]], vp));
          do --pj; while (less(vp, v[idx[pj]]));
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        // The larger part waits on the stack; the smaller is sorted next.
        if (pi - pl < pr - pi) { stack.push(pi + 1, pr); pr = pi - 1; } else { stack.push(pl, pi - 1); pl = pi + 1; }
        depths.push(--depth);
      }
      for (let pi = pl + 1; pi <= pr; pi++) {
        const vi = idx[pi];
        const vp = v[vi];
        let pj = pi;
        while (pj > pl && less(vp, v[idx[pj - 1]])) { idx[pj] = idx[pj - 1]; pj--; }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    depth = depths.pop()!;
  }
  return idx;
}

/** numpy's aheapsort over idx[start .. start + n), for the introsort's depth limit. */
function heapsort(v: ArrayLike<number>, idx: Int32Array, start: number, n: number): void {
  // numpy indexes the heap from 1: a[i] is idx[start + i - 1].
  const at = (i: number): number => idx[start + i - 1];
  const set = (i: number, x: number): void => { idx[start + i - 1] = x; };
  for (let l = n >> 1; l > 0; --l) {
    const tmp = at(l);
    let i = l;
    for (let j = l << 1; j <= n;) {
      if (j < n && less(v[at(j)], v[at(j + 1)])) j += 1;
      if (less(v[tmp], v[at(j)])) { set(i, at(j)); i = j; j += j; } else break;
    }
    set(i, tmp);
  }
  for (; n > 1;) {
    const tmp = at(n);
    set(n, at(1));
    n -= 1;
    let i = 1;
    for (let j = 2; j <= n;) {
      if (j < n && less(v[at(j)], v[at(j + 1)])) j++;
      if (less(v[tmp], v[at(j)])) { set(i, at(j)); i = j; j += j; } else break;
    }
    set(i, tmp);
  }
}
