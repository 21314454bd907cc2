// The Lineage panel's status of each declaration, on real runs of the iris pipeline through the
// CLI and the definition hashes the language server computes for the text being edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import type { RunJson } from '../../server/src/contracts/cli-json';
import type { PipelineGraph } from '../../server/src/contracts/lsp-requests';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { cachedFileHasher, definitionHashes } from '../../server/src/runner/definition-hash';
import { lineageStatus } from '../../extension/src/lineage-status';
import { narml } from '../helpers/cli';
import { ensureBuilt } from '../helpers/ensure-built';
import { irisPipeline, irisWorkspace } from '../helpers/iris-workspace';

const run = (dir: string): RunJson => JSON.parse(narml(['run', 'p.narml', '--json'], dir).stdout) as RunJson;

/** What the panel gets for `text`: the graph and hashes the server answers, judged against the runs. */
async function statusOf(file: string, text: string, runs: RunJson[]): Promise<Record<string, string>> {
  const checked = checkPipeline(text, file, new CsvSchemaCache());
  const graph: PipelineGraph = {
    uri: file,
    nodes: [...checked.symbols.values()].map((s) => ({
      name: s.name, kind: s.kind, line: 0, dependsOn: s.dependsOn, warnings: 0,
      errors: checked.diagnostics.filter((d) => d.severity === 'error' && checked.document.declarations[s.declarationIndex].range.start.offset <= d.range.start.offset && d.range.start.offset <= checked.document.declarations[s.declarationIndex].range.end.offset).length,
    })),
  };
  const status = lineageStatus(graph, await definitionHashes(checked, cachedFileHasher()), runs);
  return Object.fromEntries(Object.entries(status).map(([k, v]) => [k, v.status]));
}

test('fresh after a run, reused after a second one, stale after an edit to the text or the data, failed where a run failed', async () => {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'narml-lineage-status-'));
  try {
    const file = irisWorkspace(dir, 'p', irisPipeline(7, [{ name: 'scores', source: 'data/iris.csv', output: 'out/scores.csv' }]));
    const text = readFileSync(file, 'utf8');
    assert.deepEqual(await statusOf(file, text, []), { iris: 'not-run', parts: 'not-run', tree: 'not-run', tree_on_parts_test: 'not-run', scores: 'not-run' });

    const first = run(dir);
    assert.equal(first.status, 'succeeded', first.error);
    assert.deepEqual(await statusOf(file, text, [first]), { iris: 'fresh', parts: 'fresh', tree: 'fresh', tree_on_parts_test: 'fresh', scores: 'fresh' });

    const second = run(dir);
    assert.deepEqual(second.reused, ['tree']);
    const runs = [first, second];
    assert.deepEqual(await statusOf(file, text, runs), { iris: 'fresh', parts: 'fresh', tree: 'reused', tree_on_parts_test: 'fresh', scores: 'fresh' }, 'the data is read again to evaluate');

    // A comment or spacing is no change; a new depth is, for the model and what reads it.
    assert.deepEqual(await statusOf(file, text.replace('model tree', '# the tree\nmodel   tree'), runs), await statusOf(file, text, runs));
    assert.deepEqual(await statusOf(file, text.replace('max_depth: 3', 'max_depth: 4'), runs), { iris: 'fresh', parts: 'fresh', tree: 'stale', tree_on_parts_test: 'stale', scores: 'stale' });
    // New bytes in the dataset make everything downstream of it stale, unsaved text or not.
    const csv = join(dir, 'data', 'iris.csv');
    const original = readFileSync(csv, 'utf8');
    writeFileSync(csv, original.replace('5.1,3.5,1.4,0.2', '5.2,3.5,1.4,0.2'));
    assert.deepEqual(new Set(Object.values(await statusOf(file, text, runs))), new Set(['stale']));
    writeFileSync(csv, original);

    // The output path is a folder: the run fails in the predict, which is failed until its text changes.
    rmSync(join(dir, 'out', 'scores.csv'));
    mkdirSync(join(dir, 'out', 'scores.csv'));
    const failed = run(dir);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.failedIn?.name, 'scores');
    runs.push(failed);
    assert.deepEqual(await statusOf(file, text, runs), { iris: 'fresh', parts: 'fresh', tree: 'reused', tree_on_parts_test: 'fresh', scores: 'failed' });
    assert.equal((await statusOf(file, text.replace('out/scores.csv', 'out/scores2.csv'), runs)).scores, 'stale');
    rmSync(join(dir, 'out', 'scores.csv'), { recursive: true });

    // A declaration with check errors says so whatever its runs.
    assert.equal((await statusOf(file, text.replace('max_depth: 3', 'max_depth: "x"'), runs)).tree, 'error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
