// Custom requests between the extension and the language server, beyond standard LSP.

/** `narml/pipelineGraph`: the declarations of a file as a lineage graph (Lineage panel, Pipeline tree). */
export const PIPELINE_GRAPH_REQUEST = 'narml/pipelineGraph';

export interface PipelineGraphParams {
  uri: string;
}

export interface PipelineGraphNode {
  name: string;
  kind: string;
  /** 0-based line of the declaration keyword. */
  line: number;
  dependsOn: string[];
  errors: number;
  warnings: number;
}

export interface PipelineGraph {
  uri: string;
  nodes: PipelineGraphNode[];
}

/** Command ids the server's code lenses use; the extension registers them. Arguments: [uri, name]. */
export const COMMANDS = {
  runPipeline: 'narml.runPipeline',
  runDeclaration: 'narml.runDeclaration',
  previewData: 'narml.previewData',
  showMetrics: 'narml.showMetrics',
  showLineage: 'narml.showLineage',
  predictNow: 'narml.predictNow',
  exportModel: 'narml.exportModel',
  showRunHistory: 'narml.showRunHistory',
  startScheduler: 'narml.startScheduler',
  stopScheduler: 'narml.stopScheduler',
} as const;
