// What `narml serve` and a bundle's server.js share as processes: the --port rule, the line
// that says where they listen, and a graceful stop on SIGINT/SIGTERM.
import { ServeError, type Serving } from './http-server';
import type { ServedModel } from './served-model';

/** A port from a flag: 0 (any free port) to 65535; anything else is a ServeError. */
export function parsePort(value: string | true | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > 65535) throw new ServeError(`--port must be a whole number from 0 (any free port) to 65535, not ${String(value)}`);
  return Number(value);
}

/** What a server prints once it listens: one JSON line (`--json`, for tools), or lines for people. */
export function listeningText(serving: Serving, models: ServedModel[], what: string, json: boolean): string {
  const listed = models.map(({ data: d, refs }) => ({ name: d.name, version: d.version, ...(d.stage ? { stage: d.stage } : {}), url: `${serving.url}/predict/${refs[0]}` }));
  if (json) return `${JSON.stringify({ url: serving.url, models: listed })}\n`;
  const lines = [`serving ${what} at ${serving.url} (Ctrl-C stops)`];
  for (const m of listed) lines.push(`  POST ${m.url}  (${m.name} ${m.version}${m.stage ? `, ${m.stage}` : ''})`);
  lines.push(`  GET ${serving.url}/models, ${serving.url}/health, ${serving.url}/openapi.json`);
  return `${lines.join('\n')}\n`;
}

/** Waits for SIGINT or SIGTERM, then closes the server (requests in progress finish first). */
export function untilSignalled(serving: Serving, log: (line: string) => void): Promise<void> {
  return new Promise((done) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      log(`${signal}: finishing the requests in progress, then stopping`);
      void serving.close().then(done);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
