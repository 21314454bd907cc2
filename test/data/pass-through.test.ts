// Columns only copied to a prediction file are read as bytes (data/pass-through.ts): the file
// written from them is byte for byte the file written from the same input read as usual, and a
// pass-through column, once something reads its codes, is the column the usual read gives. The
// input holds quoted ids with commas, doubled and lone quotes, line breaks, non-ASCII text and
// missing markers, and columns that stop being plain text early, late, or in one part only; it
// is read in one thread and in parts on workers (parts small enough that their borders fall
// inside quoted fields), and written on 1 and 2 threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelInfo } from '../../server/src/checker/checked-model';
import { DEFAULT_CSV_OPTIONS, type CsvOptions } from '../../server/src/data/csv-options';
import { PassThroughColumn } from '../../server/src/data/pass-through';
import { readCsv, type ReadCsvOptions } from '../../server/src/data/read-csv';
import type { Table } from '../../server/src/data/table';
import { createRng } from '../../server/src/ml/random';
import { predictionCsv } from '../../server/src/runner/predict';
import type { TrainedModel } from '../../server/src/runner/scoring';
import { withThreads } from '../helpers/threads';

const dir = mkdtempSync(join(tmpdir(), 'narml-pass-through-'));
const ROWS = 100_000;

/** A CSV of ROWS rows: ids of every kind, two numbers a model reads, and columns that are plain text only in places. */
function inputFile(): string {
  const rng = createRng(5);
  const lines = ['id,x,y,note,code,late,kind'];
  for (let i = 0; i < ROWS; i++) {
    const r = i % 50;
    const id = r === 1 ? `"c${i}, the ${i}th"` : r === 2 ? `"say ""hi"" ${i}"` : r === 3 ? `"two\nlines ${i}"` : r === 4 ? '' : r === 5 ? 'NA' : r === 6 ? `nü${i}ée` : r === 7 ? `"plain${i}"` : r === 8 ? `a"b${i}` : r === 9 ? `"#${i}"` : `c${i}`;
    const x = r === 10 ? '' : (rng.next() * 2 - 1).toFixed(4);
    const y = (rng.next() * 100).toFixed(2);
    // Plain text up to a number near the end: kept as bytes, then replayed into a builder.
    const note = i === ROWS - 30 ? '42' : i % 7 === 0 ? 'NA' : `n${i % 13}`;
    // Numbers from the first row: never kept as bytes.
    const code = String(i % 1000);
    // A date after the middle (in the second part of a two-part read only).
    const late = i === 70_000 ? '2024-01-31' : `w${i}`;
    const kind = ['yes', 'no', 'Yes'][i % 3];
    lines.push([id, x, y, note, code, late, kind].join(','));
  }
  const path = join(dir, 'input.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const classes = ['no', 'yes, sure'];
const tm = { info: { kind: 'model', name: 'm', classes, inputColumns: [] } as unknown as ModelInfo, steps: [], trainRows: 0, options: {} } as TrainedModel;

/** The prediction file of `input` with fixed predictions, on `threads` threads. */
function written(input: Table, threads: number): Buffer {
  const n = input.rowCount;
  const rng = createRng(9);
  const proba = new Float64Array(n * 2);
  const pred = new Float64Array(n);
  const usable = Uint8Array.from({ length: n }, (_, i) => (i % 211 === 9 ? 0 : 1));
  for (let i = 0; i < n; i++) {
    const p = rng.next();
    proba[2 * i] = 1 - p;
    proba[2 * i + 1] = p;
    pred[i] = usable[i] ? (p > 0.5 ? 1 : 0) : NaN;
  }
  return withThreads(threads, () => Buffer.concat(predictionCsv(input, tm, pred, proba, usable)));
}

const readBy: [string, ReadCsvOptions][] = [['one thread', { workers: 1 }], ['parts on two workers', { workers: 2, sliceBytes: 1 << 16 }]];
const notRead = (name: string): boolean => name !== 'x' && name !== 'y';

test('a prediction file written from pass-through columns is the bytes written from the usual read, in one thread or in parts, on 1 or 2 threads', async () => {
  const path = inputFile();
  const usual = await readCsv(path, DEFAULT_CSV_OPTIONS, { workers: 1 });
  const expected = written(usual, 1);
  // The input's awkward cells reach the file: quoted where CSV needs it, and missing as empty.
  const text = expected.toString('utf8');
  for (const row of ['"c1, the 1th",', '"say ""hi"" 2",', '"two\nlines 3",', '\n,', 'nü6ée,', '\nplain7,', '"a""b8",', '\n#9,']) assert.ok(text.includes(row), `the output holds ${JSON.stringify(row)}`);
  for (const [how, opts] of readBy) {
    const kept = await readCsv(path, DEFAULT_CSV_OPTIONS, { ...opts, passThrough: notRead });
    const bytes = kept.names.filter((_, c) => kept.columns[c] instanceof PassThroughColumn);
    // The ids and the yes/no words, which stay plain text, and no column that stops being so.
    assert.deepEqual(bytes, ['id'], `${how}: kept as bytes`);
    for (const threads of [1, 2]) assert.ok(written(kept, threads).equals(expected), `${how}, written on ${threads} threads: the same bytes`);
    // Once read, a pass-through column is the usual one: codes, levels and type.
    for (let c = 0; c < kept.columns.length; c++) {
      const a = kept.columns[c];
      const b = usual.columns[c];
      assert.equal(a.type, b.type, `${how}: ${kept.names[c]}'s type`);
      if ('codes' in b) assert.deepEqual({ codes: (a as typeof b).codes, levels: (a as typeof b).levels }, { codes: b.codes, levels: b.levels }, `${how}: ${kept.names[c]}'s codes and levels`);
      else assert.deepEqual(a, b, `${how}: ${kept.names[c]}`);
    }
  }
});

test('a column of few levels, a declared category and another delimiter pass through as the usual read writes them', async () => {
  const lines = ['id;kind;x'];
  for (let i = 0; i < 5000; i++) lines.push(`${i % 3 === 0 ? 'a,b' : i % 3 === 1 ? '"q ""x"""' : 'B'};${['low', 'high'][i % 2]};${i / 8}`);
  const path = join(dir, 'semicolons.csv');
  writeFileSync(path, `${lines.join('\n')}\n`);
  const options: CsvOptions = { ...DEFAULT_CSV_OPTIONS, delimiter: ';', columnTypes: { kind: { type: 'category', nullable: false } } };
  const usual = await readCsv(path, options, { workers: 1 });
  const kept = await readCsv(path, options, { workers: 1, passThrough: (name) => name !== 'x' });
  assert.ok(kept.columns[0] instanceof PassThroughColumn && kept.columns[1] instanceof PassThroughColumn);
  assert.ok(written(kept, 1).equals(written(usual, 1)));
  assert.ok(written(kept, 1).toString('utf8').startsWith('id,kind,x,prediction,probability_no,"probability_yes, sure"\n"a,b",low,0,'));
  assert.equal(kept.columns[1].type, 'category');
  assert.deepEqual(kept.columns[1].type === 'category' && kept.columns[1].levels, ['high', 'low']);
});
