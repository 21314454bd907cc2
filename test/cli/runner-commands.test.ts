// The runner's CLI commands through the built bundle on the penguins sample (real data):
// preview of split parts (steps fitted on the training part only), pages of a served preview
// (sorted by a column), history and models after a
// run, predict now, usage errors (exit 2) and SIGINT cancelling a run (exit 130, store readable).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, sample } from '../helpers/cli';
import { readStoreData } from '../../server/src/store/run-store';

before(() => { ensureBuilt(); });

test('preview of split parts: scaling is fitted on the train part only', () => {
  const dir = sample('penguins');
  const column = (part: string, name: string): { mean: number; min: number; max: number; missing: number } => {
    const out = narml(['preview', 'penguins.narml', part, '--rows', '3', '--json'], dir);
    assert.equal(out.status, 0, out.stderr);
    const p = JSON.parse(out.stdout);
    assert.equal(p.rows.length, 3);
    return p.columns.find((c: { name: string }) => c.name === name);
  };
  const train = column('parts.train', 'body_mass');
  const test = column('parts.test', 'body_mass');
  assert.ok(Math.abs(train.mean) < 1e-9, `train mean ${train.mean} is 0: the scaler learned it there`);
  assert.ok(Math.abs(test.mean) > 1e-4, `test mean ${test.mean} is not 0: the scaler was not refit on test rows`);
  assert.equal(test.missing, 0, 'imputed with the train median');
  const all = narml(['preview', 'penguins.narml', 'parts.train', '--json'], dir);
  const allTest = narml(['preview', 'penguins.narml', 'parts.test', '--json'], dir);
  assert.equal(JSON.parse(all.stdout).rowCount + JSON.parse(allTest.stdout).rowCount, 344);
  assert.equal(narml(['preview', 'penguins.narml', 'species_forest'], dir).status, 2, 'a model is not a table');
  assert.equal(narml(['preview', 'penguins.narml', 'parts.train', '--rows', 'many'], dir).status, 2);
});

test('preview --serve pages every row of a table, sorted by a column on request, missing cells last', () => {
  const dir = sample('penguins');
  const requests = [
    { id: 1, start: 340, count: 10 },
    { id: 2, start: 0, count: 344, sort: { column: 5, descending: false } },
    { id: 3, start: 0, count: 344, sort: { column: 5, descending: true } },
    { id: 4, start: 0, count: 3, sort: { column: 0, descending: false } },
    { id: 5, start: 0, count: 1, sort: { column: 99, descending: false } },
  ];
  const r = spawnSync(process.execPath, [cli, 'preview', 'penguins.narml', 'penguins', '--rows', '5', '--serve'], { cwd: dir, encoding: 'utf8', input: requests.map((q) => JSON.stringify(q)).join('\n'), timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  const [preview, ...pages] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(preview.rowCount, 344);
  assert.equal(preview.rows.length, 5);
  assert.deepEqual(pages.map((p) => p.id), [1, 2, 3, 4, 5]);
  assert.deepEqual(pages[0].index, [340, 341, 342, 343], 'the last rows, clipped at the end');
  const mass = preview.columns.findIndex((c: { name: string }) => c.name === 'Body Mass (g)');
  assert.equal(mass, 5);
  for (const [page, up] of [[pages[1], true], [pages[2], false]] as const) {
    const values: (number | null)[] = page.rows.map((row: (number | null)[]) => row[mass]);
    const present = values.filter((v): v is number => v !== null);
    assert.equal(present.length, 342, 'two penguins were not weighed');
    assert.deepEqual(values.slice(342), [null, null], 'missing last in both directions');
    assert.ok(present.every((v, i) => i === 0 || (up ? v >= present[i - 1] : v <= present[i - 1])), 'in order');
    assert.equal(new Set(page.index).size, 344, 'every row once');
  }
  assert.deepEqual(pages[3].rows.map((row: string[]) => row[0]), ['Adelie', 'Adelie', 'Adelie'], 'text sorts by its levels');
  assert.match(pages[4].error, /no column 99 to sort by \(the table has \d+\)/);
});

test('history and models list what runs recorded; predict runs one declaration', () => {
  const dir = sample('penguins');
  const empty = narml(['history', 'penguins.narml', '--json'], dir);
  assert.equal(empty.status, 0);
  assert.deepEqual(JSON.parse(empty.stdout).runs, []);
  const run = narml(['run', 'penguins.narml', 'species_logistic_on_parts_test', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout);
  const history = JSON.parse(narml(['history', 'penguins.narml', '--json'], dir).stdout);
  assert.equal(history.runs.length, 1);
  assert.equal(history.runs[0].run, ran.run);
  const models = JSON.parse(narml(['models', 'species_logistic', '--file', 'penguins.narml', '--json'], dir).stdout).models;
  assert.equal(models.length, 1);
  assert.equal(models[0].version, 'v1');
  assert.equal(models[0].definition, ran.models.species_logistic.version);
  assert.equal(models[0].hash, ran.models.species_logistic.modelHash);
  assert.deepEqual(models[0].metrics['parts.test'], ran.evaluations.species_logistic_on_parts_test.metrics);
  assert.match(narml(['history', 'penguins.narml'], dir).stdout, new RegExp(`${ran.run}\\s+succeeded`));

  const predicted = narml(['predict', 'penguins.narml', 'field_survey', '--json'], dir);
  assert.equal(predicted.status, 0, predicted.stderr);
  const p = JSON.parse(predicted.stdout);
  assert.deepEqual(Object.keys(p.predictions), ['field_survey']);
  const input = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n');
  const output = readFileSync(p.predictions.field_survey.output, 'utf8').trim().split('\n');
  assert.equal(output.length, input.length, 'every input row has an output row');
  assert.ok(output[0].startsWith(input[0]));
  assert.equal(narml(['predict', 'penguins.narml', 'species_forest'], dir).status, 2, 'not a predict declaration');
  assert.equal(narml(['run', 'penguins.narml', 'nothing_here'], dir).status, 2);
  assert.equal(narml(['run', 'penguins.narml', '--bogus'], dir).status, 2);
});

test('SIGINT cancels a run: exit 130, status cancelled, store readable', async () => {
  const dir = sample('seattle-weather');
  const child = spawn(process.execPath, [cli, 'run', 'seattle-weather.narml', '--json', '--progress', 'json'], { cwd: dir });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => {
    stderr += d;
    // The first progress event comes from inside the run, after the SIGINT handler is installed.
    if (!sent && stderr.includes('"type":"stage"')) { sent = true; child.kill('SIGINT'); }
  });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 130, stderr);
  const result = JSON.parse(stdout);
  assert.equal(result.status, 'cancelled');
  const events = stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  assert.deepEqual(events.at(-1), { type: 'done', status: 'cancelled', run: result.run });
  assert.equal(readStoreData(join(dir, 'seattle-weather.narml'))!.runs.at(-1)!.status, 'cancelled');
  assert.equal(narml(['run', 'seattle-weather.narml', '--json'], dir).status, 0);
});
