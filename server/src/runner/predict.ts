// `predict`: scores a file, a glob or a table with a trained model and writes every input
// column, then `prediction`, then `probability_<class>` columns, atomically. Row steps are
// skipped so every input row gets an output row; rows the model cannot take (missing features)
// get an empty prediction and are counted.
import type { PredictInfo } from '../checker/checked-model';
import type { PredictionJson } from '../contracts/cli-json';
import { readCsv } from '../data/read-csv';
import type { Table } from '../data/table';
import { writeFileAtomic } from '../store/atomic-write';
import { cellText, selectRows } from '../transforms/table-ops';
import type { PipelineData } from './pipeline-data';
import { predictPrepared, type TrainedModel } from './scoring';

export function outputPath(template: string, now: Date): string {
  return template.replace(/\{date\}/g, now.toISOString().slice(0, 10));
}

function csvCell(s: string | undefined): string {
  if (s === undefined) return '';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function predictionCsv(input: Table, tm: TrainedModel, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array): string {
  const classes = tm.info.classes;
  const header = [...input.names, 'prediction', ...(classes && proba ? classes.map((c) => `probability_${c}`) : [])];
  const lines = [header.map(csvCell).join(',')];
  const k = classes?.length ?? 0;
  for (let i = 0; i < input.rowCount; i++) {
    const cells = input.columns.map((c) => csvCell(cellText(c, i)));
    if (!usable[i]) cells.push('', ...(proba ? new Array<string>(k).fill('') : []));
    else {
      cells.push(csvCell(classes ? classes[pred[i]] : String(pred[i])));
      if (proba) for (let c = 0; c < k; c++) cells.push(String(proba[i * k + c]));
    }
    lines.push(cells.join(','));
  }
  return `${lines.join('\n')}\n`;
}

export async function predictToFile(decl: PredictInfo, tm: TrainedModel, data: PipelineData, now: Date, signal?: AbortSignal): Promise<PredictionJson> {
  if (!decl.output) throw new Error(`predict ${decl.name} has no output path`);
  let input: Table;
  if (decl.source.kind === 'file') {
    const dataset = data.chain(tm.info.input).dataset;
    input = await readCsv(decl.source.path, dataset.options, { signal });
  } else {
    const chain = data.chain(decl.source.name);
    input = selectRows(await data.rawTable(chain.dataset), await data.rawRows(chain));
  }
  const out = predictPrepared(tm, input, 'predict');
  const output = outputPath(decl.output, now);
  writeFileAtomic(output, predictionCsv(input, tm, out.pred, out.proba, out.usable));
  let empty = 0;
  for (let i = 0; i < out.usable.length; i++) if (!out.usable[i]) empty++;
  return { output, rows: input.rowCount, emptyPredictions: empty };
}
