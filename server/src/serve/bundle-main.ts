// server.js of a scoring bundle (`export M to "dir/"`), built into dist/serve-bundle.js as one
// file with the scoring code inside, so it runs with Node alone: no npm install, no NarML. It
// serves the model.json beside it with the same HTTP layer as `narml serve`.
//   node server.js [--port N] [--host H] [--json]     (PORT and HOST in the environment too)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SERVE_PORT } from '../contracts/cli-json';
import { ServeError, startServing } from './http-server';
import { listeningText, parsePort, untilSignalled } from './serve-process';
import { loadServedModel, SERVED_MODEL_FORMAT, type ServedModelData } from './served-model';

function readModel(path: string): ServedModelData {
  let data: ServedModelData;
  try {
    data = JSON.parse(readFileSync(path, 'utf8')) as ServedModelData;
  } catch (e) {
    throw new ServeError(`cannot read the model ${path}: ${e instanceof Error ? e.message : String(e)}; export the bundle again (export M to "dir/")`);
  }
  if (data?.format !== SERVED_MODEL_FORMAT) throw new ServeError(`${path} is not a NarML served model (format ${SERVED_MODEL_FORMAT}); export the bundle again with this NarML`);
  return data;
}

async function main(): Promise<number> {
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  // The bundle ships no worker scripts: whatever could fan out onto threads stays on this one.
  process.env.NARML_THREADS ??= '1';
  try {
    const { values } = parseArgs({ options: { port: { type: 'string' }, host: { type: 'string' }, json: { type: 'boolean' } } });
    const port = parsePort(values.port ?? process.env.PORT, DEFAULT_SERVE_PORT);
    const host = values.host ?? process.env.HOST ?? '127.0.0.1';
    const model = loadServedModel(readModel(join(__dirname, 'model.json')));
    const serving = await startServing([model], { host, port, title: `NarML model ${model.data.name}`, log });
    // Signals are caught before the listening line, as in narml serve: a caller may stop us as soon as it reads it.
    const stopped = untilSignalled(serving, log);
    process.stdout.write(listeningText(serving, [model], `${model.data.name} (version ${model.data.version})`, values.json === true));
    await stopped;
    return 0;
  } catch (e) {
    if (!(e instanceof ServeError) && !(e instanceof TypeError && 'code' in e)) throw e;
    log(`server.js: ${e.message}`);
    return 2;
  }
}

void main().then((code) => { process.exitCode = code; });
