// The lineage forest's ancestor test (jump pointers) against walking parent by parent, on
// random forests and on a 20,000-table chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableLineage } from '../../server/src/checker/table-lineage';
import { random } from '../helpers/mutate-pipeline';

test('overlaps agrees with walking up the parents, on random forests', () => {
  const rand = random(42);
  for (let forest = 0; forest < 20; forest++) {
    const lineage = new TableLineage();
    const parents: (number | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      const parent = i === 0 || rand.next(10) === 0 ? undefined : rand.next(10) < 7 ? i - 1 : rand.next(i);
      parents.push(parent);
      lineage.add(`t${i}`, parent === undefined ? undefined : `t${parent}`);
    }
    const descends = (a: number, b: number): boolean => {
      for (let x: number | undefined = a; x !== undefined; x = parents[x]) if (x === b) return true;
      return false;
    };
    for (let q = 0; q < 2_000; q++) {
      const a = rand.next(300), b = rand.next(300);
      assert.equal(lineage.overlaps(`t${a}`, `t${b}`), descends(a, b) || descends(b, a), `t${a} and t${b}`);
    }
  }
});

test('a 20,000-table chain: the ends overlap, separate branches do not', () => {
  const lineage = new TableLineage();
  lineage.add('d', undefined);
  for (let i = 0; i < 20_000; i++) lineage.add(`t${i}`, i === 0 ? 'd' : `t${i - 1}`);
  lineage.add('parts.train', 't19999');
  lineage.add('parts.test', 't19999');
  assert.ok(lineage.overlaps('parts.train', 'd'));
  assert.ok(lineage.overlaps('t5', 'parts.test'));
  assert.ok(!lineage.overlaps('parts.train', 'parts.test'));
  assert.ok(!lineage.overlaps('parts.train', 'elsewhere'));
});

test('parts of two different splits of one table overlap; parts of one split and two transforms do not', () => {
  const rand = random(7);
  for (let forest = 0; forest < 20; forest++) {
    const lineage = new TableLineage();
    const parents: (number | undefined)[] = [];
    const splits: (string | undefined)[] = [];
    for (let i = 0; i < 300; i++) {
      const parent = i === 0 || rand.next(10) === 0 ? undefined : rand.next(10) < 6 ? i - 1 : rand.next(i);
      // A third of the tables are parts of one of two splits of their parent.
      const split = parent !== undefined && rand.next(3) === 0 ? `s${parent}_${rand.next(2)}` : undefined;
      parents.push(parent);
      splits.push(split);
      lineage.add(`t${i}`, parent === undefined ? undefined : `t${parent}`, split);
    }
    const path = (a: number): number[] => {
      const out: number[] = [];
      for (let x: number | undefined = a; x !== undefined; x = parents[x]) out.push(x);
      return out;
    };
    const brute = (a: number, b: number): boolean => {
      const pa = path(a), pb = path(b);
      if (pa.includes(b) || pb.includes(a)) return true;
      const common = pa.find((x) => pb.includes(x));
      if (common === undefined) return false;
      const ca = pa[pa.indexOf(common) - 1], cb = pb[pb.indexOf(common) - 1];
      return splits[ca] !== undefined && splits[cb] !== undefined && splits[ca] !== splits[cb];
    };
    for (let q = 0; q < 2_000; q++) {
      const a = rand.next(300), b = rand.next(300);
      assert.equal(lineage.overlaps(`t${a}`, `t${b}`), brute(a, b), `t${a} and t${b}`);
    }
  }
});

test('NML200 when a model is evaluated on a part of another split of its data (the two draws share rows)', async () => {
  const { checkPipeline } = await import('../../server/src/checker/check-pipeline');
  const { CsvSchemaCache } = await import('../../server/src/data/csv-schema-cache');
  const { join } = await import('node:path');
  const cache = new CsvSchemaCache();
  const file = join(__dirname, 'case.narml');
  const base = `dataset iris from "../fixtures/data/iris.csv"
split a from iris { train: 80%, test: 20%, seed: 1 }
split b from iris { train: 80%, test: 20%, seed: 2 }
transform late from iris { filter sepal_length_cm > 6 }
transform early from iris { filter sepal_length_cm <= 6 }
model m from a.train { target: species, algorithm: knn }
model n from early { target: species, algorithm: knn }`;
  const codes = (extra: string): string[] => checkPipeline(`${base}\n${extra}`, file, cache).diagnostics.filter((d) => d.code === 'NML200').map((d) => d.message);
  const other = codes('evaluate m on b.test { metrics: [accuracy] }');
  assert.equal(other.length, 1, 'another split of the same rows');
  assert.match(other[0], /"b.test", which holds the rows it was trained on \(a.train\)/);
  assert.deepEqual(codes('evaluate m on a.test { metrics: [accuracy] }'), [], 'the held-out part of its own split');
  assert.deepEqual(codes('evaluate n on late { metrics: [accuracy] }'), [], 'two filters of one table may be disjoint: no warning');
});
