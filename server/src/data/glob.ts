// Resolves a dataset path that may be a glob (`data/*.csv`, `data/**/part-?.csv`) into the
// sorted list of matching files. Plain paths resolve to themselves.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (const ch of segment) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Absolute pattern in, sorted absolute file paths out (empty when nothing matches). */
export function expandGlob(pattern: string): string[] {
  if (!isGlob(pattern)) return [pattern];
  const parts = pattern.split(/[\\/]/);
  const firstGlob = parts.findIndex((p) => isGlob(p));
  const base = parts.slice(0, firstGlob).join(sep) || sep;
  const rest = parts.slice(firstGlob);
  const out: string[] = [];
  const walk = (dir: string, i: number): void => {
    if (i === rest.length) return;
    const seg = rest[i];
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    if (seg === '**') {
      walk(dir, i + 1);
      for (const e of entries) {
        const p = join(dir, e);
        if (isDirectory(p)) walk(p, i);
      }
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries) {
      if (!re.test(e)) continue;
      const p = join(dir, e);
      if (i === rest.length - 1) {
        if (!isDirectory(p)) out.push(p);
      } else if (isDirectory(p)) walk(p, i + 1);
    }
  };
  walk(base, 0);
  return [...new Set(out)].sort();
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
