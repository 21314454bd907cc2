// A file read in parts on worker threads gives what a read in one thread gives: the same table,
// schema and notes (with their lines), or the same error on the same line. Parts are made tiny
// here so that their borders fall inside quoted fields, between \r and \n, inside multi-byte
// characters and on every kind of row. Also: numbers read from bytes are exactly Number(text).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvWithNotes, type ReadCsvOptions } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS, type CsvOptions } from '../../server/src/data/csv-options';
import { parseNumber, parsePlainNumber } from '../../server/src/data/parse-values';
import { createRng } from '../../server/src/ml/random';

const dir = mkdtempSync(join(tmpdir(), 'narml-parallel-'));

type Outcome = Awaited<ReturnType<typeof readCsvWithNotes>> | { error: string; line?: number };

async function outcome(path: string, options: CsvOptions, opts: ReadCsvOptions): Promise<Outcome> {
  try {
    return await readCsvWithNotes(path, options, opts);
  } catch (e) {
    return { error: (e as Error).message, line: (e as { line?: number }).line };
  }
}

/** Reads `path` in one thread and in parts of each size in `sliceBytes`; all must agree. Returns the one-thread outcome. */
async function sameEitherWay(path: string, options: CsvOptions, sliceBytes: number[]): Promise<Outcome> {
  const one = await outcome(path, options, { workers: 1 });
  for (const bytes of sliceBytes) {
    const parts = await outcome(path, options, { workers: 2, sliceBytes: bytes });
    // deepStrictEqual compares typed arrays element by element, NaN equal to NaN, -0 apart from 0.
    assert.deepEqual(parts, one, `${path} read in parts of ${bytes} bytes`);
  }
  return one;
}

function write(name: string, text: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

test('the fixture files read the same in parts', async () => {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (f.endsWith('.csv')) files.push(p);
    }
  };
  walk(join(__dirname, '../fixtures/data'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const size = statSync(f).size;
    await sameEitherWay(f, DEFAULT_CSV_OPTIONS, [Math.max(16, Math.floor(size / 5))]);
  }
  const adult = join(__dirname, '../fixtures/pipelines/data/adult.csv');
  const read = await sameEitherWay(adult, { ...DEFAULT_CSV_OPTIONS, missing: ['?', ''] }, [97]);
  assert.ok(!('error' in read) && read.table.rowCount > 0);
  const eu = join(__dirname, '../fixtures/data/quirky/prices-eu.csv');
  await sameEitherWay(eu, { ...DEFAULT_CSV_OPTIONS, delimiter: ';', numberFormat: { decimal: ',', thousands: '.' } }, [23, 64]);
  const us = join(__dirname, '../fixtures/data/quirky/prices-us.csv');
  await sameEitherWay(us, { ...DEFAULT_CSV_OPTIONS, numberFormat: { decimal: '.', thousands: ',' } }, [23, 64]);
  await sameEitherWay(join(__dirname, '../fixtures/data/quirky/latin1.csv'), { ...DEFAULT_CSV_OPTIONS, encoding: 'latin1' }, [16]);
});

/** Rows with quoted fields across lines, doubled quotes, delimiters in quotes, missing markers and UTF-8 text. */
function trickyRows(n: number, eol: string): string {
  const rng = createRng(7);
  const notes = ['plain', 'a, b', 'say ""hi""', 'two\nlines', 'three\r\nline\rends', 'München', '東京', '', 'NA'];
  const lines = [`id,x,note,flag,when${eol}`];
  for (let i = 0; i < n; i++) {
    const note = notes[rng.int(notes.length)];
    const quoted = /[,"\n\r]/.test(note) || rng.next() < 0.3 ? `"${note}"` : note;
    const x = rng.next() < 0.1 ? (rng.next() < 0.5 ? '' : 'null') : (rng.next() * 200 - 100).toFixed(rng.int(6));
    lines.push(`${i},${x},${quoted},${rng.next() < 0.5 ? 'yes' : 'no'},2024-0${1 + rng.int(9)}-1${rng.int(10)}${eol}`);
    if (rng.next() < 0.05) lines.push(eol);
  }
  return lines.join('');
}

test('quoted newlines across part borders, CRLF, a BOM, blank lines and missing values read the same in parts', async () => {
  const lf = write('tricky-lf.csv', trickyRows(400, '\n'));
  const read = await sameEitherWay(lf, DEFAULT_CSV_OPTIONS, [37, 101, 256, 1000]);
  assert.ok(!('error' in read));
  assert.equal(read.table.rowCount, 400);
  assert.deepEqual(read.table.columns.map((c) => c.type), ['number', 'number', 'category', 'boolean', 'date']);
  const crlf = write('tricky-crlf.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(trickyRows(400, '\r\n'))]));
  const again = await sameEitherWay(crlf, DEFAULT_CSV_OPTIONS, [29, 128, 333]);
  assert.ok(!('error' in again));
  assert.deepEqual(again.table.names, read.table.names, 'the BOM is not part of the first name');
  assert.deepEqual(again.table.columns, read.table.columns);
});

test('a column that is numbers in one part and text in another reads the same in parts', async () => {
  const rows = Array.from({ length: 300 }, (_, i) => `${i},${i < 150 ? i * 2 : `code${i % 7}`},${i < 290 ? (i % 3) * 1.25 : 'n/a'}`);
  const path = write('switch.csv', `id,v,w\n${rows.join('\n')}\n`);
  const read = await sameEitherWay(path, DEFAULT_CSV_OPTIONS, [50, 400, 1500]);
  assert.ok(!('error' in read));
  assert.equal(read.table.columns[1].type, 'text');
  const w = read.notes.find((n) => n.kind === 'invalid-values' && n.column === 'w');
  assert.ok(w && w.kind === 'invalid-values' && w.count === 10 && w.line === 292, 'the first "n/a" is on line 292');
});

test('bad UTF-8, a NUL or a ragged row in a later part is the same error on the right line', async () => {
  const good = Array.from({ length: 500 }, (_, i) => `${i},"v ${i}\nmore",${i % 4}`);
  const at = 431;
  const lineOf = (rows: string[], row: number): number => 2 + rows.slice(0, row).join('\n').split('\n').length;
  const bytes = (rows: string[], bad: Buffer): Buffer => Buffer.concat([Buffer.from(`a,b,c\n${rows.slice(0, at).join('\n')}\n`), bad, Buffer.from(`${rows.slice(at).join('\n')}\n`)]);
  const utf8 = write('bad-utf8.csv', bytes(good, Buffer.from([0x31, 0x2c, 0x22, 0xc3, 0x28, 0x22, 0x2c, 0x32, 0x0a])));
  const bad = await sameEitherWay(utf8, DEFAULT_CSV_OPTIONS, [64, 700, 4096]);
  assert.ok('error' in bad && bad.line === lineOf(good, at) && /is not valid UTF-8 \(byte 0xc3\)/.test(bad.error), JSON.stringify(bad));
  const nul = write('nul.csv', bytes(good, Buffer.from('1,"x\u0000",2\n')));
  const nulRead = await sameEitherWay(nul, DEFAULT_CSV_OPTIONS, [64, 4096]);
  assert.ok('error' in nulRead && nulRead.line === lineOf(good, at) && /NUL byte/.test(nulRead.error));
  const ragged = write('ragged.csv', bytes(good, Buffer.from('1,2\n')));
  const raggedRead = await sameEitherWay(ragged, DEFAULT_CSV_OPTIONS, [64, 4096]);
  assert.ok('error' in raggedRead && raggedRead.line === lineOf(good, at) && /row has 2 fields but the header has 3/.test(raggedRead.error));
  const open = write('open.csv', `a,b\n${Array.from({ length: 200 }, (_, i) => `${i},x`).join('\n')}\n7,"never closed\n8,y\n`);
  const openRead = await sameEitherWay(open, DEFAULT_CSV_OPTIONS, [50, 999]);
  assert.ok('error' in openRead && openRead.line === 202 && /never closed/.test(openRead.error));
});

test('a glob of files, each read in parts, reads as in one thread', async () => {
  const sub = mkdtempSync(join(dir, 'glob-'));
  writeFileSync(join(sub, 'a.csv'), trickyRows(120, '\n'));
  writeFileSync(join(sub, 'b.csv'), trickyRows(90, '\r\n'));
  const read = await sameEitherWay(join(sub, '*.csv'), DEFAULT_CSV_OPTIONS, [80, 500]);
  assert.ok(!('error' in read) && read.table.rowCount === 210);
});

test('numbers read from bytes are exactly Number(text), and parse like text does', () => {
  const rng = createRng(3);
  const digits = (n: number): string => Array.from({ length: n }, () => String(rng.int(10))).join('');
  const cases = ['0', '-0', '+0', '0.0', '-0.000', '.5', '5.', '+.5', '-.5', '007', '000.000100', '123456789012345', '1234567890123456',
    '999999999999999', '0.1', '0.2', '0.3', '9007199254740993', '1.7976931348623157', '4.9406564584124654', '0.0000000000000000000001',
    '0.00000000000000000000001', '1e5', '', '-', '+', '.', '..5', '1.2.3', '1,5', ' 1', '1 ', '--1', '0x10', '١'];
  for (let i = 0; i < 50_000; i++) {
    const int = digits(rng.int(12));
    const frac = rng.next() < 0.7 ? `.${digits(rng.int(16))}` : '';
    cases.push(`${['', '-', '+'][rng.int(3)]}${int}${frac}`);
  }
  let fast = 0;
  for (const text of cases) {
    const bytes = Buffer.from(text);
    const v = parsePlainNumber(bytes, 0, bytes.length, 46);
    if (Number.isNaN(v)) continue;
    fast++;
    assert.ok(Object.is(v, Number(text)), `${text}: ${v} from bytes, ${Number(text)} from Number`);
    assert.ok(Object.is(v, parseNumber(text)), `${text}: parseNumber agrees`);
  }
  assert.ok(fast > 30_000, `most plain numbers take the byte path (${fast})`);
  const comma = Buffer.from('-12,50');
  assert.equal(parsePlainNumber(comma, 0, comma.length, 44), -12.5);
});
