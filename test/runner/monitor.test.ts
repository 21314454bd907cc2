// `monitor ... { current: T }` compares table T exactly as declared: its filter keeps only the
// drifted rows, its derived column is compared, its dropped column is not; the baseline's rows
// go through T's column steps, so a scaled training part and raw new rows are compared on one
// scale. The fixture's "new" rows (one in ten) are shifted; over the whole dataset the shift
// hides below the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import type { MonitorJson } from '../../server/src/contracts/cli-json';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const fixtures = join(__dirname, '..', 'fixtures', 'pipelines');

async function monitorWith(edit: (text: string) => string): Promise<MonitorJson> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-monitor-'));
  cpSync(join(fixtures, 'data', 'sensor-drift.csv'), join(dir, 'data', 'sensor-drift.csv'));
  const file = join(dir, 'monitor.narml');
  const text = edit(readFileSync(join(fixtures, 'filtered-monitor.narml'), 'utf8'));
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  return run.monitors.recent_watch;
}

test('a monitor compares the current table as declared: its filter, derived and dropped columns', async () => {
  const watch = await monitorWith((text) => text);
  assert.deepEqual(Object.keys(watch.scores).sort(), ['x', 'x_doubled'], 'z is dropped from the current table; label is the target');
  assert.ok(watch.scores.x > 1, `psi of the shifted rows: ${watch.scores.x}`);
  assert.deepEqual(watch.drifted.sort(), ['x', 'x_doubled']);
});

test('over the whole dataset x hides its drift below the threshold (the filter is what matters)', async () => {
  const watch = await monitorWith((text) => text.replace('current: recent', 'current: readings'));
  assert.ok(watch.scores.x < 0.2, `whole-data psi ${watch.scores.x}`);
  assert.ok(!watch.drifted.includes('x'));
  assert.ok(watch.drifted.includes('period'), 'the training rows hold only "old" periods');
});

test('a scaled training part against raw new rows compares like with like: no drift where there is none', async () => {
  // The baseline is scaled; the current table is raw rows of the same (old) period.
  const watch = await monitorWith((text) => text
    .replace('  derive x_doubled = x * 2\n  drop period\n}', '  derive x_doubled = x * 2\n  drop period\n  scale x, z with standard\n}')
    .replace('current: recent', 'current: old_again')
    .concat('\ntransform old_again from readings {\n  filter period == "old"\n  drop period\n}\n'));
  assert.deepEqual(Object.keys(watch.scores).sort(), ['x', 'z']);
  assert.deepEqual(watch.drifted, [], JSON.stringify(watch.scores));
});

for (const method of ['kl', 'js', 'wasserstein', 'ks']) {
  test(`drift: ${method} with its default threshold flags the shifted rows and raises the drift alert`, async () => {
    const watch = await monitorWith((text) => text
      .replace('drift: psi(threshold: 0.2)', `drift: ${method}\n  alert: drift > 0\n  retrain: on_alert`));
    assert.deepEqual(watch.drifted.sort(), ['x', 'x_doubled'], JSON.stringify(watch.scores));
    assert.equal(watch.alert.raised, true);
    assert.match(watch.alert.reason, /^alert: drift > 0 holds on the evaluation metrics of this run: drift = 1/);
    assert.equal(watch.retrained, true);
  });
}

test('drift: js over the whole dataset keeps x under the threshold; the category period drifts by its levels', async () => {
  const watch = await monitorWith((text) => text.replace('current: recent', 'current: readings').replace('psi(threshold: 0.2)', 'js(threshold: 0.15)'));
  assert.ok(watch.scores.x < 0.15, `whole-data js ${watch.scores.x}`);
  assert.ok(watch.drifted.includes('period'), JSON.stringify(watch.scores));
});

test('an unknown drift method is NML116 naming every method; a known one checks clean', async () => {
  const text = readFileSync(join(fixtures, 'filtered-monitor.narml'), 'utf8');
  const file = join(fixtures, 'filtered-monitor.narml');
  const bad = await checkWithFullSchemas(text.replace('psi(threshold: 0.2)', 'hellinger(threshold: 0.2)'), file);
  const d = bad.diagnostics.find((x) => x.code === 'NML116');
  assert.match(d?.message ?? '', /unknown drift method "hellinger".*psi, ks, kl, js, wasserstein/, JSON.stringify(bad.diagnostics));
  assert.ok(!hasErrors(await checkWithFullSchemas(text.replace('psi(threshold: 0.2)', 'js(threshold: 0.3)'), file)));
});

test('the prediction distribution is compared too: the shifted rows change the predicted classes', async () => {
  const shifted = await monitorWith((text) => text.replace('psi(threshold: 0.2)', 'js(threshold: 0.1)'));
  assert.ok(shifted.prediction && shifted.prediction.score > 0.1 && shifted.prediction.drifted, JSON.stringify(shifted.prediction));
  const same = await monitorWith((text) => text.replace('current: recent', 'current: parts.test').replace('psi(threshold: 0.2)', 'js(threshold: 0.1)'));
  assert.ok(same.prediction && !same.prediction.drifted, JSON.stringify(same.prediction));
  // Predicted classes have no order: the ordered-number methods report no prediction drift.
  const byKs = await monitorWith((text) => text.replace('psi(threshold: 0.2)', 'ks'));
  assert.equal(byKs.prediction, undefined);
});

test('without actuals: the alert is judged on the run\'s evaluation metrics and its reason names the values', async () => {
  const none = await monitorWith((text) => text);
  assert.deepEqual(none.alert, { raised: false, judged: false, reason: 'no alert: condition', window: null });
  const high = await monitorWith((text) => text.replace('drift: psi(threshold: 0.2)', 'drift: psi(threshold: 0.2)\n  alert: accuracy < 1.01 and f1 >= 0'));
  assert.equal(high.alert.raised, true);
  assert.equal(high.alert.judged, true);
  assert.equal(high.alert.window, null);
  assert.match(high.alert.reason, /^alert: accuracy < 1\.01 and f1 >= 0 holds on the evaluation metrics of this run: accuracy = 0?\.?\d+(\.\d+)?, f1 = /);
  const low = await monitorWith((text) => text.replace('drift: psi(threshold: 0.2)', 'alert: accuracy < 0'));
  assert.equal(low.alert.raised, false);
  assert.match(low.alert.reason, /does not hold/);
});

/** Expected drift of whole runs, by scikit-learn and scipy (test/runner/reference/prediction_drift.py). */
const reference = JSON.parse(readFileSync(join(__dirname, 'reference', 'prediction_drift_expected.json'), 'utf8')) as {
  cars: { columns: Record<string, Record<string, number>>; prediction: Record<string, number> };
};

test('a regression\'s columns and predicted values drift by every method as scipy computes them; date and text columns are not compared', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-monitor-'));
  cpSync(join(__dirname, '..', 'fixtures', 'data', 'cars.csv'), join(dir, 'data', 'cars.csv'));
  const text = `dataset cars from "data/cars.csv" {
  columns {
    Name: text
  }
}

transform early from cars {
  filter Year < date("1976-01-01")
  drop_missing Miles_per_Gallon, Horsepower
}

transform late from cars {
  filter Year >= date("1976-01-01")
  drop_missing Miles_per_Gallon, Horsepower
}

model mpg from early {
  target: Miles_per_Gallon
  features: [Weight_in_lbs, Horsepower]
  algorithm: linear_regression
}

monitor later for mpg {
  current: late
  drift: [psi, ks, kl, js, wasserstein]
}
`;
  const checked = await checkWithFullSchemas(text, join(dir, 'cars.narml'));
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked);
  assert.equal(run.status, 'succeeded', run.error);
  const watch = run.monitors.later;
  // Later cars have later dates (Year) and other names (Name): neither is drift.
  for (const m of Object.values(watch.methods)) assert.ok(!('Year' in m.scores) && !('Name' in m.scores), JSON.stringify(m.scores));
  for (const [method, m] of Object.entries(watch.methods)) {
    const expected = Object.fromEntries(Object.entries(reference.cars.columns).filter(([, v]) => method in v).map(([c, v]) => [c, v[method]]));
    assert.deepEqual(Object.keys(m.scores).sort(), Object.keys(expected).sort(), method);
    for (const [c, want] of Object.entries(expected)) assert.ok(Math.abs(m.scores[c] - want) <= 1e-9 * Math.max(1, want), `${method} of ${c}: ${m.scores[c]} vs scipy ${want}`);
    const want = reference.cars.prediction[method];
    assert.ok(m.prediction && Math.abs(m.prediction.score - want) <= 1e-9 * Math.max(1, want), `${method} of the predicted mpg: ${m.prediction?.score} vs scipy ${want}`);
  }
});
