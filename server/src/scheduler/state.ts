// What `narml scheduler list|pause|resume` reads and writes, kept in the run store so a restarted
// scheduler finds it: pauses and resumes are small event files under `.narml/scheduler/` (one
// per change, written once by writeFileAtomic; the state is their replay in time order), so a
// pause from another terminal needs no lock against a running scheduler, which reads them at
// each firing. Last fire and outcome come from the attempts the scheduler records anyway; the
// next fire from the cron expression.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readStoreData, storeDir, type ScheduleAttempt } from '../store/run-store';
import { writeFileAtomic } from '../store/atomic-write';
import type { Workspace } from '../workspace/output-paths';
import type { ScheduleStatusJson } from '../contracts/cli-json';

interface PauseEvent {
  time: string;
  file: string;
  job: string;
  action: 'pause' | 'resume';
}

const eventsDir = (pipelineFile: string): string => join(storeDir(pipelineFile), 'scheduler');

function readEvents(pipelineFile: string): PauseEvent[] {
  let names: string[];
  try {
    names = readdirSync(eventsDir(pipelineFile)).filter((f) => f.endsWith('.json') && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    try {
      const e = JSON.parse(readFileSync(join(eventsDir(pipelineFile), n), 'utf8')) as PauseEvent;
      return e && e.file === pipelineFile && typeof e.job === 'string' && (e.action === 'pause' || e.action === 'resume') ? [e] : [];
    } catch {
      // A damaged event file (a disk that lied about the rename) is left out, not fatal.
      return [];
    }
  });
}

/** The jobs of `pipelineFile` paused now, with the time of their pause. */
export function pausedJobs(pipelineFile: string): Map<string, string> {
  const paused = new Map<string, string>();
  for (const e of readEvents(pipelineFile)) {
    if (e.action === 'pause') paused.set(e.job, e.time);
    else paused.delete(e.job);
  }
  return paused;
}

/** Records a pause or resume; event names sort in time order, the random part keeps two of one millisecond apart. */
export function recordPause(pipelineFile: string, job: string, action: PauseEvent['action'], workspace?: Workspace): void {
  const time = new Date().toISOString();
  const id = `${time.replace(/[-:.]/g, '')}-${randomBytes(4).toString('hex')}`;
  writeFileAtomic(join(eventsDir(pipelineFile), `${id}.json`), JSON.stringify({ time, file: pipelineFile, job, action } satisfies PauseEvent), workspace);
}

/** The next time `expression` fires after `from`, or undefined. */
export function nextFire(expression: string, from = new Date()): string | undefined {
  // Required when used, as the scheduler does (commands that never list jobs do not load it); its
  // ESM build needs import.meta.url, which the CommonJS bundle lacks: load its CommonJS build.
  const cron = require('node-cron') as typeof import('node-cron');
  const task = cron.createTask(expression, () => undefined);
  try {
    return task.getNextRuns(1).find((d) => d > from)?.toISOString();
  } catch {
    return undefined;
  } finally {
    void task.destroy();
  }
}

/** The attempt records of a job: its id, or for a predict recorded before jobs had ids, its name. */
export function attemptsOf(attempts: readonly ScheduleAttempt[], job: { id: string; kind: string; name: string; file: string }): ScheduleAttempt[] {
  return attempts.filter((a) => a.file === job.file && (a.job === job.id || (a.job === undefined && job.kind === 'predict' && a.predict === job.name)));
}

export function jobStatuses(jobs: readonly { id: string; kind: ScheduleStatusJson['kind']; name: string; file: string; schedule: string }[]): ScheduleStatusJson[] {
  const byFile = new Map<string, { paused: Map<string, string>; attempts: ScheduleAttempt[] }>();
  return jobs.map((job) => {
    let state = byFile.get(job.file);
    if (!state) {
      state = { paused: pausedJobs(job.file), attempts: readStoreData(job.file)?.attempts ?? [] };
      byFile.set(job.file, state);
    }
    const last = attemptsOf(state.attempts, job).pop();
    const pausedSince = state.paused.get(job.id);
    const next = pausedSince ? undefined : nextFire(job.schedule);
    return {
      job: job.id, kind: job.kind, name: job.name, file: job.file, schedule: job.schedule, paused: pausedSince !== undefined,
      ...(pausedSince ? { pausedSince } : {}), ...(next ? { nextFire: next } : {}),
      ...(last ? { lastFire: last.started, lastOutcome: last.status, ...(last.error ? { lastError: last.error } : {}) } : {}),
    };
  });
}
