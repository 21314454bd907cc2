// A two-shard ClickHouse cluster ("two_shards") on 127.0.0.1 for the ClickHouse engine's tests:
// two clickhouse-server processes in a folder of the caller's, each with its own ports, data and
// logs, started and stopped by PID (never by name: other clusters may run on the same machine).
// The Debian package (18.16, installed by scripts/setup-system.mjs) is Yandex-era, hence the
// `<yandex>` root; no ZooKeeper, so DDL runs on every shard rather than ON CLUSTER.
// By hand: `node scripts/clickhouse-cluster.mjs start|stop|status DIR`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLICKHOUSE_SERVER = '/usr/sbin/clickhouse-server';
/** A user with a password, beside `default` (no password), so tests can pass credentials. */
export const TEST_USER = { user: 'narml', password: 'narml-test' };

/** Ports the OS says are free now (bound to port 0, then released). */
async function freePorts(n) {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => res(s));
  })));
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((res) => s.close(res))));
  return ports;
}

function writeConfig(dir, shard, ports, all) {
  const d = join(dir, `ch${shard}`);
  for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) mkdirSync(join(d, sub), { recursive: true });
  const replicas = all.map((p) => `      <shard><replica><host>127.0.0.1</host><port>${p.tcp}</port></replica></shard>`).join('\n');
  writeFileSync(join(d, 'config.xml'), `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${d}/log/server.log</log><errorlog>${d}/log/server.err.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <tcp_port>${ports.tcp}</tcp_port>
  <http_port>${ports.http}</http_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${d}/data/</path>
  <tmp_path>${d}/tmp/</tmp_path>
  <user_files_path>${d}/user_files/</user_files_path>
  <format_schema_path>${d}/format_schemas/</format_schema_path>
  <users_config>${d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
  <remote_servers>
    <two_shards>
${replicas}
    </two_shards>
  </remote_servers>
  <macros><shard>${shard}</shard></macros>
</yandex>
`);
  const user = (name, password) => `<${name}><password>${password}</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></${name}>`;
  writeFileSync(join(d, 'users.xml'), `<?xml version="1.0"?>
<yandex>
  <profiles><default>
    <max_memory_usage>1000000000</max_memory_usage>
    <max_threads>2</max_threads>
    <insert_distributed_sync>1</insert_distributed_sync>
  </default></profiles>
  <users>${user('default', '')}${user(TEST_USER.user, TEST_USER.password)}</users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`);
  return d;
}

async function ping(port) {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/ping`, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts both shards in `dir` (created) on free ports and waits until each answers /ping.
 * Returns the HTTP URLs (the first is the one a pipeline names) and the PIDs; `stopCluster(dir)`
 * stops them. Throws with the server's error log when one does not come up.
 */
export async function startCluster(dir) {
  if (!existsSync(CLICKHOUSE_SERVER)) throw new Error(`${CLICKHOUSE_SERVER} is missing: install it with apt-get install clickhouse-server (scripts/setup-system.mjs does for the tests)`);
  dir = resolve(dir);
  mkdirSync(dir, { recursive: true });
  const p = await freePorts(6);
  const ports = [0, 1].map((i) => ({ tcp: p[3 * i], http: p[3 * i + 1], interserver: p[3 * i + 2] }));
  const pids = [];
  for (const [i, port] of ports.entries()) {
    const d = writeConfig(dir, i + 1, port, ports);
    const out = openSync(join(d, 'log', 'stdout.log'), 'w');
    const child = spawn(CLICKHOUSE_SERVER, [`--config-file=${join(d, 'config.xml')}`], { stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    child.unref();
    writeFileSync(join(d, 'server.pid'), String(child.pid));
    pids.push(child.pid);
  }
  for (const [i, port] of ports.entries()) {
    const deadline = Date.now() + 60_000;
    while (!(await ping(port.http))) {
      if (!alive(pids[i]) || Date.now() > deadline) {
        const err = join(dir, `ch${i + 1}`, 'log', 'server.err.log');
        await stopCluster(dir);
        throw new Error(`ClickHouse shard ${i + 1} did not start: ${existsSync(err) ? readFileSync(err, 'utf8').slice(-2000) : 'no error log'}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const cluster = { urls: ports.map((x) => `http://127.0.0.1:${x.http}`), pids, cluster: 'two_shards' };
  writeFileSync(join(dir, 'cluster.json'), JSON.stringify(cluster));
  return cluster;
}

/** Stops the shards started in `dir` by their PIDs (SIGTERM, then waits) and removes `dir`. */
export async function stopCluster(dir, { keep = false } = {}) {
  dir = resolve(dir);
  for (const shard of [1, 2]) {
    const f = join(dir, `ch${shard}`, 'server.pid');
    if (!existsSync(f)) continue;
    const pid = Number(readFileSync(f, 'utf8'));
    if (pid > 0 && alive(pid)) {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 20_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(f, { force: true });
  }
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

async function main([cmd, dir]) {
  if (!dir || !['start', 'stop', 'status'].includes(cmd)) {
    process.stderr.write('usage: node scripts/clickhouse-cluster.mjs start|stop|status DIR\n');
    return 2;
  }
  if (cmd === 'start') process.stdout.write(`${JSON.stringify(await startCluster(dir))}\n`);
  else if (cmd === 'stop') await stopCluster(dir, { keep: true });
  else process.stdout.write(existsSync(join(dir, 'cluster.json')) ? `${readFileSync(join(dir, 'cluster.json'), 'utf8')}\n` : 'not running\n');
  return 0;
}

// No top-level await: the tests load this file through tsx, as CommonJS.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => { process.stderr.write(`${e.message}\n`); process.exitCode = 1; });
}
