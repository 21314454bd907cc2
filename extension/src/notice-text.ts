// The sentences of the extension's notifications and status bar, pure so they are tested
// without VS Code: they name the files and declarations concerned and say what to do next.
import { basename } from 'node:path';
import type { NotifyEventJson, RegistryChangeJson, RunJson } from '../../server/src/contracts/cli-json';
import type { PipelineGraphNode } from '../../server/src/contracts/lsp-requests';

/** The sentence naming what a run wrote (at most three names, then how many more). */
export function outputsSentence(run: Pick<RunJson, 'run' | 'outputs'>): string {
  const names = run.outputs.map((o) => basename(o));
  const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
  return `NarML: run ${run.run} succeeded${names.length ? `; wrote ${shown}` : ''}.`;
}

/** What a promotion or rollback from Runs & Models did, in one sentence. */
export function registryNotice(action: 'promote' | 'rollback', c: RegistryChangeJson): string {
  if (!c.changed) return `NarML: ${c.model} ${c.version} already is in ${c.stage ?? 'no stage'}.`;
  const archived = c.from ? `; ${c.from} archived` : '';
  return action === 'rollback'
    ? `NarML: ${c.model} rolled back: ${c.version} is in production again${archived}.`
    : `NarML: ${c.model} ${c.version} is now in ${c.stage}${archived}. Predicts written with ${c.model}@${c.stage} use it from their next run.`;
}

export interface Schedule {
  /** `predict` or `monitor`. */
  kind: string;
  name: string;
  schedule: string;
}

export function schedulesOf(nodes: PipelineGraphNode[]): Schedule[] {
  return nodes.flatMap((n) => (n.schedule ? [{ kind: n.kind, name: n.name, schedule: n.schedule }] : []));
}

/** What the status bar says while the scheduler runs: the schedules, or the one with its time. */
export function schedulerStatusText(file: string, schedules: Schedule[]): { text: string; tooltip: string } {
  const what = schedules.length === 1 ? `${schedules[0].name} at "${schedules[0].schedule}"` : `${schedules.length} schedules`;
  return {
    text: `$(watch) NarML scheduler: ${what}`,
    tooltip: `Running the schedules of ${basename(file)}:\n${schedules.map((s) => `  ${s.kind} ${s.name}: "${s.schedule}"`).join('\n')}\nClick to stop it or show its log.`,
  };
}

export function nothingToSchedule(file: string): string {
  return `Nothing to schedule in ${basename(file)}: no predict or monitor has a schedule. Add schedule: "0 2 * * *" (cron: minute hour day month weekday) to one, then start the scheduler.`;
}

/** The notification a `notify: vscode` event becomes: an error for a failed run, else a warning. */
export function notifyNotice(event: NotifyEventJson): { text: string; error: boolean } {
  return { text: `NarML (${basename(event.pipeline)}): ${event.message}`, error: event.event === 'failure' };
}

/** A `notify` line of `narml scheduler --events json` on stdout, or undefined for any other line. */
export function parseNotifyLine(line: string): NotifyEventJson | undefined {
  try {
    const v = JSON.parse(line) as { type?: string; event?: NotifyEventJson };
    return v?.type === 'notify' && v.event && typeof v.event.message === 'string' && typeof v.event.pipeline === 'string' ? v.event : undefined;
  } catch {
    return undefined;
  }
}
