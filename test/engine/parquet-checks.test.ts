// Parquet as complete as CSV where it can be: the first rows come with the schema as the value
// sample (target leakage is found as in the CSV the file was written from), `actuals:` label
// files written as Parquet are checked and joined (the same windows and metrics as the CSV
// labels, which scikit-learn's figures fix), and `columns { }` holds a Parquet file's strings as
// category or text, while an override that would change the file's numbers is NML116 saying why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { hasErrors, type DatasetInfo } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { DUCKDB } from '../../server/src/engine/duckdb-dialect';
import { DuckDbEngine } from '../../server/src/engine/duckdb-engine';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const fixtures = join(__dirname, '..', 'fixtures');

/** Writes each CSV (read by DuckDB with every row typed) as Parquet beside itself, or to `to`. */
async function toParquet(pairs: [from: string, to: string, select?: string][]): Promise<void> {
  const engine = new DuckDbEngine();
  try {
    for (const [from, to, select = '*'] of pairs) {
      await engine.rows(`COPY (SELECT ${select} FROM read_csv(${DUCKDB.string(from)}, header = true, sample_size = -1)) TO ${DUCKDB.string(to)} (FORMAT parquet)`);
    }
  } finally {
    await engine.close();
  }
}

const codes = (c: { diagnostics: { code: string }[] }): string[] => c.diagnostics.map((d) => d.code);

test('a Parquet dataset has a value sample: a feature that relabels the target is NML201, as in the CSV it was written from', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-sample-'));
  const csv = join(dir, 'iris.csv');
  cpSync(join(fixtures, 'data', 'iris.csv'), csv);
  // `code` is species renamed (a one-to-one relabelling); the rest of the file is iris.
  await toParquet([[csv, join(dir, 'leaky.parquet'), "*, 'kind_' || upper(species) AS code"]]);
  const lines = readFileSync(csv, 'utf8').trimEnd().split('\n');
  writeFileSync(join(dir, 'leaky.csv'), `${[`${lines[0]},code`, ...lines.slice(1).map((l) => `${l},kind_${l.split(',')[4].toUpperCase()}`)].join('\n')}\n`);
  const pipeline = (from: string): string => `engine: duckdb\ndataset iris from "${from}"\nmodel m from iris {\n  target: species\n  algorithm: knn\n}\n`;
  const fromParquet = await checkWithFullSchemas(pipeline('leaky.parquet'), join(dir, 'p.narml'));
  const leak = fromParquet.diagnostics.filter((d) => d.code === 'NML201');
  assert.equal(leak.length, 1, JSON.stringify(fromParquet.diagnostics));
  assert.match(leak[0].message, /code/);
  const fromCsv = await checkWithFullSchemas(pipeline('leaky.csv'), join(dir, 'p.narml'), undefined, { engine: 'memory' });
  assert.deepEqual(fromCsv.diagnostics.map((d) => [d.code, d.message]), fromParquet.diagnostics.map((d) => [d.code, d.message.replace('leaky.parquet', 'leaky.csv')]));
  // The sample is the file's first rows as the engine loads them: typed as the schema, codes for strings.
  const cache = new CsvSchemaCache();
  const path = join(dir, 'leaky.parquet');
  assert.equal(cache.sample(path, DEFAULT_CSV_OPTIONS), undefined, 'no sample before the schema is read');
  await cache.refine(path, DEFAULT_CSV_OPTIONS);
  const sample = cache.sample(path, DEFAULT_CSV_OPTIONS)!;
  assert.equal(sample.rowCount, 150);
  assert.deepEqual(sample.names, ['sepal_length_cm', 'sepal_width_cm', 'petal_length_cm', 'petal_width_cm', 'species', 'code']);
  const first = readFileSync(csv, 'utf8').split('\n')[1].split(',');
  const sepal = sample.columns[0];
  assert.ok('values' in sepal && sepal.values[0] === Number(first[0]));
  const species = sample.columns[4];
  assert.ok('codes' in species && species.levels[species.codes[0]] === first[4]);
  // Without the copied column the same pipeline is clean: the warning comes from the values.
  await toParquet([[csv, join(dir, 'clean.parquet')]]);
  assert.deepEqual(codes(await checkWithFullSchemas(pipeline('clean.parquet'), join(dir, 'p.narml'))), []);
});

test('actuals: label files written as Parquet are checked and joined: the same windows and metrics as the CSV labels (scikit-learn\'s figures)', async () => {
  const fixture = join(fixtures, 'monitor-days');
  const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8')) as { days: Record<string, Record<string, number>> };
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-actuals-'));
  cpSync(join(fixture, 'data'), join(dir, 'data'), { recursive: true });
  cpSync(join(fixture, 'incoming'), join(dir, 'inbox'), { recursive: true });
  mkdirSync(join(dir, 'arrived'));
  await toParquet(['day1', 'day2', 'day3'].map((d) => [join(fixture, 'labels', `${d}.csv`), join(dir, 'arrived', `${d}.parquet`)] as [string, string]));
  const text = `engine: duckdb\n${readFileSync(join(fixture, 'monitor-days.narml'), 'utf8').replace('actuals: "arrived/*.csv" on id', 'actuals: "arrived/*.parquet" on id')}`;
  assert.ok(text.includes('"arrived/*.parquet"'));
  const file = join(dir, 'p.narml');
  const checked = await checkWithFullSchemas(text, file);
  assert.ok(!hasErrors(checked), checked.diagnostics.map((d) => d.message).join('; '));
  const run = await runPipeline(checked, { now: new Date('2026-12-04T06:00:00Z') });
  assert.equal(run.status, 'succeeded', run.error);
  const windows = run.monitors.watch.actuals!.windows;
  assert.deepEqual(windows.map((w) => w.start.slice(0, 10)), ['2026-12-01', '2026-12-02', '2026-12-03']);
  for (const w of windows) {
    const ref = expected.days[w.start.slice(0, 10)];
    assert.equal(w.rows, ref.rows);
    for (const m of ['accuracy', 'f1', 'roc_auc']) assert.ok(Math.abs(w.metrics[m] - ref[m]) < 1e-9, `${w.start} ${m}: ${w.metrics[m]} vs scikit-learn ${ref[m]}`);
  }
  assert.equal(run.monitors.watch.alert.raised, true, run.monitors.watch.alert.reason);

  // The label files' schema is read: a key they lack is NML151; on the memory engine they are NML154.
  const wrongKey = await checkWithFullSchemas(text.replace('actuals: "arrived/*.parquet" on id', 'actuals: "arrived/*.parquet" on scored_on'), file);
  assert.ok(codes(wrongKey).includes('NML151'), JSON.stringify(wrongKey.diagnostics));
  const memory = await checkWithFullSchemas(text.replace('engine: duckdb\n', ''), file);
  const refused = memory.diagnostics.filter((d) => d.code === 'NML154');
  assert.equal(refused.length, 1, JSON.stringify(memory.diagnostics));
  assert.match(refused[0].message, /engine memory cannot read the Parquet file .*arrived\/\*\.parquet \(the actuals of monitor "watch"\); add engine: duckdb/);
});

test('columns { } on a Parquet dataset: strings held as category or text, ? for missing values; a number read as text is NML116 naming the way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-columns-'));
  const csv = join(dir, 'iris.csv');
  cpSync(join(fixtures, 'data', 'iris.csv'), csv);
  // `tag` holds 150 distinct strings: text by itself (over the category limit of 20 for 150 rows); `grp` three: a category.
  await toParquet([[csv, join(dir, 'iris.parquet'), "*, 'row_' || CAST(row_number() OVER () AS VARCHAR) AS tag, 'g' || CAST(row_number() OVER () % 3 AS VARCHAR) AS grp"]]);
  const pipeline = (columns: string): string => `engine: duckdb\ndataset iris from "iris.parquet" {\n  columns { ${columns} }\n}\nmodel m from iris {\n  target: species\n  features: [sepal_length_cm, petal_length_cm]\n  algorithm: knn\n}\n`;
  const schemaOf = (c: { infos: readonly unknown[] }): DatasetInfo['schema'] => (c.infos.find((i) => (i as DatasetInfo | undefined)?.kind === 'dataset') as DatasetInfo).schema;
  const file = join(dir, 'p.narml');

  const plain = await checkWithFullSchemas(pipeline(''), file);
  assert.deepEqual(codes(plain), []);
  assert.equal(schemaOf(plain)!.columns.find((c) => c.name === 'tag')!.type, 'text');
  assert.equal(schemaOf(plain)!.columns.find((c) => c.name === 'grp')!.type, 'category');

  const held = await checkWithFullSchemas(pipeline('tag: category, grp: text, sepal_width_cm: number?'), file);
  assert.deepEqual(codes(held), []);
  const cols = schemaOf(held)!.columns;
  const tag = cols.find((c) => c.name === 'tag')!;
  assert.equal(tag.type, 'category');
  assert.equal(tag.levels!.length, 150);
  assert.ok(tag.levels!.includes('row_1') && tag.levels!.includes('row_150'));
  assert.equal(cols.find((c) => c.name === 'grp')!.type, 'text');
  assert.equal(cols.find((c) => c.name === 'grp')!.levels, undefined);
  assert.equal(cols.find((c) => c.name === 'sepal_width_cm')!.nullable, true);
  assert.equal(cols.find((c) => c.name === 'petal_width_cm')!.nullable, false);
  // The run loads the file as checked: the overridden column reaches the engine as a category.
  const withTag = `engine: duckdb\ndataset iris from "iris.parquet" {\n  columns { tag: category }\n}\ntransform t from iris {\n  encode tag, grp as onehot\n}\nmodel m from t {\n  target: species\n  algorithm: decision_tree\n}\n`;
  const tagChecked = await checkWithFullSchemas(withTag, file);
  assert.deepEqual(codes(tagChecked), []);
  const run = await runPipeline(tagChecked);
  assert.equal(run.status, 'succeeded', run.error);
  assert.ok(run.models.m.features.includes('tag_row_150'), run.models.m.features.join(', '));
  // Held as text, the same column is not encoded: the override reaches the checker's schema.
  assert.ok(codes(await checkWithFullSchemas(withTag.replace('columns { tag: category }', 'columns { tag: text }'), file)).includes('NML111'));

  const refused = await checkWithFullSchemas(pipeline('sepal_length_cm: text, delimiter_typo: number'), file);
  const nml116 = refused.diagnostics.filter((d) => d.code === 'NML116');
  assert.equal(nml116.length, 1, JSON.stringify(refused.diagnostics));
  assert.match(nml116[0].message, /column "sepal_length_cm" of the Parquet file holds numbers.*only hold its strings as category or text.*CAST\(sepal_length_cm AS VARCHAR\)/);
  assert.ok(codes(refused).includes('NML101'), 'an override of a column the file lacks is NML101, as for a CSV');
  const other = await checkWithFullSchemas(`engine: duckdb\ndataset iris from "iris.parquet" {\n  missing: ["?"]\n}\n`, file);
  assert.match(other.diagnostics.find((d) => d.code === 'NML116')!.message, /takes no missing \(only columns \{ \} to hold strings as category or text\)/);
});
