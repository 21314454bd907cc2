// Runs every test file under test/ (except the e2e host) with node's test runner, after
// installing the system packages those files need (setup-system.mjs), and ends with the plain
// closing line "N passed, N failed, N skipped" that CI reads. Skipped and todo tests are not
// passes: they are counted apart and listed with their reasons. Under CI=true a test that CI
// must run (MUST_RUN_IN_CI) and skipped counts as a failure.
import { spawnSync } from 'node:child_process';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setupSystem } from './setup-system.mjs';

const root = resolve(process.argv[2] ?? 'test');
const skip = new Set(['host', 'node_modules', '.tmp', 'screenshots', 'fixtures']);
/** Paths (relative to the working folder, or folders ending in /) whose tests must not skip in CI. */
const MUST_RUN_IN_CI = ['test/e2e/', 'test/lsp/neovim.test.ts'];

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (skip.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...collect(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}

const only = process.env.NARML_TEST_FILTER;
const files = collect(root).filter((f) => !only || f.includes(only)).sort();
for (const problem of setupSystem(files)) process.stdout.write(`setup: ${problem}\n`);
// The e2e host (code-server) is installed once, here, before any e2e file starts: several e2e
// files installing it at the same time into the same folder broke each other's npm install.
if (files.some((f) => f.includes(`${join('test', 'e2e')}`))) {
  const setup = join(resolve('test'), 'e2e', 'setup.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', `const p = require(${JSON.stringify(setup)}).setupHost((s) => console.log('e2e host: ' + s)); if (p) { console.log('setup: e2e host: ' + p); }`], { stdio: 'inherit' });
  if (r.status !== 0) process.stdout.write(`setup: installing the e2e host exited with ${r.status}\n`);
  const pack = spawnSync(process.execPath, ['--import', 'tsx', '-e', `console.log(require(${JSON.stringify(setup)}).packageExtension(process.cwd()))`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (pack.status === 0) process.env.NARML_E2E_VSIX = pack.stdout.trim();
  else process.stdout.write(`setup: packaging the extension for the e2e tests exited with ${pack.status}\n`);
}
// The platform .vsix is packaged once for the tests that unpack it (dist/ is built by then: `npm test`'s pretest, or the e2e packaging above).
if (files.some((f) => f.includes('platform-vsix'))) {
  const pack = spawnSync(process.execPath, [fileURLToPath(new URL('package-platform.mjs', import.meta.url))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (pack.status === 0) process.env.NARML_PLATFORM_VSIX = pack.stdout.trim();
  else process.stdout.write(`setup: packaging the platform .vsix exited with ${pack.status}\n`);
}
// An absolute URL, so processes the tests spawn in other folders still find tsx.
process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import ${import.meta.resolve('tsx')}`.trim();

const ci = process.env.CI === 'true';
const where = (e) => `${relative(process.cwd(), e.file).split('\\').join('/')} › ${e.name}`;
let passed = 0;
let failed = 0;
const skipped = [];
const mustHaveRun = [];
const isTest = (e) => e.details?.type !== 'suite' && e.file;
const notRun = (e) => {
  const path = relative(process.cwd(), e.file).split('\\').join('/');
  if (ci && MUST_RUN_IN_CI.some((m) => (m.endsWith('/') ? path.startsWith(m) : path === m))) mustHaveRun.push(e);
  else skipped.push(e);
};
const stream = run({ files, concurrency: 2, timeout: 20 * 60 * 1000 });
stream.on('test:pass', (e) => {
  if (!isTest(e)) return;
  if (e.skip !== undefined || e.todo !== undefined) notRun(e);
  else passed++;
});
stream.on('test:fail', (e) => {
  if (!isTest(e)) return;
  // A failing todo test is reported, not counted as a failure (node:test's own rule).
  if (e.todo !== undefined) notRun(e);
  else failed++;
});
const report = stream.compose(spec);
report.pipe(process.stdout, { end: false });
report.on('end', () => {
  if (files.length === 0) failed++;
  const reason = (e) => (typeof (e.skip ?? e.todo) === 'string' ? `: ${e.skip ?? e.todo}` : '');
  for (const e of skipped) console.log(`${e.todo !== undefined ? 'todo' : 'skipped'}: ${where(e)}${reason(e)}`);
  for (const e of mustHaveRun) console.log(`failed: ${where(e)} was skipped${reason(e)}; CI=true requires it to run`);
  failed += mustHaveRun.length;
  console.log(`\n${passed} passed, ${failed} failed, ${skipped.length} skipped`);
  process.exitCode = failed > 0 ? 1 : 0;
});
