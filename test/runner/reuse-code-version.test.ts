// A model is reused only by the program that trained it: after an upgrade that reads or trains
// differently (" ?" read as missing, a metric fixed), the store's old model came back with the old
// figures. Two copies of the built program, one changed by a byte, share one store.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { root, sample } from '../helpers/cli';

before(() => { ensureBuilt(); });

function run(dist: string, dir: string): { reused: string[]; computed: string[] } {
  const r = spawnSync(process.execPath, [join(dist, 'cli.js'), 'run', 'penguins.narml', 'species_logistic', '--json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr + r.stdout);
  return JSON.parse(r.stdout) as { reused: string[]; computed: string[] };
}

test('a model trained by other code is retrained, by the same code reused', () => {
  const programs = mkdtempSync(join(tmpdir(), 'narml-programs-'));
  const before = join(programs, 'before'), after = join(programs, 'after');
  for (const copy of [before, after]) cpSync(join(root, 'dist'), copy, { recursive: true, filter: (src) => !src.endsWith('.map') });
  // The runner is in the commands' bundle, which the run's worker thread and a quick predict both load.
  appendFileSync(join(after, 'cli-commands.js'), '\n// a later NarML\n');
  const dir = sample('penguins');
  assert.ok(run(before, dir).computed.includes('species_logistic'));
  assert.deepEqual(run(before, dir).reused, ['species_logistic'], 'same program: reused');
  const upgraded = run(after, dir);
  assert.deepEqual(upgraded.reused, [], 'another program: retrained');
  assert.ok(upgraded.computed.includes('species_logistic'));
});
