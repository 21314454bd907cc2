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
  /** A predict's cron schedule. */
  schedule?: string;
  /** The table's columns as the checker sees them (the first 200), for the lineage hover. */
  columns?: { name: string; type: string }[];
  /** How many columns the table has in all. */
  columnCount?: number;
  /** The table's rows, when known; `rowsExact` false when estimated from a sample of the file. */
  rows?: number;
  rowsExact?: boolean;
}

export interface PipelineGraph {
  uri: string;
  nodes: PipelineGraphNode[];
}

/**
 * `narml/definitionHashes`: the definition hash of each declaration of the text being edited, as
 * the runner records it per run (`RunJson.definitions`); a declaration whose hash differs from its
 * last run's is stale. Declarations whose files cannot be read now have none.
 */
export const DEFINITION_HASHES_REQUEST = 'narml/definitionHashes';

export interface DefinitionHashes {
  uri: string;
  definitions: Record<string, string>;
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
  showExperiments: 'narml.showExperiments',
  /** Opens the Monitor Trends panel of a monitor. Arguments: [uri, monitor name]. */
  showMonitorTrends: 'narml.showMonitorTrends',
  /** Puts a Runs & Models version into production (`narml promote`). Argument: the tree's version node. */
  promoteVersion: 'narml.promoteVersion',
  /** Rolls a Runs & Models model's production back (`narml rollback`). Argument: the tree's model node. */
  rollbackModel: 'narml.rollbackModel',
  /** Starts `narml serve` on the active pipeline, or stops it when it runs. */
  serveModel: 'narml.serveModel',
  /** Opens the Try it panel on the running server. */
  tryModel: 'narml.tryModel',
  /** Opens the workspace trust editor (the Restricted Mode lens). No arguments. */
  manageTrust: 'narml.manageTrust',
  /** Copies the penguins sample into the workspace and opens it (the walkthrough). No arguments. */
  openSample: 'narml.openSample',
  /** Asks the ClickHouse engine's user and password and keeps them in SecretStorage. No arguments. */
  setClickHouseCredentials: 'narml.setClickHouseCredentials',
} as const;

/**
 * The environment variables the ClickHouse engine reads its credentials from (never from the
 * pipeline file); the extension sets them from SecretStorage for the server and the CLI.
 */
export const CLICKHOUSE_ENV = { user: 'NARML_CLICKHOUSE_USER', password: 'NARML_CLICKHOUSE_PASSWORD' } as const;

/**
 * `narml/workspaceTrust` (notification, client → server): whether the workspace is trusted.
 * In Restricted Mode the server offers no lens that runs a pipeline, and one that says how to
 * trust the folder; the same value goes in `initializationOptions.trusted` (default true).
 */
export const WORKSPACE_TRUST_NOTIFICATION = 'narml/workspaceTrust';

export interface WorkspaceTrustParams {
  trusted: boolean;
}

/**
 * `narml/allowOutsideWorkspace` (notification, client → server): whether outputs may leave the
 * workspace folder (NML140 off). The extension sends true only in a trusted workspace whose
 * setting `narml.runner.allowOutsideWorkspace` is on; the same value goes in `initializationOptions`.
 */
export const ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION = 'narml/allowOutsideWorkspace';

export interface AllowOutsideWorkspaceParams {
  allow: boolean;
}
