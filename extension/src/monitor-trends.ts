// The Monitor Trends panel of a monitor: drift per column and method over its runs, metrics per
// window with the alert's limit. Read through the CLI (`narml monitor-report --json`), never
// from the store's files: one reader of the store.
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import type { MonitorTrendsJson } from '../../server/src/contracts/cli-json';
import type { CliCall } from './experiments';
import type { PanelManager } from './panels/panel-manager';

export class MonitorTrendsPanel {
  constructor(private readonly panels: PanelManager, private readonly cli: CliCall) {
    panels.register({
      kind: 'trends',
      // After a reload the saved trends are drawn at once, then replaced by the store's current reports.
      restore: (saved) => { if (saved?.type === 'trends') void this.show(vscode.Uri.file(saved.trends.file), saved.trends.monitor); },
    });
  }

  async show(uri: vscode.Uri, monitor: string): Promise<MonitorTrendsJson | undefined> {
    const r = await this.cli<MonitorTrendsJson>(['monitor-report', uri.fsPath, monitor, '--json'], dirname(uri.fsPath));
    const title = `Trends: ${monitor} (${basename(uri.fsPath)})`;
    this.panels.show('trends', title, r.json ? { type: 'trends', trends: r.json } : { type: 'error', message: r.stderr.trim() || 'narml monitor-report printed nothing; see the NarML output.' });
    return r.json;
  }

  /** Refreshes an open panel after a run of `uri` (a panel of another pipeline is left alone). */
  async refreshAfterRun(uri: vscode.Uri): Promise<void> {
    const state = this.panels.stateOf('trends');
    if (state?.type === 'trends' && state.trends.file === uri.fsPath) await this.show(uri, state.trends.monitor);
  }
}
