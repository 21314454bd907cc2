// Where a pipeline may write. Every output — predictions, exports, the run store — must land
// inside the workspace folder, judged on real paths so that a symbolic link cannot lead a write
// out of it. The checker resolves output paths here (NML140, NML142) and writeFileAtomic asks
// again before it creates folders and right before its rename, since a link may appear between
// the check and the write.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface Workspace {
  /** Absolute folder every output must stay inside. */
  root: string;
  /** `--allow-outside-workspace` / narml.runner.allowOutsideWorkspace: lifts the folder rule, nothing else. */
  allowOutside: boolean;
}

/** The workspace of a pipeline: `root` when given (the editor's workspace folder, `--workspace`), else the file's folder. */
export function workspaceOf(pipelineFile: string, root?: string, allowOutside = false): Workspace {
  return { root: resolve(root ?? dirname(pipelineFile)), allowOutside };
}

/** What is wrong with an output path: `outside` the workspace (overridable) or `invalid` anywhere. */
export interface PathProblem {
  kind: 'outside' | 'invalid';
  /** Completes "output "x" …": what the path does and, for invalid paths, what to write instead. */
  reason: string;
}

/** `{date}` in an output path is the run's date, YYYY-MM-DD. */
export function expandOutputTemplate(template: string, date: Date): string {
  return template.replace(/\{date\}/g, date.toISOString().slice(0, 10));
}

// Linux's NAME_MAX and PATH_MAX; other systems allow no more.
const MAX_NAME_BYTES = 255;
/** The file's own name leaves room for writeFileAtomic's temporary name beside it (`.NAME.<pid>.<12 hex>.tmp`). */
const MAX_FILE_NAME_BYTES = 200;
const MAX_PATH_BYTES = 4096;

/** Problems visible in the text alone, whatever the file system holds. */
function writtenProblem(written: string): PathProblem | undefined {
  const invalid = (reason: string): PathProblem => ({ kind: 'invalid', reason });
  if (written.includes('\0')) return invalid('contains a NUL character, which no file name may hold; remove it');
  if (written.includes('\\')) return invalid('uses \\ between folders, a separator only on Windows; write / instead, which means the same on every system');
  if (written.startsWith('~')) return invalid('starts with ~, which NarML does not expand to a home folder; write a path relative to the pipeline\'s folder, e.g. "out/scores.csv"');
  const names = written.split('/');
  const last = names[names.length - 1];
  if (last === '' || last === '.' || last === '..') return invalid('names a folder, not a file; add a file name, e.g. "out/scores.csv"');
  // `{date}` becomes 10 characters: measure the longest the names can get.
  const sample = expandOutputTemplate(written, new Date(0));
  const sampleNames = sample.split('/');
  for (const [i, name] of sampleNames.entries()) {
    const bytes = Buffer.byteLength(name);
    if (i === sampleNames.length - 1 && bytes > MAX_FILE_NAME_BYTES) return invalid(`has a file name of ${bytes} bytes; outputs may have at most ${MAX_FILE_NAME_BYTES} (the file is first written under a longer temporary name): shorten it`);
    if (bytes > MAX_NAME_BYTES) return invalid(`has a folder name of ${bytes} bytes; file systems allow at most ${MAX_NAME_BYTES}: shorten it`);
  }
  return undefined;
}

/** `C:/x`, `C:x`: a Windows drive, which POSIX would read as a folder named `C:` (a pipeline means the same everywhere). */
function namesDrive(written: string): boolean {
  return /^[A-Za-z]:/.test(written);
}

/** Is `path` the folder `root` or inside it (by name; real paths are the caller's business)? */
export function isInside(root: string, path: string): boolean {
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** The real path of `path`, or `path` itself when it does not exist (yet). */
export function realOrSelf(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/**
 * Where a write to the absolute `path` would land, judged on the file system as it is now: every
 * existing folder on the way must really be inside the workspace. The file itself may be a link:
 * writes rename over it and never write through it.
 */
function placementProblem(path: string, ws: Workspace): PathProblem | undefined {
  const root = resolve(ws.root);
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return { kind: 'invalid', reason: `resolves to a path of ${Buffer.byteLength(path)} bytes; file systems allow at most ${MAX_PATH_BYTES}: use a shorter path` };
  if (!isInside(root, path)) return { kind: 'outside', reason: `resolves to ${path}, outside the workspace folder ${root}` };
  const rootReal = realOrSelf(root);
  const names = relative(root, path).split(sep);
  let folder = root;
  for (const name of names.slice(0, -1)) {
    folder = join(folder, name);
    let link: boolean;
    try {
      link = lstatSync(folder).isSymbolicLink();
    } catch {
      // Not there yet: the writer creates it inside the real folder reached so far.
      return undefined;
    }
    if (!link) continue;
    let target: string;
    try {
      target = realpathSync.native(folder);
    } catch {
      const points = resolve(dirname(folder), readlinkSync(folder));
      if (!isInside(rootReal, points) && !isInside(root, points)) return { kind: 'outside', reason: `goes through the symbolic link ${folder} to ${points}, outside the workspace folder ${root}` };
      return { kind: 'invalid', reason: `goes through the symbolic link ${folder}, which loops or points to nothing (${points}); fix or remove the link` };
    }
    if (!isInside(rootReal, target)) return { kind: 'outside', reason: `goes through the symbolic link ${folder} to ${target}, outside the workspace folder ${root}` };
  }
  // What stands at the path (a folder, a file where a folder should be) is the writer's to report.
  return undefined;
}

/**
 * Resolves an output path as written in a pipeline (relative to `baseDir`, the pipeline's
 * folder) and judges it: the absolute path, or what is wrong with it. With `allowOutside`
 * only the rules that hold anywhere remain (no NUL, no `~`, a file name, lengths).
 */
export function resolveOutputPath(written: string, baseDir: string, ws: Workspace): { path: string } | PathProblem {
  const problem = writtenProblem(written);
  if (problem) return problem;
  const path = resolve(baseDir, written);
  if (!ws.allowOutside) {
    const root = resolve(ws.root);
    if (namesDrive(written) && sep === '/') return { kind: 'outside', reason: `names a Windows drive, outside the workspace folder ${root}` };
    if (isAbsolute(written) && !isInside(root, path)) return { kind: 'outside', reason: `is an absolute path outside the workspace folder ${root}` };
  }
  const placed = placementProblem(path, ws);
  if (placed && !(placed.kind === 'outside' && ws.allowOutside)) return placed;
  return { path };
}

/** Why a write to `path` must not happen now (undefined when it may): the writer's last look before it writes. */
export function writeRefusal(path: string, ws: Workspace): string | undefined {
  const problem = placementProblem(path, ws);
  if (!problem || (problem.kind === 'outside' && ws.allowOutside)) return undefined;
  const advice = problem.kind === 'outside' ? '; a folder or link on the way is not what the check saw: write inside the workspace, or allow it with --allow-outside-workspace' : '';
  return `refused to write ${path}: it ${problem.reason}${advice}`;
}

/**
 * Where a written file really lands: the real path of its folder (as far as it exists) plus its
 * name. Two outputs, or an output and an input, are the same file when these agree.
 */
export function writtenLocation(path: string): string {
  let folder = dirname(path);
  const names: string[] = [basename(path)];
  for (;;) {
    try {
      return join(realpathSync.native(folder), ...names);
    } catch {
      const up = dirname(folder);
      if (up === folder) return path;
      names.unshift(basename(folder));
      folder = up;
    }
  }
}

/** Where a read of `path` lands: links followed to the end (the file itself may be a link). */
export function readLocation(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return writtenLocation(path);
  }
}
