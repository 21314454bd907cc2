// ClickHouse over its HTTP interface with node:http (docs/decisions/0010): the SQL is the POST
// body, results come back as JSONCompact (small answers: schemas, statistics) or RowBinary
// (columns, straight into typed arrays). Credentials come from the environment, never from the
// pipeline file. Every failure becomes a ClickHouseError whose message names the URL and says
// what to do, so the checker and the runner can show it as it is.
import http from 'node:http';
import { CLICKHOUSE_ENV } from '../contracts/lsp-requests';

export const USER_ENV = CLICKHOUSE_ENV.user;
export const PASSWORD_ENV = CLICKHOUSE_ENV.password;

export interface ClickHouseConnection {
  /** `http://host:port` as the pipeline wrote it. */
  url: string;
  user: string;
  password: string;
}

/** The connection for `url`, with the credentials of the environment (user `default`, no password, when unset). */
export function connectionFor(url: string, env: NodeJS.ProcessEnv = process.env): ClickHouseConnection {
  return { url, user: env[USER_ENV] || 'default', password: env[PASSWORD_ENV] ?? '' };
}

export type ClickHouseFailure = 'unreachable' | 'credentials' | 'query';

export class ClickHouseError extends Error {
  constructor(message: string, readonly failure: ClickHouseFailure, readonly code?: number) {
    super(message);
  }
}

/** ClickHouse's error codes for an unknown user, a wrong password and a refused IP. */
const AUTH_CODES = new Set([192, 193, 195, 516]);
const TIMEOUT_MS = 30_000;

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

/** Runs `sql` and returns the whole answer's bytes. */
export function queryBytes(conn: ClickHouseConnection, sql: string, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const auth = Buffer.from(`${conn.user}:${conn.password}`).toString('base64');
    let req: http.ClientRequest;
    try {
      req = http.request(conn.url, { method: 'POST', headers: { authorization: `Basic ${auth}`, 'content-type': 'text/plain; charset=utf-8' }, signal, timeout: TIMEOUT_MS });
    } catch (e) {
      reject(new ClickHouseError(`cannot reach ClickHouse at ${conn.url}: ${(e as Error).message}`, 'unreachable'));
      return;
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new ClickHouseError(`ClickHouse at ${conn.url} broke off its answer: ${e.message}`, 'unreachable')));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
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
      if (signal?.aborted) { reject(e); return; }
      const why = e.code === 'ECONNREFUSED' ? 'connection refused (is the server running on that port?)' : e.code === 'ENOTFOUND' ? 'unknown host' : e.message;
      reject(new ClickHouseError(`cannot reach ClickHouse at ${conn.url}: ${why}; start the server or fix the URL in engine: clickhouse("…")`, 'unreachable'));
    });
    req.end(sql);
  });
}

/** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
export async function execute(conn: ClickHouseConnection, sql: string, signal?: AbortSignal): Promise<void> {
  await queryBytes(conn, sql, signal);
}

/** Rows of a small answer, each an array of JSON values (64-bit integers come as strings). */
export async function queryRows(conn: ClickHouseConnection, sql: string, signal?: AbortSignal): Promise<unknown[][]> {
  const body = await queryBytes(conn, `${sql} FORMAT JSONCompact`, signal);
  return (JSON.parse(body.toString('utf8')) as { data: unknown[][] }).data;
}

/**
 * One Float64 column of `rowCount` rows: `expr` must be Float64 with NULL already turned into
 * nan (`ifNull(toFloat64(x), nan)`), so the answer is 8 bytes per row.
 */
export async function queryFloat64(conn: ClickHouseConnection, sql: string, signal?: AbortSignal): Promise<Float64Array> {
  const body = await queryBytes(conn, `${sql} FORMAT RowBinary`, signal);
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
