// Bundles every entry point into dist/. One build for the server, the CLI, the extension and the panels.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EXTERNALS } from './externals.mjs';

const watch = process.argv.includes('--watch');
const common = { bundle: true, sourcemap: true, logLevel: 'warning', minify: false };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', external: EXTERNALS };

// dist/cli.js and dist/run-worker.js load the commands' heavy part (server/src/cli/commands-impl.ts)
// from its own bundle when a command needs it, so the main thread of `run` never compiles it; they
// load it through the code cache (server/src/cli/bundle-loader.ts) and as CommonJS: an `import()`
// of it would make Node scan the whole megabyte for its module format and export names first.
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /[\\/]commands-impl$/ }, () => ({ path: 'commands-impl', namespace: 'commands-apart' }));
    b.onLoad({ filter: /.*/, namespace: 'commands-apart' }, () => ({
      contents: `module.exports = require(${JSON.stringify(join(process.cwd(), 'server', 'src', 'cli', 'bundle-loader.ts'))}).loadBundle(require('node:path').join(__dirname, 'cli-commands.js'));`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

// The language uses chevrotain's lexer only (docs/decisions/0004). Its main module loads the
// parser toolkit as well (gast, cst-dts-gen, lodash): two thirds of its code, compiled and run by
// every process that lexes. The bundles take the two lexer modules directly; their package's
// `exports` hides them from a bare import, hence the absolute paths.
const chevrotainSrc = dirname(createRequire(import.meta.url).resolve('chevrotain'));
// Making a lexer fills a 65,536-entry table of "optimized" indices of character codes, run by the
// interpreter at every start: about 3 ms of a one-row `narml predict`. Below 256 the index is the
// code itself (no table); above, the entry is 255 + floor(code / 255), computed where it is asked
// instead. Exact text replacements: a chevrotain whose code differs fails the build.
const CHAR_INDEX_TABLE = [
  [': charCodeToOptimizedIdxMap[charCode];', ': 255 + ~~(charCode / 255);'],
  ['if ((0, isEmpty_1.default)(charCodeToOptimizedIdxMap)) {', 'if (false) {'],
];
function withoutCharIndexTable(text, path) {
  for (const [from, to] of CHAR_INDEX_TABLE) {
    if (text.split(from).length !== 2) throw new Error(`${path}: expected ${from} once; update CHAR_INDEX_TABLE in scripts/build.mjs for this chevrotain`);
    text = text.replace(from, to);
  }
  return text;
}
const chevrotainLexerOnly = {
  name: 'chevrotain-lexer-only',
  setup(b) {
    b.onLoad({ filter: /chevrotain[\\/]lib[\\/]src[\\/]scan[\\/]lexer\.js$/ }, (args) => ({ contents: withoutCharIndexTable(readFileSync(args.path, 'utf8'), args.path), loader: 'js' }));
    b.onResolve({ filter: /^chevrotain$/ }, () => ({ path: 'chevrotain-lexer', namespace: 'chevrotain-lexer' }));
    b.onLoad({ filter: /.*/, namespace: 'chevrotain-lexer' }, () => ({
      contents: `module.exports = { Lexer: require(${JSON.stringify(join(chevrotainSrc, 'scan', 'lexer_public.js'))}).Lexer, createToken: require(${JSON.stringify(join(chevrotainSrc, 'scan', 'tokens_public.js'))}).createToken };`,
      resolveDir: chevrotainSrc,
      loader: 'js',
    }));
  },
};

const entries = [
  { in: 'server/src/lsp/main.ts', out: 'dist/server.js' },
  { in: 'server/src/cli/main.ts', out: 'dist/cli.js', plugins: [commandsApart] },
  { in: 'server/src/cli/commands-impl.ts', out: 'dist/cli-commands.js' },
  { in: 'server/src/cli/run-worker.ts', out: 'dist/run-worker.js', plugins: [commandsApart] },
  { in: 'server/src/data/csv-worker.ts', out: 'dist/csv-worker.js' },
  { in: 'server/src/ml/parallel/ml-worker.ts', out: 'dist/ml-worker.js' },
  { in: 'extension/src/extension.ts', out: 'dist/extension.js' },
  // A scoring bundle's server.js: copied alone into the bundle, so without a source map beside it.
  { in: 'server/src/serve/bundle-main.ts', out: 'dist/serve-bundle.js', sourcemap: false },
].filter((e) => existsSync(e.in));

const builds = entries.map((e) => build({ ...node, entryPoints: [e.in], outfile: e.out, plugins: [chevrotainLexerOnly, ...(e.plugins ?? [])], sourcemap: e.sourcemap ?? common.sourcemap }));

const panelDir = 'webviews/src/panels';
if (existsSync(panelDir)) {
  const panels = readdirSync(panelDir).filter((f) => f.endsWith('.ts')).map((f) => join(panelDir, f));
  if (panels.length > 0) {
    builds.push(build({ ...common, platform: 'browser', target: 'es2022', format: 'iife', entryPoints: panels, outdir: 'dist/webviews' }));
  }
}

await Promise.all(builds);
// esbuild escapes strings but keeps comments as written: one "—" in a kept comment made a whole
// bundle a two-byte string for V8, slower to decode and to compile at every start. Outside
// comments \uXXXX means the same character (strings, regular expressions, identifiers).
for (const e of entries) {
  const text = readFileSync(e.out, 'utf8');
  if (/[^\x00-\x7f]/.test(text)) writeFileSync(e.out, text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
if (existsSync('webviews/src/panels.css')) {
  mkdirSync('dist/webviews', { recursive: true });
  copyFileSync('webviews/src/panels.css', 'dist/webviews/panels.css');
}
if (watch) console.log('built');
