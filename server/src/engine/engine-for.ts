// The engine a command uses: `--engine` when given, else the one the pipeline's `engine:`
// statement names (memory without one). DuckDB's module is required by its engine on first use
// only, so a memory run never loads its native library.
import type { CheckedPipeline } from '../checker/checked-model';
import { ClickHouseEngine } from './clickhouse-engine';
import { DuckDbEngine } from './duckdb-engine';
import type { Engine, EngineContext, EngineName } from './engine';
import { EngineError } from './engine-error';
import { MemoryEngine } from './memory-engine';

export function engineFor(checked: CheckedPipeline, context: EngineContext = {}, override?: EngineName): Engine {
  const name = override ?? checked.engine.kind;
  if (name === 'duckdb') return new DuckDbEngine(context);
  if (name === 'clickhouse') {
    if (checked.engine.kind !== 'clickhouse') throw new EngineError('--engine clickhouse needs the server: add engine: clickhouse("http://host:8123") to the pipeline');
    return new ClickHouseEngine(checked.engine.url, context);
  }
  return new MemoryEngine(context);
}
