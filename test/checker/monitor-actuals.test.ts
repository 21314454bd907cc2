// The checker reports what the ground-truth join of a monitor would refuse, from the schemas:
// actuals without a predict (NML150), a key column missing on either side (NML151), label files
// without the target (NML152), a time column that is missing or holds no dates (NML153), label
// files that have not arrived (NML205), and drift lists and ground-truth options used wrongly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import type { CheckedPipeline } from '../../server/src/checker/checked-model';
import { parse } from '../../server/src/language/parser';

const fixture = join(__dirname, '..', 'fixtures', 'monitor-days');
const TEXT = readFileSync(join(fixture, 'monitor-days.narml'), 'utf8');

const dir = mkdtempSync(join(tmpdir(), 'narml-actuals-check-'));
cpSync(join(fixture, 'data'), join(dir, 'data'), { recursive: true });
mkdirSync(join(dir, 'inbox'));
mkdirSync(join(dir, 'arrived'));
cpSync(join(fixture, 'incoming', 'day1.csv'), join(dir, 'inbox', 'day1.csv'));
cpSync(join(fixture, 'labels', 'day1.csv'), join(dir, 'arrived', 'day1.csv'));

const check = (text: string): Promise<CheckedPipeline> => checkWithFullSchemas(text, join(dir, 'p.narml'));
const codes = (p: CheckedPipeline): string[] => p.diagnostics.map((d) => d.code);
const find = (p: CheckedPipeline, code: string) => {
  const d = p.diagnostics.find((x) => x.code === code);
  assert.ok(d, `${code} expected; got ${JSON.stringify(p.diagnostics.map((x) => [x.code, x.message]))}`);
  return d;
};

test('the scenario checks clean, and the monitor carries its ground truth and both drift methods', async () => {
  const p = await check(TEXT);
  assert.deepEqual(codes(p), []);
  const info = p.infos.find((i) => i?.kind === 'monitor');
  assert.ok(info?.kind === 'monitor');
  assert.deepEqual(info.drift, [{ name: 'psi', options: { threshold: 0.2 } }, { name: 'ks', options: { threshold: 0.25 } }]);
  assert.deepEqual(info.actuals, { path: join(dir, 'arrived/*.csv'), key: 'id', time: 'scored_on', window: 86_400_000, minRows: 30 });
});

test('`on KEY` is parsed after the actuals value; window: 7d is seven days', async () => {
  const doc = parse('monitor w for m {\n  actuals: "labels/*.csv" on `order id`\n  window: 7d\n}\n');
  assert.deepEqual(doc.syntaxErrors, []);
  const decl = doc.declarations[0];
  assert.ok(decl.kind === 'monitor');
  assert.equal(decl.properties[0].on?.name, 'order id');
  assert.deepEqual(decl.properties[1].value && decl.properties[1].value.kind === 'Duration' ? decl.properties[1].value.ms : undefined, 7 * 86_400_000);
  const p = await check(TEXT.replace('window: 1d', 'window: 7d'));
  const info = p.infos.find((i) => i?.kind === 'monitor');
  assert.equal(info?.kind === 'monitor' ? info.actuals?.window : undefined, 7 * 86_400_000);
});

test('NML150: actuals without a predict as current, with a fix that adds the model\'s predict', async () => {
  const d = find(await check(TEXT.replace('  current: daily\n', '')), 'NML150');
  assert.match(d.message, /set current: to the predict whose rows the labels belong to \(daily\)/);
  assert.deepEqual(d.fixes?.[0].data, { kind: 'add-property', declaration: 'watch', property: 'current: daily' });
});

test('NML151: a key column missing from the predictions\' input or from the labels, with did-you-mean', async () => {
  const d = find(await check(TEXT.replace('on id', 'on ids')), 'NML151');
  assert.match(d.message, /key column "ids" is not in the input of "daily".*did you mean column "id"/);
  assert.deepEqual(d.fixes?.[0].data, { kind: 'replace', with: 'id' });
  // A column the input has but the labels lack.
  const labels = find(await check(TEXT.replace('on id', 'on mean_radius')), 'NML151');
  assert.match(labels.message, /key column "mean_radius" is not in the actuals "arrived\/\*\.csv"/);
});

test('NML152: label files without the target column', async () => {
  mkdirSync(join(dir, 'wrong'), { recursive: true });
  writeFileSync(join(dir, 'wrong', 'l.csv'), 'id,label\n1,benign\n');
  const d = find(await check(TEXT.replace('"arrived/*.csv"', '"wrong/*.csv"')), 'NML152');
  assert.match(d.message, /have no column "diagnosis", the target of model "clf"/);
});

test('NML153: a time column that is missing, or holds numbers rather than dates', async () => {
  assert.match(find(await check(TEXT.replace('time: scored_on', 'time: scored_at')), 'NML153').message, /time column "scored_at" is not in the input of "daily"; did you mean column "scored_on"/);
  const d = find(await check(TEXT.replace('time: scored_on', 'time: mean_radius')), 'NML153');
  assert.match(d.message, /holds numbers, not dates/);
  assert.equal(d.fixes?.[0].data.kind, 'remove');
});

test('NML205: label files that have not arrived are a warning, not an error', async () => {
  const p = await check(TEXT.replace('"arrived/*.csv"', '"later/*.csv"'));
  const d = find(p, 'NML205');
  assert.equal(d.severity, 'warning');
  assert.ok(!p.diagnostics.some((x) => x.severity === 'error'));
});

test('NML116: a method listed twice, a window that is no duration, ground-truth options without actuals, `on` after another key', async () => {
  const twice = find(await check(TEXT.replace('ks(threshold: 0.25)', 'psi(threshold: 0.3)')), 'NML116');
  assert.match(twice.message, /drift method "psi" is listed twice/);
  assert.equal(twice.fixes?.[0].data.kind, 'remove');
  assert.match(find(await check(TEXT.replace('window: 1d', 'window: 5')), 'NML116').message, /window must be a duration such as 1d, 7d or 24h, not the number 5/);
  const without = await check(TEXT.replace('  actuals: "arrived/*.csv" on id\n', ''));
  assert.deepEqual(without.diagnostics.filter((x) => x.code === 'NML116').map((x) => x.message.split(':')[0]).sort(), ['min_rows', 'time', 'window']);
  assert.match(find(await check(TEXT.replace('current: daily', 'current: daily on id')), 'NML116').message, /"on id" only follows actuals:/);
  assert.match(find(await check(TEXT.replace('drift: [psi(threshold: 0.2), ks(threshold: 0.25)]', 'drift: []')), 'NML116').message, /drift needs at least one method/);
});

test('retrain with_actuals: on_alert(…), on_drift(…) and schedule("cron", …) take it; without actuals:, with a value that is no boolean, an unknown option or an ensemble it is NML116', async () => {
  const held = `${TEXT}\nevaluate clf on scaled\n`;
  const retrain = (form: string): string => held.replace('  alert: f1 < 0.7\n', `  alert: f1 < 0.7\n  retrain: ${form}\n`);
  const monitor = (p: CheckedPipeline) => {
    const info = p.infos.find((i) => i?.kind === 'monitor');
    assert.ok(info?.kind === 'monitor');
    return info;
  };
  const errors = (p: CheckedPipeline) => p.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
  const onAlert = await check(retrain('on_alert(with_actuals: true)'));
  assert.deepEqual(errors(onAlert), []);
  assert.deepEqual([monitor(onAlert).retrain, monitor(onAlert).retrainWithActuals], ['on_alert', true]);
  const scheduled = await check(retrain('schedule("0 3 * * 0", with_actuals: true)'));
  assert.deepEqual(errors(scheduled), []);
  assert.deepEqual([monitor(scheduled).retrain, monitor(scheduled).retrainSchedule, monitor(scheduled).retrainWithActuals], ['schedule', '0 3 * * 0', true]);
  const off = await check(retrain('on_drift(with_actuals: false)'));
  assert.deepEqual(errors(off), []);
  assert.deepEqual([monitor(off).retrain, monitor(off).retrainWithActuals], ['on_drift', undefined]);

  const withoutActuals = await check(retrain('on_alert(with_actuals: true)').replace('  actuals: "arrived/*.csv" on id\n  time: scored_on\n  window: 1d\n  min_rows: 30\n', ''));
  assert.deepEqual(errors(withoutActuals), ['NML116 with_actuals: true retrains on the predictions whose labels arrived through actuals:, and this monitor has none; add actuals: "labels/*.csv" on KEY, or remove with_actuals']);
  assert.equal(monitor(withoutActuals).retrainWithActuals, undefined);
  assert.deepEqual(errors(await check(retrain('on_alert(with_actuals: 1)'))), ['NML116 with_actuals takes true or false']);
  assert.deepEqual(errors(await check(retrain('on_alert(every: 2)'))), ['NML116 on_alert takes no option "every"; its option: with_actuals: true']);
  assert.deepEqual(errors(await check(retrain('on_drift(true)'))), ['NML116 on_drift takes only named options: on_drift(with_actuals: true)']);

  const ensemble = retrain('on_alert(with_actuals: true)')
    .replace('monitor watch for clf {', 'model nb from scaled {\n  target: diagnosis\n  features: [mean_radius, mean_texture]\n  algorithm: naive_bayes\n}\n\nmodel both from scaled {\n  target: diagnosis\n  ensemble: voting(of: [clf, nb])\n}\n\nevaluate both on scaled\n\nmonitor watch for both {');
  assert.deepEqual(errors(await check(ensemble)).filter((e) => e.includes('with_actuals')), ['NML116 with_actuals retrains one model on more rows, and "both" is an ensemble; monitor a member with with_actuals, or remove it']);
});
