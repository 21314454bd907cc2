// Packages the extension for one platform (`vsce package --target`), with the packages the bundles
// leave to node_modules and load at run time: DuckDB's API, its binding and the target's native
// binary (docs/decisions/0011, 0013). The generic .vsix (`npm run package`) stays
// platform-neutral without them; this one installs offline and runs `engine: duckdb` and Parquet.
//   node scripts/package-platform.mjs [TARGET]   (default: this machine's, e.g. linux-x64)
// Expects dist/ built. Writes dist/narml-TARGET.vsix and prints its path.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNTIME_EXTERNALS } from './externals.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = process.argv[2] ?? `${process.platform}-${process.arch}`;
// vsce's target names a musl Linux "alpine"; the binary packages name it "linux-…-musl".
const binaryPlatform = target.startsWith('alpine-') ? `linux-${target.slice('alpine-'.length)}-musl` : target;
const require = createRequire(join(root, 'package.json'));
const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');

function fail(message) {
  process.stderr.write(`package-platform: ${message}\n`);
  process.exit(1);
}

/** A package's folder as resolved from `from` (its own folder's node_modules first, as Node does). */
function packageDir(name, from) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The runtime packages and everything they need, by name. An optional dependency is a per-platform
 * binary (DuckDB's `@duckdb/node-bindings-linux-x64` and its siblings): only the target's is taken,
 * and it must be installed (a package without it would fail at its first query, not here).
 */
function closure(names) {
  const found = new Map();
  const visit = (name, from) => {
    if (found.has(name)) return;
    const dir = packageDir(name, from);
    if (!dir) fail(`${name} is not installed; run npm install`);
    found.set(name, dir);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir);
    const binaries = Object.keys(pkg.optionalDependencies ?? {});
    if (binaries.length === 0) return;
    const mine = binaries.find((b) => b.endsWith(`-${binaryPlatform}`));
    if (!mine) fail(`${name} has no binary for ${target} (it has ${binaries.join(', ')})`);
    if (!packageDir(mine, dir)) fail(`${mine} is not installed: on another platform, npm install --os=… --cpu=… ${mine} first`);
    visit(mine, dir);
  };
  for (const name of names) visit(name, root);
  return found;
}

const packages = closure(RUNTIME_EXTERNALS);
const stage = mkdtempSync(join(tmpdir(), `narml-vsix-${target}-`));
try {
  // The generic package's files (.vscodeignore decides them), so both packages carry the same extension.
  const files = execFileSync(process.execPath, [vsce, 'ls', '--no-dependencies'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) cpSync(join(root, f), join(stage, f));
  for (const [name, dir] of packages) cpSync(dir, join(stage, 'node_modules', name), { recursive: true, filter: (src) => !src.slice(dir.length).includes('node_modules') });
  // vsce takes node_modules from `npm list --production`: the manifest names only the runtime packages.
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const version = (name) => JSON.parse(readFileSync(join(packages.get(name), 'package.json'), 'utf8')).version;
  manifest.dependencies = Object.fromEntries(RUNTIME_EXTERNALS.map((n) => [n, version(n)]));
  delete manifest.devDependencies;
  delete manifest.scripts;
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  // Type declarations and source maps of the packages are of no use at run time.
  writeFileSync(join(stage, '.vscodeignore'), 'node_modules/**/*.d.ts\nnode_modules/**/*.map\n');
  const out = join(root, 'dist', `narml-${target}.vsix`);
  execFileSync(process.execPath, [vsce, 'package', '--target', target, '--no-rewrite-relative-links', '--allow-missing-repository', '--no-update-package-json', '-o', out], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`${out}\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
