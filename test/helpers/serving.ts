// Starting a serving process (`narml serve` or a bundle's server.js) and talking to it, for the
// serving tests and the serving benchmark.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  /** The first line the server printed on stdout, parsed. */
  first: { url: string; models: { name: string; version: string; url: string }[] };
  stderr: () => string;
  /** Sends the signal and resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns `node ARGS` in `cwd` and waits for the JSON line that says where it listens. */
export function startServer(args: string[], cwd: string): Promise<Started> {
  const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => { err += c.toString(); });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return new Promise((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        done({
          child, first: JSON.parse(line) as Started['first'], stderr: () => err,
          stop: (signal = 'SIGTERM') => { child.kill(signal); return exited; },
        });
      } catch (e) {
        fail(new Error(`not a JSON first line: ${line}\n${err}`, { cause: e }));
      }
    });
    void exited.then((code) => fail(new Error(`the server exited (${code}) before listening:\n${err}`)));
  });
}

export async function post(url: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/**
 * The rows of a CSV file (no quoted fields) as JSON rows typed by a served model's input schema:
 * cells that are missing markers become null, numbers become numbers, the rest stay text.
 */
export function csvAsRows(path: string, input: { name: string; type: string }[], missing = ['', 'NA', '.']): Record<string, unknown>[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  const types = new Map(input.map((c) => [c.name, c.type]));
  return lines.map((cells) => Object.fromEntries(header.flatMap((name, i): [string, unknown][] => {
    const type = types.get(name);
    if (!type) return [];
    const cell = cells[i];
    if (missing.includes(cell)) return [[name, null]];
    return [[name, type === 'number' ? Number(cell) : cell]];
  })));
}

/** A prediction CSV of `narml predict` as its prediction and probability columns, per row. */
export function predictionCells(path: string): { prediction: string; probabilities: Record<string, string> }[] {
  const [header, ...lines] = readFileSync(path, 'utf8').trim().split('\n').map((l) => l.split(','));
  const at = header.indexOf('prediction');
  return lines.map((cells) => ({
    prediction: cells[at],
    probabilities: Object.fromEntries(header.slice(at + 1).map((h, j) => [h.slice('probability_'.length), cells[at + 1 + j]])),
  }));
}

/** Asserts that served answers equal the rows `narml predict` wrote: same label or value, the same float64 probabilities. */
export function sameAsPredict(served: { prediction: string | number | null; probabilities?: Record<string, number> | null }[], written: ReturnType<typeof predictionCells>): string[] {
  const problems: string[] = [];
  if (served.length !== written.length) return [`${served.length} served rows, ${written.length} written`];
  served.forEach((s, i) => {
    const w = written[i];
    const label = s.prediction === null ? '' : typeof s.prediction === 'number' ? s.prediction : s.prediction;
    if (typeof label === 'number' ? label !== Number(w.prediction) : label !== w.prediction) problems.push(`row ${i}: served ${String(s.prediction)}, written ${w.prediction}`);
    for (const [c, text] of Object.entries(w.probabilities)) {
      const v = s.probabilities?.[c];
      if (text === '' ? v !== undefined : v !== Number(text)) problems.push(`row ${i}, probability of ${c}: served ${String(v)}, written ${text}`);
    }
  });
  return problems;
}
