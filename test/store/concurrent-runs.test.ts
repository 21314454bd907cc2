// Overlapping runs share one store: 4 pipelines × 5 CLI processes started at once in one folder
// (one `.narml/`); every process exits 0 and every run it printed is in the history.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, narml } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';
import { irisPipeline, irisWorkspace } from '../helpers/iris-workspace';
import { readStoreData } from '../../server/src/store/run-store';

before(() => { ensureBuilt(); });

function runCli(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('20 overlapping runs of 4 pipelines on one store: every run recorded, none lost', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-concurrent-'));
  const files = [1, 2, 3, 4].map((seed) => irisWorkspace(dir, `p${seed}`, irisPipeline(seed, [{ name: 'scores', source: 'data/iris.csv', output: `out/scores-${seed}.csv` }])));
  const results = await Promise.all(files.flatMap((f) => [1, 2, 3, 4, 5].map(() => runCli(['run', f, '--json'], dir))));
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const printed = results.map((r) => JSON.parse(r.stdout).run as string);
  assert.equal(new Set(printed).size, 20, 'distinct run ids');
  const stored = readStoreData(files[0])!.runs;
  assert.deepEqual(stored.map((r) => r.run).sort(), [...printed].sort());
  assert.ok(stored.every((r) => r.status === 'succeeded'));
  for (const f of files) {
    const history = JSON.parse(narml(['history', f, '--json'], dir).stdout) as { runs: { file: string; evaluations: Record<string, { confusion?: unknown }> }[] };
    assert.equal(history.runs.length, 5, `history of ${f}`);
    assert.ok(history.runs.every((r) => r.evaluations.tree_on_parts_test.confusion), 'details loaded back');
  }
  // One model version per pipeline, whichever of its five runs trained it first.
  const models = JSON.parse(narml(['models', '--file', files[0], '--json'], dir).stdout).models as { file: string }[];
  assert.deepEqual(models.map((m) => m.file).sort(), [...files].sort());
  assert.deepEqual(readdirSync(join(dir, '.narml', 'running')), [], 'no run left marked as running');
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['scores-1.csv', 'scores-2.csv', 'scores-3.csv', 'scores-4.csv'], 'no temporary files left');
});
