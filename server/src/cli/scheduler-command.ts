// `narml scheduler FILE...` runs the jobs (scheduled predicts, monitors and retrainings) until
// stopped; `narml scheduler list|pause JOB|resume JOB [FILE...]` shows and changes their state,
// which is kept in the run store (scheduler/state.ts) so a restarted scheduler keeps it.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckedPipeline } from '../checker/checked-model';
import { DEFAULT_ENGINE_FLAG, type ScheduleStatusJson } from '../contracts/cli-json';
import { DEFAULT_ENGINE_USAGE, engineOption } from './engine-flag';
import { UsageError, type CliCommand, type ParsedArgs } from './command';
import { parseCheckingArgs } from './runner-commands';
import { WORKSPACE_USAGE, workspaceOption } from './workspace-flags';

const log = (line: string): void => { process.stderr.write(`${line}\n`); };

/** The files named, or every .narml file of the current folder. */
function filesOrHere(positional: string[]): string[] {
  if (positional.length > 0) return positional;
  const here = readdirSync('.', { withFileTypes: true }).filter((f) => f.isFile() && f.name.endsWith('.narml')).map((f) => f.name);
  if (here.length === 0) throw new UsageError('name a .narml file (there is none in this folder)');
  return here;
}

async function run(args: string[]): Promise<number> {
  const { positional, flags } = parseCheckingArgs(args, ['events', DEFAULT_ENGINE_FLAG]);
  const { defaultEngine } = engineOption(flags);
  if (positional.length === 0) throw new UsageError('name at least one .narml file');
  const events = flags.get('events');
  if (events !== undefined && events !== 'json') throw new UsageError(`--events takes json, not "${events}"`);
  const { loadChecked, hasErrors, planErrors, fireAllOnce, runScheduler, scheduledJobs } = await import('./commands-impl');
  const files: CheckedPipeline[] = [];
  for (const f of positional) {
    // An error stops only the jobs that need the declaration it is in; each firing re-checks.
    const checked = await loadChecked(f, { allowErrors: true, workspace: workspaceOption(f, flags), ...(defaultEngine ? { defaultEngine } : {}) });
    if (typeof checked === 'number') return checked;
    for (const job of scheduledJobs([checked])) {
      const errors = planErrors(checked, [job.name]);
      if (errors.length > 0) log(`${job.id}: has errors now (${errors.map((d) => d.code).join(', ')}); each firing re-checks the file and fails until they are fixed`);
    }
    files.push(checked);
  }
  if (scheduledJobs(files).length === 0 && files.some(hasErrors)) {
    log('narml: no schedule can run: fix the errors above (a predict or monitor with schedule: "..." must check)');
    return 1;
  }
  // `notify: vscode` events go to stdout as JSON lines for the extension that started us.
  const out = { log, ...(events === 'json' ? { toEditor: (e: unknown) => process.stdout.write(`${JSON.stringify({ type: 'notify', event: e })}\n`) } : {}) };
  if (flags.has('once-now')) return (await fireAllOnce(files, out)) ? 0 : 1;
  return runScheduler(files, out);
}

/** The jobs of the files as checked now (schemas from the store when the data is unchanged). */
async function jobsOf(positional: string[], flags: ParsedArgs['flags']): Promise<ScheduleStatusJson[]> {
  const { checkWithFullSchemas, readPipelineFile, scheduledJobs, jobStatuses, StoreRegistrySource } = await import('./commands-impl');
  const checked: CheckedPipeline[] = [];
  const registry = new StoreRegistrySource();
  for (const f of filesOrHere(positional)) {
    checked.push(await checkWithFullSchemas(readPipelineFile(f), resolve(f), undefined, { workspace: workspaceOption(f, flags), registry }));
  }
  return jobStatuses(scheduledJobs(checked));
}

async function list(args: string[]): Promise<number> {
  const { positional, flags } = parseCheckingArgs(args, []);
  const jobs = await jobsOf(positional, flags);
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify({ jobs })}\n`); return 0; }
  if (jobs.length === 0) { process.stdout.write('no job: no predict or monitor has a schedule (add schedule: "0 2 * * *")\n'); return 0; }
  for (const j of jobs) {
    const state = j.paused ? `paused since ${j.pausedSince}` : `next ${j.nextFire ?? 'unknown'}`;
    const last = j.lastFire ? `last ${j.lastFire} ${j.lastOutcome}${j.lastError ? `: ${j.lastError}` : ''}` : 'never fired';
    process.stdout.write(`${j.job.padEnd(24)} "${j.schedule}"  ${state}  ${last}  (${j.file})\n`);
  }
  return 0;
}

/** The one job `ref` names: its id (`retrain:watch`) or a name only one job has. */
function pick(jobs: ScheduleStatusJson[], ref: string): ScheduleStatusJson {
  const exact = jobs.filter((j) => j.job === ref);
  const found = exact.length > 0 ? exact : jobs.filter((j) => j.name === ref);
  const ids = jobs.map((j) => j.job).join(', ') || 'none';
  if (found.length === 0) throw new UsageError(`no job "${ref}"; the jobs are: ${ids}`);
  if (found.length > 1) throw new UsageError(`"${ref}" names ${found.length} jobs (${found.map((j) => `${j.job} in ${j.file}`).join(', ')}); name one by its id, or give its file`);
  return found[0];
}

function pauseOrResume(action: 'pause' | 'resume'): (args: string[]) => Promise<number> {
  return async (args) => {
    const { positional, flags } = parseCheckingArgs(args, []);
    const [ref, ...files] = positional;
    if (!ref) throw new UsageError(`name the job to ${action}: narml scheduler ${action} JOB [FILE...] (see narml scheduler list)`);
    const job = pick(await jobsOf(files, flags), ref);
    if (job.paused === (action === 'pause')) { process.stdout.write(`${job.job} is already ${action === 'pause' ? 'paused' : 'running'}\n`); return 0; }
    const { recordPause } = await import('./commands-impl');
    recordPause(job.file, job.job, action, workspaceOption(job.file, flags));
    process.stdout.write(`${job.job} ${action === 'pause' ? 'paused: its firings are skipped until narml scheduler resume' : 'resumed'} (${job.file})\n`);
    return 0;
  };
}

const SUBCOMMANDS: Record<string, (args: string[]) => Promise<number>> = { list, pause: pauseOrResume('pause'), resume: pauseOrResume('resume') };

export const schedulerCommands: Record<string, CliCommand> = {
  scheduler: {
    usage: `scheduler FILE... [--once-now] [--events json] ${DEFAULT_ENGINE_USAGE} ${WORKSPACE_USAGE} | scheduler list|pause JOB|resume JOB [FILE...] [--json]`,
    summary: 'run the scheduled predicts, monitors and retrainings until stopped (--once-now: fire each once and exit); list, pause or resume jobs (kept across restarts)',
    run: (args) => (SUBCOMMANDS[args[0]] ?? run)(SUBCOMMANDS[args[0]] ? args.slice(1) : args),
  },
};
