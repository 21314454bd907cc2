// A prediction output named *.parquet: the prediction CSV's rows (the bytes `narml predict`
// writes for a .csv output) converted by DuckDB, then written in place like every output, by
// writeFileAtomic. DuckDB is loaded only for such an output.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicStreamed } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import { DUCKDB } from './duckdb-dialect';
import { DuckDbEngine } from './duckdb-engine';

/** Writes CSV `chunks` (with a header) to `output` as Parquet; returns the Parquet bytes written. */
export async function writeParquetFromCsv(chunks: readonly Uint8Array[], output: string, workspace: Workspace): Promise<Uint8Array> {
  return withParquetOf((csv) => writeFileSync(csv, Buffer.concat(chunks)), async (parquet) => {
    const bytes = readFileSync(parquet);
    writeFileAtomic(output, bytes, workspace);
    return bytes;
  });
}

/**
 * The Parquet file of CSV rows written by `fill` (a prediction file too large to hold), copied
 * to `output` piece by piece; returns the SHA-256 of its bytes.
 */
export async function writeParquetStreamed(fill: (csv: string) => Promise<void>, output: string, workspace: Workspace): Promise<string> {
  return withParquetOf(fill, async (parquet) => {
    const hash = createHash('sha256');
    await writeFileAtomicStreamed(output, async (write) => {
      for await (const piece of createReadStream(parquet, { highWaterMark: 1 << 20 })) {
        hash.update(piece as Buffer);
        write(piece as Buffer);
      }
    }, workspace);
    return hash.digest('hex');
  });
}

/** `use` the Parquet file DuckDB makes of the CSV file `fill` writes, in a temporary folder removed afterwards. */
async function withParquetOf<T>(fill: (csv: string) => void | Promise<void>, use: (parquet: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-parquet-'));
  const engine = new DuckDbEngine();
  try {
    const csv = join(dir, 'rows.csv');
    const parquet = join(dir, 'rows.parquet');
    await fill(csv);
    // Every row read to type the columns; an empty cell is a missing value, as the CSV reader reads it.
    await engine.rows(`COPY (SELECT * FROM read_csv(${DUCKDB.string(csv)}, header = true, sample_size = -1, nullstr = '')) TO ${DUCKDB.string(parquet)} (FORMAT parquet)`);
    return await use(parquet);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
