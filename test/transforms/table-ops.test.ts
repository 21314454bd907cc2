import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatTables, dropColumns, selectRows, setColumn, spliceColumns } from '../../server/src/transforms/table-ops';
import { col, csvTable, nums, texts } from './transform-fixtures';

const t = csvTable('city,temp,day\nParis,12.5,2024-03-01\nLyon,NA,2024-03-02\nNice,18,NA');

test('selectRows copies typed arrays in the given order and shares category levels', () => {
  const s = selectRows(t, Int32Array.from([2, 0, 2]));
  assert.equal(s.rowCount, 3);
  assert.deepEqual(texts(col(s, 'city')), ['Nice', 'Paris', 'Nice']);
  assert.deepEqual(nums(col(s, 'temp')), [18, 12.5, 18]);
  assert.deepEqual(texts(col(s, 'day')), [null, '2024-03-01', null]);
  const a = col(t, 'city');
  const b = col(s, 'city');
  assert.ok('levels' in a && 'levels' in b);
  assert.equal(b.levels, a.levels);
  assert.notEqual(b.codes.buffer, a.codes.buffer);
});

test('setColumn replaces in place or appends; dropColumns and spliceColumns keep the other columns in order', () => {
  const doubled = { type: 'number' as const, values: Float64Array.from([1, 2, 3]) };
  assert.deepEqual(setColumn(t, 'temp', doubled).names, ['city', 'temp', 'day']);
  assert.deepEqual(setColumn(t, 'rank', doubled).names, ['city', 'temp', 'day', 'rank']);
  assert.deepEqual(dropColumns(t, ['temp']).names, ['city', 'day']);
  assert.deepEqual(spliceColumns(t, 'temp', ['a', 'b'], [doubled, doubled]).names, ['city', 'a', 'b', 'day']);
  assert.deepEqual(t.names, ['city', 'temp', 'day']);
});

test('concatTables merges category levels into their sorted union and remaps codes', () => {
  const more = csvTable('city,temp,day\nBrest,9,2024-03-03\nParis,NA,2024-03-04');
  const all = concatTables([t, more]);
  assert.equal(all.rowCount, 5);
  const city = col(all, 'city');
  assert.ok('levels' in city);
  assert.deepEqual(city.levels, ['Brest', 'Lyon', 'Nice', 'Paris']);
  assert.deepEqual(Array.from(city.codes), [3, 1, 2, 0, 3]);
  assert.deepEqual(nums(col(all, 'temp')), [12.5, null, 18, 9, null]);
  assert.deepEqual(texts(col(all, 'day')), ['2024-03-01', '2024-03-02', null, '2024-03-03', '2024-03-04']);
});
