// The notification after a run that wrote files: it names them and offers to open one or to
// reveal it in the Explorer (an ONNX model is not text, so it is revealed, not opened).
import * as vscode from 'vscode';
import { extname } from 'node:path';
import { outputsSentence } from './notice-text';
import type { RunJson } from '../../server/src/contracts/cli-json';

async function pickOutput(outputs: string[], placeHolder: string): Promise<string | undefined> {
  if (outputs.length <= 1) return outputs[0];
  return vscode.window.showQuickPick(outputs, { placeHolder });
}

export function announceOutputs(run: RunJson): void {
  const actions = run.outputs.length ? ['Open', 'Reveal in Explorer'] : [];
  void vscode.window.showInformationMessage(outputsSentence(run), ...actions).then(async (choice) => {
    if (!choice) return;
    const file = await pickOutput(run.outputs, choice === 'Open' ? 'File to open' : 'File to reveal');
    if (!file) return;
    const uri = vscode.Uri.file(file);
    if (choice === 'Open' && extname(file).toLowerCase() !== '.onnx') await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
    else await vscode.commands.executeCommand('revealInExplorer', uri);
  });
}
