// ClickHouse credentials from VS Code's SecretStorage become the environment the engine reads
// (connectionFor), with a fake SecretStorage and input boxes; the command is declared.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as vscode from 'vscode';
import { askCredentials, storedCredentials } from '../../extension/src/clickhouse-credentials';
import { connectionFor } from '../../server/src/engine/clickhouse-http';

function fakeSecrets(): vscode.SecretStorage {
  const m = new Map<string, string>();
  return {
    get: async (k: string) => m.get(k),
    store: async (k: string, v: string) => { m.set(k, v); },
    delete: async (k: string) => { m.delete(k); },
  } as unknown as vscode.SecretStorage;
}

function fakeWindow(answers: (string | undefined)[]): { window: typeof vscode.window; asked: { password?: boolean }[] } {
  const asked: { password?: boolean }[] = [];
  return { asked, window: { showInputBox: async (o: { password?: boolean }) => { asked.push(o); return answers.shift(); } } as unknown as typeof vscode.window };
}

test('stored credentials become the environment the ClickHouse engine connects with; an empty user forgets them', async () => {
  const secrets = fakeSecrets();
  assert.deepEqual(await storedCredentials(secrets), {});
  const first = fakeWindow(['analyst', 's3cret']);
  const env = await askCredentials(first.window, secrets);
  assert.deepEqual(first.asked.map((o) => o.password === true), [false, true]);
  assert.deepEqual(env, { NARML_CLICKHOUSE_USER: 'analyst', NARML_CLICKHOUSE_PASSWORD: 's3cret' });
  assert.deepEqual(await storedCredentials(secrets), env);
  assert.deepEqual(connectionFor('http://127.0.0.1:8123', env!), { url: 'http://127.0.0.1:8123', user: 'analyst', password: 's3cret' });
  assert.equal(await askCredentials(fakeWindow([undefined]).window, secrets), undefined, 'cancelled: nothing changes');
  assert.deepEqual(await storedCredentials(secrets), env);
  assert.deepEqual(await askCredentials(fakeWindow(['']).window, secrets), {});
  assert.deepEqual(await storedCredentials(secrets), {});
  assert.deepEqual(connectionFor('http://127.0.0.1:8123', {}), { url: 'http://127.0.0.1:8123', user: 'default', password: '' });
});

test('the extension declares Set ClickHouse Credentials', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { commands: { command: string; title: string }[] } };
  assert.equal(pkg.contributes.commands.find((c) => c.command === 'narml.setClickHouseCredentials')?.title, 'Set ClickHouse Credentials');
});
