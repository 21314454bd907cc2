// Checking a pipeline before a command uses it, and running it and printing the outcome for
// `narml run` and `narml predict`. All output goes through a `CliOutput`, so the same code
// prints directly on the main thread and through messages from the run's worker thread.
import type { EngineName } from '../engine/engine';
import { resolve } from 'node:path';
import { checkWithFullSchemas, readPipelineFile, UnreadableFileError } from '../checker/check-files';
import { hasErrors, type CheckedPipeline } from '../checker/checked-model';
import type { DefaultEngineName, RunJson, TrialJson } from '../contracts/cli-json';
import { leaderboard, paramText, variedOptions } from '../store/leaderboard';
import type { CsvSchemaCache } from '../data/csv-schema-cache';
import type { CancelSignal } from '../ml/cancellation';
import { failedRun, planErrors, runPipeline, type RunOptions } from '../runner/run-pipeline';
import { WriteError } from '../store/atomic-write';
import { StoreRegistrySource } from '../store/registry';
import { driftCompared } from '../store/monitor-reports';
import { storeDir } from '../store/run-store';
import type { Workspace } from '../workspace/output-paths';
import { formatDiagnosticText } from './check-command';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: CliOutput = {
  out: (text) => { process.stdout.write(text); },
  err: (text) => { process.stderr.write(text); },
};

export function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/**
 * Reads and checks a pipeline and prints its diagnostics; returns the exit status instead when
 * the file is unreadable (2) or, unless `allowErrors`, has errors (1): with `names`, only errors in
 * what those declarations need count (a model can be trained, then promoted, while a predict of
 * its @production still waits for that promotion). With `json`, a refusal
 * also prints a failed run result on stdout, so a tool reading it never gets an empty answer.
 * Once `signal` is raised, reading stops and the unfinished check is returned as it is, without
 * diagnostics: the caller's run then ends at once as cancelled.
 */
export async function loadChecked(
  file: string,
  { json = false, allowErrors = false, names = [], workspace, signal, schemas, needsSource, engine, defaultEngine }: {
    json?: boolean; allowErrors?: boolean; names?: string[]; workspace?: Workspace; signal?: CancelSignal;
    /** The engine the command runs on: what it cannot run is an error of the check (NML154). */
    engine?: EngineName;
    /** The engine of a pipeline without an `engine:` statement. */
    defaultEngine?: DefaultEngineName;
    /** Where schemas come from (default: every dataset read in full by a new cache). */
    schemas?: CsvSchemaCache;
    /** Which prediction sources the command reads (see checkWithFullSchemas). */
    needsSource?: (checked: CheckedPipeline, predict: string) => boolean;
  } = {},
  io: CliOutput = processOutput,
): Promise<CheckedPipeline | number> {
  const started = new Date();
  let text: string;
  try {
    text = readPipelineFile(file);
  } catch (e) {
    if (!(e instanceof UnreadableFileError)) throw e;
    io.err(`narml: ${e.message}\n`);
    if (json) io.out(`${JSON.stringify(failedRun(resolve(file), started, e.message))}\n`);
    return 2;
  }
  const checked = await checkWithFullSchemas(text, resolve(file), schemas, { ...(workspace ? { workspace } : {}), ...(engine ? { engine } : {}), ...(defaultEngine ? { defaultEngine } : {}), registry: new StoreRegistrySource() }, signal, needsSource);
  if (signal?.aborted) return checked;
  for (const d of checked.diagnostics) io.err(`${formatDiagnosticText(file, d)}\n`);
  if (!hasErrors(checked) || allowErrors) return checked;
  // An undeclared name is refused by the caller; until then every error counts.
  const named = names.length > 0 && names.every((n) => checked.symbols.has(n));
  const blocking = named ? planErrors(checked, names) : checked.diagnostics.filter((d) => d.severity === 'error');
  if (blocking.length === 0) {
    io.err(`narml: running ${names.join(', ')}: the errors above are in declarations ${names.length === 1 ? 'it does' : 'they do'} not need\n`);
    return checked;
  }
  const error = named ? `${file} has errors in what ${names.join(', ')} ${names.length === 1 ? 'needs' : 'need'}; fix them before running` : `${file} has errors; fix them before running`;
  io.err(`narml: ${error} (see above)\n`);
  if (json) io.out(`${JSON.stringify(failedRun(checked.file, started, error, blocking))}\n`);
  return 1;
}

const LEADERBOARD_ROWS = 10;

/**
 * The best trials of each search (auto, then tune) as ranked for the editor's leaderboard;
 * `*` marks the chosen one.
 */
function leaderboardLines(trials: TrialJson[]): string[] {
  const out: string[] = [];
  for (const search of ['auto', 'tune'] as const) {
    const these = trials.filter((t) => t.search === search);
    if (these.length === 0) continue;
    const varied = variedOptions(these);
    const shown = leaderboard(these).entries.slice(0, LEADERBOARD_ROWS);
    out.push(`    ${search} leaderboard (${these[0].metric}, ${these[0].better} is better; ${shown.length} of ${these.length} trials):`);
    for (const { rank, trial: t } of shown) {
      const what = search === 'auto' ? t.algorithm : varied.map((k) => `${k}: ${paramText(t.options[k])}`).join(', ') || 'the only combination';
      out.push(`    ${t.chosen ? '*' : ' '} ${String(rank).padStart(2)}. ${t.score === null ? 'unscored' : fmt(t.score)}  ${what}  (${t.rows !== undefined ? `round ${t.round! + 1} on ${t.rows} rows; ` : ''}folds ${t.folds.map((f) => (f === null ? '-' : fmt(f))).join(' ')}; ${t.ms} ms)`);
    }
  }
  return out;
}

function printRunSummary(r: RunJson, io: CliOutput): void {
  const out: string[] = [`run ${r.run}: ${r.status}`];
  if (r.error) out.push(`  error: ${r.error}`);
  for (const [name, p] of Object.entries(r.predictions)) {
    if (p.registry && !p.waiting) out.push(`  ${name}: predicted with ${p.registry.model} ${p.registry.version} (@${p.registry.ref}, trained by run ${p.registry.run})`);
    if (p.waiting) out.push(`  ${name}: ${p.waiting}`);
  }
  for (const [name, m] of Object.entries(r.models)) {
    const calibrated = typeof m.options.calibrate === 'string' ? ` calibrated by ${m.options.calibrate}` : '';
    // A regression's default final model (RidgeCV) names the alpha its leave-one-out search chose.
    const alpha = typeof m.options.final_alpha === 'number' ? ` (alpha ${m.options.final_alpha} by leave-one-out error)` : '';
    const of = Array.isArray(m.options.of) && m.algorithm !== 'voting' ? ` of ${m.options.of.join(', ')} under ${String(m.options.final)}${alpha}` : '';
    out.push(`  model ${name}: ${m.algorithm}${calibrated}${of}, ${m.trainRows} training rows${r.reused.includes(name) ? ' (reused)' : ''}`);
    if (m.trials) out.push(...leaderboardLines(m.trials));
    if (m.selection) out.push(`    ${m.selection}`);
    const stop = m.earlyStopping;
    if (stop) out.push(`    early stopping: ${stop.rounds} of ${stop.maxRounds} rounds, the loss scored on ${stop.on === 'validation' ? 'the validation part' : 'a holdout of the training rows'} (${stop.rows} rows)`);
  }
  for (const [name, e] of Object.entries(r.evaluations)) {
    out.push(`  ${name}: ${Object.entries(e.metrics).map(([k, v]) => `${k} ${fmt(v)}`).join(', ')}${e.threshold !== undefined ? ` (threshold ${fmt(e.threshold)})` : ''}`);
  }
  for (const [name, c] of Object.entries(r.comparisons)) {
    const verdict = c.winner ? `winner ${c.winner} (p < ${c.alpha})`
      : c.leader ? `no significant difference at alpha ${c.alpha}; ${c.leader} leads` : 'tie';
    out.push(`  ${name}: ${c.models.map((m) => `${m} ${fmt(c.scores[m])}`).join(' vs ')} on ${c.metric}; ${c.test} p = ${fmt(c.p_value)} (about ${c.p_value_about}); ${verdict}`);
  }
  for (const [name, m] of Object.entries(r.monitors)) {
    const drift = driftCompared(m.methods) ? `drifted [${m.drifted.join(', ')}]${m.prediction ? `, prediction ${m.prediction.drifted ? 'drifted' : 'stable'} (${m.prediction.score.toPrecision(3)})` : ''}` : 'no current data to compare';
    out.push(`  ${name}: ${drift}, alert ${m.alert.raised ? 'raised' : m.alert.judged ? 'not raised' : 'not judged'} (${m.alert.reason})`);
    if (m.retrain) out.push(`    retrain ${m.retrain.model}: ${m.retrain.decision}: ${m.retrain.reason}`);
    for (const n of m.notified ?? []) out.push(`    notify ${n.event ? `${n.event} ` : ''}to ${n.target}: ${n.ok ? 'delivered' : `not delivered: ${n.error}`}`);
  }
  for (const o of r.outputs) out.push(`  wrote ${o}`);
  io.out(`${out.join('\n')}\n`);
}

/**
 * Runs and prints the result; returns the exit status (130 when cancelled through
 * `run.signal`). A store or output folder that refuses writes altogether (read-only, no
 * permission) is bad input, exit 2; other failures are a failed run, exit 1.
 */
export async function runAndReport(checked: CheckedPipeline, json: boolean, run: RunOptions, io: CliOutput): Promise<number> {
  let result: RunJson;
  try {
    result = await runPipeline(checked, run);
  } catch (e) {
    if (!(e instanceof WriteError)) throw e;
    const error = `the run cannot be recorded in ${storeDir(checked.file)}: ${e.message}`;
    io.err(`narml: ${error}\n`);
    if (json) io.out(`${JSON.stringify(failedRun(checked.file, new Date(), error))}\n`);
    return e.readOnly ? 2 : 1;
  }
  if (json) io.out(`${JSON.stringify(result)}\n`);
  else printRunSummary(result, io);
  if (result.status === 'cancelled') return 130;
  return result.status === 'succeeded' ? 0 : 1;
}
