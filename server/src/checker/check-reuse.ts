// Per-declaration reuse between checks of one document: a keystroke re-checks only what it can
// change. A declaration's result is kept under its kind, name and text; it is reused when every
// name it read (its upstream declarations, by version) and every schema-source answer it got
// (the same object from the cache: a stat, no walk of a wide schema) are still the same. A
// re-checked declaration gets a new version, so its downstream cone is re-checked too.
// Results are made at one place of the text and re-based to where the declaration is now.
// What reads the whole file (names for "did you mean", duplicates, cycles, unused tables,
// output collisions) is never kept: `checkPipeline` computes it on every check.
// What the file system says about output places (symbolic links, real paths) is taken from the
// check that asked first, until `clear` (the server clears on its forced re-checks; the writer
// asks again before every write).
import type { Declaration, Document, Position, Range } from '../language/ast';
import { reparse, type ParsedText } from '../language/reparse';
import type { CsvOptions } from '../data/csv-options';
import type { Workspace } from '../workspace/output-paths';
import type { ColumnReference, DeclarationInfo, NameReference, SymbolInfo } from './checked-model';
import { fixRanges, moveFix, type Diagnostic } from './diagnostic';
import { readLocation, writtenLocation } from '../workspace/output-paths';
import type { Locate } from './output-check';
import type { DeclarationTrace, NameVersion, Resolver, SourceRead } from './resolver';
import type { TableState } from './table-state';

interface Kept {
  /** The declaration's text, a copy (a slice would hold the whole file of its time). */
  text: string;
  version: number;
  /** Where the declaration started when the ranges below were made. */
  at: Position;
  ok: boolean;
  info: DeclarationInfo | undefined;
  reads: Map<string, NameVersion>;
  sourceReads: SourceRead[];
  tables: { name: string; state: TableState; parent?: string; split?: string }[];
  diagnostics: Diagnostic[];
  references: NameReference[];
  columnReferences: ColumnReference[];
}

export type CheckOne = (decl: Declaration, sym: SymbolInfo, r: Resolver) => boolean;

/** Kept results of one document's declarations, from its latest check; memory linear in its declarations. */
export class DeclarationReuse {
  private kept = new Map<string, Kept>();
  private next = new Map<string, Kept>();
  private scope = '';
  private version = 0;
  /** The schema source's answers in the check under way, by options object and path: many declarations ask the same. */
  private answers = new Map<CsvOptions, Map<string, unknown>>();
  private samples = new Map<CsvOptions, Map<string, unknown>>();
  /** Real places of paths (see `locate`), of the previous check and of the one under way. */
  private places = new Map<string, string>();
  private nextPlaces = new Map<string, string>();
  /** Declarations re-checked and reused by the latest check, and results kept for the next (for benchmarks and tests). */
  readonly stats = { checked: 0, reused: 0, kept: 0 };

  /**
   * Starts a check of `file`. Results depend on its folder and workspace; what the file system
   * says about output places is taken from the check that made a result (`clear` forgets them).
   */
  begin(file: string, workspace: Workspace): void {
    const scope = JSON.stringify([file, workspace]);
    if (scope !== this.scope) this.clear();
    this.scope = scope;
    this.next = new Map();
    this.answers.clear();
    this.samples.clear();
    this.stats.checked = 0;
    this.stats.reused = 0;
  }

  /** The parse of the latest checked text: the next text is parsed only where it differs. */
  private parsed: ParsedText | undefined;

  /** Parses `text`, re-using the previous parse away from the edit (reparse.ts). */
  parse(text: string): Document {
    this.parsed = reparse(this.parsed, text);
    return this.parsed.document;
  }

  /** Drops every kept result: the next check is a full one (a CSV or the workspace changed). */
  clear(): void {
    this.kept.clear();
    this.places.clear();
  }

  /** Keeps only what the check just finished used, so results of deleted text do not pile up. */
  end(): void {
    this.kept = this.next;
    this.stats.kept = this.kept.size;
    this.next = new Map();
    this.places = this.nextPlaces;
    this.nextPlaces = new Map();
  }

  /** Where a path really lands, for the output checks: asked of the file system once, then remembered. */
  readonly locate: Locate = (kind, path) => {
    const key = `${kind}\u0000${path}`;
    let place = this.places.get(key) ?? this.nextPlaces.get(key);
    if (place === undefined) place = kind === 'read' ? readLocation(path) : writtenLocation(path);
    this.nextPlaces.set(key, place);
    return place;
  };

  /** Checks `decl` with `checkOne`, or replays its kept result when nothing it read has changed. */
  check(decl: Declaration, sym: SymbolInfo, r: Resolver, text: string, checkOne: CheckOne): boolean {
    // Kept by kind, name and length, and compared with the text: a key holding the text made every
    // check hash and copy the whole file once more.
    const body = text.slice(decl.range.start.offset, decl.range.end.offset);
    const key = `${sym.kind}\u0000${sym.name}\u0000${body.length}`;
    const old = this.kept.get(key);
    if (old && old.text === body && this.stillValid(old, r)) {
      const kept = this.replay(old, decl, sym, r);
      this.next.set(key, kept);
      this.stats.reused++;
      return kept.ok;
    }
    this.stats.checked++;
    const ctx = r.ctx;
    const from = { diagnostics: ctx.diagnostics.length, references: ctx.references.length, columnReferences: ctx.columnReferences.length };
    const asked = ctx.suggestionsAsked + ctx.storeAsked;
    const trace: DeclarationTrace = { reads: new Map(), sourceReads: [], tables: [] };
    r.trace = trace;
    let ok: boolean;
    try {
      ok = checkOne(decl, sym, r);
    } finally {
      r.trace = undefined;
    }
    const version = ++this.version;
    r.versions.set(sym.name, version);
    const kept: Kept = {
      text: Buffer.from(body).toString(), version, at: decl.range.start, ok, info: r.infos[sym.declarationIndex], ...trace,
      diagnostics: ctx.diagnostics.slice(from.diagnostics),
      references: ctx.references.slice(from.references),
      columnReferences: ctx.columnReferences.slice(from.columnReferences),
    };
    // Kept with ranges of its own: the syntax below the next edit is moved in place (reparse.ts),
    // and so are the ranges these results share with it.
    if (ctx.suggestionsAsked + ctx.storeAsked === asked && reusable(kept, decl.range)) this.next.set(key, placed(kept, { ...decl.range.start }));
    return ok;
  }

  private stillValid(old: Kept, r: Resolver): boolean {
    for (const [name, version] of old.reads) if (r.versionOf(name) !== version) return false;
    for (const read of old.sourceReads) if (!sameAnswer(this.answer(read, r), read.result)) return false;
    return true;
  }

  /** The schema source's answer now to a question a kept result asked. */
  private answer(read: SourceRead, r: Resolver): unknown {
    const memo = read.sample ? this.samples : this.answers;
    let byPath = memo.get(read.options);
    if (!byPath) memo.set(read.options, (byPath = new Map()));
    if (read.table) return r.rawSource.engineTable?.(read.table.url, read.table.name);
    if (byPath.has(read.pattern)) return byPath.get(read.pattern);
    const now = read.sample ? r.rawSource.sample?.(read.pattern, read.options) : r.rawSource.schema(read.pattern, read.options);
    byPath.set(read.pattern, now);
    return now;
  }

  /** Puts a kept result into the check under way, its ranges moved to where `decl` is now. */
  private replay(old: Kept, decl: Declaration, sym: SymbolInfo, r: Resolver): Kept {
    const to = decl.range.start;
    const moved = old.at.offset !== to.offset || old.at.line !== to.line || old.at.character !== to.character;
    const kept = moved ? placed(old, { ...to }) : old;
    // A transform's steps are syntax: the runner and the editor need this parse's nodes.
    r.infos[sym.declarationIndex] = old.info?.kind === 'transform' && decl.kind === 'transform' ? { ...old.info, steps: decl.steps } : old.info;
    for (const t of old.tables) r.addTable(t.name, t.state, t.parent, t.split);
    r.ctx.diagnostics.push(...kept.diagnostics);
    r.ctx.references.push(...kept.references);
    r.ctx.columnReferences.push(...kept.columnReferences);
    r.versions.set(sym.name, old.version);
    return kept;
  }
}

/** `k`'s results with new range objects, moved from where its declaration was to `to`. */
function placed(k: Kept, to: Position): Kept {
  const from = k.at;
  return {
    ...k, at: to,
    diagnostics: k.diagnostics.map((d) => ({
      ...d, range: rebase(d.range, from, to),
      ...(d.related ? { related: d.related.map((x) => ({ ...x, range: rebase(x.range, from, to) })) } : {}),
      ...(d.fixes ? { fixes: d.fixes.map((f) => ({ ...f, data: moveFix(f.data, (x) => rebase(x, from, to)) })) } : {}),
    })),
    references: k.references.map((x) => ({ ...x, range: rebase(x.range, from, to) })),
    columnReferences: k.columnReferences.map((x) => ({ ...x, range: rebase(x.range, from, to) })),
  };
}

/**
 * Only results whose ranges lie inside their declaration can be moved with it, and only infos
 * that hold no syntax nodes but a transform's steps (a monitor's alert is one) can be reused.
 */
function reusable(k: Kept, range: Range): boolean {
  const inside = (x: Range): boolean => x.start.offset >= range.start.offset && x.end.offset <= range.end.offset;
  if (k.info?.kind === 'monitor' && k.info.alert) return false;
  return k.diagnostics.every((d) => inside(d.range) && (d.related ?? []).every((x) => inside(x.range)) && (d.fixes ?? []).every((f) => fixRanges(f.data).every(inside)))
    && k.references.every((x) => inside(x.range)) && k.columnReferences.every((x) => inside(x.range));
}

/** The cache answers with the same object while a file is unchanged; a failure is new each time but says the same. */
function sameAnswer(now: unknown, before: unknown): boolean {
  if (now === before) return true;
  const a = now as { ok?: boolean; error?: string; noMatch?: boolean } | undefined;
  const b = before as { ok?: boolean; error?: string; noMatch?: boolean } | undefined;
  return a?.ok === false && b?.ok === false && a.error === b.error && a.noMatch === b.noMatch;
}

function rebase(range: Range, from: Position, to: Position): Range {
  return { start: move(range.start, from, to), end: move(range.end, from, to) };
}

/** Same text, another place: lines shift by the start's line, and the start line's characters by its character. */
function move(p: Position, from: Position, to: Position): Position {
  return {
    line: p.line - from.line + to.line,
    character: p.line === from.line ? p.character - from.character + to.character : p.character,
    offset: p.offset - from.offset + to.offset,
  };
}
