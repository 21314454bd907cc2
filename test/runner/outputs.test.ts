// Outputs are replaced only by complete files: a full disk (a real 64 KiB tmpfs) and an output
// path that is a folder fail the run with a message and leave the old file and no temporary
// file; a read-only workspace is exit 2 with a message; `run --json` always prints a result; a
// predict inbox that matches nothing yet is a warning and the rest of the pipeline runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cli, narml } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';
import { irisInput, irisPipeline, irisWorkspace } from '../helpers/iris-workspace';
import { readStoreData } from '../../server/src/store/run-store';

before(() => { ensureBuilt(); });

const mounts: string[] = [];
after(() => { for (const m of mounts.reverse()) spawnSync('umount', [m]); });

/** Mounts a tmpfs of `size` at `dir`; the reason it cannot, when it cannot (not root, no mount). */
function mountTmpfs(dir: string, size: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `cannot mount a tmpfs here (${(r.error?.message ?? r.stderr).trim()}); needs root in a machine that allows mounts`;
  mounts.push(dir);
  return undefined;
}

function workspace(source: string, output = 'out/scores.csv'): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'narml-outputs-'));
  const file = irisWorkspace(dir, 'p', irisPipeline(5, [{ name: 'scores', source, output }]));
  return { dir, file };
}

const noTemporaryFiles = (dir: string): void => {
  assert.deepEqual(readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.tmp')), [], `temporary files in ${dir}`);
};

test('a full disk keeps the previous output whole and fails the run with a clear message', (t) => {
  const { dir } = workspace('incoming/*.csv');
  const why = mountTmpfs(join(dir, 'out'), '64k');
  if (why) return t.skip(why);
  writeFileSync(join(dir, 'out', 'scores.csv'), 'previous,complete\n1,2\n');
  irisInput(join(dir, 'incoming', 'big.csv'), 3000);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 1, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.equal(r.status, 'failed');
  assert.match(r.error, /out\/scores\.csv: no space left on the device \(ENOSPC\).*previous file was kept/);
  assert.equal(readFileSync(join(dir, 'out', 'scores.csv'), 'utf8'), 'previous,complete\n1,2\n');
  noTemporaryFiles(join(dir, 'out'));
  assert.equal(readStoreData(join(dir, 'p.narml'))!.runs.at(-1)!.status, 'failed', 'the failure is recorded');
  // With room again, the same run replaces the file with the complete one.
  rmSync(join(dir, 'incoming', 'big.csv'));
  irisInput(join(dir, 'incoming', 'small.csv'), 10);
  assert.equal(narml(['run', 'p.narml'], dir).status, 0);
  assert.equal(readFileSync(join(dir, 'out', 'scores.csv'), 'utf8').split('\n').length, 12);
});

test('a run on a full store fails, never exits 0 with its record lost', (t) => {
  const { dir } = workspace('data/iris.csv');
  const why = mountTmpfs(join(dir, '.narml'), '64k');
  if (why) return t.skip(why);
  // Room for two pages: the run's start mark and record, then the disk is full.
  writeFileSync(join(dir, '.narml', 'filler'), Buffer.alloc(56 * 1024));
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 1, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.equal(r.status, 'failed');
  assert.match(r.error, /no space left on the device \(ENOSPC\)/);
  noTemporaryFiles(join(dir, '.narml'));
});

test('a read-only workspace is exit 2 with a message, not a stack trace', (t) => {
  const dir = join(mkdtempSync(join(tmpdir(), 'narml-readonly-')), 'ws');
  const why = mountTmpfs(dir, '4m');
  if (why) return t.skip(why);
  irisWorkspace(dir, 'p', irisPipeline(5, [{ name: 'scores', source: 'data/iris.csv', output: 'out/scores.csv' }]));
  const remount = spawnSync('mount', ['-o', 'remount,ro', dir], { encoding: 'utf8' });
  if (remount.status !== 0) return t.skip(`cannot remount read-only: ${remount.stderr.trim()}`);
  for (const json of [false, true]) {
    const out = narml(['run', 'p.narml', ...(json ? ['--json'] : [])], dir);
    assert.equal(out.status, 2, out.stderr);
    assert.match(out.stderr, /the run cannot be recorded in .*\.narml: cannot write .*read-only \(EROFS\)/);
    assert.doesNotMatch(out.stderr, /\n\s+at /, 'no stack trace');
    if (json) assert.equal(JSON.parse(out.stdout).status, 'failed');
  }
  assert.equal(existsSync(join(dir, 'out')), false);
});

test('an output path that is a folder fails the run and leaves no temporary file', () => {
  const { dir } = workspace('data/iris.csv');
  mkdirSync(join(dir, 'out', 'scores.csv'), { recursive: true });
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 1, out.stderr);
  assert.match(JSON.parse(out.stdout).error, /cannot write .*out\/scores\.csv: it is a folder; remove the folder or choose a file path/);
  noTemporaryFiles(dir);
  assert.deepEqual(readdirSync(join(dir, 'out', 'scores.csv')), []);
});

test('run --json prints a failed result with the diagnostics when the check fails', () => {
  const { dir, file } = workspace('data/iris.csv');
  writeFileSync(file, readFileSync(file, 'utf8').replace('metrics: [accuracy, f1]', 'metrics: [accuracy, rmse]'));
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 1);
  const r = JSON.parse(out.stdout);
  assert.equal(r.status, 'failed');
  assert.match(r.error, /has errors/);
  assert.deepEqual(r.diagnostics.map((d: { code: string }) => d.code), ['NML120']);
  assert.equal(r.diagnostics[0].range.start.line, 10);
  const missing = narml(['run', 'nothing-here.narml', '--json'], dir);
  assert.equal(missing.status, 2);
  assert.equal(JSON.parse(missing.stdout).status, 'failed');
});

test('an empty predict inbox is warning NML204: the run trains, evaluates and waits for files', () => {
  const { dir } = workspace('incoming/*.csv');
  const check = narml(['check', 'p.narml', '--format', 'json'], dir);
  assert.equal(check.status, 0, check.stdout);
  assert.deepEqual(JSON.parse(check.stdout).files[0].diagnostics.map((d: { code: string; severity: string }) => [d.code, d.severity]), [['NML204', 'warning']]);
  const out = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(out.status, 0, out.stderr);
  const r = JSON.parse(out.stdout);
  assert.ok(r.evaluations.tree_on_parts_test.metrics.accuracy > 0.8);
  assert.match(r.predictions.scores.waiting, /no file matches .*incoming\/\*\.csv yet/);
  assert.deepEqual(r.outputs, []);
  assert.equal(existsSync(join(dir, 'out')), false);
  // Files arrive: the same pipeline now predicts them.
  cpSync(join(dir, 'data', 'iris.csv'), join(dir, 'incoming', 'day-1.csv'));
  const again = narml(['run', 'p.narml', '--json'], dir);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).predictions.scores.rows, 150);
});

test('run --json answers with a failed result even when the run cannot start its worker', () => {
  const { dir } = workspace('data/iris.csv');
  // The CLI and its commands, without the worker script beside them: the worker thread fails to load.
  const bare = mkdtempSync(join(tmpdir(), 'narml-bare-cli-'));
  cpSync(cli, join(bare, 'cli.js'));
  cpSync(join(dirname(cli), 'cli-commands.js'), join(bare, 'cli-commands.js'));
  const r = spawnSync(process.execPath, [join(bare, 'cli.js'), 'run', 'p.narml', '--json'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.status, 'failed');
  assert.match(out.error, /^internal error: .*run-worker\.js/);
  assert.match(r.stderr, /narml run: internal error/);
});
