// Completion from the checked pipeline at the place `cursorContext` finds in the syntax tree:
// only what is valid there (a table after `from`, the columns in scope at that step, functions
// where an expression operand starts, an algorithm's options inside its call), never a
// declaration snippet inside a body or an expression.
import { CompletionItemKind, InsertTextFormat, type CompletionItem, type Range as LspRange } from 'vscode-languageserver/node';
import type { CheckedPipeline, ModelInfo } from '../checker/checked-model';
import { DECLARATION_KINDS, type Declaration, type DeclarationKind } from '../language/ast';
import { isBareName, lineStarts, positionAt, quoteName } from '../language/lexer';
import { STEP_KEYWORDS } from '../language/parser';
import { COLUMN_TYPES, type TableSchema, type Task } from '../language/schema';
import { FUNCTIONS, type FunctionSignature } from '../language/functions';
import {
  ALGORITHMS, CALIBRATORS, COMPARE_TEST_OUTCOMES, COMPARE_TESTS, DRIFT_METHODS, ENCODE_METHODS, ENSEMBLES, IMPUTE_METHODS, METRICS, RESAMPLERS,
  NOTIFY_TARGETS, RETRAIN_OPTIONS, RETRAIN_POLICIES, SCALE_METHODS, SELECTORS, TUNERS, type MethodSpec, type OptionSpec,
} from '../ml/catalog';
import { DECIMAL_MARKS, THOUSANDS_SEPARATORS } from '../checker/dataset-check';
import { PROPERTY_KEYS } from '../checker/property-keys';
import { isParquet } from '../engine/duckdb-dialect';
import { describeOption } from '../checker/options';
import { cursorContext, type Place, type TypedWord } from './cursor-context';
import { schemaAt } from './position-context';
import { versionCompletion } from './version-items';
import type { RegistrySource } from '../checker/version-refs';
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
  engine: 'engine: ${1:clickhouse("${2:http://127.0.0.1:8123}", cluster: "${3:two_shards}")}',
};

/** The methods a property's value names, with their options (`algorithm: random_forest(trees: 10)`). */
const METHOD_TABLES: Readonly<Record<string, Readonly<Record<string, { name: string; options: Readonly<Record<string, OptionSpec>>; doc: string }>>>> = {
  algorithm: ALGORITHMS, resample: RESAMPLERS, select: SELECTORS, tune: TUNERS, ensemble: ENSEMBLES, calibrate: CALIBRATORS, drift: DRIFT_METHODS,
};

function words(list: readonly string[], kind: CompletionItemKind, detail?: string): CompletionItem[] {
  return list.map((label) => ({ label, kind, ...(detail ? { detail } : {}) }));
}

function keywords(list: readonly string[]): CompletionItem[] {
  return words(list, CompletionItemKind.Keyword);
}

function columns(schema: TableSchema | undefined, suffix = ''): CompletionItem[] {
  return (schema?.columns ?? []).map((c) => ({
    label: c.name,
    kind: CompletionItemKind.Field,
    detail: `${c.type}${c.nullable ? '?' : ''}${c.levels ? ` (${c.levels.length} levels)` : ''}`,
    ...(isBareName(c.name) && !suffix ? {} : { insertText: `${quoteName(c.name)}${suffix}` }),
  }));
}

function namesOf(p: CheckedPipeline, kinds: readonly DeclarationKind[]): CompletionItem[] {
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

function functionItem(f: FunctionSignature): CompletionItem {
  const params = f.args.map((a, i) => (i >= f.args.length - f.optional ? `${a}?` : a)).join(', ') + (f.variadic ? ', ...' : '');
  return {
    label: f.name,
    kind: CompletionItemKind.Function,
    labelDetails: { detail: `(${params})`, description: f.result },
    detail: `${f.name}(${params}) → ${f.result}`,
    documentation: f.doc,
    insertText: `${f.name}($0)`,
    insertTextFormat: InsertTextFormat.Snippet,
  };
}

/** `notify:` targets, with their quoted argument as a snippet. */
function notifyItems(): CompletionItem[] {
  return Object.entries(NOTIFY_TARGETS).map(([label, detail]) => ({
    label, kind: CompletionItemKind.Function, detail,
    ...(label === 'vscode' ? {} : { insertText: `${label} "\${1:${label === 'webhook' ? 'https://example.com/hook' : 'mail -s alert me@example.com'}}"`, insertTextFormat: InsertTextFormat.Snippet }),
  }));
}

function methodItems(table: Readonly<Record<string, MethodSpec>>, task: Task | undefined): CompletionItem[] {
  return Object.values(table).filter((m) => !task || m.tasks.length === 0 || m.tasks.includes(task)).map((m) => ({
    label: m.name, kind: CompletionItemKind.Function, detail: m.doc,
    documentation: `Options: ${Object.entries(m.options).map(([n, o]) => describeOption(n, o)).join(', ') || 'none'}${m.notImplementedYet ? '\n\nNot implemented yet (NML118).' : ''}`,
  }));
}

function algorithmItems(task: Task | undefined, withAuto = true): CompletionItem[] {
  return Object.values(ALGORITHMS).filter((a) => (!task || a.tasks.includes(task)) && (withAuto || a.name !== 'auto')).map((a) => ({
    label: a.name,
    kind: CompletionItemKind.Function,
    detail: `${a.tasks.join(' / ')}${a.allowsMissing ? ', takes missing values' : ''}`,
    documentation: `${a.doc}\n\nOptions: ${Object.entries(a.options).map(([n, o]) => describeOption(n, o)).join(', ') || 'none'}`,
  }));
}

function metricItems(task: Task | undefined): CompletionItem[] {
  return Object.values(METRICS).filter((m) => !task || m.task === task).map((m) => ({ label: m.name, kind: CompletionItemKind.EnumMember, detail: `${m.task} metric`, documentation: m.doc }));
}

function optionNameItems(options: Readonly<Record<string, OptionSpec>>): CompletionItem[] {
  return Object.entries(options).map(([n, o]) => ({ label: n, kind: CompletionItemKind.Property, detail: describeOption(n, o), documentation: o.doc, insertText: `${n}: ` }));
}

function optionValueItems(p: CheckedPipeline, o: OptionSpec | undefined, task: Task | undefined): CompletionItem[] {
  switch (o?.kind) {
    case 'enum':
    case 'number-or-enum': return words(o.values, CompletionItemKind.EnumMember);
    case 'boolean': return words(['true', 'false'], CompletionItemKind.Value);
    case 'algorithm-list':
    case 'algorithm': return algorithmItems(task, false);
    case 'metric': return metricItems(task);
    case 'model-list': return namesOf(p, ['model']);
    default: return [];
  }
}

function modelOf(p: CheckedPipeline, name: string | undefined): ModelInfo | undefined {
  const s = name ? p.symbols.get(name) : undefined;
  const info = s ? p.infos[s.declarationIndex] : undefined;
  return info?.kind === 'model' ? info : undefined;
}

/** The model a declaration trains or uses, for its task and options. */
function modelFor(p: CheckedPipeline, decl: Declaration, index: number): ModelInfo | undefined {
  const info = p.infos[index];
  if (decl.kind === 'model') return info?.kind === 'model' ? info : undefined;
  if (decl.kind === 'evaluate' || decl.kind === 'monitor' || decl.kind === 'export') return modelOf(p, decl.model?.text);
  if (decl.kind === 'compare') return modelOf(p, decl.models[0]?.text);
  return undefined;
}

function stepMethodItems(kind: string): CompletionItem[] {
  switch (kind) {
    case 'cast': return words(COLUMN_TYPES, CompletionItemKind.TypeParameter);
    case 'impute': return IMPUTE_METHODS.map((m) => (m === 'constant'
      ? { label: m, kind: CompletionItemKind.EnumMember, insertText: 'constant(${1:0})', insertTextFormat: InsertTextFormat.Snippet }
      : { label: m, kind: CompletionItemKind.EnumMember }));
    case 'encode': return words(ENCODE_METHODS, CompletionItemKind.EnumMember);
    case 'scale': return words(SCALE_METHODS, CompletionItemKind.EnumMember);
    case 'clip': return [
      { label: '[low, high]', kind: CompletionItemKind.Value, insertText: '[${1:0}, ${2:100}]', insertTextFormat: InsertTextFormat.Snippet, detail: 'fixed bounds' },
      { label: 'quantile', kind: CompletionItemKind.Function, insertText: 'quantile(${1:0.01}, ${2:0.99})', insertTextFormat: InsertTextFormat.Snippet, detail: 'bounds learned from the training rows' },
    ];
    default: return [];
  }
}

function valueItems(p: CheckedPipeline, place: Extract<Place, { kind: 'value' }>, decl: Declaration, index: number, schema: TableSchema | undefined): CompletionItem[] {
  const model = modelFor(p, decl, index);
  const task = model?.task;
  if (place.block === 'columns') return place.afterValue || place.call ? [] : words(COLUMN_TYPES, CompletionItemKind.TypeParameter);
  if (place.block !== undefined) return [];
  const { key, call } = place;
  if (call) {
    if (key === 'threshold' && call.name === 'tune') return place.afterValue ? [] : metricItems(task);
    const spec = METHOD_TABLES[key]?.[call.name];
    if (!spec) return [];
    if (call.newArgument) return optionNameItems(spec.options);
    if (place.afterValue && !place.inList) return [];
    return call.argument ? optionValueItems(p, spec.options[call.argument], task) : [];
  }
  if (place.afterValue) return [];
  if (place.inList) {
    if (key === 'features' || key === 'exclude') return columns(schema);
    if (key === 'metrics') return metricItems(task);
    if (key === 'drift') return methodItems(DRIFT_METHODS, task);
    if (key === 'notify') return notifyItems();
    return [];
  }
  switch (key) {
    case 'algorithm': return algorithmItems(task);
    case 'target':
    case 'stratify':
    case 'key': return columns(schema);
    case 'features':
    case 'exclude': return [{ label: '[…]', kind: CompletionItemKind.Value, insertText: '[$0]', insertTextFormat: InsertTextFormat.Snippet, filterText: '[' }, ...columns(schema)];
    case 'metrics': return [{ label: '[…]', kind: CompletionItemKind.Value, insertText: '[$0]', insertTextFormat: InsertTextFormat.Snippet, filterText: '[' }, ...metricItems(task)];
    case 'metric': return metricItems(task);
    case 'threshold': return [{ label: 'tune', kind: CompletionItemKind.Function, insertText: 'tune(${1:f1})', insertTextFormat: InsertTextFormat.Snippet, detail: 'the threshold that maximises a metric' }];
    case 'resample': return methodItems(RESAMPLERS, task);
    case 'select': return methodItems(SELECTORS, task);
    case 'tune': return methodItems(TUNERS, task);
    case 'ensemble': return methodItems(ENSEMBLES, task);
    case 'calibrate': return methodItems(CALIBRATORS, task);
    case 'class_weight': return [
      { label: 'balanced', kind: CompletionItemKind.EnumMember, detail: 'weights inversely proportional to class frequencies' },
      { label: '{…}', kind: CompletionItemKind.Value, insertText: '{ ${1:class}: ${2:2} }', insertTextFormat: InsertTextFormat.Snippet, filterText: '{', detail: 'a weight per class (others weigh 1)' },
    ];
    case 'drift': return [{ label: '[…]', kind: CompletionItemKind.Value, insertText: '[$0]', insertTextFormat: InsertTextFormat.Snippet, filterText: '[' }, ...methodItems(DRIFT_METHODS, task)];
    case 'window': return words(['1d', '7d', '24h'], CompletionItemKind.Value);
    case 'test': {
      // Only the tests that judge the chosen metric (NML125 otherwise).
      const info = p.infos[index];
      const metric = info?.kind === 'compare' ? info.metric : undefined;
      return words(COMPARE_TESTS.filter((t) => !metric || COMPARE_TEST_OUTCOMES[t][metric] !== undefined), CompletionItemKind.EnumMember);
    }
    case 'retrain': return [
      ...words(RETRAIN_POLICIES, CompletionItemKind.EnumMember),
      { label: 'schedule', kind: CompletionItemKind.Function, insertText: 'schedule "${1:0 3 * * 0}"', insertTextFormat: InsertTextFormat.Snippet, detail: 'retrain on a cron schedule, run by narml scheduler' },
      ...RETRAIN_POLICIES.filter((w) => w !== 'never').map((w): CompletionItem => ({
        label: `${w}(with_actuals: true)`, kind: CompletionItemKind.Function, insertText: `${w}(with_actuals: \${1:true})`, insertTextFormat: InsertTextFormat.Snippet, filterText: w,
        detail: 'retrain with the labelled predictions too', documentation: RETRAIN_OPTIONS.with_actuals,
      })),
    ];
    case 'notify': return notifyItems();
    case 'baseline': return namesOf(p, ['dataset', 'transform', 'split']);
    case 'current': return namesOf(p, ['predict', 'dataset', 'transform', 'split']);
    case 'header': return words(['true', 'false'], CompletionItemKind.Value);
    case 'encoding': return words(['"utf8"', '"latin1"'], CompletionItemKind.Value);
    case 'delimiter': return words(['","', '";"', '"\\t"', '"|"'], CompletionItemKind.Value);
    case 'decimal': return words(DECIMAL_MARKS.map((c) => `"${c}"`), CompletionItemKind.Value);
    case 'thousands': return words(THOUSANDS_SEPARATORS.map((c) => `"${c}"`), CompletionItemKind.Value);
    default: return [];
  }
}

function keyItems(p: CheckedPipeline, place: Extract<Place, { kind: 'property-key' }>, decl: Declaration, index: number, schema: TableSchema | undefined, typing: TypedWord): CompletionItem[] {
  if (place.block === 'columns' && decl.kind === 'dataset') return columns(schema, ': ');
  if (place.block === 'tune' && decl.kind === 'model') {
    const algorithm = modelFor(p, decl, index)?.algorithm?.name;
    return algorithm ? optionNameItems(ALGORITHMS[algorithm]?.options ?? {}) : [];
  }
  if (place.block !== undefined || decl.kind === 'transform') return [];
  // Keys already in the body are not offered again (a second one is NML116).
  const given = new Set(decl.properties.filter((x) => x.key.range.start.offset !== typing.start).map((x) => x.key.name));
  // A Parquet file carries its own options: only columns { } applies (dataset-check.ts).
  const keys = decl.kind === 'dataset' && decl.source && isParquet(decl.source.value) ? ['columns'] : PROPERTY_KEYS[decl.kind];
  return keys.filter((k) => !given.has(k)).map((k) => ({
    label: k, kind: CompletionItemKind.Property, insertText: k === 'columns' ? 'columns {\n  $0\n}' : `${k}: `,
    ...(k === 'columns' ? { insertTextFormat: InsertTextFormat.Snippet } : {}),
  }));
}

function itemsAt(p: CheckedPipeline, offset: number, registry?: RegistrySource): { items: CompletionItem[]; word: TypedWord } {
  const version = versionCompletion(p, offset, registry);
  if (version) return version;
  const { place, declaration, word } = cursorContext(p.text, p.document.declarations, offset);
  const none = { items: [], word };
  if (place.kind === 'declaration') {
    return {
      word,
      items: DECLARATION_KINDS.map((k) => ({
        label: k, kind: CompletionItemKind.Keyword, insertText: SNIPPETS[k], insertTextFormat: InsertTextFormat.Snippet,
        detail: `${k} declaration`, documentation: { kind: 'markdown', value: DECLARATION_DOCS[k] },
      })),
    };
  }
  if (!declaration) return none;
  const { decl, index } = declaration;
  const schema = (): TableSchema | undefined => schemaAt(p, word.start);
  switch (place.kind) {
    case 'link': return { items: keywords(place.words), word };
    case 'header-ref': return { items: place.wants === 'model' ? namesOf(p, ['model']) : namesOf(p, ['dataset', 'transform', 'split']), word };
    case 'step': return { items: STEP_KEYWORDS.map((k) => ({ label: k, kind: CompletionItemKind.Keyword, documentation: { kind: 'markdown', value: STEP_DOCS[k] } })), word };
    case 'step-column': return { items: columns(schema()), word };
    case 'step-link': return { items: keywords([place.word]), word };
    case 'step-method': return { items: stepMethodItems(place.step.kind), word };
    case 'expression': {
      if (place.afterOperand) return { items: keywords(['and', 'or']), word };
      if (place.of === 'metrics') return { items: [...metricItems(modelFor(p, decl, index)?.task), ...keywords(['not'])], word };
      return { items: [...columns(schema()), ...Object.values(FUNCTIONS).map(functionItem), ...keywords(['not', 'true', 'false'])], word };
    }
    case 'property-key': return { items: keyItems(p, place, decl, index, schema(), word), word };
    case 'value': return { items: valueItems(p, place, decl, index, schema()), word };
    case 'none': return none;
  }
}

/**
 * The completion items at `offset`. Each replaces the typed word: a qualified name (`parts.tr`)
 * or a backquoted name being typed (`` `Body Ma ``) is one word, which the editor's own word
 * rule would cut short.
 */
export function complete(p: CheckedPipeline, offset: number, registry?: RegistrySource): CompletionItem[] {
  const { items: all, word } = itemsAt(p, offset, registry);
  if (!/[.`]/.test(word.text)) return all;
  // Only a column is written in backquotes.
  const items = word.text.startsWith('`') ? all.filter((i) => i.kind === CompletionItemKind.Field) : all;
  const starts = lineStarts(p.text);
  const range: LspRange = { start: positionAt(starts, word.start), end: positionAt(starts, word.end) };
  return items.map((it) => {
    const newText = it.insertText ?? it.label;
    return { ...it, filterText: word.text.startsWith('`') ? `\`${it.label}\`` : it.label, textEdit: { range: { start: { line: range.start.line, character: range.start.character }, end: { line: range.end.line, character: range.end.character } }, newText } };
  });
}
