// Running the built `narml` CLI on a copy of a sample, for the CLI and runner tests.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');
export const cli = join(root, 'dist', 'cli.js');

/** A fresh copy of samples/NAME, without what earlier runs wrote into the sample folder. */
export function sample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `narml-${name}-`));
  cpSync(join(root, 'samples', name), dir, { recursive: true, filter: (src) => !/[\\/](\.narml|out|models)$/.test(src) });
  return dir;
}

export function narml(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  // A run's JSON lists every declaration's definition hash: megabytes for a 20,000-declaration file.
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process (a receiver it serves, e.g. a webhook, must answer meanwhile). */
export function narmlAsync(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
