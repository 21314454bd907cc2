// `narml run`, `preview`, `predict`, `history`, `experiments`, `monitor-report` (spec §7).
// The checker, runner, store and scheduler are imported by the command that uses them
// (commands-impl.ts), not here: `run` works in a worker thread, and a main thread that compiled
// and loaded them too would add that to every run.
import { resolve } from 'node:path';
import { PREVIEW_PAGE_MAX, type PreviewJson, type PreviewPageJson, type PreviewPageRequest, type ProgressEvent } from '../contracts/cli-json';
import type { Table } from '../data/table';
import { parseArgs, UsageError, type CliCommand, type ParsedArgs } from './command';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineOption } from './engine-flag';
import { runInWorker, type RunRequest } from './run-in-worker';
import { WORKSPACE_OPTIONS, WORKSPACE_USAGE, workspaceOption } from './workspace-flags';

const SWITCHES = ['json', 'once-now', 'serve'];

/** The arguments of a command that checks a pipeline: its own options plus where its outputs may go. */
export function parseCheckingArgs(args: string[], valued: string[]): ParsedArgs {
  return parseArgs(args, [...valued, ...WORKSPACE_OPTIONS.valued], [...SWITCHES, ...WORKSPACE_OPTIONS.switches]);
}

function progressPrinter(json: boolean): (e: ProgressEvent) => void {
  let last = '';
  return (e) => {
    if (json) { process.stderr.write(`${JSON.stringify(e)}\n`); return; }
    if (e.type === 'log') process.stderr.write(`${e.level}: ${e.message}\n`);
    if (e.type !== 'stage') return;
    const line = `${e.stage} ${e.declaration}`;
    if (e.fraction >= 1 || line !== last) process.stderr.write(`  ${line} ${Math.round(e.fraction * 100)}%\n`);
    last = e.fraction >= 1 ? '' : line;
  };
}

async function run(args: string[]): Promise<number> {
  const { positional, flags } = parseCheckingArgs(args, ['progress', ...ENGINE_OPTIONS]);
  const [file, ...names] = positional;
  if (!file) throw new UsageError('name a .narml file');
  const editor = flags.get('progress') === 'json';
  return runInWorker({ command: 'run', file, names, json: flags.has('json'), workspace: workspaceOption(file, flags), editor, ...engineOption(flags) }, progressPrinter(editor));
}

async function preview(args: string[]): Promise<number> {
  const { positional, flags } = parseCheckingArgs(args, ['rows', ...ENGINE_OPTIONS]);
  const [file, name] = positional;
  if (!file || !name) throw new UsageError('name a .narml file and a table declared in it');
  const rows = flags.has('rows') ? Number(flags.get('rows')) : 20;
  if (!Number.isInteger(rows) || rows < 0) throw new UsageError('--rows must be a whole number');
  const engines = engineOption(flags);
  const { engine } = engines;
  const { fmt, loadChecked, engineFor, PipelineData, previewTable } = await import('./commands-impl');
  const checked = await loadChecked(file, { workspace: workspaceOption(file, flags), ...engines });
  if (typeof checked === 'number') return checked;
  const root = name.split('.')[0];
  const sym = checked.symbols.get(root);
  if (!sym || !['dataset', 'transform', 'split'].includes(sym.kind)) throw new UsageError(`"${name}" is not a table of ${file} (datasets, transforms and split parts such as parts.train)`);
  const data = new PipelineData(checked, engineFor(checked, {}, engine));
  const table = await data.table(name).finally(() => data.engine.close());
  const p = previewTable(name, table, rows);
  if (flags.has('serve')) return servePages(p, table);
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify(p)}\n`); return 0; }
  const lines = [`${name}: ${p.rowCount} rows, ${p.columns.length} columns`];
  for (const c of p.columns) {
    const stats = c.min !== undefined ? `min ${fmt(c.min)} max ${fmt(c.max!)} mean ${fmt(c.mean!)}` : (c.top ?? []).slice(0, 3).map((t) => `${t.value} (${t.count})`).join(', ');
    lines.push(`  ${c.name}: ${c.type}${c.nullable ? '?' : ''}, ${c.missing} missing; ${stats}`);
  }
  lines.push('', p.columns.map((c) => c.name).join('\t'));
  for (const r of p.rows) lines.push(r.map((v) => (v === null ? '' : String(v))).join('\t'));
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * `preview --serve`: the preview, then one page of rows per request line on stdin (see
 * PreviewPageRequest), the table read once; the order of the last sort is kept for its pages.
 */
async function servePages(p: PreviewJson, table: Table): Promise<number> {
  const { previewPage, sortedOrder } = await import('../runner/preview');
  // Here, not at the top: every other command's start would load readline for nothing.
  const { createInterface } = await import('node:readline');
  process.stdout.write(`${JSON.stringify(p)}\n`);
  let sorted: { key: string; order: Int32Array } | undefined;
  const answer = (line: string): PreviewPageJson => {
    let req: PreviewPageRequest;
    try { req = JSON.parse(line) as PreviewPageRequest; } catch { return { start: 0, rows: [], index: [], error: `not a JSON request: ${line.slice(0, 80)}` }; }
    const { id, start, count, sort } = req;
    if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 0) return { id, start: 0, rows: [], index: [], error: 'start and count must be whole numbers from 0' };
    if (sort && !(Number.isInteger(sort.column) && sort.column >= 0 && sort.column < table.columns.length)) return { id, start, rows: [], index: [], error: `no column ${String(sort.column)} to sort by (the table has ${table.columns.length})` };
    let order: Int32Array | undefined;
    if (sort) {
      const key = `${sort.column}:${sort.descending}`;
      if (sorted?.key !== key) sorted = { key, order: sortedOrder(table, sort.column, sort.descending === true) };
      order = sorted.order;
    }
    return { id, ...previewPage(table, start, Math.min(count, PREVIEW_PAGE_MAX), order) };
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) process.stdout.write(`${JSON.stringify(answer(line))}\n`);
  return 0;
}

async function predictNow(args: string[]): Promise<number> {
  const { positional, flags } = parseCheckingArgs(args, ENGINE_OPTIONS);
  const [file, name] = positional;
  if (!file || !name) throw new UsageError('name a .narml file and a predict declared in it');
  const request: RunRequest = { command: 'predict', file, names: [name], json: flags.has('json'), workspace: workspaceOption(file, flags), ...engineOption(flags) };
  const onEvent = progressPrinter(false);
  // A quick predict (stored models, a small input) runs on this thread; see run-here.ts.
  const { runHere } = await import('./commands-impl');
  const outcome = await runHere(request, onEvent);
  if (outcome.type === 'usage') throw new UsageError(outcome.message);
  return outcome.type === 'exit' ? outcome.code : runInWorker(request, onEvent);
}

async function history(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, [], SWITCHES);
  const file = positional[0] ? resolve(positional[0]) : undefined;
  const { fmt, expandRun, readStoreData } = await import('./commands-impl');
  const data = readStoreData(file ?? resolve('pipeline.narml'));
  const runs = (data?.runs ?? []).filter((r) => !file || r.file === file);
  // The JSON has each run as it printed it, curves and confusion matrices loaded back from their artifact.
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify({ runs: runs.map((r) => expandRun(r.file, r)), attempts: (data?.attempts ?? []).filter((a) => !file || a.file === file) })}\n`); return 0; }
  if (runs.length === 0) { process.stdout.write('no runs yet; run a pipeline with `narml run FILE`\n'); return 0; }
  for (const r of runs) {
    const metrics = Object.entries(r.evaluations).map(([n, e]) => `${n} ${Object.entries(e.metrics).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`).join('; ');
    const scheduled = r.schedule ? `  (scheduled ${r.schedule.predict ?? r.schedule.job}, attempt ${r.schedule.attempt})`
      : r.retrainOf ? `  (retrained with actuals by monitor ${r.retrainOf.monitor} of run ${r.retrainOf.run})` : '';
    const details = [metrics, r.status !== 'succeeded' && r.error ? `error: ${r.error}` : ''].filter(Boolean);
    process.stdout.write(`${r.run}  ${r.status.padEnd(11)} ${r.started}  ${r.file}${scheduled}${details.map((d) => `\n    ${d}`).join('')}\n`);
  }
  return 0;
}

async function experiments(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, [], SWITCHES);
  if (!positional[0]) throw new UsageError('name a .narml file');
  const { fmt, readExperiments } = await import('./commands-impl');
  const table = readExperiments(resolve(positional[0]));
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify(table)}\n`); return 0; }
  if (table.rows.length === 0) { process.stdout.write(`no runs of ${table.file} yet; run it with \`narml run FILE\`\n`); return 0; }
  for (const r of table.rows) {
    const params = Object.entries(r.params).map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`).join(' ');
    const metrics = Object.values(r.evaluations).map((e) => `${e.on ?? ''}: ${Object.entries(e.metrics).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}`).join('; ');
    const model = r.model ? `${r.model} ${r.version}${r.reused ? ' (reused)' : ''}  ${r.algorithm}${params ? `(${params})` : ''}` : r.error ?? '';
    const chosen = r.selection ? `\n    ${r.selection}` : '';
    process.stdout.write(`${r.run}  ${r.status.padEnd(11)} ${model}${metrics ? `\n    ${metrics}` : ''}${chosen}\n`);
  }
  return 0;
}

async function monitorReport(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, [], SWITCHES);
  if (!positional[0] || !positional[1]) throw new UsageError('name a .narml file and one of its monitors: narml monitor-report FILE NAME');
  const { fmt, readMonitorTrends, driftCompared, readPipelineFile, UnreadableFileError, parse, unseenClassesText } = await import('./commands-impl');
  const t = readMonitorTrends(resolve(positional[0]), positional[1]);
  if (t.runs.length === 0) {
    // Stored reports outlive their declaration; with none, a wrong file or name is the likely cause.
    let text: string;
    try {
      text = readPipelineFile(positional[0]);
    } catch (e) {
      if (!(e instanceof UnreadableFileError)) throw e;
      process.stderr.write(`narml: ${e.message}\n`);
      return 2;
    }
    const monitors = parse(text).declarations.flatMap((d) => (d.kind === 'monitor' && d.name ? [d.name.name] : []));
    if (!monitors.includes(positional[1])) {
      process.stderr.write(`narml: "${positional[1]}" is not a monitor of ${positional[0]}; ${monitors.length > 0 ? `its monitors: ${monitors.join(', ')}` : 'it declares no monitor'}\n`);
      return 2;
    }
  }
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify(t)}\n`); return 0; }
  if (t.runs.length === 0) { process.stdout.write(`no run of ${t.file} has computed monitor ${t.monitor} yet; run it with \`narml run FILE\`\n`); return 0; }
  for (const r of t.runs) {
    const drift = !driftCompared(r.methods) ? 'nothing compared: that run had no current data'
      : Object.entries(r.methods).map(([m, x]) => `${m} > ${fmt(x.threshold)}: [${x.drifted.join(', ')}]${x.prediction ? ` prediction ${fmt(x.prediction.score)}` : ''}`).join('; ');
    process.stdout.write(`${r.run}  ${r.started}  alert ${r.alert.raised ? 'RAISED' : r.alert.judged ? 'not raised' : 'not judged'}\n    drift ${drift}\n`);
  }
  if (t.windows.length > 0) {
    process.stdout.write('windows (newest report):\n');
    for (const w of t.windows) process.stdout.write(`  ${w.start}  ${w.rows}/${w.predictions} labelled  ${Object.entries(w.metrics).map(([k, v]) => `${k}=${fmt(v)}`).join(' ')}\n`);
  }
  if (t.alert) process.stdout.write(`${t.alert.reason}\n`);
  const newest = t.runs[t.runs.length - 1];
  const unseen = newest?.actuals?.unseenClasses;
  if (unseen) process.stdout.write(`warning: ${unseenClassesText(unseen.model, unseen.classes)}\n`);
  return 0;
}

export const runnerCommands: Record<string, CliCommand> = {
  run: { usage: `run FILE [NAME...] [--json] [--progress json] ${ENGINE_USAGE} ${WORKSPACE_USAGE}`, summary: 'run declarations and what they need', run },
  preview: { usage: `preview FILE NAME [--rows N] [--json] [--serve] ${ENGINE_USAGE} ${WORKSPACE_USAGE}`, summary: 'first rows and column statistics of a table (--serve: then pages of rows, sorted on request, for each JSON line on stdin)', run: preview },
  predict: { usage: `predict FILE NAME [--json] ${ENGINE_USAGE} ${WORKSPACE_USAGE}`, summary: 'run one predict declaration now', run: predictNow },
  history: { usage: 'history [FILE] [--json]', summary: 'past runs', run: history },
  experiments: { usage: 'experiments FILE [--json]', summary: 'one row per run and model: options, metrics, data hashes, tune/auto trials', run: experiments },
  'monitor-report': { usage: 'monitor-report FILE NAME [--json]', summary: 'a monitor over the stored runs: drift per method and column, alert, metrics per window', run: monitorReport },
};
