// Keyed splits (`key: id`): a row's part is a function of its key's value and the seed only, so
// the same id lands in the same part in every engine, every run and every file that holds it.
// The hash is the first 32 bits (big-endian) of MD5("<seed>:<key text>"), which TypeScript
// (node:crypto) and SQL (md5() in DuckDB, MD5 in ClickHouse) compute alike; u = h / 2^32 picks
// the first part whose cumulative share exceeds it. Key text: a whole number's digits, a level's
// text, "true"/"false"; a missing key hashes as the empty text. Other numbers are refused (their
// text differs between JavaScript and SQL).
import { createHash } from 'node:crypto';
import type { SplitPart } from '../checker/checked-model';
import type { Column } from '../data/table';
import { EngineError } from './engine-error';
import type { SqlDialect } from './sql-expression';

/** Upper bounds of each part's share of [0, 1), in declaration order (the last is 1). */
export function cumulativeShares(parts: readonly SplitPart[]): number[] {
  const total = parts.reduce((a, p) => a + p.fraction, 0);
  let acc = 0;
  return parts.map((p, i) => (i === parts.length - 1 ? 1 : (acc += p.fraction / total)));
}

export function keyPosition(seed: number, text: string): number {
  return createHash('md5').update(`${seed}:${text}`).digest().readUInt32BE(0) / 4294967296;
}

function notWholeNumber(split: string, key: string, v: number): EngineError {
  return new EngineError(`split "${split}": key "${key}" holds ${v}, which is not a whole number; a key must be whole numbers, text or categories`);
}

/** The rows of each part (ascending) for a key column of `rowCount` rows. */
export function keyedParts(split: { name: string; key: string; seed: number; parts: readonly SplitPart[] }, key: Column, rowCount: number): Record<string, Int32Array> {
  const bounds = cumulativeShares(split.parts);
  const partOf = (u: number): number => {
    let k = 0;
    while (k < bounds.length - 1 && u >= bounds[k]) k++;
    return k;
  };
  const assigned = new Uint8Array(rowCount);
  if ('codes' in key) {
    // Once per level: the hash is the costly part.
    const perLevel = key.levels.map((l) => partOf(keyPosition(split.seed, l)));
    const missing = partOf(keyPosition(split.seed, ''));
    for (let i = 0; i < rowCount; i++) assigned[i] = key.codes[i] < 0 ? missing : perLevel[key.codes[i]];
  } else {
    const cache = new Map<number, number>();
    for (let i = 0; i < rowCount; i++) {
      const v = key.values[i];
      let k = cache.get(v);
      if (k === undefined) {
        if (!Number.isNaN(v) && key.type !== 'boolean' && !Number.isSafeInteger(v)) throw notWholeNumber(split.name, split.key, v);
        const text = Number.isNaN(v) ? '' : key.type === 'boolean' ? (v ? 'true' : 'false') : String(v);
        k = partOf(keyPosition(split.seed, text));
        cache.set(v, k);
      }
      assigned[i] = k;
    }
  }
  return rowsOfParts(split.parts, assigned);
}

/** The rows (ascending) of each part, from each row's part index. */
export function rowsOfParts(parts: readonly SplitPart[], assigned: Uint8Array): Record<string, Int32Array> {
  const counts = new Int32Array(parts.length);
  for (let i = 0; i < assigned.length; i++) counts[assigned[i]]++;
  const out = parts.map((_, k) => new Int32Array(counts[k]));
  const at = new Int32Array(parts.length);
  for (let i = 0; i < assigned.length; i++) out[assigned[i]][at[assigned[i]]++] = i;
  return Object.fromEntries(parts.map((p, k) => [p.part, out[k]]));
}

/** SQL of the part index (0-based, declaration order) of a row with key column `key` of `type`. */
export function keyedPartSql(key: string, type: Column['type'], seed: number, parts: readonly SplitPart[], d: SqlDialect): string {
  const text = type === 'boolean'
    ? `(CASE WHEN ${key} IS NULL THEN '' WHEN ${key} <> 0 THEN 'true' ELSE 'false' END)`
    : type === 'number' ? `coalesce(CAST(CAST(${key} AS BIGINT) AS VARCHAR), '')` : `coalesce(${key}, '')`;
  const u = `(${d.fn.hash32(`${d.string(`${seed}:`)} || ${text}`)} / ${d.number(4294967296)})`;
  const bounds = cumulativeShares(parts);
  return `(CASE ${bounds.slice(0, -1).map((b, k) => `WHEN ${u} < ${d.number(b)} THEN ${k}`).join(' ')} ELSE ${parts.length - 1} END)`;
}
