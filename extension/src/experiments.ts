// The Experiments panel and the Runs & Models view. Both read the run store through the CLI
// (`narml experiments`, `narml models`), never the store's files: one reader of the store.
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { COMMANDS } from '../../server/src/contracts/lsp-requests';
import type { ExperimentsJson, ModelsJson, ModelVersionJson } from '../../server/src/contracts/cli-json';
import type { CliResult } from './runner-process';
import type { PanelManager } from './panels/panel-manager';
import { keyMetric, modelGroups, shortTime, stageBadge, type ModelGroup } from './model-versions';

/** Runs the CLI with these arguments in the pipeline's folder. */
export type CliCall = <T>(args: string[], cwd: string) => Promise<CliResult<T>>;

export type Node = { kind: 'model'; file: string; group: ModelGroup } | { kind: 'version'; file: string; version: ModelVersionJson };

/** Theme icons (with theme colours, so every theme shows them) of the registry stages. */
const STAGE_ICONS: Record<string, { id: string; color: string }> = {
  production: { id: 'pass-filled', color: 'testing.iconPassed' },
  staging: { id: 'beaker', color: 'charts.yellow' },
  archived: { id: 'archive', color: 'disabledForeground' },
};

/** Runs & Models: models → versions (run, time) with the key metric; a version opens its run's metrics. */
export class ModelsTree implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly cli: CliCall, private readonly activeFile: () => vscode.Uri | undefined) {}

  refresh(): void { this.changed.fire(); }

  getTreeItem(n: Node): vscode.TreeItem {
    if (n.kind === 'model') {
      const latest = n.group.versions[0];
      const item = new vscode.TreeItem(n.group.model, vscode.TreeItemCollapsibleState.Expanded);
      item.description = [latest.algorithm, keyMetric(latest)].filter(Boolean).join(' · ');
      item.tooltip = `${n.group.model}: ${n.group.versions.length} version${n.group.versions.length === 1 ? '' : 's'}, ${latest.task} of ${latest.target}`;
      item.iconPath = new vscode.ThemeIcon('symbol-class');
      // Rollback is offered only where there is a production version to roll back.
      item.contextValue = n.group.versions.some((v) => v.stage === 'production') ? 'narml.model.production' : 'narml.model';
      return item;
    }
    const v = n.version;
    const item = new vscode.TreeItem(v.version, vscode.TreeItemCollapsibleState.None);
    item.description = [stageBadge(v), keyMetric(v) ?? 'not evaluated', `run ${v.run}`, shortTime(v.created)].filter(Boolean).join(' · ');
    const metrics = Object.entries(v.metrics).map(([on, m]) => `${on}: ${Object.entries(m).map(([k, x]) => `${k} ${x}`).join(', ')}`);
    item.tooltip = [`${v.model} version ${v.version} (${v.algorithm})${v.stage ? `, in ${v.stage}` : ''}`, `trained by run ${v.run} at ${v.created}`, ...metrics].join('\n');
    const icon = STAGE_ICONS[v.stage ?? ''];
    item.iconPath = icon ? new vscode.ThemeIcon(icon.id, new vscode.ThemeColor(icon.color)) : new vscode.ThemeIcon('versions');
    // The stage in the context value lets the menu leave out "Promote to Production" where it already is.
    item.contextValue = `narml.modelVersion.${v.stage ?? 'none'}`;
    item.command = { command: COMMANDS.showMetrics, title: 'Show metrics', arguments: [n.file, undefined, undefined, v.run] };
    return item;
  }

  async getChildren(n?: Node): Promise<Node[]> {
    if (n?.kind === 'model') return n.group.versions.map((version) => ({ kind: 'version', file: n.file, version }));
    if (n) return [];
    const uri = this.activeFile();
    if (!uri) return [];
    const r = await this.cli<ModelsJson>(['models', '--file', uri.fsPath, '--json'], dirname(uri.fsPath));
    const mine = (r.json?.models ?? []).filter((m) => m.file === uri.fsPath);
    return modelGroups(mine).map((group) => ({ kind: 'model', file: uri.fsPath, group }));
  }
}

/** The Experiments panel of a pipeline: its table, and what its messages ask for. */
export class ExperimentsPanel {
  constructor(private readonly panels: PanelManager, private readonly cli: CliCall, showRun: (file: string, run: string) => void) {
    panels.register({
      kind: 'experiments',
      onMessage: (m, state) => { if (m.type === 'showRun' && state?.type === 'experiments') showRun(state.table.file, m.run); },
      // After a reload the saved table is drawn at once, then replaced by the store's current rows.
      restore: (saved) => { if (saved?.type === 'experiments') void this.show(vscode.Uri.file(saved.table.file)); },
    });
  }

  async show(uri: vscode.Uri): Promise<ExperimentsJson | undefined> {
    const r = await this.cli<ExperimentsJson>(['experiments', uri.fsPath, '--json'], dirname(uri.fsPath));
    const title = `Experiments: ${basename(uri.fsPath)}`;
    this.panels.show('experiments', title, r.json ? { type: 'experiments', table: r.json } : { type: 'error', message: r.stderr.trim() || 'narml experiments printed nothing; see the NarML output.' });
    return r.json;
  }

  /** Refreshes an open panel after a run of `uri` (an open panel of another pipeline is left alone). */
  async refreshAfterRun(uri: vscode.Uri): Promise<void> {
    const state = this.panels.stateOf('experiments');
    if (state?.type === 'experiments' && state.table.file === uri.fsPath) await this.show(uri);
  }
}
