// NML201 from sampled rows: a relabelling of the target leaks it, but a column whose every row
// holds its own value (an id, a price written "$1,234.50" and read as text) pairs one-to-one with
// any target and must not be called a leak.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectCopy } from '../../server/src/checker/leakage';
import type { Table } from '../../server/src/data/table';

const n = 40;
const spend = Float64Array.from({ length: n }, (_, i) => ((i * 37) % 101) + 0.5);
const tier = Int32Array.from({ length: n }, (_, i) => i % 3);
const table: Table = {
  names: ['id', 'tier_code', 'spend', 'tier'],
  columns: [
    { type: 'text', codes: Int32Array.from({ length: n }, (_, i) => i), levels: Array.from({ length: n }, (_, i) => `ID-${i}`) },
    { type: 'category', codes: Int32Array.from(tier, (t) => 2 - t), levels: ['x', 'y', 'z'] },
    { type: 'number', values: spend },
    { type: 'category', codes: tier, levels: ['bronze', 'gold', 'silver'] },
  ],
  rowCount: n,
};

test('a column of distinct values is not a relabelling of the target', () => {
  assert.equal(detectCopy(table, 'id', 'spend'), undefined);
  assert.equal(detectCopy(table, 'id', 'tier'), undefined);
});

test('a category that renames the target\'s levels is a relabelling', () => {
  assert.equal(detectCopy(table, 'tier_code', 'tier'), 'a one-to-one relabelling of');
});
