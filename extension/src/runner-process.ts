// Runs the `narml` CLI in a child process (never in the extension host), reading its progress
// JSON lines from stderr and its JSON result from stdout; cancellation sends SIGINT.
import { spawn } from 'node:child_process';
import type { ProgressEvent } from '../../server/src/contracts/cli-json';

export interface CliResult<T> {
  code: number;
  json?: T;
  stderr: string;
}

export function runCli<T>(
  node: string,
  cli: string,
  args: string[],
  opts: { cwd: string; onProgress?: (e: ProgressEvent) => void; onLog?: (line: string) => void; cancel?: { onCancellationRequested(f: () => void): unknown }; env?: NodeJS.ProcessEnv },
): Promise<CliResult<T>> {
  return new Promise((resolve) => {
    const child = spawn(node, [cli, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{')) {
          try {
            opts.onProgress?.(JSON.parse(line) as ProgressEvent);
            continue;
          } catch {
            // not a progress line
          }
        }
        if (line.trim()) opts.onLog?.(line);
      }
    });
    opts.cancel?.onCancellationRequested(() => child.kill('SIGINT'));
    child.on('error', (e) => resolve({ code: 1, stderr: `${stderr}\n${e.message}` }));
    child.on('close', (code) => {
      let json: T | undefined;
      const last = stdout.trim().split('\n').pop();
      if (last?.startsWith('{')) {
        try { json = JSON.parse(last) as T; } catch { json = undefined; }
      }
      resolve({ code: code ?? 1, ...(json ? { json } : {}), stderr });
    });
  });
}
