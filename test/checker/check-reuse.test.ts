// Reusing declarations' results between checks (check-reuse.ts) never changes a check: over
// random edits of every sample and test pipeline and of the language-server benchmark's
// pipeline (characters and lines inserted and deleted, renames, broken text, undo), a check
// that reuses the previous one's results equals a check from scratch in every part the editor
// and the runner read. And it does reuse: an edit re-checks its declaration and what reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import { DeclarationReuse } from '../../server/src/checker/check-reuse';
import type { CheckedPipeline } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { mutate, random, seedPipelines } from '../helpers/mutate-pipeline';
import { samplesPipeline, writeWideCsv } from '../helpers/large-pipelines';

const cache = new CsvSchemaCache();

function assertSame(reused: CheckedPipeline, full: CheckedPipeline, context: string): void {
  assert.deepStrictEqual(reused.document, full.document, `${context}: syntax tree, errors and comments`);
  assert.deepStrictEqual(reused.diagnostics, full.diagnostics, `${context}: diagnostics`);
  assert.deepStrictEqual([...reused.symbols], [...full.symbols], `${context}: symbols`);
  assert.deepStrictEqual(reused.order, full.order, `${context}: order`);
  assert.deepStrictEqual(reused.infos, full.infos, `${context}: declaration infos`);
  assert.deepStrictEqual([...reused.tables], [...full.tables], `${context}: table schemas`);
  assert.deepStrictEqual(reused.references, full.references, `${context}: name references`);
  assert.deepStrictEqual(reused.columnReferences, full.columnReferences, `${context}: column references`);
}

const CHARACTERS = ['a', 'x', '_', '1', ' ', '\n', '{', '}', '(', ')', '"', '`', ',', ':', '.', '#', '=', '%', 'é'];

/** One edit as typed in an editor, chosen by `rand`; `seed` is the text an undo returns to. */
function edit(text: string, seed: string, rand: { next(n: number): number }): { text: string; what: string } {
  const at = rand.next(text.length + 1);
  const lines = text.split('\n');
  const line = rand.next(lines.length);
  switch (rand.next(9)) {
    case 0: {
      const c = CHARACTERS[rand.next(CHARACTERS.length)];
      return { text: text.slice(0, at) + c + text.slice(at), what: `insert ${JSON.stringify(c)} at ${at}` };
    }
    case 1: {
      const n = 1 + rand.next(20);
      return { text: text.slice(0, at) + text.slice(at + n), what: `delete ${n} at ${at}` };
    }
    case 2:
      lines.splice(line, 0, lines[rand.next(lines.length)]);
      return { text: lines.join('\n'), what: `duplicate a line before line ${line}` };
    case 3:
      lines.splice(line, 1);
      return { text: lines.join('\n'), what: `delete line ${line}` };
    case 4:
      lines.splice(line, 0, '');
      return { text: lines.join('\n'), what: `insert an empty line at line ${line}` };
    case 5: {
      // Rename a declared name everywhere, or (a typo) at one place only.
      const names = [...text.matchAll(/^(?:dataset|transform|split|model)\s+(\w+)/gm)].map((m) => m[1]);
      if (names.length === 0) return { text: `${text} `, what: 'append a space' };
      const name = names[rand.next(names.length)];
      const pattern = new RegExp(`\\b${name}\\b`, rand.next(2) === 0 ? 'g' : '');
      return { text: text.replace(pattern, `${name}_2`), what: `rename ${name}${pattern.global ? '' : ' once'}` };
    }
    case 6:
      return { text: mutate(text, rand), what: 'a fuzz mutation' };
    case 7:
      return { text: seed, what: 'undo back to the original' };
    default:
      return { text: text.slice(0, at) + '  ' + text.slice(at), what: `indent at ${at}` };
  }
}

/** Applies `edits` random edits one after another, each checked with reuse and from scratch. */
function editAndCompare(file: string, seed: string, edits: number, rand: { next(n: number): number }): { checked: number; reused: number } {
  const reuse = new DeclarationReuse();
  let text = seed;
  assertSame(checkPipeline(text, file, cache, { reuse }), checkPipeline(text, file, cache), `${file} as it is`);
  const totals = { checked: 0, reused: 0 };
  const done: string[] = [];
  for (let i = 0; i < edits; i++) {
    const e = edit(text, seed, rand);
    // Very long fuzz texts only slow the comparison down; they are the fuzz tests' business.
    if (e.text.length > seed.length * 3 + 2_000) continue;
    text = e.text;
    done.push(e.what);
    const reused = checkPipeline(text, file, cache, { reuse });
    // Only this text's declarations are kept: results of deleted text do not pile up.
    assert.ok(reuse.stats.kept <= reused.document.declarations.length, `${file}: ${reuse.stats.kept} results kept for ${reused.document.declarations.length} declarations`);
    totals.checked += reuse.stats.checked;
    totals.reused += reuse.stats.reused;
    assertSame(reused, checkPipeline(text, file, cache), `${file} after ${done.join(', ')}`);
  }
  return totals;
}

test('over random edits of every sample and test pipeline, a check that reuses equals a check from scratch', () => {
  const rand = random(20261207);
  let reused = 0;
  for (const { file, text } of seedPipelines()) reused += editAndCompare(file, text, 60, rand).reused;
  assert.ok(reused > 1000, `declarations were reused (${reused})`);
});

test('over random edits of the 2,000-line benchmark pipeline, a check that reuses equals a check from scratch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-reuse-'));
  try {
    const { checked, reused } = editAndCompare(join(dir, 'big.narml'), samplesPipeline(2000), 30, random(7));
    assert.ok(reused > checked * 10, `most declarations were reused (${reused} reused, ${checked} checked)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an edit re-checks its declaration and what reads it; a wide schema is looked up again, not walked', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-reuse-'));
  try {
    const { pipeline } = writeWideCsv(dir, 2_000, 10);
    const file = join(dir, 'wide.narml');
    const reuse = new DeclarationReuse();
    checkPipeline(pipeline, file, cache, { reuse });
    assert.deepEqual(reuse.stats, { checked: 5, reused: 0, kept: 5 });
    // Lines added above every declaration: all are reused, moved down.
    const moved = `# a comment\n\n${pipeline}`;
    const down = checkPipeline(moved, file, cache, { reuse });
    assertSame(down, checkPipeline(moved, file, cache), 'moved');
    assert.deepEqual(reuse.stats, { checked: 0, reused: 5, kept: 5 });
    // And back up: the syntax below the edit is the same objects, moved in place, and the results
    // kept from the first check are moved again from where they were made.
    const up = checkPipeline(pipeline, file, cache, { reuse });
    assertSame(up, checkPipeline(pipeline, file, cache), 'moved back');
    assert.equal(up.document.declarations[4], down.document.declarations[4]);
    assert.deepEqual(reuse.stats, { checked: 0, reused: 5, kept: 5 });
    assertSame(checkPipeline(moved, file, cache, { reuse }), checkPipeline(moved, file, cache), 'moved down again');
    // The split changes: it, the model trained on its part and the evaluation are checked again.
    const edited = moved.replace('train: 80%, test: 20%', 'train: 70%, test: 30%');
    assertSame(checkPipeline(edited, file, cache, { reuse }), checkPipeline(edited, file, cache), 'edited');
    assert.deepEqual(reuse.stats, { checked: 3, reused: 2, kept: 5 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CSV changed on disk is read again and its dependants are checked again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-reuse-'));
  try {
    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'a,b,label\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n');
    const file = join(dir, 'p.narml');
    const text = 'dataset rows from "rows.csv"\ntransform t from rows { drop b }\nmodel m from t { target: label, algorithm: logistic_regression }\n';
    const reuse = new DeclarationReuse();
    assert.deepEqual(checkPipeline(text, file, cache, { reuse }).diagnostics, []);
    writeFileSync(csv, 'a,c,label\n1,2,yes\n3,4,no\n5,6,yes\n7,8,no\n');
    // Same size: only the modification time tells the cache the file changed.
    utimesSync(csv, new Date(), new Date(Date.now() + 5_000));
    const after = checkPipeline(text, file, cache, { reuse });
    assert.deepEqual(after.diagnostics.map((d) => d.code), ['NML101']);
    assertSame(after, checkPipeline(text, file, cache), 'after the CSV changed');
    assert.deepEqual(reuse.stats, { checked: 3, reused: 0, kept: 2 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
