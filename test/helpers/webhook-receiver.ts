// A webhook receiver on 127.0.0.1 for notification tests: it records each request and answers
// with the next of `answers` (the last one repeats).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { method?: string; type?: string; body: unknown }

export async function webhookReceiver(answers: { status: number; headers?: Record<string, string> }[] = [{ status: 200 }]): Promise<{ url: string; requests: Received[]; close: () => Promise<void> }> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      requests.push({ method: req.method, type: req.headers['content-type'], body: JSON.parse(body) });
      const a = answers[Math.min(requests.length - 1, answers.length - 1)];
      res.writeHead(a.status, a.headers ?? {});
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, requests, close: () => new Promise((r) => server.close(() => r())) };
}
