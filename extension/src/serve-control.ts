// "NarML: Serve Model": one `narml serve FILE --port 0 --json` child process, shown in the status
// bar with its URL while it runs; the same command (or the status bar) stops it, and so does
// closing the window (deactivate). "Try it" opens a panel that sends requests to it.
import * as vscode from 'vscode';
import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import type { ServedModelsJson } from '../../server/src/contracts/cli-json';
import type { PanelManager } from './panels/panel-manager';
import { answerTryRequest, parseListening, tryItState, type Listening } from './try-it';

export class ServeControl {
  private child: ChildProcess | undefined;
  private listening: Listening | undefined;
  private file = '';
  private readonly item = vscode.window.createStatusBarItem('narml.serve', vscode.StatusBarAlignment.Left, 8);

  constructor(private readonly output: vscode.LogOutputChannel, private readonly panels: PanelManager, context: vscode.ExtensionContext) {
    this.item.name = 'NarML Serving';
    this.item.command = 'narml.serveMenu';
    panels.register({
      kind: 'tryit',
      onMessage: (m, state) => {
        if (m.type !== 'tryRequest') return;
        void answerTryRequest(state, m.path, m.body, async (url, body) => {
          const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
          return { status: r.status, text: await r.text() };
        }).then((part) => panels.post('tryit', part));
      },
    });
    context.subscriptions.push(this.item, vscode.commands.registerCommand('narml.serveMenu', () => this.menu()), { dispose: () => this.stop() });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts serving `file`'s stored models on a free port; resolves once it listens (or failed). */
  start(file: string, spawnArgs: { node: string; cli: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv }): Promise<void> {
    const child = spawn(spawnArgs.node, [spawnArgs.cli, 'serve', file, '--port', '0', '--json', ...spawnArgs.args], { cwd: spawnArgs.cwd, env: { ...process.env, ...spawnArgs.env } });
    this.child = child;
    this.file = file;
    let lastLine = '';
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.output.append(text);
      lastLine = text.trim().split('\n').pop() ?? lastLine;
    });
    return new Promise((done) => {
      createInterface({ input: child.stdout! }).once('line', (line) => {
        const l = parseListening(line);
        if (!l || this.child !== child) return;
        this.listening = l;
        this.item.text = `$(radio-tower) ${l.url.replace(/^http:\/\//, '')}`;
        this.item.tooltip = `NarML is serving ${basename(file)}: ${l.models.map((m) => `${m.name} ${m.version}`).join(', ')}\nClick to try it, copy the URL or stop`;
        this.item.show();
        void vscode.window.showInformationMessage(`NarML is serving ${l.models.map((m) => m.name).filter((n, i, a) => a.indexOf(n) === i).join(', ')} at ${l.url}`, 'Try It', 'Copy URL').then((c) => this.act(c));
        done();
      });
      child.on('close', (code) => {
        done();
        if (this.child !== child) return;
        this.child = undefined;
        this.listening = undefined;
        this.item.hide();
        // A stop we asked for is expected; any other end is news (nothing trained, port refused, a crash).
        void vscode.window.showErrorMessage(`NarML serving stopped (exit ${code ?? 'signal'}): ${lastLine || 'see the NarML output'}`, 'Show Output').then((c) => c && this.output.show());
      });
    });
  }

  stop(): boolean {
    const child = this.child;
    if (!child) return false;
    this.child = undefined;
    this.listening = undefined;
    this.item.hide();
    child.kill('SIGTERM');
    this.output.appendLine(`serving ${this.file} stopped`);
    return true;
  }

  /** Opens the Try it panel on the running server's models. */
  async tryIt(): Promise<void> {
    const l = this.listening;
    if (!l) return void vscode.window.showInformationMessage('Nothing is being served: run "NarML: Serve Model" on a pipeline whose models were trained.');
    try {
      const listing = await (await fetch(`${l.url}/models`)).json() as ServedModelsJson;
      this.panels.show('tryit', `Try it: ${basename(this.file)}`, tryItState(l.url, listing));
    } catch (e) {
      void vscode.window.showErrorMessage(`The NarML server at ${l.url} does not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private act(choice: string | undefined): void {
    if (choice === 'Try It') void this.tryIt();
    else if (choice === 'Copy URL' && this.listening) void vscode.env.clipboard.writeText(this.listening.url);
    else if (choice === 'Stop' && this.stop()) void vscode.window.showInformationMessage('NarML serving stopped.');
  }

  private async menu(): Promise<void> {
    const choice = await vscode.window.showQuickPick(['Try It', 'Copy URL', 'Stop'], { placeHolder: this.listening ? `Serving at ${this.listening.url}` : 'NarML serving' });
    this.act(choice);
  }
}
