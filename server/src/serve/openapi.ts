// The OpenAPI 3.0 document of a serving API, made from the served models' input schemas, so a
// client generator or a gateway knows each model's request and answer without reading NarML.
import { servedClasses, type InputColumn, type ServedModelData } from './served-model';

type Schema = Record<string, unknown>;

const COLUMN_SCHEMAS: Record<InputColumn['type'], Schema> = {
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  category: { type: 'string' },
  text: { type: 'string' },
  date: { type: 'string', description: 'ISO 8601 date, optionally with a time and an offset' },
};

/** A value the model accepts in a column: the first level seen in training, else a plain one. */
export function exampleValue(c: InputColumn): unknown {
  switch (c.type) {
    case 'number': return 0;
    case 'boolean': return false;
    case 'date': return '2024-01-31';
    default: return c.levels?.[0] ?? '';
  }
}

export function exampleRow(input: InputColumn[]): Record<string, unknown> {
  return Object.fromEntries(input.map((c) => [c.name, exampleValue(c)]));
}

function rowSchema(m: ServedModelData): Schema {
  const properties = Object.fromEntries(m.input.map((c) => {
    const s: Schema = { ...COLUMN_SCHEMAS[c.type] };
    if (c.nullable) s.nullable = true;
    if (c.levels && c.levels.length > 0) s.description = `levels seen in training: ${c.levels.join(', ')} (others are accepted and scored as in narml predict)`;
    return [c.name, s];
  }));
  const required = m.input.filter((c) => !c.nullable).map((c) => c.name);
  return { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false, example: exampleRow(m.input) };
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
