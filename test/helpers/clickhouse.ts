// The ClickHouse engine tests' cluster and data: two shards started in a temporary folder by
// scripts/clickhouse-cluster.mjs (stopped by PID after the file's tests), a table created on both
// shards with a Distributed table over them, and a generated dataset written both into it and
// to a CSV file, so the same rows run in the memory engine and in ClickHouse.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execute, type ClickHouseConnection } from '../../server/src/engine/clickhouse-http';
// @ts-expect-error: a plain .mjs script without types, shared with the command line
import { startCluster, stopCluster, TEST_USER } from '../../scripts/clickhouse-cluster.mjs';

export interface TestCluster {
  url: string;
  urls: string[];
  dir: string;
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS: { user: string; password: string } = TEST_USER;

export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'narml-ch-'));
  const started = (await startCluster(dir)) as { urls: string[] };
  return { url: started.urls[0], urls: started.urls, dir, stop: () => stopCluster(dir) as Promise<void> };
}

/** A cluster with `events` as the Distributed table shop.events (over shop.events_local on both shards). */
export async function startWithEvents(events: GeneratedColumn[]): Promise<TestCluster> {
  const cluster = await startTestCluster();
  await createDistributedTable(cluster, 'shop', 'events', events, 'cityHash64(id)');
  return cluster;
}

export function defaultConnection(url: string): ClickHouseConnection {
  return { url, user: 'default', password: '' };
}

/** A column of the generated data: its ClickHouse type and its cells as text (undefined = missing). */
export interface GeneratedColumn { name: string; chType: string; cells: (string | undefined)[] }

/**
 * Creates `db.name` as a Distributed table over `db.name_local` on every shard (no ZooKeeper,
 * so no ON CLUSTER: the DDL runs on each) and inserts the rows through it synchronously.
 */
export async function createDistributedTable(cluster: TestCluster, db: string, name: string, columns: GeneratedColumn[], shardKey: string): Promise<void> {
  const defs = columns.map((c) => `\`${c.name}\` ${c.chType}`).join(', ');
  const order = columns.find((c) => !c.chType.startsWith('Nullable'))!.name;
  for (const url of cluster.urls) {
    const conn = defaultConnection(url);
    await execute(conn, `CREATE DATABASE IF NOT EXISTS ${db}`);
    await execute(conn, `DROP TABLE IF EXISTS ${db}.${name}`);
    await execute(conn, `DROP TABLE IF EXISTS ${db}.${name}_local`);
    await execute(conn, `CREATE TABLE ${db}.${name}_local (${defs}) ENGINE = MergeTree() ORDER BY \`${order}\``);
    await execute(conn, `CREATE TABLE ${db}.${name} AS ${db}.${name}_local ENGINE = Distributed(two_shards, ${db}, ${name}_local, ${shardKey})`);
  }
  const rows = columns[0].cells.length;
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => c.cells[r] ?? '\\N').join('\t'));
  await execute(defaultConnection(cluster.url), `INSERT INTO ${db}.${name} FORMAT TabSeparated\n${lines.join('\n')}\n`);
}

/** The same columns as a CSV file (empty cell = missing) for the memory engine. */
export function writeCsv(path: string, columns: GeneratedColumn[]): void {
  const rows = columns[0].cells.length;
  const lines = [columns.map((c) => c.name).join(',')];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => c.cells[r] ?? '').join(','));
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A seeded generator (mulberry32): the data are the same in every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Rows with an id, two numbers (one with gaps), a category with a rare level, a high/low label (not yes/no, which the CSV reader takes for a boolean) and
 * an amount. Numbers are multiples of 1/16, whose decimal text every float parser reads exactly,
 * so ClickHouse and the CSV reader hold the same doubles.
 */
export function generatedEvents(rows: number, seed = 7): GeneratedColumn[] {
  const rnd = seeded(seed);
  const q = (x: number): number => Math.round(x * 16) / 16;
  const id: string[] = [];
  const x1: string[] = [];
  const x2: (string | undefined)[] = [];
  const cat: string[] = [];
  const label: string[] = [];
  const amount: string[] = [];
  for (let i = 0; i < rows; i++) {
    const a = q(rnd() * 20 - 10);
    const b = q(rnd() * 8 - 4);
    const c = rnd() < 0.01 ? 'rare' : ['north', 'south', 'west'][Math.floor(rnd() * 3)];
    const missing = rnd() < 0.1;
    const score = 0.4 * a - 0.8 * b + (c === 'south' ? 1.5 : 0) + (rnd() * 4 - 2);
    id.push(String(i + 1));
    x1.push(String(a));
    x2.push(missing ? undefined : String(b));
    cat.push(c);
    label.push(score > 0 ? 'high' : 'low');
    amount.push(String(q(3 * a - 2 * b + (c === 'west' ? 5 : 0) + rnd() * 2)));
  }
  return [
    { name: 'id', chType: 'UInt64', cells: id },
    { name: 'x1', chType: 'Float64', cells: x1 },
    { name: 'x2', chType: 'Nullable(Float64)', cells: x2 },
    { name: 'region', chType: 'String', cells: cat },
    { name: 'label', chType: 'String', cells: label },
    { name: 'amount', chType: 'Float64', cells: amount },
  ];
}
