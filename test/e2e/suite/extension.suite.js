// Inside the extension host: activation, diagnostics for a broken file, completion, a run from
// the command that yields metrics, a declaration run despite errors it does not need, the
// narml.engine setting reaching the language server, and the workspace-trust seam.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const folder = () => vscode.workspace.workspaceFolders[0].uri.fsPath;

async function until(check, ms = 60000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('timed out');
}

suite('NarML extension', () => {
  let api;

  suiteSetup(async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(folder(), 'penguins.narml'));
    await vscode.window.showTextDocument(doc);
    const ext = vscode.extensions.all.find((e) => e.packageJSON.name === 'narml');
    assert.ok(ext, 'the extension is installed');
    api = await ext.activate();
  });

  test('activates on a .narml file', () => {
    assert.equal(vscode.window.activeTextEditor.document.languageId, 'narml');
    assert.equal(typeof api.runPipelineForTest, 'function');
  });

  test('reports diagnostics for a broken file', async () => {
    const broken = path.join(folder(), 'broken.narml');
    fs.writeFileSync(broken, 'dataset penguins from "data/penguins.csv"\nmodel m from penguins { target: Speciez, algorithm: knn }\n');
    const doc = await vscode.workspace.openTextDocument(broken);
    await vscode.window.showTextDocument(doc);
    const diags = await until(() => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length > 0 ? d : undefined;
    });
    assert.ok(diags.some((d) => d.code === 'NML101' && /Species/.test(d.message)));
  });

  test('completes columns at a step', async () => {
    const doc = await vscode.workspace.openTextDocument(path.join(folder(), 'penguins.narml'));
    const line = doc.getText().split('\n').findIndex((l) => l.includes('scale beak_length'));
    const list = await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(line, 8));
    assert.ok(list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'beak_length'));
  });

  test('Run Pipeline yields metrics', async () => {
    const result = await api.runPipelineForTest(path.join(folder(), 'penguins.narml'));
    assert.ok(result, 'a run result');
    assert.equal(result.status, 'succeeded', result.error);
    assert.ok(result.evaluations.species_logistic_on_parts_test.metrics.accuracy > 0.9);
  });

  test('a declaration runs when the file\'s errors are all in what it does not need; the whole file does not', async () => {
    // A predict of species_logistic@production before any version of this file is promoted: NML133.
    const file = path.join(folder(), 'staged.narml');
    fs.writeFileSync(file, `${fs.readFileSync(path.join(folder(), 'penguins.narml'), 'utf8')}\npredict staged with species_logistic@production from "data/new-penguins.csv" {\n  output: "out/staged.csv"\n}\n`);
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    await until(() => vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'NML133'));
    assert.equal(await vscode.commands.executeCommand('narml.runPipeline', file), undefined, 'the whole file is refused');
    const trained = await vscode.commands.executeCommand('narml.runDeclaration', file, 'species_logistic');
    assert.equal(trained && trained.status, 'succeeded', trained && trained.error);
    assert.ok(trained.models.species_logistic, 'the model was trained');
  });

  test('the narml.engine setting is the engine the language server checks a file without an engine: statement for', async () => {
    const file = path.join(folder(), 'setting.narml');
    // DuckDB runs no cast step (NML154): the diagnostic comes and goes with the setting.
    fs.writeFileSync(file, 'dataset penguins from "data/penguins.csv"\ntransform t from penguins {\n  cast `Body Mass (g)` as text\n}\n');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc);
    const has154 = () => vscode.languages.getDiagnostics(doc.uri).some((d) => d.code === 'NML154');
    await until(() => vscode.languages.getDiagnostics(doc.uri).length > 0);
    assert.equal(has154(), false, 'memory (the setting\'s default) runs a cast');
    const config = vscode.workspace.getConfiguration('narml');
    await config.update('engine', 'duckdb', vscode.ConfigurationTarget.Workspace);
    try {
      await until(has154);
    } finally {
      await config.update('engine', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await until(() => !has154());
  });

  test('running is refused in an untrusted workspace, with the reason', () => {
    assert.match(api.runRefusal({ isTrusted: false }), /Restricted Mode/);
    assert.equal(api.runRefusal({ isTrusted: true }), undefined);
  });
});
