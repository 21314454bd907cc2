import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applySteps, fitSteps } from '../../server/src/transforms/fit-steps';
import { allRows, selectRows } from '../../server/src/transforms/table-ops';
import { close, col, csvTable, nums, parseSteps, texts } from './transform-fixtures';

const customers = csvTable(`
id,plan,age,income,visits,signup,churned
1,basic,34,52000,2,2023-03-14,no
2,pro,NA,61000,4,2023-07-01,yes
3,basic,29,NA,4,2022-11-20,no
4,team,51,88000,4,2024-01-05,no
5,pro,42,70000,5,2023-09-09,yes
6,NA,38,45000,5,2023-05-30,no
7,team,60,39000,7,2023-02-11,no
8,basic,NA,41000,9,2023-10-02,yes
`);

const fit = (body: string, t = customers) => fitSteps(parseSteps(body), t);

test('impute: mean, median of an even count (average of the middle two), mode ties → smallest, constant', () => {
  // age present: 34 29 51 42 38 60 → sorted 29 34 38 42 51 60
  const { fitted, result } = fit('impute age with median\nimpute income with mean\nimpute plan with mode');
  assert.deepEqual(fitted.map((s) => s.kind === 'impute' && s.value), [40, 396000 / 7, 'basic']);
  close(nums(col(result.table, 'age')), [34, 40, 29, 51, 42, 38, 60, 40]);
  close(nums(col(result.table, 'income')), [52000, 61000, 396000 / 7, 88000, 70000, 45000, 39000, 41000]);
  assert.deepEqual(texts(col(result.table, 'plan')), ['basic', 'pro', 'basic', 'team', 'pro', 'basic', 'team', 'basic']);
  // visits 2 4 4 4 5 5 7 9: mode 4; on the first 6 rows 4 (×3) beats 5 (×2)
  const tie = csvTable('v,c\n3,b\n1,a\n3,b\n1,a\nNA,NA');
  const m = fit('impute v, c with mode', tie);
  assert.deepEqual(m.fitted.map((s) => s.kind === 'impute' && s.value), [1, 'a']);
  const k = fit('impute plan with constant("unknown")\nimpute age with constant(0)');
  assert.deepEqual(texts(col(k.result.table, 'plan')), ['basic', 'pro', 'basic', 'team', 'pro', 'unknown', 'team', 'basic']);
  const plan = col(k.result.table, 'plan');
  assert.ok('levels' in plan);
  assert.deepEqual(plan.levels, ['basic', 'pro', 'team', 'unknown']);
  close(nums(col(k.result.table, 'age')), [34, 0, 29, 51, 42, 38, 60, 0]);
});

test('scale: standard with the population std (ddof 0), minmax, robust with numpy percentiles, constant column → scale 1', () => {
  const t = csvTable('x,y,z\n2,1,3\n4,2,3\n4,3,3\n4,4,3\n5,5,3\n5,6,3\n7,100,3\n9,NA,3');
  const { fitted, result } = fit('scale x with standard\nscale y with robust\nscale z with minmax', t);
  // x: mean 5, population std 2. y: 1 2 3 4 5 6 100 → median 4, q25 (pos 1.5) 2.5, q75 (pos 4.5) 5.5.
  assert.deepEqual(fitted.map((s) => s.kind === 'scale' && [s.center, s.scale]), [[5, 2], [4, 3], [3, 1]]);
  close(nums(col(result.table, 'x')), [-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2]);
  close(nums(col(result.table, 'y')), [-1, -2 / 3, -1 / 3, 0, 1 / 3, 2 / 3, 32, null]);
  close(nums(col(result.table, 'z')), [0, 0, 0, 0, 0, 0, 0, 0]);
  const mm = fit('scale x with minmax', t);
  close(nums(col(mm.result.table, 'x')), [0, 2 / 7, 2 / 7, 2 / 7, 3 / 7, 3 / 7, 5 / 7, 1]);
});

test('encode onehot: C_level columns in sorted order where C was; missing and unseen → all 0', () => {
  const { fitted, result } = fit('encode plan as onehot');
  assert.deepEqual(result.table.names, ['id', 'plan_basic', 'plan_pro', 'plan_team', 'age', 'income', 'visits', 'signup', 'churned']);
  close(nums(col(result.table, 'plan_basic')), [1, 0, 1, 0, 0, 0, 0, 1]);
  close(nums(col(result.table, 'plan_team')), [0, 0, 0, 1, 0, 0, 1, 0]);
  const later = csvTable('id,plan\n9,enterprise\n10,pro\n11,NA');
  const applied = applySteps(fitted, later, 'predict').table;
  assert.deepEqual(applied.names, ['id', 'plan_basic', 'plan_pro', 'plan_team']);
  // rows: enterprise (unseen), pro, missing
  assert.deepEqual(applied.columns.slice(1).map(nums), [[0, 0, 0], [0, 1, 0], [0, 0, 0]]);
});

test('encode onehot learns only the levels present in the training rows', () => {
  const train = selectRows(customers, Int32Array.from([0, 1, 2]));
  const { fitted } = fit('encode plan as onehot', train);
  assert.deepEqual(fitted[0].kind === 'onehot' && fitted[0].outputs, ['plan_basic', 'plan_pro']);
});

test('encode ordinal: sorted level index, missing stays missing, unseen → missing', () => {
  const { fitted, result } = fit('encode plan as ordinal');
  close(nums(col(result.table, 'plan')), [0, 1, 0, 2, 1, null, 2, 0]);
  const later = applySteps(fitted, csvTable('plan\nteam\nenterprise\nNA'), 'predict').table;
  close(nums(col(later, 'plan')), [2, null, null]);
});

test('clip to literal bounds and to learned quantiles (numpy linear)', () => {
  const t = csvTable('x\n1\n2\n3\n4\n5\n100\nNA');
  close(nums(col(fit('clip x to [2, 10]', t).result.table, 'x')), [2, 2, 3, 4, 5, 10, null]);
  // positions 0.5 and 4.5 of 1 2 3 4 5 100 → 1.5 and 52.5
  const q = fit('clip x to quantile(0.1, 0.9)', t);
  assert.deepEqual(q.fitted[0].kind === 'clip' && [q.fitted[0].lo, q.fitted[0].hi], [1.5, 52.5]);
  close(nums(col(q.result.table, 'x')), [1.5, 2, 3, 4, 5, 52.5, null]);
});

test('cast: text → category, number → text, text → number with unparsable → missing', () => {
  const t = csvTable('code,amount,raw\nb7,10,3.5\na1,2.5,n/a-ish\nb7,NA,-4', { code: 'text', raw: 'text' });
  const r = fit('cast code as category\ncast amount as text\ncast raw as number', t).result.table;
  const code = col(r, 'code');
  assert.equal(code.type, 'category');
  assert.ok('levels' in code);
  assert.deepEqual(code.levels, ['a1', 'b7']);
  assert.deepEqual(texts(code), ['b7', 'a1', 'b7']);
  assert.equal(col(r, 'amount').type, 'text');
  assert.deepEqual(texts(col(r, 'amount')), ['10', '2.5', null]);
  close(nums(col(r, 'raw')), [3.5, null, -4]);
});

test('column order: rename keeps position, keep keeps table order, drop removes, derive appends or replaces in place', () => {
  const r = fit('rename visits to n_visits\nkeep churned, id, n_visits, age\nderive ratio = n_visits / 2\nderive age = age + 1\ndrop id').result.table;
  assert.deepEqual(r.names, ['age', 'n_visits', 'churned', 'ratio']);
  close(nums(col(r, 'ratio')), [1, 2, 2, 2, 2.5, 2.5, 3.5, 4.5]);
  close(nums(col(r, 'age')), [35, null, 30, 52, 43, 39, 61, null]);
});

test('derive with date and text functions as a step', () => {
  const r = fit('derive tenure = days_between(signup, date("2024-01-01"))\nderive big = upper(plan)').result.table;
  close(nums(col(r, 'tenure')), [293, 184, 407, -4, 114, 216, 324, 91]);
  assert.deepEqual(texts(col(r, 'big')), ['BASIC', 'PRO', 'BASIC', 'TEAM', 'PRO', null, 'TEAM', 'BASIC']);
});

test('filter keeps rows only where the condition is true (missing drops the row); rowMap points at input rows', () => {
  const { fitted, result } = fit('filter age > 35 or plan == "pro"');
  // age>35: F M F T T T T M ; plan==pro: F T F F T M F F → T T F T T T T M
  assert.deepEqual(nums(col(result.table, 'id')), [2, 4, 5, 6, 7]);
  assert.deepEqual(Array.from(result.rowMap), [1, 3, 4, 5, 6]);
  assert.equal(fitted[0].kind === 'filter' && fitted[0].rowStep, true);
});

test('drop_missing over all columns and over listed ones', () => {
  assert.deepEqual(nums(col(fit('drop_missing').result.table, 'id')), [1, 4, 5, 7]);
  assert.deepEqual(nums(col(fit('drop_missing age').result.table, 'id')), [1, 3, 4, 5, 6, 7]);
  assert.deepEqual(nums(col(fit('drop_missing age, plan').result.table, 'id')), [1, 3, 4, 5, 7]);
});

test('dedupe by all columns and by listed columns keeps the first occurrence', () => {
  const t = csvTable('a,b,c\nx,1,p\ny,2,q\nx,1,p\nx,1,r\nNA,3,s\nNA,3,s');
  const all = fit('dedupe', t).result;
  assert.deepEqual(Array.from(all.rowMap), [0, 1, 3, 4]);
  const listed = fit('dedupe a, b', t).result;
  assert.deepEqual(Array.from(listed.rowMap), [0, 1, 4]);
  assert.deepEqual(texts(col(listed.table, 'c')), ['p', 'q', 's']);
});

test('each step sees the previous one: impute before scale scales the imputed values', () => {
  const t = csvTable('x\n1\nNA\n5');
  const { fitted, result } = fit('impute x with mean\nscale x with standard', t);
  // imputed 1 3 5 → mean 3, population std sqrt(8/3)
  const s = fitted[1];
  assert.ok(s.kind === 'scale');
  close([s.center, s.scale], [3, Math.sqrt(8 / 3)]);
  close(nums(col(result.table, 'x')), [-2 / Math.sqrt(8 / 3), 0, 2 / Math.sqrt(8 / 3)]);
});

test('fitted on training rows only: other rows get the training parameters', () => {
  const train = selectRows(customers, Int32Array.from([0, 2, 4, 6]));
  const rest = selectRows(customers, Int32Array.from([1, 3, 5, 7]));
  // train: age 34 29 42 60 (mean 41.25), income 52000 NA 70000 39000 (median 52000)
  const { fitted } = fit('impute age with mean\nimpute income with median\nscale visits with minmax', train);
  const out = applySteps(fitted, rest, 'train').table;
  close(nums(col(out, 'age')), [41.25, 51, 38, 41.25]);
  close(nums(col(out, 'income')), [61000, 88000, 45000, 41000]);
  // train visits 2 4 5 7 → min 2, range 5; rest 4 4 5 9
  close(nums(col(out, 'visits')), [0.4, 0.4, 0.6, 1.4]);
});

test('predict mode skips row steps and keeps every input row in order', () => {
  const { fitted, result } = fit('drop_missing\nfilter visits < 5\nimpute age with median\ndedupe visits');
  assert.deepEqual(Array.from(result.rowMap), [0, 3]);
  const p = applySteps(fitted, customers, 'predict');
  assert.equal(p.table.rowCount, customers.rowCount);
  assert.deepEqual(Array.from(p.rowMap), Array.from(allRows(customers.rowCount)));
  // the median was learned on the rows left after the row steps: ages 34 and 51
  close(nums(col(p.table, 'age')), [34, 42.5, 29, 51, 42, 38, 60, 42.5]);
});

test('a step on a column that is not there says which columns exist', () => {
  assert.throws(() => fit('impute salary with mean'), /column "salary" is not in the table \(columns: id, plan/);
});

test('a derived copy of a category is text, as the checker types it', () => {
  const { fitted, result } = fit('derive tier = coalesce(plan, "none")');
  assert.equal(fitted[0].kind === 'derive' && fitted[0].type, 'text');
  assert.equal(col(result.table, 'tier').type, 'text');
  assert.deepEqual(texts(col(result.table, 'tier')), ['basic', 'pro', 'basic', 'team', 'pro', 'none', 'team', 'basic']);
});

test('clip with learned bounds on a column without values says so', () => {
  assert.throws(() => fit('clip x to quantile(0.05, 0.95)', csvTable('x,y\nNA,1\nNA,2')), /no values in the training rows/);
});

test('cast between dictionary types: category → text keeps the values, text → category sorts the levels', () => {
  const t = csvTable('code\nzeta\nalpha\nNA\nmu', { code: 'text' });
  const asCategory = col(fit('cast code as category', t).result.table, 'code');
  assert.ok('levels' in asCategory);
  assert.equal(asCategory.type, 'category');
  assert.deepEqual(asCategory.levels, ['alpha', 'mu', 'zeta']);
  assert.deepEqual(texts(asCategory), ['zeta', 'alpha', null, 'mu']);
  const back = col(fit('cast code as category\ncast code as text', t).result.table, 'code');
  assert.equal(back.type, 'text');
  assert.deepEqual(texts(back), ['zeta', 'alpha', null, 'mu']);
  const n = col(fit('cast plan as number').result.table, 'plan');
  assert.deepEqual(nums(n), [null, null, null, null, null, null, null, null]);
});
