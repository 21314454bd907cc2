// The ClickHouse engine's credentials kept in VS Code's SecretStorage (never in the pipeline
// file), handed to the language server and every CLI process as the environment variables the
// engine reads. Set with "NarML: Set ClickHouse Credentials"; an empty user clears them.
import type * as vscode from 'vscode';
import { CLICKHOUSE_ENV } from '../../server/src/contracts/lsp-requests';

const KEYS = { user: 'narml.clickhouse.user', password: 'narml.clickhouse.password' } as const;

/** The variables for a stored user and password; none when no user is stored. */
export function credentialEnv(user: string | undefined, password: string | undefined): Record<string, string> {
  return user ? { [CLICKHOUSE_ENV.user]: user, [CLICKHOUSE_ENV.password]: password ?? '' } : {};
}

export async function storedCredentials(secrets: vscode.SecretStorage): Promise<Record<string, string>> {
  return credentialEnv(await secrets.get(KEYS.user), await secrets.get(KEYS.password));
}

/** Asks for the user and the password and stores them; returns the new variables, or undefined when cancelled. */
export async function askCredentials(window: typeof vscode.window, secrets: vscode.SecretStorage): Promise<Record<string, string> | undefined> {
  const user = await window.showInputBox({ title: 'ClickHouse user for engine: clickhouse(…)', prompt: 'Leave empty to forget the stored credentials', ignoreFocusOut: true });
  if (user === undefined) return undefined;
  if (user === '') {
    await secrets.delete(KEYS.user);
    await secrets.delete(KEYS.password);
    return {};
  }
  const password = await window.showInputBox({ title: `Password of ClickHouse user "${user}"`, password: true, ignoreFocusOut: true });
  if (password === undefined) return undefined;
  await secrets.store(KEYS.user, user);
  await secrets.store(KEYS.password, password);
  return credentialEnv(user, password);
}
