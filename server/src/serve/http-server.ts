// The serving API over node:http, shared by `narml serve` and a scoring bundle's server.js:
// POST /predict/NAME, GET /health, GET /models, GET /openapi.json. Models are loaded before
// the server listens; a request only parses, checks and scores its rows. Bodies are bounded,
// slow clients time out, and every refusal is JSON saying what was wrong.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServedModelsJson } from '../contracts/cli-json';
import { exampleRow, openApiDocument } from './openapi';
import { RequestError, requestRows, tableFromRows, type RequestProblem } from './request-rows';
import { predictRows, servedClasses, type ServedModel } from './served-model';

export interface ServeOptions {
  host: string;
  /** 0: any free port (the answer says which). */
  port: number;
  /** Largest request body in bytes (default 1 MiB): larger ones are refused with 413. */
  maxBodyBytes?: number;
  /** A request must arrive whole within this time (default 30 s). */
  requestTimeoutMs?: number;
  /** Title of the OpenAPI document. */
  title?: string;
  /** One line per request that failed on the server's side. */
  log?: (line: string) => void;
}

export interface Serving {
  url: string;
  port: number;
  /** Stops accepting, lets requests in progress finish, closes idle keep-alive connections. */
  close(): Promise<void>;
}

/** The server could not start (port in use, no permission, bad host): the message says what to do. */
export class ServeError extends Error {}

export const DEFAULT_MAX_BODY = 1 << 20;

/** The paths a model answers on. */
export function modelPaths(m: ServedModel): string[] {
  return m.refs.map((r) => `/predict/${r}`);
}

/** The GET /models answer. */
export function modelsListing(models: ServedModel[]): ServedModelsJson {
  return {
    models: models.map(({ data: d, refs }) => ({
      name: d.name, version: d.version, ...(d.definition ? { definition: d.definition } : {}), ...(d.stage ? { stage: d.stage } : {}), ...(d.created ? { created: d.created } : {}),
      task: d.task, target: d.target, ...(servedClasses(d) ? { classes: servedClasses(d) } : {}),
      input: d.input, example: exampleRow(d.input, d.example), paths: refs.map((r) => `/predict/${r}`),
    })),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function refuse(res: ServerResponse, status: number, problem: RequestProblem, headers: Record<string, string> = {}): void {
  send(res, status, problem, headers);
}

/** The body as text, or undefined once a 413 was sent. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<string | undefined> {
  return new Promise((done, fail) => {
    const declared = Number(req.headers['content-length']);
    const tooLarge = (): void => {
      refuse(res, 413, { error: `the body is larger than ${limit} bytes; send fewer rows per request` }, { connection: 'close' });
      req.resume();
      done(undefined);
    };
    if (declared > limit) { tooLarge(); return; }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) { over = true; tooLarge(); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!over) done(Buffer.concat(chunks).toString('utf8')); });
    req.on('error', fail);
  });
}

export function startServing(models: ServedModel[], opts: ServeOptions): Promise<Serving> {
  const byPath = new Map<string, ServedModel>();
  for (const m of models) for (const p of modelPaths(m)) byPath.set(p, m);
  const limit = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  // Made once: the document depends only on the models, which never change while serving.
  const openapi = JSON.stringify(openApiDocument(models.flatMap((m) => modelPaths(m).map((path) => ({ path, data: m.data }))), opts.title ?? 'NarML models'));
  const listing = modelsListing(models);

  const predict = async (m: ServedModel, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const text = await readBody(req, res, limit);
    if (text === undefined) return;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      refuse(res, 400, { error: `the body is not JSON (${e instanceof Error ? e.message : String(e)}); send {"rows": [{"column": value, ...}]}` });
      return;
    }
    try {
      const table = tableFromRows(requestRows(body), m.data.input);
      send(res, 200, { model: m.data.name, version: m.data.version, predictions: predictRows(m, table) });
    } catch (e) {
      if (e instanceof RequestError) { refuse(res, 400, e.problem); return; }
      throw e;
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const model = byPath.get(path);
    const allowed = model ? 'POST' : path === '/health' || path === '/models' || path === '/openapi.json' ? 'GET' : undefined;
    if (!allowed) {
      const known = [...byPath.keys()].filter((p) => !p.includes('@'));
      const what = path.startsWith('/predict/') ? `no model "${path.slice('/predict/'.length)}" is served; served: ${known.map((p) => p.slice('/predict/'.length)).join(', ') || 'none'}` : `no such path ${path}`;
      refuse(res, 404, { error: `${what} (GET /models lists them; POST /predict/NAME scores rows)` });
      return;
    }
    if (req.method !== allowed && !(allowed === 'GET' && req.method === 'HEAD')) {
      req.resume();
      refuse(res, 405, { error: `${path} takes ${allowed}, not ${req.method ?? '?'}` }, { allow: allowed });
      return;
    }
    if (model) { await predict(model, req, res); return; }
    if (path === '/health') send(res, 200, { status: 'ok', models: models.length });
    else if (path === '/models') send(res, 200, listing);
    else {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(openapi) });
      res.end(openapi);
    }
  };

  // While stopping, every answer closes its connection: a keep-alive client cannot hold the
  // server open (or keep being served) after the requests in progress are answered.
  let closing = false;
  const inFlight = new Set<ServerResponse>();
  // Loaded here, not at the top: the commands' bundle holds this module, and every other command's
  // start would load the HTTP server for nothing.
  const { createServer } = require('node:http') as typeof import('node:http');
  const server: Server = createServer((req, res) => {
    if (closing) res.setHeader('connection', 'close');
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
    handle(req, res).catch((e: unknown) => {
      const message = e instanceof URIError ? 'the path is not valid percent-encoding' : `internal error: ${e instanceof Error ? e.message : String(e)}`;
      if (!(e instanceof URIError)) opts.log?.(`${req.method ?? '?'} ${req.url ?? ''}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      if (!res.headersSent) refuse(res, e instanceof URIError ? 400 : 500, { error: message });
      else res.destroy();
    });
  });
  server.requestTimeout = opts.requestTimeoutMs ?? 30_000;
  server.headersTimeout = Math.min(server.requestTimeout, 10_000);
  // Longer than clients' own idle limits: with Node's 5 s, a client that paused about that long
  // sent its next request on a socket the server was closing ("other side closed", seen in CI
  // under load). Idle connections are still closed at once when the server stops.
  server.keepAliveTimeout = 65_000;

  return new Promise((done, fail) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${opts.host}:${opts.port}`;
      if (e.code === 'EADDRINUSE') fail(new ServeError(`port ${opts.port} on ${opts.host} is in use (another server, or narml serve already running); choose another with --port N, or --port 0 for any free port`));
      else if (e.code === 'EACCES') fail(new ServeError(`no permission to listen on ${where} (ports below 1024 need privileges); use a port from 1024, e.g. --port 8080`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND') fail(new ServeError(`cannot listen on ${opts.host}: not an address of this machine; use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (every interface)`));
      else fail(new ServeError(`cannot listen on ${where}: ${e.message}`));
    });
    server.listen(opts.port, opts.host, () => {
      const port = (server.address() as AddressInfo).port;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      done({
        url: `http://${host}:${port}`,
        port,
        close: () => new Promise((closed) => {
          closing = true;
          for (const res of inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
          server.close(() => closed());
          server.closeIdleConnections();
        }),
      });
    });
  });
}
