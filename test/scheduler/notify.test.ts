// notify: a webhook received by a server on 127.0.0.1 (its body, retries with back-off until it
// answers, Retry-After honoured, no retry after a refusal, a bounded give-up), a command fed the
// event on stdin, its exit code and its timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NotifyEventJson } from '../../server/src/contracts/cli-json';
import { webhookReceiver as receiver } from '../helpers/webhook-receiver';
import { retryAfterMs, runCommand, sendNotifications, sendWebhook } from '../../server/src/scheduler/notify';

const event: NotifyEventJson = {
  pipeline: '/ws/churn.narml', monitor: 'watch', event: 'alert', message: 'monitor watch: the alert condition holds',
  report: { drifted: ['age'], scores: { age: 0.4 }, alert: true, retrained: false }, time: '2026-12-07T06:00:00.000Z',
};

test('a webhook on 127.0.0.1 receives the event as a JSON POST', async () => {
  const r = await receiver([{ status: 204 }]);
  const out = await sendWebhook(r.url, event, { baseDelayMs: 5 });
  await r.close();
  assert.deepEqual(out, { target: `webhook ${r.url}`, ok: true, attempts: 1, status: 204 });
  assert.deepEqual(r.requests, [{ method: 'POST', type: 'application/json', body: event }]);
});

test('a receiver that fails twice then succeeds gets 3 attempts, and the delivery succeeds', async () => {
  const r = await receiver([{ status: 503 }, { status: 500 }, { status: 200 }]);
  const out = await sendWebhook(r.url, event, { baseDelayMs: 5 });
  await r.close();
  assert.equal(out.ok, true);
  assert.equal(out.attempts, 3);
  assert.equal(r.requests.length, 3);
  assert.deepEqual(r.requests[2], r.requests[0], 'the same body each time');
});

test('Retry-After is honoured in place of the back-off', { timeout: 20_000 }, async () => {
  // The back-off would wait 30 s (the cap); Retry-After: 0 asks for no wait, so the delivery ends at once.
  const r = await receiver([{ status: 429, headers: { 'retry-after': '0' } }, { status: 200 }]);
  const out = await sendWebhook(r.url, event, { baseDelayMs: 600_000 });
  await r.close();
  assert.deepEqual([out.ok, out.attempts], [true, 2]);
  assert.equal(retryAfterMs('120'), 120_000);
  assert.equal(retryAfterMs(new Date(Date.parse('2026-12-07T06:00:10Z')).toUTCString(), Date.parse('2026-12-07T06:00:00Z')), 10_000);
  assert.equal(retryAfterMs('soon'), undefined);
});

test('a refusal (404) is not retried; a receiver that never answers is given up after the attempts', async () => {
  const r = await receiver([{ status: 404 }]);
  const refused = await sendWebhook(r.url, event, { baseDelayMs: 5 });
  await r.close();
  assert.deepEqual([refused.ok, refused.attempts, refused.status, r.requests.length], [false, 1, 404, 1]);
  assert.match(refused.error!, /HTTP 404.*check the URL/);
  // The port was just freed: nothing listens there.
  const gone = await sendWebhook(r.url, event, { baseDelayMs: 5, attempts: 3 });
  assert.deepEqual([gone.ok, gone.attempts], [false, 3]);
  assert.match(gone.error!, /not delivered after 3 attempts \(last: .*ECONNREFUSED/);
});

test('a command gets the event as JSON on stdin, runs in the given folder, and its exit code is recorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-notify-'));
  const ok = await runCommand('cat > received.json', event, dir);
  assert.deepEqual(ok, { target: 'command cat > received.json', ok: true, exitCode: 0 });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'received.json'), 'utf8')), event);
  const failed = await runCommand('echo "no mail server" >&2; exit 3', event, dir);
  assert.deepEqual([failed.ok, failed.exitCode], [false, 3]);
  assert.match(failed.error!, /exited with 3: no mail server/);
  const slow = await runCommand('sleep 30', event, dir, 200);
  assert.equal(slow.ok, false);
  assert.match(slow.error!, /killed after 0.2 s/);
});

test('several targets: each gets the event and has its own outcome; vscode needs a listener', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'narml-notify-'));
  const r = await receiver([{ status: 200 }]);
  const shown: NotifyEventJson[] = [];
  const targets = [{ kind: 'webhook' as const, url: r.url }, { kind: 'command' as const, command: 'cat > got.json' }, { kind: 'vscode' as const }];
  const out = await sendNotifications(targets, event, { cwd: dir, toEditor: (e) => shown.push(e) });
  assert.deepEqual(out.map((o) => [o.target.split(' ')[0], o.ok]), [['webhook', true], ['command', true], ['vscode', true]]);
  assert.deepEqual(shown, [event]);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'got.json'), 'utf8')), event);
  const alone = await sendNotifications([{ kind: 'vscode' }], event, { cwd: dir });
  await r.close();
  assert.equal(alone[0].ok, false);
  assert.match(alone[0].error!, /no editor is listening/);
});
