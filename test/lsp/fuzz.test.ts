// The language server stays up on any input: very large pipelines (a 100,000-term expression,
// a 20,000-declaration chain and cycle) get their diagnostics, and 2,000 seeded mutations of
// every sample and test pipeline, each followed by editor requests, are all answered with no
// failure logged. A request that hangs fails the test by its timeout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureBuilt } from '../helpers/ensure-built';
import { flatSum, lineageChain, lineageCycle } from '../helpers/large-pipelines';
import { mutatedPipeline, random, seedPipelines } from '../helpers/mutate-pipeline';
import { LspClient } from './lsp-client';

const PIPELINES = 2_000;

type Json = Record<string, any>;

let client: LspClient;
const versions = new Map<string, number>();

function open(uri: string, text: string): void {
  versions.set(uri, 1);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
}

function change(uri: string, text: string): void {
  const version = (versions.get(uri) ?? 1) + 1;
  versions.set(uri, version);
  client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
}

/** Failures the server caught and logged instead of answering (window/logMessage, type Error). */
function loggedErrors(): string[] {
  return client.notifications.filter((n) => n.method === 'window/logMessage' && (n.params as Json).type === 1).map((n) => (n.params as Json).message as string);
}

before(async () => {
  ensureBuilt();
  client = new LspClient({ debounceMs: 0 });
  await client.initialize(pathToFileURL(join(__dirname, '..', '..')).href);
});

after(async () => {
  await client?.close();
});

test('a 100,000-term expression and a 20,000-declaration chain and cycle get their diagnostics', async () => {
  const cases: { name: string; text: string; expect: (d: Json[]) => boolean }[] = [
    { name: 'sum', text: flatSum(100_000, 'nope'), expect: (d) => d.length === 1 && d[0].code === 'NML101' },
    { name: 'chain', text: lineageChain(20_000), expect: (d) => d.length === 0 },
    { name: 'cycle', text: lineageCycle(20_000), expect: (d) => d.length === 1 && d[0].code === 'NML103' && d[0].relatedInformation.length === 19_999 },
  ];
  for (const c of cases) {
    const uri = pathToFileURL(join(__dirname, `${c.name}.narml`)).href;
    const published = client.diagnostics(uri, () => true, 60_000);
    open(uri, c.text);
    const diagnostics = await published;
    assert.ok(c.expect(diagnostics), `${c.name}: ${JSON.stringify(diagnostics).slice(0, 500)}`);
    // Still answering, on the same large document.
    const symbols = (await client.request('textDocument/documentSymbol', { textDocument: { uri } }, 60_000)) as Json[];
    assert.ok(symbols.length >= 3, `${c.name}: document symbols`);
    await client.request('textDocument/semanticTokens/full', { textDocument: { uri } }, 60_000);
    const graph = (await client.request('narml/pipelineGraph', { uri }, 60_000)) as Json;
    const errors = graph.nodes.filter((n: Json) => n.errors > 0).map((n: Json) => `${n.name} ${n.errors}`);
    assert.deepEqual(errors, c.name === 'chain' ? [] : c.name === 'cycle' ? ['t0 1'] : ['t 1'], `${c.name}: errors per node of the graph`);
    client.notify('textDocument/didClose', { textDocument: { uri } });
  }
  assert.deepEqual(loggedErrors(), []);
});

test(`${PIPELINES} mutated pipelines: every request is answered and nothing fails`, async () => {
  const seeds = seedPipelines();
  const uris = seeds.map((s) => pathToFileURL(s.file).href);
  seeds.forEach((s, i) => open(uris[i], s.text));
  const rand = random(7_2026);
  for (let i = 0; i < PIPELINES; i++) {
    const { text } = mutatedPipeline(seeds, rand, i);
    const uri = uris[i % seeds.length];
    change(uri, text);
    const lines = text.split('\n');
    const line = rand.next(lines.length);
    const position = { line, character: rand.next(lines[line].length + 2) };
    const textDocument = { uri };
    // Semantic tokens check the newest text first; the second request walks what the check built.
    await client.request('textDocument/semanticTokens/full', { textDocument });
    switch (i % 6) {
      case 0: await client.request('textDocument/hover', { textDocument, position }); break;
      case 1: await client.request('textDocument/completion', { textDocument, position }); break;
      case 2: await client.request('textDocument/references', { textDocument, position, context: { includeDeclaration: true } }); break;
      case 3: await client.request('textDocument/inlayHint', { textDocument, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } }); break;
      case 4: await client.request('textDocument/formatting', { textDocument, options: { tabSize: 2, insertSpaces: true } }); break;
      default: await client.request('narml/pipelineGraph', { uri }); break;
    }
    if (i % 100 === 99) {
      // Diagnostics still come: restore the seed and wait for its clean result.
      const seed = seeds[i % seeds.length];
      const clean = client.diagnostics(uri, (d) => !d.some((x) => x.severity === 1));
      change(uri, seed.text);
      await clean;
    }
  }
  assert.deepEqual(loggedErrors(), []);
});
