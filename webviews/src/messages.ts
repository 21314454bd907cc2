// Messages between the extension and its panels. Each panel posts `ready`, then receives its
// whole state; `reveal` asks the extension to show a declaration in the editor, `showRun` a
// recorded run in the Metrics panel, `rows` the rows the Data Preview grid is about to show.
import type { ExperimentsJson, MonitorTrendsJson, PreviewJson, PreviewPageJson, PreviewSort, RunJson, ServedModelJson } from '../../server/src/contracts/cli-json';
import type { PipelineGraph } from '../../server/src/contracts/lsp-requests';

/**
 * A declaration against its last run: computed there (`fresh`), taken from the store (`reused`),
 * changed since (`stale`: its text, what it reads or its files), the run failed in it, never run,
 * or it has check errors now. `why` says which run and what to do.
 */
export type LineageStatus = 'fresh' | 'reused' | 'stale' | 'failed' | 'not-run' | 'error';
export interface NodeStatus {
  status: LineageStatus;
  why: string;
}

export type ToPanel =
  | { type: 'preview'; preview: PreviewJson }
  | { type: 'metrics'; run: RunJson; focus?: string }
  | { type: 'lineage'; graph: PipelineGraph; status: Record<string, NodeStatus> }
  | { type: 'experiments'; table: ExperimentsJson }
  /** The Monitor Trends panel: one monitor's reports over the runs. */
  | { type: 'trends'; trends: MonitorTrendsJson }
  /** The Try it panel: the models a `narml serve` answers with, at `url`. */
  | { type: 'tryit'; url: string; models: ServedModelJson[] }
  | { type: 'error'; message: string };

export type FromPanel =
  | { type: 'ready' }
  | { type: 'reveal'; name: string; line: number }
  /** From the Experiments panel: show this run in the Metrics panel. */
  | { type: 'showRun'; run: string }
  /** The Data Preview grid asks for rows it is about to show. */
  | { type: 'rows'; start: number; count: number; sort?: PreviewSort }
  /** The Try it panel sends a request body (JSON text, as typed) to a path of the server. */
  | { type: 'tryRequest'; path: string; body: string };

/** Messages that add to what a panel shows (not saved as its state, not redrawn from scratch). */
export type ToPanelPart =
  | { type: 'rows'; page: PreviewPageJson; sort?: PreviewSort }
  /** The server's answer to a tryRequest: its HTTP status and body (or why there is none, status 0). */
  | { type: 'tryResponse'; path: string; status: number; body: string };
