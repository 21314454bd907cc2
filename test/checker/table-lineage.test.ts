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
