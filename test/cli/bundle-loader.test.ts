// The CLI's commands are loaded with a V8 code cache beside their bundle (bundle-loader.ts). The
// cache is written when a process that compiled without it exits, used by the next, and never
// used for other code: V8 itself compares only the source's length, so a bundle rewritten with
// the same length (even with its modification time set back) must run its new code. The cache
// names the bundle file's identity and SHA-256; a start compares the identity only, once the
// bundle is old enough for its times to tell writes apart. Each load is a new Node process, as a
// CLI command is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCachePath } from '../../server/src/cli/bundle-loader';

const loader = join(__dirname, '..', '..', 'server', 'src', 'cli', 'bundle-loader.ts');

/** What loading `file` in a fresh process exports (a function's result), and the hash the loader left on its module. */
function load(file: string): { answer: string; sha256: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const answer = String(require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}).answer()); process.stdout.write(JSON.stringify({ answer, sha256: require.cache[${JSON.stringify(file)}].sha256 }))`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { answer: string; sha256: string };
}

function bundle(word: string): string {
  // A function that runs at load and one that runs later: both are in the cache after the first process.
  return `"use strict";\nconst greeting = ${JSON.stringify(word)}.toUpperCase();\nexports.answer = function answer() { return greeting + ':' + require('node:path').basename(__filename); };\n`;
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** The cache's header line: `IDENTITY SHA256`. */
function header(cache: string): { identity: string; sha256: string; dataBytes: number } {
  const bytes = readFileSync(cache);
  const end = bytes.indexOf(10);
  const [identity, sha256] = bytes.subarray(0, end).toString('latin1').split(' ');
  return { identity, sha256, dataBytes: bytes.length - end - 1 };
}

function identity(file: string): string {
  const st = statSync(file, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** Lets the bundle's last change age past the loader's two seconds, after which its identity counts. */
function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
}

test('the code cache is made by the first load, used by the next, and never for other code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-bundle-loader-'));
  const file = join(dir, 'commands.js');
  const cache = codeCachePath(file);
  writeFileSync(file, bundle('alpha'));
  // Whole seconds, which utimes sets exactly, so that the rewrite below can give the file back the same time.
  const dated = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
  utimesSync(file, dated, dated);

  // Just written: the cache is keyed by the hash alone, as the file could still change within its timestamps' tick.
  assert.deepEqual(load(file), { answer: 'ALPHA:commands.js', sha256: sha(file) });
  assert.ok(existsSync(cache), 'written when the process exited');
  assert.deepEqual({ ...header(cache), dataBytes: header(cache).dataBytes > 0 }, { identity: '', sha256: sha(file), dataBytes: true });

  // Old enough: the next load finds the cache by hash, and writes it again under the file's identity.
  settle();
  assert.deepEqual(load(file), { answer: 'ALPHA:commands.js', sha256: sha(file) });
  assert.deepEqual({ identity: header(cache).identity, sha256: header(cache).sha256 }, { identity: identity(file), sha256: sha(file) });

  // Used as it is, the hash taken from it (the runner's reuse keys): a process that had to compile would write it again.
  const past = new Date(Date.now() - 60_000);
  utimesSync(cache, past, past);
  assert.deepEqual(load(file), { answer: 'ALPHA:commands.js', sha256: sha(file) });
  assert.ok(Math.abs(statSync(cache).mtimeMs - past.getTime()) < 1, 'not rewritten by a process that used it');

  // Same length, same inode, its modification time set back: V8 alone would take the old cache and answer ALPHA.
  const before = statSync(file, { bigint: true });
  writeFileSync(file, bundle('omega'));
  utimesSync(file, dated, dated);
  assert.equal(statSync(file, { bigint: true }).ino, before.ino);
  assert.equal(statSync(file, { bigint: true }).mtimeNs, before.mtimeNs);
  assert.equal(readFileSync(file).length, Buffer.byteLength(bundle('alpha')));
  assert.deepEqual(load(file), { answer: 'OMEGA:commands.js', sha256: sha(file) });
  assert.equal(header(cache).sha256, sha(file), 'made again for the new bundle');

  // Damaged after its header: V8 refuses the data, the bundle still loads and the cache is made again.
  settle();
  const damaged = Buffer.concat([Buffer.from(`${identity(file)} ${sha(file)}\n`, 'latin1'), Buffer.alloc(4096, 7)]);
  writeFileSync(cache, damaged);
  assert.deepEqual(load(file), { answer: 'OMEGA:commands.js', sha256: sha(file) });
  assert.notDeepEqual(readFileSync(cache), damaged);
  assert.equal(header(cache).identity, identity(file));
});

test('a process that marks its work as the one the cache is best made by makes it once more, then it is kept', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-bundle-loader-'));
  const file = join(dir, 'commands.js');
  const cache = codeCachePath(file);
  // As a quick predict does (run-here.ts): the module that loaded it is marked when NARML_PREFER is set.
  writeFileSync(file, `${bundle('alpha')}if (process.env.NARML_PREFER) module.preferredCache = true;\n`);
  const dated = new Date(Date.now() - 3_600_000);
  utimesSync(file, dated, dated);
  settle();
  const loadAs = (prefer: boolean): void => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)})`], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NARML_PREFER: prefer ? '1' : '' } });
    assert.equal(r.status, 0, r.stderr);
  };
  const tag = (): string | undefined => readFileSync(cache).subarray(0, readFileSync(cache).indexOf(10)).toString('latin1').split(' ')[2];
  const age = (): number => { const past = new Date(Date.now() - 60_000); utimesSync(cache, past, past); return past.getTime(); };

  loadAs(false);
  assert.equal(tag(), undefined, 'made by an ordinary process');
  let kept = age();
  loadAs(false);
  assert.ok(Math.abs(statSync(cache).mtimeMs - kept) < 1, 'an ordinary process keeps a cache it could use');
  loadAs(true);
  assert.equal(tag(), 'preferred', 'made again by the preferred process');
  kept = age();
  loadAs(true);
  loadAs(false);
  assert.ok(Math.abs(statSync(cache).mtimeMs - kept) < 1, 'then kept by both');
  assert.equal(header(cache).identity, identity(file));
});
