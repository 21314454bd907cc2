// Ensembles are registry versions like any model (penguins sample, real data, the built CLI):
// a run records a version of a stacking, a voting and a blending ensemble; `predict … with
// E@production` / `E@v1` restores the ensemble with its members from the store and writes what the
// run itself predicted; `narml serve` and a scoring bundle answer with it as `narml predict` wrote it; a changed member
// makes a new version of the ensemble.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelVersionJson, RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { cli, narml, sample } from '../helpers/cli';
import { csvAsRows, post, predictionCells, sameAsPredict, startServer } from '../helpers/serving';

before(() => { ensureBuilt(); });

const ENSEMBLES = `
model stack from parts.train {
  target: Species
  ensemble: stacking(of: [species_logistic, species_forest], final: logistic_regression, cv: 3)
}
model vote from parts.train {
  target: Species
  ensemble: voting(of: [species_logistic, species_forest], soft: true)
}
model blend from parts.train {
  target: Species
  ensemble: blending(of: [species_logistic, species_forest], holdout: 25%)
}
`;

const predictWith = (name: string, model: string, out: string): string =>
  `predict ${name} with ${model} from "data/new-penguins.csv" {\n  output: "out/${out}.csv"\n}\n`;

function versions(dir: string): ModelVersionJson[] {
  const r = narml(['models', 'penguins.narml', '--json'], dir);
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as { models: ModelVersionJson[] }).models;
}

test('stacking, voting and blending: versions in the registry, predicted from the store and served as the run predicted', async () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const base = readFileSync(file, 'utf8') + ENSEMBLES;
  writeFileSync(file, base + ['stack', 'vote', 'blend'].map((e) => predictWith(`${e}_now`, e, `${e}-now`)).join(''));
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout) as RunJson;

  const listed = versions(dir);
  for (const e of ['stack', 'vote', 'blend']) {
    const v = listed.filter((x) => x.model === e);
    assert.deepEqual(v.map((x) => x.version), ['v1'], `${e} is a version`);
    assert.match(v[0].hash, /^[0-9a-f]{64}$/);
    assert.deepEqual(v[0].input?.map((c) => c.name), ['Island', 'Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)', 'Sex'], `${e}: the raw columns its members read`);
  }
  assert.equal(narml(['promote', 'penguins.narml', 'stack', 'v1'], dir).status, 0);

  writeFileSync(file, base + predictWith('stack_prod', 'stack@production', 'stack-prod') + predictWith('vote_v1', 'vote@v1', 'vote-v1') + predictWith('blend_v1', 'blend@v1', 'blend-v1'));
  const check = narml(['check', 'penguins.narml'], dir);
  assert.equal(check.status, 0, `no NML132/NML133 for an ensemble's version: ${check.stdout}${check.stderr}`);
  for (const [name, now] of [['stack_prod', 'stack-now'], ['vote_v1', 'vote-now'], ['blend_v1', 'blend-now']]) {
    const r = narml(['predict', 'penguins.narml', name, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const predicted = JSON.parse(r.stdout) as RunJson;
    assert.deepEqual(Object.keys(predicted.models), [], `${name}: nothing trained, the stored ensemble predicted`);
    const out = join(dir, 'out', `${name.replace('_prod', '-prod').replace('_v1', '-v1')}.csv`);
    assert.equal(readFileSync(out, 'utf8'), readFileSync(join(dir, 'out', `${now}.csv`), 'utf8'), `${name} writes what the run predicted`);
  }

  const served = await startServer([cli, 'serve', 'penguins.narml', 'stack@production', 'vote', 'blend', '--port', '0', '--json'], dir);
  try {
    const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { name: string; input: { name: string; type: string; nullable: boolean }[] }[] };
    const source = join(dir, 'data', 'new-penguins.csv');
    for (const [model, predict] of [['stack@production', 'stack_now'], ['vote', 'vote_now'], ['blend', 'blend_now']]) {
      const input = listing.models.find((m) => m.name === model.split('@')[0])!.input;
      const answer = await post(`${served.first.url}/predict/${model}`, { rows: csvAsRows(source, input) });
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.deepEqual(sameAsPredict(answer.json.predictions, predictionCells(ran.predictions[predict].output)), [], `${model} answers as narml predict wrote`);
    }
  } finally {
    assert.equal(await served.stop('SIGTERM'), 0, served.stderr());
  }

  // A scoring bundle of the stacking, served by Node alone away from NarML, answers the same.
  writeFileSync(file, `${base}export stack to "serving/stack/"\n`);
  const exported = narml(['run', 'penguins.narml'], dir);
  assert.equal(exported.status, 0, exported.stderr);
  const away = mkdtempSync(join(tmpdir(), 'narml-ensemble-bundle-'));
  cpSync(join(dir, 'serving', 'stack'), away, { recursive: true });
  const bundled = await startServer(['server.js', '--port', '0', '--json'], away);
  try {
    const listing = await (await fetch(`${bundled.first.url}/models`)).json() as { models: { input: { name: string; type: string }[] }[] };
    const answer = await post(`${bundled.first.url}/predict/stack`, { rows: csvAsRows(join(dir, 'data', 'new-penguins.csv'), listing.models[0].input) });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.deepEqual(sameAsPredict(answer.json.predictions, predictionCells(ran.predictions.stack_now.output)), [], 'the bundle answers as narml predict wrote');
  } finally {
    assert.equal(await bundled.stop('SIGTERM'), 0, bundled.stderr());
  }

  // A member trained otherwise makes another version of every ensemble over it.
  writeFileSync(file, base.replace('random_forest(trees: 200, max_depth: 8)', 'random_forest(trees: 50, max_depth: 4)'));
  assert.equal(narml(['run', 'penguins.narml', 'stack', 'vote'], dir).status, 0);
  const after = versions(dir);
  for (const e of ['stack', 'vote']) assert.deepEqual(after.filter((x) => x.model === e).map((x) => x.version), ['v1', 'v2'], `${e}: a new version`);
  appendFileSync(file, predictWith('stack_prod', 'stack@production', 'stack-prod'));
  assert.equal(narml(['predict', 'penguins.narml', 'stack_prod'], dir).status, 0);
  assert.equal(readFileSync(join(dir, 'out', 'stack-prod.csv'), 'utf8'), readFileSync(join(dir, 'out', 'stack-now.csv'), 'utf8'), 'production is still v1, with its own members');
});
