// `--engine memory|duckdb` of check, run, preview and predict.
import { ENGINE_NAMES, isEngineName, type EngineName } from '../engine/engine';
import { ENGINE_FLAG } from '../contracts/cli-json';
import { UsageError, type ParsedArgs } from './command';

export const ENGINE_USAGE = `[--engine ${ENGINE_NAMES.join('|')}]`;

/** `--engine NAME`, checked against the engines there are. */
export function engineOption(flags: ParsedArgs['flags']): { engine?: EngineName } {
  const name = flags.get(ENGINE_FLAG);
  if (name === undefined) return {};
  if (name === true) throw new UsageError(`--engine needs a name: ${ENGINE_NAMES.join(', ')}`);
  if (!isEngineName(name)) throw new UsageError(`--engine ${name} is not an engine; use one of ${ENGINE_NAMES.join(', ')}`);
  return { engine: name };
}

