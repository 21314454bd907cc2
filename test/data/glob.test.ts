// Globs over folders with symbolic links: a link loop ends, a file reached by several links is
// read once, and matching by name alone tells whether a future output would be read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGlob, globMatches } from '../../server/src/data/glob';
import { readCsv } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';

function folder(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'narml-glob-links-')));
}

test('a symbolic link loop under ** ends and each file is listed once', () => {
  const dir = folder();
  mkdirSync(join(dir, 'data', 'a'), { recursive: true });
  writeFileSync(join(dir, 'data', 'a', 'x.csv'), 'v\n1\n');
  writeFileSync(join(dir, 'data', 'y.csv'), 'v\n2\n');
  // Two loops: a link to its own folder and a link back to the top.
  symlinkSync(join(dir, 'data'), join(dir, 'data', 'a', 'up'));
  symlinkSync('.', join(dir, 'data', 'self'));
  const files = expandGlob(join(dir, 'data', '**', '*.csv'));
  assert.deepEqual(files, [join(dir, 'data', 'a', 'x.csv'), join(dir, 'data', 'y.csv')]);
});

test('two links to one file: read once, under the first path in sorted order', async () => {
  const dir = folder();
  mkdirSync(join(dir, 'in'));
  writeFileSync(join(dir, 'in', 'b.csv'), 'v\n1\n2\n');
  symlinkSync(join(dir, 'in', 'b.csv'), join(dir, 'in', 'a.csv'));
  symlinkSync(join(dir, 'in', 'b.csv'), join(dir, 'in', 'c.csv'));
  writeFileSync(join(dir, 'in', 'd.csv'), 'v\n3\n');
  const pattern = join(dir, 'in', '*.csv');
  assert.deepEqual(expandGlob(pattern), [join(dir, 'in', 'a.csv'), join(dir, 'in', 'd.csv')]);
  const table = await readCsv(pattern, DEFAULT_CSV_OPTIONS);
  assert.equal(table.rowCount, 3, 'rows of b.csv counted once, plus d.csv');
});

test('a linked folder reached twice is walked once; a dangling link and a folder named *.csv are skipped', () => {
  const dir = folder();
  mkdirSync(join(dir, 'real', 'part'), { recursive: true });
  writeFileSync(join(dir, 'real', 'part', 'p.csv'), 'v\n1\n');
  mkdirSync(join(dir, 'src'));
  symlinkSync(join(dir, 'real', 'part'), join(dir, 'src', 'one'));
  symlinkSync(join(dir, 'real', 'part'), join(dir, 'src', 'two'));
  symlinkSync(join(dir, 'nowhere.csv'), join(dir, 'src', 'dangling.csv'));
  mkdirSync(join(dir, 'src', 'folder.csv'));
  assert.deepEqual(expandGlob(join(dir, 'src', '*', '*.csv')), [join(dir, 'src', 'one', 'p.csv')]);
  assert.deepEqual(expandGlob(join(dir, 'src', '*.csv')), []);
});

test('globMatches decides on names, for files that do not exist yet', () => {
  assert.ok(globMatches('/w/data/incoming/*.csv', '/w/data/incoming/scores-2024-01-01.csv'));
  assert.ok(globMatches('/w/data/**/*.csv', '/w/data/a/b/c.csv'));
  assert.ok(globMatches('/w/data/**/*.csv', '/w/data/c.csv'));
  assert.ok(!globMatches('/w/data/incoming/*.csv', '/w/out/scores.csv'));
  assert.ok(!globMatches('/w/data/*.csv', '/w/data/sub/x.csv'));
  assert.ok(!globMatches('/w/data/*.csv', '/w/data/x.csv.tmp'));
});

test('a bracket class matches one character; a "[" no "]" closes, or a reversed range, is itself (the checker fuzz found both throwing)', () => {
  assert.ok(globMatches('/d/part-[ab].csv', '/d/part-b.csv'));
  assert.ok(!globMatches('/d/part-[ab].csv', '/d/part-c.csv'));
  assert.ok(globMatches('/d/[x.csv', '/d/[x.csv'));
  assert.ok(!globMatches('/d/[x.csv', '/d/x.csv'));
  assert.ok(globMatches('/d/[z-a].csv', '/d/[z-a].csv'));
  const dir = folder();
  writeFileSync(join(dir, '[x.csv'), 'a\n1\n');
  assert.deepEqual(expandGlob(join(dir, '[x.csv*')), [join(dir, '[x.csv')]);
});

test('many ** against a deep path: answered without backtracking through every split', () => {
  const pattern = `/a/${'**/'.repeat(30)}q`;
  assert.ok(!globMatches(pattern, `/a/${'b/'.repeat(200)}z`));
  assert.ok(globMatches(pattern, `/a/${'b/'.repeat(200)}q`));
});
