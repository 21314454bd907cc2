// Where a NarML panel opens: all of them share one editor group beside the editor, so a
// Preview, the Metrics and the Lineage panels are tabs of one group instead of a new split
// each. Pure, so it is tested without VS Code.

/** VS Code's ViewColumn.Beside. */
export const BESIDE = -2;

/**
 * The column for a new panel: the column of the NarML panels already open (the first one found),
 * else beside the editor. `existing` are their `viewColumn`s (undefined while a panel is not
 * shown anywhere).
 */
export function panelColumn(existing: Iterable<number | undefined>): number {
  for (const c of existing) if (c !== undefined && c > 0) return c;
  return BESIDE;
}
