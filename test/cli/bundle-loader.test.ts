// The CLI's commands are loaded with a V8 code cache beside their bundle (bundle-loader.ts). The
// cache is written when a process that compiled without it exits, used by the next, and never
// used for other code: V8 itself compares only the source's length, so a bundle rewritten with
// the same length must run its new code. Each load is a new Node process, as a CLI command is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeCachePath } from '../../server/src/cli/bundle-loader';

const loader = join(__dirname, '..', '..', 'server', 'src', 'cli', 'bundle-loader.ts');

/** What loading `file` in a fresh process exports (a function's result). */
function load(file: string): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `process.stdout.write(String(require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}).answer()))`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function bundle(word: string): string {
  // A function that runs at load and one that runs later: both are in the cache after the first process.
  return `"use strict";\nconst greeting = ${JSON.stringify(word)}.toUpperCase();\nexports.answer = function answer() { return greeting + ':' + require('node:path').basename(__filename); };\n`;
}

const sha = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();

test('the code cache is made by the first load, used by the next, and never for other code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-bundle-loader-'));
  const file = join(dir, 'commands.js');
  const cache = codeCachePath(file);
  writeFileSync(file, bundle('alpha'));

  assert.equal(load(file), 'ALPHA:commands.js');
  assert.ok(existsSync(cache), 'written when the process exited');
  // The bundle's hash is left on its module for the runner's reuse keys (run-pipeline.ts), which must not differ from a hash of the file.
  const hash = spawnSync(process.execPath, ['--import', 'tsx', '-e', `require(${JSON.stringify(loader)}).loadBundle(${JSON.stringify(file)}); process.stdout.write(require.cache[${JSON.stringify(file)}].sha256)`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(hash.stdout, sha(readFileSync(file)).toString('hex'), hash.stderr);
  assert.ok(readFileSync(cache).subarray(0, 32).equals(sha(readFileSync(file))), 'keyed by the bundle\'s SHA-256');
  assert.ok(readFileSync(cache).length > 32, 'with V8\'s cached data after the key');

  // Used as it is: a process that had to compile would write it again.
  const past = new Date(Date.now() - 60_000);
  utimesSync(cache, past, past);
  assert.equal(load(file), 'ALPHA:commands.js');
  assert.ok(Math.abs(statSync(cache).mtimeMs - past.getTime()) < 1, 'not rewritten by a process that used it');

  // Same length, other code: V8 alone would take the old cache and answer ALPHA.
  writeFileSync(file, bundle('omega'));
  assert.equal(readFileSync(file).length, Buffer.byteLength(bundle('alpha')));
  assert.equal(load(file), 'OMEGA:commands.js');
  assert.ok(readFileSync(cache).subarray(0, 32).equals(sha(readFileSync(file))), 'made again for the new bundle');

  // Damaged after its key: V8 refuses the data, the bundle still loads and the cache is made again.
  writeFileSync(cache, Buffer.concat([sha(readFileSync(file)), Buffer.alloc(4096, 7)]));
  assert.equal(load(file), 'OMEGA:commands.js');
  assert.notEqual(readFileSync(cache).subarray(32).toString('hex'), Buffer.alloc(4096, 7).toString('hex'));
});
