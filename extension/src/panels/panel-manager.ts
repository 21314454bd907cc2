// The NarML panels: one webview panel per kind (preview, metrics, lineage, ...), all in one
// editor group beside the editor, reused by later outputs of the same kind, kept alive while
// hidden, and restored after a reload. Each panel saves the last state it was sent (with
// `vscode.setState` in the webview), so a restored panel draws it at once; the kind's `restore`
// hook may then send fresher data.
import * as vscode from 'vscode';
import type { FromPanel, ToPanel, ToPanelPart } from '../../../webviews/src/messages';
import { makeNonce, panelHtml } from '../panel-html';
import { panelColumn } from './panel-column';

interface Entry {
  panel: vscode.WebviewPanel;
  /** The last state sent, posted again when the webview (re)loads and says `ready`. */
  state?: ToPanel;
  ready: boolean;
}

/** What a kind does with its panel's messages and after a reload. */
export interface PanelKind {
  /** The view type is `narml.<kind>`; the script is dist/webviews/<kind>.js. */
  kind: string;
  onMessage?(m: Exclude<FromPanel, { type: 'ready' }>, state: ToPanel | undefined): void;
  /** Called for a panel restored after a reload with the state its webview saved. */
  restore?(saved: ToPanel | undefined): void;
  /** Called when the user closes the panel (to end what serves it). */
  onDispose?(): void;
}

/** The state a panel's webview keeps with `vscode.setState` (see webviews/src/dom.ts). */
export interface SavedPanelState {
  message?: ToPanel;
}

export class PanelManager {
  private readonly open = new Map<string, Entry>();
  private readonly kinds = new Map<string, PanelKind>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  /** Registers a kind and its serializer (package.json activates on `onWebviewPanel:narml.<kind>`). */
  register(kind: PanelKind): void {
    this.kinds.set(kind.kind, kind);
    this.context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(`narml.${kind.kind}`, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, saved: SavedPanelState | undefined) => {
        this.adopt(kind.kind, panel, saved?.message);
        kind.restore?.(saved?.message);
      },
    }));
  }

  /**
   * Shows `state` in the panel of `kind`, creating it in the NarML group when it is not open;
   * `reveal` false only updates an open panel where it is (a refresh must not pull it forward).
   */
  show(kind: string, title: string, state: ToPanel, reveal = true): void {
    let entry = this.open.get(kind);
    if (!entry) {
      const column = panelColumn([...this.open.values()].map((e) => e.panel.viewColumn));
      const panel = vscode.window.createWebviewPanel(`narml.${kind}`, title, { viewColumn: column, preserveFocus: true }, this.options());
      entry = this.adopt(kind, panel, state);
    }
    entry.state = state;
    entry.panel.title = title;
    if (reveal && !entry.panel.visible) entry.panel.reveal(entry.panel.viewColumn, true);
    if (entry.ready) void entry.panel.webview.postMessage(state);
  }

  /** Posts a part (rows the panel asked for) to the open panel of `kind`; it does not become its state. */
  post(kind: string, part: ToPanelPart): void {
    const entry = this.open.get(kind);
    if (entry?.ready) void entry.panel.webview.postMessage(part);
  }

  has(kind: string): boolean {
    return this.open.has(kind);
  }

  /** The state last sent to an open panel of `kind`. */
  stateOf(kind: string): ToPanel | undefined {
    return this.open.get(kind)?.state;
  }

  private options(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: [this.root()], retainContextWhenHidden: true };
  }

  private root(): vscode.Uri {
    return vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webviews');
  }

  private adopt(kind: string, panel: vscode.WebviewPanel, state: ToPanel | undefined): Entry {
    const root = this.root();
    panel.webview.options = this.options();
    const nonce = makeNonce();
    panel.webview.html = panelHtml({
      title: panel.title, nonce, cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, `${kind}.js`)).toString(),
      styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(root, 'panels.css')).toString(),
    });
    const entry: Entry = { panel, ready: false, ...(state ? { state } : {}) };
    this.open.set(kind, entry);
    panel.onDidDispose(() => {
      if (this.open.get(kind) !== entry) return;
      this.open.delete(kind);
      this.kinds.get(kind)?.onDispose?.();
    });
    panel.webview.onDidReceiveMessage((m: FromPanel) => {
      if (m.type === 'ready') {
        entry.ready = true;
        if (entry.state) void panel.webview.postMessage(entry.state);
      } else this.kinds.get(kind)?.onMessage?.(m, entry.state);
    });
    return entry;
  }
}
