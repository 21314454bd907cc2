// The file's scope: every declaration's name (derived for evaluate/compare without `as`),
// duplicates (NML102), the names each declaration reads (its lineage parents), and a
// topological order with cycles reported (NML103).
import type { Declaration, QualifiedName } from '../language/ast';
import type { CheckContext } from './check-context';
import type { SymbolInfo } from './checked-model';

/** `churn_rf_on_parts_test`: the default name of an evaluate (spec §3). */
export function derivedName(decl: Declaration): string | undefined {
  if (decl.kind === 'evaluate') {
    if (decl.alias) return decl.alias.name;
    if (!decl.model || !decl.on) return undefined;
    return `${decl.model.text}_on_${decl.on.text}`.replace(/\./g, '_');
  }
  if (decl.kind === 'compare') {
    if (decl.alias) return decl.alias.name;
    if (decl.models.length === 0 || !decl.on) return undefined;
    return `${decl.models.map((m) => m.text).join('_vs_')}_on_${decl.on.text}`.replace(/\./g, '_');
  }
  if (decl.kind === 'export') return decl.model ? `${decl.model.text.replace(/\./g, '_')}_export` : undefined;
  if (decl.kind === 'engine') return undefined;
  return decl.name?.name;
}

/** Names a declaration reads, with the reference nodes (the root of `parts.train` is `parts`). */
export function declarationInputs(decl: Declaration): QualifiedName[] {
  const refs: (QualifiedName | undefined)[] = [];
  switch (decl.kind) {
    case 'transform':
    case 'split':
    case 'model':
      refs.push(decl.from);
      break;
    case 'evaluate':
      refs.push(decl.model, decl.on);
      break;
    case 'compare':
      refs.push(...decl.models, decl.on);
      break;
    case 'predict':
      refs.push(decl.model, decl.source && decl.source.kind === 'QualifiedName' ? decl.source : undefined);
      break;
    case 'monitor':
      refs.push(decl.model);
      break;
    case 'export':
      refs.push(decl.model);
      break;
    case 'dataset':
    case 'engine':
      break;
  }
  return refs.filter((r): r is QualifiedName => r !== undefined);
}

export function buildSymbols(declarations: Declaration[], ctx: CheckContext): Map<string, SymbolInfo> {
  const symbols = new Map<string, SymbolInfo>();
  declarations.forEach((decl, index) => {
    let name = derivedName(decl);
    if (!name) return;
    const nameRange = 'name' in decl && decl.name ? decl.name.range
      : (decl.kind === 'evaluate' || decl.kind === 'compare') && decl.alias ? decl.alias.range
      : { start: decl.keyword.start, end: (decl.kind === 'evaluate' || decl.kind === 'compare') && decl.on ? decl.on.range.end : decl.keyword.end };
    const existing = symbols.get(name);
    if (existing) {
      if (decl.kind === 'export') {
        let k = 2;
        while (symbols.has(`${name}_${k}`)) k++;
        name = `${name}_${k}`;
      } else {
        const first = declarations[existing.declarationIndex];
        const named = decl.kind === 'evaluate' || decl.kind === 'compare';
        const hint = named ? 'add "as another_name" to one of them' : 'rename one of them';
        let k = 2;
        while (symbols.has(`${name}_${k}`)) k++;
        const free = `${name}_${k}`;
        // A derived name (no "as") gets one; a written name is replaced.
        const fix = named && !decl.alias && decl.on
          ? { kind: 'replace' as const, with: ` as ${free}`, range: { start: decl.on.range.end, end: decl.on.range.end } }
          : { kind: 'replace' as const, with: free };
        ctx.report('NML102', nameRange, `"${name}" is already declared (as a ${first.kind} on line ${first.range.start.line + 1}); ${hint}`, [{ title: `Rename to ${free}`, data: fix }]);
        return;
      }
    }
    symbols.set(name, { name, kind: decl.kind, declarationIndex: index, nameRange, dependsOn: [] });
  });
  return symbols;
}

/**
 * Orders declarations so each follows what it reads; each cycle is reported once (NML103) and
 * the declarations on it are left out of the order.
 */
export function orderDeclarations(
  symbols: Map<string, SymbolInfo>,
  declarations: Declaration[],
  ctx: CheckContext,
): { order: string[]; cyclic: Set<string> } {
  const state = new Map<string, 0 | 1 | 2>();
  const order: string[] = [];
  const cyclic = new Set<string>();
  /** The DFS path: each name reads the next one. */
  const stack: string[] = [];
  // Iterative DFS: deep lineage chains must not overflow the stack.
  for (const start of symbols.keys()) {
    if (state.get(start) === 2) continue;
    const frames: { name: string; next: number }[] = [{ name: start, next: 0 }];
    state.set(start, 1);
    stack.push(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const sym = symbols.get(frame.name)!;
      if (frame.next < sym.dependsOn.length) {
        const dep = sym.dependsOn[frame.next++];
        const depState = state.get(dep) ?? 0;
        if (!symbols.has(dep)) continue;
        if (depState === 1) {
          const cycle = stack.slice(stack.lastIndexOf(dep));
          for (const c of cycle) cyclic.add(c);
          reportCycle(cycle, symbols, declarations, ctx);
          continue;
        }
        if (depState === 0) {
          state.set(dep, 1);
          stack.push(dep);
          frames.push({ name: dep, next: 0 });
        }
        continue;
      }
      frames.pop();
      stack.pop();
      state.set(frame.name, 2);
      order.push(frame.name);
    }
  }
  return { order: order.filter((n) => !cyclic.has(n)), cyclic };
}

/** Members named in a cycle's message before the middle is elided (the related information lists every reference). */
const CYCLE_NAMES_SHOWN = 8;

/**
 * One NML103 for a cycle (each member reads the next, the last reads the first), on the
 * reference that comes first in the file; the cycle's other references are related
 * information, since each is a place where the user can break it. One report per cycle, not
 * per member, keeps a 20,000-declaration cycle's diagnostics linear in its length.
 */
function reportCycle(cycle: string[], symbols: Map<string, SymbolInfo>, declarations: Declaration[], ctx: CheckContext): void {
  const edges = cycle.map((from, i) => {
    const to = cycle[(i + 1) % cycle.length];
    const sym = symbols.get(from)!;
    const ref = declarationInputs(declarations[sym.declarationIndex]).find((q) => q.parts[0].name === to);
    return { from, to, range: ref ? ref.range : sym.nameRange };
  });
  let first = 0;
  for (let i = 1; i < edges.length; i++) if (edges[i].range.start.offset < edges[first].range.start.offset) first = i;
  const members = [...cycle.slice(first), ...cycle.slice(0, first)];
  const { from, to, range } = edges[first];
  const related = edges.filter((_, i) => i !== first).map((e) => ({ range: e.range, message: `"${e.from}" reads "${e.to}" here, closing the same cycle` }));
  ctx.report('NML103', range,
    `cycle in the pipeline: ${describeCycle(members)}; "${from}" cannot read from "${to}", which depends on it: read from a table outside the cycle`,
    undefined, related);
}

/** `a → b → a`, or for a long cycle its first and last members with the count in between. */
function describeCycle(members: string[]): string {
  const loop = [...members, members[0]];
  if (loop.length <= CYCLE_NAMES_SHOWN) return loop.join(' → ');
  const head = loop.slice(0, CYCLE_NAMES_SHOWN / 2);
  const tail = loop.slice(loop.length - CYCLE_NAMES_SHOWN / 2 + 1);
  return `${head.join(' → ')} → … ${loop.length - head.length - tail.length} more … → ${tail.join(' → ')} (${members.length} declarations)`;
}
