// `--engine memory|duckdb|clickhouse` and `--default-engine memory|duckdb` of check, run, preview and predict.
import { ENGINE_NAMES, isEngineName, type EngineName } from '../engine/engine';
import { DEFAULT_ENGINE_FLAG, DEFAULT_ENGINES, ENGINE_FLAG, type DefaultEngineName } from '../contracts/cli-json';
import { UsageError, type ParsedArgs } from './command';

export const DEFAULT_ENGINE_USAGE = `[--default-engine ${DEFAULT_ENGINES.join('|')}]`;
export const ENGINE_USAGE = `[--engine ${ENGINE_NAMES.join('|')}] ${DEFAULT_ENGINE_USAGE}`;
/** The valued flags `engineOption` reads, for `parseArgs`. */
export const ENGINE_OPTIONS = [ENGINE_FLAG, DEFAULT_ENGINE_FLAG];

export interface EngineOptions {
  /** The engine instead of the pipeline's statement. */
  engine?: EngineName;
  /** The engine when the pipeline has no statement. */
  defaultEngine?: DefaultEngineName;
}

/** `--engine NAME` and `--default-engine NAME`, checked against the engines there are. */
export function engineOption(flags: ParsedArgs['flags']): EngineOptions {
  const out: EngineOptions = {};
  const name = flags.get(ENGINE_FLAG);
  if (name === true) throw new UsageError(`--engine needs a name: ${ENGINE_NAMES.join(', ')}`);
  if (name !== undefined && !isEngineName(name)) throw new UsageError(`--engine ${name} is not an engine; use one of ${ENGINE_NAMES.join(', ')}`);
  if (name !== undefined) out.engine = name;
  const fallback = flags.get(DEFAULT_ENGINE_FLAG);
  if (fallback === undefined) return out;
  const known = DEFAULT_ENGINES.find((e) => e === fallback);
  if (!known) throw new UsageError(`--default-engine takes ${DEFAULT_ENGINES.join(' or ')}, the engine of a pipeline without an engine: statement${fallback === 'clickhouse' ? ' (clickhouse needs the server: write engine: clickhouse("http://host:8123") in the pipeline)' : ''}`);
  out.defaultEngine = known;
  return out;
}
