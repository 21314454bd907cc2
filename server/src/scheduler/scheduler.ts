// `narml scheduler`: runs every job of the files on its cron expression (node-cron): each
// `predict` with a `schedule:`, each `monitor` with a `schedule:`, and each monitor's
// `retrain: schedule "cron"`. A failed run is retried up to the predict's `retries:` times with
// exponential back-off (1 s, 2 s, 4 s, ...); a firing that still failed is sent to the job's
// `notify:` targets. Every attempt is recorded in the run store (and every attempt that ran or
// failed as a run, so `narml history` shows it); a failing run never stops the scheduler, and an
// error in one declaration stops only the jobs that need it. An empty inbox waits for files. A
// job paused with `narml scheduler pause` (state.ts) is skipped at its firings until resumed.
import { dirname } from 'node:path';
import { infoOf, type CheckedPipeline, type NotifyTarget } from '../checker/checked-model';
import { checkWithFullSchemas, readPipelineFile } from '../checker/check-files';
import type { Diagnostic } from '../checker/diagnostic';
import type { DefaultEngineName, NotifyEventJson, NotifyOutcomeJson, RunJson, ScheduleStatusJson } from '../contracts/cli-json';
import { isEmptyInbox } from '../runner/predict';
import { driftCompared } from '../store/monitor-reports';
import { failedRun, planErrors, runPipeline } from '../runner/run-pipeline';
import { appendAudit } from '../store/audit-log';
import { StoreRegistrySource } from '../store/registry';
import { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/output-paths';
import { sendNotifications, type NotifyOptions } from './notify';
import { pausedJobs } from './state';

export interface ScheduledJob {
  /** `predict:NAME`, `monitor:NAME` or `retrain:NAME` (NAME of the monitor). */
  id: string;
  kind: ScheduleStatusJson['kind'];
  file: string;
  /** The predict or monitor declaration the job runs. */
  name: string;
  schedule: string;
  retries: number;
  notify: NotifyTarget[];
  /** The workspace the pipeline was checked with; every firing re-checks and writes within it. */
  workspace: Workspace;
  /** `--default-engine` the pipeline was checked with; every firing re-checks with it. */
  defaultEngine?: DefaultEngineName;
}

export function scheduledJobs(files: CheckedPipeline[]): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const checked of files) {
    const job = (kind: ScheduledJob['kind'], name: string, schedule: string, retries: number, notify: NotifyTarget[]): void => {
      jobs.push({ id: `${kind}:${name}`, kind, file: checked.file, name, schedule, retries, notify, workspace: checked.workspace, ...(checked.defaultEngine ? { defaultEngine: checked.defaultEngine } : {}) });
    };
    for (const info of checked.infos) {
      if (info?.kind === 'predict' && info.schedule) job('predict', info.name, info.schedule, info.retries, info.notify);
      if (info?.kind === 'monitor' && info.schedule) job('monitor', info.name, info.schedule, 0, info.notify);
      if (info?.kind === 'monitor' && info.retrainSchedule) job('retrain', info.name, info.retrainSchedule, 0, info.notify);
    }
  }
  return jobs;
}

/** Where the scheduler's lines go: text for people, and the events `notify: vscode` hands the editor. */
export interface SchedulerOutput {
  log: (line: string) => void;
  toEditor?: (event: NotifyEventJson) => void;
  /** Webhook timing, shortened by tests. */
  notify?: Pick<NotifyOptions, 'baseDelayMs' | 'attempts' | 'timeoutMs'>;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((res) => {
  const t = setTimeout(res, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
});

/** Each firing re-checks its file: `@production` must see the promotions made since. */
const registrySource = new StoreRegistrySource();

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** How the log names a job: a predict by its name (as before monitors had schedules), the others by their id. */
const labelOf = (job: ScheduledJob): string => (job.kind === 'predict' ? job.name : job.id);

const scheduleOf = (job: ScheduledJob, attempt: number): NonNullable<RunJson['schedule']> => ({ job: job.id, [job.kind === 'predict' ? 'predict' : 'monitor']: job.name, attempt });

/** A failed attempt that never reached the runner still gets a run record, so `narml history` shows it. */
function recordFailedRun(job: ScheduledJob, started: Date, attempt: number, error: string, diagnostics: Diagnostic[] = []): RunJson {
  const run: RunJson = { ...failedRun(job.file, started, error, diagnostics), schedule: scheduleOf(job, attempt) };
  try {
    const store = RunStore.open(job.file, job.workspace);
    store.finishRun(run);
    appendAudit(store.dir, { action: 'run', outcome: run.status, file: job.file, run: run.run, detail: error }, job.workspace);
  } catch (e) {
    run.error = `${error}; the failure could not be recorded either: ${messageOf(e)}`;
  }
  return run;
}

/**
 * One attempt on the pipeline as it is on disk now: the file is re-read and re-checked (with the
 * prediction sources read in full), so edits and new incoming files are seen. Errors in what this
 * job needs fail the attempt; errors elsewhere in the file do not. An empty inbox waits.
 */
async function attemptOnce(job: ScheduledJob, attempt: number, started: Date, out: SchedulerOutput, signal?: AbortSignal): Promise<RunJson | { waiting: string }> {
  const name = job.name;
  try {
    const checked = await checkWithFullSchemas(readPipelineFile(job.file), job.file, undefined, { workspace: job.workspace, registry: registrySource, ...(job.defaultEngine ? { defaultEngine: job.defaultEngine } : {}) });
    const errors = planErrors(checked, [name]);
    if (errors.length > 0) {
      const list = errors.map((d) => `line ${d.range.start.line + 1}: ${d.code} ${d.message}`).join('; ');
      return recordFailedRun(job, started, attempt, `${job.file} has errors in what ${name} needs (${list}); fix them`, errors);
    }
    const predict = job.kind === 'predict' ? infoOf(checked, name, 'predict') : undefined;
    if (predict?.source.kind === 'file' && isEmptyInbox(predict.source.path)) return { waiting: `no file matches ${predict.source.path} yet; waiting for files` };
    return await runPipeline(checked, {
      names: [name], now: started, signal, schedule: scheduleOf(job, attempt),
      ...(job.kind === 'retrain' ? { retrainNow: [name] } : {}),
      ...(out.notify ? { notify: out.notify } : {}),
      editorEvents: out.toEditor !== undefined,
      onEvent: (e) => { if (e.type === 'notify') out.toEditor?.(e.event); },
    });
  } catch (e) {
    return recordFailedRun(job, started, attempt, messageOf(e));
  }
}

/** Tells the job's `notify:` targets that a firing failed after its retries. */
function notifyFailure(job: ScheduledJob, attempts: number, error: string, out: SchedulerOutput): Promise<NotifyOutcomeJson[]> {
  const event: NotifyEventJson = {
    pipeline: job.file, [job.kind === 'predict' ? 'predict' : 'monitor']: job.name, event: 'failure', time: new Date().toISOString(),
    message: `${job.id} failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${error}`,
    report: { job: job.id, attempts, error },
  };
  return sendNotifications(job.notify, event, { ...out.notify, cwd: dirname(job.file), ...(out.toEditor ? { toEditor: out.toEditor } : {}) });
}

/** One scheduled firing: run the job, retrying with back-off; record each attempt; notify a failure. */
export async function fireJob(job: ScheduledJob, output: SchedulerOutput | ((line: string) => void), baseDelayMs = 1000, signal?: AbortSignal): Promise<boolean> {
  const out: SchedulerOutput = typeof output === 'function' ? { log: output } : output;
  const { log } = out;
  for (let attempt = 1; attempt <= job.retries + 1; attempt++) {
    const started = new Date();
    const outcome = await attemptOnce(job, attempt, started, out, signal);
    const status = 'waiting' in outcome ? 'waiting' : outcome.status === 'succeeded' ? 'succeeded' : 'failed';
    const last = status === 'failed' && (attempt > job.retries || signal?.aborted === true);
    const notified = last && job.notify.length > 0 ? await notifyFailure(job, attempt, 'waiting' in outcome ? outcome.waiting : outcome.error ?? 'failed', out) : undefined;
    try {
      RunStore.open(job.file, job.workspace).recordAttempt({
        file: job.file, job: job.id, [job.kind === 'predict' ? 'predict' : 'monitor']: job.name, attempt, started: started.toISOString(), finished: new Date().toISOString(), status,
        ...('waiting' in outcome ? { error: outcome.waiting } : { run: outcome.run, ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.outputs[0] ? { output: outcome.outputs[0] } : {}) }),
        ...(notified ? { notified } : {}),
      });
    } catch (e) {
      log(`${started.toISOString()} ${labelOf(job)}: attempt ${attempt} could not be recorded: ${messageOf(e)}`);
    }
    for (const n of notified ?? []) if (!n.ok) log(`${started.toISOString()} ${labelOf(job)}: notifying ${n.target} failed: ${n.error}`);
    if ('waiting' in outcome) {
      log(`${started.toISOString()} ${labelOf(job)}: ${outcome.waiting}`);
      return true;
    }
    if (outcome.status === 'succeeded') {
      const m = job.kind === 'predict' ? undefined : outcome.monitors[job.name];
      const what = m
        ? `${m.drifted.length > 0 ? `drift in ${m.drifted.join(', ')}` : driftCompared(m.methods) ? 'no drift' : 'no current data to compare'}, alert ${m.alert.raised ? `raised (${m.alert.reason})` : 'not raised'}${m.retrain ? `; ${m.retrain.model} ${m.retrain.decision}: ${m.retrain.reason}` : ''}`
        : `wrote ${outcome.outputs.join(', ')}`;
      log(`${started.toISOString()} ${labelOf(job)}: ${what} (attempt ${attempt})`);
      // Nobody reads a scheduled run's record as it happens: its warnings are said where its outcome is.
      for (const w of outcome.warnings ?? []) log(`${started.toISOString()} ${labelOf(job)}: warning: ${w}`);
      return true;
    }
    log(`${started.toISOString()} ${labelOf(job)}: attempt ${attempt} failed: ${outcome.error}`);
    if (last) return false;
    await sleep(baseDelayMs * 2 ** (attempt - 1), signal);
  }
  return false;
}

/** Fires every job that is not paused once now (with its retries); true when all succeeded. */
export async function fireAllOnce(files: CheckedPipeline[], out: SchedulerOutput, baseDelayMs = 1000): Promise<boolean> {
  let ok = true;
  for (const job of scheduledJobs(files)) {
    if (pausedJobs(job.file).has(job.id)) { out.log(`${job.id}: paused; not fired (narml scheduler resume ${job.id})`); continue; }
    ok = (await fireJob(job, out, baseDelayMs)) && ok;
  }
  return ok;
}

export function runScheduler(files: CheckedPipeline[], out: SchedulerOutput): Promise<number> {
  const { log } = out;
  const jobs = scheduledJobs(files);
  if (jobs.length === 0) {
    log('no predict or monitor has a schedule; add schedule: "0 2 * * *" to one');
    return Promise.resolve(0);
  }
  const controller = new AbortController();
  // node-cron's ESM build needs import.meta.url, which the CommonJS bundle lacks: load its CommonJS
  // build, here rather than at the top: it loads child_process, which every other command of the
  // bundle (a one-row predict among them) would pay for.
  const cron = require('node-cron') as typeof import('node-cron');
  const tasks = jobs.map((job) => {
    const paused = pausedJobs(job.file).has(job.id);
    log(`scheduled ${labelOf(job)} (${job.file}) at "${job.schedule}"${paused ? ' — paused (narml scheduler resume to run it)' : ''}`);
    let running = false;
    return cron.schedule(job.schedule, () => {
      // Read at each firing: a pause or resume from another terminal takes effect without a restart.
      if (pausedJobs(job.file).has(job.id)) return;
      if (running) { log(`${labelOf(job)}: previous run still going; skipping this firing`); return; }
      running = true;
      fireJob(job, out, 1000, controller.signal).catch((e) => log(`${labelOf(job)}: ${String(e)}`)).finally(() => { running = false; });
    });
  });
  return new Promise((resolve) => {
    process.once('SIGINT', () => {
      log('stopping the scheduler');
      controller.abort();
      for (const t of tasks) t.stop();
      resolve(0);
    });
  });
}
