// DOM helpers for the panels: every value goes in as text (never as HTML), so a column named
// `<img src=x onerror=alert(1)>` is shown, not run.
import type { FromPanel, ToPanel, ToPanelPart } from './messages';

/** What a panel keeps across reloads: the last state it was sent and its own view (pan, zoom). */
interface SavedState {
  message?: ToPanel;
  view?: unknown;
}

declare function acquireVsCodeApi(): { postMessage(m: FromPanel): void; getState(): SavedState | undefined; setState(s: SavedState): void };

/**
 * Attributes of an element. Never `style`: the panels' CSP refuses inline style attributes
 * (the element would be drawn unstyled); set `element.style` from script (CSSOM) instead.
 */
export type Attrs = Record<string, string> & { style?: never };

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag: string, attrs: Record<string, string | number> & { style?: never } = {}, ...children: (Node | string)[]): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

let api: ReturnType<typeof acquireVsCodeApi> | undefined;

/** The panel's own view state saved by `saveView`, possibly for an earlier content. */
export function savedView(): unknown {
  return api?.getState()?.view;
}

/** Keeps the panel's view state (pan, zoom) with its content, so a reload restores both. */
export function saveView(view: unknown): void {
  if (api) api.setState({ ...api.getState(), view });
}

/**
 * Connects a panel: draws the state saved before a reload at once, posts `ready`, and renders
 * each message into #root (saving it, so the panel never comes back empty). A part (rows the
 * grid asked for) goes to `onPart` instead: it is neither saved nor redrawn from scratch.
 */
export function connect(render: (m: ToPanel, post: (m: FromPanel) => void) => Node, onPart?: (m: ToPanelPart) => void): void {
  const vscode = (api = acquireVsCodeApi());
  const root = document.getElementById('root')!;
  const draw = (m: ToPanel): void => {
    root.replaceChildren(m.type === 'error' ? el('p', { class: 'error' }, m.message) : render(m, (x) => vscode.postMessage(x)));
  };
  const saved = vscode.getState()?.message;
  if (saved) draw(saved);
  window.addEventListener('message', (event: MessageEvent<ToPanel | ToPanelPart>) => {
    const m = event.data;
    if (m.type === 'rows' || m.type === 'tryResponse') { onPart?.(m); return; }
    // The view is kept: a panel judges whether it still fits the new content (savedView).
    vscode.setState({ ...vscode.getState(), message: m });
    draw(m);
  });
  vscode.postMessage({ type: 'ready' });
}
