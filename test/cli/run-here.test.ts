// Which `narml predict` runs on the main thread (run-here.ts): a predict whose models are stored
// and whose input is small. Anything else (a model to train, a large input) is left to the worker
// thread before anything is written, and a quick predict writes what the full path writes.
// Through the sources, on the penguins sample (real data).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAndRun, type RequestOutcome } from '../../server/src/cli/run-request';
import { QUICK_INPUT_BYTES, quickGate } from '../../server/src/cli/run-here';
import type { RunRequest } from '../../server/src/cli/run-in-worker';
import { workspaceOf } from '../../server/src/workspace/output-paths';
import { sample } from '../helpers/cli';

function request(dir: string, command: 'run' | 'predict', name: string): RunRequest {
  const file = join(dir, 'penguins.narml');
  return { command, file, names: [name], json: false, workspace: workspaceOf(file) };
}

async function run(req: RunRequest, gated: boolean): Promise<{ outcome: RequestOutcome; out: string }> {
  let out = '';
  const io = { out: (t: string) => { out += t; }, err: () => undefined };
  const outcome = await checkAndRun(req, { aborted: false }, io, () => undefined, gated ? quickGate(req) : undefined);
  return { outcome, out };
}

test('a predict runs here only with its model stored and a small input, and writes what the full path writes', async () => {
  const dir = sample('penguins');
  const rows = readFileSync(join(dir, 'data', 'new-penguins.csv'), 'utf8').trim().split('\n');
  writeFileSync(join(dir, 'data', 'one.csv'), `${rows[0]}\n${rows[1]}\n`);
  let big = `${rows[0]}\n`;
  while (big.length <= QUICK_INPUT_BYTES) big += `${rows.slice(1).join('\n')}\n`;
  // A broken last row: the check reports it once it reads the file, so an answer without that
  // error shows that the file was not read.
  writeFileSync(join(dir, 'data', 'big.csv'), `${big}1,2\n`);
  const pipeline = join(dir, 'penguins.narml');
  writeFileSync(pipeline, `${readFileSync(pipeline, 'utf8')}
predict one_row with species_logistic from "data/one.csv" {
  output: "out/one.csv"
}

predict many with species_logistic from "data/big.csv" {
  output: "out/big.csv"
}
`);
  // Settled files, as data files are: the store records their hashes by identity.
  const past = new Date(Date.now() - 60_000);
  for (const f of readdirSync(join(dir, 'data'))) utimesSync(join(dir, 'data', f), past, past);

  const untrained = await run(request(dir, 'predict', 'one_row'), true);
  assert.deepEqual(untrained.outcome, { type: 'elsewhere' }, 'the model must be trained first');
  assert.equal(existsSync(join(dir, '.narml', 'runs')), false, 'nothing was recorded');
  assert.equal(existsSync(join(dir, 'out')), false, 'nothing was written');

  assert.deepEqual((await run(request(dir, 'run', 'species_logistic'), false)).outcome, { type: 'exit', code: 0 });
  const runs = readdirSync(join(dir, '.narml', 'runs')).length;

  assert.deepEqual((await run(request(dir, 'predict', 'many'), true)).outcome, { type: 'elsewhere' }, `an input over ${QUICK_INPUT_BYTES} bytes, left before it is read`);
  assert.equal(readdirSync(join(dir, '.narml', 'runs')).length, runs, 'nothing was recorded');
  assert.deepEqual((await run(request(dir, 'predict', 'many'), false)).outcome, { type: 'exit', code: 1 }, 'where it runs, the input is read and its broken row refused');

  const quick = await run(request(dir, 'predict', 'one_row'), true);
  assert.deepEqual(quick.outcome, { type: 'exit', code: 0 });
  assert.match(quick.out, /species_logistic: logistic_regression, \d+ training rows \(reused\)/);
  const here = readFileSync(join(dir, 'out', 'one.csv'), 'utf8');
  assert.equal(here.trim().split('\n').length, 2);
  rmSync(join(dir, 'out'), { recursive: true });
  assert.deepEqual((await run(request(dir, 'predict', 'one_row'), false)).outcome, { type: 'exit', code: 0 });
  assert.equal(readFileSync(join(dir, 'out', 'one.csv'), 'utf8'), here, 'the same file as without the question');

  // The training file changed: the stored model no longer answers for it.
  const training = join(dir, 'data', 'penguins.csv');
  writeFileSync(training, `${readFileSync(training, 'utf8')}${readFileSync(training, 'utf8').trim().split('\n').at(-1)}\n`);
  utimesSync(training, past, past);
  assert.deepEqual((await run(request(dir, 'predict', 'one_row'), true)).outcome, { type: 'elsewhere' }, 'a model to retrain');
});
