// DOM helpers for the panels: every value goes in as text (never as HTML), so a column named
// `<img src=x onerror=alert(1)>` is shown, not run.
import type { FromPanel, ToPanel } from './messages';

declare function acquireVsCodeApi(): { postMessage(m: FromPanel): void };

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const c of children) e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  return e;
}

export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  return Number.isInteger(v) ? String(v) : Math.abs(v) >= 1000 ? v.toFixed(1) : v.toPrecision(4);
}

/** Connects a panel: posts `ready` and renders each message into #root. */
export function connect(render: (m: ToPanel, post: (m: FromPanel) => void) => Node): void {
  const vscode = acquireVsCodeApi();
  const root = document.getElementById('root')!;
  window.addEventListener('message', (event: MessageEvent<ToPanel>) => {
    const m = event.data;
    root.replaceChildren(m.type === 'error' ? el('p', { class: 'error' }, m.message) : render(m, (x) => vscode.postMessage(x)));
  });
  vscode.postMessage({ type: 'ready' });
}
