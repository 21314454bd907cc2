// Hover, definition, references, rename, document symbols, inlay hints and code lenses, all
// answered from the checked pipeline (never by re-parsing or re-checking).
import {
  type CodeLens, DocumentSymbol, InlayHint, InlayHintKind, Location, MarkupKind, Position, SymbolKind, TextEdit,
  type Hover, type Range as LspRange, type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Range } from '../language/ast';
import { formatColumnType, type TableSchema } from '../language/schema';
import type { CheckedPipeline } from '../checker/checked-model';
import { ALGORITHMS, CALIBRATORS, DRIFT_METHODS, ENSEMBLES, METRICS, NOTIFY_TARGETS, RESAMPLERS, SELECTORS, TUNERS, type MethodSpec } from '../ml/catalog';
import { FUNCTIONS } from '../language/functions';
import { isBareName } from '../language/lexer';
import { COMMANDS } from '../contracts/lsp-requests';
import type { EvaluationJson } from '../contracts/cli-json';
import { columnReferenceAt, contains, nameReferenceAt, schemaAt } from './position-context';
import { keywordDoc } from './keyword-docs';
import { versionHover } from './version-items';
import type { RegistrySource } from '../checker/version-refs';

export function lspRange(r: Range): LspRange {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

function schemaTable(schema: TableSchema | undefined, limit = 30): string {
  if (!schema) return '';
  const rows = schema.columns.slice(0, limit).map((c) => `| ${c.name} | ${formatColumnType(c)}${c.levels && c.type === 'category' ? ` (${c.levels.slice(0, 6).join(', ')}${c.levels.length > 6 ? ', …' : ''})` : ''} |`);
  const more = schema.columns.length > limit ? `\n\n… and ${schema.columns.length - limit} more columns` : '';
  const count = schema.rowCount !== undefined ? `${schema.rowCountExact ? '' : '≈'}${schema.rowCount} rows, ` : '';
  return `${count}${schema.columns.length} columns\n\n| column | type |\n|---|---|\n${rows.join('\n')}${more}`;
}

export function hover(p: CheckedPipeline, offset: number, lastMetrics: () => Record<string, EvaluationJson>, registry?: RegistrySource): Hover | null {
  const version = versionHover(p, offset, registry);
  if (version) return { contents: { kind: MarkupKind.Markdown, value: version.value }, range: lspRange(version.range) };
  const col = columnReferenceAt(p, offset);
  if (col) {
    const schema = schemaAt(p, offset);
    const c = schema?.columns.find((x) => x.name === col.column);
    const type = c ? formatColumnType(c) : 'unknown';
    const levels = c?.levels && c.type === 'category' ? `\n\nlevels: ${c.levels.join(', ')}` : '';
    return { contents: { kind: MarkupKind.Markdown, value: `**column** \`${col.column}\`: ${type} (from dataset ${col.origin})${levels}` }, range: lspRange(col.range) };
  }
  const ref = nameReferenceAt(p, offset);
  if (ref) {
    const sym = p.symbols.get(ref.name);
    if (!sym) return null;
    const info = p.infos[sym.declarationIndex];
    let body = `**${sym.kind}** \`${sym.name}\``;
    if (info?.kind === 'dataset') body += ` from \`${info.path}\`${info.schemaComplete ? '' : ' (schema from a sample)'}\n\n${schemaTable(info.schema)}`;
    else if (info?.kind === 'transform') body += ` from \`${info.input}\`\n\n${schemaTable(info.schema)}`;
    else if (info?.kind === 'split') body += ` of \`${info.input}\`: ${info.parts.map((x) => `${x.part} ${Math.round(x.fraction * 1000) / 10}%`).join(', ')}${info.stratify ? `, stratified by ${info.stratify}` : ''}${info.key ? `, keyed by ${info.key}` : ''}, seed ${info.seed}`;
    else if (info?.kind === 'model') {
      body += `: ${info.task ?? 'unknown task'} of \`${info.target ?? '?'}\`${info.classes ? ` (classes ${info.classes.join(', ')})` : ''}`;
      if (info.algorithm) body += `\n\nalgorithm: ${info.algorithm.name}(${Object.entries(info.algorithm.options).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')})`;
      body += `\n\nfeatures (${info.features.length}): ${info.features.map((f) => f.name).join(', ')}`;
      body += `\n\ninput columns for prediction: ${info.inputColumns.map((c) => `${c.name}: ${formatColumnType(c)}`).join(', ')}`;
      const versions = registry?.versions(p.file, info.name) ?? [];
      if (versions.length > 0) body += `\n\nregistry: ${versions.map((v) => `${v.version}${v.stage ? ` (${v.stage})` : ''}`).join(', ')} (\`with ${info.name}@production\` predicts with the version in production)`;
      const metrics = Object.entries(lastMetrics()).filter(([, e]) => e.model === info.name);
      if (metrics.length > 0) body += `\n\nlast metrics:\n${metrics.map(([n, e]) => `- ${n}: ${Object.entries(e.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ')}`).join('\n')}`;
    } else if (info?.kind === 'evaluate') body += `: ${info.model} on ${info.on}, metrics ${info.metrics.join(', ')}`;
    return { contents: { kind: MarkupKind.Markdown, value: body }, range: lspRange(ref.range) };
  }
  // Keywords, then the catalog: algorithms, metrics, functions.
  let s = offset, e = offset;
  while (s > 0 && /\w/.test(p.text[s - 1])) s--;
  while (e < p.text.length && /\w/.test(p.text[e])) e++;
  const word = p.text.slice(s, e);
  const keyword = keywordDoc(word);
  if (keyword) return { contents: { kind: MarkupKind.Markdown, value: `**keyword** \`${word}\`: ${keyword}` } };
  const optionList = (spec: MethodSpec): string => Object.entries(spec.options).map(([k, o]) => `- \`${k}\`: ${o.doc}${'default' in o ? ` (default ${JSON.stringify(o.default)})` : ''}`).join('\n');
  const algo = ALGORITHMS[word];
  if (algo) return { contents: { kind: MarkupKind.Markdown, value: `**algorithm** \`${algo.name}\` (${algo.tasks.join(', ')})\n\n${algo.doc}\n\n${optionList(algo)}` } };
  // Drift methods are short words (js, kl): only inside a monitor's `drift:` value (or its list) are they methods.
  const drift = DRIFT_METHODS[word];
  if (drift && /drift:\s*(\[[^\]\n]*)?$/.test(p.text.slice(Math.max(0, s - 200), s))) return { contents: { kind: MarkupKind.Markdown, value: `**drift method** \`${drift.name}\`: ${drift.doc}\n\n${optionList(drift)}` } };
  const target = (NOTIFY_TARGETS as Record<string, string>)[word];
  if (target && /notify:[^\n]*$/.test(p.text.slice(Math.max(0, s - 200), s))) return { contents: { kind: MarkupKind.Markdown, value: `**notify target** \`${word}\`: ${target}` } };
  const metric = METRICS[word];
  if (metric) return { contents: { kind: MarkupKind.Markdown, value: `**metric** \`${metric.name}\` (${metric.task}): ${metric.doc}; ${metric.higherIsBetter ? 'higher' : 'lower'} is better` } };
  for (const [what, table] of [['resample', RESAMPLERS], ['select', SELECTORS], ['tune', TUNERS], ['ensemble', ENSEMBLES], ['calibrate', CALIBRATORS]] as const) {
    const m = table[word];
    if (m) return { contents: { kind: MarkupKind.Markdown, value: `**${what} method** \`${m.name}\`: ${m.doc}${Object.keys(m.options).length > 0 ? `\n\n${optionList(m)}` : ''}` } };
  }
  const fn = FUNCTIONS[word];
  if (fn) return { contents: { kind: MarkupKind.Markdown, value: `**function** \`${fn.name}(${fn.args.join(', ')})\` → ${fn.result}: ${fn.doc}` } };
  return null;
}

export function definition(p: CheckedPipeline, uri: string, offset: number): Location | null {
  const col = columnReferenceAt(p, offset);
  if (col) {
    const defs = p.columnReferences.filter((c) => c.isDefinition && c.column === col.column && c.origin === col.origin && c.range.start.offset <= offset);
    const def = defs[defs.length - 1];
    if (def) return Location.create(uri, lspRange(def.range));
    const ds = p.symbols.get(col.origin);
    if (ds) return Location.create(uri, lspRange(ds.nameRange));
    return null;
  }
  const ref = nameReferenceAt(p, offset);
  const sym = ref ? p.symbols.get(ref.name) : undefined;
  return sym ? Location.create(uri, lspRange(sym.nameRange)) : null;
}

function occurrences(p: CheckedPipeline, offset: number): { ranges: Range[]; isColumn: boolean; name: string } | undefined {
  const col = columnReferenceAt(p, offset);
  if (col) {
    return { ranges: p.columnReferences.filter((c) => c.column === col.column && c.origin === col.origin).map((c) => c.range), isColumn: true, name: col.column };
  }
  const ref = nameReferenceAt(p, offset);
  const sym = ref ? p.symbols.get(ref.name) : undefined;
  if (!sym) return undefined;
  const decl = p.document.declarations[sym.declarationIndex];
  const defRange = 'name' in decl && decl.name ? decl.name.range : (decl.kind === 'evaluate' || decl.kind === 'compare') && decl.alias ? decl.alias.range : undefined;
  const uses = p.references.filter((r) => r.name === sym.name).map((r) => r.range);
  return { ranges: defRange ? [defRange, ...uses] : uses, isColumn: false, name: sym.name };
}

export function references(p: CheckedPipeline, uri: string, offset: number): Location[] {
  const occ = occurrences(p, offset);
  return occ ? occ.ranges.map((r) => Location.create(uri, lspRange(r))) : [];
}

export function prepareRename(p: CheckedPipeline, offset: number): { range: LspRange; placeholder: string } | null {
  const col = columnReferenceAt(p, offset);
  if (col) return { range: lspRange(col.range), placeholder: col.column };
  const ref = nameReferenceAt(p, offset);
  if (!ref || !p.symbols.has(ref.name)) return null;
  return { range: lspRange(ref.range), placeholder: ref.name };
}

export function rename(p: CheckedPipeline, uri: string, offset: number, newName: string): WorkspaceEdit | null {
  const occ = occurrences(p, offset);
  if (!occ) return null;
  const plain = isBareName(newName);
  if (!occ.isColumn && !plain) throw new Error(`"${newName}" is not a valid name: use letters, digits and _`);
  const written = plain ? newName : `\`${newName.replace(/`/g, '')}\``;
  return { changes: { [uri]: occ.ranges.map((r) => TextEdit.replace(lspRange(r), written)) } };
}

const SYMBOL_KIND: Record<string, SymbolKind> = {
  dataset: SymbolKind.File, transform: SymbolKind.Function, split: SymbolKind.Struct, model: SymbolKind.Class,
  evaluate: SymbolKind.Event, compare: SymbolKind.Operator, predict: SymbolKind.Method, monitor: SymbolKind.Interface, export: SymbolKind.Package,
};

export function documentSymbols(p: CheckedPipeline): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  for (const s of p.symbols.values()) {
    const d = p.document.declarations[s.declarationIndex];
    const children: DocumentSymbol[] = [];
    if (d.kind === 'transform') for (const st of d.steps) children.push(DocumentSymbol.create(p.text.slice(st.range.start.offset, st.range.end.offset).slice(0, 60), undefined, SymbolKind.Field, lspRange(st.range), lspRange(st.keyword.range)));
    else if ('properties' in d) for (const pr of d.properties) children.push(DocumentSymbol.create(pr.key.name, undefined, SymbolKind.Property, lspRange(pr.range), lspRange(pr.key.range)));
    const selection = contains(d.range, s.nameRange.start.offset) ? s.nameRange : d.keyword;
    out.push(DocumentSymbol.create(s.name, s.kind, SYMBOL_KIND[s.kind], lspRange(d.range), lspRange(selection), children));
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line);
}

function schemaChange(before: TableSchema | undefined, after: TableSchema | undefined): string | undefined {
  if (!before || !after) return undefined;
  const was = new Map(before.columns.map((c) => [c.name, c]));
  const now = new Map(after.columns.map((c) => [c.name, c]));
  const parts: string[] = [];
  const added = after.columns.filter((c) => !was.has(c.name)).map((c) => c.name);
  const removed = before.columns.filter((c) => !now.has(c.name)).map((c) => c.name);
  if (added.length) parts.push(`+${added.slice(0, 4).join(', +')}${added.length > 4 ? ` (+${added.length - 4} more)` : ''}`);
  if (removed.length) parts.push(`−${removed.slice(0, 4).join(', −')}${removed.length > 4 ? ` (−${removed.length - 4} more)` : ''}`);
  for (const c of after.columns) {
    const b = was.get(c.name);
    if (b && formatColumnType(b) !== formatColumnType(c)) parts.push(`${c.name}: ${formatColumnType(b)} → ${formatColumnType(c)}`);
  }
  return parts.length ? parts.join('  ') : undefined;
}

export function inlayHints(p: CheckedPipeline, range: LspRange): InlayHint[] {
  const out: InlayHint[] = [];
  const inRange = (r: Range): boolean => r.start.line >= range.start.line && r.end.line <= range.end.line;
  p.document.declarations.forEach((d, i) => {
    const info = p.infos[i];
    if (d.kind === 'transform' && info?.kind === 'transform') {
      d.steps.forEach((st, k) => {
        if (!inRange(st.range)) return;
        const label = schemaChange(k === 0 ? info.inputSchema : info.stepSchemas[k - 1], info.stepSchemas[k]);
        if (label) out.push({ position: Position.create(st.range.end.line, st.range.end.character), label: `  ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
      });
    }
    const header = d.bodyRange ? { line: d.bodyRange.start.line, character: d.bodyRange.start.character } : { line: d.range.end.line, character: d.range.end.character };
    if (!inRange(d.range)) return;
    if (info?.kind === 'model' && info.task) out.push({ position: header, label: `${info.task}, ${info.features.length} features `, kind: InlayHintKind.Type, paddingRight: true });
    if (info?.kind === 'split' && info.schema?.rowCount !== undefined) {
      const rows = info.schema.rowCount;
      out.push({ position: header, label: `${info.parts.map((x) => `${x.part} ≈${Math.round(rows * x.fraction)}`).join(', ')} rows `, kind: InlayHintKind.Type, paddingRight: true });
    }
  });
  return out;
}

/** Said by the one lens of an untrusted workspace, where nothing runs. */
export const RESTRICTED_LENS_TITLE = 'Restricted Mode: checking works; trust the folder to run';

/**
 * Lenses per declaration. In an untrusted workspace (`trusted` false) the lenses that run the
 * pipeline (run, preview, predict, export) are left out, and the first declaration says why.
 */
export function codeLenses(p: CheckedPipeline, uri: string, trusted = true): CodeLens[] {
  const out: CodeLens[] = [];
  const first = p.document.declarations[0];
  if (!trusted && first) out.push({ range: lspRange(first.keyword), command: { title: RESTRICTED_LENS_TITLE, command: COMMANDS.manageTrust, arguments: [] } });
  for (const s of p.symbols.values()) {
    const d = p.document.declarations[s.declarationIndex];
    const r = lspRange(d.keyword);
    const lens = (title: string, command: string, name = s.name): CodeLens => ({ range: r, command: { title, command, arguments: [uri, name] } });
    const runs = (title: string, command: string, name?: string): void => { if (trusted) out.push(lens(title, command, name)); };
    runs('▶ Run', COMMANDS.runDeclaration);
    if (s.kind === 'dataset' || s.kind === 'transform') runs('Preview', COMMANDS.previewData);
    if (s.kind === 'split') runs('Preview train', COMMANDS.previewData, `${s.name}.train`);
    if (s.kind === 'model' || s.kind === 'evaluate' || s.kind === 'compare') out.push(lens('Metrics', COMMANDS.showMetrics));
    if (s.kind === 'predict') runs('Predict now', COMMANDS.predictNow);
    if (s.kind === 'export') runs('Export', COMMANDS.exportModel);
    if (s.kind === 'monitor') out.push(lens('Trends', COMMANDS.showMonitorTrends));
  }
  return out;
}

