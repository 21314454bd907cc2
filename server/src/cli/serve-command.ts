// `narml serve FILE [NAME...]`: answers predictions over HTTP from the models the run store
// holds (serve/), loaded once before listening. Runs until SIGINT or SIGTERM, then stops
// accepting, lets requests in progress finish and exits 0.
import { resolve } from 'node:path';
import { parseArgs, UsageError, type CliCommand } from './command';
import { WORKSPACE_OPTIONS, WORKSPACE_USAGE, workspaceOption } from './workspace-flags';

export const DEFAULT_SERVE_PORT = 8080;

/** A port number from a flag: 0 (any free port) to 65535. */
export function portOption(value: string | true | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || port > 65535) throw new UsageError(`--port must be a whole number from 0 (any free port) to 65535, not ${String(value)}`);
  return port;
}

/** Waits for SIGINT or SIGTERM, then closes `stop`; the listeners are removed afterwards. */
export function untilSignalled(stop: () => Promise<void>, log: (line: string) => void): Promise<void> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      log(`${signal}: finishing the requests in progress, then stopping`);
      void stop().then(done);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

async function serve(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['port', 'host', ...WORKSPACE_OPTIONS.valued], ['json', ...WORKSPACE_OPTIONS.switches]);
  const [file, ...names] = positional;
  if (!file) throw new UsageError('name a .narml file whose models were trained (narml run FILE)');
  const port = portOption(flags.get('port'), DEFAULT_SERVE_PORT);
  const hostFlag = flags.get('host');
  const host = typeof hostFlag === 'string' ? hostFlag : '127.0.0.1';
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const { loadChecked, servedModelsFromStore, NothingToServeError, startServing, ServeError, StoredSchemaCache, RunStore } = await import('./commands-impl');
  // Schemas from the store, as `narml predict` checks: training files unchanged since the run are not read.
  const workspace = workspaceOption(file, flags);
  const checked = await loadChecked(file, { workspace, schemas: new StoredSchemaCache(RunStore.lookup(resolve(file), workspace)), needsSource: () => false });
  if (typeof checked === 'number') return checked;
  let loaded;
  try {
    loaded = servedModelsFromStore(checked, names);
  } catch (e) {
    if (!(e instanceof NothingToServeError)) throw e;
    log(`narml serve: ${e.message}`);
    return 1;
  }
  for (const s of loaded.skipped) log(`not served: ${s}`);
  let serving;
  try {
    serving = await startServing(loaded.models, { host, port, title: `NarML models of ${checked.file}`, log });
  } catch (e) {
    if (!(e instanceof ServeError)) throw e;
    log(`narml serve: ${e.message}`);
    return 2;
  }
  const models = loaded.models.map(({ data: d }) => ({ name: d.name, version: d.version, url: `${serving.url}/predict/${d.name}` }));
  if (flags.has('json')) process.stdout.write(`${JSON.stringify({ url: serving.url, models })}\n`);
  else {
    const lines = [`serving ${checked.file} at ${serving.url} (Ctrl-C stops)`];
    for (const m of models) lines.push(`  POST ${m.url}  (version ${m.version})`);
    lines.push(`  GET ${serving.url}/models, ${serving.url}/health, ${serving.url}/openapi.json`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  await untilSignalled(serving.close, log);
  return 0;
}

export const serveCommands: Record<string, CliCommand> = {
  serve: {
    usage: `serve FILE [NAME...] [--port N] [--host H] [--json] ${WORKSPACE_USAGE}`,
    summary: `answer predictions over HTTP from the stored models (default 127.0.0.1:${DEFAULT_SERVE_PORT}; --port 0: any free port)`,
    run: serve,
  },
};
