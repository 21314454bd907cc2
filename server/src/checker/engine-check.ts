// The `engine:` statement: which engine holds the datasets (memory, the default, embedded DuckDB,
// or a ClickHouse cluster), judged once per check before the declarations, since a `from table` dataset reads it.
import type { Declaration, EngineDeclaration, Expr } from '../language/ast';
import type { DefaultEngineName } from '../contracts/cli-json';
import { urlProblem } from '../engine/clickhouse-http';
import type { CheckContext } from './check-context';
import { describeValue } from './options';

export type EngineSpec = { kind: 'memory' } | { kind: 'duckdb' } | { kind: 'clickhouse'; url: string; cluster?: string };

export const ENGINE_NAMES = ['memory', 'duckdb', 'clickhouse'] as const;
const EXAMPLE = 'engine: clickhouse("http://127.0.0.1:8123", cluster: "two_shards")';

/** The file's engine (`fallback` without a statement); reports NML170 for a second statement or a bad value. */
export function checkEngine(declarations: readonly Declaration[], ctx: CheckContext, fallback: DefaultEngineName = 'memory'): EngineSpec {
  const statements = declarations.filter((d): d is EngineDeclaration => d.kind === 'engine');
  for (const extra of statements.slice(1)) {
    ctx.report('NML170', extra.keyword, 'a pipeline has one engine; delete this second engine statement', undefined, [{ range: statements[0].range, message: 'the first engine statement' }]);
  }
  const first = statements[0];
  if (!first?.value) return { kind: fallback };
  return engineOf(first.value, ctx) ?? { kind: fallback };
}

function engineOf(v: Expr, ctx: CheckContext): EngineSpec | undefined {
  const name = v.kind === 'Name' ? v.name.text : v.kind === 'Call' ? v.callee.name : undefined;
  if (name === 'memory' && v.kind === 'Name') return { kind: 'memory' };
  if (name === 'duckdb' && v.kind === 'Name') return { kind: 'duckdb' };
  if (name !== 'clickhouse') {
    const s = name ? ctx.suggest(name, ENGINE_NAMES, 'engine') : { text: '' };
    ctx.report('NML170', v.range, `unknown engine ${name ? `"${name}"` : describeValue(v)}${s.text || `; the engines are memory, duckdb and clickhouse("http://host:8123"), e.g. ${EXAMPLE}`}`, 'fixes' in s ? s.fixes : undefined);
    return undefined;
  }
  if (v.kind !== 'Call') {
    ctx.report('NML170', v.range, `clickhouse needs the server's HTTP URL, e.g. ${EXAMPLE}`);
    return undefined;
  }
  let url: string | undefined;
  let cluster: string | undefined;
  let ok = true;
  for (const [i, a] of v.args.entries()) {
    const key = a.name?.name ?? (i === 0 ? 'url' : undefined);
    const value = a.value;
    if (key === 'url' && value?.kind === 'String') {
      const problem = urlProblem(value.value);
      if (problem) { ctx.report('NML170', value.range, problem); ok = false; } else url = value.value;
    } else if (key === 'cluster' && value?.kind === 'String' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.value)) {
      cluster = value.value;
    } else if (key === 'url' || key === 'cluster') {
      ctx.report('NML170', (value ?? a).range, key === 'url' ? `the URL must be a string, e.g. ${EXAMPLE}` : 'cluster must be the name of a cluster of the server\'s remote_servers in quotes, e.g. cluster: "two_shards"');
      ok = false;
    } else {
      ctx.report('NML170', (a.name ?? a).range, `clickhouse takes the URL and cluster: "name", e.g. ${EXAMPLE}; credentials come from NARML_CLICKHOUSE_USER and NARML_CLICKHOUSE_PASSWORD`);
      ok = false;
    }
  }
  if (!url) {
    if (ok) ctx.report('NML170', v.range, `clickhouse needs the server's HTTP URL first, e.g. ${EXAMPLE}`);
    return undefined;
  }
  return { kind: 'clickhouse', url, ...(cluster ? { cluster } : {}) };
}
