// DuckDB's SQL for the shared expression and step compilers. Helpers that use an operand twice
// are macros (created once per connection by DUCKDB_MACROS), so nested calls do not repeat text.
import type { SqlDialect } from './sql-expression';

/** data/parse-values.ts's DATE_RE, as RE2 reads it: the same texts are dates in both engines. */
const DATE_PATTERN = String.raw`^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$`;
/** data/parse-values.ts's NUMBER_RE. */
export const NUMBER_PATTERN = String.raw`^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$`;

const str = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export const DUCKDB_MACROS: readonly string[] = [
  'CREATE OR REPLACE TEMP MACRO nml_finite(x) AS CASE WHEN isfinite(x) THEN x END',
  'CREATE OR REPLACE TEMP MACRO nml_div(a, b) AS CASE WHEN b <> 0 THEN nml_finite(a / b) END',
  'CREATE OR REPLACE TEMP MACRO nml_mod(a, b) AS CASE WHEN b <> 0 THEN nml_finite(a - b * floor(a / b)) END',
  'CREATE OR REPLACE TEMP MACRO nml_ln(x) AS CASE WHEN x > 0 THEN ln(x) END',
  'CREATE OR REPLACE TEMP MACRO nml_sqrt(x) AS CASE WHEN x >= 0 THEN sqrt(x) END',
  // JavaScript's round(|x| × 10^d) is floor(y + 0.5) for the y a data value gives.
  'CREATE OR REPLACE TEMP MACRO nml_round(x, d) AS nml_finite(sign(x) * floor(abs(x) * pow(10, d) + 0.5) / pow(10, d))',
  'CREATE OR REPLACE TEMP MACRO nml_least(a, b) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN least(a, b) END',
  'CREATE OR REPLACE TEMP MACRO nml_greatest(a, b) AS CASE WHEN a IS NOT NULL AND b IS NOT NULL THEN greatest(a, b) END',
  // A date as days: JavaScript's new Date(days × 86,400,000) truncates to whole milliseconds.
  'CREATE OR REPLACE TEMP MACRO nml_instant(d) AS epoch_ms(CAST(trunc(d * 86400000) AS BIGINT))',
  `CREATE OR REPLACE TEMP MACRO nml_date(s) AS CASE WHEN regexp_full_match(trim(s), ${str(DATE_PATTERN)}) THEN epoch(TRY_CAST(trim(s) AS TIMESTAMPTZ)) / 86400 END`,
  `CREATE OR REPLACE TEMP MACRO nml_number(s) AS CASE WHEN regexp_full_match(trim(s), ${str(NUMBER_PATTERN)}) THEN (CASE WHEN isfinite(TRY_CAST(trim(s) AS DOUBLE)) AND NOT (abs(TRY_CAST(trim(s) AS DOUBLE)) > 9007199254740991 AND regexp_full_match(trim(s), '^[+-]?[0-9]+$')) THEN TRY_CAST(trim(s) AS DOUBLE) END) END`,
  "CREATE OR REPLACE TEMP MACRO nml_boolean(s) AS CASE lower(trim(s)) WHEN 'true' THEN 1.0 WHEN 'yes' THEN 1.0 WHEN '1' THEN 1.0 WHEN 'false' THEN 0.0 WHEN 'no' THEN 0.0 WHEN '0' THEN 0.0 END",
];

export const DUCKDB: SqlDialect = {
  name: 'duckdb',
  ident: (name) => `"${name.replace(/"/g, '""')}"`,
  string: str,
  number: (v) => (Number.isNaN(v) ? 'CAST(NULL AS DOUBLE)' : `CAST(${String(v)} AS DOUBLE)`),
  fn: {
    finite: (x) => `nml_finite(${x})`,
    div: (a, b) => `nml_div(${a}, ${b})`,
    mod: (a, b) => `nml_mod(${a}, ${b})`,
    ln: (x) => `nml_ln(${x})`,
    sqrt: (x) => `nml_sqrt(${x})`,
    exp: (x) => `nml_finite(exp(${x}))`,
    round: (x, d) => `nml_round(${x}, ${d})`,
    least: (a, b) => `nml_least(${a}, ${b})`,
    greatest: (a, b) => `nml_greatest(${a}, ${b})`,
    datePart: (part, days) => (part === 'weekday' ? `CAST(isodow(nml_instant(${days})) - 1 AS DOUBLE)` : `CAST(${part}(nml_instant(${days})) AS DOUBLE)`),
    dateFromText: (s) => `nml_date(${s})`,
    boolToNumber: (c) => `CAST((${c}) AS DOUBLE)`,
    lower: (x) => `lower(${x})`,
    upper: (x) => `upper(${x})`,
    length: (x) => `CAST(length(${x}) AS DOUBLE)`,
    contains: (a, b) => `contains(${a}, ${b})`,
    hash32: (s) => `CAST(CAST(('0x' || substr(md5(${s}), 1, 8)) AS UBIGINT) AS DOUBLE)`,
  },
};

/** A path (or glob) read and written as Parquet, through DuckDB only. */
export const isParquet = (path: string): boolean => /\.parquet$/i.test(path);
