// Bundles every entry point into dist/. One build for the server, the CLI, the extension and the panels.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', minify: false };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: ['vscode', 'onnxruntime-node'] };

// dist/cli.js requires the commands' heavy part (server/src/cli/commands-impl.ts) from its own
// bundle when a command needs it: the main thread of `run` and `predict` never compiles it.
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]commands-impl$/ }, () => ({ path: './cli-commands.js', external: true }));
  },
};

const entries = [
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js' },
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', plugins: [commandsApart] },
  { in: 'server/src/cli/commands-impl.ts', out: 'dist/cli-commands.js' },
  { in: 'server/src/cli/run-worker.ts', out: 'dist/run-worker.js' },
  { in: 'server/src/data/csv-worker.ts', out: 'dist/csv-worker.js' },
  { in: 'server/src/ml/parallel/ml-worker.ts', out: 'dist/ml-worker.js' },
  { in: 'extension/src/extension.ts', out: 'dist/extension.js' },
  // A scoring bundle's server.js: copied alone into the bundle, so without a source map beside it.
  { in: 'server/src/serve/bundle-main.ts', out: 'dist/serve-bundle.js', sourcemap: false },
].filter((e) => existsSync(e.in));

const builds = entries.map((e) => build({ ...node, entryPoints: [e.in], outfile: e.out, plugins: e.plugins ?? [], sourcemap: e.sourcemap ?? common.sourcemap }));

const panelDir = 'webviews/src/panels';
if (existsSync(panelDir)) {
  const panels = readdirSync(panelDir).filter((f) => f.endsWith('.ts')).map((f) => join(panelDir, f));
  if (panels.length > 0) {
    builds.push(build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: panels, outdir: 'dist/webviews' }));
  }
}

await Promise.all(builds);
if (existsSync('webviews/src/panels.css')) {
  mkdirSync('dist/webviews', { recursive: true });
  copyFileSync('webviews/src/panels.css', 'dist/webviews/panels.css');
}
if (watch) console.log('built');
