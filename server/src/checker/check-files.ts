// Checks files the way the CLI and the runner need: dataset schemas read in full first, so
// results never depend on sampling.
import { readFileSync } from 'node:fs';
import { CsvSchemaCache } from '../data/csv-schema-cache';
import type { ReadCsvOptions } from '../data/read-csv';
import { checkPipeline, type CheckOptions } from './check-pipeline';
import type { CheckedPipeline } from './checked-model';

/**
 * Checks `text` with fully read dataset schemas (each dataset file is read once). Once `signal`
 * is raised the reading stops and the result rests on sampled schemas: a cancelled caller must
 * not act on its diagnostics.
 */
export async function checkWithFullSchemas(text: string, file: string, cache = new CsvSchemaCache(), options: CheckOptions = {}, signal?: ReadCsvOptions['signal']): Promise<CheckedPipeline> {
  let checked = checkPipeline(text, file, cache, options);
  let refined = false;
  for (const info of checked.infos) {
    if (signal?.aborted) return checked;
    if (info?.kind === 'dataset' && !info.schemaComplete) refined = (await cache.refine(info.path, info.options, signal)) || refined;
  }
  // Prediction sources are read as well, so drift warnings use the whole file.
  for (const info of checked.infos) {
    if (signal?.aborted) return checked;
    if (info?.kind === 'predict' && info.source.kind === 'file') {
      const model = checked.infos.find((i) => i?.kind === 'model' && i.name === info.model);
      const origin = model?.kind === 'model' && model.origin ? checked.infos.find((i) => i?.kind === 'dataset' && i.name === model.origin) : undefined;
      if (origin?.kind === 'dataset') refined = (await cache.refine(info.source.path, origin.options, signal)) || refined;
    }
  }
  if (refined || checked.infos.some((i) => i?.kind === 'dataset' && !i.schemaComplete)) checked = checkPipeline(text, file, cache, options);
  return checked;
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
