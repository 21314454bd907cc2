// The narml.engine setting in the language server: the engine of a pipeline without an `engine:`
// statement, from initializationOptions and then workspace/didChangeConfiguration, the same rule
// as the editor's runs (--default-engine). What that engine cannot run is NML154 in the editor.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../helpers/ensure-built';
import { FILE, IRIS } from '../helpers/fixture-pipelines';
import { LspClient } from './lsp-client';

type Json = Record<string, unknown>;
const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
});

const body = `${IRIS}\ntransform t from iris {\n  cast petal_width_cm as text\n  drop petal_width_cm\n}\nmodel m from t { target: species, algorithm: knn }\n`;
const codes = (d: Json[]): string[] => d.map((x) => String(x.code));
const has154 = (d: Json[]): boolean => codes(d).includes('NML154');

test('narml.engine decides the engine of a pipeline without a statement: NML154 follows the setting as it changes, the statement wins', async () => {
  ensureBuilt();
  const client = new LspClient({ debounceMs: 10, engine: 'duckdb' });
  clients.push(client);
  await client.initialize(pathToFileURL(join(FILE, '..')).href);
  const plain = pathToFileURL(FILE).href;
  const stated = pathToFileURL(join(FILE, '..', 'stated.narml')).href;

  const first = client.diagnostics(plain);
  client.notify('textDocument/didOpen', { textDocument: { uri: plain, languageId: 'narml', version: 1, text: body } });
  const d = await first;
  assert.deepEqual(codes(d), ['NML154'], JSON.stringify(d));
  assert.match(String(d[0].message), /engine duckdb cannot run .*cast/);

  // The file's own statement wins over the setting.
  const statedFirst = client.diagnostics(stated);
  client.notify('textDocument/didOpen', { textDocument: { uri: stated, languageId: 'narml', version: 1, text: `engine: memory\n${body}` } });
  assert.deepEqual(codes(await statedFirst), []);

  // `pipeline` (the setting's default) leaves a file without a statement on memory.
  const cleared = client.diagnostics(plain, (x) => !has154(x));
  client.notify('workspace/didChangeConfiguration', { settings: { narml: { engine: 'pipeline' } } });
  assert.deepEqual(codes(await cleared), []);

  const back = client.diagnostics(plain, has154);
  client.notify('workspace/didChangeConfiguration', { settings: { narml: { engine: 'duckdb' } } });
  assert.deepEqual(codes(await back), ['NML154']);

  // The file with `engine: duckdb` and the setting on memory: the statement still decides.
  const restated = client.diagnostics(stated, has154);
  client.notify('workspace/didChangeConfiguration', { settings: { narml: { engine: 'memory' } } });
  client.notify('textDocument/didChange', { textDocument: { uri: stated, version: 2 }, contentChanges: [{ text: `engine: duckdb\n${body}` }] });
  assert.deepEqual(codes(await restated), ['NML154']);
});
