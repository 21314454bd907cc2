// `--workspace DIR` and `--allow-outside-workspace`, shared by the commands that check a
// pipeline: the folder its outputs must stay in (default: the pipeline's own folder), and the
// explicit override that lets them leave it. The extension passes its workspace folder and
// never passes the override in Restricted Mode.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isInside, realOrSelf, workspaceOf, type Workspace } from '../workspace/output-paths';
import { UsageError, type ParsedArgs } from './command';
import { WORKSPACE_FLAGS } from '../contracts/cli-json';

const WORKSPACE_VALUED_FLAG = WORKSPACE_FLAGS.workspace;
const ALLOW_OUTSIDE_FLAG = WORKSPACE_FLAGS.allowOutside;
export const WORKSPACE_USAGE = `[--${WORKSPACE_VALUED_FLAG} DIR] [--${ALLOW_OUTSIDE_FLAG}]`;
/** The workspace flags for parseArgs: what every command that checks a pipeline accepts. */
export const WORKSPACE_OPTIONS = { valued: [WORKSPACE_VALUED_FLAG], switches: [ALLOW_OUTSIDE_FLAG] };

/** The workspace the parsed flags name for `file`. */
export function workspaceOption(file: string, flags: ParsedArgs['flags']): Workspace {
  const dir = flags.get(WORKSPACE_VALUED_FLAG);
  return workspaceFromFlags(file, typeof dir === 'string' ? dir : undefined, flags.has(ALLOW_OUTSIDE_FLAG));
}

/** The workspace for `file` from the flags; a DIR that is not a folder, or does not hold the file, is bad usage. */
export function workspaceFromFlags(file: string, dir: string | undefined, allowOutside: boolean): Workspace {
  const pipeline = resolve(file);
  if (dir === undefined) return workspaceOf(pipeline, undefined, allowOutside);
  const root = resolve(dir);
  let isFolder = false;
  try {
    isFolder = statSync(root).isDirectory();
  } catch {
    throw new UsageError(`--workspace ${dir}: no such folder`);
  }
  if (!isFolder) throw new UsageError(`--workspace ${dir} is a file; name the folder that holds the pipeline`);
  // The run store is written beside the pipeline: the pipeline's folder must be inside the workspace too.
  if (!allowOutside && !isInside(realOrSelf(root), realOrSelf(dirname(pipeline)))) {
    throw new UsageError(`${file} is not inside the workspace ${dir}, so its run store (.narml/ beside it) would be written outside; pass a --workspace that contains it`);
  }
  return workspaceOf(pipeline, root, allowOutside);
}
