// `narml serve FILE [NAME|NAME@REF...]`: answers predictions over HTTP from the model versions
// the run store's registry holds (serve/), loaded once before listening; each is audited. Runs until SIGINT or SIGTERM, then stops
// accepting, lets requests in progress finish and exits 0.
import { resolve } from 'node:path';
import { DEFAULT_ENGINE_FLAG, DEFAULT_SERVE_PORT } from '../contracts/cli-json';
import { DEFAULT_ENGINE_USAGE, engineOption } from './engine-flag';
import { parseArgs, UsageError, type CliCommand } from './command';
import { WORKSPACE_OPTIONS, WORKSPACE_USAGE, workspaceOption } from './workspace-flags';

async function serve(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['port', 'host', DEFAULT_ENGINE_FLAG, ...WORKSPACE_OPTIONS.valued], ['json', ...WORKSPACE_OPTIONS.switches]);
  const { defaultEngine } = engineOption(flags);
  const [file, ...names] = positional;
  if (!file) throw new UsageError('name a .narml file whose models were trained (narml run FILE)');
  const hostFlag = flags.get('host');
  const host = typeof hostFlag === 'string' ? hostFlag : '127.0.0.1';
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const { loadChecked, servedModelsFromStore, NothingToServeError, startServing, ServeError, StoredSchemaCache, RunStore, parsePort, listeningText, untilSignalled, appendAudit, storeDir } = await import('./commands-impl');
  let port: number;
  try {
    port = parsePort(flags.get('port'), DEFAULT_SERVE_PORT);
  } catch (e) {
    throw e instanceof ServeError ? new UsageError(e.message) : e;
  }
  // Schemas from the store, as `narml predict` checks: training files unchanged since the run are not read.
  const workspace = workspaceOption(file, flags);
  const checked = await loadChecked(file, { workspace, schemas: new StoredSchemaCache(RunStore.lookup(resolve(file), workspace)), needsSource: () => false, ...(defaultEngine ? { defaultEngine } : {}) });
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
  for (const m of loaded.models) {
    try {
      appendAudit(storeDir(checked.file), { action: 'serve', outcome: 'ok', file: checked.file, model: m.data.name, version: m.data.version, ...(m.data.stage ? { stage: m.data.stage } : {}), target: `${serving.url}/predict/${m.refs[0]}` }, workspace);
    } catch (e) {
      log(`warning: the audit log could not record serving ${m.data.name} ${m.data.version}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // The signals are caught before the line that says where we listen: a caller may stop us as soon as it reads it.
  const stopped = untilSignalled(serving, log);
  process.stdout.write(listeningText(serving, loaded.models, checked.file, flags.has('json')));
  await stopped;
  return 0;
}

export const serveCommands: Record<string, CliCommand> = {
  serve: {
    usage: `serve FILE [NAME|NAME@REF...] [--port N] [--host H] [--json] ${DEFAULT_ENGINE_USAGE} ${WORKSPACE_USAGE}`,
    summary: `answer predictions over HTTP from the stored models (default 127.0.0.1:${DEFAULT_SERVE_PORT}; --port 0: any free port)`,
    run: serve,
  },
};
