// Getting started: the walkthrough's "open a sample" step, and what Restricted Mode shows (the
// status bar says that checking works and how to run; the server leaves out the Run lenses).
import * as vscode from 'vscode';
import { COMMANDS } from '../../server/src/contracts/lsp-requests';

const SAMPLE = 'penguins';
/** A sample copied before a folder was opened: opened on the next start, in that folder. */
const OPEN_ON_START = 'narml.openOnStart';

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** `penguins`, or `penguins-2`, ... when a folder of that name holds something else. */
async function sampleFolder(parent: vscode.Uri): Promise<{ folder: vscode.Uri; copied: boolean }> {
  for (let k = 1; ; k++) {
    const folder = vscode.Uri.joinPath(parent, k === 1 ? SAMPLE : `${SAMPLE}-${k}`);
    if (!(await exists(folder))) return { folder, copied: false };
    // A copy made before is opened again rather than copied twice.
    if (await exists(vscode.Uri.joinPath(folder, `${SAMPLE}.narml`))) return { folder, copied: true };
  }
}

/**
 * Copies the bundled penguins sample (pipeline and data) into the workspace folder and opens
 * it; a pipeline writes its run store and outputs beside itself, so it never runs from the
 * extension's own folder. Without a folder open, asks where to put it and opens that folder.
 */
export async function openSample(context: vscode.ExtensionContext): Promise<vscode.Uri | undefined> {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
  const parent = workspace ?? (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Copy the NarML sample here', title: 'Where should the penguins sample go?' }))?.[0];
  if (!parent) return undefined;
  const { folder, copied } = await sampleFolder(parent);
  if (!copied) await vscode.workspace.fs.copy(vscode.Uri.joinPath(context.extensionUri, 'samples', SAMPLE), folder, { overwrite: false });
  const file = vscode.Uri.joinPath(folder, `${SAMPLE}.narml`);
  if (!workspace) {
    await context.globalState.update(OPEN_ON_START, file.toString());
    await vscode.commands.executeCommand('vscode.openFolder', folder);
    return file;
  }
  await vscode.window.showTextDocument(file, { preview: false });
  return file;
}

/** Opens the sample a previous `openSample` copied before it opened this folder. */
export async function openPendingSample(context: vscode.ExtensionContext): Promise<void> {
  const pending = context.globalState.get<string>(OPEN_ON_START);
  if (!pending) return;
  const file = vscode.Uri.parse(pending);
  if (!vscode.workspace.getWorkspaceFolder(file)) return;
  await context.globalState.update(OPEN_ON_START, undefined);
  await vscode.window.showTextDocument(file, { preview: false });
}

/** The status bar item runs the pipeline; in Restricted Mode it says why nothing runs. */
export function showTrust(status: vscode.StatusBarItem, trusted: boolean): void {
  status.text = trusted ? '$(beaker) NarML' : '$(shield) NarML: Restricted Mode';
  status.command = trusted ? COMMANDS.runPipeline : COMMANDS.manageTrust;
  status.tooltip = trusted ? 'Run the NarML pipeline' : 'Restricted Mode: checking works; trust the folder to run pipelines';
}
