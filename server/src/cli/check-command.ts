// `narml check FILE... [--format text|json]` (spec §7).
import { resolve } from 'node:path';
import { CsvSchemaCache } from '../data/csv-schema-cache';
import { checkWithFullSchemas, readPipelineFile, UnreadableFileError } from '../checker/check-files';
import { diagnosticJson, type Diagnostic } from '../checker/diagnostic';
import { UsageError, type CliCommand } from './command';
import { ALLOW_OUTSIDE_FLAG, WORKSPACE_USAGE, WORKSPACE_VALUED_FLAG, workspaceFromFlags } from './workspace-flags';

export function formatDiagnosticText(file: string, d: Diagnostic): string {
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} ${d.code} ${d.message}`;
}

async function check(args: string[]): Promise<number> {
  let format = 'text';
  let workspaceDir: string | undefined;
  let allowOutside = false;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--format') {
      format = args[++i] ?? '';
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
    } else if (a.startsWith('--format=')) {
      format = a.slice('--format='.length);
      if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not "${format}"`);
    } else if (a === `--${WORKSPACE_VALUED_FLAG}`) {
      workspaceDir = args[++i];
      if (workspaceDir === undefined) throw new UsageError(`--${WORKSPACE_VALUED_FLAG} needs a folder`);
    } else if (a.startsWith(`--${WORKSPACE_VALUED_FLAG}=`)) workspaceDir = a.slice(WORKSPACE_VALUED_FLAG.length + 3);
    else if (a === `--${ALLOW_OUTSIDE_FLAG}`) allowOutside = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else files.push(a);
  }
  if (files.length === 0) throw new UsageError('name at least one .narml file');
  const cache = new CsvSchemaCache();
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
    const workspace = workspaceFromFlags(file, workspaceDir, allowOutside);
    const checked = await checkWithFullSchemas(text, resolve(file), cache, { workspace });
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
  check: { usage: `check FILE... [--format text|json] ${WORKSPACE_USAGE}`, summary: 'parse and type-check pipelines', run: check },
};
