// When a finished run replaces what the Metrics panel shows. Predict Now and Export Model run
// no evaluation: their result goes to a notification naming the file, and the panel keeps the
// last figures. A cancelled run keeps them too (its evaluations may be a part of the pipeline's).
import type { RunJson } from '../../server/src/contracts/cli-json';

export function replacesMetrics(run: Pick<RunJson, 'status' | 'evaluations'>): boolean {
  return run.status !== 'cancelled' && Object.keys(run.evaluations).length > 0;
}
