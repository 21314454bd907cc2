// Messages between the extension and its panels. Each panel posts `ready`, then receives its
// whole state; `reveal` asks the extension to show a declaration in the editor.
import type { PreviewJson, RunJson } from '../../server/src/contracts/cli-json';
import type { PipelineGraph } from '../../server/src/contracts/lsp-requests';

export type ToPanel =
  | { type: 'preview'; preview: PreviewJson }
  | { type: 'metrics'; run: RunJson; focus?: string }
  | { type: 'lineage'; graph: PipelineGraph; status: Record<string, 'succeeded' | 'failed' | 'reused' | 'pending'> }
  | { type: 'error'; message: string };

export type FromPanel =
  | { type: 'ready' }
  | { type: 'reveal'; name: string; line: number };
