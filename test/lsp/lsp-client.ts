// A minimal LSP client over stdio (Content-Length framing) for tests and benchmarks.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

type Json = Record<string, unknown>;

export class LspClient {
  private readonly proc: ChildProcess;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly listeners: ((msg: Json) => void)[] = [];
  readonly notifications: Json[] = [];
  /** Requests the server sent to the client (e.g. client/registerCapability), in order. */
  readonly serverRequests: Json[] = [];
  stderr = '';

  /** `server`: another build of the server (a packaged one), run with `env`. */
  constructor(initializationOptions: Json = {}, server = SERVER, env: NodeJS.ProcessEnv = process.env) {
    this.proc = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stdout!.on('data', (d: Buffer) => this.onData(d));
    this.proc.stderr!.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.initOptions = initializationOptions;
  }

  private readonly initOptions: Json;

  async initialize(rootUri: string): Promise<Json> {
    const result = (await this.request('initialize', {
      processId: process.pid, rootUri, initializationOptions: this.initOptions,
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } }, textDocument: { inlayHint: {}, semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] } } },
    })) as Json;
    this.notify('initialized', {});
    return result;
  }

  private onData(d: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (true) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const m = /Content-Length: (\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString());
      if (!m) throw new Error('bad header');
      const len = Number(m[1]);
      if (this.buffer.length < headerEnd + 4 + len) return;
      const msg = JSON.parse(this.buffer.subarray(headerEnd + 4, headerEnd + 4 + len).toString()) as Json;
      this.buffer = this.buffer.subarray(headerEnd + 4 + len);
      this.dispatch(msg);
    }
  }

  private dispatch(msg: Json): void {
    if (typeof msg.id === 'number' && ('result' in msg || 'error' in msg)) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(JSON.stringify(msg.error)));
      else p?.resolve(msg.result);
      return;
    }
    if (msg.id !== undefined && msg.method) {
      // Server → client request (e.g. client/registerCapability): record and accept it.
      this.serverRequests.push(msg);
      this.send({ jsonrpc: '2.0', id: msg.id, result: null });
      return;
    }
    this.notifications.push(msg);
    for (const l of this.listeners) l(msg);
  }

  private send(msg: Json): void {
    const body = Buffer.from(JSON.stringify(msg));
    this.proc.stdin!.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin!.write(body);
  }

  request(method: string, params: unknown, timeoutMs = 20_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.pending.delete(id); reject(new Error(`${method} timed out`)); }, timeoutMs);
      this.pending.set(id, { resolve: (v) => { clearTimeout(timer); resolve(v); }, reject: (e) => { clearTimeout(timer); reject(e); } });
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Waits for the next publishDiagnostics for `uri` that satisfies `accept`. */
  diagnostics(uri: string, accept: (d: Json[]) => boolean = () => true, timeoutMs = 20_000): Promise<Json[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}`)), timeoutMs);
      const l = (msg: Json): void => {
        if (msg.method !== 'textDocument/publishDiagnostics') return;
        const p = msg.params as { uri: string; diagnostics: Json[] };
        if (p.uri !== uri || !accept(p.diagnostics)) return;
        clearTimeout(timer);
        this.listeners.splice(this.listeners.indexOf(l), 1);
        resolve(p.diagnostics);
      };
      this.listeners.push(l);
    });
  }

  async close(): Promise<void> {
    try {
      await this.request('shutdown', null, 5000);
      this.notify('exit', null);
    } catch {
      // already gone
    }
    this.proc.kill();
  }
}
