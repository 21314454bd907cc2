// Nothing is written outside the workspace, on the penguins sample (real data): a symbolic link
// that appears after the check is refused at write time, a planted `.narml` link is refused, an
// escaping output stops `narml run` and the scheduler unless --allow-outside-workspace (or a wider
// --workspace) is given.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ensureBuilt } from '../helpers/ensure-built';
import { narml, sample } from '../helpers/cli';
import { irisPipeline, irisWorkspace } from '../helpers/iris-workspace';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors } from '../../server/src/checker/checked-model';
import { runPipeline } from '../../server/src/runner/run-pipeline';

before(() => { ensureBuilt(); });

function outsideFolder(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'narml-outside-')));
}

/** Every file under `dir`, temporary files included. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
}

test('a symbolic link that appears after the check is refused at write time; nothing lands outside', async () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  const checked = await checkWithFullSchemas(readFileSync(file, 'utf8'), file);
  assert.equal(hasErrors(checked), false, checked.diagnostics.map((d) => d.message).join('; '));
  const outside = outsideFolder();
  // The check saw no out/ folder; now out/ leads outside the workspace.
  symlinkSync(outside, join(dir, 'out'));
  const predicted = await runPipeline(checked, { names: ['field_survey'] });
  assert.equal(predicted.status, 'failed');
  assert.match(predicted.error ?? '', /refused to write .*out.*symbolic link/);
  symlinkSync(outside, join(dir, 'models'));
  const exportName = [...checked.symbols.values()].find((s) => s.kind === 'export')!.name;
  const refused = await runPipeline(checked, { names: [exportName] });
  assert.equal(refused.status, 'failed');
  assert.match(refused.error ?? '', /refused to write .*models/);
  assert.deepEqual(filesUnder(outside), [], 'no output and no temporary file outside');
});

test('narml run refuses an output that leaves the workspace; --allow-outside-workspace and a wider --workspace allow it', () => {
  const dir = sample('penguins');
  const file = join(dir, 'penguins.narml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('output: "out/species-{date}.csv"', 'output: "../escaped-{date}.csv"'));
  const escaped = (): string[] => readdirSync(dirname(dir)).filter((n) => n.startsWith('escaped-') && existsSync(join(dirname(dir), n)));
  const before = escaped().length;
  const refused = narml(['run', 'penguins.narml', 'field_survey'], dir);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /NML140 output "\.\.\/escaped-\{date\}\.csv"/);
  assert.equal(escaped().length, before, 'nothing written');
  // A wider workspace: the folder above the pipeline's holds ../escaped-*.csv.
  const parent = mkdtempSync(join(tmpdir(), 'narml-wide-'));
  const nested = join(parent, 'project');
  cpSync(dir, nested, { recursive: true });
  const widened = narml(['check', join(nested, 'penguins.narml'), '--workspace', parent], parent);
  assert.equal(widened.status, 0, widened.stderr);
  const allowed = narml(['run', 'penguins.narml', 'field_survey', '--allow-outside-workspace', '--json'], dir);
  assert.equal(allowed.status, 0, allowed.stderr);
  const written: string = JSON.parse(allowed.stdout).predictions.field_survey.output;
  assert.equal(dirname(written), dirname(dir));
  assert.ok(existsSync(written));
  assert.equal(narml(['run', 'penguins.narml', '--workspace', join(dir, 'data')], dir).status, 2, 'a workspace that does not hold the pipeline is bad usage');
});

test('a planted .narml link out of the workspace: the run is refused and nothing is written there', () => {
  const dir = sample('penguins');
  const outside = outsideFolder();
  symlinkSync(outside, join(dir, '.narml'));
  const out = narml(['run', 'penguins.narml', 'field_survey', '--json'], dir);
  assert.equal(out.status, 1);
  assert.match(out.stderr, /refused to write .*\.narml.*symbolic link/);
  assert.equal(JSON.parse(out.stdout).status, 'failed');
  assert.deepEqual(filesUnder(outside), []);
  assert.equal(existsSync(join(dir, 'out')), false, 'the run stopped before any output');
});

test('the scheduler keeps the workspace rule at every firing, and the override reaches it', () => {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'narml-sched-ws-')));
  const dir = join(base, 'project');
  irisWorkspace(dir, 'p', irisPipeline(1, [{ name: 'nightly', source: 'data/iris.csv', output: '../nightly.csv', schedule: '0 2 * * *', retries: 0 }]));
  const refused = narml(['scheduler', 'p.narml', '--once-now'], dir);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /nightly: attempt 1 failed: .*NML140/);
  assert.equal(existsSync(join(base, 'nightly.csv')), false);
  const allowed = narml(['scheduler', 'p.narml', '--once-now', '--allow-outside-workspace'], dir);
  assert.equal(allowed.status, 0, allowed.stderr);
  assert.ok(existsSync(join(base, 'nightly.csv')));
});
