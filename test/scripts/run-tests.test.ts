// scripts/run-tests.mjs: skipped and todo tests are counted apart from passes and listed with
// their reasons, the closing line "N passed, N failed, N skipped" comes last, and with CI=true a
// skip of a test CI must run (the Neovim test's path) is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'test-runner');

function runTests(ci: boolean): { status: number | null; lines: string[] } {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: ci ? 'true' : 'false' };
  delete env.NARML_TEST_FILTER;
  // Set by node:test for the file running this test; the nested runner must not see it.
  delete env.NODE_TEST_CONTEXT;
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'run-tests.mjs')], { cwd: fixture, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, lines: r.stdout.trimEnd().split('\n') };
}

test('skips and todos are counted apart and listed with their reasons; the count line is last', () => {
  const { status, lines } = runTests(false);
  assert.equal(lines.at(-1), '1 passed, 1 failed, 4 skipped');
  assert.equal(status, 1, 'a failure fails the run');
  for (const expected of [
    'skipped: test/kinds.test.ts › skips by option: not on this machine',
    'skipped: test/kinds.test.ts › skips itself: nothing to check',
    'todo: test/kinds.test.ts › is todo: later',
    'skipped: test/lsp/neovim.test.ts › the Neovim stand-in: no editor here',
  ]) assert.ok(lines.includes(expected), `${expected}\n${lines.join('\n')}`);
});

test('with CI=true a skipped test that CI must run is a failure', () => {
  const { status, lines } = runTests(true);
  assert.equal(lines.at(-1), '1 passed, 2 failed, 3 skipped');
  assert.equal(status, 1);
  assert.ok(lines.includes('failed: test/lsp/neovim.test.ts › the Neovim stand-in was skipped: no editor here; CI=true requires it to run'), lines.join('\n'));
});
