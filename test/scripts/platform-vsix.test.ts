// The platform .vsix (scripts/package-platform.mjs) installs offline and runs the DuckDB engine by
// itself: unpacked into a temporary folder, far from the repository's node_modules, its CLI runs a
// pipeline with `engine: duckdb` that writes Parquet and checks a pipeline that reads it, its
// language server reads the same schema, and its bundles resolve @duckdb/node-api to the copy
// inside the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../lsp/lsp-client';

const root = join(__dirname, '..', '..');
const target = `${process.platform}-${process.arch}`;

/** Packaged once by scripts/run-tests.mjs for every test that needs it, else here. */
function platformVsix(): string {
  return process.env.NARML_PLATFORM_VSIX ?? execFileSync(process.execPath, [join(root, 'scripts', 'package-platform.mjs')], { encoding: 'utf8' }).trim();
}

/** What a user's Node has: none of the test runner's loaders or module paths. */
function bareEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(NODE_OPTIONS|NODE_PATH|NODE_TEST_CONTEXT)$/.test(k) && !k.toLowerCase().startsWith('npm_')) env[k] = v;
  return env;
}

test('the platform .vsix carries DuckDB for its target: its CLI and language server run engine: duckdb and read Parquet without the repository', async () => {
  const vsix = platformVsix();
  assert.ok(vsix.endsWith(`narml-${target}.vsix`), vsix);
  const unpacked = mkdtempSync(join(tmpdir(), 'narml-platform-vsix-'));
  execFileSync('unzip', ['-q', vsix, '-d', unpacked]);
  const ext = join(unpacked, 'extension');
  assert.match(readFileSync(join(unpacked, 'extension.vsixmanifest'), 'utf8'), new RegExp(`TargetPlatform="${target}"`));
  assert.ok(!existsSync(join(ext, 'node_modules', 'onnxruntime-node')), 'onnxruntime-node is for tests only and stays out');

  const env = bareEnv();
  const resolved = execFileSync(process.execPath, ['-e', 'console.log(require.resolve("@duckdb/node-api"))'], { cwd: join(ext, 'dist'), env, encoding: 'utf8' }).trim();
  assert.ok(resolved.startsWith(join(ext, 'node_modules')), `resolved from the package, not elsewhere: ${resolved}`);

  const work = mkdtempSync(join(tmpdir(), 'narml-platform-work-'));
  cpSync(join(ext, 'samples', 'penguins'), work, { recursive: true });
  const sample = readFileSync(join(work, 'penguins.narml'), 'utf8');
  const text = `engine: duckdb\n${sample.replace('predict field_survey with species_forest', 'predict field_survey with species_logistic').replace('output: "out/species-{date}.csv"', 'output: "out/species.parquet"')}`;
  assert.ok(text.includes('with species_logistic') && text.includes('out/species.parquet'));
  writeFileSync(join(work, 'duck.narml'), text);
  const cli = join(ext, 'bin', 'narml.js');
  const run = spawnSync(process.execPath, [cli, 'run', 'duck.narml', 'field_survey'], { cwd: work, env, encoding: 'utf8', timeout: 600_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.equal(readFileSync(join(work, 'out', 'species.parquet')).subarray(0, 4).toString(), 'PAR1');

  // The checker reads the Parquet file's schema through the packaged DuckDB: a column it lacks is named as missing.
  const reader = (column: string): string => `engine: duckdb\ndataset scored from "out/species.parquet"\ntransform picked from scored {\n  keep ${column}\n}\n`;
  writeFileSync(join(work, 'good.narml'), reader('Island'));
  writeFileSync(join(work, 'bad.narml'), reader('Islandz'));
  const good = spawnSync(process.execPath, [cli, 'check', 'good.narml'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(good.status, 0, `${good.stdout}\n${good.stderr}`);
  const bad = spawnSync(process.execPath, [cli, 'check', 'bad.narml', '--format', 'json'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(bad.status, 1, `${bad.stdout}\n${bad.stderr}`);
  assert.match(bad.stdout, /Islandz/);
  assert.match(bad.stdout, /Island\b/);

  // The packaged language server reads the schema the same way, in the background, and re-checks.
  const server = new LspClient({ debounceMs: 10 }, join(ext, 'dist', 'server.js'), env);
  try {
    await server.initialize(pathToFileURL(work).href);
    const uri = pathToFileURL(join(work, 'bad.narml')).href;
    const read = server.diagnostics(uri, (d) => d.some((x) => /Islandz/.test(String(x.message))), 60_000);
    server.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text: reader('Islandz') } });
    const d = await read;
    assert.ok(d.some((x) => x.severity === 1 && /Island\b/.test(String(x.message))), JSON.stringify(d));
  } finally {
    await server.close();
  }

  // Without the package's node_modules (the generic .vsix), the same check says what is missing instead of failing inside.
  rmSync(join(ext, 'node_modules'), { recursive: true });
  const without = spawnSync(process.execPath, [cli, 'check', 'good.narml'], { cwd: work, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(without.status, 1, `${without.stdout}\n${without.stderr}`);
  assert.match(without.stdout, new RegExp(`good\\.narml:2:\\d+: error .*@duckdb/node-api package, which cannot be loaded .*narml-${target}\\.vsix carries it`));
  assert.doesNotMatch(without.stdout + without.stderr, /internal error/);
  rmSync(unpacked, { recursive: true });
  rmSync(work, { recursive: true });
});
