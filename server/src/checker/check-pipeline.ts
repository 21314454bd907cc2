// Checks a whole .narml file: parse, scope, lineage order, then every declaration in order,
// carrying table schemas from datasets through transforms and splits into models and their uses.
// The language server and `narml check`/`narml run` all call this one function.
import { dirname } from 'node:path';
import type { Declaration, QualifiedName } from '../language/ast';
import { parse } from '../language/parser';
import type { SchemaSource } from '../data/csv-options';
import { CheckContext } from './check-context';
import type { CheckedPipeline, SymbolInfo } from './checked-model';
import type { DeclarationReuse } from './check-reuse';
import { checkDataset } from './dataset-check';
import { checkEngine } from './engine-check';
import { checkModel } from './model-check';
import { Resolver } from './resolver';
import { buildSymbols, declarationInputs, derivedName, orderDeclarations } from './scope';
import { partSizes } from '../ml/split-sizes';
import { checkSplit } from './split-check';
import type { TableState } from './table-state';
import { checkSteps } from './transform-check';
import { checkOutputCollisions } from './output-check';
import type { EngineName } from '../engine/engine';
import type { DefaultEngineName } from '../contracts/cli-json';
import { checkEngineSupport } from './engine-support';
import { workspaceOf, type Workspace } from '../workspace/output-paths';
import type { RegistrySource } from './version-refs';
import { reportScheduleRules } from './notify-check';
import { checkCompare, checkEvaluate, checkExport, checkMonitor, checkPredict } from './usage-checks';

export interface CheckOptions {
  /** Where outputs may be written (default: the folder of `file`, nothing outside it). */
  workspace?: Workspace;
  /**
   * Results of the previous check of the same document: declarations whose text and inputs are
   * unchanged are not checked again (check-reuse.ts). The result is the same as without it.
   */
  reuse?: DeclarationReuse;
  /** The run store's registry, for `with churn@production`; without it such a reference is not looked up (the run then says what is missing). */
  registry?: RegistrySource;
  /** `--engine`: the engine the run will use instead of the `engine:` statement's; what it cannot run is NML154. */
  engine?: EngineName;
  /** The engine of a file without an `engine:` statement (`--default-engine`, the editor's narml.engine setting); memory without it. */
  defaultEngine?: DefaultEngineName;
}

export function checkPipeline(text: string, file: string, source: SchemaSource, options: CheckOptions = {}): CheckedPipeline {
  const workspace = options.workspace ?? workspaceOf(file);
  const document = options.reuse ? options.reuse.parse(text) : parse(text);
  const ctx = new CheckContext();
  for (const e of document.syntaxErrors) ctx.report('NML001', e.range, e.message, e.fix ? [{ title: e.fix.title, data: { kind: 'replace', with: e.fix.replacement } }] : undefined);
  const declarations = document.declarations;
  const symbols = buildSymbols(declarations, ctx);
  for (const sym of symbols.values()) {
    sym.dependsOn = [...new Set(declarationInputs(declarations[sym.declarationIndex]).map((q) => q.parts[0].name))];
    const decl = declarations[sym.declarationIndex];
    if (decl.kind === 'monitor') sym.dependsOn.push(...monitorInputs(decl));
    if (decl.kind === 'model') sym.dependsOn.push(...ensembleMembers(decl));
  }
  const { order, cyclic } = orderDeclarations(symbols, declarations, ctx);
  const r = new Resolver(ctx, symbols, declarations.length, dirname(file), source, workspace, file, options.registry);
  r.setEngine(checkEngine(declarations, ctx, options.defaultEngine));
  for (const name of cyclic) r.broken.add(name);
  const reuse = options.reuse;
  reuse?.begin(file, workspace);
  for (const name of order) {
    const sym = symbols.get(name)!;
    const decl = declarations[sym.declarationIndex];
    const ok = reuse ? reuse.check(decl, sym, r, text, checkDeclaration) : checkDeclaration(decl, sym, r);
    if (!ok) r.broken.add(name);
  }
  // Declarations that never got a symbol (no name yet) still get their references checked.
  declarations.forEach((decl) => {
    if (derivedName(decl) === undefined) for (const q of declarationInputs(decl)) if (symbols.has(q.parts[0].name)) ctx.references.push({ name: q.parts[0].name, range: q.parts[0].range });
  });
  reportUnused(symbols, declarations, ctx);
  reportScheduleRules(r.infos, declarations, ctx);
  checkOutputCollisions(declarations, r.infos, file, r, reuse?.locate);
  checkEngineSupport(options.engine ?? r.engine.kind, declarations, r.infos, ctx);
  reuse?.end();
  const tables = new Map<string, import('../language/schema').TableSchema>();
  for (const [name, state] of r.tables) tables.set(name, state.schema);
  ctx.diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset || a.code.localeCompare(b.code));
  return {
    file,
    workspace,
    text,
    document,
    diagnostics: ctx.diagnostics,
    symbols,
    infos: r.infos,
    tables,
    order,
    references: ctx.references,
    columnReferences: ctx.columnReferences,
    engine: r.engine,
    ...(options.defaultEngine ? { defaultEngine: options.defaultEngine } : {}),
  };
}

function monitorInputs(decl: Extract<Declaration, { kind: 'monitor' }>): string[] {
  const out: string[] = [];
  for (const p of decl.properties) {
    if ((p.key.name === 'baseline' || p.key.name === 'current') && p.value?.kind === 'Name') out.push(p.value.name.parts[0].name);
  }
  return out;
}

function ensembleMembers(decl: Extract<Declaration, { kind: 'model' }>): string[] {
  const p = decl.properties.find((x) => x.key.name === 'ensemble');
  const v = p?.value;
  if (!v || v.kind !== 'Call') return [];
  const of = v.args.find((a) => a.name?.name === 'of') ?? v.args.find((a) => !a.name);
  const list = of?.value;
  if (!list || list.kind !== 'List') return [];
  return list.items.filter((i) => i.kind === 'Name').map((i) => (i as { name: QualifiedName }).name.parts[0].name);
}

/** Returns false when the declaration could not be resolved (its dependants then stay silent). */
function checkDeclaration(decl: Declaration, sym: SymbolInfo, r: Resolver): boolean {
  switch (decl.kind) {
    case 'dataset': {
      const result = checkDataset(decl, r);
      if (!result) return false;
      r.infos[sym.declarationIndex] = result.info;
      if (!result.state) return false;
      r.addTable(sym.name, result.state);
      return true;
    }
    case 'transform': {
      const input = r.resolveTable(decl.from);
      if (!input) return false;
      const { states, output } = checkSteps(decl.steps, input.state, sym.name, r.ctx);
      r.infos[sym.declarationIndex] = {
        kind: 'transform', name: sym.name, input: input.name, inputSchema: input.state.schema,
        stepSchemas: states.map((s) => s.schema), schema: output.schema, steps: decl.steps,
      };
      r.addTable(sym.name, output, input.name);
      return true;
    }
    case 'split': {
      const input = r.resolveTable(decl.from);
      if (!input) return false;
      const info = checkSplit(decl, input, r);
      if (!info) return false;
      r.infos[sym.declarationIndex] = info;
      const rows = input.state.schema.rowCount;
      const total = info.parts.reduce((a, p) => a + p.fraction, 0);
      // From an exact count, the parts' sizes are the runner's own.
      const exact = rows !== undefined && input.state.schema.rowCountExact ? partSizes(rows, info.parts.map((p) => p.fraction / total), info.parts.map((p) => p.part)) : undefined;
      for (const [i, p] of info.parts.entries()) {
        const partName = `${sym.name}.${p.part}`;
        const rowCount = exact ? { rowCount: exact[i], rowCountExact: true } : rows !== undefined ? { rowCount: Math.round(rows * p.fraction), rowCountExact: false } : {};
        const state: TableState = { ...input.state, schema: { ...input.state.schema, ...rowCount } };
        r.addTable(partName, state, input.name, sym.name);
      }
      return info.parts.length > 0;
    }
    case 'model': {
      const input = r.resolveTable(decl.from);
      if (!input) {
        // An ensemble reads its members, not necessarily a table it can resolve: still nothing to check.
        return false;
      }
      const dataset = r.info(input.state.origin);
      const sample = dataset && dataset.kind === 'dataset' ? r.source.sample?.(dataset.path, dataset.options) : undefined;
      // The transform that directly produced the table, through splits (quick fixes add a step there).
      const feeding = r.firstAbove(input.name, 'split');
      const info = checkModel({
        decl,
        input,
        feedingTransform: feeding?.kind === 'transform' ? feeding.name : undefined,
        datasetSchema: dataset && dataset.kind === 'dataset' ? dataset.schema?.columns : undefined,
        sample,
      }, r);
      if (!info) return false;
      r.infos[sym.declarationIndex] = info;
      return true;
    }
    case 'evaluate': {
      const info = checkEvaluate(decl, sym.name, r);
      r.infos[sym.declarationIndex] = info;
      return info !== undefined;
    }
    case 'compare': {
      const info = checkCompare(decl, sym.name, r);
      r.infos[sym.declarationIndex] = info;
      return info !== undefined;
    }
    case 'predict': {
      const info = checkPredict(decl, r);
      r.infos[sym.declarationIndex] = info;
      return info !== undefined;
    }
    case 'monitor': {
      const info = checkMonitor(decl, r);
      r.infos[sym.declarationIndex] = info;
      return info !== undefined;
    }
    case 'export': {
      const info = checkExport(decl, sym.name, r);
      r.infos[sym.declarationIndex] = info;
      return info !== undefined;
    }
    case 'engine':
      // Names nothing, so it is never in the order: checkEngine reads it before the declarations.
      return true;
  }
}

/** NML202: a dataset, transform or split that nothing reads (they write nothing themselves). */
function reportUnused(symbols: Map<string, SymbolInfo>, declarations: Declaration[], ctx: CheckContext): void {
  const used = new Set<string>();
  for (const s of symbols.values()) for (const d of s.dependsOn) used.add(d);
  for (const s of symbols.values()) {
    if (used.has(s.name)) continue;
    if (s.kind !== 'dataset' && s.kind !== 'transform' && s.kind !== 'split') continue;
    const decl = declarations[s.declarationIndex];
    const range = 'name' in decl && decl.name ? decl.name.range : s.nameRange;
    ctx.report('NML202', range, `${s.kind} "${s.name}" is not used by anything and writes nothing; use it (e.g. train a model on it) or delete it`);
  }
}
