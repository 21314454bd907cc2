// The status of each declaration in the Lineage panel, from the runs recorded beside the
// pipeline and the definition hashes of the text being edited (the runner's own hashing, asked
// of the language server). Pure, so it is tested on real runs without VS Code.
import type { RunJson } from '../../server/src/contracts/cli-json';
import type { PipelineGraph } from '../../server/src/contracts/lsp-requests';
import type { NodeStatus } from '../../webviews/src/messages';

const TABLE_KINDS = new Set(['dataset', 'transform', 'split']);

/**
 * `runs` oldest first (as `narml history --json` lists them); `now` the definition hashes of the
 * current text (a declaration missing from it, e.g. whose file cannot be read, is not compared).
 */
export function lineageStatus(graph: PipelineGraph, now: Record<string, string>, runs: RunJson[]): Record<string, NodeStatus> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  // The datasets a table comes from: it was computed in a run that read one of them.
  const roots = new Map<string, string[]>();
  const rootsOf = (name: string, seen = new Set<string>()): string[] => {
    const known = roots.get(name);
    if (known) return known;
    const n = byName.get(name);
    if (!n || seen.has(name)) return [];
    seen.add(name);
    const found = n.kind === 'dataset' ? [name] : [...new Set(n.dependsOn.flatMap((d) => rootsOf(d, seen)))];
    roots.set(name, found);
    return found;
  };
  const newestFirst = [...runs].reverse();
  const out: Record<string, NodeStatus> = {};
  for (const n of graph.nodes) {
    if (n.errors > 0) {
      out[n.name] = { status: 'error', why: `${n.errors} error${n.errors > 1 ? 's' : ''} in its text; fix ${n.errors > 1 ? 'them' : 'it'} to run it` };
      continue;
    }
    const run = newestFirst.find((r) => r.failedIn?.name === n.name || r.definitions?.[n.name] !== undefined || r.computed.includes(n.name) || r.reused.includes(n.name));
    if (!run) {
      out[n.name] = { status: 'not-run', why: 'not run yet' };
      continue;
    }
    const then = run.failedIn?.name === n.name ? run.failedIn.definition : run.definitions?.[n.name];
    if (then !== undefined && now[n.name] !== undefined && then !== now[n.name]) {
      out[n.name] = { status: 'stale', why: `changed since run ${run.run}: its text, what it reads or its input files; run it again` };
    } else if (run.failedIn?.name === n.name) {
      out[n.name] = { status: 'failed', why: `run ${run.run} failed here: ${run.error ?? 'see the NarML output'}` };
    } else if (run.reused.includes(n.name)) {
      out[n.name] = { status: 'reused', why: `reused from the store in run ${run.run}` };
    } else if (TABLE_KINDS.has(n.kind) && run.read && !rootsOf(n.name).some((d) => run.read!.includes(d))) {
      out[n.name] = { status: 'reused', why: `not read again in run ${run.run}: what uses it was reused` };
    } else {
      out[n.name] = { status: 'fresh', why: `computed in run ${run.run}${then === undefined ? ' (recorded without hashes: run again to track changes)' : ''}` };
    }
  }
  return out;
}
