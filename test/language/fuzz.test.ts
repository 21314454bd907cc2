// Robustness: mutated samples (deleted, inserted and duplicated tokens and characters, random
// bytes, unterminated strings, 10k-deep brackets) never make the parser, the formatter or the
// checker throw or hang, and every result is well formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../server/src/language/parser';
import { formatDocument } from '../../server/src/language/format';
import { lexTokens } from '../../server/src/language/lexer';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';

const root = join(__dirname, '..', '..');
const samples = ['samples/penguins/penguins.narml', 'samples/cars/cars.narml', 'samples/seattle-weather/seattle-weather.narml', 'test/fixtures/pipelines/spec-example.narml']
  .map((f) => ({ file: join(root, f), text: readFileSync(join(root, f), 'utf8') }));
const cache = new CsvSchemaCache();

let seed = 12345;
const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % Math.max(1, n); };

function mutate(text: string): string {
  const tokens = lexTokens(text).map((t) => t.text);
  switch (rand(8)) {
    case 0: { const i = rand(tokens.length); tokens.splice(i, 1); return tokens.join(' '); }
    case 1: { const i = rand(tokens.length); tokens.splice(i, 0, tokens[rand(tokens.length)]); return tokens.join(' '); }
    case 2: { const at = rand(text.length); return text.slice(0, at) + text.slice(at + 1 + rand(20)); }
    case 3: { const at = rand(text.length); return text.slice(0, at) + String.fromCharCode(rand(0x2fff)) + text.slice(at); }
    case 4: { const at = rand(text.length); return `${text.slice(0, at)}"unterminated ${text.slice(at)}`; }
    case 5: { const at = rand(text.length); return text.slice(0, at) + '['.repeat(10_000) + text.slice(at); }
    case 6: { const at = rand(text.length); return text.slice(0, at) + text.slice(at - rand(60), at) + text.slice(at); }
    default: return Array.from({ length: 200 }, () => String.fromCharCode(rand(128))).join('');
  }
}

test('mutated pipelines never break the parser, formatter or checker', () => {
  let checks = 0;
  for (let i = 0; i < 1500; i++) {
    const sample = samples[i % samples.length];
    let text = sample.text;
    for (let k = 0; k <= rand(3); k++) text = mutate(text);
    const doc = parse(text);
    assert.ok(Array.isArray(doc.declarations) && Array.isArray(doc.syntaxErrors));
    for (const e of doc.syntaxErrors) assert.ok(e.range.start.offset <= e.range.end.offset && e.message.length > 0);
    const formatted = formatDocument(text);
    assert.equal(typeof formatted, 'string');
    if (i % 5 === 0) {
      const checked = checkPipeline(text, sample.file, cache);
      for (const d of checked.diagnostics) assert.match(d.code, /^NML\d{3}$/);
      checks++;
    }
  }
  assert.equal(checks, 300);
});

test('10k-deep brackets are reported, and later declarations are still parsed', () => {
  const text = `dataset d from "x.csv"\ntransform t from d {\n  filter ${'('.repeat(10_000)}a\n}\nmodel m from d { target: y, algorithm: knn }\n`;
  const doc = parse(text);
  assert.ok(doc.syntaxErrors.some((e) => /nested/.test(e.message)));
  assert.ok(doc.declarations.some((d) => d.kind === 'model'));
});
