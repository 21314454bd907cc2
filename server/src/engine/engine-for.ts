// The engine a run uses: the one the pipeline's `engine:` statement names (memory without one).
import type { CheckedPipeline } from '../checker/checked-model';
import { ClickHouseEngine } from './clickhouse-engine';
import type { Engine, EngineContext } from './engine';
import { MemoryEngine } from './memory-engine';

export function engineFor(checked: CheckedPipeline, context: EngineContext = {}): Engine {
  return checked.engine.kind === 'clickhouse' ? new ClickHouseEngine(checked.engine.url, context) : new MemoryEngine(context);
}
