// The audit log of a run store: `.narml/audit.jsonl`, one JSON line per run, promotion,
// rollback, export and deletion, never rewritten (docs/decisions/0008). It is the one store file
// not written by writeFileAtomic: a line is added by a single write(2) on a descriptor opened
// with O_APPEND, which places it at the end of the file atomically, so concurrent processes
// need no lock and none rewrites another's lines. On Linux a write to a local regular file holds
// the inode's lock for the whole write, so lines do not interleave; lines are kept short
// (MAX_LINE) for file systems that only promise that below a page. A crash mid-write can leave a
// torn last line: readers skip it and count it, and the next line still starts on its own line.
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type { AuditEventJson } from '../contracts/cli-json';
import { refuseOutside, writeError } from './atomic-write';
import type { Workspace } from '../workspace/output-paths';

export type AuditEvent = AuditEventJson;
export type AuditAction = AuditEventJson['action'];
/** What a caller says about an action; `appendAudit` adds the time, the OS user and the git author. */
export type AuditInput = Omit<AuditEventJson, 'time' | 'user' | 'gitAuthor'>;

const MAX_DETAIL = 400;
/** Lines above this are cut (the detail first): the size below which appends are atomic on every local file system. */
const MAX_LINE = 3800;

export function auditPath(storeDir: string): string {
  return join(storeDir, 'audit.jsonl');
}

let user: string | undefined | null = null;
/** The OS user, read once per process (undefined where the OS has none, e.g. a container uid). */
export function osUser(): string | undefined {
  if (user === null) {
    try { user = userInfo().username || undefined; } catch { user = undefined; }
  }
  return user;
}

const authors = new Map<string, string | undefined>();
const GIT_AUTHOR_ARGS = ['config', '--get-regexp', '^user\\.(name|email)$'];

/** `Name <email>` from `git config --get-regexp` output (the last value of each key wins, as `--get` says). */
function authorOf(lines: string): string | undefined {
  let name = '';
  let email = '';
  for (const line of lines.split('\n')) {
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const key = line.slice(0, space).toLowerCase();
    if (key === 'user.name') name = line.slice(space + 1).trim();
    if (key === 'user.email') email = line.slice(space + 1).trim();
  }
  return name || email ? `${name}${email ? `${name ? ' ' : ''}<${email}>` : ''}` : undefined;
}

/**
 * `Name <email>` from `git config` run in `folder` (1 s timeout, cached per folder for the
 * process); undefined without git, outside a repository with no global config, or on any error:
 * the author is a courtesy and never fails the action.
 */
export function gitAuthor(folder: string): string | undefined {
  if (authors.has(folder)) return authors.get(folder);
  let author: string | undefined;
  try {
    author = authorOf(execFileSync('git', GIT_AUTHOR_ARGS, { cwd: folder, encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    // no git, no such key (exit 1), or too slow
  }
  authors.set(folder, author);
  return author;
}

/**
 * Starts asking git for the author of `folder` in the background, for an `appendAudit` at the end
 * of what the caller does: a one-row `narml predict` would otherwise wait for git's start-up too.
 * Whatever git answers first (this or a later `gitAuthor`) is kept.
 */
export function prefetchGitAuthor(folder: string): void {
  if (authors.has(folder)) return;
  try {
    execFile('git', GIT_AUTHOR_ARGS, { cwd: folder, encoding: 'utf8', timeout: 1000 }, (e, stdout) => {
      if (!authors.has(folder)) authors.set(folder, e ? undefined : authorOf(stdout));
    }).stdin?.end();
  } catch {
    // gitAuthor asks again when the event is written
  }
}

/**
 * Appends one event to the audit log of `storeDir` (the `.narml` folder), with the time, OS user
 * and git author of the pipeline's folder. Throws a WriteError when the log cannot be written
 * (or would land outside `workspace`); the caller decides whether that fails its action.
 */
export function appendAudit(storeDir: string, input: AuditInput, workspace?: Workspace): AuditEvent {
  const event: AuditEvent = { time: new Date().toISOString(), ...input };
  const u = osUser();
  if (u) event.user = u;
  const author = gitAuthor(input.file ? dirname(input.file) : dirname(storeDir));
  if (author) event.gitAuthor = author;
  if (event.detail && event.detail.length > MAX_DETAIL) event.detail = `${event.detail.slice(0, MAX_DETAIL)}…`;
  let line = JSON.stringify(event);
  if (line.length > MAX_LINE) line = JSON.stringify({ ...event, detail: undefined, target: event.target?.slice(0, 200) });
  const path = auditPath(storeDir);
  if (workspace) refuseOutside(path, workspace);
  let fd: number | undefined;
  try {
    mkdirSync(storeDir, { recursive: true });
    fd = openSync(path, 'a+');
    const bytes = Buffer.from(`${endsTorn(fd) ? '\n' : ''}${line}\n`);
    // One write call: a short count (disk full) is an error, never a second write that another process's line could split.
    const written = writeSync(fd, bytes);
    if (written !== bytes.length) throw new Error(`wrote ${written} of ${bytes.length} bytes`);
    fsyncSync(fd);
  } catch (e) {
    throw writeError(path, e);
  } finally {
    if (fd !== undefined) try { closeSync(fd); } catch { /* the write's own outcome is what matters */ }
  }
  return event;
}

/** Whether the log's last byte is not a newline: a line torn by a crash, which the next line must not continue. */
function endsTorn(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}

export interface AuditLog {
  events: AuditEvent[];
  /** Lines that are not a JSON event (a torn write after a crash), skipped. */
  damaged: number;
}

/** The events of a store's audit log, oldest first; an empty log when there is none. */
export function readAudit(storeDir: string): AuditLog {
  let text: string;
  try {
    text = readFileSync(auditPath(storeDir), 'utf8');
  } catch {
    return { events: [], damaged: 0 };
  }
  const events: AuditEvent[] = [];
  let damaged = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as AuditEvent;
      if (e && typeof e.time === 'string' && typeof e.action === 'string') events.push(e);
      else damaged++;
    } catch {
      damaged++;
    }
  }
  return { events, damaged };
}
