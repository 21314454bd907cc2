// The scheduler started from the editor: one `narml scheduler FILE` child process, shown in the
// status bar while it runs (with a menu to stop it or show its log), and never said to be
// "started" for a file that has nothing to schedule.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { COMMANDS } from '../../server/src/contracts/lsp-requests';
import type { NotifyEventJson } from '../../server/src/contracts/cli-json';
import { notifyNotice, nothingToSchedule, parseNotifyLine, schedulerStatusText, type Schedule } from './notice-text';

/** A `notify: vscode` event as a notification; "Open report" shows its JSON report in an editor. */
export function showNotifyEvent(event: NotifyEventJson): void {
  const { text, error } = notifyNotice(event);
  const open = 'Open report';
  void (error ? vscode.window.showErrorMessage(text, open) : vscode.window.showWarningMessage(text, open)).then(async (c) => {
    if (c !== open) return;
    const doc = await vscode.workspace.openTextDocument({ language: 'json', content: JSON.stringify(event, null, 2) });
    await vscode.window.showTextDocument(doc, { preview: true });
  });
}

export class SchedulerControl {
  private child: ChildProcess | undefined;
  private readonly item = vscode.window.createStatusBarItem('narml.scheduler', vscode.StatusBarAlignment.Left, 9);
  private lastLine = '';

  constructor(private readonly output: vscode.LogOutputChannel, context: vscode.ExtensionContext) {
    this.item.name = 'NarML Scheduler';
    this.item.command = 'narml.schedulerMenu';
    context.subscriptions.push(this.item, vscode.commands.registerCommand('narml.schedulerMenu', () => this.menu()), { dispose: () => this.stop() });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts `narml scheduler` for `file`; says so only when there is something to schedule. */
  start(file: string, schedules: Schedule[], spawnArgs: { node: string; cli: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv }): void {
    if (this.child) return void vscode.window.showInformationMessage('The NarML scheduler is already running; stop it from the status bar first.');
    if (schedules.length === 0) {
      return void vscode.window.showWarningMessage(nothingToSchedule(file));
    }
    const child = spawn(spawnArgs.node, [spawnArgs.cli, 'scheduler', file, '--events', 'json', ...spawnArgs.args], { cwd: spawnArgs.cwd, env: { ...process.env, ...spawnArgs.env } });
    this.child = child;
    // stdout carries only the events of `notify: vscode`, one JSON line each.
    let pending = '';
    child.stdout?.on('data', (d: Buffer) => {
      const lines = (pending + d.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseNotifyLine(line);
        if (event) showNotifyEvent(event);
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.output.append(text);
      this.lastLine = text.trim().split('\n').pop() ?? this.lastLine;
      this.item.tooltip = `${schedulerStatusText(file, schedules).tooltip}\nLast: ${this.lastLine}`;
    });
    child.on('close', (code) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.item.hide();
      // Stopped by us is expected; any other end is news (the checker rejected every schedule, a crash).
      if (code !== 0 && code !== null) {
        void vscode.window.showErrorMessage(`The NarML scheduler stopped (exit ${code}): ${this.lastLine || 'see the NarML output'}`, 'Show Output').then((c) => c && this.output.show());
      }
    });
    const { text, tooltip } = schedulerStatusText(file, schedules);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
    void vscode.window.showInformationMessage(`NarML scheduler started for ${basename(file)}: ${schedules.map((s) => `${s.name} at "${s.schedule}"`).join(', ')}. It runs until you stop it (status bar).`, 'Show Log').then((c) => c && this.output.show(true));
  }

  stop(): boolean {
    const child = this.child;
    if (!child) return false;
    this.child = undefined;
    this.item.hide();
    child.kill('SIGINT');
    this.output.appendLine('scheduler stopped');
    return true;
  }

  private async menu(): Promise<void> {
    const stop = 'Stop the scheduler';
    const log = 'Show its log';
    const choice = await vscode.window.showQuickPick(this.child ? [stop, log] : [log], { placeHolder: this.lastLine || 'NarML scheduler' });
    if (choice === stop) void vscode.commands.executeCommand(COMMANDS.stopScheduler);
    else if (choice === log) this.output.show();
  }
}
