// Name resolution during a check: which table or model a reference means (NML100 with
// "did you mean"), and what each table name's schema and ancestry are.
import { isAbsolute, resolve } from 'node:path';
import type { DeclarationKind, QualifiedName } from '../language/ast';
import { DEFAULT_CSV_OPTIONS, type CsvOptions, type SchemaSource } from '../data/csv-options';
import type { TableSchemaResult } from '../engine/clickhouse-schema';
import type { EngineSpec } from './engine-check';
import type { Table } from '../data/table';
import type { CheckContext } from './check-context';
import type { DeclarationInfo, ModelInfo, SymbolInfo } from './checked-model';
import type { TableState } from './table-state';
import { TableLineage } from './table-lineage';
import type { RegistrySource } from './version-refs';
import type { Workspace } from '../workspace/output-paths';

const TABLE_KINDS: readonly DeclarationKind[] = ['dataset', 'transform', 'split'];

/** A schema source that can also hand out sampled rows (the CSV cache does) and engine tables' schemas. */
export interface SamplingSource extends SchemaSource {
  sample?(pattern: string, options: CsvOptions): Table | undefined;
  /** The schema of `table` on the ClickHouse server at `url`, from the cache; undefined until it was loaded. */
  engineTable?(url: string, table: string): TableSchemaResult | undefined;
}

/** The name under which declarations that read the engine statement note it (no identifier has a space). */
const ENGINE_READ = ' engine';

/**
 * What a name stood for when a declaration read it: the version of its checked result
 * (check-reuse.ts), or, before it was checked, its kind ('cyclic' for a name on a cycle,
 * 'none' for an unknown one).
 */
export type NameVersion = number | string;

/** One call of the schema source during a declaration's check, with the answer it got. */
export interface SourceRead {
  sample: boolean;
  pattern: string;
  options: CsvOptions;
  result: unknown;
  /** A ClickHouse table's schema was asked (`pattern` and `options` then mean nothing). */
  table?: { url: string; name: string };
}

/** What one declaration's check read and added: enough to tell later whether it would come out the same. */
export interface DeclarationTrace {
  reads: Map<string, NameVersion>;
  sourceReads: SourceRead[];
  tables: { name: string; state: TableState; parent?: string; split?: string }[];
}

/** Table states by name; a read is noted in the trace of the declaration being checked. */
class TableStates extends Map<string, TableState> {
  constructor(private readonly onRead: (table: string) => void) {
    super();
  }

  override get(table: string): TableState | undefined {
    this.onRead(table);
    return super.get(table);
  }
}

export class Resolver {
  /** Table states by table name (`clean`, `parts.train`). */
  readonly tables = new TableStates((t) => this.noteRead(t));
  /** Which table's rows come from which. */
  private readonly lineage = new TableLineage();
  /** Version of the result of each declaration checked or reused so far (only while reusing), and the engine statement's meaning. */
  readonly versions = new Map<string, NameVersion>();
  /** Set while a declaration whose result may be reused is checked. */
  trace: DeclarationTrace | undefined;
  /** The schema source as declarations see it: every call is noted in the trace. */
  readonly source: SamplingSource;
  readonly infos: (DeclarationInfo | undefined)[];
  /** Names whose declaration failed to resolve: references to them stay silent. */
  readonly broken = new Set<string>();

  constructor(
    readonly ctx: CheckContext,
    readonly symbols: Map<string, SymbolInfo>,
    declarationCount: number,
    readonly dir: string,
    /** The injected schema source, untraced (check-reuse.ts asks it again to validate a reuse). */
    readonly rawSource: SamplingSource,
    /** Where outputs may be written. */
    readonly workspace: Workspace,
    /** The pipeline's path, and the registry of its run store (`with churn@production`); none in tests that need no store. */
    readonly file = '',
    readonly registry?: RegistrySource,
  ) {
    this.infos = new Array(declarationCount).fill(undefined);
    const note = (read: SourceRead): void => { this.trace?.sourceReads.push(read); };
    this.source = {
      schema(pattern, options) {
        const result = rawSource.schema(pattern, options);
        note({ sample: false, pattern, options, result });
        return result;
      },
      sample(pattern, options) {
        const result = rawSource.sample?.(pattern, options);
        note({ sample: true, pattern, options, result });
        return result;
      },
      engineTable(url, name) {
        const result = rawSource.engineTable?.(url, name);
        note({ sample: false, pattern: '', options: DEFAULT_CSV_OPTIONS, result, table: { url, name } });
        return result;
      },
    };
  }

  private engineSpec: EngineSpec = { kind: 'memory' };

  /** The engine statement's meaning; a declaration that asks depends on it (check-reuse.ts). */
  get engine(): EngineSpec {
    this.noteRead(ENGINE_READ);
    return this.engineSpec;
  }

  setEngine(spec: EngineSpec): void {
    this.engineSpec = spec;
    this.versions.set(ENGINE_READ, JSON.stringify(spec));
  }

  /** What `name` (a declaration or a table, `parts.train`) stands for now. */
  versionOf(name: string): NameVersion {
    return this.versions.get(name) ?? (this.broken.has(name) ? 'cyclic' : this.symbols.get(name)?.kind ?? 'none');
  }

  /** Notes that the declaration being checked read `table` (by its declaration's name). */
  private noteRead(table: string): void {
    if (!this.trace) return;
    const name = this.symbols.has(table) || table === ENGINE_READ ? table : table.split('.')[0];
    if (!this.trace.reads.has(name)) this.trace.reads.set(name, this.versionOf(name));
  }

  /** Adds a table the declaration being checked produces, `parent` being the table its rows come from. */
  addTable(name: string, state: TableState, parent?: string, split?: string): void {
    this.tables.set(name, state);
    this.lineage.add(name, parent, split);
    this.trace?.tables.push({ name, state, ...(parent === undefined ? {} : { parent }), ...(split === undefined ? {} : { split }) });
  }

  /** True when the rows of tables `a` and `b` may overlap (table-lineage.ts). */
  overlaps(a: string, b: string): boolean {
    this.noteRead(a);
    this.noteRead(b);
    return this.lineage.overlaps(a, b);
  }

  /** A file or glob the pipeline reads (dataset, prediction source), as written: relative to the pipeline's folder. */
  inputPath(written: string): string {
    return isAbsolute(written) ? written : resolve(this.dir, written);
  }

  info(name: string): DeclarationInfo | undefined {
    this.noteRead(name);
    const s = this.symbols.get(name);
    return s ? this.infos[s.declarationIndex] : undefined;
  }

  /**
   * The first declaration above `table` (a table name, `parts.train` included) that is not a
   * `through` one, climbing the lineage in a loop: chains may be 20,000 deep.
   */
  firstAbove(table: string, through: 'transform' | 'split'): DeclarationInfo | undefined {
    for (let t = table; ;) {
      const info = this.info(t.split('.')[0]);
      if (info?.kind !== through) return info;
      t = info.input;
    }
  }

  /** Names of each set of kinds, listed once per check: a file may hold 20,000 unknown references. */
  private readonly namesByKinds = new Map<string, string[]>();

  private namesOfKinds(kinds: readonly DeclarationKind[]): string[] {
    const key = kinds.join(',');
    let names = this.namesByKinds.get(key);
    if (!names) {
      names = [...this.symbols.values()].filter((s) => kinds.includes(s.kind)).map((s) => s.name);
      this.namesByKinds.set(key, names);
    }
    return names;
  }

  /** Reports an unknown name; returns false. */
  private unknown(q: QualifiedName, kinds: readonly DeclarationKind[], what: string): false {
    const root = q.parts[0];
    const known = this.namesOfKinds(kinds);
    const s = this.ctx.suggest(root.name, known, kinds.length === 1 ? kinds[0] : 'name');
    const list = known.length > 0 && known.length <= 6 ? `; ${what}s here: ${known.join(', ')}` : '';
    this.ctx.report('NML100', root.range, `unknown ${what} "${root.name}"${s.text || list}`, s.fixes);
    return false;
  }

  /** Records the reference and checks the kind of what it names. */
  private lookup(q: QualifiedName, kinds: readonly DeclarationKind[], what: string): SymbolInfo | undefined {
    const root = q.parts[0];
    this.noteRead(root.name);
    const sym = this.symbols.get(root.name);
    if (!sym) {
      this.unknown(q, kinds, what);
      return undefined;
    }
    this.ctx.references.push({ name: sym.name, range: root.range });
    if (!kinds.includes(sym.kind)) {
      const fix = what === 'table' && sym.kind === 'model' ? '; evaluate or predict with a model, and train it on a table' : '';
      this.ctx.report('NML100', root.range, `"${root.name}" is a ${sym.kind}, not a ${what}${fix}`);
      return undefined;
    }
    return sym;
  }

  /** A table reference: a dataset, a transform, or a split part (`parts.train`). */
  resolveTable(q: QualifiedName | undefined): { name: string; state: TableState } | undefined {
    if (!q) return undefined;
    const sym = this.lookup(q, TABLE_KINDS, 'table');
    if (!sym) return undefined;
    if (this.broken.has(sym.name)) return undefined;
    if (sym.kind === 'split') {
      const split = this.info(sym.name);
      const partId = q.parts[1];
      if (!partId) {
        const parts = split && split.kind === 'split' ? split.parts.map((p) => `${sym.name}.${p.part}`) : [`${sym.name}.train`, `${sym.name}.test`];
        this.ctx.report('NML100', q.range, `"${sym.name}" is a split; name one of its parts: ${parts.join(', ')}`,
          parts.map((p) => ({ title: `Change to "${p}"`, data: { kind: 'replace' as const, with: p } })));
        return undefined;
      }
      if (!split || split.kind !== 'split') return undefined;
      const part = split.parts.find((p) => p.part === partId.name);
      if (!part) {
        const s = this.ctx.suggest(partId.name, split.parts.map((p) => p.part), 'part');
        this.ctx.report('NML100', partId.range, `split "${sym.name}" has no part "${partId.name}"${s.text || `; its parts are ${split.parts.map((p) => p.part).join(', ')}`}`, s.fixes);
        return undefined;
      }
      const name = `${sym.name}.${part.part}`;
      const state = this.tables.get(name);
      return state ? { name, state } : undefined;
    }
    if (q.parts.length > 1) {
      this.ctx.report('NML100', q.parts[1].range, `"${sym.name}" is a ${sym.kind} and has no parts; only splits do (parts.train)`);
      return undefined;
    }
    const state = this.tables.get(sym.name);
    return state ? { name: sym.name, state } : undefined;
  }

  resolveModel(q: QualifiedName | undefined): ModelInfo | undefined {
    if (!q) return undefined;
    const sym = this.lookup(q, ['model'], 'model');
    if (!sym || this.broken.has(sym.name)) return undefined;
    if (q.parts.length > 1) {
      this.ctx.report('NML100', q.parts[1].range, `"${sym.name}" is a model and has no parts; write just "${sym.name}"`);
      return undefined;
    }
    const info = this.info(sym.name);
    return info && info.kind === 'model' ? info : undefined;
  }

  /** A name of any of the given kinds (monitor's `current:` may be a prediction or a table). */
  resolveAny(q: QualifiedName, kinds: readonly DeclarationKind[], what: string): SymbolInfo | undefined {
    return this.lookup(q, kinds, what);
  }
}
