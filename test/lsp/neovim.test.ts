// A second real LSP client: Debian's Neovim, headless, with its built-in LSP client, opens the
// penguins sample, collects the server's diagnostics and a completion, and writes them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from '../helpers/ensure-built';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SERVER } from './lsp-client';

const root = join(__dirname, '..', '..');

test('Neovim gets diagnostics and completions from the server', { timeout: 300_000 }, (t) => {
  // Installed before the tests by scripts/setup-system.mjs; a skip here fails CI (CI=true).
  if (spawnSync('nvim', ['--version']).status !== 0) { t.skip('nvim is not installed: run `node scripts/setup-system.mjs` as root (Debian package neovim)'); return; }
  ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'narml-nvim-'));
  cpSync(join(root, 'samples', 'penguins'), dir, { recursive: true });
  const file = join(dir, 'penguins.narml');
  // An unknown column the server must report, and a spot to complete at.
  writeFileSync(file, readFileSync(file, 'utf8').replace('encode Island, Sex as onehot', 'encode Islnd, Sex as onehot'));
  const out = join(dir, 'result.json');
  const lua = `
local out = ${JSON.stringify(out)}
local client_id = vim.lsp.start_client({ name = 'narml', cmd = { 'node', ${JSON.stringify(SERVER)}, '--stdio' }, root_dir = ${JSON.stringify(dir)} })
vim.cmd('edit ' .. ${JSON.stringify(file)})
vim.lsp.buf_attach_client(0, client_id)
local got = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 100)
local diags = {}
for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(diags, { code = d.code, message = d.message, lnum = d.lnum }) end
local line = 0
for i, l in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do if l:find('scale beak_length') then line = i - 1 end end
local resp = vim.lsp.buf_request_sync(0, 'textDocument/completion', { textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = line, character = 8 } }, 20000)
local labels = {}
for _, r in pairs(resp or {}) do for _, item in ipairs(r.result or {}) do table.insert(labels, item.label) end end
local f = io.open(out, 'w')
f:write(vim.fn.json_encode({ waited = got, diagnostics = diags, completion = labels }))
f:close()
vim.cmd('qa!')
`;
  const script = join(dir, 'client.lua');
  writeFileSync(script, lua);
  const r = spawnSync('nvim', ['--headless', '--clean', '-u', 'NONE', '-c', `luafile ${script}`], { timeout: 120_000, encoding: 'utf8', cwd: dir });
  assert.ok(existsSync(out), `Neovim wrote no result: ${r.stderr} ${r.stdout}`);
  const result = JSON.parse(readFileSync(out, 'utf8')) as { diagnostics: { code: string; message: string; lnum: number }[]; completion: string[] };
  const d = result.diagnostics.find((x) => x.code === 'NML101');
  assert.ok(d, JSON.stringify(result.diagnostics));
  assert.match(d.message, /Islnd/);
  assert.ok(result.completion.includes('beak_length'), result.completion.join(','));
});
