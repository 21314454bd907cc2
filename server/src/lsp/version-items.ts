// Completion and hover of the part after `@` in `with churn@production` / `for churn@v3`: the
// stages and the versions the run store's registry holds (through the same RegistrySource the
// checker reads), each with its algorithm, stage and metrics.
import { CompletionItemKind, MarkupKind, type CompletionItem } from 'vscode-languageserver/node';
import type { CheckedPipeline } from '../checker/checked-model';
import { VERSION_STAGES, type RegistrySource, type VersionFacts } from '../checker/version-refs';
import type { Range, VersionRef } from '../language/ast';
import type { TypedWord } from './cursor-context';

/** The `@…` reference of a predict or monitor header that `offset` is in (or right after), with its model. */
function versionRefAt(p: CheckedPipeline, offset: number): { ref: VersionRef; model: string } | undefined {
  for (const d of p.document.declarations) {
    if ((d.kind !== 'predict' && d.kind !== 'monitor') || !d.version || !d.model) continue;
    if (d.version.range.start.offset < offset && offset <= d.version.range.end.offset) return { ref: d.version, model: d.model.text };
  }
  return undefined;
}

function summary(v: VersionFacts): string {
  const [on, metrics] = Object.entries(v.metrics)[0] ?? [];
  const [name, value] = Object.entries(metrics ?? {})[0] ?? [];
  return [v.stage, v.algorithm, name !== undefined && value !== undefined ? `${name} ${value.toFixed(4)} on ${on}` : undefined].filter(Boolean).join(' · ');
}

function details(model: string, v: VersionFacts): string {
  const metrics = Object.entries(v.metrics).map(([on, m]) => `- ${on}: ${Object.entries(m).map(([k, x]) => `${k} ${x.toFixed(4)}`).join(', ')}`).join('\n');
  return `**${model} ${v.version}**${v.stage ? ` (${v.stage})` : ''}: ${v.algorithm}, trained by run ${v.run} at ${v.created}${v.status === 'succeeded' ? '' : ` (run ${v.status})`}${metrics ? `\n\n${metrics}` : ''}`;
}

/** Items after `model@`: the stages (with the version each holds now), then every stored version. */
export function versionCompletion(p: CheckedPipeline, offset: number, registry: RegistrySource | undefined): { items: CompletionItem[]; word: TypedWord } | undefined {
  const at = versionRefAt(p, offset);
  if (!at) return undefined;
  const word = { start: at.ref.range.start.offset + 1, end: offset, text: p.text.slice(at.ref.range.start.offset + 1, offset) };
  const versions = registry?.versions(p.file, at.model) ?? [];
  const stages = VERSION_STAGES.map((stage): CompletionItem => {
    const holder = registry?.named(p.file, at.model, stage);
    return { label: stage, kind: CompletionItemKind.EnumMember, detail: holder ? `now ${holder.version}: ${summary(holder)}` : 'no version in this stage yet', ...(holder ? { documentation: { kind: MarkupKind.Markdown, value: details(at.model, holder) } } : {}) };
  });
  const numbered = versions.map((v, i): CompletionItem => ({
    label: v.version, kind: CompletionItemKind.Value, detail: summary(v), documentation: { kind: MarkupKind.Markdown, value: details(at.model, v) },
    // Newest first after the stages.
    sortText: `z${String(versions.length - i).padStart(6, '0')}`,
  }));
  return { items: [...stages, ...numbered], word };
}

/** Hover text (markdown) on `@production` / `@v3`: the version it names now, with its metrics. */
export function versionHover(p: CheckedPipeline, offset: number, registry: RegistrySource | undefined): { value: string; range: Range } | undefined {
  const at = versionRefAt(p, offset);
  if (!at || at.ref.text === '') return undefined;
  const v = registry?.named(p.file, at.model, at.ref.text);
  const value = v ? `\`${at.model}@${at.ref.text}\` is ${details(at.model, v)}` : `\`${at.model}@${at.ref.text}\`: the run store holds no such version (see \`narml models ${at.model}\`)`;
  return { value, range: at.ref.range };
}
