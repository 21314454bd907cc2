import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateExpression } from '../../server/src/transforms/evaluate-expression';
import { close, csvTable, nums, parseExpr, texts } from './transform-fixtures';

const people = csvTable(`
name,city,age,income,signup,active,note
Ana,Paris,31,52000,2023-12-31,true,Gold member
Ben,Lyon,NA,61000,2024-01-01,false,
Chloé,Paris,45,NA,2024-02-29,NA,silver
Dan,NA,-7,38000,NA,true,GOLD
`, { name: 'text', note: 'text' });

const run = (text: string) => evaluateExpression(parseExpr(text), people);

test('arithmetic propagates missing; division and modulo by zero are missing; % has the sign of the divisor', () => {
  close(nums(run('age + 1')), [32, null, 46, -6]);
  close(nums(run('income / 1000 - age')), [21, null, null, 45]);
  close(nums(run('age / 0')), [null, null, null, null]);
  close(nums(run('age % 3')), [1, null, 0, 2]);
  close(nums(run('age % -3')), [-2, null, 0, -1]);
  close(nums(run('-age * 2')), [-62, null, -90, 14]);
});

test('math functions: domain errors are missing, round halves away from zero, min/max', () => {
  close(nums(run('log(age)')), [Math.log(31), null, Math.log(45), null]);
  close(nums(run('sqrt(age)')), [Math.sqrt(31), null, Math.sqrt(45), null]);
  close(nums(run('abs(age)')), [31, null, 45, 7]);
  close(nums(run('exp(0)')), [1, 1, 1, 1]);
  close(nums(run('round(age / 2)')), [16, null, 23, -4]);
  close(nums(run('round(income / 7, 2)')), [7428.57, 8714.29, null, 5428.57]);
  close(nums(run('min(age, 40)')), [31, null, 40, -7]);
  close(nums(run('max(age, 40)')), [40, null, 45, 40]);
});

test('comparisons with a missing operand are missing; categories compare by level text', () => {
  const over = run('age > 30');
  assert.equal(over.type, 'boolean');
  close(nums(over), [1, null, 1, 0]);
  close(nums(run('city == "Paris"')), [1, 0, 1, null]);
  close(nums(run('city != "Paris"')), [0, 1, 0, null]);
  close(nums(run('name < "C"')), [1, 1, 0, 0]);
});

test('and / or / not are three-valued', () => {
  // active: true, false, missing, true; age > 40: false, missing, true, false
  close(nums(run('active and age > 40')), [0, 0, null, 0]);
  close(nums(run('active or age > 40')), [1, null, 1, 1]);
  close(nums(run('not active')), [0, 1, null, 0]);
  close(nums(run('active and income > 50000')), [1, 0, null, 0]);
});

test('date functions: year/month/day, weekday Monday = 0, days_between from first to second, ISO literals', () => {
  close(nums(run('year(signup)')), [2023, 2024, 2024, null]);
  close(nums(run('month(signup)')), [12, 1, 2, null]);
  close(nums(run('day(signup)')), [31, 1, 29, null]);
  // 2023-12-31 is a Sunday, 2024-01-01 a Monday, 2024-02-29 a Thursday.
  close(nums(run('weekday(signup)')), [6, 0, 3, null]);
  close(nums(run('days_between(signup, date("2024-03-01"))')), [61, 60, 1, null]);
  close(nums(run('signup < "2024-01-01"')), [1, 0, 0, null]);
  const d = run('date("2024-01-01")');
  assert.equal(d.type, 'date');
  close(nums(d), [19723, 19723, 19723, 19723]);
  assert.equal(run('signup + 1').type, 'date');
  assert.deepEqual(texts(run('signup + 1')), ['2024-01-01', '2024-01-02', '2024-03-01', null]);
});

test('text functions work on text and categories; missing propagates', () => {
  const low = run('lower(note)');
  assert.equal(low.type, 'text');
  assert.deepEqual(texts(low), ['gold member', null, 'silver', 'gold']);
  assert.deepEqual(texts(run('upper(city)')), ['PARIS', 'LYON', 'PARIS', null]);
  close(nums(run('length(name)')), [3, 3, 5, 3]);
  close(nums(run('contains(lower(note), "gold")')), [1, null, 0, 1]);
});

test('is_missing, coalesce and if keep the checker\'s types', () => {
  close(nums(run('is_missing(age)')), [0, 1, 0, 0]);
  close(nums(run('is_missing(city)')), [0, 0, 0, 1]);
  close(nums(run('coalesce(age, income, 0)')), [31, 61000, 45, -7]);
  const c = run('coalesce(city, "Nice")');
  assert.equal(c.type, 'category');
  assert.ok('levels' in c);
  assert.deepEqual(c.levels, ['Lyon', 'Nice', 'Paris']);
  assert.deepEqual(texts(c), ['Paris', 'Lyon', 'Paris', 'Nice']);
  close(nums(run('if(age > 40, 1, 0)')), [0, null, 1, 0]);
  const label = run('if(active, city, "none")');
  assert.equal(label.type, 'text');
  assert.deepEqual(texts(label), ['Paris', 'none', null, null]);
  assert.equal(run('city').type, 'category');
});

test('text functions on a dictionary merge levels that become equal', () => {
  const t = csvTable('tier\nGold\nGOLD\nsilver\nNA\ngold', { tier: 'category' });
  const low = evaluateExpression(parseExpr('lower(tier)'), t);
  assert.ok('levels' in low);
  assert.deepEqual([...low.levels].sort(), ['gold', 'silver']);
  assert.deepEqual(texts(low), ['gold', 'gold', 'silver', null, 'gold']);
  close(nums(evaluateExpression(parseExpr('contains(tier, "old")'), t)), [1, 0, 0, null, 1]);
  close(nums(evaluateExpression(parseExpr('"Gold" == tier'), t)), [1, 0, 0, null, 0]);
});

test('a flat chain of 100,000 operators is evaluated without deep recursion, left to right', () => {
  // ((age - 1) - 1) - … : left-associative, so the result is age - 99,999 (not age - 1 + 1 - …).
  close(nums(run(`age${' - 1'.repeat(99_999)}`)), [31 - 99_999, null, 45 - 99_999, -7 - 99_999]);
  close(nums(run(Array(100_000).fill('age > 0').join(' and '))), [1, null, 1, 0]);
});
