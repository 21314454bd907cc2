// `narml run` end to end through the built CLI on the samples (real data): the JSON of spec §7,
// reuse of unchanged steps, prediction outputs, a pipeline with errors refused, a killed run
// leaving the store readable, and the scheduler's retries.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, root, sample } from '../helpers/cli';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { fireJob, scheduledJobs } from '../../server/src/scheduler/scheduler';
import { readStoreData } from '../../server/src/store/run-store';



before(() => { ensureBuilt(); });

test('run --json prints the spec JSON and reuses unchanged models', () => {
  const dir = sample('penguins');
  const first = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(first.status, 0, first.stderr);
  const r = JSON.parse(first.stdout);
  for (const key of ['run', 'status', 'evaluations', 'comparisons', 'outputs']) assert.ok(key in r, key);
  assert.equal(r.status, 'succeeded');
  const ev = r.evaluations.species_logistic_on_parts_test;
  assert.equal(ev.model, 'species_logistic');
  assert.ok(ev.metrics.accuracy > 0.95 && ev.metrics.accuracy <= 1, `accuracy ${ev.metrics.accuracy}`);
  assert.ok(ev.metrics.log_loss > 0 && ev.metrics.log_loss < 0.3);
  const cmp = r.comparisons.species_logistic_vs_species_forest_on_parts_test;
  assert.deepEqual(cmp.models, ['species_logistic', 'species_forest']);
  assert.ok(cmp.p_value >= 0 && cmp.p_value <= 1);
  assert.ok(r.outputs.some((o: string) => o.endsWith('.onnx')) && r.outputs.some((o: string) => /species-\d{4}-\d{2}-\d{2}\.csv$/.test(o)));
  const predictions = readFileSync(r.outputs.find((o: string) => o.endsWith('.csv')), 'utf8').trim().split('\n');
  assert.equal(predictions.length, 26, 'a header and every input row');
  assert.match(predictions[0], /,prediction,probability_Adelie,probability_Chinstrap,probability_Gentoo$/);
  const second = JSON.parse(narml(['run', 'penguins.narml', '--json'], dir).stdout);
  assert.deepEqual(second.reused.sort(), ['species_forest', 'species_logistic']);
  assert.deepEqual(second.evaluations.species_forest_on_parts_test.metrics, r.evaluations.species_forest_on_parts_test.metrics);
  const csv = join(dir, 'data', 'penguins.csv');
  writeFileSync(csv, readFileSync(csv, 'utf8').split('\n').slice(0, 300).join('\n'));
  const third = JSON.parse(narml(['run', 'penguins.narml', '--json'], dir).stdout);
  assert.deepEqual(third.reused, [], 'a changed input file retrains');
});

test('run NAME runs only that declaration and what it needs; regression metrics are sane', () => {
  const dir = sample('cars');
  const out = narml(['run', 'cars.narml', 'mpg_linear_on_parts_test', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.deepEqual(Object.keys(r.evaluations), ['mpg_linear_on_parts_test']);
  assert.deepEqual(Object.keys(r.models), ['mpg_linear']);
  const m = r.evaluations.mpg_linear_on_parts_test.metrics;
  assert.ok(m.r2 > 0.7 && m.rmse > 1 && m.rmse < 6, JSON.stringify(m));
});

test('a pipeline with check errors does not run', () => {
  const dir = sample('cars');
  writeFileSync(join(dir, 'cars.narml'), readFileSync(join(dir, 'cars.narml'), 'utf8').replace('metrics: [rmse, mae, r2]', 'metrics: [rmse, accuracy]'));
  const out = narml(['run', 'cars.narml'], dir);
  assert.equal(out.status, 1);
  assert.match(out.stderr, /NML120/);
  assert.equal(existsSync(join(dir, '.narml')), false, 'nothing ran, nothing recorded');
  assert.equal(narml(['run'], dir).status, 2);
  assert.equal(narml(['run', 'missing.narml'], dir).status, 2);
});

test('preview shows rows and column statistics', () => {
  const dir = sample('penguins');
  const out = narml(['preview', 'penguins.narml', 'prepared', '--rows', '5', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const p = JSON.parse(out.stdout);
  assert.equal(p.rows.length, 5);
  assert.equal(p.rowCount, 344);
  const mass = p.columns.find((c: { name: string }) => c.name === 'body_mass');
  assert.ok(Math.abs(mass.mean) < 0.2, 'scaled on training rows: mean near but not exactly 0 over all rows');
  assert.equal(mass.missing, 0);
  const island = p.columns.find((c: { name: string }) => c.name === 'Island_Biscoe');
  assert.equal(island.type, 'number');
});

test('a run killed with -9 mid-way shows as interrupted after the next start, and the next run works', async () => {
  const dir = sample('seattle-weather');
  const child = spawn(process.execPath, [cli, 'run', 'seattle-weather.narml', '--progress', 'json'], { cwd: dir });
  // Killed once training has begun, so the run has been recorded as running.
  await new Promise<void>((resolve) => {
    let log = '';
    child.stderr.on('data', (d) => { log += d; if (/"stage":"train"/.test(log)) resolve(); });
    child.on('exit', () => resolve());
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const file = join(dir, 'seattle-weather.narml');
  assert.deepEqual(readStoreData(file)!.runs.map((r) => r.status), ['interrupted'], 'the dead run is not shown as running');
  const out = narml(['run', 'seattle-weather.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.ok(r.evaluations.weather_gb_on_parts_test.metrics.accuracy > 0.7);
  assert.ok(Array.isArray(r.monitors.weather_watch.drifted));
  const stored = JSON.parse(readFileSync(join(dir, '.narml', 'runs', `${readStoreData(file)!.runs[0].run}.json`), 'utf8'));
  assert.equal(stored.status, 'interrupted', 'rewritten by the next start');
  assert.deepEqual(readStoreData(file)!.runs.map((x) => x.status), ['interrupted', 'succeeded']);
  const history = narml(['history', 'seattle-weather.narml'], dir);
  assert.match(history.stdout, /interrupted/);
});

test('the scheduler retries a failing prediction with back-off and records every attempt', async () => {
  const dir = sample('seattle-weather');
  const file = join(dir, 'seattle-weather.narml');
  const text = readFileSync(file, 'utf8').replace('"data/incoming/*.csv"', '"data/incoming/week-1.csv"');
  writeFileSync(file, text);
  const checked = await checkWithFullSchemas(text, file);
  const [job] = scheduledJobs([checked]);
  assert.equal(job.schedule, '0 6 * * *');
  writeFileSync(join(dir, 'data', 'incoming', 'week-1.csv'), 'broken,"\n');
  const lines: string[] = [];
  const ok = await fireJob(job, (l) => lines.push(l), 10);
  assert.equal(ok, false);
  const attempts = readStoreData(file)!.attempts;
  assert.equal(attempts.length, 3, 'one try and two retries');
  assert.ok(attempts.every((a) => a.status === 'failed' && /week-1\.csv/.test(a.error ?? '')));
  cpSync(join(root, 'samples', 'seattle-weather', 'data', 'incoming', 'week-1.csv'), join(dir, 'data', 'incoming', 'week-1.csv'));
  assert.equal(await fireJob(job, (l) => lines.push(l), 10), true);
});
