// `narml scheduler`: runs every `predict` with a `schedule:` on its cron expression (node-cron),
// retrying a failed run up to `retries:` times with exponential back-off (1 s, 2 s, 4 s, ...).
// Every attempt is recorded in the run store (and every attempt that ran or failed as a run, so
// `narml history` shows it); a failing run never stops the scheduler, and an error in one
// declaration stops only the schedules that need it. An empty inbox waits for files.
import { infoOf, type CheckedPipeline, type PredictInfo } from '../checker/checked-model';
import { checkWithFullSchemas, readPipelineFile } from '../checker/check-files';
import type { Diagnostic } from '../checker/diagnostic';
import type { RunJson } from '../contracts/cli-json';
import { isEmptyInbox } from '../runner/predict';
import { failedRun, planErrors, runPipeline } from '../runner/run-pipeline';
import { appendAudit } from '../store/audit-log';
import { StoreRegistrySource } from '../store/registry';
import { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/output-paths';

export interface ScheduledJob {
  file: string;
  predict: PredictInfo;
  /** The workspace the pipeline was checked with; every firing re-checks and writes within it. */
  workspace: Workspace;
}

export function scheduledJobs(files: CheckedPipeline[]): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const checked of files) for (const info of checked.infos) if (info?.kind === 'predict' && info.schedule) jobs.push({ file: checked.file, predict: info, workspace: checked.workspace });
  return jobs;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((res) => {
  const t = setTimeout(res, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
});

/** Each firing re-checks its file: `@production` must see the promotions made since. */
const registrySource = new StoreRegistrySource();

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A failed attempt that never reached the runner still gets a run record, so `narml history` shows it. */
function recordFailedRun(job: ScheduledJob, started: Date, attempt: number, error: string, diagnostics: Diagnostic[] = []): RunJson {
  const run: RunJson = { ...failedRun(job.file, started, error, diagnostics), schedule: { predict: job.predict.name, attempt } };
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
 * predict needs fail the attempt; errors elsewhere in the file do not. An empty inbox waits.
 */
async function attemptOnce(job: ScheduledJob, attempt: number, started: Date, signal?: AbortSignal): Promise<RunJson | { waiting: string }> {
  const name = job.predict.name;
  try {
    const checked = await checkWithFullSchemas(readPipelineFile(job.file), job.file, undefined, { workspace: job.workspace, registry: registrySource });
    const errors = planErrors(checked, [name]);
    if (errors.length > 0) {
      const list = errors.map((d) => `line ${d.range.start.line + 1}: ${d.code} ${d.message}`).join('; ');
      return recordFailedRun(job, started, attempt, `${job.file} has errors in what ${name} needs (${list}); fix them`, errors);
    }
    const predict = infoOf(checked, name, 'predict');
    if (predict?.source.kind === 'file' && isEmptyInbox(predict.source.path)) return { waiting: `no file matches ${predict.source.path} yet; waiting for files` };
    return await runPipeline(checked, { names: [name], now: started, signal, schedule: { predict: name, attempt } });
  } catch (e) {
    return recordFailedRun(job, started, attempt, messageOf(e));
  }
}

/** One scheduled firing: run the predict, retrying with back-off; record each attempt. */
export async function fireJob(job: ScheduledJob, log: (line: string) => void, baseDelayMs = 1000, signal?: AbortSignal): Promise<boolean> {
  const name = job.predict.name;
  for (let attempt = 1; attempt <= job.predict.retries + 1; attempt++) {
    const started = new Date();
    const outcome = await attemptOnce(job, attempt, started, signal);
    const status = 'waiting' in outcome ? 'waiting' : outcome.status === 'succeeded' ? 'succeeded' : 'failed';
    try {
      RunStore.open(job.file, job.workspace).recordAttempt({
        file: job.file, predict: name, attempt, started: started.toISOString(), finished: new Date().toISOString(), status,
        ...('waiting' in outcome ? { error: outcome.waiting } : { run: outcome.run, ...(outcome.error ? { error: outcome.error } : {}), ...(outcome.outputs[0] ? { output: outcome.outputs[0] } : {}) }),
      });
    } catch (e) {
      log(`${started.toISOString()} ${name}: attempt ${attempt} could not be recorded: ${messageOf(e)}`);
    }
    if ('waiting' in outcome) {
      log(`${started.toISOString()} ${name}: ${outcome.waiting}`);
      return true;
    }
    if (outcome.status === 'succeeded') {
      log(`${started.toISOString()} ${name}: wrote ${outcome.outputs.join(', ')} (attempt ${attempt})`);
      return true;
    }
    log(`${started.toISOString()} ${name}: attempt ${attempt} failed: ${outcome.error}`);
    if (attempt <= job.predict.retries && !signal?.aborted) await sleep(baseDelayMs * 2 ** (attempt - 1), signal);
  }
  return false;
}

/** Fires every scheduled predict once now (with its retries); true when all succeeded. */
export async function fireAllOnce(files: CheckedPipeline[], log: (line: string) => void, baseDelayMs = 1000): Promise<boolean> {
  let ok = true;
  for (const job of scheduledJobs(files)) ok = (await fireJob(job, log, baseDelayMs)) && ok;
  return ok;
}

export function runScheduler(files: CheckedPipeline[], log: (line: string) => void): Promise<number> {
  const jobs = scheduledJobs(files);
  if (jobs.length === 0) {
    log('no predict declaration has a schedule; add schedule: "0 2 * * *" to one');
    return Promise.resolve(0);
  }
  const controller = new AbortController();
  // node-cron's ESM build needs import.meta.url, which the CommonJS bundle lacks: load its CommonJS
  // build, here rather than at the top: it loads child_process, which every other command of the
  // bundle (a one-row predict among them) would pay for.
  const cron = require('node-cron') as typeof import('node-cron');
  const tasks = jobs.map((job) => {
    log(`scheduled ${job.predict.name} (${job.file}) at "${job.predict.schedule}"`);
    let running = false;
    return cron.schedule(job.predict.schedule!, () => {
      if (running) { log(`${job.predict.name}: previous run still going; skipping this firing`); return; }
      running = true;
      fireJob(job, log, 1000, controller.signal).catch((e) => log(`${job.predict.name}: ${String(e)}`)).finally(() => { running = false; });
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
