// dataset declarations: CSV options from the body, the file's schema from the schema source
// (NML104 when it cannot be read), `columns { }` overrides.
import type { DatasetDeclaration, Range } from '../language/ast';
import { COLUMN_TYPES, type ColumnType } from '../language/schema';
import { DEFAULT_CSV_OPTIONS, DEFAULT_MISSING, type CsvOptions } from '../data/csv-options';
import { isParquet } from '../engine/duckdb-dialect';
import type { DatasetInfo } from './checked-model';
import { reportCsvNotes } from './data-notes';
import { checkPropertyKeys, describeValue } from './options';
import type { Resolver } from './resolver';
import type { TableState } from './table-state';
import { PROPERTY_KEYS } from './property-keys';

export const DECIMAL_MARKS = ['.', ','];
export const THOUSANDS_SEPARATORS = [',', '.', ' ', "'", '_'];

/** The Parquet (DuckDB) type a column of each NarML type is written as. */
const PARQUET_TYPE: Record<ColumnType, string> = { number: 'DOUBLE', boolean: 'BOOLEAN', date: 'DATE', text: 'VARCHAR', category: 'VARCHAR' };

export function checkDataset(decl: DatasetDeclaration, r: Resolver): { info: DatasetInfo; state?: TableState } | undefined {
  const name = decl.name?.name;
  if (!name || !decl.source) return undefined;
  if (decl.table) return checkTableDataset(decl, name, decl.table, r);
  const ctx = r.ctx;
  const parquet = isParquet(decl.source.value);
  if (parquet) {
    // A Parquet file carries its own column names, types and missing values: no CSV option applies.
    for (const p of decl.properties) {
      if (p.key.name === 'columns') continue;
      ctx.report('NML116', p.key.range, `dataset "${name}" reads a Parquet file: its columns, types and missing values come from the file's schema, so it takes no ${p.key.name} (only columns { } to hold strings as category or text); write the file with the types and nulls you need`);
    }
  }
  const props = checkPropertyKeys(parquet ? decl.properties.filter((p) => p.key.name === 'columns') : decl.properties, PROPERTY_KEYS.dataset, `dataset "${name}"`, ctx);
  const options: CsvOptions = { delimiter: ',', header: true, encoding: 'utf8', missing: DEFAULT_MISSING, columnTypes: {} };
  const missing = props.get('missing')?.value;
  if (missing) {
    const items = missing.kind === 'List' ? missing.items : [missing];
    if (items.every((i) => i.kind === 'String')) options.missing = items.map((i) => (i as { value: string }).value);
    else ctx.report('NML116', missing.range, 'missing must be a list of strings, e.g. missing: ["", "NA", "?"]');
  }
  const delimiter = props.get('delimiter')?.value;
  if (delimiter) {
    if (delimiter.kind === 'String' && delimiter.value.length === 1) options.delimiter = delimiter.value;
    else ctx.report('NML116', delimiter.range, `delimiter must be one character in quotes, e.g. delimiter: ";" (not ${describeValue(delimiter)})`);
  }
  const header = props.get('header')?.value;
  if (header) {
    if (header.kind === 'Boolean') options.header = header.value;
    else ctx.report('NML116', header.range, 'header must be true or false');
  }
  const encoding = props.get('encoding')?.value;
  if (encoding) {
    const v = encoding.kind === 'String' || encoding.kind === 'Name' ? (encoding.kind === 'String' ? encoding.value : encoding.name.text).toLowerCase() : '';
    if (v === 'latin1' || v === 'latin-1' || v === 'iso-8859-1') options.encoding = 'latin1';
    else if (v === 'utf8' || v === 'utf-8') options.encoding = 'utf8';
    else ctx.report('NML116', encoding.range, 'encoding must be "utf8" or "latin1"');
  }
  const decimal = props.get('decimal')?.value;
  const thousands = props.get('thousands')?.value;
  if (decimal || thousands) {
    const format = { decimal: '.', thousands: '' };
    if (decimal) {
      if (decimal.kind === 'String' && DECIMAL_MARKS.includes(decimal.value)) format.decimal = decimal.value;
      else ctx.report('NML116', decimal.range, `decimal must be "." or "," (the mark between whole and fraction, as in 1234,5), not ${describeValue(decimal)}`);
    }
    if (thousands) {
      if (thousands.kind === 'String' && THOUSANDS_SEPARATORS.includes(thousands.value)) format.thousands = thousands.value;
      else ctx.report('NML116', thousands.range, `thousands must be one of ${THOUSANDS_SEPARATORS.map((c) => `"${c}"`).join(', ')} (the separator in 1,234,567), not ${describeValue(thousands)}`);
    }
    if (format.decimal === format.thousands) {
      ctx.report('NML116', (thousands ?? decimal)!.range, `decimal and thousands are both "${format.decimal}"; numbers such as 1.234,5 use decimal: "," with thousands: "."`);
    } else {
      options.numberFormat = format;
    }
  }
  const columnTypes: Record<string, { type: ColumnType; nullable?: boolean }> = {};
  const columnsProp = props.get('columns');
  const overrideRanges = new Map<string, import('../language/ast').Range>();
  if (columnsProp) {
    if (!columnsProp.block) ctx.report('NML116', columnsProp.key.range, 'columns takes a block: columns { age: number, plan: category }');
    for (const p of columnsProp.block ?? []) {
      const v = p.value;
      const inner = v?.kind === 'Nullable' ? v.inner : v;
      const typeName = inner?.kind === 'Name' ? inner.name.text : undefined;
      if (!typeName || !(COLUMN_TYPES as readonly string[]).includes(typeName)) {
        const s = typeName ? ctx.suggest(typeName, COLUMN_TYPES, 'type') : { text: '' };
        ctx.report('NML116', v?.range ?? p.key.range, `the type of column "${p.key.name}" must be one of ${COLUMN_TYPES.join(', ')} (add "?" when it may be missing)${s.text}`, 'fixes' in s ? s.fixes : undefined);
        continue;
      }
      columnTypes[p.key.name] = { type: typeName as ColumnType, ...(v?.kind === 'Nullable' ? { nullable: true } : {}) };
      overrideRanges.set(p.key.name, p.key.range);
    }
  }
  options.columnTypes = columnTypes;
  const path = r.inputPath(decl.source.value);
  const info: DatasetInfo = { kind: 'dataset', name, path, options, schemaComplete: false };
  if (decl.source.value.trim() === '') {
    ctx.report('NML104', decl.source.range, `dataset "${name}" needs a file path, e.g. "data/${name}.csv"`);
    return { info };
  }
  const result = r.source.schema(path, options);
  if (!result.ok) {
    if (!result.pending) ctx.report('NML104', decl.source.range, `dataset "${name}": ${result.error}`);
    return { info };
  }
  const schema = result.schema;
  if (result.complete && schema.rowCount === 0) {
    ctx.report('NML127', decl.source.range, `dataset "${name}": ${result.files.length === 1 ? 'the file has' : `the ${result.files.length} files have`} a header but no rows; a dataset needs rows to train or score on, so add rows to the file`);
  }
  for (const [col, range] of overrideRanges) {
    if (!schema.columns.some((c) => c.name === col)) {
      const s = ctx.suggest(col, schema.columns.map((c) => c.name), 'column');
      ctx.report('NML101', range, `the file has no column "${col}"${s.text || `; its columns are ${schema.columns.map((c) => c.name).join(', ')}`}`, s.fixes);
    } else {
      ctx.columnReferences.push({ column: col, origin: name, range, isDefinition: true });
      const held = schema.columns.find((c) => c.name === col)!.type;
      const wanted = columnTypes[col].type;
      if (parquet && held !== wanted) {
        ctx.report('NML116', range, `column "${col}" of the Parquet file holds ${held === 'text' || held === 'category' ? 'strings' : `${held}s`}, and a Parquet file's numbers, dates and booleans are its own: columns { } can only hold its strings as category or text, or add ? for missing values; write the column as ${PARQUET_TYPE[wanted]} in the file (DuckDB: COPY (SELECT CAST(${col} AS ${PARQUET_TYPE[wanted]}) AS ${col}, …) TO 'file.parquet')`);
      }
    }
  }
  reportCsvNotes(result.notes, { what: `dataset "${name}"`, dataset: name, dir: r.dir, complete: result.complete, sourceRange: decl.source.range, overrideRanges, missing: props.has('missing') ? props.get('missing')!.value : null }, ctx);
  info.schema = schema;
  info.schemaComplete = result.complete;
  const sources = new Map(schema.columns.map((c) => [c.name, [c.name]]));
  return { info, state: { schema, sources, origin: name, openPrefixes: [], sampledLevels: !result.complete } };
}

/**
 * `dataset events from table "db.events"`: a table of the pipeline's ClickHouse engine, typed
 * from its system.columns (NML171 when the engine is not ClickHouse, or the server, the
 * credentials or the table fail). While the language server is still asking, the dataset has
 * no schema yet and nothing below it is judged.
 */
function checkTableDataset(decl: DatasetDeclaration, name: string, tableWord: Range, r: Resolver): { info: DatasetInfo; state?: TableState } | undefined {
  const ctx = r.ctx;
  const source = decl.source!;
  for (const p of decl.properties) {
    ctx.report('NML116', p.key.range, `dataset "${name}" reads a table: its columns and types come from the table's system.columns, so it takes no ${p.key.name}; change a type with a cast step in a transform`);
  }
  const engine = r.engine;
  if (engine.kind !== 'clickhouse') {
    ctx.report('NML171', tableWord, `dataset "${name}" reads table "${source.value}", which needs a ClickHouse engine: add engine: clickhouse("http://host:8123", cluster: "name") at the top of the file, or read a file with from "data/${name}.csv"`);
    return undefined;
  }
  const info: DatasetInfo = {
    kind: 'dataset', name, path: `${engine.url}/${source.value}`, options: DEFAULT_CSV_OPTIONS, schemaComplete: false,
    table: { url: engine.url, name: source.value, ...(engine.cluster ? { cluster: engine.cluster } : {}) },
  };
  const result = r.source.engineTable?.(engine.url, source.value);
  if (!result) return { info };
  if (!result.ok) {
    ctx.report('NML171', source.range, `dataset "${name}": ${result.error}`);
    return { info };
  }
  const schema = result.schema;
  if (schema.rowCount === 0) ctx.report('NML127', source.range, `dataset "${name}": table ${source.value} has no rows; a dataset needs rows to train or score on, so insert rows into it`);
  info.schema = schema;
  info.schemaComplete = true;
  info.table!.columnTypes = result.columnTypes;
  const sources = new Map(schema.columns.map((c) => [c.name, [c.name]]));
  return { info, state: { schema, sources, origin: name, openPrefixes: [], sampledLevels: false } };
}
