// What the chosen engine cannot run (NML154), reported before a run so that a pipeline that
// checks does not fail in the engine: for a SQL engine, steps without a SQL translation, derive
// and filter expressions the SQL compiler refuses, and dataset options its reader lacks. Each
// message names the engine and the alternative (the memory engine runs everything).
import type { Declaration } from '../language/ast';
import type { ColumnType, TableSchema } from '../language/schema';
import { DUCKDB, isParquet } from '../engine/duckdb-dialect';
import type { EngineName } from '../engine/engine';
import { sqlUnsupported } from '../engine/sql-expression';
import { stepUnsupported } from '../engine/sql-steps';
import type { CheckContext } from './check-context';
import type { DeclarationInfo } from './checked-model';

export function checkEngineSupport(engine: EngineName, declarations: readonly Declaration[], infos: readonly (DeclarationInfo | undefined)[], ctx: CheckContext): void {
  // `--engine memory` (or duckdb) over a ClickHouse pipeline: its tables and SQL-scored outputs are the ClickHouse engine's.
  if (engine !== 'clickhouse') {
    infos.forEach((info, i) => {
      const decl = declarations[i];
      const at = decl && 'name' in decl && decl.name ? decl.name.range : decl?.range;
      if (!at) return;
      if (engine === 'memory' && info?.kind === 'dataset' && info.table) ctx.report('NML154', at, `engine memory cannot read the ClickHouse table "${info.table.name}" (dataset "${info.name}"); run it on its engine: drop --engine memory`);
      if (info?.kind === 'predict' && info.outputTable) ctx.report('NML154', at, `engine ${engine} cannot write predictions as the ClickHouse table "${info.outputTable}" (predict "${info.name}"); drop --engine ${engine}, or write a file`);
    });
  }
  if (engine !== 'duckdb') {
    // Only DuckDB reads Parquet (the memory engine's reader is the CSV reader): one engine, one typing of the file.
    infos.forEach((info, i) => {
      const decl = declarations[i];
      const at = decl && 'name' in decl && decl.name ? decl.name.range : decl?.range;
      if (!at) return;
      const path = info?.kind === 'dataset' && !info.table ? info.path : info?.kind === 'predict' && info.source.kind === 'file' ? info.source.path : info?.kind === 'monitor' ? info.actuals?.path : undefined;
      if (path && isParquet(path)) ctx.report('NML154', at, `engine ${engine} cannot read the Parquet file ${path} (${info!.kind === 'monitor' ? 'the actuals of ' : ''}${info!.kind} "${info!.name}"); add engine: duckdb at the top of the file (or run with --engine duckdb), or read a CSV`);
    });
    return;
  }
  const refuse = (range: Parameters<CheckContext['report']>[1], what: string): void =>
    ctx.report('NML154', range, `engine duckdb cannot run ${what}; run with --engine memory (or engine: memory), or change the step`);
  infos.forEach((info, i) => {
    const decl = declarations[i];
    if (!info || !decl) return;
    if (info.kind === 'dataset' && info.table) {
      ctx.report('NML154', decl.kind === 'dataset' && decl.name ? decl.name.range : decl.range, `engine duckdb cannot read the ClickHouse table "${info.table.name}" (dataset "${info.name}"); run it on its engine: drop --engine duckdb`);
    }
    if (info.kind === 'dataset' && info.options.numberFormat) {
      ctx.report('NML154', decl.kind === 'dataset' && decl.name ? decl.name.range : decl.range, `engine duckdb cannot read numbers written with decimal/thousands separators yet (dataset "${info.name}"); run with --engine memory, or write plain numbers (1234.5)`);
    }
    if (info.kind !== 'transform') return;
    info.steps.forEach((step, k) => {
      const why = stepUnsupported(step);
      if (why) { refuse(step.range, `this step: ${why}`); return; }
      if ((step.kind !== 'derive' && step.kind !== 'filter') || !step.expr) return;
      const before: TableSchema | undefined = k === 0 ? info.inputSchema : info.stepSchemas[k - 1];
      if (!before) return;
      const columns = new Map<string, ColumnType>(before.columns.map((c) => [c.name, c.type]));
      const reason = sqlUnsupported(step.expr, columns, DUCKDB);
      if (reason) refuse(step.expr.range, `this expression: ${reason}`);
    });
  });
}
