// Seeded mutations of real pipelines for the fuzz tests (checker and language server): token
// deletions, duplications and swaps, truncation, random bytes, deep nesting, long flat chains,
// huge numbers and unicode. The same seed gives the same pipelines, so a failure replays.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lexTokens } from '../../server/src/language/lexer';

const root = join(__dirname, '..', '..');

export interface SeedPipeline { file: string; text: string }

/** Every pipeline in samples/*\/ and test/fixtures/pipelines/. */
export function seedPipelines(): SeedPipeline[] {
  const files: string[] = [];
  for (const d of readdirSync(join(root, 'samples'))) files.push(...pipelinesIn(join(root, 'samples', d)));
  files.push(...pipelinesIn(join(root, 'test', 'fixtures', 'pipelines')));
  return files.sort().map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** The pipeline files of a folder; not the run store `.narml/` a run leaves beside them. */
function pipelinesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.narml')).map((e) => join(dir, e.name));
  } catch {
    return [];
  }
}

/** mulberry32: a small, fast, seedable generator; `next(n)` is an integer in [0, n). */
export function random(seed: number): { next(n: number): number } {
  let s = seed >>> 0;
  return {
    next(n: number): number {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * Math.max(1, n));
    },
  };
}

const HUGE_NUMBERS = ['1e309', '-1e309', '9'.repeat(400), `0.${'0'.repeat(400)}1`, '1e-400', '179769313486231570000000000000000000000000000000%', '99999999999999999999h', '0x1F', '1.2.3'];
const UNICODE = ['é', '😀', '\u202e', '\u0301', '\ud800', '\udfff', '\ufeff', '\u00a0', '\u2028', '\u0000', '日本語', '`ünï cödé`', '"\u{10ffff}"', 'Ω', '\r', '\t'];
const NESTING = ['('.repeat(10_000), '['.repeat(10_000), 'not '.repeat(5_000), '- '.repeat(5_000), '{'.repeat(5_000), `${'('.repeat(199)}x${')'.repeat(199)}`];

/** One mutation of `text`, chosen by `rand`. */
export function mutate(text: string, rand: { next(n: number): number }): string {
  const kind = rand.next(12);
  const tokens = kind <= 2 ? lexTokens(text).map((t) => t.text) : [];
  const at = rand.next(text.length + 1);
  const pick = <T>(xs: readonly T[]): T => xs[rand.next(xs.length)];
  switch (kind) {
    case 0: { tokens.splice(rand.next(tokens.length), 1 + rand.next(3)); return tokens.join(' '); }
    case 1: { const i = rand.next(tokens.length); tokens.splice(i, 0, tokens[rand.next(tokens.length)] ?? ''); return tokens.join(' '); }
    case 2: {
      const i = rand.next(tokens.length), j = rand.next(tokens.length);
      [tokens[i], tokens[j]] = [tokens[j], tokens[i]];
      return tokens.join(' ');
    }
    case 3: return text.slice(0, at);
    case 4: return text.slice(0, at) + Array.from({ length: 1 + rand.next(8) }, () => String.fromCharCode(rand.next(256))).join('') + text.slice(at);
    case 5: return text.slice(0, at) + pick(NESTING) + text.slice(at);
    case 6: return text.slice(0, at) + pick(HUGE_NUMBERS) + text.slice(at);
    case 7: return text.slice(0, at) + pick(UNICODE) + text.slice(at);
    case 8: {
      // A long flat chain where an expression or a list may stand.
      const op = pick([' + ', ' and ', ' < ', ', ', ' * ', ' or not ']);
      return `${text.slice(0, at)}${Array.from({ length: 2_000 + rand.next(3_000) }, () => pick(['1', 'x', '"s"', 'true', '2%'])).join(op)}${text.slice(at)}`;
    }
    case 9: return text.slice(0, at) + pick(['"', '`', '"\\', '\\"', '#', '}', '{', ':', '?', '.', ',']) + text.slice(at);
    case 10: {
      // A line repeated many times: duplicate names, steps and properties.
      const lines = text.split('\n');
      // At most 200 characters of it: repeating a 5,000-term chain makes a megabyte file that only slows the run.
      const line = lines[rand.next(lines.length)].slice(0, 200);
      lines.splice(rand.next(lines.length), 0, ...Array.from({ length: 50 + rand.next(200) }, () => line));
      return lines.join('\n');
    }
    default: return text.slice(0, at) + text.slice(at + 1 + rand.next(40));
  }
}

/** Pipeline number `i`: one to three mutations of the seeds taken in turn. */
export function mutatedPipeline(seeds: readonly SeedPipeline[], rand: { next(n: number): number }, i: number): { file: string; text: string } {
  const base = seeds[i % seeds.length];
  let text = base.text;
  const rounds = 1 + rand.next(3);
  for (let k = 0; k < rounds; k++) text = mutate(text, rand);
  return { file: base.file, text };
}
