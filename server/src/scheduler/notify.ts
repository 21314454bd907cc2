// `notify:` delivery. A webhook gets the event as a JSON POST, retried with exponential back-off
// (honouring Retry-After) within a bounded number of attempts, each with a timeout; a command runs
// in the pipeline's folder with the event as JSON on stdin, killed after a timeout; `vscode` is
// handed to the caller (the scheduler prints it as a JSON line the extension shows). A delivery
// never throws and never waits without bound: its outcome is returned for the run record.
import type { IncomingMessage } from 'node:http';
import type { NotifyTarget } from '../checker/checked-model';
import type { NotifyEventJson, NotifyOutcomeJson } from '../contracts/cli-json';

export interface NotifyOptions {
  /** The pipeline's folder: where a command runs. */
  cwd: string;
  /** Receives `vscode` events (the scheduler prints them for the extension). */
  toEditor?: (event: NotifyEventJson) => void;
  /** First back-off of a webhook; then doubled (1 s, 2 s, 4 s). */
  baseDelayMs?: number;
  /** Attempts of a webhook, the first included. */
  attempts?: number;
  /** Per webhook attempt and per command. */
  timeoutMs?: number;
}

const DEFAULTS = { baseDelayMs: 1000, attempts: 4, timeoutMs: 10_000 };
/** A Retry-After longer than this is cut to it: a notification must not hold a run for minutes. */
const MAX_RETRY_AFTER_MS = 30_000;
/** The part of a command's stderr kept in the record. */
const STDERR_KEPT = 2000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function describeTarget(t: NotifyTarget): string {
  return t.kind === 'webhook' ? `webhook ${t.url}` : t.kind === 'command' ? `command ${t.command}` : 'vscode';
}

/** Retry-After in seconds or as an HTTP date, in ms from now (undefined when absent or unreadable). */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

interface PostResult { status?: number; retryAfter?: string; error?: string }

function post(url: string, body: string, timeoutMs: number): Promise<PostResult> {
  return new Promise((resolve) => {
    const u = new URL(url);
    // Loaded here, not at the top: http and https (with tls and net) are a few ms of every run's
    // start, and only a run that posts a webhook needs them.
    const send = u.protocol === 'https:' ? (require('node:https') as typeof import('node:https')).request : (require('node:http') as typeof import('node:http')).request;
    let done = false;
    const finish = (r: PostResult): void => { if (!done) { done = true; resolve(r); } };
    const req = send(u, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'narml-notify' } }, (res: IncomingMessage) => {
      // The body is read and dropped so the socket is freed; only the status matters.
      res.resume();
      res.on('end', () => finish({ status: res.statusCode, retryAfter: res.headers['retry-after'] }));
      res.on('error', (e) => finish({ status: res.statusCode, error: messageOf(e) }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => finish({ error: messageOf(e) }));
    req.end(body);
  });
}

/** 408, 429 and 5xx may pass later; another 4xx will not (a wrong URL or a refused body). */
const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export async function sendWebhook(url: string, event: NotifyEventJson, opts: Pick<NotifyOptions, 'baseDelayMs' | 'attempts' | 'timeoutMs'> = {}): Promise<NotifyOutcomeJson> {
  const { baseDelayMs, attempts, timeoutMs } = { ...DEFAULTS, ...opts };
  const body = JSON.stringify(event);
  let last: PostResult = {};
  for (let attempt = 1; attempt <= attempts; attempt++) {
    last = await post(url, body, timeoutMs);
    if (last.status !== undefined && last.status >= 200 && last.status < 300) return { target: `webhook ${url}`, ok: true, attempts: attempt, status: last.status };
    if (last.status !== undefined && !retryable(last.status)) {
      return { target: `webhook ${url}`, ok: false, attempts: attempt, status: last.status, error: `the receiver answered HTTP ${last.status}, which a retry will not change; check the URL and what it accepts` };
    }
    if (attempt < attempts) {
      const asked = last.status !== undefined ? retryAfterMs(last.retryAfter) : undefined;
      await sleep(Math.min(asked ?? baseDelayMs * 2 ** (attempt - 1), MAX_RETRY_AFTER_MS));
    }
  }
  const why = last.status !== undefined ? `HTTP ${last.status}` : last.error ?? 'no answer';
  return { target: `webhook ${url}`, ok: false, attempts, ...(last.status !== undefined ? { status: last.status } : {}), error: `not delivered after ${attempts} attempts (last: ${why}); check that the receiver is up` };
}

export function runCommand(command: string, event: NotifyEventJson, cwd: string, timeoutMs = DEFAULTS.timeoutMs): Promise<NotifyOutcomeJson> {
  return new Promise((resolve) => {
    const target = `command ${command}`;
    let stderr = '';
    let timedOut = false;
    // Its own process group on POSIX, so a timeout kills what the shell started too (a `sleep`
    // left holding stderr would keep the command "running" until it ended).
    const group = process.platform !== 'win32';
    // Required here, not at the top: every run's start would load node:child_process.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(command, { cwd, shell: true, stdio: ['pipe', 'ignore', 'pipe'], detached: group });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (group && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch { /* already gone */ }
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => { if (stderr.length < STDERR_KEPT) stderr += d.toString(); });
    // A command that exits without reading stdin closes the pipe: that is its business, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(JSON.stringify(event));
    child.on('error', (e) => { clearTimeout(timer); resolve({ target, ok: false, error: `could not start: ${messageOf(e)}` }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().slice(0, STDERR_KEPT);
      if (timedOut) resolve({ target, ok: false, error: `killed after ${timeoutMs / 1000} s without finishing; make the command return sooner` });
      else if (code === 0) resolve({ target, ok: true, exitCode: 0 });
      else resolve({ target, ok: false, ...(code !== null ? { exitCode: code } : {}), error: `${code !== null ? `exited with ${code}` : `ended by ${signal}`}${tail ? `: ${tail}` : ''}` });
    });
  });
}

/** Delivers `event` to every target (concurrently); one outcome per target, in their order. */
export function sendNotifications(targets: readonly NotifyTarget[], event: NotifyEventJson, opts: NotifyOptions): Promise<NotifyOutcomeJson[]> {
  return Promise.all(targets.map(async (t): Promise<NotifyOutcomeJson> => {
    try {
      if (t.kind === 'webhook') return await sendWebhook(t.url, event, opts);
      if (t.kind === 'command') return await runCommand(t.command, event, opts.cwd, opts.timeoutMs);
      if (!opts.toEditor) return { target: 'vscode', ok: false, error: 'no editor is listening: start the scheduler from VS Code (NarML: Start Scheduler) to see these' };
      opts.toEditor(event);
      return { target: 'vscode', ok: true };
    } catch (e) {
      return { target: describeTarget(t), ok: false, error: messageOf(e) };
    }
  }));
}
