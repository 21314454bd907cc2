// Levels the editor learned from a sample of the file may be incomplete: a one-hot column of a
// level the sample lacks is accepted there, and rejected once the whole file was read (the run's
// check), where the levels are complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkPipeline } from '../../server/src/checker/check-pipeline';
import type { CsvSchemaResult, SchemaSource } from '../../server/src/data/csv-options';

function source(complete: boolean): SchemaSource {
  return {
    schema: (pattern): CsvSchemaResult => ({
      ok: true, files: [pattern], complete, notes: [],
      schema: {
        rowCount: 100,
        columns: [
          { name: 'region', type: 'category', nullable: false, levels: ['north', 'south'] },
          { name: 'basket', type: 'number', nullable: false },
          { name: 'churned', type: 'boolean', nullable: false, levels: ['false', 'true'] },
        ],
      },
    }),
  };
}

const text = `dataset shop from "shop.csv"
transform prep from shop { encode region as onehot }
model m from prep {
  target: churned
  features: [basket, region_north, region_island]
  algorithm: logistic_regression
}`;

test('a one-hot column of a level the sample lacks is accepted while the levels come from a sample', () => {
  const found = checkPipeline(text, join(__dirname, 'shop.narml'), source(false)).diagnostics;
  assert.deepEqual(found.map((d) => `${d.code} ${d.message}`), []);
});

test('with the whole file read, a level the data lacks is an unknown column', () => {
  const found = checkPipeline(text, join(__dirname, 'shop.narml'), source(true)).diagnostics;
  assert.deepEqual(found.map((d) => d.code), ['NML101']);
  assert.match(found[0].message, /region_island/);
});
