// `predict`: scores a file, a glob or a table with a trained model and writes every input
// column, then `prediction`, then `probability_<class>` columns, atomically. Row steps are
// skipped so every input row gets an output row; rows the model cannot take (missing features)
// get an empty prediction and are counted.
import type { PredictInfo } from '../checker/checked-model';
import type { PredictionJson } from '../contracts/cli-json';
import { expandGlob, isGlob } from '../data/glob';
import type { CancelSignal } from '../ml/cancellation';
import { readCsv } from '../data/read-csv';
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

function csvCell(s: string | undefined): string {
  if (s === undefined) return '';
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One formatter per column, with dictionary levels escaped once (the hot loop only indexes). */
function cellFormatter(c: Column): (row: number) => string {
  if ('codes' in c) {
    const levels = c.levels.map(csvCell);
    return (i) => (c.codes[i] < 0 ? '' : levels[c.codes[i]]);
  }
  if (c.type === 'number') return (i) => (Number.isNaN(c.values[i]) ? '' : String(c.values[i]));
  return (i) => csvCell(cellText(c, i));
}

export function predictionCsv(input: Table, tm: TrainedModel, pred: Float64Array, proba: Float64Array | undefined, usable: Uint8Array): string {
  const classes = tm.info.classes;
  const header = [...input.names, 'prediction', ...(classes && proba ? classes.map((c) => `probability_${c}`) : [])];
  const lines = [header.map(csvCell).join(',')];
  const k = classes?.length ?? 0;
  const formats = input.columns.map(cellFormatter);
  const labels = classes?.map(csvCell);
  const empty = `,${new Array<string>(proba ? k + 1 : 1).fill('').join(',')}`;
  for (let i = 0; i < input.rowCount; i++) {
    let line = formats.length > 0 ? formats[0](i) : '';
    for (let j = 1; j < formats.length; j++) line += `,${formats[j](i)}`;
    if (!usable[i]) line += empty;
    else {
      line += `,${labels ? labels[pred[i]] : String(pred[i])}`;
      if (proba) for (let c = 0; c < k; c++) line += `,${proba[i * k + c]}`;
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
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
    input = await readCsv(decl.source.path, dataset.options, { signal });
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
