// The HTML shell of a panel: a strict Content-Security-Policy with a per-load nonce, local
// script and stylesheet only, no remote resources. Pure, so it is tested without VS Code.
import { randomBytes } from 'node:crypto';

export function makeNonce(): string {
  return randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function panelHtml(opts: { title: string; cspSource: string; scriptUri: string; styleUri: string; nonce: string }): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(opts.cspSource, opts.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(opts.styleUri)}" nonce="${opts.nonce}">
<title>${escapeAttribute(opts.title)}</title>
</head>
<body>
<div id="root"><p>Loading…</p></div>
<script nonce="${opts.nonce}" src="${escapeAttribute(opts.scriptUri)}"></script>
</body>
</html>`;
}
