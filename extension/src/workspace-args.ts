// What the extension tells the runner and the language server about where a pipeline may
// write: the workspace folder that holds it, and the override that lets outputs leave it —
// which only a trusted workspace may turn on (Restricted Mode ignores the setting).
import { DEFAULT_ENGINE_FLAG, DEFAULT_ENGINES, WORKSPACE_FLAGS } from '../../server/src/contracts/cli-json';

export interface OutputGate {
  /** vscode.workspace.isTrusted */
  trusted: boolean;
  /** The setting narml.runner.allowOutsideWorkspace */
  setting: boolean;
}

export function allowOutsideWorkspace(gate: OutputGate): boolean {
  return gate.trusted && gate.setting;
}

/** CLI arguments for a pipeline in the workspace folder `root` (the file's folder when it is in none). */
export function workspaceArgs(root: string, gate: OutputGate): string[] {
  return [`--${WORKSPACE_FLAGS.workspace}`, root, ...(allowOutsideWorkspace(gate) ? [`--${WORKSPACE_FLAGS.allowOutside}`] : [])];
}

/**
 * `--default-engine` from the setting narml.engine for run, preview, predict, scheduler and serve: the engine of a
 * pipeline without an `engine:` statement, the rule the language server checks by; `pipeline`
 * (the default) passes nothing (memory).
 */
export function engineArgs(setting: string | undefined): string[] {
  return DEFAULT_ENGINES.some((e) => e === setting) ? [`--${DEFAULT_ENGINE_FLAG}`, setting!] : [];
}
