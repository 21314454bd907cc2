// The definition hash of a declaration: its text (comments and spacing aside), the definition
// hashes of what it reads and, for a dataset, the bytes of its files. The runner keys reuse on it
// (with the running program's bytes) and records it per declaration; the language server computes
// it for the text being edited, so the Lineage panel can tell what changed since the last run.
import { connectionFor } from '../engine/clickhouse-http';
import { tableChecksum } from '../engine/clickhouse-read';
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { CheckedPipeline } from '../checker/checked-model';
import type { InputFileJson } from '../contracts/cli-json';
import { expandGlob } from '../data/glob';
import { sha256 } from '../store/run-store';

export type FileHasher = (path: string) => Promise<string>;

export async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/**
 * A hasher that re-reads a file only when its size or modification time changed: for the
 * editor, which asks again after every run. The runner records hashes by file identity in the
 * run store (RunStore.fileHash), so a later process does not re-read an unchanged file either.
 */
export function cachedFileHasher(): FileHasher {
  const known = new Map<string, { size: number; mtimeMs: number; hash: string }>();
  return async (path) => {
    const st = statSync(path);
    const k = known.get(path);
    if (k && k.size === st.size && k.mtimeMs === st.mtimeMs) return k.hash;
    const hash = await fileHash(path);
    known.set(path, { size: st.size, mtimeMs: st.mtimeMs, hash });
    return hash;
  };
}

function declarationText(checked: CheckedPipeline, name: string): string {
  const s = checked.symbols.get(name)!;
  const d = checked.document.declarations[s.declarationIndex];
  return checked.text.slice(d.range.start.offset, d.range.end.offset).replace(/#[^\n]*/g, '').replace(/\s+/g, ' ').trim();
}

/**
 * The definition hash of `name`, given those of what it reads (`known`, filled in lineage order),
 * and for a dataset the files it reads with their hashes.
 */
export async function definitionHash(checked: CheckedPipeline, name: string, known: ReadonlyMap<string, string>, hashFile: FileHasher = fileHash): Promise<{ definition: string; files: InputFileJson[] }> {
  const upstream = checked.symbols.get(name)!.dependsOn.map((d) => known.get(d) ?? '').join(',');
  const info = checked.infos[checked.symbols.get(name)!.declarationIndex];
  if (info?.kind === 'dataset' && info.table) {
    // A table has no file: its content is summed by the server (row count and row hashes).
    const sum = await tableChecksum(connectionFor(info.table.url), info.table.name, info.schema?.columns.map((c) => c.name) ?? []);
    return { definition: sha256(`${declarationText(checked, name)}|${upstream}|${sum}`), files: [] };
  }
  const paths = info?.kind === 'dataset' ? expandGlob(info.path) : [];
  const hashes = await Promise.all(paths.map(hashFile));
  return { definition: sha256(`${declarationText(checked, name)}|${upstream}|${hashes.join(',')}`), files: paths.map((file, i) => ({ file, sha256: hashes[i] })) };
}

/**
 * Definition hashes of every declaration in lineage order. A declaration whose files cannot be
 * read now (missing, unreadable) and what depends on it get none: they cannot be compared.
 */
export async function definitionHashes(checked: CheckedPipeline, hashFile: FileHasher = fileHash): Promise<Record<string, string>> {
  const known = new Map<string, string>();
  for (const name of checked.order) {
    if (checked.symbols.get(name)!.dependsOn.some((d) => checked.symbols.has(d) && !known.has(d))) continue;
    try {
      known.set(name, (await definitionHash(checked, name, known, hashFile)).definition);
    } catch {
      // no hash: shown as unknown rather than guessed
    }
  }
  return Object.fromEntries(known);
}
