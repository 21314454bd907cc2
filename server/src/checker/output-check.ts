// Output paths (`predict … { output: }`, `export … to`): each must resolve inside the workspace
// folder (NML140) and be a usable file path (NML142), and none may overwrite what the pipeline
// reads — a dataset file, a prediction source, a file an input glob matches, the pipeline file,
// the run store — or another declaration's output (NML141). Paths are judged by the one
// function the writer also uses (workspace/output-paths.ts).
import { basename, join } from 'node:path';
import { globMatches, isGlob } from '../data/glob';
import type { Declaration, StringLiteral } from '../language/ast';
import { expandOutputTemplate, isInside, readLocation, resolveOutputPath, writtenLocation } from '../workspace/output-paths';
import type { DeclarationInfo } from './checked-model';
import type { Resolver } from './resolver';

/** Where a path really lands (`readLocation` or `writtenLocation`): asked of the file system, or remembered (check-reuse.ts). */
export type Locate = (kind: 'read' | 'written', path: string) => string;

const askFileSystem: Locate = (kind, path) => (kind === 'read' ? readLocation(path) : writtenLocation(path));

/** The folder a fix proposes for an output that must move: where the samples put them. */
const HOME_FOLDER = { predict: 'out', export: 'models' } as const;

/** Resolves and judges one written output path; reports and returns undefined when it cannot be used. */
export function checkOutputPath(written: StringLiteral, kind: 'predict' | 'export', r: Resolver): string | undefined {
  const result = resolveOutputPath(written.value, r.dir, r.workspace);
  if ('path' in result) return result.path;
  const shown = shownPath(written.value);
  if (result.kind === 'invalid') {
    const fixed = written.value.replace(/\\/g, '/');
    const fixes = fixed !== written.value && safeForString(fixed) ? [{ title: `Change to "${fixed}"`, data: { kind: 'replace' as const, with: `"${fixed}"` } }] : undefined;
    r.ctx.report('NML142', written.range, `output ${shown} ${result.reason}`, fixes);
    return undefined;
  }
  const name = basename(written.value.replace(/\\/g, '/'));
  const suggestion = `${HOME_FOLDER[kind]}/${name}`;
  const fixes = safeForString(suggestion) ? [{ title: `Change to "${suggestion}"`, data: { kind: 'replace' as const, with: `"${suggestion}"` } }] : undefined;
  r.ctx.report('NML140', written.range, `output ${shown} ${result.reason}; a pipeline writes only inside its workspace: write e.g. "${suggestion}", or allow it with narml's --allow-outside-workspace (setting narml.runner.allowOutsideWorkspace)`, fixes);
  return undefined;
}

/** The path as written, quoted, cut short when very long (a message stays one readable line). */
function shownPath(written: string): string {
  return JSON.stringify(written.length > 60 ? `${written.slice(0, 40)}…${written.slice(-12)}` : written);
}

/** A replacement that needs no escapes inside a NarML string. */
function safeForString(s: string): boolean {
  return /^[\w.{}\- /]+$/.test(s);
}

interface Output {
  declaration: string;
  written: StringLiteral;
  /** Absolute path, `{date}` expanded to a sample date. */
  path: string;
}

/**
 * What the pipeline reads or keeps, that no output may replace: plain files by path and by the
 * place a read really lands (one lookup each, so a large pipeline stays linear), globs by name.
 */
class Guarded {
  private readonly files = new Map<string, string>();
  private readonly globs: { pattern: string; what: string }[] = [];

  constructor(private readonly locate: Locate) {}

  add(path: string, what: string): void {
    if (isGlob(path)) {
      this.globs.push({ pattern: path, what });
      return;
    }
    if (!this.files.has(path)) this.files.set(path, what);
    const real = this.locate('read', path);
    if (!this.files.has(real)) this.files.set(real, what);
  }

  /** What an output at `path` (really landing at `lands`) would overwrite, if anything. */
  hit(path: string, lands: string): string | undefined {
    return this.files.get(path) ?? this.files.get(lands) ?? this.globs.find((g) => globMatches(g.pattern, path) || globMatches(g.pattern, lands))?.what;
  }
}

/** NML141 on every output that would overwrite an input, the pipeline, the store or another output. */
export function checkOutputCollisions(declarations: Declaration[], infos: (DeclarationInfo | undefined)[], file: string, r: Resolver, locate = askFileSystem): void {
  const sampleDate = new Date();
  const guarded = new Guarded(locate);
  guarded.add(file, 'the pipeline file itself');
  const outputs: Output[] = [];
  declarations.forEach((decl, i) => {
    const info = infos[i];
    if (info?.kind === 'dataset') guarded.add(info.path, isGlob(info.path) ? `matched by the glob of dataset "${info.name}"` : `the file of dataset "${info.name}"`);
    if (info?.kind === 'predict' && info.source.kind === 'file') {
      guarded.add(info.source.path, isGlob(info.source.path) ? `matched by the source glob of predict "${info.name}", so its next run would read its own predictions` : `the source file of predict "${info.name}"`);
    }
    if (info?.kind === 'predict' && info.output && decl.kind === 'predict') {
      const written = decl.properties.find((p) => p.key.name === 'output')?.value;
      if (written?.kind === 'String') outputs.push({ declaration: `predict "${info.name}"`, written, path: expandOutputTemplate(info.output, sampleDate) });
    }
    if (info?.kind === 'export' && decl.kind === 'export' && decl.target) outputs.push({ declaration: `export "${info.name}"`, written: decl.target, path: info.path });
  });
  const store = join(r.dir, '.narml');
  const storeReal = locate('read', store);
  /** Where each output lands → the declaration that writes it first. */
  const written = new Map<string, string>();
  for (const out of outputs) {
    const lands = locate('written', out.path);
    const hit = guarded.hit(out.path, lands);
    const shown = shownPath(out.written.value);
    if (hit) {
      r.ctx.report('NML141', out.written.range, `output ${shown} is ${hit}; a run must not overwrite what the pipeline reads: write to another file, e.g. in "out/"`);
    } else if (isInside(store, out.path) || isInside(storeReal, lands)) {
      r.ctx.report('NML141', out.written.range, `output ${shown} is inside the run store .narml/, which NarML keeps for itself; write to another folder, e.g. "out/"`);
    } else {
      const twin = written.get(lands);
      if (twin) r.ctx.report('NML141', out.written.range, `output ${shown} is also written by ${twin}; one would overwrite the other: give each declaration its own file`);
    }
    if (!written.has(lands)) written.set(lands, out.declaration);
  }
}
