// The NarML language server (stdio: `node dist/server.js --stdio`; IPC for the VS Code client).
// Each open document is re-checked on each change, reusing the previous check's results of the
// declarations the change cannot affect (checker/check-reuse.ts); a newer edit supersedes a
// pending check. One schema cache serves every document; sampled schemas are refined in the background
// and CSV files of open pipelines are watched, so a change on disk re-checks their dependants.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CodeActionKind, CodeLensRefreshRequest, createConnection, DiagnosticSeverity, DidChangeWatchedFilesNotification, FileChangeType, ProposedFeatures, TextDocuments,
  TextDocumentSyncKind, TextEdit, type CodeAction, type Diagnostic as LspDiagnostic, type InitializeParams, type SemanticTokensLegend,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { checkPipeline } from '../checker/check-pipeline';
import { DeclarationReuse } from '../checker/check-reuse';
import { parquetActuals, predictionSources } from '../checker/check-files';
import { isParquet } from '../engine/duckdb-dialect';
import type { CheckedPipeline } from '../checker/checked-model';
import type { Diagnostic } from '../checker/diagnostic';
import { CsvSchemaCache } from '../data/csv-schema-cache';
import type { CsvOptions } from '../data/csv-options';
import { formatDocument } from '../language/format';
import { formatColumnType } from '../language/schema';
import { ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, DEFINITION_HASHES_REQUEST, PIPELINE_GRAPH_REQUEST, WORKSPACE_TRUST_NOTIFICATION, type DefinitionHashes, type WorkspaceTrustParams, type AllowOutsideWorkspaceParams, type PipelineGraph, type PipelineGraphNode, type PipelineGraphParams } from '../contracts/lsp-requests';
import { DEFAULT_ENGINES, type DefaultEngineName } from '../contracts/cli-json';
import { isInside, workspaceOf } from '../workspace/output-paths';
import { StoreRegistrySource } from '../store/registry';
import { readLatestEvaluations } from '../store/run-store';
import { cachedFileHasher, definitionHashes } from '../runner/definition-hash';
import { codeActions } from './code-actions';
import { complete } from './completion';
import { codeLenses, definition, documentSymbols, hover, inlayHints, lspRange, prepareRename, references, rename } from './features';
import { diagnosticsIn } from './position-context';
import { semanticTokens, TOKEN_LEGEND } from './semantic-tokens';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const cache = new CsvSchemaCache();
/** `with churn@production`: re-read when a run or a promotion is recorded (two stats per check). */
const registry = new StoreRegistrySource();
const checked = new Map<string, CheckedPipeline>();
const timers = new Map<string, NodeJS.Timeout>();
/** Each open document's declaration results, reused by its next check. */
const reuses = new Map<string, DeclarationReuse>();
/** How long each document's latest check took, and when it last changed (milliseconds). */
const checkTimes = new Map<string, number>();
const lastChanges = new Map<string, number>();
const watchers = new Map<string, FSWatcher>();
let debounceMs = 30;
let clientWatchesFiles = false;

function filePath(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}

/** The places a diagnostic involves; a duplicate declaration points at the first one, so editors can jump between the two. */
function related(p: CheckedPipeline, uri: string, d: Diagnostic): LspDiagnostic['relatedInformation'] {
  if (d.related) return d.related.map((r) => ({ location: { uri, range: lspRange(r.range) }, message: r.message }));
  if (d.code !== 'NML102') return undefined;
  const first = p.symbols.get(p.text.slice(d.range.start.offset, d.range.end.offset).replace(/`/g, ''));
  if (!first || first.nameRange.start.offset === d.range.start.offset) return undefined;
  return [{ location: { uri, range: lspRange(first.nameRange) }, message: `"${first.name}" is first declared here` }];
}

function toLsp(p: CheckedPipeline, uri: string, d: Diagnostic): LspDiagnostic {
  const relatedInformation = related(p, uri, d);
  return {
    range: lspRange(d.range),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : d.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: d.code,
    source: 'narml',
    message: d.message,
    ...(relatedInformation ? { relatedInformation } : {}),
    ...(d.fixes ? { data: d.fixes } : {}),
  };
}

/** The client's workspace folders (absolute paths): outputs may go anywhere inside the one holding a file. */
let workspaceFolders: string[] = [];
/** Set by the client only in a trusted workspace with narml.runner.allowOutsideWorkspace on. */
let allowOutsideWorkspace = false;
let clientHasFolders = false;
/** False in VS Code's Restricted Mode: no lens runs a pipeline there. Other editors have no such mode. */
let trusted = true;
let clientRefreshesLenses = false;
/** The narml.engine setting: the engine of a pipeline without an `engine:` statement, as the editor's runs get it (--default-engine). */
let defaultEngine: DefaultEngineName | undefined;

/** A setting's engine, if it is one a pipeline can default to (`pipeline`, the setting's default, is none). */
function engineSetting(value: unknown): DefaultEngineName | undefined {
  return DEFAULT_ENGINES.find((e) => e === value);
}

/** The innermost workspace folder that holds `file`; undefined (the file's own folder) when none does. */
function workspaceFolderOf(file: string): string | undefined {
  let best: string | undefined;
  for (const f of workspaceFolders) if (isInside(f, file) && (!best || f.length > best.length)) best = f;
  return best;
}

function recheckAll(): void {
  for (const doc of documents.all()) schedule(doc.uri, true);
}

/** Checks a document now (or returns the current result when the text is unchanged). */
function ensureChecked(uri: string): CheckedPipeline | undefined {
  const doc = documents.get(uri);
  if (!doc) return checked.get(uri);
  const prev = checked.get(uri);
  if (prev && prev.text === doc.getText()) return prev;
  const file = filePath(uri);
  let reuse = reuses.get(uri);
  if (!reuse) reuses.set(uri, (reuse = new DeclarationReuse()));
  const start = performance.now();
  const result = checkPipeline(doc.getText(), file, cache, { workspace: workspaceOf(file, workspaceFolderOf(file), allowOutsideWorkspace), reuse, registry, ...(defaultEngine ? { defaultEngine } : {}) });
  checkTimes.set(uri, performance.now() - start);
  checked.set(uri, result);
  return result;
}

function publish(uri: string): void {
  let result: CheckedPipeline | undefined;
  try {
    result = ensureChecked(uri);
  } catch (e) {
    connection.console.error(`narml: checking ${uri} failed: ${e instanceof Error ? e.stack : String(e)}`);
    return;
  }
  if (!result) return;
  void connection.sendDiagnostics({ uri, diagnostics: result.diagnostics.map((d) => toLsp(result, uri, d)) });
  watchDatasets(uri, result);
  void refineSchemas(uri, result);
}

/**
 * Checks a document soon: at once (on the next turn of the event loop, so changes that arrived
 * together are checked together), unless the change comes within the debounce of the one before
 * and the last check took more than half of it. Then a burst of typing would queue checks, so
 * the check waits for the debounce, restarted by each change. With reuse, a keystroke's check is
 * quick and every change is checked at once. `force` (a CSV, the workspace or a setting changed)
 * checks everything again, output places included.
 */
function schedule(uri: string, force = false): void {
  clearTimeout(timers.get(uri));
  if (force) {
    checked.delete(uri);
    reuses.get(uri)?.clear();
  }
  const now = performance.now();
  const burst = now - (lastChanges.get(uri) ?? -Infinity) < debounceMs;
  lastChanges.set(uri, now);
  const wait = burst && (checkTimes.get(uri) ?? 0) > debounceMs / 2 ? debounceMs : 0;
  timers.set(uri, setTimeout(() => { timers.delete(uri); publish(uri); }, wait));
}

/** Full reads under way, one per dataset (path and options), shared by every document that reads it. */
const refining = new Map<string, Promise<boolean>>();

function refineOnce(path: string, options: CsvOptions): Promise<boolean> {
  const key = `${path}\u0000${JSON.stringify(options)}`;
  let running = refining.get(key);
  if (!running) {
    // Keystrokes re-check often; without sharing, each check would start another full read.
    running = cache.refine(path, options).catch(() => false).finally(() => refining.delete(key));
    refining.set(key, running);
  }
  return running;
}

async function refineSchemas(uri: string, result: CheckedPipeline): Promise<void> {
  const reads = result.infos.flatMap((info) => {
    if (info?.kind !== 'dataset') return [];
    // A ClickHouse table: asked once (a failure again after a while), then the file is re-checked.
    if (info.table) return cache.tables.needsLoad(info.table.url, info.table.name) ? [cache.tables.load(info.table.url, info.table.name).then(() => true)] : [];
    return info.schemaComplete ? [] : [refineOnce(info.path, info.options)];
  });
  // A Parquet prediction source or label file has no sample to check against until its schema is read.
  for (const s of [...predictionSources(result), ...parquetActuals(result)]) if (isParquet(s.path)) reads.push(refineOnce(s.path, s.options));
  if (reads.length === 0) return;
  const changed = (await Promise.all(reads)).some(Boolean);
  if (changed && documents.get(uri)) schedule(uri, true);
}

/** The CSV files each open document's datasets read, to re-check only the dependants of a change. */
const reads = new Map<string, Set<string>>();

/** Watches the CSV files open pipelines read, for clients that do not send file events. */
function watchDatasets(uri: string, result: CheckedPipeline): void {
  const files = new Set<string>();
  for (const info of result.infos) {
    if (info?.kind !== 'dataset' || !info.schema || info.table) continue;
    const r = cache.schema(info.path, info.options);
    if (r.ok) for (const f of r.files) files.add(resolve(f));
  }
  reads.set(uri, files);
  for (const f of files) {
    if (watchers.has(f)) continue;
    try {
      const w = watch(f, { persistent: false }, (event) => {
        // A file replaced by rename is a new inode: drop this watcher; the re-check watches the new one.
        if (event === 'rename') unwatch(f);
        csvChanged(f, FileChangeType.Changed);
      });
      w.on('error', () => unwatch(f));
      watchers.set(f, w);
    } catch {
      // Not watchable (e.g. on some network file systems): client file events still work.
    }
  }
}

function unwatch(file: string): void {
  watchers.get(file)?.close();
  watchers.delete(file);
}

/** Closes watchers of files no open document reads any more. */
function pruneWatchers(): void {
  const needed = new Set<string>();
  for (const files of reads.values()) for (const f of files) needed.add(f);
  for (const f of [...watchers.keys()]) if (!needed.has(f)) unwatch(f);
}

function csvChanged(path: string, type: FileChangeType): void {
  const file = resolve(path);
  cache.invalidate(file);
  for (const doc of documents.all()) {
    // A created or deleted file may match (or stop matching) a glob: re-check everything then.
    const known = reads.get(doc.uri);
    if (type !== FileChangeType.Changed || !known || known.has(file)) schedule(doc.uri, true);
  }
}

connection.onInitialize((params: InitializeParams) => {
  const opts = params.initializationOptions as { debounceMs?: number; allowOutsideWorkspace?: boolean; trusted?: boolean; engine?: unknown } | undefined;
  allowOutsideWorkspace = opts?.allowOutsideWorkspace === true;
  defaultEngine = engineSetting(opts?.engine);
  trusted = opts?.trusted !== false;
  clientRefreshesLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
  workspaceFolders = folders.filter((u) => u.startsWith('file:')).map(filePath);
  clientHasFolders = params.capabilities.workspace?.workspaceFolders === true;
  if (typeof opts?.debounceMs === 'number' && opts.debounceMs >= 0) debounceMs = opts.debounceMs;
  clientWatchesFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  const legend: SemanticTokensLegend = TOKEN_LEGEND;
  return {
    capabilities: {
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [' ', ':', '[', ',', '(', '.', '@'] },
      hoverProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      documentFormattingProvider: true,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      inlayHintProvider: true,
      codeLensProvider: { resolveProvider: false },
      semanticTokensProvider: { legend, full: true },
    },
    serverInfo: { name: 'narml', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  // The library throws on subscribing when the client never sends folder changes.
  if (clientHasFolders) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => filePath(f.uri)));
      workspaceFolders = [...workspaceFolders.filter((f) => !removed.has(f)), ...e.added.map((f) => filePath(f.uri))];
      recheckAll();
    });
  }
  // Clients without dynamic registration (Neovim's default) rely on the fs.watch fallback alone.
  // A promotion (registry/) or a run (runs/) changes what `with churn@production` finds.
  if (clientWatchesFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.csv' }, { globPattern: '**/.narml/registry/*.json' }, { globPattern: '**/.narml/runs/*.json' }] }).catch(() => undefined);
});

connection.onDidChangeWatchedFiles((e) => {
  for (const change of e.changes) {
    const path = filePath(change.uri);
    if (/[\\/]\.narml[\\/](registry|runs)[\\/][^\\/]+$/.test(path)) storeChanged(path);
    else csvChanged(path, change.type);
  }
});

/** Re-checks the open pipelines beside a run store whose registry changed, if they name a registry version: their text is unchanged, their answer is not. */
function storeChanged(path: string): void {
  const folder = dirname(dirname(dirname(resolve(path))));
  for (const doc of documents.all()) {
    const usesRegistry = checked.get(doc.uri)?.document.declarations.some((d) => (d.kind === 'predict' || d.kind === 'monitor') && d.version);
    if (usesRegistry && dirname(filePath(doc.uri)) === folder) schedule(doc.uri, true);
  }
}

// VS Code's client sends { narml: { engine } } when the setting changes; other editors send their settings object the same way.
connection.onDidChangeConfiguration((params) => {
  const settings = params.settings as { narml?: { engine?: unknown } } | undefined;
  if (!settings?.narml || !('engine' in settings.narml)) return;
  const engine = engineSetting(settings.narml.engine);
  if (engine === defaultEngine) return;
  defaultEngine = engine;
  recheckAll();
});

connection.onNotification(ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, (params: AllowOutsideWorkspaceParams) => {
  allowOutsideWorkspace = params.allow === true;
  recheckAll();
});

connection.onNotification(WORKSPACE_TRUST_NOTIFICATION, (params: WorkspaceTrustParams) => {
  trusted = params.trusted === true;
  // The Run lenses appear once the folder is trusted, without an edit.
  if (clientRefreshesLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
});

documents.onDidOpen((e) => schedule(e.document.uri));
documents.onDidChangeContent((e) => schedule(e.document.uri));
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri));
  checked.delete(e.document.uri);
  reuses.delete(e.document.uri);
  checkTimes.delete(e.document.uri);
  lastChanges.delete(e.document.uri);
  reads.delete(e.document.uri);
  pruneWatchers();
  void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
});

/** Runs a request against the current checked pipeline; never throws to the client. */
function withChecked<T>(uri: string, fallback: T, f: (p: CheckedPipeline, doc: TextDocument) => T): T {
  const doc = documents.get(uri);
  if (!doc) return fallback;
  try {
    const p = ensureChecked(uri);
    return p ? f(p, doc) : fallback;
  } catch (e) {
    connection.console.error(`narml: request failed: ${e instanceof Error ? e.stack : String(e)}`);
    return fallback;
  }
}

connection.onCompletion((params) => withChecked(params.textDocument.uri, [], (p, doc) => complete(p, doc.offsetAt(params.position), registry)));
connection.onHover((params) => withChecked(params.textDocument.uri, null, (p, doc) => hover(p, doc.offsetAt(params.position), () => readLatestEvaluations(p.file), registry)));
connection.onDefinition((params) => withChecked(params.textDocument.uri, null, (p, doc) => definition(p, params.textDocument.uri, doc.offsetAt(params.position))));
connection.onReferences((params) => withChecked(params.textDocument.uri, [], (p, doc) => references(p, params.textDocument.uri, doc.offsetAt(params.position))));
connection.onPrepareRename((params) => withChecked(params.textDocument.uri, null, (p, doc) => prepareRename(p, doc.offsetAt(params.position))));
connection.onRenameRequest((params) => withChecked(params.textDocument.uri, null, (p, doc) => rename(p, params.textDocument.uri, doc.offsetAt(params.position), params.newName)));
connection.onDocumentSymbol((params) => withChecked(params.textDocument.uri, [], (p) => documentSymbols(p)));
connection.onDocumentFormatting((params) => withChecked(params.textDocument.uri, [], (_p, doc) => {
  const text = doc.getText();
  const formatted = formatDocument(text);
  return formatted === text ? [] : [TextEdit.replace({ start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, formatted)];
}));
connection.languages.inlayHint.on((params) => withChecked(params.textDocument.uri, [], (p) => inlayHints(p, params.range)));
connection.onCodeLens((params) => withChecked(params.textDocument.uri, [], (p) => codeLenses(p, params.textDocument.uri, trusted)));
connection.languages.semanticTokens.on((params) => withChecked(params.textDocument.uri, { data: [] }, (p) => semanticTokens(p)));

connection.onCodeAction((params) => withChecked(params.textDocument.uri, [] as CodeAction[], (p) => codeActions(p, params.textDocument.uri, params.context.diagnostics)));

/** What the lineage shows of a declaration beyond its name: a predict's or monitor's schedule (else its retraining's), a table's columns and rows. */
function graphDetails(p: CheckedPipeline, name: string): Partial<PipelineGraphNode> {
  const info = p.infos[p.symbols.get(name)!.declarationIndex];
  if (info?.kind === 'predict') return info.schedule ? { schedule: info.schedule } : {};
  if (info?.kind === 'monitor') {
    const schedule = info.schedule ?? info.retrainSchedule;
    return schedule ? { schedule } : {};
  }
  const table = p.tables.get(name);
  if (!table) return {};
  return {
    columns: table.columns.slice(0, 200).map((c) => ({ name: c.name, type: formatColumnType(c) })), columnCount: table.columns.length,
    ...(table.rowCount !== undefined ? { rows: table.rowCount, rowsExact: table.rowCountExact === true } : {}),
  };
}

connection.onRequest(PIPELINE_GRAPH_REQUEST, (params: PipelineGraphParams): PipelineGraph => withChecked(params.uri, { uri: params.uri, nodes: [] }, (p) => ({
  uri: params.uri,
  nodes: [...p.symbols.values()].map((s) => {
    const d = p.document.declarations[s.declarationIndex];
    const inside = diagnosticsIn(p, d.range);
    return {
      name: s.name, kind: s.kind, line: d.keyword.start.line, dependsOn: s.dependsOn.filter((n) => p.symbols.has(n)),
      errors: inside.filter((x) => x.severity === 'error').length, warnings: inside.filter((x) => x.severity === 'warning').length,
      ...graphDetails(p, s.name),
    };
  }),
})));

// Files are re-hashed only when their size or time changed: the panel asks after every run.
const hashFile = cachedFileHasher();
connection.onRequest(DEFINITION_HASHES_REQUEST, (params: PipelineGraphParams): Promise<DefinitionHashes> =>
  withChecked(params.uri, Promise.resolve({ uri: params.uri, definitions: {} }), async (p) => ({ uri: params.uri, definitions: await definitionHashes(p, hashFile) })));

documents.listen(connection);
connection.listen();

