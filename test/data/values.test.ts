// Values that are not numbers or dates do not pass as such (issue 10): thousands separators and
// decimal commas are dataset options, dates are real dates with their offsets and years, a few
// unparseable cells are counted with an example and its line, duplicate headers get distinct
// names, and a file that is not valid UTF-8 (or holds a NUL) is an error naming the line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { numberParser, parseBoolean, parseIsoDate, parseNumber } from '../../server/src/data/parse-values';
import { CsvError, readCsv, readCsvText, readCsvWithNotes } from '../../server/src/data/read-csv';
import { tableSchema, type Table } from '../../server/src/data/table';
import { cellText } from '../../server/src/transforms/table-ops';

const DIR = join(__dirname, '..', 'fixtures', 'data', 'quirky');
const opts = DEFAULT_CSV_OPTIONS;
const numbers = (t: Table, name: string): number[] => {
  const c = t.columns[t.names.indexOf(name)];
  assert.ok('values' in c, `${name} is numeric (got ${c.type})`);
  return Array.from(c.values);
};
const utcDays = (ms: number): number => ms / 86_400_000;

test('dates: offsets are honoured, years 0000-0099 stay themselves, impossible dates and times are not dates', () => {
  assert.equal(parseIsoDate('2023-03-01T12:00:00+02:00'), utcDays(Date.parse('2023-03-01T10:00:00Z')));
  assert.equal(parseIsoDate('2023-03-01T12:00:00-05:30'), utcDays(Date.parse('2023-03-01T17:30:00Z')));
  assert.equal(parseIsoDate('2023-03-01T12:00Z'), utcDays(Date.parse('2023-03-01T12:00:00Z')));
  assert.equal(parseIsoDate('2023-03-01 12:00:00.250'), utcDays(Date.parse('2023-03-01T12:00:00.250Z')));
  assert.equal(parseIsoDate('0045-03-01'), utcDays(Date.parse('0045-03-01T00:00:00Z')));
  assert.equal(new Date(parseIsoDate('0000-01-01') * 86_400_000).getUTCFullYear(), 0);
  assert.equal(parseIsoDate('2024-02-29'), utcDays(Date.UTC(2024, 1, 29)));
  for (const bad of ['2023-02-29', '2023-02-30', '1900-02-29', '2023-04-31', '2023-01-01T25:00', '2023-01-01T24:00', '2023-01-01T10:75', '2023-01-01T10:00:60', '2023-01-01T10:00+25:00', '2023-13-01']) {
    assert.ok(Number.isNaN(parseIsoDate(bad)), `${bad} is not a date`);
  }
  assert.equal(parseIsoDate(' \u00a02024-02-29\t'), utcDays(Date.UTC(2024, 1, 29)), 'white space around a date, Unicode too');
  for (const bad of ['c2024-02-29', '24-02-29', '', ' ', 'x']) assert.ok(Number.isNaN(parseIsoDate(bad)), `${bad} is not a date`);
});

test('booleans: the words in any case, with white space around them (Unicode too); longer texts are not booleans', () => {
  for (const [text, v] of [['true', 1], ['FALSE', 0], [' Yes ', 1], ['\u00a0no\u00a0', 0], ['\ufeff1', 1], ['\t\t0\r', 0], ['   false   ', 0]] as const) assert.equal(parseBoolean(text), v, JSON.stringify(text));
  for (const text of ['truex', 'falsey', 'c123456', 'yes!', 'y', '', 'no no']) assert.ok(Number.isNaN(parseBoolean(text)), JSON.stringify(text));
});

test('numbers: overflow is not a number; thousands groups must be whole; decimal commas', () => {
  assert.ok(Number.isNaN(parseNumber('1e999')));
  assert.ok(Number.isNaN(parseNumber('-1e400')));
  const us = numberParser({ decimal: '.', thousands: ',' });
  assert.equal(us('1,234'), 1234);
  assert.equal(us('-1,234,567.5'), -1234567.5);
  assert.equal(us('999'), 999);
  assert.ok(Number.isNaN(us('1,23')), 'a broken group is not a number');
  assert.ok(Number.isNaN(us('12,3456')));
  const eu = numberParser({ decimal: ',', thousands: '.' });
  assert.equal(eu('1.234,5'), 1234.5);
  assert.equal(eu('-0,25'), -0.25);
  assert.ok(Number.isNaN(eu('1.5')), '"1.5" is no number when "." groups thousands');
  const fr = numberParser({ decimal: ',', thousands: ' ' });
  assert.equal(fr('1\u202f234,5'), 1234.5);
});

test('thousands: "," reads quoted "1,234" prices as numbers; without it they are text and a note says which option fits', async () => {
  const file = join(DIR, 'prices-us.csv');
  // Expected values straight from the file's text: strip the quotes and the separators.
  const expected = readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => {
    const m = /^\d+,(?:"([^"]*)"|([^,]*)),/.exec(line)!;
    return Number((m[1] ?? m[2]).replace(/,/g, ''));
  });
  assert.ok(expected.some((v) => v <= -1000) && expected.some((v) => v >= 1000) && expected.some((v) => Math.abs(v) < 1000));
  const withOption = await readCsvWithNotes(file, { ...opts, numberFormat: { decimal: '.', thousands: ',' } });
  assert.deepEqual(numbers(withOption.table, 'price'), expected);
  assert.deepEqual(withOption.notes, []);
  const without = await readCsvWithNotes(file, opts);
  assert.equal(without.table.columns[1].type, 'text');
  const note = without.notes.find((n) => n.column === 'price');
  assert.equal(note?.kind, 'number-format');
  assert.deepEqual(note?.kind === 'number-format' && note.formats[0], { decimal: '.', thousands: ',' });
  assert.equal(note?.line, 3, 'the first "1,554.07" is on line 3');
});

test('decimal: "," with thousands "." and delimiter ";" (CRLF) reads European numbers', async () => {
  const file = join(DIR, 'prices-eu.csv');
  const expected = readFileSync(file, 'utf8').trim().split('\r\n').slice(1).map((l) => Number(l.split(';')[1].replace(/\./g, '').replace(',', '.')));
  const t = await readCsv(file, { ...opts, delimiter: ';', numberFormat: { decimal: ',', thousands: '.' } });
  assert.deepEqual(numbers(t, 'preis'), expected);
  assert.deepEqual(numbers(t, 'menge').slice(0, 4), [1, 2, 3, 0]);
});

test('a few cells that are not numbers or dates: the column keeps its type, they are missing, counted with an example and its line', async () => {
  const { table, notes } = await readCsvWithNotes(join(DIR, 'sensor.csv'), opts);
  assert.deepEqual(table.columns.map((c) => c.type), ['date', 'number', 'category']);
  const reading = numbers(table, 'reading');
  assert.ok(Number.isNaN(reading[16]) && Number.isNaN(reading[62]));
  assert.equal(reading.filter(Number.isNaN).length, 2);
  assert.equal(reading[0], 3.7);
  const when = numbers(table, 'when');
  assert.equal(when[0], utcDays(Date.parse('2023-03-01T23:30:00Z')), '2023-03-02T01:30+02:00 is 23:30 UTC the day before');
  assert.ok(Number.isNaN(when[40]) && Number.isNaN(when[87]));
  const byColumn = Object.fromEntries(notes.map((n) => [n.column, n]));
  assert.deepEqual(byColumn.reading, { kind: 'invalid-values', column: 'reading', type: 'number', count: 2, of: 100, example: 'err', file: join(DIR, 'sensor.csv'), line: 18, declared: false, formats: [] });
  assert.deepEqual(byColumn.when, { kind: 'invalid-values', column: 'when', type: 'date', count: 2, of: 100, example: '2023-02-30T10:00:00+02:00', file: join(DIR, 'sensor.csv'), line: 42, declared: false, formats: [] });
});

test('many cells that are not numbers make a text column, as before; declared types count what does not convert', () => {
  const text = `code\n${Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? `x${i}` : String(i))).join('\n')}\n`;
  assert.equal(readCsvText(text, opts).columns[0].type, 'text');
  const t = readCsvText('flag,n\nyes,1\nno,2\n1,3\nmaybe,4\n', { ...opts, columnTypes: { flag: { type: 'boolean' } } });
  assert.deepEqual(Array.from(numbers(t, 'flag')), [1, 0, 1, NaN]);
});

test('years 0045 and 0099 are read and written as themselves', () => {
  const t = readCsvText(readFileSync(join(DIR, 'history.csv'), 'utf8'), opts);
  assert.equal(t.columns[1].type, 'date');
  assert.deepEqual([0, 1, 2].map((r) => cellText(t.columns[1], r)), ['0045-03-01', '0099-12-31', '2023-06-15']);
});

test('duplicate and empty header names get distinct names: a,a,a_2,,b reads as a, a_3, a_2, c4, b', async () => {
  const { table, notes } = await readCsvWithNotes(join(DIR, 'dup-headers.csv'), opts);
  assert.deepEqual(table.names, ['a', 'a_3', 'a_2', 'c4', 'b']);
  assert.deepEqual(numbers(table, 'a_3'), [2, 7]);
  assert.deepEqual(numbers(table, 'a_2'), [3, 8]);
  assert.deepEqual(notes.map((n) => n.kind === 'renamed-header' && `${n.header}->${n.column}`), ['a->a_3', '->c4']);
  assert.deepEqual(readCsvText('x,x,x\n1,2,3\n', opts).names, ['x', 'x_2', 'x_3']);
});

test('bytes that are not UTF-8 are an error naming the line and suggesting encoding: "latin1"; with it they read', async () => {
  const file = join(DIR, 'latin1.csv');
  await assert.rejects(readCsv(file, opts), (e: unknown) => e instanceof CsvError && e.line === 2 && /latin1\.csv: line 2 is not valid UTF-8.*encoding: "latin1"/.test(e.message));
  const t = await readCsv(file, { ...opts, encoding: 'latin1' });
  assert.deepEqual([0, 1, 2].map((r) => cellText(t.columns[1], r)), ['Málaga', 'Besançon', 'Köln']);
  const sampled = new CsvSchemaCache().schema(file, opts);
  assert.ok(!sampled.ok && /line 2 is not valid UTF-8/.test(sampled.error), 'the checker sees the same error');
});

test('a NUL byte inside a field is an error naming its line, in the full read and in the sample', async () => {
  const file = join(DIR, 'nul.csv');
  await assert.rejects(readCsv(file, opts), (e: unknown) => e instanceof CsvError && e.line === 3 && /line 3 holds a NUL byte/.test(e.message));
  const sampled = new CsvSchemaCache().schema(file, opts);
  assert.ok(!sampled.ok && /line 3 holds a NUL byte/.test(sampled.error));
});

test('the sample and the full read give the same types and notes (one inference code)', async () => {
  const cache = new CsvSchemaCache();
  const file = join(DIR, 'sensor.csv');
  const sampled = cache.schema(file, opts);
  const full = await readCsvWithNotes(file, opts);
  assert.ok(sampled.ok);
  assert.deepEqual(sampled.schema.columns.map((c) => c.type), full.table.columns.map((c) => c.type));
  assert.deepEqual(sampled.schema.columns.map((c) => c.nullable), [true, true, false], 'cells read as missing make the column nullable in the sample too');
  assert.deepEqual(sampled.schema, full.schema);
  const { nullable, levels } = full.schema.columns[2];
  assert.deepEqual({ nullable, levels }, { nullable: tableSchema(full.table).columns[2].nullable, levels: ['a', 'b'] });
  assert.deepEqual(sampled.notes, full.notes);
});

test('decimal: "," in a comma-separated file: a ragged row says the delimiter must change', () => {
  assert.throws(() => readCsvText('a,b\n1,5,2\n', { ...opts, numberFormat: { decimal: ',', thousands: '' } }, 'd.csv'), /d\.csv:2: row has 3 fields but the header has 2; .*with decimal: "," the delimiter cannot also be ","/);
  assert.deepEqual(numbers(readCsvText('a,b\n"1,5",2\n', { ...opts, numberFormat: { decimal: ',', thousands: '' } }), 'a'), [1.5]);
});

// A 19-digit id read as a double came back rounded in the predictions ("…6789" written "…6800")
// and neighbouring ids merged; such integers are not numbers, so the column is text.
test('an integer beyond 2^53 is not a number; a decimal or an exponent of that size still is', () => {
  assert.ok(Number.isNaN(parseNumber('1234567890123456789')));
  assert.ok(Number.isNaN(parseNumber('-9007199254740993')));
  assert.equal(parseNumber('9007199254740991'), 9007199254740991);
  assert.equal(parseNumber('1e20'), 1e20);
  assert.equal(parseNumber('12345678901234567890.5'), 12345678901234567890.5);
  assert.ok(Number.isNaN(numberParser({ decimal: '.', thousands: ',' })('1,234,567,890,123,456,789')));
  const t = readCsvText('txn_id,amount\n1234567890123456789,1.5\n1234567890123456796,2\n', DEFAULT_CSV_OPTIONS);
  assert.notEqual(t.columns[0].type, 'number');
  assert.deepEqual([cellText(t.columns[0], 0), cellText(t.columns[0], 1)], ['1234567890123456789', '1234567890123456796']);
});

// Dates are days in a double: 23:15:07 came back as 23:15:06.999… and was written "23:15:06", and
// a time of 00:00:00.250 was written as the bare date. Outputs write them back exactly.
test('a date-time read from a file is written back to the second and millisecond', () => {
  const t = readCsvText('when\n2024-01-06T23:15:07+02:00\n2024-01-08 00:00:00.250\n2024-01-07\n1999-12-31T23:59:59\n', { ...DEFAULT_CSV_OPTIONS, columnTypes: { when: { type: 'date', nullable: false } } });
  assert.deepEqual([0, 1, 2, 3].map((r) => cellText(t.columns[0], r)), ['2024-01-06T21:15:07', '2024-01-08T00:00:00.250', '2024-01-07', '1999-12-31T23:59:59']);
});
