// `predict`: scores a file, a glob or a table with a trained model and writes every input
// column, then `prediction`, then `probability_<class>` columns, atomically. Row steps are
// skipped so every input row gets an output row; rows the model cannot take (missing features)
// get an empty prediction and are counted.
import type { PredictInfo } from '../checker/checked-model';
import type { PredictionJson } from '../contracts/cli-json';
import { expandGlob, isGlob } from '../data/glob';
import type { CancelSignal } from '../ml/cancellation';
import { CsvByteWriter, csvField } from '../data/csv-writer';
import type { Column, Table } from '../data/table';
import { writeFileAtomic } from '../store/atomic-write';
import { expandOutputTemplate, type Workspace } from '../workspace/output-paths';
import { cellText, selectRows } from '../transforms/table-ops';
import type { PipelineData } from './pipeline-data';
import { predictPrepared, type TrainedModel } from './scoring';

/** A glob that matches no file yet: an inbox waiting for files (NML204), not an error. */
export function isEmptyInbox(pattern: string): boolean {
  return isGlob(pattern) && expandGlob(pattern).length === 0;
}

/** Writes one input column's cell; dictionary levels are quoted once, so the hot loop only indexes. */
function cellWriter(c: Column, out: CsvByteWriter): (row: number) => void {
  if ('codes' in c) {
    const levels = c.levels.map(csvField);
    return (i) => { if (c.codes[i] >= 0) out.text(levels[c.codes[i]]); };
  }
  if (c.type === 'number') return (i) => out.number(c.values[i]);
  return (i) => { const t = cellText(c, i); if (t !== undefined) out.text(t); };
}

/** The output file: every input column, then `prediction`, then one `probability_<class>` per class. */
export function predictionCsv(input: Table, tm: TrainedModel, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array): Uint8Array {
  const classes = tm.info.classes;
  const header = [...input.names, 'prediction', ...(classes && proba ? classes.map((c) => `probability_${c}`) : [])];
  const out = new CsvByteWriter();
  out.text(`${header.map(csvField).join(',')}\n`);
  const k = classes?.length ?? 0;
  const cells = input.columns.map((c) => cellWriter(c, out));
  const labels = classes?.map(csvField);
  const emptyProbabilities = ','.repeat(proba ? k : 0);
  for (let i = 0; i < input.rowCount; i++) {
    for (let j = 0; j < cells.length; j++) {
      if (j > 0) out.comma();
      cells[j](i);
    }
    if (cells.length > 0) out.comma();
    if (!usable[i]) out.text(emptyProbabilities);
    else {
      if (labels) out.text(labels[pred[i]]);
      else out.number(pred[i]);
      if (proba) for (let c = 0; c < k; c++) { out.comma(); out.number(proba[i * k + c]); }
    }
    out.newline();
  }
  return out.finish();
}

export async function predictToFile(decl: PredictInfo, tm: TrainedModel, data: PipelineData, now: Date, workspace: Workspace, signal?: CancelSignal): Promise<PredictionJson> {
  if (!decl.output) throw new Error(`predict ${decl.name} has no output path`);
  let input: Table;
  const output = expandOutputTemplate(decl.output, now);
  if (decl.source.kind === 'file' && isEmptyInbox(decl.source.path)) {
    return { output, rows: 0, emptyPredictions: 0, waiting: `no file matches ${decl.source.path} yet; nothing was written (the scheduler waits for files)` };
  }
  if (decl.source.kind === 'file') {
    const dataset = data.chain(tm.info.input).dataset;
    input = await data.fileTable(decl.source.path, dataset.options);
  } else {
    const chain = data.chain(decl.source.name);
    input = selectRows(await data.rawTable(chain.dataset), await data.rawRows(chain));
  }
  const out = predictPrepared(tm, input, 'predict', signal);
  writeFileAtomic(output, predictionCsv(input, tm, out.pred, out.proba, out.usable), workspace);
  let empty = 0;
  for (let i = 0; i < out.usable.length; i++) if (!out.usable[i]) empty++;
  return { output, rows: input.rowCount, emptyPredictions: empty };
}
