// Language-server latency on a generated 2,000-line pipeline over the samples' real CSVs:
// full check (didOpen → publishDiagnostics) and p50/p95 of a one-character didChange →
// publishDiagnostics over 200 edits at random places (debounce 0). Target: p95 ≤ 50 ms.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/lsp/lsp-client';
import { ensureBuilt } from '../test/helpers/ensure-built';
import { buildSync } from 'esbuild';

function generate(lines: number): string {
  const data = resolve(__dirname, '..', 'samples');
  const out: string[] = [
    `dataset penguins from "${data}/penguins/data/penguins.csv" { missing: ["", "NA", "."] }`,
    `dataset cars from "${data}/cars/data/cars.csv"`,
    '',
  ];
  let i = 0;
  while (out.length < lines) {
    out.push(
      `transform t${i} from penguins {`,
      '  rename `Body Mass (g)` to mass',
      '  impute mass, `Flipper Length (mm)` with median',
      '  impute Sex with mode',
      '  encode Island, Sex as onehot',
      `  derive ratio${i} = mass / \`Flipper Length (mm)\``,
      '  drop `Beak Length (mm)`, `Beak Depth (mm)`',
      '}',
      `split p${i} from t${i} { train: 80%, test: 20%, stratify: Species, seed: ${i} }`,
      `model m${i} from p${i}.train {`,
      '  target: Species',
      `  algorithm: random_forest(trees: ${10 + (i % 50)})`,
      '}',
      `evaluate m${i} on p${i}.test { metrics: [accuracy, f1] }`,
      `transform c${i} from cars { drop Name, Year, Origin`, '  drop_missing', '}',
      `model r${i} from c${i} { target: Miles_per_Gallon, algorithm: gradient_boosting }`,
      `export r${i} to "models/r${i}.onnx"`,
      '',
    );
    i++;
  }
  return out.slice(0, lines).join('\n');
}

interface Latency { full: number; diagnostics: number; times: number[] }

/** Opens the file in a fresh server, then makes 200 one-character edits at random line ends. */
async function measure(file: string, text: string, debounceMs: number): Promise<Latency> {
  const uri = pathToFileURL(file).href;
  const client = new LspClient({ debounceMs });
  await client.initialize(pathToFileURL(join(file, '..')).href);
  const start = performance.now();
  const first = client.diagnostics(uri);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'narml', version: 1, text } });
  const diags = await first;
  const full = performance.now() - start;
  const times: number[] = [];
  let seed = 1;
  const lines = text.split('\n');
  for (let v = 2; v < 202; v++) {
    seed = (seed * 48271) % 2147483647;
    const line = seed % lines.length;
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
  const text = generate(2000);
  writeFileSync(file, text);
  const decls = text.split('\n').filter((l) => /^(dataset|transform|split|model|evaluate|export)\b/.test(l)).length;

  // Where a re-check's time goes, in process and bundled like dist/server.js: parse alone (lexing
  // included), the whole check (parse + resolve + schemas through every step + model checks),
  // and turning its diagnostics into the JSON the server sends. The rest of the round trip is
  // the server's own work and the JSON-RPC transport.
  const entry = join(dir, 'check-entry.ts');
  writeFileSync(entry, [
    `export { checkPipeline } from ${JSON.stringify(resolve(__dirname, '../server/src/checker/check-pipeline'))};`,
    `export { CsvSchemaCache } from ${JSON.stringify(resolve(__dirname, '../server/src/data/csv-schema-cache'))};`,
    `export { parse } from ${JSON.stringify(resolve(__dirname, '../server/src/language/parser'))};`,
    `export { lexTokens } from ${JSON.stringify(resolve(__dirname, '../server/src/language/lexer'))};`,
  ].join('\n'));
  const bundle = join(dir, 'check-bundle.js');
  buildSync({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: bundle, logLevel: 'error' });
  const { checkPipeline, CsvSchemaCache, parse, lexTokens } = require(bundle) as {
    checkPipeline: typeof import('../server/src/checker/check-pipeline').checkPipeline;
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

  const zero = await measure(file, text, 0);
  const debounced = await measure(file, text, 30);
  const line = (name: string, r: Latency): string =>
    `${name}: p50 ${pct(r.times, 0.5).toFixed(1)} ms, p95 ${pct(r.times, 0.95).toFixed(1)} ms, max ${r.times[r.times.length - 1].toFixed(1)} ms, ${r.times.filter((x) => x > 50).length}/200 over 50 ms`;
  console.log(`file: 2,000 lines, ${decls} declarations, ${zero.diagnostics} diagnostics`);
  console.log(`in process (bundled): lex ${lexMs.toFixed(1)} ms, parse incl. lex ${parseMs.toFixed(1)} ms, full check ${checkMs.toFixed(1)} ms (parse ${((parseMs / checkMs) * 100).toFixed(0)}% of it), diagnostics to JSON ${serialiseMs.toFixed(2)} ms`);
  console.log(`LSP didOpen → publishDiagnostics (cold server, incl. CSV sampling): ${zero.full.toFixed(1)} ms`);
  console.log(line('LSP didChange → publishDiagnostics, debounce 0 ms', zero));
  console.log(line('LSP didChange → publishDiagnostics, debounce 30 ms (default)', debounced));
  const p95 = pct(zero.times, 0.95);
  console.log(`target p95 <= 50 ms with debounce 0: ${p95 <= 50 ? 'met' : 'MISSED'} (ratio ${(p95 / 50).toFixed(2)}x the target)`);
}

void main();
