// The language server judges output paths against the client's workspace folder that holds the
// file (not only the file's folder), and the extension's override reaches it by notification.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../helpers/ensure-built';
import { LspClient } from './lsp-client';
import { ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION } from '../../server/src/contracts/lsp-requests';

type Json = Record<string, any>;
const clients: LspClient[] = [];

after(async () => {
  for (const c of clients) await c.close();
});

test('outputs may go anywhere in the workspace folder holding the file; the override lifts NML140 until it is withdrawn', async () => {
  ensureBuilt();
  const ws = mkdtempSync(join(tmpdir(), 'narml-lsp-ws-'));
  const project = join(ws, 'pipelines', 'penguins');
  mkdirSync(project, { recursive: true });
  cpSync(join(__dirname, '..', '..', 'samples', 'penguins'), project, { recursive: true });
  const file = join(project, 'penguins.narml');
  const uri = pathToFileURL(file).href;
  const original = readFileSync(file, 'utf8');
  const withOutput = (output: string): string => original.replace('output: "out/species-{date}.csv"', `output: "${output}"`);
  const client = new LspClient({ debounceMs: 10 });
  clients.push(client);
  await client.initialize(pathToFileURL(ws).href);
  const codes = (d: Json[]): string[] => d.map((x) => x.code as string);
  let version = 1;
  // `../../shared` leaves the pipeline's folder but stays in the workspace folder: clean.
  const opened = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version, text: withOutput('../../shared/species-{date}.csv') } });
  assert.deepEqual(codes(await opened), []);
  const escaped = client.diagnostics(uri, (d) => d.length > 0);
  client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text: withOutput('../../../species-{date}.csv') }] });
  const [d] = await escaped;
  assert.equal(d.code, 'NML140');
  assert.match(String(d.message), new RegExp(`outside the workspace folder ${ws.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const allowed = client.diagnostics(uri, (x) => x.length === 0);
  client.notify(ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, { allow: true });
  assert.deepEqual(await allowed, []);
  const withdrawn = client.diagnostics(uri, (x) => x.length > 0);
  client.notify(ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, { allow: false });
  assert.deepEqual(codes(await withdrawn), ['NML140']);
});
