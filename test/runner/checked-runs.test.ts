// Checked means it runs: every sample and every test pipeline that `narml check` passes must run
// to success through the built CLI, and every pipeline under test/fixtures/pipelines/refused/
// must be stopped by the check with the code its first line names (`# expect: NML124`), never
// left to fail at run time. Each pipeline runs on a fresh copy of its folder.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, root } from '../helpers/cli';

const pipelines = join(root, 'test', 'fixtures', 'pipelines');

function narmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return /^(\.narml|out|models|data)$/.test(e.name) ? [] : narmlFiles(p);
    return e.name.endsWith('.narml') ? [p] : [];
  });
}

/** The pipeline's folder tree copied to a temporary folder (without earlier runs' outputs); returns the copy's path of `file`. */
function copyOf(file: string, base: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-checked-'));
  cpSync(base, dir, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  return join(dir, relative(base, file));
}

const runnable = [
  ...narmlFiles(join(root, 'samples')).map((f) => ({ file: f, base: dirname(f) })),
  ...narmlFiles(pipelines).filter((f) => !f.includes(`${join('pipelines', 'refused')}`)).map((f) => ({ file: f, base: pipelines })),
];
const refused = narmlFiles(join(pipelines, 'refused'));

before(() => { ensureBuilt(); });

test('there are pipelines of both kinds to try', () => {
  assert.ok(runnable.length >= 6, runnable.map((r) => r.file).join(', '));
  assert.ok(refused.length >= 5, refused.join(', '));
});

for (const { file, base } of runnable) {
  test(`${relative(root, file)}: checks clean and runs`, () => {
    const copy = copyOf(file, base);
    const check = narml(['check', basename(copy)], dirname(copy));
    assert.equal(check.status, 0, `it must check clean to be in this list:\n${check.stdout}${check.stderr}`);
    const run = narml(['run', basename(copy), '--json'], dirname(copy));
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const result = JSON.parse(run.stdout) as { status: string; error?: string; evaluations: Record<string, { metrics: Record<string, number> }> };
    assert.equal(result.status, 'succeeded', result.error);
    for (const [name, e] of Object.entries(result.evaluations)) {
      for (const [metric, v] of Object.entries(e.metrics)) assert.ok(Number.isFinite(v), `${name} ${metric} = ${v}`);
    }
  });
}

for (const file of refused) {
  const expected = /^# expect: (NML\d{3})/.exec(readFileSync(file, 'utf8'))?.[1];
  test(`${relative(root, file)}: the check reports ${expected}`, () => {
    assert.ok(expected, 'the first line names the expected code: # expect: NMLxxx');
    const copy = copyOf(file, pipelines);
    const check = narml(['check', basename(copy)], dirname(copy));
    assert.equal(check.status, 1, check.stdout + check.stderr);
    assert.match(check.stdout + check.stderr, new RegExp(`error ${expected} `));
    const run = narml(['run', basename(copy)], dirname(copy));
    assert.equal(run.status, 1, 'the run is refused by the check');
  });
}
