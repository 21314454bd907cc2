// `export M to "dir/"`: the checker takes a folder path ending in `/` for a scoring bundle (any
// single model, knn included; an ensemble is NML118; the folder obeys the output-path rules), and
// the run writes model.json, server.js, a Dockerfile and a README. The bundle copied away from
// NarML (no node_modules reachable) serves with `node server.js`, answering exactly as `narml
// predict` on the penguins sample; the Dockerfile is checked by the small parser below (no
// Dockerfile parser installs offline from npm, and docker cannot build here).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import type { ExportInfo } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import type { ModelsJson, RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';
import { FILE, IRIS_MODEL, IRIS_SPLIT } from '../helpers/fixture-pipelines';
import { csvAsRows, post, predictionCells, sameAsPredict, startServer } from '../helpers/serving';

before(() => { ensureBuilt(); });

const cache = new CsvSchemaCache();
const check = (text: string) => checkPipeline(text, FILE, cache);
const codes = (text: string): string[] => check(text).diagnostics.map((d) => `${d.code} ${d.message}`);

test('the checker takes "dir/" as a scoring bundle for any model, and judges the folder as an output path', () => {
  const ok = check(`${IRIS_MODEL}\nexport m to "serving/m/"`);
  assert.deepEqual(ok.diagnostics, []);
  const info = ok.infos.find((i) => i?.kind === 'export') as ExportInfo;
  assert.equal(info.format, 'bundle');
  assert.equal(info.path, join(FILE, '..', 'serving', 'm'));
  // ONNX cannot take a knn; a bundle scores with the runner's own code, so it can.
  assert.deepEqual(codes(`${IRIS_SPLIT}\nmodel k from parts.train { target: species, algorithm: knn }\nexport k to "serving/k/"`), []);
  const ensemble = codes(`${IRIS_SPLIT}\nmodel a from parts.train { target: species, algorithm: knn }\nmodel b from parts.train { target: species, algorithm: naive_bayes }\nmodel e from parts.train { target: species, ensemble: voting(of: [a, b]) }\nexport e to "serving/e/"`);
  assert.deepEqual(ensemble, [], 'an ensemble is bundled with its members');
  assert.match(codes(`${IRIS_MODEL}\nexport m to "../../../elsewhere/"`)[0], /^NML140 /);
  assert.match(codes(`${IRIS_MODEL}\nexport m to "serving\\\\m/"`)[0], /^NML142 /);
  assert.deepEqual(codes(`${IRIS_MODEL}\nexport m to "models/m.onnx/"`), [], 'a folder may have a dot in its name');
});

/** The instructions of a Dockerfile: `# comments` and blank lines skipped, `\` continuations joined. */
function dockerInstructions(text: string): { instruction: string; args: string }[] {
  const out: { instruction: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!pending && (line === '' || line.startsWith('#'))) continue;
    pending += line.endsWith('\\') ? `${line.slice(0, -1)} ` : line;
    if (line.endsWith('\\')) continue;
    const m = /^([A-Za-z]+)\s+(.+)$/.exec(pending);
    assert.ok(m, `a Dockerfile line is INSTRUCTION arguments: ${pending}`);
    out.push({ instruction: m[1].toUpperCase(), args: m[2] });
    pending = '';
  }
  assert.equal(pending, '', 'no continuation left open');
  return out;
}

test('a scoring bundle serves with Node alone, away from NarML, exactly as narml predict; its Dockerfile is well formed', async () => {
  const dir = sample('penguins');
  appendFileSync(join(dir, 'penguins.narml'), '\nexport species_forest to "serving/forest/"\n');
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout) as RunJson;
  assert.ok(ran.outputs.includes(join(dir, 'serving', 'forest')));
  assert.deepEqual(readdirSync(join(dir, 'serving', 'forest')).sort(), ['Dockerfile', 'README.md', 'model.json', 'server.js']);

  // Where no node_modules of NarML can be reached: server.js must carry all its code.
  const away = mkdtempSync(join(tmpdir(), 'narml-bundle-'));
  cpSync(join(dir, 'serving', 'forest'), away, { recursive: true });
  assert.ok(!existsSync(join(away, 'node_modules')));
  const model = JSON.parse(readFileSync(join(away, 'model.json'), 'utf8'));
  // The registry's number, as `narml models` lists the version this run made, with the definition hash beside it.
  const versions = JSON.parse(narml(['models', 'species_forest', '--file', 'penguins.narml', '--json'], dir).stdout) as ModelsJson;
  const registered = versions.models.find((v) => v.hash === ran.models.species_forest.modelHash)!;
  assert.equal(model.version, registered.version);
  assert.match(model.version, /^v\d+$/);
  assert.equal(model.definition, ran.models.species_forest.version);
  // The example request is a typical training row: every number one the training file holds, not 0.
  const trainingCells = csvAsRows(join(dir, 'data', 'penguins.csv'), model.input);
  for (const c of model.input as { name: string; type: string }[]) {
    assert.ok(trainingCells.some((r) => r[c.name] === model.example[c.name]), `${c.name}: ${model.example[c.name]} is a value of the training rows`);
  }
  const served = await startServer(['server.js', '--port', '0', '--json'], away);
  try {
    assert.deepEqual(served.first.models.map((m) => [m.name, m.version]), [['species_forest', registered.version]]);
    const listing = await (await fetch(`${served.first.url}/models`)).json() as { models: { input: { name: string; type: string }[]; example: unknown; definition: string }[] };
    assert.deepEqual(listing.models[0].example, model.example);
    assert.equal(listing.models[0].definition, ran.models.species_forest.version);
    const rows = csvAsRows(join(dir, 'data', 'new-penguins.csv'), listing.models[0].input);
    const r = await post(`${served.first.url}/predict/species_forest`, { rows });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(sameAsPredict(r.json.predictions, predictionCells(ran.predictions.field_survey.output)), [], 'every row as narml predict wrote it');
    const bad = await post(`${served.first.url}/predict/species_forest`, { rows: [{ ...rows[0], Sex: 1 }] });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.column, 'Sex');
    const doc = await (await fetch(`${served.first.url}/openapi.json`)).json() as { openapi: string; paths: Record<string, unknown> };
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/predict/species_forest']);
  } finally {
    assert.equal(await served.stop('SIGTERM'), 0, served.stderr());
  }

  const docker = dockerInstructions(readFileSync(join(away, 'Dockerfile'), 'utf8'));
  const known = new Set(['FROM', 'WORKDIR', 'COPY', 'ENV', 'USER', 'EXPOSE', 'CMD']);
  for (const d of docker) assert.ok(known.has(d.instruction), `${d.instruction} is an instruction the bundle means to use`);
  assert.deepEqual(docker[0], { instruction: 'FROM', args: 'node:20-slim' });
  const copy = docker.find((d) => d.instruction === 'COPY')!.args.split(/\s+/);
  for (const source of copy.slice(0, -1)) assert.ok(existsSync(join(away, source)), `COPY ${source}: in the bundle`);
  const cmd = JSON.parse(docker.find((d) => d.instruction === 'CMD')!.args) as string[];
  assert.deepEqual(cmd.slice(0, 2), ['node', 'server.js'], 'exec form: a JSON array');
  assert.equal(cmd[cmd.indexOf('--host') + 1], '0.0.0.0', 'reachable from outside the container');
  assert.equal(docker.find((d) => d.instruction === 'EXPOSE')!.args, cmd[cmd.indexOf('--port') + 1], 'EXPOSE names the port the server listens on');
  const readme = readFileSync(join(away, 'README.md'), 'utf8');
  const curl = /-d '(.+)'/.exec(readme)![1];
  assert.deepEqual(JSON.parse(curl).rows[0], model.example, 'the README example row is the typical training row');
  assert.match(readme, new RegExp(`version ${registered.version} \\(definition ${ran.models.species_forest.version}\\)`));
});
