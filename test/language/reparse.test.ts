// Parsing only the edited part of a file (reparse.ts) gives the tree, errors and comments of a
// parse from scratch, over random edits of every sample and test pipeline and of the language
// server benchmark's pipeline; and it does keep the declarations away from the edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/language/parser';
import { parseText, reparse, type ParsedText } from '../../server/src/language/reparse';
import { mutate, random, seedPipelines } from '../helpers/mutate-pipeline';
import { samplesPipeline } from '../helpers/large-pipelines';

const PIECES = ['a', ' ', '\n', '\r\n', '{', '}', '(', ')', '[', '"', '`', '#', ',', ':', '.', '%', '5m', 'model', 'transform t from x {', 'dataset', '\u0000', '\n\n'];

/** One edit at a random place: a piece typed, text deleted, a line duplicated or removed, a keyword broken, a fuzz mutation. */
function edit(text: string, rand: { next(n: number): number }): string {
  const at = rand.next(text.length + 1);
  const lines = text.split('\n');
  switch (rand.next(6)) {
    case 0: return text.slice(0, at) + PIECES[rand.next(PIECES.length)] + text.slice(at);
    case 1: return text.slice(0, at) + text.slice(at + 1 + rand.next(30));
    case 2: { const l = rand.next(lines.length); lines.splice(l, 0, lines[rand.next(lines.length)]); return lines.join('\n'); }
    case 3: { lines.splice(rand.next(lines.length), 1); return lines.join('\n'); }
    case 4: {
      // Inside a declaration's keyword or name: the declaration before must see it.
      const starts = [...text.matchAll(/^(dataset|transform|split|model|evaluate|export) /gm)].map((m) => m.index);
      if (starts.length === 0) return `${text}x`;
      const s = starts[rand.next(starts.length)] + rand.next(12);
      return text.slice(0, s) + (rand.next(2) ? '' : 'x') + text.slice(s + rand.next(2));
    }
    default: return mutate(text, rand);
  }
}

function assertReparses(seed: string, edits: number, rand: { next(n: number): number }, what: string): { kept: number } {
  let previous: ParsedText = parseText(seed);
  assert.deepStrictEqual(previous.document, parse(seed));
  let text = seed;
  let kept = 0;
  for (let i = 0; i < edits; i++) {
    const next = edit(text, rand);
    if (next.length > seed.length * 3 + 2_000) continue;
    const result = reparse(previous, next);
    assert.deepStrictEqual(result.document, parse(next), `${what}, edit ${i}: reparse equals parse`);
    if (result.document.declarations.length > 0 && previous.document.declarations[0] === result.document.declarations[0]) kept++;
    previous = result;
    text = rand.next(5) === 0 ? seed : next;
    if (text === seed) previous = reparse(previous, seed);
  }
  return { kept };
}

test('over random edits of every sample and test pipeline, a re-parse equals a parse from scratch', () => {
  const rand = random(4242);
  let kept = 0;
  for (const { file, text } of seedPipelines()) kept += assertReparses(text, 150, rand, file).kept;
  assert.ok(kept > 200, `declarations before the edit were kept (${kept} times)`);
});

test('over random edits of the 2,000-line benchmark pipeline, a re-parse equals a parse from scratch and keeps what the edit cannot reach', () => {
  const { kept } = assertReparses(samplesPipeline(2000), 50, random(99), 'the benchmark pipeline');
  assert.ok(kept > 20, `declarations before the edit were kept (${kept} times)`);
});

test('typing at the end re-parses the last declarations only; the ones before are the same objects', () => {
  const text = samplesPipeline(200);
  const before = parseText(text);
  const after = reparse(before, `${text}\nmodel extra from c0 { target: Miles_per_Gallon, algorithm: linear_regression }`);
  const n = before.document.declarations.length;
  assert.equal(after.document.declarations.length, n + 1);
  assert.ok(after.document.declarations.slice(0, n - 3).every((d, i) => d === before.document.declarations[i]));
  // An edit at the top moves every later declaration down a line: the same objects (the previous
  // parse is consumed), right positions.
  const again = parseText(text);
  const line5 = again.document.declarations[5].range.start.line;
  const moved = reparse(again, `# a note\n${text}`);
  assert.deepStrictEqual(moved.document, parse(`# a note\n${text}`));
  assert.equal(moved.document.declarations[5], again.document.declarations[5]);
  assert.equal(moved.document.declarations[5].range.start.line, line5 + 1);
});

test("an edit in a declaration's header is seen by the declaration before, whose open body may now run on into it", () => {
  const text = 'dataset x from "x.csv"\ntransform t from x {\n  drop a\nmodel m from t { target: y }\nevaluate m on t\n';
  // Without a name, "model" no longer starts a declaration: the transform's unclosed body takes it.
  const edited = text.replace('model m from t {', 'model {');
  const result = reparse(parseText(text), edited);
  assert.deepStrictEqual(result.document, parse(edited));
  assert.deepEqual(result.document.declarations.map((d) => d.kind), ['dataset', 'transform', 'evaluate']);
});
