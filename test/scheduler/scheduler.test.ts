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
