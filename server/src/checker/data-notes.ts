// What reading a dataset's file noticed (CsvNote), as checker warnings: cells read as missing
// (NML105, or the error NML126 when a declared type fits no value), numbers in a format the
// dataset does not declare (NML106), renamed headers (NML107).
// Each names the column, the count, an example with its line, and the fix.
import { relative } from 'node:path';
import type { Expr, Range } from '../language/ast';
import { DEFAULT_MISSING } from '../data/csv-options';
import type { Diagnostic } from './diagnostic';
import type { CsvNote } from '../data/csv-options';
import type { NumberFormat } from '../data/parse-values';
import type { CheckContext } from './check-context';

const WHAT: Record<'number' | 'date' | 'boolean', string> = {
  number: 'numbers',
  date: 'real dates',
  boolean: 'true/false, yes/no or 0/1 values',
};

/** The dataset options that read numbers written as in `f`, e.g. `thousands: ","`. */
function formatOptions(f: NumberFormat): string {
  const parts: string[] = [];
  if (f.decimal !== '.') parts.push(`decimal: "${f.decimal}"`);
  if (f.thousands !== '') parts.push(`thousands: "${f.thousands}"`);
  return parts.join(', ');
}

export interface NoteTarget {
  /** What was read: `dataset "sales"`, `the prediction source of "nightly"`. */
  what: string;
  /** The dataset whose options (missing:, thousands:, ...) read the file. */
  dataset: string;
  /** Folder of the .narml file: file names are shown relative to it. */
  dir: string;
  /** The sample's counts are not the file's: say so. */
  complete: boolean;
  sourceRange: Range;
  /** `columns { }` entries, where a declared column's warning belongs. */
  overrideRanges: ReadonlyMap<string, Range>;
  /** The dataset's `missing:` value, or null when it has none; undefined where it is not at hand (no fix then). */
  missing?: Expr | null;
}

/** Adds a cell value to the dataset's missing markers: to its list, or as a new list with the defaults. */
function missingFix(target: NoteTarget, example: string): Diagnostic['fixes'] {
  const title = `Read "${example}" as missing in dataset "${target.dataset}"`;
  if (target.missing === null) {
    const property = `missing: [${[...DEFAULT_MISSING, example].map((m) => JSON.stringify(m)).join(', ')}]`;
    return [{ title, data: { kind: 'add-property', declaration: target.dataset, property } }];
  }
  const last = target.missing?.kind === 'List' ? target.missing.items[target.missing.items.length - 1] : undefined;
  return last ? [{ title, data: { kind: 'replace', with: `, ${JSON.stringify(example)}`, range: { start: last.range.end, end: last.range.end } } }] : undefined;
}

export function reportCsvNotes(notes: readonly CsvNote[], target: NoteTarget, ctx: CheckContext): void {
  for (const note of notes) {
    const where = `line ${note.line} of ${relative(target.dir, note.file) || note.file}`;
    const column = `column "${note.column}" of ${target.what}`;
    const toDataset = `to dataset "${target.dataset}"`;
    if (note.kind === 'renamed-header') {
      const why = note.header === '' ? 'has no name in the header' : `repeats the header name "${note.header}"`;
      ctx.report('NML107', target.sourceRange, `a column ${why} (${where}); it is read as "${note.column}": name it in the file, or refer to it as ${note.column}`);
      continue;
    }
    const format = note.formats[0];
    if (note.kind === 'number-format') {
      const option = formatOptions(format);
      ctx.report('NML106', target.sourceRange, `${column} is read as ${note.type}, but its values are numbers written with ${option} (e.g. "${note.example}" on ${where}); add ${option} ${toDataset} to read them as numbers`, [
        { title: `Add ${option} to dataset "${target.dataset}"`, data: { kind: 'add-property', declaration: target.dataset, property: option } },
      ]);
      continue;
    }
    const counted = `${note.count.toLocaleString('en-US')} of ${note.of.toLocaleString('en-US')} values${target.complete ? '' : ' read so far'}`;
    const fix = format
      ? `they are numbers written with ${formatOptions(format)}: add ${formatOptions(format)} ${toDataset}`
      : note.type === 'date'
        ? `dates are read as YYYY-MM-DD, optionally with hh:mm[:ss] and Z or ±hh:mm; fix them in the file, add them to missing: [...] of dataset "${target.dataset}" if they mean missing, or declare columns { ${note.column}: text } to keep the text`
        : `add them to missing: [...] of dataset "${target.dataset}" if they mean missing, or declare columns { ${note.column}: ${note.declared ? 'text' : 'category'} } to keep them as values`;
    const range = target.overrideRanges.get(note.column) ?? target.sourceRange;
    // A declared type that no value has leaves only missing values: an impute has nothing to
    // learn from and a model nothing to learn, so the check stops it (NML126).
    if (note.declared && note.count === note.of) ctx.report('NML126', range, `${column} is declared ${note.type}, but none of its ${note.of.toLocaleString('en-US')} values${target.complete ? '' : ' read so far'} are ${WHAT[note.type]} (e.g. "${note.example}" on ${where}), so it would hold only missing values; ${fix}`);
    else ctx.report('NML105', range, `${column}: ${counted} are not ${WHAT[note.type]} (e.g. "${note.example}" on ${where}) and are read as missing; ${fix}`, format ? [{ title: `Add ${formatOptions(format)} to dataset "${target.dataset}"`, data: { kind: 'add-property', declaration: target.dataset, property: formatOptions(format) } }] : missingFix(target, note.example));
  }
}
