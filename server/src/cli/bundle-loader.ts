// Loads a CommonJS bundle of the CLI (dist/cli-commands.js) with a V8 code cache kept beside it.
// Node 20 compiles a required file from its text every time (`module.enableCompileCache` is
// Node 22), and compiling the megabyte of the commands' bundle was about a third of a one-row
// `narml predict`. The cache is V8's own (`vm.Script` cached data), made when the process exits,
// so that it holds the functions the command compiled, not only the top level. V8 checks its own
// version and flags but, of the source, only the length, and a rebuilt bundle of the same length
// must not run the old code: the cache starts with the identity of the bundle file it was made
// for (device, inode, size, modification and change times, in nanoseconds) and that file's
// SHA-256. The identity, not a hash, is compared at every start: hashing the megabyte cost about
// 35 M instructions per command. Any write to the file changes its change time, which no program
// can set back, and a file put in its place is another inode. The hash is kept for the runner's
// reuse keys (run-pipeline.ts), computed only by the process that makes the cache. The cache is
// kept beside the bundle, not in a shared temporary folder: cached code is code, and only who may
// change the bundle may change it. A cache that cannot be read or written only makes the start slower.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, type BigIntStats } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { writeFileAtomic } from '../store/atomic-write';

/**
 * Where the code cache of `file` is kept: one per V8 version, so that two Node runtimes using one
 * installation (VS Code's and the user's) do not each refuse and rewrite the other's.
 */
export function codeCachePath(file: string): string {
  return join(dirname(file), `.${basename(file)}.v8-${process.versions.v8}-${process.arch}.cache`);
}

/**
 * What the loader leaves on a bundle's module (`require.cache[__filename]` inside the bundle): the
 * SHA-256 of its bytes, which the runner's reuse keys hold (run-pipeline.ts), so that the megabyte
 * is not read and hashed a second time.
 */
export interface LoadedBundle {
  sha256?: string;
  /**
   * Set by the bundle when this process did the work the cache is best made by (a quick
   * `narml predict`, whose start-up counts most): at exit the cache is made again from this
   * process unless such a process already made it.
   */
  preferredCache?: boolean;
}

/** The tag a cache made by a process that set `preferredCache` carries in its header. */
const PREFERRED = 'preferred';

/**
 * A file within this many milliseconds of its last change may still be written again with the
 * same times (a file system's timestamps are coarse: a clock tick, two seconds on FAT), so its
 * identity does not yet tell its contents apart.
 */
const RACY_MS = 2000;

/** Device, inode, size, modification and change times: equal only for the same file, unchanged. */
function identityOf(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * A code cache's header is one line, `IDENTITY SHA256[ preferred]\n`, before V8's data; the
 * identity is empty when the bundle had changed too recently for it to count.
 */
interface CacheFile {
  identity: string;
  sha256: string;
  preferred: boolean;
  data: Buffer;
}

function readCache(path: string): CacheFile | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return undefined; // no cache yet
  }
  const end = bytes.subarray(0, 256).indexOf(10);
  if (end < 0) return undefined;
  const [identity, sha256, tag] = bytes.subarray(0, end).toString('latin1').split(' ');
  return sha256?.length === 64 ? { identity, sha256, preferred: tag === PREFERRED, data: bytes.subarray(end + 1) } : undefined;
}

/** The bundle's bytes, and their file's identity when the file did not change while it was read. */
function readBundle(file: string): { source: Buffer; identity?: string; changed: bigint } {
  const fd = openSync(file, 'r');
  try {
    const before = fstatSync(fd, { bigint: true });
    const source = readFileSync(fd);
    const after = identityOf(fstatSync(fd, { bigint: true }));
    return { source, identity: after === identityOf(before) ? after : undefined, changed: before.ctimeNs };
  } finally {
    closeSync(fd);
  }
}

/** What `require(file)` returns, for a CommonJS file given by its absolute path, compiled with its code cache. */
export function loadBundle(file: string): unknown {
  const loaded = require.cache[file];
  if (loaded) return loaded.exports;
  const { source, identity, changed } = readBundle(file);
  const cachePath = codeCachePath(file);
  const cache = readCache(cachePath);
  // The same file, unchanged since the cache was made: its hash is the cache's. Otherwise the
  // bundle is hashed, and a cache made for the same bytes (a copied installation, a cache made
  // just after a build) is still used, then written again under this identity.
  const known = identity !== undefined && cache?.identity === identity;
  const sha256 = known ? cache.sha256 : createHash('sha256').update(source).digest('hex');
  const cached = cache?.sha256 === sha256 ? cache.data : undefined;
  const script = new Script(Module.wrap(source.toString('utf8')), { filename: file, cachedData: cached });
  const mod: Module & LoadedBundle = new Module(file, module);
  mod.filename = file;
  mod.sha256 = sha256;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  require.cache[file] = mod;
  try {
    (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  } catch (e) {
    // As `require` does: a module that threw is not kept, so a later load tries again.
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  const stale = cached === undefined || script.cachedDataRejected || !known;
  // The cache holds what the process that made it compiled: one made by a command that ran
  // little (a check) left a later predict compiling the rest at every start (10 % more work).
  process.once('exit', () => {
    const preferred = mod.preferredCache === true;
    if (!stale && !(preferred && !cache.preferred)) return;
    const settled = identity !== undefined && BigInt(Date.now() - RACY_MS) * 1_000_000n > changed;
    try {
      writeFileAtomic(cachePath, Buffer.concat([Buffer.from(`${settled ? identity : ''} ${sha256}${preferred ? ` ${PREFERRED}` : ''}\n`, 'latin1'), script.createCachedData()]));
    } catch {
      // a read-only installation: every start compiles, as without a cache
    }
  });
  return mod.exports;
}
