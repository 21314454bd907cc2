// `narml models`, `promote`, `rollback`, `diff`, `audit`: the model registry and the audit log of
// a run store (store/registry.ts, store/audit-log.ts). Each command works on the store beside
// `--file PIPELINE` or, without it, the `.narml` of the current folder; a model name found in
// several pipelines of that store needs --file.
import { resolve } from 'node:path';
import type { AuditJson, ModelDiffJson, ModelsJson, ModelVersionJson, RegistryChangeJson, StageName } from '../contracts/cli-json';
import type { Registry, RegistryChange } from '../store/registry';
import { parseArgs, UsageError, type CliCommand, type ParsedArgs } from './command';

const STAGE_WORDS = ['staging', 'production', 'archived'];

/**
 * parseArgs, with a pipeline given where a user would type it (`narml models churn.narml`,
 * `narml promote churn.narml churn v2`) taken as `--file`: a model is never named `*.narml`.
 */
function parseRegistryArgs(args: string[], valued: string[]): ParsedArgs {
  const parsed = parseArgs(args, valued, ['json']);
  const at = parsed.positional.findIndex((a) => a.endsWith('.narml'));
  if (at >= 0) {
    if (parsed.flags.has('file')) throw new UsageError(`two pipelines given: ${parsed.positional[at]} and --file ${String(parsed.flags.get('file'))}`);
    parsed.flags.set('file', parsed.positional[at]);
    parsed.positional.splice(at, 1);
  }
  return parsed;
}

/** The store's pipeline file argument: `--file`, else a stand-in in the current folder (only its folder matters). */
function storeFile(flags: Map<string, string | true>): { file: string; explicit: boolean } {
  const f = flags.get('file');
  return typeof f === 'string' ? { file: resolve(f), explicit: true } : { file: resolve('pipeline.narml'), explicit: false };
}

/** The pipeline that holds `model`: the --file one, or the only pipeline of the store with such a model. */
function pipelineOf(registry: Registry, model: string, store: { file: string; explicit: boolean }): string {
  if (store.explicit) return store.file;
  const files = registry.filesOf(model);
  if (files.length === 1) return files[0];
  if (files.length > 1) throw new UsageError(`${model} is a model of several pipelines here (${files.join(', ')}); say which with --file PIPELINE`);
  const names = [...new Set(registry.versions.map((v) => v.model))];
  throw new UsageError(`no model named ${model} in ${registry.dir}${names.length > 0 ? ` (models: ${names.join(', ')})` : '; run a pipeline first'}; or pass --file PIPELINE`);
}

function metricsText(v: ModelVersionJson, fmt: (n: number) => string): string {
  return Object.entries(v.metrics).map(([on, m]) => `${on}: ${Object.entries(m).map(([k, x]) => `${k}=${fmt(x)}`).join(' ')}`).join('; ');
}

async function models(args: string[]): Promise<number> {
  const { positional, flags } = parseRegistryArgs(args, ['file']);
  if (positional[0] === 'delete') return deleteVersion(positional.slice(1), flags);
  const name = positional[0];
  const { fmt, readRegistry } = await import('./commands-impl');
  const store = storeFile(flags);
  const registry = readRegistry(store.file);
  const versions = registry.versions.filter((v) => !name || v.model === name);
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify({ models: versions } satisfies ModelsJson)}\n`); return 0; }
  if (versions.length === 0) { process.stdout.write(`no model versions${name ? ` of ${name}` : ''} in ${registry.dir}; run a pipeline first (or pass --file PIPELINE)\n`); return 0; }
  for (const v of versions) {
    const metrics = metricsText(v, fmt);
    const stage = (v.stage ?? (v.status === 'succeeded' ? '' : v.status)).padEnd(10);
    const learned = v.withActuals ? `\n    retrained by monitor ${v.withActuals.monitor} with ${v.withActuals.rows} labelled predictions (${v.trainRows} training rows in all)` : '';
    process.stdout.write(`${v.model} ${v.version.padEnd(4)} ${stage} ${v.algorithm} (${v.task}, target ${v.target})  ${v.created}  run ${v.run}${metrics ? `\n    ${metrics}` : ''}${learned}\n`);
  }
  return 0;
}

function changeText(c: RegistryChange): string {
  const moved = c.from ? `; ${c.from.version} ${c.stage === 'production' || c.stage === 'staging' ? 'archived' : 'moved'}` : '';
  return c.changed ? `${c.model} ${c.version.version} is now in ${c.stage ?? 'no stage'}${moved}` : `${c.model} ${c.version.version} already is in ${c.stage}; nothing changed`;
}

/** Prints a change (or its JSON) and says when the audit log could not record it (exit 1: the change was made, the trail is missing). */
function report(c: RegistryChange, json: boolean, text: string): number {
  if (json) process.stdout.write(`${JSON.stringify({ model: c.model, file: c.file, version: c.version.version, stage: c.stage ?? null, from: c.from?.version ?? null, changed: c.changed } satisfies RegistryChangeJson)}\n`);
  else process.stdout.write(`${text}\n`);
  if (c.auditError) { process.stderr.write(`narml: done, but the audit log could not record it: ${c.auditError}\n`); return 1; }
  return 0;
}

/** A refused registry action is exit 1 with its message; anything else propagates. */
async function refused(action: () => Promise<number>): Promise<number> {
  const { RegistryError, WriteError } = await import('./commands-impl');
  try {
    return await action();
  } catch (e) {
    if (!(e instanceof RegistryError) && !(e instanceof WriteError)) throw e;
    process.stderr.write(`narml: ${e.message}\n`);
    return 1;
  }
}

async function promote(args: string[]): Promise<number> {
  const { positional, flags } = parseRegistryArgs(args, ['file', 'stage']);
  const [model, version] = positional;
  if (!model || !version) throw new UsageError('name a model and a version (v3, or a stage such as staging)');
  const stage = flags.get('stage') ?? 'production';
  if (typeof stage !== 'string' || !STAGE_WORDS.includes(stage)) throw new UsageError(`--stage must be ${STAGE_WORDS.join(', ')}`);
  const { readRegistry, promote: promoteVersion } = await import('./commands-impl');
  const store = storeFile(flags);
  const file = pipelineOf(readRegistry(store.file), model, store);
  return refused(async () => {
    const c = promoteVersion(file, model, version, stage as StageName);
    return report(c, flags.has('json'), changeText(c));
  });
}

async function rollback(args: string[]): Promise<number> {
  const { positional, flags } = parseRegistryArgs(args, ['file']);
  const [model] = positional;
  if (!model) throw new UsageError('name a model');
  const { readRegistry, rollback: rollbackModel } = await import('./commands-impl');
  const store = storeFile(flags);
  const file = pipelineOf(readRegistry(store.file), model, store);
  return refused(async () => {
    const c = rollbackModel(file, model);
    return report(c, flags.has('json'), `${model} rolled back: ${c.version.version} is in production again; ${c.from!.version} archived`);
  });
}

async function deleteVersion(positional: string[], flags: Map<string, string | true>): Promise<number> {
  const [model, version] = positional;
  if (!model || !version) throw new UsageError('name a model and a version to delete: narml models delete MODEL VERSION');
  const { readRegistry, deleteVersion: remove } = await import('./commands-impl');
  const store = storeFile(flags);
  const file = pipelineOf(readRegistry(store.file), model, store);
  return refused(async () => {
    const c = remove(file, model, version);
    return report(c, flags.has('json'), `${model} ${c.version.version} deleted (its stored model files removed)`);
  });
}

function fmtOr(v: unknown, fmt: (n: number) => string): string {
  if (v === null || v === undefined) return '—';
  return typeof v === 'number' ? fmt(v) : JSON.stringify(v);
}

async function diff(args: string[]): Promise<number> {
  const { positional, flags } = parseRegistryArgs(args, ['file']);
  const [model, va, vb] = positional;
  if (!model || !va || !vb) throw new UsageError('name a model and two versions, e.g. narml diff churn v1 v2');
  const { fmt, readRegistry, diffVersions } = await import('./commands-impl');
  const store = storeFile(flags);
  const registry = readRegistry(store.file);
  const file = pipelineOf(registry, model, store);
  return refused(async () => {
    const d: ModelDiffJson = diffVersions(registry.resolve(file, model, va), registry.resolve(file, model, vb));
    if (flags.has('json')) { process.stdout.write(`${JSON.stringify(d)}\n`); return 0; }
    const [a, b] = [d.a.version, d.b.version];
    const lines = [`${model} ${a} → ${b}`];
    if (d.a.hash === d.b.hash) lines.push('  the same fitted model');
    if (d.algorithm[0] !== d.algorithm[1]) lines.push(`  algorithm: ${d.algorithm[0]} → ${d.algorithm[1]}`);
    for (const [k, [x, y]] of Object.entries(d.options)) lines.push(`  option ${k}: ${fmtOr(x, fmt)} → ${fmtOr(y, fmt)}`);
    for (const [on, ms] of Object.entries(d.metrics)) {
      for (const [m, [x, y, delta]] of Object.entries(ms)) lines.push(`  ${on} ${m}: ${fmtOr(x, fmt)} → ${fmtOr(y, fmt)}${delta !== null ? ` (${delta >= 0 ? '+' : ''}${fmt(delta)})` : ''}`);
    }
    for (const [dataset, files] of Object.entries(d.inputs)) for (const f of files) lines.push(`  input ${dataset} ${f.file}: ${f.a?.slice(0, 12) ?? 'absent'} → ${f.b?.slice(0, 12) ?? 'absent'}`);
    if (d.features.added.length > 0) lines.push(`  features added: ${d.features.added.join(', ')}`);
    if (d.features.removed.length > 0) lines.push(`  features removed: ${d.features.removed.join(', ')}`);
    if (d.trainRows[0] !== d.trainRows[1]) lines.push(`  training rows: ${d.trainRows[0]} → ${d.trainRows[1]}`);
    const learned = (v: typeof d.a): string => (v.withActuals ? `${v.withActuals.rows} labelled predictions of monitor ${v.withActuals.monitor}` : 'none');
    if (learned(d.a) !== learned(d.b)) lines.push(`  with actuals: ${learned(d.a)} → ${learned(d.b)}`);
    lines.push(d.pipelineHash[0] === d.pipelineHash[1] ? '  pipeline text: unchanged' : `  pipeline text: ${d.pipelineHash[0]?.slice(0, 12) ?? 'unknown'} → ${d.pipelineHash[1]?.slice(0, 12) ?? 'unknown'}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  });
}

async function audit(args: string[]): Promise<number> {
  const { positional, flags } = parseArgs(args, ['model'], ['json']);
  const { readAudit, storeDir } = await import('./commands-impl');
  const file = resolve(positional[0] ?? 'pipeline.narml');
  const model = flags.get('model');
  const log = readAudit(storeDir(file));
  // With a pipeline named, its events only; a store shared by several pipelines keeps them all.
  const events = log.events.filter((e) => (!positional[0] || e.file === file) && (typeof model !== 'string' || e.model === model));
  if (flags.has('json')) { process.stdout.write(`${JSON.stringify({ events, damaged: log.damaged } satisfies AuditJson)}\n`); return 0; }
  if (log.damaged > 0) process.stderr.write(`narml: ${log.damaged} line(s) of ${storeDir(file)}/audit.jsonl could not be read (a write cut short) and are left out\n`);
  if (events.length === 0) { process.stdout.write(`no audit events in ${storeDir(file)}; runs, promotions, rollbacks, exports and deletions are recorded there\n`); return 0; }
  for (const e of events) {
    const what = [e.model && `${e.model}${e.version ? ` ${e.version}` : ''}`, e.stage && `→ ${e.stage}`, e.from && `(from ${e.from})`, e.run && `run ${e.run}`, e.target].filter(Boolean).join(' ');
    const who = [e.user, e.gitAuthor].filter(Boolean).join(' / ');
    process.stdout.write(`${e.time}  ${e.action.padEnd(8)} ${e.outcome.padEnd(9)} ${what}${who ? `  by ${who}` : ''}${e.detail ? `\n    ${e.detail}` : ''}\n`);
  }
  return 0;
}

export const registryCommands: Record<string, CliCommand> = {
  models: { usage: 'models [NAME] [--file FILE] [--json] | models delete MODEL VERSION', summary: 'model versions with their stage and metrics; delete a version (not the production one)', run: models },
  promote: { usage: 'promote MODEL VERSION [--stage production|staging|archived] [--file FILE] [--json]', summary: 'put a model version into a stage (default production); the one there before is archived', run: promote },
  rollback: { usage: 'rollback MODEL [--file FILE] [--json]', summary: 'production goes back to the version before the last promotion; the current one is archived', run: rollback },
  diff: { usage: 'diff MODEL V1 V2 [--file FILE] [--json]', summary: 'what differs between two versions: options, metrics, input files, features, pipeline', run: diff },
  audit: { usage: 'audit [FILE] [--model M] [--json]', summary: 'the audit log: runs, promotions, rollbacks, exports and deletions, with who and when', run: audit },
};
