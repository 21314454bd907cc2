// The language server re-checks an open pipeline that names `m@production` when the client
// reports a change in the run store's registry (a promotion from the CLI or the Runs & Models
// view): the text is unchanged, but NML133 is no longer true. Over JSON-RPC with the built server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RunJson } from '../../server/src/contracts/cli-json';
import { promote } from '../../server/src/store/registry';
import { RunStore } from '../../server/src/store/run-store';
import { ensureBuilt } from '../helpers/ensure-built';
import { root } from '../helpers/cli';
import { LspClient } from './lsp-client';

let client: LspClient;
before(() => { ensureBuilt(); client = new LspClient({ debounceMs: 10 }); });
after(async () => { await client.close(); });

test('a promotion reported by the client clears NML133 of the open pipeline that names @production', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-lsp-registry-'));
  const file = join(dir, 'p.narml');
  const run: RunJson = {
    run: 'r1', status: 'succeeded', file, started: '2026-12-07T01:00:00.000Z', finished: '2026-12-07T01:00:01.000Z', computed: ['m'], reused: [], outputs: [],
    comparisons: {}, predictions: {}, monitors: {}, evaluations: {},
    models: { m: { algorithm: 'logistic_regression', task: 'classification', target: 'species', version: 'abc', modelHash: 'e'.repeat(64), features: ['sepal_length_cm'], options: {}, trainRows: 120 } },
  };
  RunStore.open(file).finishRun(run, { artifacts: { m: 'f'.repeat(64) } });
  const text = `dataset iris from "${join(root, 'test', 'fixtures', 'data', 'iris.csv')}"
split parts from iris { train: 80%, test: 20%, stratify: species, seed: 1 }
model m from parts.train {
  target: species
  algorithm: logistic_regression
}
predict p with m@production from parts.test {
  output: "out/p.csv"
}
`;
  await client.initialize(pathToFileURL(dir).href);
  await new Promise((r) => setTimeout(r, 200));
  const registration = client.serverRequests.find((r) => r.method === 'client/registerCapability');
  assert.match(JSON.stringify(registration?.params), /\*\*\/\.narml\/registry\/\*\.json/, 'the server asks the client to watch the registry');
  const uri = pathToFileURL(file).href;
  const first = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
  assert.match(JSON.stringify((await first).map((d) => [d.code, d.message])), /NML133.*no version of m is in production/);
  promote(file, 'm', 'v1', 'production');
  const [event] = readdirSync(join(dir, '.narml', 'registry'));
  const cleared = client.diagnostics(uri, (d) => !d.some((x) => x.code === 'NML133'));
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, '.narml', 'registry', event)).href, type: 1 }] });
  assert.deepEqual((await cleared).filter((d) => d.severity === 1), [], 'no error left');
});
