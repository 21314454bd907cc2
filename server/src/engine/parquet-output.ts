// A prediction output named *.parquet: the prediction CSV's rows (the bytes `narml predict`
// writes for a .csv output) converted by DuckDB, then written in place like every output, by
// writeFileAtomic. DuckDB is loaded only for such an output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import { DUCKDB } from './duckdb-dialect';
import { DuckDbEngine } from './duckdb-engine';

/** Writes CSV `chunks` (with a header) to `output` as Parquet; returns the Parquet bytes written. */
export async function writeParquetFromCsv(chunks: readonly Uint8Array[], output: string, workspace: Workspace): Promise<Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-'));
  const engine = new DuckDbEngine();
  try {
    const csv = join(dir, 'rows.csv');
    const parquet = join(dir, 'rows.parquet');
    writeFileSync(csv, Buffer.concat(chunks));
    // Every row read to type the columns; an empty cell is a missing value, as the CSV reader reads it.
    await engine.rows(`COPY (SELECT * FROM read_csv(${DUCKDB.string(csv)}, header = true, sample_size = -1, nullstr = '')) TO ${DUCKDB.string(parquet)} (FORMAT parquet)`);
    const bytes = readFileSync(parquet);
    writeFileAtomic(output, bytes, workspace);
    return bytes;
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
