// `narml predict` after a run uses the store: the fitted steps and model, and the training
// datasets' schemas recorded under their files' identity (path, size, mtime, inode), so the
// training CSVs are not read; only the prediction source of the predict asked for is read. On
// the penguins sample (real data) through the built bundle.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

/** Files last modified a minute ago: the store records identities only of files not modified in the last seconds. */
function age(...files: string[]): void {
  const past = new Date(Date.now() - 60_000);
  for (const f of files) utimesSync(f, past, past);
}

/**
 * A prediction source of the field survey's rows repeated past 1.5 MiB (then `tail`), predicted
 * by `archive` in the pipeline; the sample's files dated a minute back.
 */
function withArchive(dir: string, tail: (body: string) => Buffer = () => Buffer.alloc(0)): { rows: string[]; big: string } {
  const pipeline = join(dir, 'penguins.narml');
  const rows = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n');
  const body = rows.slice(1).join('\n');
  let big = `${rows[0]}\n`;
  while (big.length < 1.5 * (1 << 20)) big += `${body}\n`;
  writeFileSync(join(dir, 'data', 'archive.csv'), Buffer.concat([Buffer.from(big), tail(body)]));
  writeFileSync(pipeline, `${readFileSync(pipeline, 'utf8')}\npredict archive with species_forest from "data/archive.csv" {\n  output: "out/archive.csv"\n}\n`);
  age(join(dir, 'data', 'penguins.csv'), join(dir, 'data', 'new-penguins.csv'), join(dir, 'data', 'archive.csv'));
  return { rows, big };
}

function predict(dir: string): { status: number | null; result: RunJson; stderr: string } {
  const out = narml(['predict', 'penguins.narml', 'field_survey', '--json'], dir);
  return { status: out.status, result: JSON.parse(out.stdout) as RunJson, stderr: out.stderr };
}

test('predict after a run reads no training CSV and writes what the run wrote; a changed training file is noticed', () => {
  const dir = sample('penguins');
  const training = join(dir, 'data', 'penguins.csv');
  const original = readFileSync(training);
  age(training, join(dir, 'data', 'new-penguins.csv'));
  const run = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const ran = JSON.parse(run.stdout) as RunJson;
  const output = ran.predictions.field_survey.output;
  const byRun = readFileSync(output, 'utf8');
  rmSync(output);

  // Same size, same mtime, same inode, other bytes: a predict that read the file (to check or to
  // hash it) would see a one-column table of x's and refuse, or retrain on it.
  const stamp = statSync(training);
  writeFileSync(training, Buffer.alloc(original.length, 'x'));
  utimesSync(training, stamp.atime, stamp.mtime);
  const stored = predict(dir);
  assert.equal(stored.status, 0, stored.stderr);
  assert.deepEqual(stored.result.reused, ['species_forest']);
  assert.deepEqual(stored.result.computed, ['field_survey']);
  assert.equal(readFileSync(output, 'utf8'), byRun, 'the same predictions as the run that trained the model');

  // The real file back, one row longer: a new identity, so it is read, hashed and the model retrained.
  writeFileSync(training, original);
  appendFileSync(training, original.toString('utf8').trim().split('\n').at(-1)!.concat('\n'));
  age(training);
  const changed = predict(dir);
  assert.equal(changed.status, 0, changed.stderr);
  assert.deepEqual(changed.result.reused, []);
  assert.ok(changed.result.computed.includes('species_forest'), 'retrained on the changed training rows');
  assert.notEqual(changed.result.models.species_forest.version, ran.models.species_forest.version, 'a new model version');

  rmSync(training);
  const gone = narml(['predict', 'penguins.narml', 'field_survey'], dir);
  assert.equal(gone.status, 1, 'a pipeline whose training file is gone does not check');
  assert.match(gone.stderr, /NML104 .*penguins\.csv/, gone.stderr);
});

test('predict reads only its own prediction source: another predict names a file that a whole read refuses', () => {
  const dir = sample('penguins');
  // Past the schema cache's 1 MiB sample an invalid UTF-8 byte, which a whole read reports (and
  // `narml run` must read every source, so it refuses).
  const { rows } = withArchive(dir, (body) => Buffer.concat([Buffer.from([0xff]), Buffer.from(`${body}\n`)]));

  const all = narml(['run', 'penguins.narml', '--json'], dir);
  assert.equal(all.status, 1, 'a run of everything reads the archive in full and refuses it');
  assert.match(all.stderr, /archive\.csv/);

  const one = predict(dir);
  assert.equal(one.status, 0, one.stderr);
  assert.deepEqual(Object.keys(one.result.predictions), ['field_survey']);
  assert.equal(one.result.predictions.field_survey.rows, rows.length - 1);
});

test('a predict that read its source whole records that schema over the sample a run recorded, so the next predict does not read it to check', () => {
  const dir = sample('penguins');
  // Larger than the schema cache's 1 MiB sample: a check samples it, a predict of it reads it whole.
  const { big } = withArchive(dir);
  const recorded = (): boolean[] => readdirSync(join(dir, '.narml', 'schemas')).flatMap((f) => {
    const s = JSON.parse(readFileSync(join(dir, '.narml', 'schemas', f), 'utf8')) as { files: string[]; complete: boolean };
    return s.files.some((file) => file.endsWith('archive.csv')) ? [s.complete] : [];
  });

  const run = narml(['run', 'penguins.narml', 'species_forest', 'field_survey'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(recorded(), [false], 'the run, which does not predict the archive, recorded its sample');
  for (let k = 0; k < 2; k++) {
    const archive = narml(['predict', 'penguins.narml', 'archive', '--json'], dir);
    assert.equal(archive.status, 0, archive.stderr);
    assert.equal((JSON.parse(archive.stdout) as RunJson).predictions.archive.rows, big.trim().split('\n').length - 1);
    assert.deepEqual(recorded(), [true], 'the whole read is recorded in its place');
  }
});

test("a reused model's hash is the one recorded for its artifact when it was trained, computed again only when that record is gone", () => {
  const dir = sample('penguins');
  age(join(dir, 'data', 'penguins.csv'), join(dir, 'data', 'new-penguins.csv'));
  const run = narml(['run', 'penguins.narml', 'field_survey', '--json'], dir);
  assert.equal(run.status, 0, run.stderr);
  const trained = (JSON.parse(run.stdout) as RunJson).models.species_forest.modelHash!;
  const records = join(dir, '.narml', 'model-hashes');
  const [record] = readdirSync(records);
  assert.equal(JSON.parse(readFileSync(join(records, record), 'utf8')), trained, 'recorded by the run that trained it');

  const reused = predict(dir);
  assert.deepEqual(reused.result.reused, ['species_forest']);
  assert.equal(reused.result.models.species_forest.modelHash, trained);
  // Another value in the record shows that the reuse reads it rather than hashing the model again.
  writeFileSync(join(records, record), JSON.stringify('f'.repeat(64)));
  assert.equal(predict(dir).result.models.species_forest.modelHash, 'f'.repeat(64));
  rmSync(join(records, record));
  assert.equal(predict(dir).result.models.species_forest.modelHash, trained, 'computed from the restored model: the same hash');
  assert.equal(JSON.parse(readFileSync(join(records, record), 'utf8')), trained, 'and recorded again');
});
