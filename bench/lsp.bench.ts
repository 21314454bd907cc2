// Language-server latency on a generated 2,000-line pipeline over the samples' real CSVs:
// full check (didOpen → publishDiagnostics) and p50/p95 of a one-character didChange →
// publishDiagnostics over 200 edits at random places (debounce 0). Target: p95 ≤ 50 ms.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/lsp/lsp-client';
import { ensureBuilt } from '../test/helpers/ensure-built';
import { checkPipeline } from '../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../server/src/data/csv-schema-cache';

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

async function main(): Promise<void> {
  ensureBuilt();
  const dir = join(__dirname, '.tmp');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'big.narml');
  let text = generate(2000);
  writeFileSync(file, text);
  const decls = text.split('\n').filter((l) => /^(dataset|transform|split|model|evaluate|export)\b/.test(l)).length;

  // In-process reference: the checker alone.
  const cache = new CsvSchemaCache();
  checkPipeline(text, file, cache);
  const t0 = performance.now();
  for (let k = 0; k < 10; k++) checkPipeline(text, file, cache);
  const inProcess = (performance.now() - t0) / 10;

  const uri = pathToFileURL(file).href;
  const client = new LspClient({ debounceMs: 0 });
  await client.initialize(pathToFileURL(dir).href);
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
    client.notify('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: v % 2 ? ' ' : '' }] });
    lines[line] += v % 2 ? ' ' : '';
    await got;
    times.push(performance.now() - t);
  }
  await client.close();
  text = lines.join('\n');
  times.sort((a, b) => a - b);
  const pct = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  console.log(`file: 2,000 lines, ${decls} declarations, ${diags.length} diagnostics`);
  console.log(`checker in-process through tsx (unbundled, slower than the server's bundle): ${inProcess.toFixed(1)} ms per full check`);
  console.log(`LSP didOpen → publishDiagnostics (cold, incl. CSV sampling): ${full.toFixed(1)} ms`);
  console.log(`LSP didChange → publishDiagnostics over 200 edits: p50 ${pct(0.5).toFixed(1)} ms, p95 ${pct(0.95).toFixed(1)} ms (target p95 <= 50 ms: ${pct(0.95) <= 50 ? 'met' : 'MISSED'})`);
}

void main();
