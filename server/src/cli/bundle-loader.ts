// Loads a CommonJS bundle of the CLI (dist/cli-commands.js) with a V8 code cache kept beside it.
// Node 20 compiles a required file from its text every time (`module.enableCompileCache` is
// Node 22), and compiling the megabyte of the commands' bundle was about a third of a one-row
// `narml predict`. The cache is V8's own (`vm.Script` cached data), made when the process exits,
// so that it holds the functions the command compiled, not only the top level. Its first bytes
// are the bundle's SHA-256: V8 checks its own version and flags but, of the source, only the
// length, and a rebuilt bundle of the same length must not run the old code. It is kept beside
// the bundle, not in a shared temporary folder: cached code is code, and only who may change the
// bundle may change it. A cache that cannot be read or written only makes the start slower.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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
}

/** What `require(file)` returns, for a CommonJS file given by its absolute path, compiled with its code cache. */
export function loadBundle(file: string): unknown {
  const loaded = require.cache[file];
  if (loaded) return loaded.exports;
  const source = readFileSync(file);
  const key = createHash('sha256').update(source).digest();
  const cachePath = codeCachePath(file);
  let cached: Buffer | undefined;
  try {
    const bytes = readFileSync(cachePath);
    if (bytes.subarray(0, key.length).equals(key)) cached = bytes.subarray(key.length);
  } catch {
    // no cache yet
  }
  const script = new Script(Module.wrap(source.toString('utf8')), { filename: file, cachedData: cached });
  const mod: Module & LoadedBundle = new Module(file, module);
  mod.filename = file;
  mod.sha256 = key.toString('hex');
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
  if (cached === undefined || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        writeFileAtomic(cachePath, Buffer.concat([key, script.createCachedData()]));
      } catch {
        // a read-only installation: every start compiles, as without a cache
      }
    });
  }
  return mod.exports;
}
