// CSV reading: quoting, embedded newlines and delimiters, BOM, delimiters, header: false,
// latin1, globs, ragged rows with line numbers, type inference rules and the schema cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvError, readCsv, readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { cellText } from '../../server/src/transforms/table-ops';
import type { Table } from '../../server/src/data/table';

const opts = DEFAULT_CSV_OPTIONS;
const col = (t: Table, name: string): (string | undefined)[] => {
  const c = t.columns[t.names.indexOf(name)];
  return Array.from({ length: t.rowCount }, (_, i) => cellText(c, i));
};

test('quotes, doubled quotes, embedded delimiters and newlines, CRLF and BOM', () => {
  const t = readCsvText('\ufeffid,note\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\nlines"\r\n', opts);
  assert.deepEqual(t.names, ['id', 'note']);
  assert.deepEqual(col(t, 'note'), ['a, b', 'say "hi"', 'two\nlines']);
});

test('type inference follows the spec rules', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 2},${i % 2 ? 'yes' : 'NO'},2024-01-${String((i % 28) + 1).padStart(2, '0')},${['a', 'b', 'c'][i % 3]},t${i},${i === 3 ? 'NA' : i * 1.5}`);
  const t = readCsvText(`n,flag,yn,day,cat,txt,x\n${rows.join('\n')}\n`, opts);
  assert.deepEqual(t.columns.map((c) => c.type), ['number', 'boolean', 'boolean', 'date', 'category', 'text', 'number']);
  const day = t.columns[3];
  assert.ok('values' in day && day.values[0] === Date.UTC(2024, 0, 1) / 86_400_000);
  const x = t.columns[6];
  assert.ok('values' in x && Number.isNaN(x.values[3]));
  const cat = t.columns[4];
  assert.ok('codes' in cat && cat.levels.join() === 'a,b,c');
});

test('delimiter, header: false, latin1 and overrides', () => {
  const t = readCsvText('1;x\n2;y\n', { ...opts, delimiter: ';', header: false });
  assert.deepEqual(t.names, ['c1', 'c2']);
  const dir = mkdtempSync(join(tmpdir(), 'narml-csv-'));
  writeFileSync(join(dir, 'l.csv'), Buffer.from('name,v\nJos\xe9,1\n', 'latin1'));
  return readCsv(join(dir, 'l.csv'), { ...opts, encoding: 'latin1', columnTypes: { v: { type: 'category' } } }).then((l) => {
    assert.deepEqual(col(l, 'name'), ['José']);
    assert.equal(l.columns[1].type, 'category');
  });
});

test('a ragged row is an error naming its line', () => {
  assert.throws(() => readCsvText('a,b\n1,2\n3\n4,5\n', opts, 'r.csv'), (e: unknown) => e instanceof CsvError && e.line === 3 && /r\.csv:3: row has 1 field but the header has 2/.test(e.message));
  assert.throws(() => readCsvText('a,b\n1,"open\n2,3\n', opts, 'q.csv'), (e: unknown) => e instanceof CsvError && /never closed/.test(e.message));
});

test('a glob concatenates files with the same header; a missing file is a clear error', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-glob-'));
  writeFileSync(join(dir, 'a.csv'), 'k,v\nx,1\n');
  writeFileSync(join(dir, 'b.csv'), 'k,v\ny,2\nz,3\n');
  const t = await readCsv(join(dir, '*.csv'), opts);
  assert.equal(t.rowCount, 3);
  assert.deepEqual(col(t, 'k'), ['x', 'y', 'z']);
  await assert.rejects(readCsv(join(dir, 'nope.csv'), opts), /file not found/);
  await assert.rejects(readCsv(join(dir, '*.tsv'), opts), /no file matches/);
});

test('the schema cache reads a file once until it changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-cache-'));
  const f = join(dir, 'd.csv');
  writeFileSync(f, 'a,b\n1,x\n2,y\n');
  const cache = new CsvSchemaCache();
  const first = cache.schema(f, opts);
  assert.ok(first.ok && first.complete && first.schema.rowCount === 2);
  assert.equal(cache.schema(f, opts), first, 'unchanged file: same cached result');
  writeFileSync(f, 'a,b,c\n1,x,true\n');
  utimesSync(f, new Date(), new Date(Date.now() + 5000));
  const second = cache.schema(f, opts);
  assert.ok(second.ok && second.schema.columns.length === 3);
});

// UCI's adult data separates fields with ", " and marks unknowns " ?": `missing: ["?"]` must read
// them as missing (as numbers read " 39" as 39), or the " ?" level silently survives as a value.
test('a missing marker matches a cell with spaces around it', () => {
  const rows = Array.from({ length: 30 }, (_, i) => `${20 + i}, ${i % 4 === 0 ? '?' : ['Private', 'State-gov'][i % 2]}, ${i % 7 === 0 ? '?' : i}`);
  const t = readCsvText(`age, workclass, hours\n${rows.join('\n')}\n`, { ...opts, missing: ['?'] });
  assert.deepEqual(t.names, ['age', 'workclass', 'hours']);
  const workclass = t.columns[1];
  assert.ok('codes' in workclass);
  assert.deepEqual(workclass.levels, [' Private', ' State-gov']);
  assert.equal(col(t, 'workclass').filter((v) => v === undefined).length, 8);
  assert.deepEqual(t.columns.map((c) => c.type), ['number', 'category', 'number']);
  assert.equal(col(t, 'hours').filter((v) => v === undefined).length, 5);
  const blank = readCsvText('a,b\n1,x\n2,  \n3,y\n', opts);
  assert.deepEqual(col(blank, 'b'), ['x', undefined, 'y'], 'a cell of spaces is the empty marker');
});

// A semicolon export or a tab-separated file read with the default comma: the whole header is one
// name. It used to pass (one text column, then "unknown column" errors) or fail as a ragged row
// with a fix about quoting; the error now names the delimiter to declare.
test('a header read as one name that holds another delimiter says which delimiter to declare', () => {
  assert.throws(() => readCsvText('a;b;y\n1;2;x\n3;4;y\n', opts), (e: unknown) => e instanceof CsvError && /the header "a;b;y" is read as one column, but it holds ";" between names: the file looks separated by ";"; add delimiter: ";" to the dataset/.test(e.message));
  assert.throws(() => readCsvText('höhe;gewicht\n171,2;63,5\n', opts), /add delimiter: ";"/);
  assert.throws(() => readCsvText('x\ty\tlabel\n1\t2\ta\n', opts), /looks separated by tabs; add delimiter: "\\t"/);
  assert.throws(() => readCsvText('sep=;\na;b;y\n1;2;x\n', opts), /the first line "sep=;" is a spreadsheet's note of the delimiter, not a header; delete that line from the file and add delimiter: ";" to the dataset/);
  assert.deepEqual(readCsvText('monthly fee\n3\n4\n', opts).names, ['monthly fee'], 'one column is fine');
  assert.deepEqual(readCsvText('a;b,c\n1;2,3\n', opts).names, ['a;b', 'c'], 'more than one column: the delimiter is right');
});

test('a schema cache that keeps whole tables lets go of them on dropTables (a DuckDB run reads the files itself), the schema kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-drop-tables-'));
  const file = join(dir, 'rows.csv');
  // More rows than the sample, so the whole table is not the sample.
  writeFileSync(file, `x,label\n${Array.from({ length: 6000 }, (_, i) => `${i},${i % 3 === 0 ? 'a' : 'b'}`).join('\n')}\n`);
  const cache = new CsvSchemaCache({ keepTables: true });
  await cache.refine(file, DEFAULT_CSV_OPTIONS);
  assert.equal(cache.table(file, DEFAULT_CSV_OPTIONS)?.rowCount, 6000);
  cache.dropTables();
  assert.equal(cache.table(file, DEFAULT_CSV_OPTIONS), undefined);
  const schema = cache.schema(file, DEFAULT_CSV_OPTIONS);
  assert.ok(schema.ok && schema.complete);
  assert.deepEqual(schema.ok && schema.schema.columns.map((c) => [c.name, c.type]), [['x', 'number'], ['label', 'category']]);
});
