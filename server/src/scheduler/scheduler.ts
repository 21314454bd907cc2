// `narml scheduler`: runs every `predict` with a `schedule:` on its cron expression (node-cron),
// retrying a failed run up to `retries:` times with exponential back-off (1 s, 2 s, 4 s, ...).
// Every attempt is recorded in the run store; a failing run never stops the scheduler. The
// pipeline is checked at start (errors refuse to schedule) and again at every firing.
// node-cron's ESM build needs import.meta.url, which the CommonJS bundle lacks: load its CommonJS build.
const cron = require('node-cron') as typeof import('node-cron');
import type { CheckedPipeline, PredictInfo } from '../checker/checked-model';
import { checkWithFullSchemas, readPipelineFile } from '../checker/check-files';
import { runPipeline } from '../runner/run-pipeline';
import { RunStore } from '../store/run-store';

export interface ScheduledJob {
  file: string;
  predict: PredictInfo;
}

export function scheduledJobs(files: CheckedPipeline[]): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const checked of files) for (const info of checked.infos) if (info?.kind === 'predict' && info.schedule) jobs.push({ file: checked.file, predict: info });
  return jobs;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> => new Promise((res) => {
  const t = setTimeout(res, ms);
  signal?.addEventListener('abort', () => { clearTimeout(t); res(); }, { once: true });
});

/**
 * The pipeline as it is on disk now: each firing re-reads and re-checks the file (with the prediction
 * sources read in full), so edits and new incoming files are seen; errors fail the attempt.
 */
async function checkNow(file: string): Promise<CheckedPipeline> {
  const checked = await checkWithFullSchemas(readPipelineFile(file), file);
  const errors = checked.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`${file} has errors: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return checked;
}

/** One scheduled firing: run the predict, retrying with back-off; record each attempt. */
export async function fireJob(job: ScheduledJob, log: (line: string) => void, baseDelayMs = 1000, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 1; attempt <= job.predict.retries + 1; attempt++) {
    const started = new Date();
    let result: { status: string; error?: string; outputs: string[] };
    try {
      result = await runPipeline(await checkNow(job.file), { names: [job.predict.name], now: started, signal });
    } catch (e) {
      result = { status: 'failed', error: e instanceof Error ? e.message : String(e), outputs: [] };
    }
    const store = await RunStore.open(job.file);
    store.data.attempts.push({
      file: job.file, predict: job.predict.name, attempt, started: started.toISOString(), finished: new Date().toISOString(),
      status: result.status === 'succeeded' ? 'succeeded' : 'failed', ...(result.error ? { error: result.error } : {}),
      ...(result.outputs[0] ? { output: result.outputs[0] } : {}),
    });
    await store.save();
    if (result.status === 'succeeded') {
      log(`${started.toISOString()} ${job.predict.name}: wrote ${result.outputs.join(', ')} (attempt ${attempt})`);
      return true;
    }
    log(`${started.toISOString()} ${job.predict.name}: attempt ${attempt} failed: ${result.error}`);
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
