// Parquet out and back in: a predict whose output is *.parquet writes, through DuckDB, the rows
// of the CSV it would write; the DuckDB engine reads them back as the same table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkWithFullSchemas } from '../../server/src/checker/check-files';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
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
