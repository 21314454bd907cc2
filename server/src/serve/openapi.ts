// The OpenAPI 3.0 document of a serving API, made from the served models' input schemas, so a
// client generator or a gateway knows each model's request and answer without reading NarML.
import { type Table, getColumn } from '../data/table';
import { formatDate } from '../transforms/table-ops';
import { servedClasses, type InputColumn, type ServedModelData } from './served-model';

type Schema = Record<string, unknown>;

const COLUMN_SCHEMAS: Record<InputColumn['type'], Schema> = {
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  category: { type: 'string' },
  text: { type: 'string' },
  date: { type: 'string', description: 'ISO 8601 date, optionally with a time and an offset' },
};

/** A value the model accepts in a column: the training rows' typical value, else the first level seen in training, else a plain one. */
export function exampleValue(c: InputColumn, typical?: TypicalRow): unknown {
  const t = typical?.[c.name];
  if (t !== undefined && typeof t === TYPICAL_JS_TYPE[c.type]) return t;
  switch (c.type) {
    case 'number': return 0;
    case 'boolean': return false;
    case 'date': return '2024-01-31';
    default: return c.levels?.[0] ?? '';
  }
}

export function exampleRow(input: InputColumn[], typical?: TypicalRow): Record<string, unknown> {
  return Object.fromEntries(input.map((c) => [c.name, exampleValue(c, typical)]));
}

/** Per raw input column, a typical training value as a request gives it: median number or date, most frequent level or boolean. */
export type TypicalRow = Record<string, number | string | boolean>;

const TYPICAL_JS_TYPE: Record<InputColumn['type'], string> = { number: 'number', boolean: 'boolean', date: 'string', category: 'string', text: 'string' };

/** At most 100,000 of `rows`, evenly spaced and ascending: enough rows for a typical row's medians. */
export function typicalSample(rows: Int32Array): Int32Array {
  const max = 100_000;
  if (rows.length <= max) return rows;
  return Int32Array.from({ length: max }, (_, i) => rows[Math.floor((i * rows.length) / max)]);
}

/**
 * The typical row of a model's raw training rows, so an example request (Try it, /models, the
 * OpenAPI document, a bundle's README) scores a realistic row, not zeros a scaled model has never
 * seen. Numbers and dates take the median (the lower middle value), categories, text and booleans
 * the most frequent value (ties: the first); a column every row misses is left out.
 */
export function typicalRow(table: Table, input: readonly { name: string; type: InputColumn['type'] }[]): TypicalRow {
  const row: TypicalRow = {};
  for (const c of input) {
    const col = getColumn(table, c.name);
    if (!col) continue;
    if ('codes' in col) {
      const counts = new Int32Array(col.levels.length);
      for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0) counts[col.codes[i]]++;
      let best = -1;
      for (let k = 0; k < counts.length; k++) if (counts[k] > 0 && (best < 0 || counts[k] > counts[best])) best = k;
      if (best >= 0) row[c.name] = col.levels[best];
      continue;
    }
    const present = col.values.filter((v) => !Number.isNaN(v)).sort();
    if (present.length === 0) continue;
    if (col.type === 'boolean') {
      const trues = present.reduce((t, v) => t + v, 0);
      row[c.name] = trues * 2 > present.length;
      continue;
    }
    const median = present[(present.length - 1) >> 1];
    row[c.name] = col.type === 'date' ? formatDate(median) : median;
  }
  return row;
}

function rowSchema(m: ServedModelData): Schema {
  const properties = Object.fromEntries(m.input.map((c) => {
    const s: Schema = { ...COLUMN_SCHEMAS[c.type] };
    if (c.nullable) s.nullable = true;
    if (c.levels && c.levels.length > 0) s.description = `levels seen in training: ${c.levels.join(', ')} (others are accepted and scored as in narml predict)`;
    return [c.name, s];
  }));
  const required = m.input.filter((c) => !c.nullable).map((c) => c.name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false, example: exampleRow(m.input, m.example) };
}

function answerSchema(m: ServedModelData): Schema {
  const classes = servedClasses(m);
  const prediction: Schema = classes ? { type: 'string', enum: classes, nullable: true } : { type: 'number', nullable: true };
  const row: Schema = { type: 'object', properties: { prediction }, required: ['prediction'] };
  if (classes) {
    row.properties = {
      prediction,
      probabilities: { type: 'object', nullable: true, properties: Object.fromEntries(classes.map((c) => [c, { type: 'number' }])) },
    };
  }
  return {
    type: 'object',
    properties: { model: { type: 'string' }, version: { type: 'string' }, predictions: { type: 'array', items: row } },
    required: ['model', 'version', 'predictions'],
  };
}

const ERROR_SCHEMA: Schema = {
  type: 'object',
  properties: { error: { type: 'string' }, column: { type: 'string' }, expected: { type: 'string' }, row: { type: 'integer' } },
  required: ['error'],
};

const errorAnswer = (description: string): Schema => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** `paths` keys per served name: the model's name, and each alias (`name@version`, `name@stage`). */
export function openApiDocument(models: { path: string; data: ServedModelData }[], title: string): Schema {
  const schemas: Record<string, Schema> = { Error: ERROR_SCHEMA };
  const paths: Record<string, Schema> = {
    '/health': { get: { summary: 'Whether the server is up', responses: { 200: { description: 'up', content: { 'application/json': { schema: { type: 'object', properties: { status: { type: 'string' }, models: { type: 'integer' } } } } } } } } },
    '/models': { get: { summary: 'The served models: names, versions, stages, input schemas', responses: { 200: { description: 'the models', content: { 'application/json': { schema: { type: 'object' } } } } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.0', content: { 'application/json': { schema: { type: 'object' } } } } } } },
  };
  for (const { path, data: m } of models) {
    const id = `${m.name}_${m.version}`.replace(/[^A-Za-z0-9_]/g, '_');
    schemas[`${id}_row`] = rowSchema(m);
    schemas[`${id}_answer`] = answerSchema(m);
    const row = { $ref: `#/components/schemas/${id}_row` };
    paths[path] = {
      post: {
        summary: `Predict ${m.target} with ${m.name} (${m.task}, version ${m.version}${m.stage ? `, ${m.stage}` : ''})`,
        operationId: `predict_${path.slice('/predict/'.length).replace(/[^A-Za-z0-9_]/g, '_')}`,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { oneOf: [{ type: 'object', properties: { rows: { type: 'array', items: row, minItems: 1 } }, required: ['rows'] }, row, { type: 'array', items: row, minItems: 1 }] } } },
        },
        responses: {
          200: { description: 'one prediction per row, in order', content: { 'application/json': { schema: { $ref: `#/components/schemas/${id}_answer` } } } },
          400: errorAnswer('a row does not fit the model\'s input schema (the error names the row, column and type)'),
          413: errorAnswer('the body is larger than the server accepts'),
        },
      },
    };
  }
  return { openapi: '3.0.3', info: { title, version: '1' }, paths, components: { schemas } };
}
