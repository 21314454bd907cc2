// Robustness: 10,000 seeded mutations of the samples and test pipelines (deleted, duplicated and
// swapped tokens, truncation, random bytes, 10k-deep nesting, long flat chains, huge numbers,
// unicode) never make the parser, the formatter or the checker throw or hang, and every
// result is well formed: codes are known, ranges lie inside the text and agree with their
// line/character positions. The language server gets its own share in test/lsp/fuzz.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/language/parser';
import { formatDocument } from '../../server/src/language/format';
import { lineStarts, positionAt } from '../../server/src/language/lexer';
import type { Range } from '../../server/src/language/ast';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { CODES } from '../../server/src/checker/diagnostic-codes';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { mutatedPipeline, random, seedPipelines } from '../helpers/mutate-pipeline';

const PIPELINES = 10_000;
const cache = new CsvSchemaCache();

function assertRange(r: Range, text: string, starts: number[], what: string): void {
  assert.ok(r.start.offset >= 0 && r.start.offset <= r.end.offset && r.end.offset <= text.length, `${what}: offsets ${r.start.offset}-${r.end.offset} in ${text.length}`);
  const start = positionAt(starts, r.start.offset);
  assert.deepEqual([r.start.line, r.start.character], [start.line, start.character], `${what}: start position agrees with its offset`);
}

test(`${PIPELINES} mutated pipelines never break the parser, formatter or checker`, () => {
  const seeds = seedPipelines();
  assert.ok(seeds.length >= 4, 'the samples and test pipelines are found');
  const rand = random(20261125);
  const seen = new Set<string>();
  for (let i = 0; i < PIPELINES; i++) {
    const { file, text } = mutatedPipeline(seeds, rand, i);
    const context = `pipeline ${i} (from ${file})`;
    const starts = lineStarts(text);
    const doc = parse(text);
    for (const e of doc.syntaxErrors) {
      assert.ok(e.message.length > 0, context);
      assertRange(e.range, text, starts, `${context}, syntax error "${e.message}"`);
    }
    assert.equal(typeof formatDocument(text), 'string');
    const checked = checkPipeline(text, file, cache);
    for (const d of checked.diagnostics) {
      assert.ok(d.code in CODES, `${context}: unknown code ${d.code}`);
      assert.ok(d.message.length > 10, `${context}: ${d.code} explains itself`);
      assertRange(d.range, text, starts, `${context}, ${d.code} "${d.message}"`);
      for (const r of d.related ?? []) assertRange(r.range, text, starts, `${context}, related information of ${d.code}`);
      seen.add(d.code);
    }
  }
  // The mutations reach well beyond syntax errors.
  for (const code of ['NML001', 'NML100', 'NML101', 'NML102', 'NML112', 'NML116']) assert.ok(seen.has(code), `some mutation gives ${code}`);
});

test('10k-deep brackets are reported, and later declarations are still parsed', () => {
  const text = `dataset d from "x.csv"\ntransform t from d {\n  filter ${'('.repeat(10_000)}a\n}\nmodel m from d { target: y, algorithm: knn }\n`;
  const doc = parse(text);
  assert.ok(doc.syntaxErrors.some((e) => /nested/.test(e.message)));
  assert.ok(doc.declarations.some((d) => d.kind === 'model'));
});
