// The audit log of a run store: `.narml/audit.jsonl`, one JSON line per run, promotion,
// rollback, export and deletion, never rewritten (docs/decisions/0008). It is the one store file
// not written by writeFileAtomic: a line is added by a single write(2) on a descriptor opened
// with O_APPEND, which places it at the end of the file atomically, so concurrent processes
// need no lock and none rewrites another's lines. On Linux a write to a local regular file holds
// the inode's lock for the whole write, so lines do not interleave; lines are kept short
// (MAX_LINE) for file systems that only promise that below a page. A crash mid-write can leave a
// torn last line: readers skip it and count it, and the next line still starts on its own line.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { AuditEventJson } from '../contracts/cli-json';
import { refuseOutside, writeError, writeFileAtomic } from './atomic-write';
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

// git's answer is kept in the store (`git-author.json`) under a key made of everything that
// answer depends on: the folder, the environment git reads, and the identity of every config file
// git reads for that folder (system, global, the repository's). Starting git was about a tenth
// of a one-row `narml predict`; a dozen stats are not. Whatever the key cannot see (a config
// file found through GIT_DIR, an `include` of another file, a folder inside a git directory) is
// not kept, and git is asked as before.

/** Where git builds keep their system config: Linux packages, Homebrew, Apple's command line tools and Xcode. */
const SYSTEM_CONFIGS = ['/etc/gitconfig', '/usr/local/etc/gitconfig', '/opt/homebrew/etc/gitconfig', '/Library/Developer/CommandLineTools/usr/share/git-core/gitconfig', '/Applications/Xcode.app/Contents/Developer/usr/share/git-core/gitconfig'];

/** The config file git reads beside a `.git` directory (or the one a `.git` file points to). */
function repositoryFiles(gitdir: string, files: string[]): void {
  files.push(join(gitdir, 'config'), join(gitdir, 'config.worktree'), join(gitdir, 'commondir'));
  let common: string;
  try {
    common = readFileSync(join(gitdir, 'commondir'), 'utf8').trim();
  } catch {
    return; // a repository's own git directory, not a linked worktree's
  }
  files.push(join(isAbsolute(common) ? common : resolve(gitdir, common), 'config'));
}

/**
 * The config files git reads in `folder` (undefined when that cannot be told without git), and
 * the parts of the key that are not files: the folder, the environment and the repository found.
 */
function authorSources(folder: string): { files: string[]; parts: string[] } | undefined {
  const env = process.env;
  // GIT_DIR and GIT_CONFIG name files the walk below does not find; on Windows the system and
  // global files are where git was installed and USERPROFILE.
  if (env.GIT_DIR !== undefined || env.GIT_COMMON_DIR !== undefined || env.GIT_CONFIG !== undefined || process.platform === 'win32') return undefined;
  const home = env.HOME ?? '';
  const files = [...(env.GIT_CONFIG_SYSTEM !== undefined ? [env.GIT_CONFIG_SYSTEM] : SYSTEM_CONFIGS), env.GIT_CONFIG_GLOBAL ?? join(home, '.gitconfig'), join(env.XDG_CONFIG_HOME || join(home, '.config'), 'git', 'config')];
  const parts = [resolve(folder), ...Object.keys(env).filter((k) => k.startsWith('GIT_') || k === 'HOME' || k === 'XDG_CONFIG_HOME' || k === 'PATH').sort().map((k) => `${k}=${env[k]}`)];
  // git looks for `.git` in the folder and each parent, and takes the folder itself as a git
  // directory when it holds HEAD (a bare repository): that case is left to git.
  for (let dir = resolve(folder); ; dir = dirname(dir)) {
    const dot = statSync(join(dir, '.git'), { throwIfNoEntry: false });
    if (statSync(join(dir, 'HEAD'), { throwIfNoEntry: false })) return undefined;
    if (dot?.isDirectory()) {
      // Its owner decides whether git trusts it (safe.directory); its times change at every commit.
      parts.push(`repository ${dir} ${dot.ino} ${dot.uid}`);
      repositoryFiles(join(dir, '.git'), files);
      return { files, parts };
    }
    if (dot?.isFile()) {
      // A linked worktree or submodule: `gitdir: PATH` names its git directory.
      const line = /^gitdir: (.*)$/m.exec(readFileSync(join(dir, '.git'), 'utf8'))?.[1]?.trim();
      if (!line) return undefined;
      files.push(join(dir, '.git'));
      parts.push(`worktree ${dir}`);
      repositoryFiles(isAbsolute(line) ? line : resolve(dir, line), files);
      return { files, parts };
    }
    if (dirname(dir) === dir) return { files, parts };
  }
}

/** The key of git's answer for `folder` now: the sources and each file's identity (or absence). */
function authorKey(folder: string): { key: string; files: string[] } | undefined {
  let sources: ReturnType<typeof authorSources>;
  try {
    sources = authorSources(folder);
  } catch {
    return undefined; // an unreadable folder or `.git` file: git is asked
  }
  if (!sources) return undefined;
  const ids = sources.files.map((f) => {
    const st = statSync(f, { bigint: true, throwIfNoEntry: false });
    return `${f} ${st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.uid}` : '-'}`;
  });
  // Hashed: the store may be shared, the environment (PATH, HOME) is the user's.
  return { key: createHash('sha256').update([...sources.parts, ...ids].join('\n')).digest('hex'), files: sources.files };
}

const AUTHOR_CACHE = 'git-author.json';

interface AuthorCache {
  key: string;
  author: string | null;
}

/** The key taken before git was asked for a folder, until its answer is kept in the store. */
const pendingKeys = new Map<string, { key: string; files: string[] }>();

/** The author the store kept for `folder` when nothing it depends on changed since. */
function keptAuthor(folder: string, storeDir: string | undefined): boolean {
  if (storeDir === undefined) return false;
  const key = authorKey(folder);
  if (!key) return false;
  let kept: AuthorCache | undefined;
  try {
    kept = JSON.parse(readFileSync(join(storeDir, AUTHOR_CACHE), 'utf8')) as AuthorCache;
  } catch {
    // none kept yet, or unreadable: git is asked and the answer kept
  }
  if (kept?.key === key.key) {
    authors.set(folder, kept.author ?? undefined);
    return true;
  }
  pendingKeys.set(folder, key);
  return false;
}

/**
 * Keeps git's answer for `folder` in the store, under the key taken before git was asked. Not
 * when a config file includes another (whose changes the key would not see). A store that
 * cannot be written only means git is asked again next time.
 */
function keepAuthor(folder: string, storeDir: string, workspace: Workspace | undefined): void {
  const key = pendingKeys.get(folder);
  if (!key || !authors.has(folder)) return;
  pendingKeys.delete(folder);
  for (const f of key.files) {
    try {
      if (/^\s*\[\s*include/im.test(readFileSync(f, 'utf8'))) return;
    } catch {
      // absent: nothing included
    }
  }
  try {
    writeFileAtomic(join(storeDir, AUTHOR_CACHE), JSON.stringify({ key: key.key, author: authors.get(folder) ?? null } satisfies AuthorCache), workspace, { durable: false });
  } catch {
    // a read-only store: git is asked next time
  }
}

/**
 * `Name <email>` from `git config` run in `folder` (1 s timeout, cached per folder for the
 * process and, with `storeDir`, in the store while no config file changes); undefined without
 * git, outside a repository with no global config, or on any error: the author is a courtesy and
 * never fails the action.
 */
export function gitAuthor(folder: string, storeDir?: string): string | undefined {
  if (authors.has(folder) || keptAuthor(folder, storeDir)) return authors.get(folder);
  try {
    // Required here, not at the top: node:child_process is loaded only when git is asked.
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    answered(folder, undefined, execFileSync('git', GIT_AUTHOR_ARGS, { cwd: folder, encoding: 'utf8', timeout: 1000, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch (e) {
    answered(folder, e, '');
  }
  return authors.get(folder);
}

/**
 * Takes git's answer for `folder`: its output, or no author on any error. Only an answer (exit 0,
 * or 1 for no such key) may be kept in the store: a git that was too slow, missing or broken this
 * time is asked again next time.
 */
function answered(folder: string, error: unknown, stdout: string): void {
  authors.set(folder, error ? undefined : authorOf(stdout));
  const exit = error as { status?: unknown; code?: unknown } | undefined;
  if (error && exit?.status !== 1 && exit?.code !== 1) pendingKeys.delete(folder);
}

/**
 * Starts asking git for the author of `folder` in the background (unless the store kept its
 * answer), for an `appendAudit` at the end of what the caller does: a one-row `narml predict`
 * would otherwise wait for git's start-up too. Whatever git answers first (this or a later
 * `gitAuthor`) is kept.
 */
export function prefetchGitAuthor(folder: string, storeDir?: string): void {
  if (authors.has(folder) || keptAuthor(folder, storeDir)) return;
  try {
    const { execFile } = require('node:child_process') as typeof import('node:child_process');
    execFile('git', GIT_AUTHOR_ARGS, { cwd: folder, encoding: 'utf8', timeout: 1000 }, (e, stdout) => {
      if (!authors.has(folder)) answered(folder, e, stdout);
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
  const folder = input.file ? dirname(input.file) : dirname(storeDir);
  const author = gitAuthor(folder, storeDir);
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
  keepAuthor(folder, storeDir, workspace);
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
