// The process behind an open Data Preview: `narml preview FILE NAME --serve` reads the table
// once, prints its preview, then answers page requests (rows in data order or sorted by a
// column) one JSON line each, so a million-row table scrolls and sorts without ever being sent
// whole to the webview. One session per preview panel; a new preview or closing the panel ends it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { PreviewJson, PreviewPageJson, PreviewPageRequest } from '../../../server/src/contracts/cli-json';

export class PreviewSession {
  private nextId = 1;
  private readonly pending = new Map<number, (page: PreviewPageJson) => void>();
  private ended = false;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  /** Starts the process; resolves with the preview, or with why it failed (its stderr). */
  static start(node: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; onLog?: (line: string) => void }): Promise<{ session: PreviewSession; preview: PreviewJson } | { error: string }> {
    const child = spawn(node, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env } });
    const session = new PreviewSession(child);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) opts.onLog?.(line);
    });
    return new Promise((resolve) => {
      let first = true;
      const lines = createInterface({ input: child.stdout, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (first) {
          first = false;
          try {
            resolve({ session, preview: JSON.parse(line) as PreviewJson });
          } catch {
            session.dispose();
            resolve({ error: `the preview printed something else than JSON: ${line.slice(0, 200)}` });
          }
          return;
        }
        let page: PreviewPageJson;
        try { page = JSON.parse(line) as PreviewPageJson; } catch { return; }
        if (page.id === undefined) return;
        session.settle(page.id, page);
      });
      const end = (why: string): void => {
        session.ended = true;
        if (first) resolve({ error: stderr.trim() || why });
        for (const [id] of session.pending) session.settle(id, { id, start: 0, rows: [], index: [], error: 'the preview process ended; preview the table again' });
      };
      child.on('error', (e) => end(e.message));
      child.on('close', (code) => end(`the preview process ended with exit status ${code}`));
    });
  }

  private settle(id: number, page: PreviewPageJson): void {
    const done = this.pending.get(id);
    this.pending.delete(id);
    done?.(page);
  }

  /** One page of rows (an `error` page when the process has ended). */
  page(req: Omit<PreviewPageRequest, 'id'>): Promise<PreviewPageJson> {
    const id = this.nextId++;
    if (this.ended) return Promise.resolve({ id, start: req.start, rows: [], index: [], error: 'the preview process ended; preview the table again' });
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, ...req })}\n`);
    });
  }

  dispose(): void {
    if (this.ended) return;
    this.ended = true;
    this.child.stdin.end();
    this.child.kill();
  }
}
