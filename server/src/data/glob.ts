// Resolves a dataset path that may be a glob (`data/*.csv`, `data/**/part-?.csv`) into the
// sorted list of matching files. Plain paths resolve to themselves. The walk follows symbolic
// links but tracks real paths: a folder is walked once per pattern position (a link loop ends)
// and a file reached by several links is listed once, under its first path in sorted order.
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { join, sep } from 'node:path';

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    // A class that is no class (`[` unclosed, `[z-a]`) matches itself: a path being typed must not throw.
    return new RegExp(`^${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  }
}

/** Absolute pattern in, sorted absolute file paths out (empty when nothing matches). */
export function expandGlob(pattern: string): string[] {
  if (!isGlob(pattern)) return [pattern];
  const parts = pattern.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => isGlob(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const rest = parts.slice(firstGlob);
  const found: { path: string; real: string }[] = [];
  /** Real folder + pattern position already walked: what stops a link loop. */
  const walked = new Set<string>();
  const walk = (dir: string, i: number): void => {
    if (i === rest.length) return;
    const real = realPath(dir);
    if (real === undefined || walked.has(`${i}\u0000${real}`)) return;
    walked.add(`${i}\u0000${real}`);
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    const seg = rest[i];
    if (seg === '**') {
      walk(dir, i + 1);
      for (const e of entries) {
        const p = join(dir, e);
        if (stat(p)?.isDirectory()) walk(p, i);
      }
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries) {
      if (!re.test(e)) continue;
      const p = join(dir, e);
      const s = stat(p);
      if (i < rest.length - 1) {
        if (s?.isDirectory()) walk(p, i + 1);
      } else if (s?.isFile()) {
        // Only regular files: a named pipe or device would block the reader.
        const fileReal = realPath(p);
        if (fileReal !== undefined) found.push({ path: p, real: fileReal });
      }
    }
  };
  walk(base, 0);
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const f of found) {
    if (seen.has(f.real)) continue;
    seen.add(f.real);
    out.push(f.path);
  }
  return out;
}

/**
 * Does `path` match the glob `pattern` (both absolute)? Decided on the names alone, so it
 * answers for files that do not exist yet (an output a later run would read).
 */
export function globMatches(pattern: string, path: string): boolean {
  const pat = pattern.split(/[\\/]/);
  const names = path.split(/[\\/]/);
  // rest[j]: does pat[i..] match names[j..]? Filled from the last segment back, so several `**`
  // cost |pattern| x |path| steps, with no recursion and no exponential backtracking.
  let rest = names.map(() => false).concat(true);
  for (let i = pat.length - 1; i >= 0; i--) {
    const next = new Array<boolean>(names.length + 1).fill(false);
    const re = pat[i] === '**' ? undefined : segmentRegExp(pat[i]);
    for (let j = names.length; j >= 0; j--) {
      next[j] = re ? j < names.length && rest[j + 1] && re.test(names[j]) : rest[j] || (j < names.length && next[j + 1]);
    }
    rest = next;
  }
  return rest[0];
}

function stat(p: string): Stats | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function realPath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
