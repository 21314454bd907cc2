// The schemas `run` and `predict` check with. A dataset whose files are unchanged since a run
// read them in full (same identity, so the same recorded content hash: see RunStore.fileHash)
// gets that run's schema from the store: a stat and a small read, not a read of the CSV. A
// prediction source gets the schema an earlier command found for it (sampled or whole), recorded
// under its files' identities, so a one-row predict in a pipeline that also names a 1M-row input
// does not sample that input each time. Any other file is sampled and read in full by the
// check, exactly as without the store.
import { predictionSources } from '../checker/check-files';
import type { CheckedPipeline } from '../checker/checked-model';
import type { CsvOptions, CsvSchemaResult } from '../data/csv-options';
import { CsvSchemaCache } from '../data/csv-schema-cache';
import { resolveCsvFiles } from '../data/read-csv';
import type { Table } from '../data/table';
import { WriteError } from './atomic-write';
import { fileIdentity, sha256, type RunStore } from './run-store';

function schemaKey(pattern: string, options: CsvOptions, files: string[], hashes: string[]): string {
  return sha256(JSON.stringify([pattern, options, files, hashes]));
}

/** A sampled schema is a function of the bytes sampled and the file sizes: keyed by the files' identities. */
function sampleKey(pattern: string, options: CsvOptions, identities: string[]): string {
  return sha256(JSON.stringify(['sample', pattern, options, identities]));
}

export class StoredSchemaCache extends CsvSchemaCache {
  /** Lookups of this command (one command checks one file state; a stat per lookup is enough once). */
  private readonly found = new Map<string, CsvSchemaResult | undefined>();

  /** Before any file was read by this command: a file modified after it is not settled. */
  private readonly started = Date.now();

  constructor(private readonly store: RunStore) {
    super({ keepTables: true });
  }

  override schema(pattern: string, options: CsvOptions): CsvSchemaResult {
    return this.stored(pattern, options) ?? this.cached(pattern, options) ?? this.storedSample(pattern, options) ?? super.schema(pattern, options);
  }

  /**
   * No rows of a stored dataset are read. The one check that looks at rows, a feature that
   * copies the target (NML201), warned in the run that stored the schema.
   */
  override sample(pattern: string, options: CsvOptions): Table | undefined {
    return this.stored(pattern, options) ? undefined : super.sample(pattern, options);
  }

  /** Records the schemas this check read in full, for the next command on the same files. */
  async remember(checked: CheckedPipeline): Promise<void> {
    try {
      for (const info of checked.infos) {
        if (info?.kind !== 'dataset' || this.stored(info.path, info.options)) continue;
        const result = super.schema(info.path, info.options);
        if (!result.ok || !result.complete) continue;
        const hashes = await Promise.all(result.files.map((f) => this.store.fileHash(f)));
        // Changed while being hashed: the schema that was read is not the one of these bytes.
        const now = super.schema(info.path, info.options);
        if (now.ok && now.complete) this.store.putSchema(schemaKey(info.path, info.options, result.files, hashes), result);
      }
      for (const source of predictionSources(checked)) {
        const result = this.cached(source.path, source.options);
        if (!result?.ok) continue;
        const identities = result.files.map((f) => fileIdentity(f, this.started));
        if (!identities.every((i) => i?.settled)) continue;
        const key = sampleKey(source.path, source.options, identities.map((i) => i!.id));
        // A whole read replaces a sample recorded before (a run samples the sources of the
        // predicts it does not run): else every later predict of the file would read it whole
        // again to check it, and hand the run that read's table.
        const before = this.store.schema(key);
        this.store.putSchema(key, result, result.complete && before?.ok === true && !before.complete);
      }
    } catch (e) {
      // A store that cannot be written stops the run itself (RunStore.startRun) with the status
      // that says so; a file gone since the check is reported by the run that reads it.
      if (!(e instanceof WriteError) && (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  /** The sampled schema recorded for these files as they are now. */
  private storedSample(pattern: string, options: CsvOptions): CsvSchemaResult | undefined {
    try {
      const identities = resolveCsvFiles(pattern).map((f) => fileIdentity(f));
      if (!identities.every((i) => i !== undefined)) return undefined;
      return this.store.schema(sampleKey(pattern, options, identities.map((i) => i!.id)));
    } catch {
      return undefined;
    }
  }

  private stored(pattern: string, options: CsvOptions): CsvSchemaResult | undefined {
    const key = `${pattern}\u0000${JSON.stringify(options)}`;
    if (this.found.has(key)) return this.found.get(key);
    let result: CsvSchemaResult | undefined;
    try {
      const files = resolveCsvFiles(pattern);
      const hashes = files.map((f) => this.store.knownFileHash(f));
      if (hashes.every((h): h is string => h !== undefined)) result = this.store.schema(schemaKey(pattern, options, files, hashes));
    } catch {
      // No such file: the sampling cache reports it as the checker expects.
      result = undefined;
    }
    this.found.set(key, result);
    return result;
  }
}
