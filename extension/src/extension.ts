// The NarML VS Code extension: starts the language server (IPC), registers the commands the
// code lenses and the palette call, the Pipeline and Runs views, and the panels. Runs, previews
// and predictions go to the `narml` CLI in a child process; the extension host never trains.
import { askCredentials, storedCredentials } from './clickhouse-credentials';
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DidChangeConfigurationNotification, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, COMMANDS, DEFINITION_HASHES_REQUEST, PIPELINE_GRAPH_REQUEST, WORKSPACE_TRUST_NOTIFICATION, type DefinitionHashes, type AllowOutsideWorkspaceParams, type PipelineGraph, type WorkspaceTrustParams } from '../../server/src/contracts/lsp-requests';
import { openPendingSample, openSample, showTrust } from './getting-started';
import type { RegistryChangeJson, RunJson } from '../../server/src/contracts/cli-json';
import { lineageStatus } from './lineage-status';
import { PanelManager } from './panels/panel-manager';
import { ExperimentsPanel, ModelsTree, type Node as ModelsNode } from './experiments';
import { MonitorTrendsPanel } from './monitor-trends';
import { announceOutputs } from './output-notice';
import { replacesMetrics } from './metrics-update';
import { runCli } from './runner-process';
import { PreviewSession } from './panels/preview-session';
import { registryNotice, schedulesOf } from './notice-text';
import { SchedulerControl, showNotifyEvent } from './scheduler-control';
import { ServeControl } from './serve-control';
import { allowOutsideWorkspace, engineArgs, workspaceArgs, type OutputGate } from './workspace-args';

let client: LanguageClient | undefined;
const lastRuns = new Map<string, RunJson>();

function nodePath(): string {
  const configured = vscode.workspace.getConfiguration('narml').get<string>('runner.nodePath');
  return configured && configured.trim() ? configured : process.execPath;
}

function outputGate(): OutputGate {
  return { trusted: vscode.workspace.isTrusted, setting: vscode.workspace.getConfiguration('narml').get<boolean>('runner.allowOutsideWorkspace') === true };
}

/** `--workspace` (the VS Code workspace folder holding the file, else its folder) and, when allowed, the override. */
function outputArgs(uri: vscode.Uri): string[] {
  return workspaceArgs(vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath ?? dirname(uri.fsPath), outputGate());
}

/** The ClickHouse credentials from SecretStorage, as environment variables (clickhouse-credentials.ts). */
let credentials: Record<string, string> = {};

/** The setting narml.engine: the engine of a pipeline without an `engine:` statement. */
function engineSettingValue(): string | undefined {
  return vscode.workspace.getConfiguration('narml').get<string>('engine');
}

/** `--default-engine` from narml.engine, for every command that checks a pipeline before it acts (run, preview, predict, scheduler, serve). */
function engineChoice(): string[] {
  return engineArgs(engineSettingValue());
}

function nodeEnv(): NodeJS.ProcessEnv {
  // VS Code's own binary runs scripts as plain Node when asked to.
  return { ...(nodePath() === process.execPath ? { ELECTRON_RUN_AS_NODE: '1' } : {}), ...credentials };
}

/** A save may still be writing the file: the runner must read what the editor shows. */
async function untilOnDisk(path: string, text: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if (readFileSync(path, 'utf8') === text) return;
    } catch {
      // being replaced
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface RunGate {
  isTrusted: boolean;
}

/** Why running is refused, or undefined when it may run (untrusted workspaces only check). */
export function runRefusal(gate: RunGate): string | undefined {
  return gate.isTrusted ? undefined : 'Running pipelines is disabled in Restricted Mode: a pipeline reads and writes files and runs training code. Trust this workspace to run it; checking still works.';
}

function activeFile(uri?: string | vscode.Uri): vscode.Uri | undefined {
  if (uri instanceof vscode.Uri) return uri;
  if (typeof uri === 'string') return vscode.Uri.parse(uri);
  // A panel may have the focus: fall back to a visible, then to any open, pipeline.
  const doc = vscode.window.activeTextEditor?.document;
  if (doc?.languageId === 'narml') return doc.uri;
  const visible = vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'narml');
  return visible?.document.uri ?? vscode.workspace.textDocuments.find((d) => d.languageId === 'narml' && !d.isClosed)?.uri;
}

class PipelineTree implements vscode.TreeDataProvider<{ name: string; kind: string; line: number; detail: string; uri: string }> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  refresh(): void { this.changed.fire(); }
  getTreeItem(n: { name: string; kind: string; line: number; detail: string; uri: string }): vscode.TreeItem {
    const item = new vscode.TreeItem(n.name);
    item.description = n.detail;
    item.tooltip = `${n.kind} ${n.name}`;
    item.command = { command: 'vscode.open', title: 'Reveal', arguments: [vscode.Uri.parse(n.uri), { selection: new vscode.Range(n.line, 0, n.line, 0) }] };
    item.iconPath = new vscode.ThemeIcon(({ dataset: 'database', transform: 'symbol-function', split: 'split-horizontal', model: 'symbol-class', evaluate: 'graph', compare: 'diff', predict: 'output', monitor: 'pulse', export: 'package' } as Record<string, string>)[n.kind] ?? 'circle');
    item.contextValue = n.kind;
    return item;
  }
  async getChildren(): Promise<{ name: string; kind: string; line: number; detail: string; uri: string }[]> {
    const uri = activeFile();
    if (!uri || !client) return [];
    const graph = (await client.sendRequest(PIPELINE_GRAPH_REQUEST, { uri: uri.toString() })) as PipelineGraph;
    const run = lastRuns.get(uri.fsPath);
    return graph.nodes.map((n) => {
      const metrics = Object.entries(run?.evaluations ?? {}).find(([name, e]) => name === n.name || (n.kind === 'model' && e.model === n.name));
      const status = n.errors > 0 ? `${n.errors} error${n.errors > 1 ? 's' : ''}` : run ? (run.reused.includes(n.name) ? 'reused' : run.computed.includes(n.name) ? 'ran' : '') : '';
      const m = metrics ? Object.entries(metrics[1].metrics).slice(0, 2).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ') : '';
      return { name: n.name, kind: n.kind, line: n.line, detail: [n.kind, status, m].filter(Boolean).join(' · '), uri: uri.toString() };
    });
  }
}

/** Runs recorded beside a pipeline, oldest first, as `narml history --json` reads them from the store. */
async function runHistory(cli: string, file: string): Promise<RunJson[]> {
  const r = await runCli<{ runs: RunJson[] }>(nodePath(), cli, ['history', file, '--json'], { cwd: dirname(file), env: nodeEnv() });
  return r.json?.runs ?? [];
}

export async function activate(context: vscode.ExtensionContext): Promise<{ runPipelineForTest(file: string): Promise<RunJson | undefined>; runRefusal: typeof runRefusal }> {
  const output = vscode.window.createOutputChannel('NarML', { log: true });
  const serverModule = context.asAbsolutePath(join('dist', 'server.js'));
  const cli = context.asAbsolutePath(join('dist', 'cli.js'));
  credentials = await storedCredentials(context.secrets);
  // One options object: new credentials change its env, then the server is restarted with them.
  const forkOptions = { env: { ...process.env, ...credentials } };
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: forkOptions },
    debug: { module: serverModule, transport: TransportKind.ipc, options: forkOptions },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'narml' }],
    outputChannel: output,
    initializationOptions: { debounceMs: vscode.workspace.getConfiguration('narml').get<number>('check.debounceMs') ?? 30, allowOutsideWorkspace: allowOutsideWorkspace(outputGate()), trusted: vscode.workspace.isTrusted, engine: engineSettingValue() },
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.csv') },
  };
  client = new LanguageClient('narml', 'NarML', serverOptions, clientOptions);
  await client.start();
  const sendOutputGate = (): void => { void client?.sendNotification(ALLOW_OUTSIDE_WORKSPACE_NOTIFICATION, { allow: allowOutsideWorkspace(outputGate()) } satisfies AllowOutsideWorkspaceParams); };
  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(sendOutputGate),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('narml.runner.allowOutsideWorkspace')) sendOutputGate();
      // The server checks by the same engine the runs get.
      if (e.affectsConfiguration('narml.engine')) void client?.sendNotification(DidChangeConfigurationNotification.type, { settings: { narml: { engine: engineSettingValue() } } });
    }),
  );

  const panels = new PanelManager(context);
  const pipelineTree = new PipelineTree();
  const callCli = <T>(args: string[], cwd: string) => runCli<T>(nodePath(), cli, args, { cwd, env: nodeEnv(), onLog: (l) => output.appendLine(l) });
  const runsTree = new ModelsTree(callCli, () => activeFile());
  const experiments = new ExperimentsPanel(panels, callCli, (file, id) => void vscode.commands.executeCommand(COMMANDS.showMetrics, file, undefined, undefined, id));
  const trends = new MonitorTrendsPanel(panels, callCli);
  context.subscriptions.push(
    vscode.window.registerTreeDataProvider('narml.pipeline', pipelineTree),
    vscode.window.registerTreeDataProvider('narml.runs', runsTree),
    vscode.window.onDidChangeActiveTextEditor(() => { pipelineTree.refresh(); runsTree.refresh(); }),
    vscode.workspace.onDidSaveTextDocument((d) => { if (d.languageId === 'narml') pipelineTree.refresh(); }),
  );
  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  showTrust(status, vscode.workspace.isTrusted);
  context.subscriptions.push(status, vscode.workspace.onDidGrantWorkspaceTrust(() => {
    showTrust(status, true);
    void client?.sendNotification(WORKSPACE_TRUST_NOTIFICATION, { trusted: true } satisfies WorkspaceTrustParams);
  }));
  status.show();

  /** `names`: a run of those declarations, which the CLI refuses only for errors in what they need (a model whose @production a predict awaits can be trained). */
  const checkBeforeRun = (uri: vscode.Uri, names: string[] = []): boolean => {
    const refusal = runRefusal({ isTrusted: vscode.workspace.isTrusted });
    if (refusal) { void vscode.window.showWarningMessage(refusal, 'Manage Workspace Trust').then((c) => c && vscode.commands.executeCommand('workbench.trust.manage')); return false; }
    if (names.length > 0) return true;
    const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length > 0) {
      void vscode.window.showErrorMessage(`The pipeline has ${errors.length} error${errors.length > 1 ? 's' : ''}; fix them before running.`, 'Show Problems').then((c) => c && vscode.commands.executeCommand('workbench.actions.view.problems'));
      return false;
    }
    return true;
  };

  const afterRun: ((uri: vscode.Uri) => void)[] = [];
  const run = async (uri: vscode.Uri, names: string[]): Promise<RunJson | undefined> => {
    if (!checkBeforeRun(uri, names)) return undefined;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (doc?.isDirty) await doc.save();
    if (doc) await untilOnDisk(uri.fsPath, doc.getText());
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `NarML: running ${names.join(', ') || 'pipeline'}`, cancellable: true }, (progress, token) => {
      let last = 0;
      return runCli<RunJson>(nodePath(), cli, ['run', uri.fsPath, ...names, '--json', '--progress', 'json', ...outputArgs(uri), ...engineChoice()], {
        cwd: dirname(uri.fsPath), env: nodeEnv(), cancel: token, onLog: (l) => output.appendLine(l),
        onProgress: (e) => {
          if (e.type === 'stage') {
            const pct = Math.round(e.fraction * 100);
            progress.report({ message: `${e.stage} ${e.declaration} ${pct}%` });
            last = pct;
          } else if (e.type === 'log') output.appendLine(`${e.level}: ${e.message}`);
          else if (e.type === 'notify') showNotifyEvent(e.event);
          void last;
        },
      });
    });
    const r = result.json;
    if (!r) {
      output.appendLine(result.stderr);
      const reason = result.stderr.trim().split('\n').filter((l) => !l.startsWith('{')).pop() ?? `exit status ${result.code}`;
      void vscode.window.showErrorMessage(`NarML: the run could not start: ${reason}`, 'Show Output').then((c) => c && output.show());
      return undefined;
    }
    lastRuns.set(uri.fsPath, r);
    for (const f of afterRun) f(uri);
    pipelineTree.refresh();
    runsTree.refresh();
    void experiments.refreshAfterRun(uri);
    void trends.refreshAfterRun(uri);
    if (r.status === 'succeeded') announceOutputs(r);
    else if (r.status === 'cancelled') void vscode.window.showWarningMessage('NarML: the run was cancelled.');
    else void vscode.window.showErrorMessage(`NarML: the run failed: ${r.error ?? 'see the output'}`, 'Show Output').then((c) => c && output.show());
    if (replacesMetrics(r)) panels.show('metrics', 'NarML Metrics', { type: 'metrics', run: r });
    return r;
  };

  const latestRun = async (uri: vscode.Uri): Promise<RunJson | undefined> => {
    const cached = lastRuns.get(uri.fsPath);
    if (cached) return cached;
    return (await runHistory(cli, uri.fsPath)).filter((x) => Object.keys(x.evaluations).length > 0).pop();
  };

  const register = (id: string, f: (...args: unknown[]) => unknown): void => { context.subscriptions.push(vscode.commands.registerCommand(id, f)); };
  const pickName = async (uri: vscode.Uri, kinds: string[], prompt: string): Promise<string | undefined> => {
    const graph = (await client!.sendRequest(PIPELINE_GRAPH_REQUEST, { uri: uri.toString() })) as PipelineGraph;
    const names = graph.nodes.filter((n) => kinds.includes(n.kind)).flatMap((n) => (n.kind === 'split' ? [`${n.name}.train`, `${n.name}.test`] : [n.name]));
    return vscode.window.showQuickPick(names, { placeHolder: prompt });
  };

  // Promotions only write the run store's registry, through the CLI like every store access.
  const changeRegistry = async (action: 'promote' | 'rollback', args: string[], file: string): Promise<void> => {
    if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage('Promoting and rolling back models is disabled in Restricted Mode: it changes which model the pipeline\'s predictions use. Trust this workspace first.');
    const r = await callCli<RegistryChangeJson>([...args, '--file', file, '--json'], dirname(file));
    if (r.code !== 0 || !r.json) return void vscode.window.showErrorMessage(`NarML: ${r.stderr.trim().replace(/^narml: /, '') || `narml ${action} failed; see the NarML output.`}`);
    void vscode.window.showInformationMessage(registryNotice(action, r.json));
    runsTree.refresh();
  };
  register(COMMANDS.promoteVersion, async (n?: unknown) => {
    const node = n as ModelsNode | undefined;
    if (node?.kind !== 'version') return void vscode.window.showWarningMessage('Choose a version in Runs & Models to promote it to production.');
    return changeRegistry('promote', ['promote', node.version.model, node.version.version, '--stage', 'production'], node.file);
  });
  register(COMMANDS.rollbackModel, async (n?: unknown) => {
    const node = n as ModelsNode | undefined;
    if (node?.kind !== 'model') return void vscode.window.showWarningMessage('Choose a model in Runs & Models to roll back its production version.');
    return changeRegistry('rollback', ['rollback', node.group.model], node.file);
  });

  register(COMMANDS.runPipeline, async (u?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return void vscode.window.showWarningMessage('Open a .narml file to run it.');
    return run(uri, []);
  });
  register(COMMANDS.runDeclaration, async (u?: unknown, name?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return undefined;
    const n = (name as string | undefined) ?? await pickName(uri, ['dataset', 'transform', 'split', 'model', 'evaluate', 'compare', 'predict', 'monitor', 'export'], 'Declaration to run');
    return n ? run(uri, [n]) : undefined;
  });
  // The grid's pages come from the process that read the table (sorted there, never in the webview).
  let previewSession: PreviewSession | undefined;
  register(COMMANDS.previewData, async (u?: unknown, name?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return undefined;
    if (!checkBeforeRun(uri)) return undefined;
    const n = (name as string | undefined) ?? await pickName(uri, ['dataset', 'transform', 'split'], 'Table to preview');
    if (!n) return undefined;
    const rows = vscode.workspace.getConfiguration('narml').get<number>('preview.rows') ?? 1000;
    previewSession?.dispose();
    previewSession = undefined;
    const r = await PreviewSession.start(nodePath(), [cli, 'preview', uri.fsPath, n, '--rows', String(rows), '--serve', ...outputArgs(uri), ...engineChoice()], { cwd: dirname(uri.fsPath), env: nodeEnv(), onLog: (l) => output.appendLine(l) });
    if ('error' in r) {
      panels.show('preview', `Preview: ${n}`, { type: 'error', message: r.error || 'The preview failed.' });
      return undefined;
    }
    previewSession = r.session;
    panels.show('preview', `Preview: ${n}`, { type: 'preview', preview: r.preview });
    return r.preview;
  });
  // `runId` (from Runs & Models and the Experiments panel) shows that recorded run, else the latest.
  register(COMMANDS.showMetrics, async (u?: unknown, name?: unknown, given?: unknown, runId?: unknown) => {
    const uri = typeof u === 'string' && !u.includes(':') ? vscode.Uri.file(u) : activeFile(u as string | undefined);
    const recorded = typeof runId === 'string' && uri ? (await runHistory(cli, uri.fsPath)).find((x) => x.run === runId) : undefined;
    const r = (given as RunJson | undefined) ?? recorded ?? (uri ? await latestRun(uri) : undefined);
    if (!r) return void vscode.window.showInformationMessage('No metrics yet: run the pipeline first (NarML: Run Pipeline).', 'Run Pipeline').then((c) => c && uri && run(uri, []));
    panels.show('metrics', 'NarML Metrics', { type: 'metrics', run: r, ...(typeof name === 'string' ? { focus: name } : {}) });
    return r;
  });
  // Runs of the file the Lineage panel shows, read again after a run or when the panel is asked
  // for; an edit re-judges staleness against them without starting the CLI.
  const lineageRuns = new Map<string, RunJson[]>();
  const showLineage = async (uri: vscode.Uri, rereadRuns = true, reveal = true): Promise<PipelineGraph | undefined> => {
    if (!client) return undefined;
    // The server answers for open documents only (a panel restored after a reload may show a closed file).
    await vscode.workspace.openTextDocument(uri);
    const graph = (await client.sendRequest(PIPELINE_GRAPH_REQUEST, { uri: uri.toString() })) as PipelineGraph;
    const [hashes, runs] = await Promise.all([
      client.sendRequest(DEFINITION_HASHES_REQUEST, { uri: uri.toString() }) as Promise<DefinitionHashes>,
      !rereadRuns && lineageRuns.has(uri.fsPath) ? lineageRuns.get(uri.fsPath)! : runHistory(cli, uri.fsPath),
    ]);
    lineageRuns.set(uri.fsPath, runs);
    panels.show('lineage', `Lineage: ${basename(uri.fsPath)}`, { type: 'lineage', graph, status: lineageStatus(graph, hashes.definitions, runs) }, reveal);
    return graph;
  };
  panels.register({
    kind: 'lineage',
    onMessage: (m, state) => {
      if (m.type !== 'reveal' || state?.type !== 'lineage') return;
      const uri = vscode.Uri.parse(state.graph.uri);
      // The editor already showing the file, else the first group: never the panels' own group.
      const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString())?.viewColumn ?? vscode.ViewColumn.One;
      void vscode.window.showTextDocument(uri, { selection: new vscode.Range(m.line, 0, m.line, 0), viewColumn: column });
    },
    // After a reload the saved graph is drawn at once, then replaced by the file's current one.
    restore: (saved) => { if (saved?.type === 'lineage') void showLineage(vscode.Uri.parse(saved.graph.uri), true, false); },
  });
  panels.register({ kind: 'metrics' });
  panels.register({
    kind: 'preview',
    onMessage: (m) => {
      if (m.type !== 'rows') return;
      const session = previewSession;
      if (!session) return panels.post('preview', { type: 'rows', page: { start: m.start, rows: [], index: [], error: 'this preview is no longer served; preview the table again' }, ...(m.sort ? { sort: m.sort } : {}) });
      void session.page({ start: m.start, count: m.count, ...(m.sort ? { sort: m.sort } : {}) }).then((page) => {
        if (session === previewSession) panels.post('preview', { type: 'rows', page, ...(m.sort ? { sort: m.sort } : {}) });
      });
    },
    onDispose: () => { previewSession?.dispose(); previewSession = undefined; },
  });
  context.subscriptions.push({ dispose: () => previewSession?.dispose() });
  const lineageShows = (uri: vscode.Uri): boolean => {
    const state = panels.stateOf('lineage');
    return state?.type === 'lineage' && state.graph.uri === uri.toString();
  };
  let lineageEdit: NodeJS.Timeout | undefined;
  context.subscriptions.push(vscode.workspace.onDidChangeTextDocument((e) => {
    if (!lineageShows(e.document.uri)) return;
    clearTimeout(lineageEdit);
    lineageEdit = setTimeout(() => void showLineage(e.document.uri, false, false), 500);
  }));
  afterRun.push((uri) => { if (lineageShows(uri)) void showLineage(uri, true, false); });
  register(COMMANDS.showLineage, async (u?: unknown) => {
    const uri = activeFile(u as string | undefined);
    return uri ? showLineage(uri) : undefined;
  });
  register(COMMANDS.predictNow, async (u?: unknown, name?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return undefined;
    const n = (name as string | undefined) ?? await pickName(uri, ['predict'], 'Prediction to run');
    return n ? run(uri, [n]) : undefined;
  });
  register(COMMANDS.exportModel, async (u?: unknown, name?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return undefined;
    const n = (name as string | undefined) ?? await pickName(uri, ['export'], 'Export to run');
    return n ? run(uri, [n]) : undefined;
  });
  register(COMMANDS.showRunHistory, () => vscode.commands.executeCommand('narml.runs.focus'));
  register(COMMANDS.showExperiments, async (u?: unknown) => {
    const uri = typeof u === 'string' && !u.includes(':') ? vscode.Uri.file(u) : activeFile(u as string | undefined);
    if (!uri) return void vscode.window.showInformationMessage('Open a .narml file to see its experiments.');
    return experiments.show(uri);
  });
  register(COMMANDS.showMonitorTrends, async (u?: unknown, name?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri) return void vscode.window.showInformationMessage('Open a .narml file with a monitor to see its trends.');
    const n = (name as string | undefined) ?? await pickName(uri, ['monitor'], 'Monitor whose trends to show');
    return n ? trends.show(uri, n) : undefined;
  });
  const scheduler = new SchedulerControl(output, context);
  register(COMMANDS.startScheduler, async (u?: unknown) => {
    const uri = activeFile(u as string | undefined);
    if (!uri || !client || !checkBeforeRun(uri)) return;
    const graph = (await client.sendRequest(PIPELINE_GRAPH_REQUEST, { uri: uri.toString() })) as PipelineGraph;
    scheduler.start(uri.fsPath, schedulesOf(graph.nodes), { node: nodePath(), cli, args: [...outputArgs(uri), ...engineChoice()], cwd: dirname(uri.fsPath), env: nodeEnv() });
  });
  register(COMMANDS.stopScheduler, () => {
    if (!scheduler.stop()) void vscode.window.showInformationMessage('The NarML scheduler is not running.');
  });

  const serving = new ServeControl(output, panels, context);
  register(COMMANDS.setClickHouseCredentials, async () => {
    const next = await askCredentials(vscode.window, context.secrets);
    if (!next) return;
    credentials = next;
    forkOptions.env = { ...process.env, ...credentials };
    // The language server reads the variables at start: restart it so checks use them.
    await client?.stop();
    await client?.start();
    void vscode.window.showInformationMessage(Object.keys(next).length > 0 ? 'NarML: ClickHouse credentials stored; runs and checks use them.' : 'NarML: ClickHouse credentials forgotten.');
  });
  register(COMMANDS.serveModel, async (u?: unknown) => {
    // A second Serve Model stops the server: one at a time, and an obvious way to end it.
    if (serving.stop()) return void vscode.window.showInformationMessage('NarML serving stopped.');
    const uri = activeFile(u as string | undefined);
    if (!uri) return void vscode.window.showWarningMessage('Open a .narml file whose models were trained to serve them.');
    if (!checkBeforeRun(uri)) return undefined;
    return serving.start(uri.fsPath, { node: nodePath(), cli, args: [...outputArgs(uri), ...engineChoice()], cwd: dirname(uri.fsPath), env: nodeEnv() });
  });
  register(COMMANDS.tryModel, () => serving.tryIt());

  register(COMMANDS.manageTrust, () => vscode.commands.executeCommand('workbench.trust.manage'));
  register(COMMANDS.openSample, () => openSample(context));
  void openPendingSample(context);

  if (!existsSync(cli)) output.appendLine(`NarML: ${cli} is missing; reinstall the extension.`);
  return {
    runPipelineForTest: (file: string) => run(vscode.Uri.file(file), []),
    runRefusal,
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
