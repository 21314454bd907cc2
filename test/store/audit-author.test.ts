// The git author an audit line names: one `git config` per folder and process, read from its
// `--get-regexp` answer as `git config --get` would give each key (a repository's own setting
// over the user's), and asked in the background at the start of a run so that the line at its
// end does not wait for git. The store keeps the answer while nothing git reads changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A fresh process appending one audit event for a pipeline in `dir`, git tracing its starts into
 * `log` (GIT_TRACE): the author it recorded.
 */
function appendInFreshProcess(dir: string, log: string, env: NodeJS.ProcessEnv = {}): string | undefined {
  const script = `const { appendAudit } = require(${JSON.stringify(join(__dirname, '..', '..', 'server', 'src', 'store', 'audit-log.ts'))});
process.stdout.write(JSON.stringify(appendAudit(${JSON.stringify(join(dir, '.narml'))}, { action: 'run', outcome: 'succeeded', file: ${JSON.stringify(join(dir, 'p.narml'))} }).gitAuthor ?? null));`;
  const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, GIT_TRACE: log, ...env } });
  return JSON.parse(out) ?? undefined;
}

/** How many times git ran `git config` (each start traces its command line). */
const gitCalls = (log: string): number => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('git config --get-regexp')).length : 0);

test('git is asked once; the store keeps its answer until a config file git reads changes', () => {
  const dir = repository('Ada Lovelace', 'ada@example.org');
  const home = mkdtempSync(join(tmpdir(), 'narml-audit-home-'));
  const log = join(home, 'git-calls.log');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
  assert.equal(appendInFreshProcess(dir, log, env), 'Ada Lovelace <ada@example.org>');
  assert.equal(gitCalls(log), 1);
  assert.equal(appendInFreshProcess(dir, log, env), 'Ada Lovelace <ada@example.org>', 'the kept answer');
  assert.equal(gitCalls(log), 1, 'git was not started again');

  execFileSync('git', ['config', 'user.name', 'Grace Hopper'], { cwd: dir });
  assert.equal(appendInFreshProcess(dir, log, env), 'Grace Hopper <ada@example.org>', "the repository's config changed");
  assert.equal(gitCalls(log), 2);

  // The user's own config (HOME) counts too: the repository's name wins, the global email shows once the repository's is gone.
  execFileSync('git', ['config', '--unset', 'user.email'], { cwd: dir });
  writeFileSync(join(home, '.gitconfig'), '[user]\n\temail = grace@example.org\n');
  assert.equal(appendInFreshProcess(dir, log, env), 'Grace Hopper <grace@example.org>');
  writeFileSync(join(home, '.gitconfig'), '[user]\n\temail = hopper@example.org\n');
  assert.equal(appendInFreshProcess(dir, log, env), 'Grace Hopper <hopper@example.org>', "the user's config changed");
  assert.equal(appendInFreshProcess(dir, log, { ...env, GIT_CONFIG_PARAMETERS: "'user.name'='Ada'" }), 'Ada <hopper@example.org>', 'another environment');
  assert.equal(gitCalls(log), 5);
  assert.equal(appendInFreshProcess(dir, log, env), 'Grace Hopper <hopper@example.org>');
  assert.equal(gitCalls(log), 6, 'the environment is part of the key');
  assert.equal(appendInFreshProcess(dir, log, env), 'Grace Hopper <hopper@example.org>');
  assert.equal(gitCalls(log), 6);
});

test('a config that includes another file is not kept: git is asked every time', () => {
  const dir = repository('Ada Lovelace', 'ada@example.org');
  const home = mkdtempSync(join(tmpdir(), 'narml-audit-home-'));
  const log = join(home, 'git-calls.log');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
  writeFileSync(join(home, 'more.gitconfig'), '[user]\n\tname = Included Name\n');
  writeFileSync(join(home, '.gitconfig'), `[include]\n\tpath = ${join(home, 'more.gitconfig')}\n`);
  execFileSync('git', ['config', '--unset', 'user.name'], { cwd: dir });
  assert.equal(appendInFreshProcess(dir, log, env), 'Included Name <ada@example.org>');
  writeFileSync(join(home, 'more.gitconfig'), '[user]\n\tname = Changed Name\n');
  assert.equal(appendInFreshProcess(dir, log, env), 'Changed Name <ada@example.org>', 'the included file changed, the including one did not');
  assert.equal(gitCalls(log), 2);
});

test('a linked worktree: its gitdir and the common config are part of the key', () => {
  const dir = repository('Ada Lovelace', 'ada@example.org');
  execFileSync('git', ['commit', '-q', '--allow-empty', '-m', 'first'], { cwd: dir });
  const tree = join(mkdtempSync(join(tmpdir(), 'narml-audit-tree-')), 'tree');
  execFileSync('git', ['worktree', 'add', '-q', tree], { cwd: dir });
  const home = mkdtempSync(join(tmpdir(), 'narml-audit-home-'));
  const log = join(home, 'git-calls.log');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1' };
  assert.equal(appendInFreshProcess(tree, log, env), 'Ada Lovelace <ada@example.org>');
  assert.equal(appendInFreshProcess(tree, log, env), 'Ada Lovelace <ada@example.org>');
  assert.equal(gitCalls(log), 1);
  execFileSync('git', ['config', 'user.name', 'Grace Hopper'], { cwd: dir });
  assert.equal(appendInFreshProcess(tree, log, env), 'Grace Hopper <ada@example.org>', 'the main repository config changed');
  assert.equal(gitCalls(log), 2);
});

test('an author git did not give in time is not kept: the next process asks git again', () => {
  const dir = repository('Ada Lovelace', 'ada@example.org');
  const home = mkdtempSync(join(tmpdir(), 'narml-audit-home-'));
  const log = join(home, 'git-calls.log');
  // A git that takes 3 s while the file `slow` exists, over the 1 s the audit gives it.
  const bin = join(home, 'bin');
  mkdirSync(bin);
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(join(bin, 'git'), `#!/bin/sh\nif [ -e ${JSON.stringify(join(home, 'slow'))} ]; then sleep 3; fi\nexec ${JSON.stringify(realGit)} "$@"\n`, { mode: 0o755 });
  writeFileSync(join(home, 'slow'), '');
  const env = { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), GIT_CONFIG_NOSYSTEM: '1', PATH: `${bin}:${process.env.PATH}` };
  assert.equal(appendInFreshProcess(dir, log, env), undefined, 'too slow: no author');
  rmSync(join(home, 'slow'));
  assert.equal(appendInFreshProcess(dir, log, env), 'Ada Lovelace <ada@example.org>', 'asked again, nothing else changed');
  assert.equal(appendInFreshProcess(dir, log, env), 'Ada Lovelace <ada@example.org>');
  assert.equal(gitCalls(log), 1, 'the answer given in time is kept');
});
