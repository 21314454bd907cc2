// The git author an audit line names: one `git config` per folder and process, read from its
// `--get-regexp` answer as `git config --get` would give each key (a repository's own setting
// over the user's), and asked in the background at the start of a run so that the line at its
// end does not wait for git.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gitAuthor, prefetchGitAuthor } from '../../server/src/store/audit-log';

function repository(name: string, email: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'narml-audit-author-'));
  const git = (...args: string[]): void => { execFileSync('git', args, { cwd: dir, stdio: 'ignore' }); };
  git('init', '-q');
  git('config', 'user.name', name);
  git('config', 'user.email', email);
  return dir;
}

test("the repository's own name and email", () => {
  const dir = repository('Ada Lovelace', 'ada@example.org');
  assert.equal(gitAuthor(dir), 'Ada Lovelace <ada@example.org>');
});

test('the author asked in the background is the one the audit line names', async () => {
  const dir = repository('Grace Hopper', 'grace@example.org');
  prefetchGitAuthor(dir);
  // git answers within its 1 s limit; a later change of the setting is then not asked for again.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  execFileSync('git', ['config', 'user.name', 'Someone Else'], { cwd: dir });
  assert.equal(gitAuthor(dir), 'Grace Hopper <grace@example.org>', 'the background answer, given before the setting changed');
});
