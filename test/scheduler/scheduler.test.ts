// The scheduler: `--once-now` fires every scheduled predict with its retries through the CLI;
// node-cron fires a seconds schedule; a failing firing never stops the scheduler; SIGINT stops it.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { readStoreData } from '../../server/src/store/run-store';
import { narml } from '../helpers/cli';
import { irisInput, irisPipeline, irisWorkspace } from '../helpers/iris-workspace';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');

function weather(schedule: string, retries: number): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'narml-sched-'));
  cpSync(join(root, 'samples', 'seattle-weather'), dir, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  const file = join(dir, 'seattle-weather.narml');
  const text = readFileSync(file, 'utf8');
  const changed = text.replace(/schedule: "[^"]*"/, `schedule: "${schedule}"`).replace(/retries: \d+/, `retries: ${retries}`);
  assert.notEqual(changed, text, 'the sample has a scheduled predict');
  writeFileSync(file, changed);
  return { dir, file };
}

before(() => { ensureBuilt(); });

test('--once-now runs each schedule once; a failing source is retried and every attempt recorded', () => {
  const { dir, file } = weather('0 6 * * *', 1);
  const ok = spawnSync(process.execPath, [cli, 'scheduler', file, '--once-now'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(ok.status, 0, ok.stderr);
  const first = readStoreData(file)!.attempts;
  assert.equal(first.length, 1);
  assert.equal(first[0].status, 'succeeded');
  assert.ok(first[0].output && existsSync(first[0].output));
  // The output path is taken by a folder: the predict fails at run time, is retried once
  // (after 1 s), and the command exits 1.
  rmSync(first[0].output!);
  mkdirSync(first[0].output!);
  const bad = spawnSync(process.execPath, [cli, 'scheduler', file, '--once-now'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(bad.status, 1, bad.stderr);
  const attempts = readStoreData(file)!.attempts.slice(1);
  assert.deepEqual(attempts.map((a) => [a.attempt, a.status]), [[1, 'failed'], [2, 'failed']]);
  assert.ok(Date.parse(attempts[1].started) - Date.parse(attempts[0].finished) >= 900, 'back-off before the retry');
});

test('a seconds cron schedule fires repeatedly until SIGINT, failures included', { timeout: 60_000 }, async () => {
  const { dir, file } = weather('*/2 * * * * *', 0);
  // The output path is taken by a folder: every firing fails at run time; the scheduler goes on.
  mkdirSync(join(dir, 'out', `weather-${new Date().toISOString().slice(0, 10)}.csv`), { recursive: true });
  const child = spawn(process.execPath, [cli, 'scheduler', file], { cwd: dir });
  let log = '';
  const fired = new Promise<void>((resolve) => child.stderr.on('data', (d) => {
    log += d;
    if ((log.match(/attempt 1 failed/g) ?? []).length >= 2) resolve();
  }).on('close', resolve));
  await fired;
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  assert.equal(code, 0, log);
  assert.match(log, /stopping the scheduler/);
  const attempts = readStoreData(file)!.attempts;
  assert.ok(attempts.length >= 2 && attempts.every((a) => a.status === 'failed'), JSON.stringify(attempts));
});

test('schedules firing in the same second, a failing one, a waiting one and runs beside the scheduler: every attempt is recorded', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-sched-'));
  const every = '* * * * * *';
  // An error in a declaration no schedule needs (rmse on a classifier) stops no schedule.
  const file = irisWorkspace(dir, 'p', irisPipeline(1, [
    { name: 'first', source: 'data/iris.csv', output: 'out/first.csv', schedule: every },
    { name: 'second', source: 'data/iris.csv', output: 'out/second.csv', schedule: every },
    { name: 'blocked', source: 'data/iris.csv', output: 'out/blocked.csv', schedule: every, retries: 0 },
    { name: 'inbox', source: 'incoming/*.csv', output: 'out/inbox.csv', schedule: every },
  ], 'evaluate tree on parts.test as broken_report {\n  metrics: [rmse]\n}'));
  const beside = irisWorkspace(dir, 'beside', irisPipeline(2));
  mkdirSync(join(dir, 'out', 'blocked.csv'), { recursive: true });
  const child = spawn(process.execPath, [cli, 'scheduler', file], { cwd: dir });
  let log = '';
  const count = (re: RegExp): number => (log.match(re) ?? []).length;
  const enough = new Promise<void>((resolve) => child.stderr.on('data', (d) => {
    log += d;
    if (count(/ first: wrote/g) >= 3 && count(/ second: wrote/g) >= 3 && count(/ blocked: attempt 1 failed/g) >= 2 && count(/ inbox: no file matches/g) >= 2) resolve();
  }).on('close', resolve));
  const runsBeside = [1, 2, 3].map(() => new Promise<number | null>((resolve) => spawn(process.execPath, [cli, 'run', beside], { cwd: dir }).on('close', resolve)));
  assert.deepEqual(await Promise.all(runsBeside), [0, 0, 0]);
  await enough;
  child.kill('SIGINT');
  assert.equal(await new Promise<number | null>((r) => child.on('close', r)), 0, log);
  assert.match(log, /scheduled first/);
  assert.doesNotMatch(log, /first: has errors|second: has errors/, 'the error is in no schedule\'s plan');
  const data = readStoreData(file)!;
  const attempts = (predict: string, status: string): number => data.attempts.filter((a) => a.predict === predict && a.status === status).length;
  assert.equal(attempts('first', 'succeeded'), count(/ first: wrote/g), log);
  assert.equal(attempts('second', 'succeeded'), count(/ second: wrote/g), log);
  assert.equal(attempts('blocked', 'failed'), count(/ blocked: attempt 1 failed/g), log);
  assert.equal(attempts('inbox', 'waiting'), count(/ inbox: no file matches/g), log);
  // Every attempt that ran has its run record, with the same outcome; history shows the failures.
  const runs = new Map(data.runs.map((r) => [r.run, r]));
  for (const a of data.attempts.filter((x) => x.status !== 'waiting')) {
    assert.equal(runs.get(a.run!)?.schedule?.predict, a.predict);
    assert.equal(runs.get(a.run!)!.status === 'succeeded', a.status === 'succeeded');
  }
  assert.equal(data.runs.filter((r) => r.file === beside).length, 3, 'the runs beside the scheduler are recorded too');
  const history = narml(['history', 'p.narml'], dir).stdout;
  assert.equal((history.match(/failed .*\(scheduled blocked, attempt 1\)\n {4}error: cannot write .*blocked\.csv: it is a folder/g) ?? []).length, attempts('blocked', 'failed'));
});

test('an empty inbox waits without retries; an attempt that fails at its check is a failed run in history', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-sched-'));
  const file = irisWorkspace(dir, 'p', irisPipeline(1, [{ name: 'inbox', source: 'incoming/*.csv', output: 'out/inbox.csv', schedule: '0 6 * * *', retries: 1 }]));
  const waiting = narml(['scheduler', 'p.narml', '--once-now'], dir);
  assert.equal(waiting.status, 0, waiting.stderr);
  assert.deepEqual(readStoreData(file)!.attempts.map((a) => a.status), ['waiting'], 'no retries while waiting');
  assert.deepEqual(readStoreData(file)!.runs, [], 'nothing ran');
  // Files arrive, but the model the predict needs is broken now: each attempt fails at its check.
  irisInput(join(dir, 'incoming', 'day-1.csv'), 5);
  writeFileSync(file, readFileSync(file, 'utf8').replace('target: species', 'target: specie'));
  const failed = narml(['scheduler', 'p.narml', '--once-now'], dir);
  assert.equal(failed.status, 1, failed.stderr);
  const data = readStoreData(file)!;
  assert.deepEqual(data.attempts.map((a) => a.status), ['waiting', 'failed', 'failed']);
  assert.deepEqual(data.runs.map((r) => [r.status, r.schedule?.attempt, r.diagnostics?.some((d) => d.code === 'NML101')]), [['failed', 1, true], ['failed', 2, true]]);
  const history = narml(['history', 'p.narml'], dir).stdout;
  assert.equal((history.match(/failed .*\(scheduled inbox, attempt \d\)\n {4}error: .*has errors in what inbox needs \(line \d+: NML1\d\d .*NML101 /g) ?? []).length, 2, history);
});
