// `narml serve` through the built bundle on the samples (real data): trained by `narml run`,
// served from the store, its answers equal `narml predict`'s CSV on every row of unseen data
// (penguins: a forest and a logistic regression, a level unseen in training, missing cells;
// cars: a boosted regression over a date); refusals are 400/404/405/413 JSON naming the row,
// column and type; a port in use is a clear error; SIGTERM ends it with status 0.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, sample } from '../helpers/cli';
import { csvAsRows, post, predictionCells, sameAsPredict, startServer } from '../helpers/serving';

before(() => { ensureBuilt(); });

test('penguins: the served forest and logistic regression answer exactly as narml predict, batch and one row at a time', async () => {
  const dir = sample('penguins');
  const source = join(dir, 'data', 'new-penguins.csv');
  // A level never seen in training and a row of missing measurements, as a client may send.
  appendFileSync(source, 'Atlantis,40.1,18.2,190,3800,FEMALE\nDream,NA,NA,NA,NA,NA\n');
  appendFileSync(join(dir, 'penguins.narml'), '\npredict logistic_survey with species_logistic from "data/new-penguins.csv" {\n  output: "out/logistic.csv"\n}\n');
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout) as RunJson;

  const served = await startServer([cli, 'serve', 'penguins.narml', '--port', '0', '--json'], dir);
  try {
    const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { name: string; version: string; input: { name: string; type: string; nullable: boolean }[] }[] };
    assert.deepEqual(listing.models.map((m) => m.name).sort(), ['species_forest', 'species_logistic']);
    for (const m of listing.models) assert.equal(m.version, 'v1', 'the registry version the run trained');
    const forest = listing.models.find((m) => m.name === 'species_forest')!;
    assert.deepEqual(forest.input.map((c) => `${c.name}:${c.type}${c.nullable ? '?' : ''}`), ['Island:category', 'Beak Length (mm):number?', 'Beak Depth (mm):number?', 'Flipper Length (mm):number?', 'Body Mass (g):number?', 'Sex:category?']);

    for (const [model, predict] of [['species_forest', 'field_survey'], ['species_logistic', 'logistic_survey']]) {
      const written = predictionCells(ran.predictions[predict].output);
      const rows = csvAsRows(source, forest.input);
      assert.equal(rows.length, 27);
      const batch = await post(`${served.first.url}/predict/${model}`, { rows });
      assert.equal(batch.status, 200, JSON.stringify(batch.json));
      assert.deepEqual(sameAsPredict(batch.json.predictions, written), [], `${model}: every row as narml predict wrote it`);
      assert.ok(written.some((w) => w.prediction === 'Gentoo') && written.some((w) => w.prediction === 'Adelie'), 'the rows are of several classes');
      const one: unknown[] = [];
      for (const row of rows) {
        const r = await post(`${served.first.url}/predict/${model}@v1`, row);
        assert.equal(r.status, 200, JSON.stringify(r.json));
        one.push(...r.json.predictions);
      }
      assert.deepEqual(one, batch.json.predictions, 'one row per request, by version: the same answers');
    }

    // A later `narml predict` (from the store, the model reused) writes the same rows again.
    const again = narml(['predict', 'penguins.narml', 'field_survey', '--json'], dir);
    assert.equal(again.status, 0, again.stderr);
    const rows = csvAsRows(source, forest.input);
    const batch = await post(`${served.first.url}/predict/species_forest`, rows);
    assert.deepEqual(sameAsPredict(batch.json.predictions, predictionCells((JSON.parse(again.stdout) as RunJson).predictions.field_survey.output)), []);
  } finally {
    assert.equal(await served.stop('SIGTERM'), 0, served.stderr());
  }
});

test('cars: a boosted regression over a date column answers as narml predict on held-out rows', async () => {
  const dir = sample('cars');
  const lines = readFileSync(join(dir, 'data', 'cars.csv'), 'utf8').trim().split('\n');
  // The last 30 cars, without the Name column (which holds commas in quotes and the model drops).
  const header = lines[0].split(',');
  const keep = header.map((h, i) => (h === 'Name' ? -1 : i)).filter((i) => i >= 0);
  const unseen = [keep.map((i) => header[i]).join(','), ...lines.slice(-30).map((l) => { const cells = l.match(/("[^"]*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, '')); return keep.map((i) => cells[i]).join(','); })];
  writeFileSync(join(dir, 'data', 'new-cars.csv'), `${unseen.join('\n')}\n`);
  appendFileSync(join(dir, 'cars.narml'), '\npredict mpg_new with mpg_boosted from "data/new-cars.csv" {\n  output: "out/mpg.csv"\n}\n');
  const run = narml(['run', 'cars.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout) as RunJson;
  const served = await startServer([cli, 'serve', 'cars.narml', 'mpg_boosted', '--port', '0', '--json'], dir);
  try {
    assert.deepEqual(served.first.models.map((m) => m.name), ['mpg_boosted'], 'only the model named');
    const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { input: { name: string; type: string }[] }[] };
    const input = listing.models[0].input;
    assert.ok(input.some((c) => c.name === 'Year' && c.type === 'date'), JSON.stringify(input));
    assert.ok(!input.some((c) => c.name === 'Miles_per_Gallon' || c.name === 'Name'), 'neither the target nor a dropped column is asked for');
    const r = await post(`${served.first.url}/predict/mpg_boosted`, { rows: csvAsRows(join(dir, 'data', 'new-cars.csv'), input) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(sameAsPredict(r.json.predictions, predictionCells(ran.predictions.mpg_new.output)), []);
    assert.ok(r.json.predictions.every((p: { prediction: number }) => typeof p.prediction === 'number' && p.prediction > 5 && p.prediction < 60));
  } finally {
    assert.equal(await served.stop('SIGINT'), 0, served.stderr());
  }
});

test('refusals name what is wrong: 400 for rows that do not fit, 404, 405, 413; the server keeps answering', async () => {
  const dir = sample('penguins');
  assert.equal(narml(['run', 'penguins.narml', 'species_forest'], dir).status, 0);
  const served = await startServer([cli, 'serve', 'penguins.narml', '--port', '0', '--json'], dir);
  const url = `${served.first.url}/predict/species_forest`;
  const good = { Island: 'Biscoe', 'Beak Length (mm)': 50, 'Beak Depth (mm)': 15.9, 'Flipper Length (mm)': 224, 'Body Mass (g)': 5350, Sex: 'MALE' };
  try {
    assert.deepEqual(served.first.models.map((m) => m.name), ['species_forest'], 'the logistic regression was never trained: not served');
    assert.match(served.stderr(), /not served: species_logistic: no trained version .*narml run/);
    let r = await post(url, { rows: [good, { ...good, 'Beak Length (mm)': '50' }] });
    assert.equal(r.status, 400);
    assert.deepEqual({ column: r.json.column, expected: r.json.expected, row: r.json.row }, { column: 'Beak Length (mm)', expected: 'number?', row: 1 });
    assert.match(r.json.error, /row 1, column "Beak Length \(mm\)": expected number\? \(a JSON number, or null\), got the string "50"/);
    r = await post(url, { ...good, Island: null });
    assert.equal(r.status, 400);
    assert.equal(r.json.column, 'Island');
    assert.match(r.json.error, /never missing/);
    r = await post(url, { ...good, Islnd: 'Dream' });
    assert.equal(r.status, 400);
    assert.equal(r.json.column, 'Islnd');
    assert.match(r.json.error, /does not take.*did you mean "Island"/);
    r = await post(url, '{"rows": [');
    assert.equal(r.status, 400);
    assert.match(r.json.error, /not JSON/);
    r = await post(url, { rows: [] });
    assert.equal(r.status, 400);
    r = await post(url, 42);
    assert.equal(r.status, 400);
    r = await post(`${served.first.url}/predict/species_tree`, good);
    assert.equal(r.status, 404);
    assert.match(r.json.error, /no model "species_tree" is served; served: species_forest/);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${served.first.url}/health`, { method: 'DELETE' })).status, 405);
    assert.equal((await fetch(`${served.first.url}/nowhere`)).status, 404);
    r = await post(url, { rows: Array.from({ length: 12_000 }, () => good) });
    assert.equal(r.status, 413);
    assert.match(r.json.error, /larger than 1048576 bytes/);
    r = await post(url, { rows: Array.from({ length: 3000 }, () => good) });
    assert.equal(r.status, 200, 'a large batch under the limit is scored');
    assert.equal(r.json.predictions.length, 3000);
    assert.deepEqual((await (await fetch(`${served.first.url}/health`)).json()), { status: 'ok', models: 1 });
  } finally {
    assert.equal(await served.stop(), 0, served.stderr());
  }
});

test('a port in use, a pipeline never run and a bad --port are clear errors', async () => {
  const dir = sample('penguins');
  const never = narml(['serve', 'penguins.narml', '--port', '0'], dir);
  assert.equal(never.status, 1);
  assert.match(never.stderr, /no model of .* can be served[\s\S]*narml run .*species_forest/);
  assert.equal(narml(['serve', 'penguins.narml', '--port', 'http'], dir).status, 2);
  assert.equal(narml(['serve', 'penguins.narml', 'parts'], dir).status, 1);
  assert.equal(narml(['run', 'penguins.narml', 'species_forest'], dir).status, 0);
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  const port = (blocker.address() as { port: number }).port;
  try {
    const busy = narml(['serve', 'penguins.narml', '--port', String(port)], dir);
    assert.equal(busy.status, 2);
    assert.match(busy.stderr, new RegExp(`port ${port} on 127.0.0.1 is in use.*--port 0`));
  } finally {
    blocker.close();
  }
});

test('registry versions and stages: /predict/NAME is the latest, NAME@vN each version, NAME@production the promoted one; serve start is audited', async () => {
  const dir = sample('penguins');
  const pipeline = join(dir, 'penguins.narml');
  assert.equal(narml(['run', 'penguins.narml', 'species_forest'], dir).status, 0);
  writeFileSync(pipeline, readFileSync(pipeline, 'utf8').replace('random_forest(trees: 200, max_depth: 8)', 'random_forest(trees: 20, max_depth: 2)'));
  assert.equal(narml(['run', 'penguins.narml', 'species_forest'], dir).status, 0);
  const promoted = narml(['promote', 'species_forest', 'v1', '--stage', 'production', '--file', 'penguins.narml'], dir);
  assert.equal(promoted.status, 0, promoted.stderr);
  const row = { Island: 'Dream', 'Beak Length (mm)': 46, 'Beak Depth (mm)': 17.5, 'Flipper Length (mm)': 195, 'Body Mass (g)': 3700, Sex: 'FEMALE' };

  const served = await startServer([cli, 'serve', 'penguins.narml', '--port', '0', '--json'], dir);
  try {
    const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { name: string; version: string; stage?: string; paths: string[] }[] };
    assert.deepEqual(listing.models.map((m) => [m.version, m.stage ?? '', m.paths.join(' ')]), [
      ['v1', 'production', '/predict/species_forest@v1 /predict/species_forest@production'],
      ['v2', '', '/predict/species_forest /predict/species_forest@v2'],
    ]);
    const answer = async (ref: string): Promise<{ version: string; predictions: unknown[] }> => (await post(`${served.first.url}/predict/${ref}`, row)).json;
    assert.equal((await answer('species_forest')).version, 'v2');
    assert.equal((await answer('species_forest@production')).version, 'v1');
    assert.deepEqual(await answer('species_forest@production'), await answer('species_forest@v1'));
    assert.notDeepEqual((await answer('species_forest@v1')).predictions, (await answer('species_forest@v2')).predictions, 'two different forests: different probabilities');
    assert.equal((await post(`${served.first.url}/predict/species_forest@staging`, row)).status, 404);
  } finally {
    assert.equal(await served.stop(), 0, served.stderr());
  }
  const only = await startServer([cli, 'serve', 'penguins.narml', 'species_forest@production', '--port', '0', '--json'], dir);
  try {
    assert.deepEqual(only.first.models.map((m) => [m.name, m.version]), [['species_forest', 'v1']]);
    assert.equal((await post(`${only.first.url}/predict/species_forest`, row)).json.version, 'v1', 'the one version asked for is the default');
  } finally {
    assert.equal(await only.stop(), 0, only.stderr());
  }
  const staging = narml(['serve', 'penguins.narml', 'species_forest@staging', '--port', '0'], dir);
  assert.equal(staging.status, 1);
  assert.match(staging.stderr, /no version of species_forest is in staging; promote one/);
  const audit = JSON.parse(narml(['audit', 'penguins.narml', '--json'], dir).stdout) as { events: { action: string; model?: string; version?: string; stage?: string; target?: string }[] };
  const serves = audit.events.filter((e) => e.action === 'serve');
  assert.deepEqual(serves.map((e) => `${e.model} ${e.version} ${e.stage ?? ''}`), ['species_forest v1 production', 'species_forest v2 ', 'species_forest v1 production']);
  assert.ok(serves.every((e) => /^http:\/\/127\.0\.0\.1:\d+\/predict\/species_forest/.test(e.target ?? '')));
});
