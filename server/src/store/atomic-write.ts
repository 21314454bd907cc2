// The one way NarML writes a file (outputs, exports, the run store): a temporary file beside the
// target is written, flushed, fsync'ed and its size verified, then renamed into place (rename is
// atomic on one file system). A target is only ever replaced by a complete file; on any failure
// the temporary file is removed, the old file stays, and a WriteError says what and why.
import { randomBytes, type Hash } from 'node:crypto';
import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { writeRefusal, type Workspace } from '../workspace/output-paths';

/** A file could not be written; the message names the path, the cause and what to do. */
export class WriteError extends Error {
  constructor(message: string, readonly path: string, readonly code?: string) {
    super(message);
  }

  /** The file system refuses writes altogether (read-only mount, no permission). */
  get readOnly(): boolean {
    return this.code === 'EROFS' || this.code === 'EACCES' || this.code === 'EPERM';
  }
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device (ENOSPC); free some space and run again',
  EDQUOT: 'the disk quota is exhausted (EDQUOT); free some space and run again',
  EROFS: 'the file system is read-only (EROFS); run from a writable folder or make it writable',
  EACCES: 'permission denied (EACCES); make the folder writable or choose another path',
  EPERM: 'operation not permitted (EPERM); make the folder writable or choose another path',
  ENOTDIR: 'a part of the path is a file, not a folder (ENOTDIR); choose another path',
  // From mkdir: a file stands where a folder of the path should be.
  EEXIST: 'a part of the path is a file, not a folder (EEXIST); choose another path',
  EISDIR: 'the path is a folder (EISDIR); name a file inside it instead',
  EIO: 'an input/output error occurred (EIO); check the disk',
};

/** A failed file-system write (of any kind) as a WriteError naming the path and the cause. */
export function writeError(path: string, e: unknown, replacing = false): WriteError {
  const code = (e as NodeJS.ErrnoException).code;
  const cause = (code && CAUSES[code]) ?? (e instanceof Error ? e.message : String(e));
  return new WriteError(`cannot write ${path}: ${cause}${replacing ? '; the previous file was kept unchanged' : ''}`, path, code);
}

/** Throws a WriteError (code EOUTSIDE) when a write to `path` would land outside the workspace now. */
export function refuseOutside(path: string, workspace: Workspace): void {
  const refusal = writeRefusal(path, workspace);
  if (refusal) throw new WriteError(refusal, path, 'EOUTSIDE');
}

function isFolder(path: string): boolean | undefined {
  try {
    return statSync(path).isDirectory();
  } catch {
    return undefined;
  }
}

/**
 * Writes `data` to `path` completely or not at all. With `workspace`, the real place of the write
 * must stay inside it: judged before any folder is made, again before the temporary file is
 * opened and right before the rename (a link may appear after the check). `durable: false` skips
 * the two fsyncs, for a file that only matters while its process lives (a run's start record and
 * running mark): the write is still all or nothing for anyone reading it, and still there when the
 * process is killed (the kernel keeps its pages); only a machine crash may lose it. `hash` is
 * updated with each chunk as it is written (while its bytes are in the cache, not in a pass of its own).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], workspace?: Workspace, { durable = true, hash }: { durable?: boolean; hash?: Hash } = {}): void {
  // Chunks are written one after the other: a large output is never joined into one buffer.
  const chunks = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
  const length = chunks.reduce((sum, c) => sum + c.length, 0);
  const target = openTemporary(path, workspace);
  try {
    for (const bytes of chunks) {
      writeAll(target.fd!, bytes);
      hash?.update(bytes);
    }
    commit(target, length, durable);
  } catch (e) {
    throw abandon(target, e);
  }
  if (durable) syncFolder(target.dir);
}

/**
 * writeFileAtomic for a file made piece by piece, too large to hold (a prediction file of
 * millions of rows): `fill` hands the pieces in order to `write`, which writes each at once.
 * The same guarantees: the target is replaced only by the complete file, or left as it was.
 */
export async function writeFileAtomicStreamed(path: string, fill: (write: (bytes: Uint8Array) => void) => Promise<void>, workspace?: Workspace): Promise<void> {
  const target = openTemporary(path, workspace);
  let length = 0;
  try {
    await fill((bytes) => {
      writeAll(target.fd!, bytes);
      length += bytes.length;
    });
    commit(target, length, true);
  } catch (e) {
    throw abandon(target, e);
  }
  syncFolder(target.dir);
}

interface Temporary { path: string; dir: string; tmp: string; fd: number | undefined; existing: boolean | undefined; workspace: Workspace | undefined }

/** The temporary file beside `path`, opened for writing, after the workspace and folder checks. */
function openTemporary(path: string, workspace: Workspace | undefined): Temporary {
  if (workspace) refuseOutside(path, workspace);
  const existing = isFolder(path);
  if (existing) throw new WriteError(`cannot write ${path}: it is a folder; remove the folder or choose a file path such as ${join(path, 'out.csv')}`, path, 'EISDIR');
  const dir = dirname(path);
  makeFolder(path, dir);
  if (workspace) refuseOutside(path, workspace);
  // Random, not time-based: two writers of one path in the same millisecond get distinct files.
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const target: Temporary = { path, dir, tmp, fd: undefined, existing, workspace };
  try {
    target.fd = openSync(tmp, 'wx');
  } catch (e) {
    throw abandon(target, e);
  }
  return target;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** Flushes, verifies the size and renames the temporary file into place. */
function commit(target: Temporary, length: number, durable: boolean): void {
  if (durable) fsyncSync(target.fd!);
  const size = fstatSync(target.fd!).size;
  if (size !== length) throw new Error(`wrote ${size} of ${length} bytes`);
  closeSync(target.fd!);
  target.fd = undefined;
  if (target.workspace) refuseOutside(target.path, target.workspace);
  renameSync(target.tmp, target.path);
}

/** Removes the temporary file of a failed write; the error to throw, naming the path and cause. */
function abandon(target: Temporary, e: unknown): WriteError {
  if (target.fd !== undefined) try { closeSync(target.fd); } catch { /* already failing; the write error is what matters */ }
  try { unlinkSync(target.tmp); } catch { /* never created, or already renamed */ }
  return e instanceof WriteError ? e : writeError(target.path, e, target.existing === false);
}

function makeFolder(path: string, dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    // A recursive mkdir reports ENOENT under a read-only parent: a plain mkdir of the first
    // missing folder reports the real cause (EROFS, EACCES, ...).
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    try {
      mkdirSync(missing);
    } catch (cause) {
      throw writeError(path, cause, false);
    }
    throw writeError(path, e, false);
  }
}

/** Makes the rename itself durable; some file systems refuse fsync on a folder, which is harmless. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // best effort: the file is complete and in place either way
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
