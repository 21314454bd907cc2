// The sentences of the extension's notifications and status bar, pure so they are tested
// without VS Code: they name the files and declarations concerned and say what to do next.
import { basename } from 'node:path';
import type { RegistryChangeJson, RunJson } from '../../server/src/contracts/cli-json';
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
  name: string;
  schedule: string;
}

export function schedulesOf(nodes: PipelineGraphNode[]): Schedule[] {
  return nodes.flatMap((n) => (n.schedule ? [{ name: n.name, schedule: n.schedule }] : []));
}

/** What the status bar says while the scheduler runs: the schedules, or the one with its time. */
export function schedulerStatusText(file: string, schedules: Schedule[]): { text: string; tooltip: string } {
  const what = schedules.length === 1 ? `${schedules[0].name} at "${schedules[0].schedule}"` : `${schedules.length} schedules`;
  return {
    text: `$(watch) NarML scheduler: ${what}`,
    tooltip: `Running the schedules of ${basename(file)}:\n${schedules.map((s) => `  predict ${s.name}: "${s.schedule}"`).join('\n')}\nClick to stop it or show its log.`,
  };
}

export function nothingToSchedule(file: string): string {
  return `Nothing to schedule in ${basename(file)}: no predict declaration has a schedule. Add schedule: "0 2 * * *" (cron: minute hour day month weekday) to a predict, then start the scheduler.`;
}
