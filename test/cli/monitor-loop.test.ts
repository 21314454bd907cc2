// The monitoring loop as a user drives it with the CLI, on Seattle's weather (a data set the
// monitor's own scenario does not use): a pipeline that predicts and monitors weather_gb@production
// from the start is trained by naming the model (its @production references are still errors),
// promoted, then fed 2015 in three batches, each batch's labels arriving with the next one. The
// third batch is warmer than any year before (drift) and its labels went wrong (half of them
// swapped), so once they arrive the alert is raised for its newest window, not before, and the
// monitor retrains; a version trained with 2015 is promoted by hand and rolled back.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MonitorTrendsJson, RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml } from '../helpers/cli';

before(() => { ensureBuilt(); });

const pipeline = (trainedBefore: string): string => `dataset weather from "data/seattle-weather.csv"

transform daily from weather {
  filter date < date("${trainedBefore}")
  derive month = month(date)
  derive temp_range = temp_max - temp_min
  drop date
}

split parts from daily {
  train: 80%
  test: 20%
  stratify: weather
  seed: 11
}

model weather_gb from parts.train {
  target: weather
  algorithm: gradient_boosting(rounds: 40, learning_rate: 0.1, max_depth: 3)
}

evaluate weather_gb on parts.test {
  metrics: [accuracy, f1]
}

predict nightly with weather_gb@production from "inbox/*.csv" {
  output: "out/weather.csv"
}

monitor weather_watch for weather_gb@production {
  baseline: parts.train
  current: nightly
  drift: [psi(threshold: 0.2), ks(threshold: 0.2)]
  actuals: "labels/*.csv" on date
  time: date
  window: 30d
  min_rows: 20
  alert: accuracy < 0.6
  retrain: on_alert
}
`;

const [header, ...rows] = readFileSync(join(__dirname, '..', 'fixtures', 'data', 'seattle-weather.csv'), 'utf8').trim().split('\n');
const SWAP: Record<string, string> = { sun: 'rain', rain: 'sun' };

/** Batch n of 2015 (1: Jan–Mar, 2: Apr–Jun, 3: Jul–Sep, 6 °C warmer): inputs without the label, and the labels. */
function batch(n: number): { inputs: string; labels: string } {
  const from = `2015-0${3 * n - 2}-01`, to = n === 3 ? '2015-10-01' : `2015-0${3 * n + 1}-01`;
  const part = rows.filter((r) => r >= from && r < to).map((r) => r.split(','));
  const inputs = part.map(([date, precipitation, max, min, wind]) => (n === 3 ? [date, precipitation, Number(max) + 6, Number(min) + 6, wind] : [date, precipitation, max, min, wind]).join(','));
  // Batch 3's labels went wrong: every other day's sun and rain swapped, the rest called fog.
  const labels = part.map(([date, , , , , weather], i) => `${date},${n === 3 && i % 2 === 0 ? SWAP[weather] ?? 'fog' : weather}`);
  return { inputs: `${header.split(',').slice(0, 5).join(',')}\n${inputs.join('\n')}\n`, labels: `date,weather\n${labels.join('\n')}\n` };
}

function run(dir: string, args: string[]): RunJson {
  const r = narml(['run', 'p.narml', ...args, '--json'], dir);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as RunJson;
}

/** A simulated day: the inbox holds batch `inputs` (none: empty), the labels of batch `labels` arrive; the pipeline runs. */
function day(dir: string, inputs: number | undefined, labels: number | undefined): RunJson {
  rmSync(join(dir, 'inbox'), { recursive: true, force: true });
  mkdirSync(join(dir, 'inbox'));
  if (inputs) writeFileSync(join(dir, 'inbox', `batch${inputs}.csv`), batch(inputs).inputs);
  if (labels) writeFileSync(join(dir, 'labels', `batch${labels}.csv`), batch(labels).labels);
  return run(dir, []);
}

test('train, promote, three batches with late labels, drift, the alert on the newest window, retraining, rollback', { timeout: 600_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-monitor-loop-'));
  mkdirSync(join(dir, 'data'));
  mkdirSync(join(dir, 'labels'));
  mkdirSync(join(dir, 'inbox'));
  writeFileSync(join(dir, 'data', 'seattle-weather.csv'), `${header}\n${rows.join('\n')}\n`);
  writeFileSync(join(dir, 'p.narml'), pipeline('2015-01-01'));

  // Nothing in production yet: the check says how to start, the whole file does not run, the model alone does.
  const checked = narml(['check', 'p.narml'], dir);
  assert.equal(checked.status, 1);
  assert.match(checked.stdout + checked.stderr, /NML133 no run store beside this pipeline yet, so weather_gb has no version in production; train it first \(narml run .*p\.narml weather_gb\), then promote a version: narml promote weather_gb v1 --stage production/);
  assert.equal(narml(['run', 'p.narml'], dir).status, 1);
  const trained = narml(['run', 'p.narml', 'weather_gb'], dir);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, /narml: running weather_gb: the errors above are in declarations it does not need/);
  assert.match(narml(['promote', 'weather_gb', 'v1'], dir).stdout, /weather_gb v1 is now in production/);
  assert.equal(narml(['check', 'p.narml'], dir).status, 0);
  const none = narml(['monitor-report', 'p.narml', 'weather_watch'], dir);
  assert.deepEqual([none.status, none.stdout], [0, `no run of ${join(dir, 'p.narml')} has computed monitor weather_watch yet; run it with \`narml run FILE\`\n`]);
  // A wrong name or file is an error, not "no run yet".
  const wrong = narml(['monitor-report', 'p.narml', 'nightly'], dir);
  assert.equal(wrong.status, 2);
  assert.equal(wrong.stderr, 'narml: "nightly" is not a monitor of p.narml; its monitors: weather_watch\n');
  const missing = narml(['monitor-report', 'nope.narml', 'weather_watch', '--json'], dir);
  assert.deepEqual([missing.status, missing.stdout], [2, '']);
  assert.match(missing.stderr, /^narml: nope\.narml: no such file\n$/);

  // Batch 1, no labels yet: predicted with v1, nothing to judge.
  const d1 = day(dir, 1, undefined);
  assert.equal(d1.predictions.nightly.registry?.version, 'v1');
  const w1 = d1.monitors.weather_watch;
  assert.deepEqual([w1.alert.raised, w1.alert.judged], [false, false]);
  assert.match(w1.alert.reason, /not judged: no window has min_rows 20 labelled rows yet/);
  assert.ok(!('date' in w1.methods.psi.scores), 'dates are not compared');

  // Batch 2 with batch 1's labels: judged on batch 1's newest full window.
  const w2 = day(dir, 2, 1).monitors.weather_watch;
  assert.deepEqual([w2.alert.raised, w2.alert.judged], [false, true]);
  assert.equal(w2.actuals?.unlabelled, 91);
  assert.ok(w2.alert.window!.start < '2015-04-01' && w2.alert.window!.rows >= 20, JSON.stringify(w2.alert.window));

  // Batch 3, warmer, with batch 2's labels: the temperatures drift; the alert is still judged on labelled windows only.
  const w3 = day(dir, 3, 2).monitors.weather_watch;
  for (const m of ['psi', 'ks']) assert.ok(w3.methods[m].drifted.includes('temp_max') && w3.methods[m].drifted.includes('temp_min'), JSON.stringify(w3.methods[m].scores));
  assert.equal(w3.alert.raised, false, w3.alert.reason);
  assert.ok(w3.alert.window!.start < '2015-07-01', JSON.stringify(w3.alert.window));
  assert.match(w3.alert.reason, /newer windows? .* wait for labels/);

  // Batch 3's wrong labels arrive: the alert is raised for the newest window, and the monitor retrains.
  const d4 = day(dir, undefined, 3);
  const w4 = d4.monitors.weather_watch;
  assert.equal(w4.alert.raised, true, w4.alert.reason);
  assert.equal(w4.alert.window?.start, w4.actuals!.windows.at(-1)!.start);
  assert.ok(w4.alert.window!.start > '2015-08-01');
  assert.match(w4.alert.reason, /^alert: accuracy < 0\.6 holds on window 2015-\d\d-\d\d to 2015-\d\d-\d\d \(\d+ labelled rows of \d+ predictions\): accuracy = 0\.\d+$/);
  assert.equal(w4.actuals?.joined, 273);
  assert.deepEqual([w4.retrain?.decision, w4.retrain?.champion?.version], ['kept', 'v1']);
  assert.match(w4.retrain!.reason, /is production v1 itself: the data and the declaration are unchanged/);

  // Trained with 2015 too: v2, promoted by hand, predicts; rolled back, v1 predicts again.
  writeFileSync(join(dir, 'p.narml'), pipeline('2015-10-01'));
  run(dir, ['weather_gb']);
  assert.match(narml(['promote', 'weather_gb', 'v2'], dir).stdout, /weather_gb v2 is now in production; v1 archived/);
  writeFileSync(join(dir, 'inbox', 'again.csv'), batch(1).inputs);
  assert.equal(run(dir, ['nightly']).predictions.nightly.registry?.version, 'v2');
  assert.match(narml(['rollback', 'weather_gb'], dir).stdout, /v1 is in production again; v2 archived/);
  assert.equal(run(dir, ['nightly']).predictions.nightly.registry?.version, 'v1');

  // The monitor's history, as the Trends panel reads it.
  const trends = JSON.parse(narml(['monitor-report', 'p.narml', 'weather_watch', '--json'], dir).stdout) as MonitorTrendsJson;
  assert.deepEqual(trends.runs.map((r) => r.alert.raised), [false, false, false, true]);
  assert.equal(trends.alert?.raised, true);
});
