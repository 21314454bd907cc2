// The prediction CSV writer: every number reads back as the same float64 (random bit patterns
// across the whole range, integers, -0, subnormals, the edges of plain notation) and prints as
// `String` does; NaN is an empty field; text and category values are quoted as CSV requires;
// `predictionCsv` writes whole rows byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../server/src/checker/checked-model';
import { CsvByteWriter, csvField, encodedFields } from '../../server/src/data/csv-writer';
import { readCsvText } from '../../server/src/data/read-csv';
import { DEFAULT_CSV_OPTIONS } from '../../server/src/data/csv-options';
import type { Table } from '../../server/src/data/table';
import { createRng } from '../../server/src/ml/random';
import { predictionCsv } from '../../server/src/runner/predict';
import type { TrainedModel } from '../../server/src/runner/scoring';
import { cellText } from '../../server/src/transforms/table-ops';
import { withThreads } from '../helpers/threads';

function formatted(v: number): string {
  return formattedAll([v])[0];
}

/** Each value written as a CSV row of its own, then the rows' text. */
function formattedAll(values: number[]): string[] {
  const w = new CsvByteWriter();
  for (const v of values) { w.number(v); w.newline(); }
  return Buffer.concat(w.finish()).toString('latin1').split('\n').slice(0, -1);
}

function assertRoundTrips(values: number[]): void {
  const texts = formattedAll(values);
  values.forEach((v, i) => {
    const text = texts[i];
    // Messages are built only on a failure: a million template strings would cost more than the check.
    if (!Object.is(Number(text), v)) assert.fail(`${v} printed as "${text}" reads back as ${Number(text)}`);
    if (text !== (Object.is(v, -0) ? '-0' : String(v))) assert.equal(text, String(v), `${v} prints as String does`);
  });
}

test('random float64 bit patterns of every exponent print as String and read back exactly', () => {
  const rng = createRng(11);
  const bits = new DataView(new ArrayBuffer(8));
  const values: number[] = [];
  for (let i = 0; i < 100_000; i++) {
    bits.setUint32(0, Math.floor(rng.next() * 2 ** 32));
    bits.setUint32(4, Math.floor(rng.next() * 2 ** 32));
    const v = bits.getFloat64(0);
    if (!Number.isNaN(v)) values.push(v);
  }
  assert.ok(values.length > 99_000);
  assertRoundTrips(values);
});

test('numbers as data hold them: few decimals, integers, probabilities, near powers of ten', () => {
  const rng = createRng(12);
  const values: number[] = [];
  for (let i = 0; i < 40_000; i++) {
    const scale = 10 ** (rng.int(30) - 12);
    values.push(Math.round((rng.next() * 2 - 1) * 1e6) / 1e6 * scale);
    values.push(rng.next());
    values.push(1 / (1 + Math.exp(-(rng.next() * 20 - 10))));
    values.push(rng.int(2 ** 31) - 2 ** 30);
    values.push((rng.int(2 ** 26) * 2 ** 27 + rng.int(2 ** 27)) * (rng.next() < 0.5 ? -1 : 1));
  }
  for (let e = -330; e <= 310; e++) {
    const p = Number(`1e${e}`);
    values.push(p, -p, p * (1 + Number.EPSILON), p * (1 - Number.EPSILON / 2), 9.999999999999999 * p, 0.1 * 3 * p);
  }
  values.push(0, -0, 1, -1, 0.1, 0.3, 1e-6, 9.99e-7, 0.000001234, 123456789012345, 999999999999999, 1e15, 1e21, 1e-7, 5e-324, -5e-324, Number.MIN_VALUE, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, 2 ** 53 + 2);
  assertRoundTrips(values);
});

test('decimals of zero to six places at every magnitude below 10^15 print as String (the four-place fast path and its edges)', () => {
  const rng = createRng(13);
  const values: number[] = [];
  for (let i = 0; i < 300_000; i++) {
    const places = rng.int(7);
    const digits = 1 + rng.int(15);
    const m = Math.floor(rng.next() * 10 ** digits);
    values.push((rng.next() < 0.5 ? -m : m) / 10 ** places);
  }
  // Around the int32 limit of m = a·10^4, and where a·10^4 reaches 10^15.
  for (const edge of [0x7fffffff, 1e15, 1e11 * 1e4]) {
    for (let k = -20; k <= 20; k++) values.push((edge + k) / 1e4, (edge + k) / 1e3, -(edge + k) / 1e4);
  }
  values.push(0.0001, 0.00005, 0.00015, 1e-5, 0.1, 0.01, 0.001, 1.0001, 99999999999.9999, 1e11, 100000000000.0001);
  assertRoundTrips(values);
});

test('a million doubles of 16 and 17 significant digits print as String and read back exactly', () => {
  // The digit-by-digit path for long decimals (probabilities, computed values) against String:
  // random doubles across plain notation, sigmoid outputs, decimals of 16 and 17 random digits
  // (whose shortest form is often 16 digits, sometimes with two 16-digit candidates), binary
  // fractions (exact ties between decimals), and neighbours of powers of ten and of two.
  const rng = createRng(13);
  const values: number[] = [];
  const eight = (): string => String(rng.int(1e8)).padStart(8, '0');
  for (let i = 0; i < 170_000; i++) {
    values.push(rng.next());
    values.push(1 / (1 + Math.exp(-(rng.next() * 40 - 20))));
    values.push(10 ** (rng.next() * 21 - 6) * (rng.next() < 0.5 ? -1 : 1));
    values.push(Number(`${rng.int(10)}.${eight()}${eight().slice(1)}e${rng.int(21) - 6}`));
    values.push(Number(`0.${eight()}${eight()}${rng.int(10)}`));
    values.push(rng.int(2 ** 20) / 2 ** (rng.int(40) + 1));
  }
  for (let e = -6; e <= 15; e++) {
    for (const base of [Number(`1e${e}`), 2 ** Math.round(e * 3.32)]) {
      let below = base;
      let above = base;
      for (let k = 0; k < 200; k++) {
        values.push(below, above);
        below -= below * Number.EPSILON / 2;
        above += above * Number.EPSILON;
      }
    }
  }
  assert.ok(values.length > 1_000_000);
  assertRoundTrips(values);
});

test('NaN is an empty field', () => {
  assert.equal(formatted(NaN), '');
});

test('text needing quotes is quoted with quotes doubled; other text is left as is', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('cr\rhere'), '"cr\rhere"');
});

test('a chunk boundary never splits or drops bytes (outputs larger than one chunk)', () => {
  const w = new CsvByteWriter();
  const expected: string[] = [];
  const long = 'x'.repeat(3_000_000);
  for (let i = 0; i < 300_000; i++) {
    w.number(i + 0.25);
    w.text(',ab');
    w.newline();
    expected.push(`${i + 0.25},ab\n`);
    if (i === 1000) { w.text(long); expected.push(long); }
    if (i === 2000) { w.text('héllo, wörld ✓'); expected.push('héllo, wörld ✓'); }
    if (i === 3000) { w.rows([{ rowFields: encodedFields([long, 'b'], false) }, { numbers: Float64Array.of(0.5, 7) }], 0, 2); expected.push(`${long},0.5\nb,7\n`); }
  }
  assert.equal(Buffer.concat(w.finish()).toString(), expected.join(''));
});

test('predictionCsv writes input columns, prediction and probabilities, and reads back to the same values', () => {
  const input: Table = {
    names: ['id', 'x', 'note'],
    rowCount: 4,
    columns: [
      { type: 'category', codes: Int32Array.from([0, 1, -1, 2]), levels: ['a,1', 'b"2', 'c'] },
      { type: 'number', values: Float64Array.from([-0, 0.1 + 0.2, NaN, 1e-7]) },
      { type: 'text', codes: Int32Array.from([0, 1, 1, -1]), levels: ['line\nbreak', 'héllo'] },
    ],
  };
  const tm = { info: { kind: 'model', name: 'm', classes: ['no', 'yes, sure'] } as ModelInfo, steps: [], trainRows: 0, options: {} } as TrainedModel;
  const pred = Float64Array.from([1, 0, NaN, 1]);
  const proba = Float64Array.from([0.25, 0.75, 2 / 3, 1 / 3, NaN, NaN, 1e-300, 1 - 1e-300]);
  const text = Buffer.concat(predictionCsv(input, tm, pred, proba, Uint8Array.from([1, 1, 0, 1]))).toString('utf8');
  assert.equal(text, [
    'id,x,note,prediction,probability_no,"probability_yes, sure"',
    '"a,1",-0,"line\nbreak","yes, sure",0.25,0.75',
    `"b""2",${0.1 + 0.2},héllo,no,${2 / 3},${1 / 3}`,
    ',,héllo,,,',
    'c,1e-7,,"yes, sure",1e-300,1',
    '',
  ].join('\n'));
  const back = readCsvText(text, DEFAULT_CSV_OPTIONS);
  const x = back.columns[back.names.indexOf('x')];
  assert.ok('values' in x);
  assert.ok(Object.is(x.values[0], -0), '-0 reads back as -0');
  assert.equal(x.values[1], 0.1 + 0.2);
  assert.ok(Number.isNaN(x.values[2]));
  assert.equal(x.values[3], 1e-7);
});

test('a prediction file of many rows is the same bytes on 1, 2 and 3 threads, and each row is its cells as String and csvField print them', () => {
  // Enough rows that the rows are written on worker threads, and a count no thread count divides.
  const n = 70_001;
  const rng = createRng(21);
  const ids = Array.from({ length: n }, (_, i) => (i % 1000 === 7 ? `id "${i}", ünïcode` : `c${i}`));
  const input: Table = {
    names: ['id', 'x', 'kind', 'when', 'flag'],
    rowCount: n,
    columns: [
      { type: 'text', codes: Int32Array.from({ length: n }, (_, i) => (i % 997 === 3 ? -1 : i)), levels: ids },
      { type: 'number', values: Float64Array.from({ length: n }, (_, i) => (i % 101 === 5 ? NaN : i % 3 === 0 ? Number((rng.next() * 200 - 100).toFixed(3)) : rng.next() * 1e4 - 5e3)) },
      { type: 'category', codes: Int32Array.from({ length: n }, (_, i) => (i % 89 === 1 ? -1 : i % 3)), levels: ['a', 'b,c', 'd"e'] },
      { type: 'date', values: Float64Array.from({ length: n }, (_, i) => (i % 53 === 0 ? NaN : 19000 + (i % 400) + (i % 7 === 0 ? 0.5 : 0))) },
      { type: 'boolean', values: Float64Array.from({ length: n }, (_, i) => (i % 61 === 0 ? NaN : i % 2)) },
    ],
  };
  const classes = ['no', 'yes, sure', 'maybe'];
  const tm = { info: { kind: 'model', name: 'm', classes } as ModelInfo, steps: [], trainRows: 0, options: {} } as TrainedModel;
  const usable = Uint8Array.from({ length: n }, (_, i) => (i % 211 === 9 ? 0 : 1));
  const proba = new Float64Array(n * 3);
  const pred = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.next();
    const b = rng.next() * (1 - a);
    proba.set([a, b, 1 - a - b], i * 3);
    pred[i] = usable[i] ? (a > 0.5 ? 0 : b > 1 - a - b ? 1 : 2) : NaN;
  }
  const expected = [`id,x,kind,when,flag,prediction,probability_no,"probability_yes, sure",probability_maybe`];
  for (let i = 0; i < n; i++) {
    const cells = input.columns.map((c) => {
      const t = cellText(c, i);
      return t === undefined ? '' : csvField(t);
    });
    if (usable[i]) cells.push(csvField(classes[pred[i]]), ...[0, 1, 2].map((c) => String(proba[i * 3 + c])));
    else cells.push('', '', '', '');
    expected.push(cells.join(','));
  }
  const bytes = (threads: number): Buffer => withThreads(threads, () => Buffer.concat(predictionCsv(input, tm, pred, proba, usable)));
  const one = bytes(1);
  assert.equal(one.toString('utf8'), `${expected.join('\n')}\n`);
  for (const threads of [2, 3]) assert.ok(bytes(threads).equals(one), `${threads} threads write the same bytes`);
});
