// Language-server latency on a generated 2,000-line pipeline over the samples' real CSVs:
// full check (didOpen → publishDiagnostics) and p50/p95 of a one-character didChange →
// publishDiagnostics over 200 edits at random places, with debounce 0 and with the server's
// default debounce; and the check alone in process, re-checking after each of the same edits
// with the previous check's results reused, against a full check measured in the same run.
// Targets: p95 ≤ 50 ms from didChange to publishDiagnostics, ≤ 20 ms for the check itself.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/lsp/lsp-client';
import { ensureBuilt } from '../test/helpers/ensure-built';
import { samplesPipeline } from '../test/helpers/large-pipelines';
import { buildSync } from 'esbuild';

const ROUND_TRIP_TARGET_MS = 50;
const CHECK_TARGET_MS = 20;
const EDITS = 200;

interface Latency { full: number; diagnostics: number; times: number[] }

/** The line of each edit: the same 200 random lines for every measurement. */
function editLines(lines: number): number[] {
  let seed = 1;
  return Array.from({ length: EDITS }, () => {
    seed = (seed * 48271) % 2147483647;
    return seed % lines;
  });
}

/** Opens the file in a fresh server (its default debounce when `debounceMs` is undefined), then makes 200 one-character edits at random line ends. */
async function measure(file: string, text: string, debounceMs: number | undefined): Promise<Latency> {
  const uri = pathToFileURL(file).href;
  const client = new LspClient(debounceMs === undefined ? {} : { debounceMs });
  await client.initialize(pathToFileURL(join(file, '..')).href);
  const start = performance.now();
  const first = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
  const diags = await first;
  const full = performance.now() - start;
  const times: number[] = [];
  const lines = text.split('\n');
  const at = editLines(lines.length);
  for (let v = 2; v < 2 + EDITS; v++) {
    const line = at[v - 2];
    const character = lines[line].length;
    const got = client.diagnostics(uri);
    const t = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ' ' }] });
    lines[line] += ' ';
    await got;
    times.push(performance.now() - t);
  }
  await client.close();
  return { full, diagnostics: diags.length, times: times.sort((a, b) => a - b) };
}

function pct(times: number[], q: number): number {
  return times[Math.min(times.length - 1, Math.floor(q * times.length))];
}

/** Median milliseconds of `f` over `n` runs after two warm-up runs (the median resists other load on the machine). */
function time(n: number, f: () => unknown): number {
  f();
  f();
  const runs: number[] = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    f();
    runs.push(performance.now() - t0);
  }
  return runs.sort((a, b) => a - b)[n >> 1];
}

async function main(): Promise<void> {
  ensureBuilt();
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'big.narml');
  const text = samplesPipeline(2000);
  writeFileSync(file, text);
  const decls = text.split('\n').filter((l) => /^(dataset|transform|split|model|evaluate|export)\b/.test(l)).length;

  // Where a re-check's time goes, in process and bundled like dist/server.js: parse alone (lexing
  // included), the whole check (parse + resolve + schemas through every step + model checks),
  // and turning its diagnostics into the JSON the server sends. The rest of the round trip is
  // the server's own work and the JSON-RPC transport.
  const entry = join(dir, 'check-entry.ts');
  writeFileSync(entry, [
    `export { checkPipeline } from ${JSON.stringify(resolve(__dirname, '../server/src/checker/check-pipeline'))};`,
    `export { DeclarationReuse } from ${JSON.stringify(resolve(__dirname, '../server/src/checker/check-reuse'))};`,
    `export { CsvSchemaCache } from ${JSON.stringify(resolve(__dirname, '../server/src/data/csv-schema-cache'))};`,
    `export { parse } from ${JSON.stringify(resolve(__dirname, '../server/src/language/parser'))};`,
    `export { lexTokens } from ${JSON.stringify(resolve(__dirname, '../server/src/language/lexer'))};`,
  ].join('\n'));
  const bundle = join(dir, 'check-bundle.js');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'error', external: ['@duckdb/node-api', 'onnxruntime-node'] });
  const { checkPipeline, DeclarationReuse, CsvSchemaCache, parse, lexTokens } = require(bundle) as {
    checkPipeline: typeof import('../server/src/checker/check-pipeline').checkPipeline;
    DeclarationReuse: typeof import('../server/src/checker/check-reuse').DeclarationReuse;
    CsvSchemaCache: typeof import('../server/src/data/csv-schema-cache').CsvSchemaCache;
    parse: typeof import('../server/src/language/parser').parse;
    lexTokens: typeof import('../server/src/language/lexer').lexTokens;
  };
  const cache = new CsvSchemaCache();
  const lexMs = time(15, () => lexTokens(text));
  const parseMs = time(15, () => parse(text));
  const checkMs = time(15, () => checkPipeline(text, file, cache));
  const checkedOnce = checkPipeline(text, file, cache);
  const serialiseMs = time(10, () => JSON.stringify({ uri: file, diagnostics: checkedOnce.diagnostics }));

  // The check alone after each edit, as the server runs it: the previous check's results reused.
  const reuse = new DeclarationReuse();
  checkPipeline(text, file, cache, { reuse });
  const lines = text.split('\n');
  const recheck: number[] = [];
  // CPU time beside wall time: on a shared machine it counts only this process's work.
  const recheckCpu: number[] = [];
  const fullCpu: number[] = [];
  let rechecked = 0;
  const cpuMs = (f: () => unknown): number => {
    const c = process.cpuUsage();
    f();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  };
  for (const [k, line] of editLines(lines.length).entries()) {
    lines[line] += ' ';
    const edited = lines.join('\n');
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    checkPipeline(edited, file, cache, { reuse });
    recheck.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    recheckCpu.push((c.user + c.system) / 1000);
    rechecked += reuse.stats.checked;
    if (k % 10 === 0) fullCpu.push(cpuMs(() => checkPipeline(edited, file, cache)));
  }
  for (const xs of [recheck, recheckCpu, fullCpu]) xs.sort((a, b) => a - b);

  const zero = await measure(file, text, 0);
  const debounced = await measure(file, text, undefined);
  const line = (name: string, r: Latency): string =>
    `${name}: p50 ${pct(r.times, 0.5).toFixed(1)} ms, p95 ${pct(r.times, 0.95).toFixed(1)} ms, max ${r.times[r.times.length - 1].toFixed(1)} ms, ${r.times.filter((x) => x > ROUND_TRIP_TARGET_MS).length}/${EDITS} over ${ROUND_TRIP_TARGET_MS} ms; p95 ${(pct(r.times, 0.95) / ROUND_TRIP_TARGET_MS).toFixed(2)}x the target`;
  console.log(`file: 2,000 lines, ${decls} declarations, ${zero.diagnostics} diagnostics`);
  console.log(`in process (bundled): lex ${lexMs.toFixed(1)} ms, parse incl. lex ${parseMs.toFixed(1)} ms, full check ${checkMs.toFixed(1)} ms (parse ${((parseMs / checkMs) * 100).toFixed(0)}% of it), diagnostics to JSON ${serialiseMs.toFixed(2)} ms`);
  const checkP95 = pct(recheck, 0.95);
  console.log(`in process, re-check after an edit (results reused, ${(rechecked / EDITS).toFixed(1)} of ${decls} declarations checked again on average): p50 ${pct(recheck, 0.5).toFixed(1)} ms, p95 ${checkP95.toFixed(1)} ms (${(pct(recheck, 0.5) / checkMs).toFixed(2)}x the full check); p95 ${(checkP95 / CHECK_TARGET_MS).toFixed(2)}x the ${CHECK_TARGET_MS} ms target`);
  console.log(`  CPU time: re-check p50 ${pct(recheckCpu, 0.5).toFixed(1)} ms, p95 ${pct(recheckCpu, 0.95).toFixed(1)} ms; full check p50 ${pct(fullCpu, 0.5).toFixed(1)} ms (re-check ${(pct(recheckCpu, 0.5) / pct(fullCpu, 0.5)).toFixed(2)}x)`);
  console.log(`LSP didOpen → publishDiagnostics (cold server, incl. CSV sampling): ${zero.full.toFixed(1)} ms`);
  console.log(line('LSP didChange → publishDiagnostics, debounce 0 ms', zero));
  console.log(line('LSP didChange → publishDiagnostics, default debounce (30 ms)', debounced));
  const p95 = Math.max(pct(zero.times, 0.95), pct(debounced.times, 0.95));
  console.log(`targets: round trip p95 <= ${ROUND_TRIP_TARGET_MS} ms ${p95 <= ROUND_TRIP_TARGET_MS ? 'met' : 'MISSED'}, check p95 <= ${CHECK_TARGET_MS} ms ${checkP95 <= CHECK_TARGET_MS ? 'met' : 'MISSED'}`);
}

void main();
