// `narml check FILE... [--format text|json] [--engine NAME] [--default-engine NAME] [--workspace DIR] [--allow-outside-workspace]` (spec §7).
import { resolve } from 'node:path';
import type { Diagnostic } from '../checker/diagnostic';
import { parseArgs, UsageError, type CliCommand } from './command';
import { ENGINE_OPTIONS, ENGINE_USAGE, engineOption } from './engine-flag';
import { WORKSPACE_OPTIONS, WORKSPACE_USAGE, workspaceOption } from './workspace-flags';

export function formatDiagnosticText(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`;
}

async function check(args: string[]): Promise<number> {
  const { positional: files, flags } = parseArgs(args, ['format', ...ENGINE_OPTIONS, ...WORKSPACE_OPTIONS.valued], WORKSPACE_OPTIONS.switches);
  const engine = engineOption(flags);
  const format = flags.get('format') ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
  if (files.length === 0) throw new UsageError('name at least one .narml file');
  // Imported here: the main thread of `run` and `predict` (which check in their worker) never needs them.
  const { CsvSchemaCache, checkWithFullSchemas, readPipelineFile, UnreadableFileError, diagnosticJson, StoreRegistrySource } = await import('./commands-impl');
  const cache = new CsvSchemaCache();
  const registry = new StoreRegistrySource();
  const results: { file: string; diagnostics: Diagnostic[] }[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readPipelineFile(file);
    } catch (e) {
      if (e instanceof UnreadableFileError) {
        process.stderr.write(`narml check: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
    const workspace = workspaceOption(file, flags);
    const checked = await checkWithFullSchemas(text, resolve(file), cache, { workspace, registry, ...engine });
    results.push({ file, diagnostics: checked.diagnostics });
  }
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify({ files: results.map((r) => ({ file: r.file, diagnostics: r.diagnostics.map(diagnosticJson) })) })}\n`);
  } else {
    const lines = results.flatMap((r) => r.diagnostics.map((d) => formatDiagnosticText(r.file, d)));
    if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
    const errors = results.reduce((s, r) => s + r.diagnostics.filter((d) => d.severity === 'error').length, 0);
    const warnings = results.reduce((s, r) => s + r.diagnostics.filter((d) => d.severity === 'warning').length, 0);
    process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
  return results.some((r) => r.diagnostics.some((d) => d.severity === 'error')) ? 1 : 0;
}

export const checkCommands: Record<string, CliCommand> = {
  check: { usage: `check FILE... [--format text|json] ${ENGINE_USAGE} ${WORKSPACE_USAGE}`, summary: 'parse and type-check pipelines', run: check },
};
