// What the Runs & Models view shows of `narml models --json`: models, each with its versions
// newest first, and the key metric of each version. Pure, so it is tested without VS Code.
import type { ModelVersionJson } from '../../server/src/contracts/cli-json';

export interface ModelGroup {
  model: string;
  /** Newest first. */
  versions: ModelVersionJson[];
}

/** Versions grouped by model (models in the order their first version was trained), newest version first. */
export function modelGroups(versions: ModelVersionJson[]): ModelGroup[] {
  const groups = new Map<string, ModelVersionJson[]>();
  for (const v of versions) groups.set(v.model, [...(groups.get(v.model) ?? []), v]);
  return [...groups].map(([model, vs]) => ({ model, versions: [...vs].sort((a, b) => b.created.localeCompare(a.created) || b.run.localeCompare(a.run)) }));
}

/**
 * The key metric of a version: the first metric of the first table it was evaluated on, e.g.
 * `accuracy 0.9884 on parts.test`; undefined when it was never evaluated.
 */
export function keyMetric(v: ModelVersionJson): string | undefined {
  const [on, metrics] = Object.entries(v.metrics)[0] ?? [];
  const [name, value] = Object.entries(metrics ?? {})[0] ?? [];
  if (name === undefined || value === undefined) return undefined;
  // Four significant digits, and a rounding residue next to 0 as 0, as the panels print numbers.
  const shown = Math.abs(value) < 5e-5 ? '0' : String(Number(value.toPrecision(4)));
  return `${name} ${shown} on ${on}`;
}

/** The stage of a version as the view's badge (`production`), or undefined when it has none; a version only failed runs produced says so. */
export function stageBadge(v: ModelVersionJson): string | undefined {
  if (v.stage) return v.stage;
  return v.status === 'succeeded' ? undefined : `from a ${v.status} run`;
}

/** `2026-12-07 03:08` in local time, for the view's descriptions. */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
