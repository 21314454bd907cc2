// Completion from the checked pipeline: what fits at the cursor, decided from the declaration
// around it and the text before the cursor on its line.
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver/node';
import type { CheckedPipeline, ModelInfo } from '../checker/checked-model';
import { DECLARATION_KINDS, type DeclarationKind } from '../language/ast';
import { isBareName, quoteName } from '../language/lexer';
import { STEP_KEYWORDS } from '../language/parser';
import { COLUMN_TYPES, type TableSchema, type Task } from '../language/schema';
import { FUNCTIONS } from '../language/functions';
import { ALGORITHMS, COMPARE_TESTS, DRIFT_METHODS, ENCODE_METHODS, ENSEMBLES, IMPUTE_METHODS, METRICS, RESAMPLERS, RETRAIN_POLICIES, SCALE_METHODS, SELECTORS, TUNERS } from '../ml/catalog';
import { DATASET_KEYS, DECIMAL_MARKS, THOUSANDS_SEPARATORS } from '../checker/dataset-check';
import { describeOption } from '../checker/options';
import { declarationAt, schemaAt } from './position-context';
import { DECLARATION_DOCS, STEP_DOCS } from './keyword-docs';

const SNIPPETS: Record<DeclarationKind, string> = {
  dataset: 'dataset ${1:name} from "${2:data/file.csv}"',
  transform: 'transform ${1:name} from ${2:table} {\n  $0\n}',
  split: 'split ${1:parts} from ${2:table} {\n  train: ${3:80%}\n  test: ${4:20%}\n  seed: ${5:42}\n}',
  model: 'model ${1:name} from ${2:parts.train} {\n  target: ${3:column}\n  algorithm: ${4:random_forest}\n}',
  evaluate: 'evaluate ${1:model} on ${2:parts.test} {\n  metrics: [${3:accuracy}]\n}',
  compare: 'compare ${1:model_a}, ${2:model_b} on ${3:parts.test} {\n  metric: ${4:accuracy}\n}',
  predict: 'predict ${1:name} with ${2:model} from "${3:data/new/*.csv}" {\n  output: "${4:out/predictions-{date\\}.csv}"\n}',
  monitor: 'monitor ${1:name} for ${2:model} {\n  baseline: ${3:parts.train}\n  current: ${4:prediction}\n  drift: psi(threshold: 0.2)\n}',
  export: 'export ${1:model} to "${2:models/model.onnx}"',
};

const PROPERTY_KEYS: Partial<Record<DeclarationKind, string[]>> = {
  dataset: [...DATASET_KEYS],
  split: ['train', 'test', 'validation', 'stratify', 'seed'],
  model: ['target', 'algorithm', 'features', 'exclude', 'resample', 'select', 'tune', 'cv', 'ensemble'],
  evaluate: ['metrics', 'threshold', 'cv', 'positive'],
  compare: ['metric', 'test', 'alpha'],
  predict: ['output', 'schedule', 'retries'],
  monitor: ['baseline', 'current', 'drift', 'alert', 'retrain'],
};

function words(list: readonly string[], kind: CompletionItemKind, detail?: (w: string) => string | undefined): CompletionItem[] {
  return list.map((label) => ({ label, kind, ...(detail?.(label) ? { detail: detail(label) } : {}) }));
}

function columns(schema: TableSchema | undefined): CompletionItem[] {
  return (schema?.columns ?? []).map((c) => ({
    label: c.name,
    kind: CompletionItemKind.Field,
    detail: `${c.type}${c.nullable ? '?' : ''}${c.levels ? ` (${c.levels.length} levels)` : ''}`,
    ...(isBareName(c.name) ? {} : { insertText: quoteName(c.name) }),
  }));
}

function namesOf(p: CheckedPipeline, kinds: DeclarationKind[]): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const s of p.symbols.values()) {
    if (!kinds.includes(s.kind)) continue;
    if (s.kind === 'split') {
      const info = p.infos[s.declarationIndex];
      const parts = info?.kind === 'split' ? info.parts.map((x) => x.part) : ['train', 'test'];
      for (const part of parts) out.push({ label: `${s.name}.${part}`, kind: CompletionItemKind.Variable, detail: `part of split ${s.name}` });
    } else out.push({ label: s.name, kind: s.kind === 'model' ? CompletionItemKind.Class : CompletionItemKind.Variable, detail: s.kind });
  }
  return out;
}

function algorithmItems(task: Task | undefined): CompletionItem[] {
  return Object.values(ALGORITHMS).filter((a) => !task || a.tasks.includes(task)).map((a) => ({
    label: a.name,
    kind: CompletionItemKind.Function,
    detail: `${a.tasks.join(' / ')}${a.allowsMissing ? ', takes missing values' : ''}`,
    documentation: `${a.doc}\n\nOptions: ${Object.entries(a.options).map(([n, o]) => describeOption(n, o)).join(', ') || 'none'}`,
  }));
}

function metricItems(task: Task | undefined): CompletionItem[] {
  return Object.values(METRICS).filter((m) => !task || m.task === task).map((m) => ({ label: m.name, kind: CompletionItemKind.EnumMember, detail: `${m.task} metric`, documentation: m.doc }));
}

function modelOf(p: CheckedPipeline, name: string | undefined): ModelInfo | undefined {
  if (!name) return undefined;
  const s = p.symbols.get(name);
  const info = s ? p.infos[s.declarationIndex] : undefined;
  return info?.kind === 'model' ? info : undefined;
}

export function complete(p: CheckedPipeline, offset: number): CompletionItem[] {
  const text = p.text;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const prefix = text.slice(lineStart, offset);
  const found = declarationAt(p, offset);
  const insideBody = found?.decl.bodyRange ? found.decl.bodyRange.start.offset < offset && offset <= found.decl.bodyRange.end.offset : false;

  // Header positions.
  if (/^\s*\w*$/.test(prefix) && !insideBody) {
    return DECLARATION_KINDS.map((k) => ({ label: k, kind: CompletionItemKind.Keyword, insertText: SNIPPETS[k], insertTextFormat: InsertTextFormat.Snippet, detail: `${k} declaration`, documentation: { kind: 'markdown', value: DECLARATION_DOCS[k] } }));
  }
  if (!insideBody) {
    if (/\b(from|on)\s+[\w.]*$/.test(prefix) && !/^\s*predict\b.*\bfrom\s+[\w.]*$/.test(prefix) || /^\s*split\s+\w+\s+from\s+[\w.]*$/.test(prefix)) return namesOf(p, ['dataset', 'transform', 'split']);
    if (/^\s*predict\b.*\bfrom\s+[\w.]*$/.test(prefix)) return namesOf(p, ['dataset', 'transform', 'split']);
    if (/^\s*(evaluate|compare|export)\s+[\w.]*$/.test(prefix) || /^\s*compare\s+[\w.,\s]*,\s*\w*$/.test(prefix) || /\b(with|for)\s+\w*$/.test(prefix)) return namesOf(p, ['model']);
    if (/^\s*(evaluate|compare)\b.*\s\w*$/.test(prefix) && !/\bon\b/.test(prefix)) return [{ label: 'on', kind: CompletionItemKind.Keyword }];
  }
  const decl = found?.decl;
  if (!decl) return [];
  const info = p.infos[found.index];
  const schema = schemaAt(p, offset);

  if (decl.kind === 'transform') {
    if (/^\s*\w*$/.test(prefix)) return STEP_KEYWORDS.map((k) => ({ label: k, kind: CompletionItemKind.Keyword, documentation: { kind: 'markdown', value: STEP_DOCS[k] } }));
    if (/^\s*impute\b.*\bwith\s+\w*$/.test(prefix)) return words(IMPUTE_METHODS, CompletionItemKind.EnumMember);
    if (/^\s*encode\b.*\bas\s+\w*$/.test(prefix)) return words(ENCODE_METHODS, CompletionItemKind.EnumMember);
    if (/^\s*scale\b.*\bwith\s+\w*$/.test(prefix)) return words(SCALE_METHODS, CompletionItemKind.EnumMember);
    if (/^\s*cast\b.*\bas\s+\w*$/.test(prefix)) return words(COLUMN_TYPES, CompletionItemKind.TypeParameter);
    if (/^\s*(derive\s+\w+\s*=|filter)\b/.test(prefix)) {
      return [...columns(schema), ...Object.values(FUNCTIONS).map((f) => ({ label: f.name, kind: CompletionItemKind.Function, detail: f.doc }))];
    }
    return columns(schema);
  }
  const keyMatch = /^\s*(\w+)\s*:\s*(.*)$/.exec(prefix);
  if (!keyMatch) {
    if (decl.kind === 'dataset' && /columns/.test(text.slice(decl.range.start.offset, offset))) return columns(schema);
    return words(PROPERTY_KEYS[decl.kind] ?? [], CompletionItemKind.Property);
  }
  const [, key, value] = keyMatch;
  const model = decl.kind === 'model' && info?.kind === 'model' ? info
    : decl.kind === 'evaluate' ? modelOf(p, decl.model?.text)
    : decl.kind === 'compare' ? modelOf(p, decl.models[0]?.text)
    : decl.kind === 'monitor' ? modelOf(p, decl.model?.text) : undefined;
  const task = model?.task;
  if (decl.kind === 'dataset' && /columns/.test(text.slice(decl.range.start.offset, offset))) return words(COLUMN_TYPES, CompletionItemKind.TypeParameter);
  switch (key) {
    case 'algorithm': {
      const call = /(\w+)\(([^)]*)$/.exec(value);
      if (call && ALGORITHMS[call[1]]) {
        return Object.entries(ALGORITHMS[call[1]].options).map(([n, o]) => ({ label: n, kind: CompletionItemKind.Property, detail: describeOption(n, o), documentation: o.doc, insertText: `${n}: ` }));
      }
      if (call && call[1] === 'auto') return algorithmItems(task);
      return algorithmItems(task);
    }
    case 'target':
    case 'stratify':
      return columns(schema);
    case 'features':
    case 'exclude':
      return columns(schema);
    case 'metrics':
    case 'metric':
      return metricItems(task);
    case 'threshold':
      return [{ label: 'tune', kind: CompletionItemKind.Function, insertText: 'tune(${1:f1})', insertTextFormat: InsertTextFormat.Snippet }];
    case 'resample': return words(Object.keys(RESAMPLERS), CompletionItemKind.Function);
    case 'select': return words(Object.keys(SELECTORS), CompletionItemKind.Function);
    case 'tune': return words(Object.keys(TUNERS), CompletionItemKind.Function);
    case 'ensemble': return /\(.*$/.test(value) ? namesOf(p, ['model']) : words(Object.keys(ENSEMBLES), CompletionItemKind.Function);
    case 'test': return words(COMPARE_TESTS, CompletionItemKind.EnumMember);
    case 'drift': return words(Object.keys(DRIFT_METHODS), CompletionItemKind.Function);
    case 'retrain': return words(RETRAIN_POLICIES, CompletionItemKind.EnumMember);
    case 'baseline': return namesOf(p, ['dataset', 'transform', 'split']);
    case 'current': return namesOf(p, ['predict', 'dataset', 'transform', 'split']);
    case 'alert': return metricItems(task);
    case 'header': return words(['true', 'false'], CompletionItemKind.Value);
    case 'encoding': return [{ label: '"utf8"', kind: CompletionItemKind.Value }, { label: '"latin1"', kind: CompletionItemKind.Value }];
    case 'decimal': return words(DECIMAL_MARKS.map((c) => `"${c}"`), CompletionItemKind.Value);
    case 'thousands': return words(THOUSANDS_SEPARATORS.map((c) => `"${c}"`), CompletionItemKind.Value);
    default: return [];
  }
}
