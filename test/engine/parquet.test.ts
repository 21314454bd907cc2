// Parquet out and back in: a predict whose output is *.parquet writes, through DuckDB, the rows
// of the CSV it would write; the DuckDB engine reads them back as the same table. Parquet in: a
// dataset or a prediction source written as Parquet checks and runs as the CSV it came from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import type { CheckedPipeline, DatasetInfo } from '../../server/src/checker/checked-model';
import { CsvSchemaCache } from '../../server/src/data/csv-schema-cache';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import { DUCKDB } from '../../server/src/engine/duckdb-dialect';
import { readCsv } from '../../server/src/data/read-csv';
import { DuckDbEngine } from '../../server/src/engine/duckdb-engine';
import { runPipeline } from '../../server/src/runner/run-pipeline';

const sample = join(__dirname, '..', '..', 'samples', 'penguins');

async function predictTo(ext: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `narml-parquet-${ext}-`));
  cpSync(sample, dir, { recursive: true });
  const file = join(dir, 'penguins.narml');
  const text = readFileSync(file, 'utf8').replace('output: "out/species-{date}.csv"', `output: "out/species.${ext}"`);
  assert.ok(text.includes(`out/species.${ext}`));
  writeFileSync(file, text);
  const run = await runPipeline(await checkWithFullSchemas(text, file), { names: ['field_survey'] });
  assert.equal(run.status, 'succeeded', run.error);
  return join(dir, 'out', `species.${ext}`);
}

test('a .parquet prediction output holds the .csv output\'s columns and values, and reads back through the DuckDB engine', async () => {
  const csv = await readCsv(await predictTo('csv'), DEFAULT_CSV_OPTIONS);
  const parquetFile = await predictTo('parquet');
  assert.equal(readFileSync(parquetFile).subarray(0, 4).toString(), 'PAR1');
  const engine = new DuckDbEngine();
  try {
    const back = await engine.readFile(parquetFile, DEFAULT_CSV_OPTIONS);
    assert.deepEqual(back.names, csv.names);
    assert.equal(back.rowCount, csv.rowCount);
    assert.ok(csv.rowCount > 0);
    csv.columns.forEach((c, j) => {
      const b = back.columns[j];
      for (let i = 0; i < csv.rowCount; i++) {
        const x = 'codes' in c ? (c.codes[i] < 0 ? undefined : c.levels[c.codes[i]]) : Number.isNaN(c.values[i]) ? undefined : c.values[i];
        const y = 'codes' in b ? (b.codes[i] < 0 ? undefined : b.levels[b.codes[i]]) : Number.isNaN(b.values[i]) ? undefined : b.values[i];
        assert.equal(typeof x === 'number' ? y : y === undefined ? y : String(y), x, `${csv.names[j]} row ${i}`);
      }
    });
  } finally {
    await engine.close();
  }
});

/** The penguins sample on the DuckDB engine, its two CSVs also written as Parquet (missing cells as nulls). */
async function penguinsWithParquet(): Promise<{ dir: string; csvText: string; parquetText: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-in-'));
  cpSync(sample, dir, { recursive: true });
  const engine = new DuckDbEngine();
  try {
    for (const name of ['penguins', 'new-penguins']) {
      const from = DUCKDB.string(join(dir, 'data', `${name}.csv`));
      await engine.rows(`COPY (SELECT * FROM read_csv(${from}, header = true, sample_size = -1, nullstr = ['', 'NA', '.'])) TO ${DUCKDB.string(join(dir, 'data', `${name}.parquet`))} (FORMAT parquet)`);
    }
  } finally {
    await engine.close();
  }
  const csvText = `engine: duckdb\n${readFileSync(join(dir, 'penguins.narml'), 'utf8').replace('output: "out/species-{date}.csv"', 'output: "out/species-csv.csv"')}`;
  const parquetText = csvText
    .replace('dataset penguins from "data/penguins.csv" {\n  missing: ["", "NA", "."]\n}', 'dataset penguins from "data/penguins.parquet"')
    .replace('from "data/new-penguins.csv"', 'from "data/new-penguins.parquet"')
    .replace('out/species-csv.csv', 'out/species-parquet.csv')
    .replace('models/penguins-logistic.onnx', 'models/parquet.onnx');
  assert.ok(parquetText.includes('"data/penguins.parquet"\n') && parquetText.includes('"data/new-penguins.parquet"'));
  return { dir, csvText, parquetText };
}

test('a pipeline reads a Parquet dataset and predicts from a Parquet file with the same schema, metrics and predictions as from the CSVs', async () => {
  const { dir, csvText, parquetText } = await penguinsWithParquet();
  const runs = [];
  for (const [name, text] of [['csv', csvText], ['parquet', parquetText]]) {
    const file = join(dir, `${name}.narml`);
    writeFileSync(file, text);
    const checked = await checkWithFullSchemas(text, file);
    assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error'), [], name);
    const run = await runPipeline(checked, { now: new Date('2026-12-07T12:00:00Z'), names: checked.infos.flatMap((i) => (i?.kind === 'evaluate' || i?.kind === 'predict' ? [i.name] : [])) });
    assert.equal(run.status, 'succeeded', run.error);
    const dataset = checked.infos.find((i) => i?.kind === 'dataset');
    runs.push({ schema: dataset?.kind === 'dataset' ? dataset.schema : undefined, run });
  }
  const [csv, parquet] = runs;
  assert.ok(csv.schema && csv.schema.rowCount! > 300);
  assert.deepEqual(parquet.schema, csv.schema);
  assert.ok(Object.keys(csv.run.evaluations).length === 2);
  for (const [name, e] of Object.entries(csv.run.evaluations)) {
    for (const [metric, v] of Object.entries(e.metrics)) assert.ok(Math.abs(parquet.run.evaluations[name].metrics[metric] - v) <= 1e-9, `${name} ${metric}: ${v} vs ${parquet.run.evaluations[name].metrics[metric]}`);
  }
  assert.equal(readFileSync(join(dir, 'out', 'species-parquet.csv'), 'utf8'), readFileSync(join(dir, 'out', 'species-csv.csv'), 'utf8'));
});

test('a Parquet dataset on the memory engine, CSV options on a Parquet dataset, and a broken or missing Parquet file are diagnostics', async () => {
  const { dir, parquetText } = await penguinsWithParquet();
  const file = join(dir, 'p.narml');
  const codes = async (text: string): Promise<{ code: string; message: string }[]> => (await checkWithFullSchemas(text, file)).diagnostics.filter((d) => d.severity === 'error').map((d) => ({ code: d.code, message: d.message }));
  const memory = await codes(parquetText.replace('engine: duckdb\n', ''));
  assert.deepEqual(memory.map((d) => d.code), ['NML154', 'NML154']);
  assert.match(memory[0].message, /engine memory cannot read the Parquet file .*penguins\.parquet \(dataset "penguins"\); add engine: duckdb/);
  assert.match(memory[1].message, /new-penguins\.parquet \(predict "field_survey"\)/);
  const options = await codes(parquetText.replace('dataset penguins from "data/penguins.parquet"', 'dataset penguins from "data/penguins.parquet" { delimiter: ";" }'));
  assert.deepEqual(options.map((d) => d.code), ['NML116']);
  assert.match(options[0].message, /reads a Parquet file.*takes no delimiter/);
  writeFileSync(join(dir, 'data', 'broken.parquet'), 'Species,Island\nAdelie,Biscoe\n');
  const broken = await codes(parquetText.replace('data/penguins.parquet', 'data/broken.parquet'));
  assert.equal(broken[0].code, 'NML104');
  assert.match(broken[0].message, /dataset "penguins": cannot read .*broken\.parquet as Parquet \(.+\); write it with a Parquet writer/);
  const missing = await codes(parquetText.replace('data/new-penguins.parquet', 'data/gone.parquet'));
  assert.deepEqual(missing.map((d) => d.code), ['NML104']);
  assert.match(missing[0].message, /prediction source of "field_survey": file not found: .*gone\.parquet/);
});

test('while its Parquet schema is unread a dataset has no schema and no diagnostic; refine reads it, once per file version', async () => {
  const { dir, parquetText } = await penguinsWithParquet();
  const file = join(dir, 'p.narml');
  const cache = new CsvSchemaCache();
  const datasetOf = (checked: CheckedPipeline) => checked.infos.find((i) => i?.kind === 'dataset') as DatasetInfo;
  const before = checkPipeline(parquetText, file, cache);
  assert.equal(datasetOf(before).schema, undefined);
  assert.deepEqual(before.diagnostics.filter((d) => d.code === 'NML104'), []);
  const path = datasetOf(before).path;
  assert.equal(await cache.refine(path, DEFAULT_CSV_OPTIONS), true);
  assert.equal(await cache.refine(path, DEFAULT_CSV_OPTIONS), false);
  const after = checkPipeline(parquetText, file, cache);
  assert.equal(datasetOf(after).schemaComplete, true);
  assert.deepEqual(datasetOf(after).schema!.columns.map((c) => `${c.name}:${c.type}${c.nullable ? '?' : ''}`), ['Species:category', 'Island:category', 'Beak Length (mm):number?', 'Beak Depth (mm):number?', 'Flipper Length (mm):number?', 'Body Mass (g):number?', 'Sex:category?']);
});

/** Seeded rows with missing cells, booleans, dates, timestamps, a category and a text column. */
function generatedCsv(rows: number): string {
  let s = 11;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
  const lines = ['id,x,flag,day,stamp,note,grade,label'];
  for (let i = 0; i < rows; i++) {
    const day = new Date(Date.UTC(2021, 0, 1) + Math.floor(next() * 365) * 86_400_000).toISOString();
    lines.push([
      i, next() < 0.1 ? '' : (next() * 20 - 5).toFixed(3), next() < 0.05 ? '' : pick(['true', 'false']),
      next() < 0.05 ? '' : day.slice(0, 10), `${day.slice(0, 10)} ${String(Math.floor(next() * 24)).padStart(2, '0')}:30:00`,
      next() < 0.1 ? '' : `n${Math.floor(next() * 300)}`, pick(['A', 'B', 'C', '']), pick(['yes', 'no']),
    ].join(','));
  }
  return `${lines.join('\n')}\n`;
}

test('a Parquet file written from a CSV of every type has the CSV\'s schema, and the DuckDB engine loads the same table from both', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-types-'));
  writeFileSync(join(dir, 'gen.csv'), generatedCsv(500));
  const engine = new DuckDbEngine();
  try {
    await engine.rows(`COPY (SELECT * FROM read_csv(${DUCKDB.string(join(dir, 'gen.csv'))}, header = true, sample_size = -1, nullstr = '')) TO ${DUCKDB.string(join(dir, 'gen.parquet'))} (FORMAT parquet)`);
    const types = (await engine.rows(`SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(${DUCKDB.string(join(dir, 'gen.parquet'))}))`)).map((r) => r[0]);
    assert.deepEqual(types, ['BIGINT', 'DOUBLE', 'BOOLEAN', 'DATE', 'TIMESTAMP', 'VARCHAR', 'VARCHAR', 'BOOLEAN']);
    const [csv, parquet] = await Promise.all(['gen.csv', 'gen.parquet'].map(async (name) => {
      const file = join(dir, `${name}.narml`);
      const checked = await checkWithFullSchemas(`engine: duckdb\ndataset raw from "${name}"\n`, file);
      assert.deepEqual(checked.diagnostics.filter((d) => d.severity === 'error'), [], name);
      return checked.infos.find((i) => i?.kind === 'dataset') as DatasetInfo;
    }));
    assert.deepEqual(parquet.schema, csv.schema);
    assert.deepEqual(csv.schema!.columns.map((c) => c.type), ['number', 'number', 'boolean', 'date', 'date', 'text', 'category', 'boolean']);
    // Two engines: each caches the dataset by its name, which is "raw" in both pipelines.
    const other = new DuckDbEngine();
    try {
      const table = await engine.readDataset(csv);
      assert.equal(table.rowCount, 500);
      assert.deepEqual(await other.readDataset(parquet), table);
    } finally {
      await other.close();
    }
  } finally {
    await engine.close();
  }
});
