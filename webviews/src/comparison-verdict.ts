// The sentence the Metrics panel shows for a comparison: a winner only when the difference is
// significant, else the leader. Pure, so it is tested outside a webview.
import type { ComparisonJson } from '../../server/src/contracts/cli-json';

/** Runs recorded before `leader` and `alpha` existed carry only `winner`. */
export function comparisonVerdict(c: Pick<ComparisonJson, 'winner' | 'alpha' | 'p_value'> & Partial<Pick<ComparisonJson, 'leader'>>): string {
  if (c.winner) return `Winner: ${c.winner} (p = ${c.p_value.toPrecision(2)} < ${c.alpha ?? 0.05})`;
  if (c.leader) return `No significant difference (p = ${c.p_value.toPrecision(2)}, alpha ${c.alpha}); leader: ${c.leader}`;
  return c.leader === null ? 'Tie: both models score the same' : 'No winner';
}
