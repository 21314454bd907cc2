// The language server over real JSON-RPC on stdio, driven like an editor would, on the
// penguins sample (real data) copied into a temporary folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/ensure-built';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from './lsp-client';

const root = join(__dirname, '..', '..');
let dir: string;
let uri: string;
let text: string;
let client: LspClient;
let version = 1;
let legend: string[];

type Json = Record<string, any>;

function positionOf(needle: string, nth = 0, delta = 0): { line: number; character: number } {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  assert.ok(at >= 0, `"${needle}" is in the document`);
  const offset = at + delta;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

function offsetOf(source: string, pos: { line: number; character: number }): number {
  const lines = source.split('\n');
  let offset = 0;
  for (let i = 0; i < pos.line; i++) offset += lines[i].length + 1;
  return offset + pos.character;
}

/** Applies LSP text edits (non-overlapping) to `source`, last first. */
function applyEdits(source: string, edits: Json[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(source, b.range.start) - offsetOf(source, a.range.start));
  let out = source;
  for (const e of sorted) out = out.slice(0, offsetOf(out, e.range.start)) + e.newText + out.slice(offsetOf(out, e.range.end));
  return out;
}

function change(next: string): void {
  text = next;
  client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [{ text }] });
}

before(async () => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'narml-lsp-'));
  cpSync(join(root, 'samples', 'penguins'), dir, { recursive: true });
  uri = pathToFileURL(join(dir, 'penguins.narml')).href;
  text = readFileSync(join(dir, 'penguins.narml'), 'utf8');
  client = new LspClient({ debounceMs: 10 });
  const init = await client.initialize(pathToFileURL(dir).href);
  assert.ok((init.capabilities as Json).completionProvider);
  legend = (init.capabilities as Json).semanticTokensProvider.legend.tokenTypes;
  const first = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version, text } });
  assert.deepEqual(await first, [], 'the sample opens clean');
});

after(async () => {
  await client?.close();
});

test('an edit produces a diagnostic with the NML code, and its quick fix clears it', async () => {
  const broken = text.replace('encode Island, Sex as onehot', 'encode Islnd, Sex as onehot');
  const got = client.diagnostics(uri, (d) => d.length > 0);
  change(broken);
  const diags = await got;
  const d = diags.find((x) => x.code === 'NML101');
  assert.ok(d, JSON.stringify(diags));
  assert.match(d.message as string, /did you mean column "Island"/);
  const actions = (await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as Json[];
  assert.equal(actions[0].title, 'Change to "Island"');
  const edit = actions[0].edit.changes[uri][0];
  const lines = text.split('\n');
  const line = lines[edit.range.start.line];
  lines[edit.range.start.line] = line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
  const clean = client.diagnostics(uri, (x) => x.length === 0);
  change(lines.join('\n'));
  assert.deepEqual(await clean, []);
});

test('the insert-step quick fix adds impute to the transform that feeds the model, indented like its steps', async () => {
  const original = text;
  const imputeLine = '  impute beak_length, beak_depth, flipper_length, body_mass with median\n';
  assert.ok(original.includes(imputeLine));
  const got = client.diagnostics(uri, (d) => d.some((x) => x.code === 'NML114'));
  change(original.replace(imputeLine, ''));
  const diags = (await got).filter((x) => x.code === 'NML114');
  const d = diags.find((x) => /beak_depth/.test(x.message as string));
  assert.ok(d, JSON.stringify(diags));
  const actions = (await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as Json[];
  const fix = actions.find((a) => /impute beak_depth with median/.test(a.title));
  assert.ok(fix, JSON.stringify(actions.map((a) => a.title)));
  const fixed = applyEdits(text, fix.edit.changes[uri]);
  assert.match(fixed, /  scale beak_length, beak_depth, flipper_length, body_mass with standard\n  impute beak_depth with median\n\}/);
  const after = client.diagnostics(uri, () => true);
  change(fixed);
  const left = (await after).filter((x) => x.code === 'NML114');
  assert.ok(left.length > 0 && left.every((x) => !/beak_depth/.test(x.message as string)), JSON.stringify(left));
  const clean = client.diagnostics(uri, (x) => x.length === 0);
  change(original);
  assert.deepEqual(await clean, []);
});

test('a name declared twice points back at its first declaration', async () => {
  const original = text;
  const got = client.diagnostics(uri, (d) => d.some((x) => x.code === 'NML102'));
  change(`${original}\ndataset parts from "data/penguins.csv"\n`);
  const d = (await got).find((x) => x.code === 'NML102')!;
  const related = d.relatedInformation as { location: { uri: string; range: { start: { line: number } } }; message: string }[];
  assert.equal(related[0].location.uri, uri);
  assert.equal(related[0].location.range.start.line, positionOf('split parts').line);
  const clean = client.diagnostics(uri, (x) => x.length === 0);
  change(original);
  assert.deepEqual(await clean, []);
});

test('completion offers the columns valid at a step and the metrics of the model task', async () => {
  const atStep = positionOf('scale beak_length', 0, 'scale '.length);
  const items = (await client.request('textDocument/completion', { textDocument: { uri }, position: atStep })) as Json[];
  const labels = items.map((i) => i.label);
  assert.ok(labels.includes('beak_length'), labels.join(','));
  assert.ok(labels.includes('Island_Biscoe'), 'one-hot columns exist after the encode step');
  assert.ok(!labels.includes('Island'), 'the encoded column is gone at this step');
  const atMetrics = positionOf('metrics: [accuracy, balanced_accuracy', 0, 'metrics: ['.length);
  const metrics = ((await client.request('textDocument/completion', { textDocument: { uri }, position: atMetrics })) as Json[]).map((i) => i.label);
  assert.ok(metrics.includes('roc_auc') && !metrics.includes('rmse'), metrics.join(','));
});

test('hover, definition, references and rename work on names and columns', async () => {
  const h = (await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf('species_forest', 0, 2) })) as Json;
  assert.match(h.contents.value, /classification of `Species`/);
  const kwHover = (await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf('  encode Island', 0, 3) })) as Json;
  assert.match(kwHover.contents.value, /onehot.*C_level/);
  const algoHover = (await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf('random_forest(', 0, 3) })) as Json;
  assert.match(algoHover.contents.value, /\*\*algorithm\*\* `random_forest`[\s\S]*default/);
  const colHover = (await client.request('textDocument/hover', { textDocument: { uri }, position: positionOf('scale beak_length', 0, 8) })) as Json;
  assert.match(colHover.contents.value, /beak_length.*number/);
  const def = (await client.request('textDocument/definition', { textDocument: { uri }, position: positionOf('from prepared', 0, 6) })) as Json;
  assert.equal(def.range.start.line, positionOf('transform prepared').line);
  const refs = (await client.request('textDocument/references', { textDocument: { uri }, position: positionOf('split parts', 0, 7), context: { includeDeclaration: true } })) as Json[];
  assert.ok(refs.length >= 6, `parts is used ${refs.length} times`);
  const edit = (await client.request('textDocument/rename', { textDocument: { uri }, position: positionOf('split parts', 0, 7), newName: 'halves' })) as Json;
  assert.equal(edit.changes[uri].length, refs.length);
  const colEdit = (await client.request('textDocument/rename', { textDocument: { uri }, position: positionOf('scale beak_length', 0, 8), newName: 'bill_length' })) as Json;
  assert.ok(colEdit.changes[uri].length >= 3, 'column rename touches its definition and uses');
});

test('formatting, symbols, semantic tokens, inlay hints, code lenses and the pipeline graph answer', async () => {
  const messyUri = pathToFileURL(join(dir, 'messy.narml')).href;
  const messy = 'dataset penguins from "data/penguins.csv"{missing:["","NA","."]}\nmodel m from penguins{target:Species,algorithm:gradient_boosting}\n';
  client.notify('textDocument/didOpen', { textDocument: { uri: messyUri, languageId: 'narml', version: 1, text: messy } });
  const edits = (await client.request('textDocument/formatting', { textDocument: { uri: messyUri }, options: { tabSize: 2, insertSpaces: true } })) as Json[];
  assert.match(edits[0].newText, /^dataset penguins from "data\/penguins.csv" \{ missing: \["", "NA", "."\] \}\n\nmodel m from penguins \{/);
  const symbols = (await client.request('textDocument/documentSymbol', { textDocument: { uri } })) as Json[];
  assert.ok(symbols.some((s) => s.name === 'species_forest' && s.detail === 'model'));
  const tokens = (await client.request('textDocument/semanticTokens/full', { textDocument: { uri } })) as Json;
  assert.ok(tokens.data.length > 100);
  const typeAt = (needle: string, delta: number): string | undefined => {
    const at = positionOf(needle, 0, delta);
    let line = 0, ch = 0;
    for (let i = 0; i < tokens.data.length; i += 5) {
      line += tokens.data[i];
      ch = tokens.data[i] === 0 ? ch + tokens.data[i + 1] : tokens.data[i + 1];
      if (line === at.line && ch <= at.character && at.character < ch + tokens.data[i + 2]) return legend[tokens.data[i + 3]];
    }
    return undefined;
  };
  assert.equal(typeAt('target: Species', 0), 'keyword');
  assert.equal(typeAt('target: Species', 'target: '.length), 'property', 'a column');
  assert.equal(typeAt('random_forest(trees', 0), 'function');
  assert.equal(typeAt('random_forest(trees', 'random_forest('.length), 'parameter', 'an option name');
  assert.equal(typeAt('split parts', 'split '.length), 'variable');
  assert.equal(typeAt('# Which species', 0), 'comment');
  const hints = (await client.request('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 200, character: 0 } } })) as Json[];
  assert.ok(hints.some((x) => /\+Island_Biscoe/.test(JSON.stringify(x.label))), JSON.stringify(hints.slice(0, 3)));
  const lenses = (await client.request('textDocument/codeLens', { textDocument: { uri } })) as Json[];
  assert.ok(lenses.some((l) => l.command.command === 'narml.previewData'));
  const graph = (await client.request('narml/pipelineGraph', { uri })) as Json;
  const model = graph.nodes.find((n: Json) => n.name === 'species_forest');
  assert.deepEqual(model.dependsOn, ['parts']);
  // The lineage hover shows a table's columns and rows; the scheduler is started only with a schedule.
  const penguins = graph.nodes.find((n: Json) => n.name === 'penguins');
  assert.deepEqual(penguins.columns.slice(0, 2), [{ name: 'Species', type: 'category' }, { name: 'Island', type: 'category' }]);
  assert.equal(penguins.columnCount, penguins.columns.length);
  assert.ok(penguins.rows > 300, `${penguins.rows} rows`);
  assert.equal(graph.nodes.find((n: Json) => n.name === 'field_survey').schedule, undefined);
});

test('a CSV changed on disk re-checks the pipeline that reads it', async () => {
  const registration = client.serverRequests.find((r) => r.method === 'client/registerCapability');
  assert.match(JSON.stringify(registration?.params), /workspace\/didChangeWatchedFiles.*\*\*\/\*\.csv/, 'the server asks the client to watch CSV files');
  // A client file event (a created CSV may match a glob) re-checks open pipelines by itself.
  const rechecked = client.diagnostics(uri);
  client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, 'data', 'more.csv')).href, type: 1 }] });
  assert.deepEqual(await rechecked, []);
  const csv = join(dir, 'data', 'penguins.csv');
  const original = readFileSync(csv, 'utf8');
  const got = client.diagnostics(uri, (d) => d.some((x) => x.code === 'NML101'));
  writeFileSync(csv, original.replace(/^Species,Island,/, 'Species,Isle,'));
  const diags = await got;
  assert.ok(diags.some((x) => /Island/.test(x.message as string)));
  const back = client.diagnostics(uri, (d) => d.length === 0);
  writeFileSync(csv, original);
  await back;
});

test('a schema refined from the whole CSV re-checks the pipeline when it differs from the sample', async () => {
  // 6,000 rows: the sample (5,000 rows) sees "reading" as clean numbers; the last row is not a
  // number, which only the whole file shows (a number column with one cell read as missing).
  const rows = Array.from({ length: 6000 }, (_, i) => `${i % 97},${i % 2 ? 'a' : 'b'}`);
  rows[rows.length - 1] = 'broken sensor,a';
  writeFileSync(join(dir, 'data', 'readings.csv'), `reading,kind\n${rows.join('\n')}\n`);
  const readingsUri = pathToFileURL(join(dir, 'readings.narml')).href;
  const first = client.diagnostics(readingsUri);
  const refined = client.diagnostics(readingsUri, (d) => d.some((x) => x.code === 'NML105'));
  client.notify('textDocument/didOpen', { textDocument: { uri: readingsUri, languageId: 'narml', version: 1, text: 'dataset readings from "data/readings.csv"\n\ntransform scaled from readings {\n  scale reading with standard\n}\n' } });
  assert.ok(!(await first).some((x) => x.code === 'NML105'), 'the sample alone has no cell that is not a number');
  const d = (await refined).find((x) => x.code === 'NML105')!;
  assert.match(d.message as string, /column "reading" of dataset "readings": 1 of 6,000 values are not numbers \(e\.g\. "broken sensor" on line 6001 of data[\\/]readings\.csv\)/);
  client.notify('textDocument/didClose', { textDocument: { uri: readingsUri } });
});

test('the NML106 quick fix adds thousands: "," to the dataset, with or without a body, and the column reads as numbers', async () => {
  const rows = Array.from({ length: 40 }, (_, i) => `"${(1000 + i * 37.5).toLocaleString('en-US', { minimumFractionDigits: 1 })}",${i % 5}`);
  writeFileSync(join(dir, 'data', 'prices.csv'), `price,qty\n${rows.join('\n')}\n`);
  const pricesUri = pathToFileURL(join(dir, 'prices.narml')).href;
  const model = '\n\nmodel m from prices {\n  target: qty\n  algorithm: knn\n}\n';
  for (const [source, expected] of [
    ['dataset prices from "data/prices.csv"', 'dataset prices from "data/prices.csv" { thousands: "," }'],
    ['dataset prices from "data/prices.csv" {\n  missing: [""]\n}', 'dataset prices from "data/prices.csv" {\n  missing: [""]\n  thousands: ","\n}'],
  ]) {
    const doc = source + model;
    const got = client.diagnostics(pricesUri, (d) => d.some((x) => x.code === 'NML106'));
    client.notify('textDocument/didOpen', { textDocument: { uri: pricesUri, languageId: 'narml', version: 1, text: doc } });
    const d = (await got).find((x) => x.code === 'NML106')!;
    const actions = (await client.request('textDocument/codeAction', { textDocument: { uri: pricesUri }, range: d.range, context: { diagnostics: [d] } })) as Json[];
    assert.equal(actions[0].title, 'Add thousands: "," to dataset "prices"');
    const fixed = applyEdits(doc, actions[0].edit.changes[pricesUri]);
    assert.equal(fixed, expected + model);
    const clean = client.diagnostics(pricesUri, (x) => x.length === 0);
    client.notify('textDocument/didChange', { textDocument: { uri: pricesUri, version: 2 }, contentChanges: [{ text: fixed }] });
    assert.deepEqual(await clean, []);
    client.notify('textDocument/didClose', { textDocument: { uri: pricesUri } });
  }
});

test('completion in a dataset body offers the keys not given yet, and the thousands separators', async () => {
  const docUri = pathToFileURL(join(dir, 'formats.narml')).href;
  const doc = 'dataset prices from "data/prices.csv" {\n  thousands: \n  \n}\n';
  client.notify('textDocument/didOpen', { textDocument: { uri: docUri, languageId: 'narml', version: 1, text: doc } });
  const keys = ((await client.request('textDocument/completion', { textDocument: { uri: docUri }, position: { line: 2, character: 2 } })) as Json[]).map((i) => i.label);
  // thousands is given already: a second one would be NML116.
  assert.ok(keys.includes('decimal') && !keys.includes('thousands'), JSON.stringify(keys));
  const values = ((await client.request('textDocument/completion', { textDocument: { uri: docUri }, position: { line: 1, character: 13 } })) as Json[]).map((i) => i.label);
  assert.deepEqual(values, ['","', '"."', '" "', '"\'"', '"_"']);
  client.notify('textDocument/didClose', { textDocument: { uri: docUri } });
});

test('random edits never crash the server and every request is answered', async () => {
  let seed = 7;
  const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const original = text;
  for (let i = 0; i < 60; i++) {
    const at = rand(original.length);
    const mutated = i % 3 === 0 ? original.slice(0, at) + original.slice(at + rand(40)) : i % 3 === 1 ? original.slice(0, at) + '{[(" `' + original.slice(at) : original.slice(0, at) + original.slice(at - rand(30), at) + original.slice(at);
    change(mutated);
    const pos = positionOf(mutated.slice(0, 1));
    await client.request('textDocument/completion', { textDocument: { uri }, position: { line: rand(50), character: rand(30) } });
    await client.request('textDocument/hover', { textDocument: { uri }, position: pos });
  }
  const clean = client.diagnostics(uri, (d) => d.length === 0);
  change(original);
  await clean;
  assert.equal(client.stderr.includes('Error'), false, client.stderr);
});
