// The serving HTTP layer in process, on a small logistic model: a request in flight when the
// server is asked to close is still answered (graceful stop), then nothing is accepted; a body
// over the limit is refused with 413 whether its length is declared or streamed; HEAD on a GET
// path answers without a body; a path of bad percent-encoding is a 400, not a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startServing } from '../../server/src/serve/http-server';
import { loadServedModel, SERVED_MODEL_FORMAT, type ServedModelData } from '../../server/src/serve/served-model';

const data: ServedModelData = {
  format: SERVED_MODEL_FORMAT, name: 'churn', version: 'v1', task: 'classification', target: 'churned', steps: [],
  input: [{ name: 'tenure', type: 'number', nullable: false }],
  saved: { algorithm: 'logistic_regression', task: 'classification', classes: ['no', 'yes'], featureNames: ['tenure'], params: { kind: 'linear', coef: [[-1]], intercept: [2], link: 'logistic' } },
};

function raw(port: number, method: string, path: string, headers: Record<string, string | number>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => done({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

test('a request in flight when the server closes is answered; a new one is refused', async () => {
  const serving = await startServing([loadServedModel(data)], { host: '127.0.0.1', port: 0 });
  const body = JSON.stringify({ rows: [{ tenure: 2 }] });
  const answered = new Promise<{ status: number; text: string }>((done, fail) => {
    const req = request({ host: '127.0.0.1', port: serving.port, method: 'POST', path: '/predict/churn', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => { text += c.toString(); });
      res.on('end', () => done({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', fail);
    // Half the body now, the rest after close() was called.
    req.write(body.slice(0, 5));
    setTimeout(() => {
      closed = serving.close();
      setTimeout(() => { req.end(body.slice(5)); }, 100);
    }, 100);
  });
  let closed: Promise<void> | undefined;
  const r = await answered;
  await closed;
  assert.equal(r.status, 200, r.text);
  const answer = JSON.parse(r.text) as { predictions: { prediction: string; probabilities: Record<string, number> }[] };
  // p(yes) = sigmoid(2 - 2) = 0.5: the class of the larger probability; a tie goes to the first.
  assert.equal(answer.predictions[0].probabilities.yes, 0.5);
  await assert.rejects(raw(serving.port, 'GET', '/health', {}), /ECONNREFUSED/);
});

test('bodies over the limit are refused with 413, declared or streamed; HEAD has no body; bad percent-encoding is 400', async () => {
  const serving = await startServing([loadServedModel(data)], { host: '127.0.0.1', port: 0, maxBodyBytes: 100 });
  try {
    const big = JSON.stringify({ rows: Array.from({ length: 20 }, () => ({ tenure: 1 })) });
    assert.ok(big.length > 100);
    const declared = await raw(serving.port, 'POST', '/predict/churn', { 'content-length': Buffer.byteLength(big) }, big);
    assert.equal(declared.status, 413);
    assert.match(JSON.parse(declared.body).error, /larger than 100 bytes/);
    const streamed = await raw(serving.port, 'POST', '/predict/churn', { 'transfer-encoding': 'chunked' }, big);
    assert.equal(streamed.status, 413);
    const small = await raw(serving.port, 'POST', '/predict/churn@v1', { 'content-type': 'application/json' }, '{"tenure": 5}');
    assert.equal(small.status, 200);
    assert.equal(JSON.parse(small.body).predictions[0].prediction, 'no');
    const head = await raw(serving.port, 'HEAD', '/models', {});
    assert.deepEqual(head, { status: 200, body: '' });
    const bad = await raw(serving.port, 'GET', '/predict/%E0%A4%A', {});
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).error, /percent-encoding/);
    assert.equal((await raw(serving.port, 'GET', '/health', {})).status, 200, 'still serving');
  } finally {
    await serving.close();
  }
});
