// Ground truth over three simulated days (test/fixtures/monitor-days, written with its reference
// figures by test/runner/reference/monitor_days.py): each day's inputs are predicted, the labels
// arrive a day late, and day 3 degrades (a shifted feature, 40% of its labels flipped). The alert
// `f1 < 0.7` is judged on the newest day whose labels have arrived: raised on day 4 for day 3,
// not before; every window's metrics equal scikit-learn's on the same joined rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { MonitorJson, MonitorTrendsJson } from '../../server/src/contracts/cli-json';
import { createHash } from 'node:crypto';
import { runPipeline } from '../../server/src/runner/run-pipeline';
import { readStoreData } from '../../server/src/store/run-store';
import { monitorTrends } from '../../server/src/store/monitor-reports';
import { narml } from '../helpers/cli';
import { driftCharts, metricCharts } from '../../webviews/src/trends-data';

const fixture = join(__dirname, '..', 'fixtures', 'monitor-days');
const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { days: Record<string, Record<string, number>> };
const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03'];
/** Each day's drift against the training rows, by scikit-learn and scipy (test/runner/reference/prediction_drift.py). */
const driftReference = (JSON.parse(readFileSync(join(__dirname, 'reference', 'prediction_drift_expected.json'), 'utf8')) as {
  monitor_days: Record<string, { columns: Record<string, Record<string, number>>; prediction: Record<string, number> }>;
}).monitor_days;

/** Day n's drift equals the reference: each feature by psi and ks, the predicted classes by the methods run (ks gives none: classes have no order). */
function assertDrift(m: MonitorJson, n: number): void {
  const ref = driftReference[`day${n}`];
  for (const [method, x] of Object.entries(m.methods)) {
    if (method === 'psi' || method === 'ks') {
      assert.deepEqual(Object.keys(x.scores).sort(), Object.keys(ref.columns).sort());
      for (const [c, v] of Object.entries(ref.columns)) assert.ok(Math.abs(x.scores[c] - v[method]) <= 1e-9, `day ${n} ${method} of ${c}: ${x.scores[c]} vs scipy ${v[method]}`);
    }
    if (method === 'ks') assert.equal(x.prediction, undefined);
    else assert.ok(x.prediction && Math.abs(x.prediction.score - ref.prediction[method]) <= 1e-9, `day ${n} ${method} of the predicted classes: ${x.prediction?.score} vs scipy ${ref.prediction[method]}`);
  }
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-actuals-'));
  cpSync(join(fixture, 'data'), join(dir, 'data'), { recursive: true });
  mkdirSync(join(dir, 'inbox'));
  mkdirSync(join(dir, 'arrived'));
  return dir;
}

/** Day `n` (1-based; 4 = the day after the last): that day's inputs in the inbox, the previous day's labels arrived; runs the pipeline then. */
async function day(dir: string, n: number, text = readFileSync(join(fixture, 'monitor-days.narml'), 'utf8')): Promise<MonitorJson> {
  rmSync(join(dir, 'inbox'), { recursive: true, force: true });
  mkdirSync(join(dir, 'inbox'));
  if (n <= 3) cpSync(join(fixture, 'incoming', `day${n}.csv`), join(dir, 'inbox', `day${n}.csv`));
  if (n >= 2) cpSync(join(fixture, 'labels', `day${n - 1}.csv`), join(dir, 'arrived', `day${n - 1}.csv`));
  const checked = await checkWithFullSchemas(text, join(dir, 'p.narml'));
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked, { now: new Date(`2026-12-0${n}T06:00:00Z`) });
  assert.equal(run.status, 'succeeded', run.error);
  return run.monitors.watch;
}

function assertDay(w: { start: string; rows: number; metrics: Record<string, number> }, date: string): void {
  assert.equal(w.start, `${date}T00:00:00.000Z`);
  const ref = expected.days[date];
  assert.equal(w.rows, ref.rows);
  for (const m of ['accuracy', 'f1', 'precision', 'recall', 'roc_auc']) assert.ok(Math.abs(w.metrics[m] - ref[m]) < 1e-9, `${date} ${m}: ${w.metrics[m]} vs scikit-learn ${ref[m]}`);
}

test('three days of predictions, labels a day late, a degrading day 3: the alert is raised for day 3 once its labels arrive, not before', async () => {
  const dir = workspace();
  const d1 = await day(dir, 1);
  assertDrift(d1, 1);
  assert.equal(d1.alert.raised, false);
  assert.equal(d1.alert.judged, false);
  assert.match(d1.alert.reason, /not judged: no window has min_rows 30 labelled rows yet/);
  assert.deepEqual(d1.actuals?.windows.map((w) => [w.start.slice(0, 10), w.predictions, w.rows]), [['2026-12-01', 90, 0]]);
  assert.equal(d1.actuals?.unlabelled, 90);

  const d2 = await day(dir, 2);
  assertDrift(d2, 2);
  assert.equal(d2.alert.raised, false);
  assert.equal(d2.alert.judged, true);
  assert.deepEqual(d2.alert.window, { start: '2026-12-01T00:00:00.000Z', end: '2026-12-02T00:00:00.000Z', rows: 90 });
  assert.match(d2.alert.reason, /^alert: f1 < 0\.7 does not hold on window 2026-12-01 to 2026-12-02 \(90 labelled rows of 90 predictions\): f1 = 0\.8525; the newer window 2026-12-02 to 2026-12-03 \(0 labelled rows of 90 predictions\) has fewer than min_rows 30 labelled rows and waits for labels$/);
  assert.equal(d2.actuals?.predictRuns, 2);
  assert.equal(d2.actuals?.duplicateLabels, 0);

  const d3 = await day(dir, 3);
  assertDrift(d3, 3);
  assert.equal(d3.alert.raised, false, d3.alert.reason);
  assert.equal(d3.alert.window?.start, '2026-12-02T00:00:00.000Z');
  // The day-2 labels correct one day-1 label (the later wins: day 1's f1 is now 0.8387) and name an id nobody predicted.
  assertDay(d3.actuals!.windows[0], '2026-12-01');
  assertDay(d3.actuals!.windows[1], '2026-12-02');
  assert.equal(d3.actuals?.duplicateLabels, 1);
  assert.equal(d3.actuals?.unmatchedLabels, 1);
  // Day 3's shifted feature drifts by both methods; each method has its own threshold.
  assert.ok(d3.methods.psi.drifted.includes('mean_texture') && d3.methods.ks.drifted.includes('mean_texture'), JSON.stringify(d3.methods));
  assert.equal(d3.methods.ks.threshold, 0.25);
  assert.ok(d3.methods.ks.scores.mean_texture > 0.25);

  const d4 = await day(dir, 4);
  assert.equal(d4.alert.raised, true, d4.alert.reason);
  assert.deepEqual(d4.alert.window, { start: '2026-12-03T00:00:00.000Z', end: '2026-12-04T00:00:00.000Z', rows: 90 });
  assert.match(d4.alert.reason, /^alert: f1 < 0\.7 holds on window 2026-12-03 to 2026-12-04 \(90 labelled rows of 90 predictions\): f1 = 0\.5116$/);
  assert.deepEqual(d4.actuals?.windows.map((w) => w.start.slice(0, 10)), DAYS);
  d4.actuals!.windows.forEach((w, i) => assertDay(w, DAYS[i]));
  assert.equal(d4.actuals?.joined, 270);
  assert.equal(d4.actuals?.unlabelled, 0);

  // The reports stay in the store: the trend over the four runs, through the CLI as the panel reads it.
  const cliRun = narml(['monitor-report', 'p.narml', 'watch', '--json'], dir);
  assert.equal(cliRun.status, 0, cliRun.stderr);
  const trends = JSON.parse(cliRun.stdout) as MonitorTrendsJson;
  assert.deepEqual(trends, monitorTrends(join(dir, 'p.narml'), 'watch', readStoreData(join(dir, 'p.narml'))!.runs));
  assert.deepEqual(trends.runs.map((r) => [r.alert.raised, r.alert.judged]), [[false, false], [false, true], [false, true], [true, true]]);
  assert.deepEqual(trends.runs.map((r) => r.methods.ks.drifted.includes('mean_texture')), [false, false, true, false]);
  assert.deepEqual(trends.windows.map((w) => w.metrics.f1), d4.actuals!.windows.map((w) => w.metrics.f1));
  assert.equal(trends.alert?.condition, 'f1 < 0.7');
  // What the Monitor Trends panel draws from it: ks drift of mean_texture peaks on the third run,
  // above the threshold line; f1 per day falls below the alert's line on the last window.
  const [psi, ks] = driftCharts(trends);
  assert.deepEqual([psi.method, psi.threshold, ks.method, ks.threshold], ['psi', 0.2, 'ks', 0.25]);
  const texture = ks.series.find((s) => s.label === 'mean_texture')!;
  assert.deepEqual(texture.x, [1, 2, 3]);
  assert.ok(texture.y[2] > 0.25 && texture.y[0] < 0.25 && texture.y[1] < 0.25, JSON.stringify(texture.y));
  const f1 = metricCharts(trends)[0];
  assert.equal(f1.metric, 'f1');
  assert.deepEqual(f1.limit, { metric: 'f1', operator: '<', value: 0.7 });
  assert.deepEqual(f1.labels, DAYS);
  f1.series.y.forEach((v, i) => assert.ok(Math.abs(v - expected.days[DAYS[i]].f1) < 1e-9, `${DAYS[i]} f1 ${v}`));
  assert.ok(f1.series.y[2] < 0.7 && f1.series.y[1] > 0.7);
  const text = narml(['monitor-report', 'p.narml', 'watch'], dir).stdout;
  assert.match(text, /alert RAISED/);
  assert.match(text, /2026-12-03T00:00:00.000Z  90\/90 labelled .*f1=0\.51/);
  // Day 4 had no inputs: its report compared nothing, which is not "no drift".
  assert.match(text, /alert RAISED\n    drift nothing compared: that run had no current data\n/);
  writeFileSync(join(dir, 'p.narml'), readFileSync(join(fixture, 'monitor-days.narml'), 'utf8'));
  const again = narml(['run', 'p.narml'], dir);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout + again.stderr, /  watch: no current data to compare, alert raised \(alert: f1 < 0\.7 holds on window 2026-12-03/);
});

test('the predicted classes drift by kl and js as scipy computes them (day 3 against the training rows)', async () => {
  const dir = workspace();
  const text = readFileSync(join(fixture, 'monitor-days.narml'), 'utf8').replace('drift: [psi(threshold: 0.2), ks(threshold: 0.25)]', 'drift: [kl, js(threshold: 0.1)]');
  const d3 = await day(dir, 3, text);
  assertDrift(d3, 3);
  assert.deepEqual(Object.keys(d3.methods), ['kl', 'js']);
  assert.equal(d3.methods.js.prediction?.drifted, true, 'js 0.166 is above its threshold 0.1');
});

test('each stored prediction run records its output\'s sha256 and the artifact of its keyed predictions', async () => {
  const dir = workspace();
  await day(dir, 1);
  const records = readStoreData(join(dir, 'p.narml'))!.runs;
  const daily = records[records.length - 1].predictions.daily;
  assert.equal(daily.sha256, createHash('sha256').update(readFileSync(join(dir, 'out', 'scores.csv'))).digest('hex'));
  const stored = JSON.parse(readFileSync(join(dir, '.narml', 'artifacts', `${daily.stored}.json`), 'utf8')) as { keys: Record<string, string[]>; times: Record<string, number[]>; prediction: number[]; proba: number[] };
  assert.equal(stored.keys.id.length, 90);
  assert.equal(stored.keys.id[0], readFileSync(join(fixture, 'incoming', 'day1.csv'), 'utf8').split('\n')[1].split(',')[0]);
  assert.ok(stored.times.scored_on.every((t) => t === Date.UTC(2026, 11, 1)));
  assert.equal(stored.proba.length, 180);
});

test('without time: a prediction is timed by its predict run, and a repeated key takes the later prediction', async () => {
  const dir = workspace();
  const text = readFileSync(join(fixture, 'monitor-days.narml'), 'utf8').replace('  time: scored_on\n', '');
  await day(dir, 1, text);
  // Day 1's inputs again on day 2: the same keys, predicted later, move to day 2's window.
  rmSync(join(dir, 'inbox', 'day1.csv'));
  cpSync(join(fixture, 'incoming', 'day1.csv'), join(dir, 'inbox', 'again.csv'));
  const checked = await checkWithFullSchemas(text, join(dir, 'p.narml'));
  const run = await runPipeline(checked, { now: new Date('2026-12-02T06:00:00Z') });
  const w = run.monitors.watch;
  assert.equal(w.actuals?.duplicatePredictions, 90);
  assert.deepEqual(w.actuals?.windows.map((x) => [x.start.slice(0, 10), x.predictions]), [['2026-12-02', 90]]);
});

test('labels of a class the model never saw are counted per class and warned about, not silently scored wrong', async () => {
  const dir = workspace();
  await day(dir, 1);
  // Day 1's labels arrive with three rows relabelled as a class the training file never held.
  const lines = readFileSync(join(fixture, 'labels', 'day1.csv'), 'utf8').trimEnd().split('\n');
  const target = lines[0].split(',').indexOf('diagnosis');
  const relabelled = lines.map((l, i) => (i >= 1 && i <= 3 ? l.split(',').map((v, j) => (j === target ? 'indeterminate' : v)).join(',') : l));
  writeFileSync(join(dir, 'arrived', 'day1.csv'), `${relabelled.join('\n')}\n`);
  const checked = await checkWithFullSchemas(readFileSync(join(fixture, 'monitor-days.narml'), 'utf8'), join(dir, 'p.narml'));
  const run = await runPipeline(checked, { now: new Date('2026-12-01T18:00:00Z') });
  assert.equal(run.status, 'succeeded', run.error);
  assert.deepEqual(run.monitors.watch.actuals?.unseenClasses, { model: 'clf', classes: [{ class: 'indeterminate', rows: 3 }] });
  const warning = run.warnings?.find((w) => w.startsWith('monitor watch:'));
  assert.match(warning ?? '', /^monitor watch: 3 labels hold a class that clf was never trained on \(3 of class "indeterminate"\): it cannot predict that class, so those rows count as wrong predictions/);
  // The window still counts them, as wrong: at most 3 fewer right than with the true labels.
  const w = run.monitors.watch.actuals!.windows[0];
  const truth = expected.days['2026-12-01'];
  assert.equal(w.rows, truth.rows);
  assert.ok(w.metrics.accuracy < truth.accuracy && w.metrics.accuracy >= truth.accuracy - 3 / w.rows - 1e-12, `${w.metrics.accuracy} against ${truth.accuracy}`);
  // `narml monitor-report` says it too.
  const report = narml(['monitor-report', join(dir, 'p.narml'), 'watch'], dir);
  assert.equal(report.status, 0, report.stderr);
  assert.match(report.stdout, /warning: 3 labels hold a class that clf was never trained on \(3 of class "indeterminate"\)/);
});

test('retrain with_actuals learns from the labelled predictions whose input rows were kept; earlier ones are counted and left out', async () => {
  const dir = workspace();
  // Day 1 is predicted before with_actuals is declared: its input rows are not kept.
  await day(dir, 1);
  const text = `${readFileSync(join(fixture, 'monitor-days.narml'), 'utf8')}\nevaluate clf on scaled\n`.replace('  alert: f1 < 0.7\n', '  alert: f1 < 0.7\n  retrain: schedule("0 3 * * 0", with_actuals: true)\n');
  const retrainOn = async (n: number) => {
    rmSync(join(dir, 'inbox'), { recursive: true, force: true });
    mkdirSync(join(dir, 'inbox'));
    cpSync(join(fixture, 'incoming', `day${n}.csv`), join(dir, 'inbox', `day${n}.csv`));
    cpSync(join(fixture, 'labels', `day${n - 1}.csv`), join(dir, 'arrived', `day${n - 1}.csv`));
    const checked = await checkWithFullSchemas(text, join(dir, 'p.narml'));
    assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
    const run = await runPipeline(checked, { now: new Date(`2026-12-0${n}T06:00:00Z`), retrainNow: ['watch'] });
    assert.equal(run.status, 'succeeded', run.error);
    return run;
  };
  // Day 2: day 1's labels arrive, but its inputs were not kept: nothing to add; the plain model is judged.
  const second = await retrainOn(2);
  const r2 = second.monitors.watch.retrain!;
  assert.deepEqual(r2.withActuals, { monitor: 'watch', rows: 0, withoutInputs: 90, files: [join(dir, 'arrived', 'day1.csv')] });
  assert.match(r2.reason, /\(with_actuals: no labelled prediction has a kept input yet \(90 were predicted before with_actuals was declared\), so the model was retrained on its training rows alone\); promoted as v1$/);
  const kept = JSON.parse(readFileSync(join(dir, '.narml', 'artifacts', `${second.predictions.daily.stored}.json`), 'utf8')) as { inputs: Record<string, { values?: (number | null)[] }> };
  assert.deepEqual(Object.keys(kept.inputs), ['id', 'scored_on', 'mean_radius', 'mean_texture', 'mean_smoothness', 'mean_concavity']);
  assert.equal(kept.inputs.mean_radius.values![0], Number(readFileSync(join(fixture, 'incoming', 'day2.csv'), 'utf8').split('\n')[1].split(',')[2]));
  // Day 3: day 2's labels arrive for kept inputs: 90 rows join the 299 training rows.
  const third = await retrainOn(3);
  const r3 = third.monitors.watch.retrain!;
  assert.deepEqual([r3.withActuals?.rows, r3.withActuals?.withoutInputs], [90, 90]);
  assert.match(r3.reason, /\(retrained with 90 labelled predictions of actuals added to its training rows; 90 labelled predictions made before with_actuals was declared have no kept input and were left out\)/);
  const records = readStoreData(join(dir, 'p.narml'))!.runs;
  const retrained = records.find((r) => r.retrainOf?.run === third.run)!;
  assert.deepEqual(retrained.retrainOf, { run: third.run, monitor: 'watch' });
  assert.equal(retrained.models.clf.trainRows, third.models.clf.trainRows + 90);
  assert.equal(retrained.models.clf.modelHash, r3.challenger.hash);
  assert.ok(retrained.evaluations.clf_on_scaled, 'the retrained model is evaluated where the pipeline evaluates the model');
  // The model declaration's stored result is the plain model: a run alone reuses it.
  const plain = await runPipeline(await checkWithFullSchemas(text, join(dir, 'p.narml')), { names: ['clf'] });
  assert.deepEqual([plain.reused, plain.models.clf.modelHash], [['clf'], third.models.clf.modelHash]);
});
