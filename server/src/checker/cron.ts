// Validates cron expressions (NML130): 5 fields (minute hour day month weekday) or 6 with
// seconds first, as node-cron runs them. Returns a message naming the wrong field, or undefined.

interface Field { name: string; min: number; max: number; names?: readonly string[] }

const SECOND: Field = { name: 'second', min: 0, max: 59 };
const FIELDS: Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
  { name: 'day of week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];

function value(text: string, f: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.findIndex((n) => text.toLowerCase() === n || text.toLowerCase().startsWith(n) && text.length <= 9);
  if (i === undefined || i < 0) return undefined;
  return f.name === 'month' ? i + 1 : i;
}

function checkField(text: string, f: Field): string | undefined {
  if (text === '') return `the ${f.name} field is empty`;
  for (const part of text.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `"${part}" in the ${f.name} field has two "/"`;
    if (step !== undefined && !/^\d+$/.test(step)) return `the step "${step}" in the ${f.name} field must be a whole number`;
    if (step !== undefined && Number(step) === 0) return `the step in the ${f.name} field must be at least 1`;
    if (range === '*') continue;
    const [a, b, more] = range.split('-');
    if (more !== undefined) return `"${range}" in the ${f.name} field is not a range like 1-5`;
    const lo = value(a, f);
    const hi = b === undefined ? lo : value(b, f);
    if (lo === undefined || hi === undefined) return `"${range}" is not a valid ${f.name} (${f.min}-${f.max}${f.names ? ` or ${f.names[0]}-${f.names[f.names.length - 1]}` : ''})`;
    if (lo < f.min || lo > f.max || hi < f.min || hi > f.max) return `${f.name} ${range} is out of range; it must be ${f.min}-${f.max}`;
    if (lo > hi) return `the range ${range} in the ${f.name} field runs backwards`;
  }
  return undefined;
}

export function cronError(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter((s) => s !== '');
  if (fields.length !== 5 && fields.length !== 6) {
    return `"${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron schedule has 5 (minute hour day month weekday, e.g. "0 2 * * *") or 6 with seconds first`;
  }
  const spec = fields.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (let i = 0; i < fields.length; i++) {
    const err = checkField(fields[i], spec[i]);
    if (err) return `invalid schedule "${expression}": ${err}`;
  }
  return undefined;
}
