// Checks files the way the CLI and the runner need: dataset schemas read in full first, so
// results never depend on sampling.
import { readFileSync } from 'node:fs';
import { CsvSchemaCache } from '../data/csv-schema-cache';
import type { ReadCsvOptions } from '../data/read-csv';
import type { CsvOptions } from '../data/csv-options';
import { checkPipeline, type CheckOptions } from './check-pipeline';
import { hasErrors, type CheckedPipeline, type DatasetInfo } from './checked-model';
import { isParquet } from '../engine/duckdb-dialect';

/**
 * Checks `text` with fully read dataset schemas (each dataset file is read once). Once `signal`
 * is raised the reading stops and the result rests on sampled schemas: a cancelled caller must
 * not act on its diagnostics. Prediction sources are read in full too, except those for which
 * `needsSource` says the command will not predict: a sampled one decides nothing, since when the
 * check has errors every source is read and the file checked again.
 */
export async function checkWithFullSchemas(
  text: string, file: string, cache = new CsvSchemaCache(), options: CheckOptions = {}, signal?: ReadCsvOptions['signal'],
  needsSource: (checked: CheckedPipeline, predict: string) => boolean = () => true,
): Promise<CheckedPipeline> {
  let checked = checkPipeline(text, file, cache, options);
  let refined = false;
  for (const info of checked.infos) {
    if (signal?.aborted) return checked;
    if (info?.kind === 'dataset' && info.table) {
      if (!cache.engineTable(info.table.url, info.table.name)) { await cache.tables.load(info.table.url, info.table.name); refined = true; }
    } else if (info?.kind === 'dataset' && !info.schemaComplete) refined = (await cache.refine(info.path, info.options, signal)) || refined;
  }
  // Prediction sources are read as well, so drift warnings use the whole file.
  const skipped: { path: string; options: CsvOptions }[] = [];
  for (const source of predictionSources(checked)) {
    if (signal?.aborted) return checked;
    if (needsSource(checked, source.predict)) refined = (await cache.refine(source.path, source.options, signal)) || refined;
    else skipped.push(source);
  }
  // Parquet label files have no sample to judge their key and target columns by: read like a dataset.
  for (const labels of parquetActuals(checked)) {
    if (signal?.aborted) return checked;
    refined = (await cache.refine(labels.path, labels.options, signal)) || refined;
  }
  if (refined || checked.infos.some((i) => i?.kind === 'dataset' && !i.schemaComplete && !i.table)) checked = checkPipeline(text, file, cache, options);
  if (hasErrors(checked) && skipped.length > 0) {
    for (const source of skipped) {
      if (signal?.aborted) return checked;
      await cache.refine(source.path, source.options, signal);
    }
    checked = checkPipeline(text, file, cache, options);
  }
  return checked;
}

/** The file each predict reads, with the CSV options of its model's training dataset. */
export function predictionSources(checked: CheckedPipeline): { predict: string; path: string; options: CsvOptions }[] {
  const out: { predict: string; path: string; options: CsvOptions }[] = [];
  for (const info of checked.infos) {
    if (info?.kind !== 'predict' || info.source.kind !== 'file') continue;
    const origin = originOf(checked, info.model);
    if (origin) out.push({ predict: info.name, path: info.source.path, options: origin.options });
  }
  return out;
}

/** The `actuals:` label files written as Parquet, with the CSV options of the monitored model's training dataset (monitor-check.ts reads them so). */
export function parquetActuals(checked: CheckedPipeline): { path: string; options: CsvOptions }[] {
  const out: { path: string; options: CsvOptions }[] = [];
  for (const info of checked.infos) {
    if (info?.kind !== 'monitor' || !info.actuals || !isParquet(info.actuals.path)) continue;
    const origin = originOf(checked, info.model);
    if (origin) out.push({ path: info.actuals.path, options: origin.options });
  }
  return out;
}

/** The dataset a model was trained from. */
function originOf(checked: CheckedPipeline, modelName: string): DatasetInfo | undefined {
  const model = checked.infos.find((i) => i?.kind === 'model' && i.name === modelName);
  const origin = model?.kind === 'model' && model.origin ? checked.infos.find((i) => i?.kind === 'dataset' && i.name === model.origin) : undefined;
  return origin?.kind === 'dataset' ? origin : undefined;
}

export class UnreadableFileError extends Error {}

export function readPipelineFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UnreadableFileError(code === 'ENOENT' ? `${file}: no such file` : code === 'EISDIR' ? `${file} is a folder; name a .narml file` : `cannot read ${file}: ${(e as Error).message}`);
  }
}
