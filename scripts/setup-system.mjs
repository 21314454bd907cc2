// Installs the Debian packages the tests need, once, before any test starts: one apt-get run
// that waits for the dpkg lock, so no test installs anything itself (two tests running apt-get
// at the same time made one of them fail on a fresh machine). Only the packages needed by the
// test files about to run are considered; installed ones are left alone.
// Run by scripts/run-tests.mjs; by hand: `node scripts/setup-system.mjs` (all of them).
import { spawnSync } from 'node:child_process';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** Debian package → the test paths (from the repository root) that need it. */
export const SYSTEM_PACKAGES = {
  chromium: ['test/e2e/'],
  neovim: ['test/lsp/neovim.test.ts'],
  'python3-onnx': ['test/export/'],
  // xmllint validates the PMML exports against the PMML 4.4 schema.
  'libxml2-utils': ['test/export/'],
  // scikit-learn references and its bundled iris.csv.
  'python3-sklearn': ['test/runner/'],
  'python3-pandas': ['test/runner/'],
  // The two-shard cluster of the ClickHouse engine tests (test/helpers/clickhouse-cluster.ts);
  // the server alone, without clickhouse-client: the tests talk HTTP.
  'clickhouse-server': ['test/engine/clickhouse'],
};

function installed(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function aptGet(args) {
  // Waits up to 10 minutes for another apt/dpkg to release its lock instead of failing.
  const r = spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
    stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

/**
 * Installs what `testFiles` (absolute paths; all tests when omitted) need and is missing.
 * Returns the packages still missing afterwards, each with why; the tests that need them skip
 * or fail with their own reason.
 */
export function setupSystem(testFiles) {
  const paths = testFiles?.map((f) => relative(root, f).split('\\').join('/'));
  const needed = Object.entries(SYSTEM_PACKAGES)
    .filter(([, users]) => !paths || paths.some((p) => users.some((u) => p.startsWith(u))))
    .map(([pkg]) => pkg);
  if (needed.length === 0) return [];
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    return needed.map((pkg) => `${pkg}: not a Debian system; install the equivalent package yourself`);
  }
  const missing = needed.filter((pkg) => !installed(pkg));
  if (missing.length === 0) return [];
  if (process.getuid?.() !== 0) {
    return missing.map((pkg) => `${pkg}: not installed, and installing needs root: sudo apt-get install ${missing.join(' ')}`);
  }
  process.stdout.write(`setup: installing ${missing.join(', ')} with apt-get\n`);
  if (!aptGet(['update', '-qq']) || !aptGet(['install', '-y', '-qq', ...missing])) {
    return missing.filter((pkg) => !installed(pkg)).map((pkg) => `${pkg}: apt-get could not install it (see its output above)`);
  }
  return missing.filter((pkg) => !installed(pkg)).map((pkg) => `${pkg}: still missing after apt-get install`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = setupSystem();
  for (const p of problems) process.stderr.write(`setup: ${p}\n`);
  process.exitCode = problems.length > 0 ? 1 : 0;
}
