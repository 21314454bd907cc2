// Re-checking a pipeline over a 10,000-column CSV (40 rows) once its schema is cached: the
// target is a re-check under 100 ms. Measured in process (the checker alone, from scratch and
// reusing the previous check's results, as the server does) and through the language server
// (a one-character didChange → publishDiagnostics, with debounce 0 and the default debounce).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkPipeline } from '../server/src/checker/check-pipeline';
import { DeclarationReuse } from '../server/src/checker/check-reuse';
import { CsvSchemaCache } from '../server/src/data/csv-schema-cache';
import { ensureBuilt } from '../test/helpers/ensure-built';
import { writeWideCsv } from '../test/helpers/large-pipelines';
import { LspClient } from '../test/lsp/lsp-client';

const TARGET_MS = 100;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];

/** Opens the file in a fresh server (its default debounce when `debounceMs` is undefined) and appends a space `edits` times. */
async function throughServer(file: string, text: string, edits: number, debounceMs: number | undefined): Promise<{ open: number; changes: number[] }> {
  const uri = pathToFileURL(file).href;
  const client = new LspClient(debounceMs === undefined ? {} : { debounceMs });
  await client.initialize(pathToFileURL(join(file, '..')).href);
  let t = performance.now();
  const opened = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
  await opened;
  const open = performance.now() - t;
  const changes: number[] = [];
  let current = text;
  for (let v = 2; v < 2 + edits; v++) {
    current += ' ';
    const got = client.diagnostics(uri);
    t = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ text: current }] });
    await got;
    changes.push(performance.now() - t);
  }
  await client.close();
  return { open, changes };
}

async function main(): Promise<void> {
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'narml-wide-bench-'));
  try {
    const { pipeline } = writeWideCsv(dir, 10_000, 40);
    const file = join(dir, 'wide.narml');
    const cache = new CsvSchemaCache();
    let t = performance.now();
    checkPipeline(pipeline, file, cache);
    const first = performance.now() - t;
    const rechecks: number[] = [];
    const reused: number[] = [];
    const reuse = new DeclarationReuse();
    checkPipeline(pipeline, file, cache, { reuse });
    for (let k = 1; k <= 20; k++) {
      const edited = `${pipeline}${' '.repeat(k)}`;
      t = performance.now();
      checkPipeline(edited, file, cache);
      rechecks.push(performance.now() - t);
      t = performance.now();
      checkPipeline(edited, file, cache, { reuse });
      reused.push(performance.now() - t);
    }
    const zero = await throughServer(file, pipeline, 20, 0);
    const debounced = await throughServer(file, pipeline, 20, undefined);
    const inProcess = median(reused);
    const lsp = Math.max(median(zero.changes), median(debounced.changes));
    const server = (name: string, r: { open: number; changes: number[] }): string =>
      `LSP ${name}: didOpen → publishDiagnostics ${r.open.toFixed(1)} ms; didChange → publishDiagnostics p50 ${median(r.changes).toFixed(1)} ms, p95 ${p95(r.changes).toFixed(1)} ms`;
    console.log(`10,000 columns x 40 rows: first check (reads the sample) ${first.toFixed(1)} ms; re-check from scratch median ${median(rechecks).toFixed(1)} ms, max ${Math.max(...rechecks).toFixed(1)} ms; reusing the previous check median ${inProcess.toFixed(1)} ms, p95 ${p95(reused).toFixed(1)} ms (${(inProcess / median(rechecks)).toFixed(2)}x from scratch)`);
    console.log(server('debounce 0', zero));
    console.log(server('default debounce', debounced));
    console.log(`target re-check < ${TARGET_MS} ms: ${lsp < TARGET_MS ? 'met' : 'MISSED'} (LSP median ${(lsp / TARGET_MS).toFixed(2)}x the target, in process ${(inProcess / TARGET_MS).toFixed(2)}x)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
