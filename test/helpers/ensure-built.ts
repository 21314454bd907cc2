// Tests that spawn dist/cli.js or dist/server.js need a current build. `npm test` builds first
// (pretest); a test file run on its own builds only when dist/ is missing or older than the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    t = Math.max(t, st.isDirectory() ? newest(p) : st.mtimeMs);
  }
  return t;
}

export function ensureBuilt(): void {
  const outputs = ['cli.js', 'cli-commands.js', 'run-worker.js', 'csv-worker.js', 'ml-worker.js', 'server.js', 'serve-bundle.js'].map((f) => join(root, 'dist', f));
  const built = outputs.every(existsSync) ? Math.min(...outputs.map((f) => statSync(f).mtimeMs)) : 0;
  if (built >= newest(join(root, 'server', 'src'))) return;
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root });
}
