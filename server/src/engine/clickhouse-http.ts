// ClickHouse over its HTTP interface with node:http (docs/decisions/0010): the SQL is the POST
// body, results come back as JSONCompact (small answers: schemas, statistics) or RowBinary
// (columns, straight into typed arrays). Credentials come from the environment, never from the
// pipeline file. Every failure becomes a ClickHouseError whose message names the URL and says
// what to do, so the checker and the runner can show it as it is.
import { randomUUID } from 'node:crypto';
import type { ClientRequest } from 'node:http';
import { CLICKHOUSE_ENV } from '../contracts/lsp-requests';
import { CancelledError, type CancelSignal } from '../ml/cancellation';

export const USER_ENV = CLICKHOUSE_ENV.user;
export const PASSWORD_ENV = CLICKHOUSE_ENV.password;

export interface ClickHouseConnection {
  /** `http://host:port` as the pipeline wrote it. */
  url: string;
  user: string;
  password: string;
  /** The run's cancellation: a query in flight when it is raised is killed on the server. */
  signal?: CancelSignal;
}

/** The connection for `url`, with the credentials of the environment (user `default`, no password, when unset). */
export function connectionFor(url: string, env: NodeJS.ProcessEnv = process.env, signal?: CancelSignal): ClickHouseConnection {
  return { url, user: env[USER_ENV] || 'default', password: env[PASSWORD_ENV] ?? '', ...(signal ? { signal } : {}) };
}

/** Bytes of SQL sent to and of answers received from ClickHouse by this process, for the benchmarks' accounts of what leaves the cluster. */
export const traffic = { sent: 0, received: 0 };

/** How often a query in flight looks at the run's cancellation (a flag, possibly raised by another thread). */
const CANCEL_POLL_MS = 50;

export type ClickHouseFailure = 'unreachable' | 'credentials' | 'query';

export class ClickHouseError extends Error {
  constructor(message: string, readonly failure: ClickHouseFailure, readonly code?: number) {
    super(message);
  }
}

/** ClickHouse's error codes for an unknown user, a wrong password and a refused IP. */
const AUTH_CODES = new Set([192, 193, 195, 516]);
const TIMEOUT_MS = 30_000;
const QUERY_LIMITS = [['max_query_size', String(64 << 20)], ['max_ast_elements', '5000000'], ['max_expanded_ast_elements', '50000000']];

/** Checks the URL is one this client speaks to (http only: the server is on a trusted network or loopback). */
export function urlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url}" is not a URL; write it as "http://host:8123"`;
  }
  if (u.protocol !== 'http:') return `"${url}": only http:// URLs are supported (ClickHouse's HTTP port, e.g. "http://127.0.0.1:8123")`;
  if (u.pathname !== '/' || u.search || u.username || u.password) return `"${url}": give only scheme, host and port (credentials come from ${USER_ENV} / ${PASSWORD_ENV})`;
  return undefined;
}

/**
 * Runs `sql` and returns the whole answer's bytes. With the connection's cancellation raised, the
 * request is dropped and the query killed on the server by its query_id (closing the connection
 * alone does not stop a query on ClickHouse 18.16), and the promise fails with CancelledError.
 */
export function queryBytes(conn: ClickHouseConnection, sql: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (conn.signal?.aborted) { reject(new CancelledError()); return; }
    const auth = Buffer.from(`${conn.user}:${conn.password}`).toString('base64');
    const queryId = randomUUID();
    let req: ClientRequest;
    try {
      const url = new URL(conn.url);
      url.searchParams.set('query_id', queryId);
      // Compiled models (a boosted ensemble's trees as nested ifs) pass the parser's defaults of
      // 256 KiB of text and 50,000 syntax-tree nodes.
      for (const [k, v] of QUERY_LIMITS) url.searchParams.set(k, v);
      // Required here, not at the top: node:http (and net, streams) would load at every CLI start.
      const { request } = require('node:http') as typeof import('node:http');
      req = request(url, { method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'text/plain; charset=utf-8' }, timeout: TIMEOUT_MS });
    } catch (e) {
      reject(new ClickHouseError(`cannot reach ClickHouse at ${conn.url}: ${(e as Error).message}`, 'unreachable'));
      return;
    }
    const signal = conn.signal;
    const poll = signal && setInterval(() => {
      if (!signal.aborted) return;
      clearInterval(poll);
      req.destroy(new CancelledError());
      const { signal: _cancelled, ...killer } = conn;
      queryBytes(killer, `KILL QUERY WHERE query_id = ${sqlString(queryId)} ASYNC`).catch(() => undefined);
    }, CANCEL_POLL_MS);
    req.on('close', () => clearInterval(poll));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new ClickHouseError(`ClickHouse at ${conn.url} broke off its answer: ${e.message}`, 'unreachable')));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        traffic.received += body.length;
        if (res.statusCode === 200) { resolve(body); return; }
        const text = body.toString('utf8').trim();
        const code = Number(/^Code: (\d+)/.exec(text)?.[1] ?? NaN);
        const message = text.replace(/, e\.what\(\) = DB::Exception$/, '').replace(/^Code: \d+, e\.displayText\(\) = DB::Exception: /, '');
        if (AUTH_CODES.has(code) || res.statusCode === 401 || res.statusCode === 403) {
          reject(new ClickHouseError(`ClickHouse at ${conn.url} refused user "${conn.user}": ${message}; set ${USER_ENV} and ${PASSWORD_ENV} to an account of that server`, 'credentials', code));
        } else {
          reject(new ClickHouseError(`ClickHouse at ${conn.url}: ${message}`, 'query', code));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e instanceof CancelledError) { reject(e); return; }
      const why = e.code === 'ECONNREFUSED' ? 'connection refused (is the server running on that port?)' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
      reject(new ClickHouseError(`cannot reach ClickHouse at ${conn.url}: ${why}; start the server or fix the URL in engine: clickhouse("…")`, 'unreachable'));
    });
    traffic.sent += Buffer.byteLength(sql);
    req.end(sql);
  });
}

/** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
export async function execute(conn: ClickHouseConnection, sql: string): Promise<void> {
  await queryBytes(conn, sql);
}

/** Rows of a small answer, each an array of JSON values (64-bit integers come as strings). */
export async function queryRows(conn: ClickHouseConnection, sql: string): Promise<unknown[][]> {
  const body = await queryBytes(conn, `${sql} FORMAT JSONCompact`);
  return (JSON.parse(body.toString('utf8')) as { data: unknown[][] }).data;
}

/**
 * One Float64 column of `rowCount` rows: `expr` must be Float64 with NULL already turned into
 * nan (`ifNull(toFloat64(x), nan)`), so the answer is 8 bytes per row.
 */
export async function queryFloat64(conn: ClickHouseConnection, sql: string): Promise<Float64Array> {
  const body = await queryBytes(conn, `${sql} FORMAT RowBinary`);
  if (body.length % 8 !== 0) throw new ClickHouseError(`ClickHouse at ${conn.url} answered ${body.length} bytes, not whole Float64 values, to: ${sql}`, 'query');
  // A copy: the Buffer's offset into Node's pool need not be 8-aligned.
  const out = new Float64Array(body.length / 8);
  new Uint8Array(out.buffer).set(body);
  return out;
}

/** Quotes a string as a ClickHouse string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Quotes a name (database, table or column) with backquotes. */
export function sqlName(s: string): string {
  return `\`${s.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}
