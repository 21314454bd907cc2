// What sits at a position of a checked pipeline: the declaration, the step of a transform, the
// schema in scope there, and the name or column under the cursor.
import type { Declaration, Range } from '../language/ast';
import type { TableSchema } from '../language/schema';
import type { CheckedPipeline, ColumnReference, NameReference } from '../checker/checked-model';
import type { Diagnostic } from '../checker/diagnostic';

export function contains(r: Range, offset: number): boolean {
  return r.start.offset <= offset && offset <= r.end.offset;
}

export function declarationAt(p: CheckedPipeline, offset: number): { decl: Declaration; index: number } | undefined {
  const decls = p.document.declarations;
  for (let i = 0; i < decls.length; i++) {
    const d = decls[i];
    const end = i + 1 < decls.length ? decls[i + 1].range.start.offset : p.text.length;
    if (d.range.start.offset <= offset && offset <= Math.max(d.range.end.offset, end - 1)) return { decl: d, index: i };
  }
  return undefined;
}

/** The schema a column name at `offset` is resolved against. */
export function schemaAt(p: CheckedPipeline, offset: number): TableSchema | undefined {
  const found = declarationAt(p, offset);
  if (!found) return undefined;
  const info = p.infos[found.index];
  const decl = found.decl;
  if (decl.kind === 'transform' && info?.kind === 'transform') {
    let schema = info.inputSchema;
    decl.steps.forEach((s, i) => {
      if (s.range.end.offset < offset && !(s.range.start.offset <= offset && offset <= s.range.end.offset)) schema = info.stepSchemas[i] ?? schema;
    });
    return schema;
  }
  if (decl.kind === 'transform' && decl.from) return p.tables.get(decl.from.text);
  if ((decl.kind === 'split' || decl.kind === 'model') && decl.from) return p.tables.get(decl.from.text);
  if (decl.kind === 'dataset' && info?.kind === 'dataset') return info.schema;
  if (decl.kind === 'evaluate' && decl.on) return p.tables.get(decl.on.text);
  return undefined;
}

export function nameReferenceAt(p: CheckedPipeline, offset: number): NameReference | undefined {
  for (const r of p.references) if (contains(r.range, offset)) return r;
  for (const s of p.symbols.values()) {
    const d = p.document.declarations[s.declarationIndex];
    if ('name' in d && d.name && contains(d.name.range, offset)) return { name: s.name, range: d.name.range };
    if ((d.kind === 'evaluate' || d.kind === 'compare') && d.alias && contains(d.alias.range, offset)) return { name: s.name, range: d.alias.range };
  }
  return undefined;
}

export function columnReferenceAt(p: CheckedPipeline, offset: number): ColumnReference | undefined {
  return p.columnReferences.find((c) => contains(c.range, offset));
}

/**
 * The diagnostics that start inside `r`. They are sorted by start offset (checkPipeline sorts
 * them), so a binary search finds the first: the pipeline graph asks this for each of up to
 * 20,000 declarations, and a scan each time would be quadratic.
 */
export function diagnosticsIn(p: CheckedPipeline, r: Range): Diagnostic[] {
  const all = p.diagnostics;
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].range.start.offset < r.start.offset) lo = mid + 1;
    else hi = mid;
  }
  const out: Diagnostic[] = [];
  for (let i = lo; i < all.length && all[i].range.start.offset <= r.end.offset; i++) out.push(all[i]);
  return out;
}
