import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitTable } from '../../server/src/runner/split-table';
import { col, csvTable } from '../transforms/transform-fixtures';
import type { Column } from '../../server/src/data/table';

const IRIS = '/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv';

function union(parts: Record<string, Int32Array>): number[] {
  return Object.values(parts).flatMap((p) => Array.from(p)).sort((a, b) => a - b);
}

function classCounts(c: Column, rows: Int32Array): Map<number, number> {
  const m = new Map<number, number>();
  for (const r of rows) {
    const k = 'codes' in c ? c.codes[r] : c.values[r];
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

test('train/test sizes follow train_test_split: test = ceil(n × fraction)', () => {
  for (const [n, f, test] of [[10, 0.25, 3], [150, 0.2, 30], [7, 0.3, 3], [101, 0.1, 11]] as const) {
    const parts = splitTable(n, [{ part: 'train', fraction: 1 - f }, { part: 'test', fraction: f }], { seed: 1 });
    assert.equal(parts.test.length, test, `n=${n} f=${f}`);
    assert.equal(parts.train.length, n - test);
    assert.deepEqual(union(parts), Array.from({ length: n }, (_, i) => i));
  }
});

test('three parts: floor each, leftovers to the largest remainders; disjoint and complete', () => {
  const parts = splitTable(11, [{ part: 'train', fraction: 0.6 }, { part: 'validation', fraction: 0.2 }, { part: 'test', fraction: 0.2 }], { seed: 3 });
  // 6.6 / 2.2 / 2.2 → 6 2 2 + the one left over to train
  assert.deepEqual([parts.train.length, parts.validation.length, parts.test.length], [7, 2, 2]);
  assert.deepEqual(union(parts), Array.from({ length: 11 }, (_, i) => i));
});

test('the same seed gives the same parts; another seed another shuffle', () => {
  const spec = [{ part: 'train', fraction: 0.8 }, { part: 'test', fraction: 0.2 }];
  const a = splitTable(200, spec, { seed: 42 });
  const b = splitTable(200, spec, { seed: 42 });
  const c = splitTable(200, spec, { seed: 7 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(Array.from(a.test), Array.from(c.test));
  for (let i = 1; i < a.test.length; i++) assert.ok(a.test[i - 1] < a.test[i], 'rows come back in table order');
});

test('stratified on iris: exact total sizes and every part gets its share of each class', async () => {
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(IRIS, 'utf8').trim().split('\n').slice(1);
  const iris = csvTable('sl,sw,pl,pw,species\n' + lines.join('\n'), { species: 'category' });
  const species = col(iris, 'species');
  const parts = splitTable(150, [{ part: 'train', fraction: 0.7 }, { part: 'test', fraction: 0.3 }], { seed: 5, stratify: species });
  assert.equal(parts.test.length, 45);
  assert.deepEqual([...classCounts(species, parts.test).values()], [15, 15, 15]);
  assert.deepEqual([...classCounts(species, parts.train).values()], [35, 35, 35]);
});

test('stratified with uneven classes: part totals stay exact and class shares are within one row', () => {
  // 23 "no", 9 "yes", 3 missing: fractions 0.6 / 0.2 / 0.2 of 35 rows → 21 / 7 / 7
  const rows = ['y', ...Array(23).fill('no'), ...Array(9).fill('yes'), ...Array(3).fill('NA')];
  const t = csvTable(rows.join('\n'), { y: 'category' });
  const y = col(t, 'y');
  const parts = splitTable(35, [{ part: 'train', fraction: 0.6 }, { part: 'validation', fraction: 0.2 }, { part: 'test', fraction: 0.2 }], { seed: 11, stratify: y });
  assert.deepEqual([parts.train.length, parts.validation.length, parts.test.length], [21, 7, 7]);
  assert.deepEqual(union(parts), Array.from({ length: 35 }, (_, i) => i));
  const sizes = { train: 21, validation: 7, test: 7 };
  for (const [name, rowsOf] of Object.entries(parts)) {
    const counts = classCounts(y, rowsOf);
    for (const [code, classSize] of [[0, 23], [1, 9], [-1, 3]] as const) {
      const want = (classSize * sizes[name as keyof typeof sizes]) / 35;
      const got = counts.get(code) ?? 0;
      assert.ok(Math.abs(got - want) < 1, `${name} class ${code}: ${got} vs ${want}`);
    }
  }
});
