// Pure parts of the extension and panels: the CSP shell, row virtualisation, the
// runner's workspace arguments and the comparison verdict.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../extension/src/panel-html';
import { allowOutsideWorkspace, workspaceArgs } from '../../extension/src/workspace-args';
import { comparisonVerdict } from '../../webviews/src/comparison-verdict';
import { visibleRange } from '../../webviews/src/virtual-rows';

test('panels load only local scripts with a fresh nonce under a strict CSP', () => {
  const nonce = makeNonce();
  assert.match(nonce, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(makeNonce(), nonce);
  const csp = contentSecurityPolicy('vscode-webview://abc', nonce);
  assert.match(csp, /^default-src 'none'; script-src 'nonce-/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  const html = panelHtml({ title: '<img src=x onerror=alert(1)>', cspSource: 'vscode-webview://abc', scriptUri: 'vscode-webview://abc/p.js', styleUri: 'vscode-webview://abc/p.css', nonce });
  assert.ok(!html.includes('<img src=x'), 'the title is escaped');
  assert.equal(html.match(/<script /g)?.length, 1);
  assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-webview://abc/p.js">`));
});

test('only the visible rows (plus overscan) are drawn', () => {
  assert.deepEqual(visibleRange(0, 240, 24, 1_000_000), { first: 0, last: 20 });
  assert.deepEqual(visibleRange(24_000, 240, 24, 1_000_000), { first: 990, last: 1020 });
  assert.deepEqual(visibleRange(0, 240, 24, 5), { first: 0, last: 5 });
});

test('the runner gets the workspace folder; the override only in a trusted workspace with the setting on', () => {
  assert.deepEqual(workspaceArgs('/ws', { trusted: true, setting: false }), ['--workspace', '/ws']);
  assert.deepEqual(workspaceArgs('/ws', { trusted: true, setting: true }), ['--workspace', '/ws', '--allow-outside-workspace']);
  assert.deepEqual(workspaceArgs('/ws', { trusted: false, setting: true }), ['--workspace', '/ws'], 'Restricted Mode ignores the setting');
  assert.equal(allowOutsideWorkspace({ trusted: false, setting: true }), false);
});

test('the Metrics panel names a winner only for a significant difference, else the leader', () => {
  assert.equal(comparisonVerdict({ winner: null, leader: 'forest', alpha: 0.05, p_value: 0.77 }), 'No significant difference (p = 0.77, alpha 0.05); leader: forest');
  assert.equal(comparisonVerdict({ winner: 'forest', leader: 'forest', alpha: 0.05, p_value: 0.0012 }), 'Winner: forest (p = 0.0012 < 0.05)');
  assert.equal(comparisonVerdict({ winner: null, leader: null, alpha: 0.05, p_value: 1 }), 'Tie: both models score the same');
});
