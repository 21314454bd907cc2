// A monitor's `alert:` condition judged on a set of metric values, with the sentence that says why
// it is raised or not: consumers (notifications, the scheduler, retraining) show the reason as it is.
import type { MonitorAlertJson, MonitorWindowJson } from '../contracts/cli-json';
import type { Expr } from '../language/ast';
import { leftSpine } from '../language/left-spine';

/** What `drift` means inside the condition: 1 when any column or the prediction drifted, else 0. */
export const DRIFT_NAME = 'drift';

function holds(e: Expr, values: Record<string, number>): boolean {
  if (e.kind === 'Paren' && e.inner) return holds(e.inner, values);
  if (e.kind === 'Binary' && (e.operator === 'and' || e.operator === 'or')) {
    // Folded along the left spine, so a long and/or chain needs no deep stack.
    const spine = leftSpine(e, (op) => op === 'and' || op === 'or');
    let result = holds(spine[0].left, values);
    for (const node of spine) {
      const right = node.right !== undefined && holds(node.right, values);
      result = node.right !== undefined && (node.operator === 'and' ? result && right : result || right);
    }
    return result;
  }
  if (e.kind === 'Binary' && e.left.kind === 'Name' && e.right && (e.right.kind === 'Number' || e.right.kind === 'Percent')) {
    const v = values[e.left.name.text];
    if (v === undefined) return false;
    const t = e.right.value;
    switch (e.operator) {
      case '<': return v < t;
      case '<=': return v <= t;
      case '>': return v > t;
      case '>=': return v >= t;
      default: return false;
    }
  }
  return false;
}

/** The names the condition compares, in order of appearance, each once (iterative: no deep stack). */
export function alertNames(e: Expr): string[] {
  const names: string[] = [];
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    if (x.kind === 'Paren' && x.inner) stack.push(x.inner);
    else if (x.kind === 'Binary') {
      if (x.right) stack.push(x.right);
      stack.push(x.left);
    } else if (x.kind === 'Name' && !names.includes(x.name.text)) names.push(x.name.text);
  }
  return names;
}

function shown(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

/**
 * Judges `condition` (its source text `text`) on `values` (metric name → value; `drift` 0 or 1),
 * measured `on` (a phrase: "the evaluation metrics of this run", "window 2026-12-03 … (412 labelled rows)").
 * A metric the condition names but `values` lacks makes that comparison false and is named in the reason.
 */
export function judgeAlert(condition: Expr, text: string, values: Record<string, number>, on: string, window?: MonitorWindowJson): MonitorAlertJson {
  const raised = holds(condition, values);
  const names = alertNames(condition);
  const measured = names.filter((n) => values[n] !== undefined).map((n) => `${n} = ${shown(values[n])}`);
  const missing = names.filter((n) => values[n] === undefined);
  const parts = [measured.join(', '), missing.length > 0 ? `${missing.join(', ')} not measured` : ''].filter((s) => s !== '');
  return {
    raised,
    judged: true,
    reason: `alert: ${text} ${raised ? 'holds' : 'does not hold'} on ${on}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`,
    condition: text,
    window: window ?? null,
  };
}

/** The alert of a monitor that has no `alert:` condition, or whose condition could not be judged (`reason` says why). */
export function notJudged(reason: string, window?: MonitorWindowJson, condition?: string): MonitorAlertJson {
  return { raised: false, judged: false, reason, ...(condition ? { condition } : {}), window: window ?? null };
}
