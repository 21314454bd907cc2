// `notify:` targets (NML135, NML206), `schedule:` of a monitor and `retrain: schedule "cron"`
// (NML130), and the holdout a retraining judges its challenger on (NML136). The runner finds the
// holdout with the same function, so what the check accepts the run can judge.
import type { CallArgument, Declaration, Expr } from '../language/ast';
import { NOTIFY_TARGETS, RETRAIN_OPTIONS, RETRAIN_POLICIES } from '../ml/catalog';
import type { CheckContext } from './check-context';
import type { DeclarationInfo, MonitorInfo, NotifyTarget } from './checked-model';
import { cronError } from './cron';
import { useEach } from './diagnostic';
import { describeValue, wordValue } from './options';

const TARGET_NAMES = Object.keys(NOTIFY_TARGETS);

/** Hosts a plain-http notification may reach without the report crossing a network. */
function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The one string argument of `name "text"` or `name("text")`, or undefined. */
function stringArgument(e: Expr): { name: string; text?: string } | undefined {
  if (e.kind === 'Name' && e.name.parts.length === 1) return { name: e.name.text };
  if (e.kind !== 'Call') return undefined;
  const only = e.args.length === 1 && !e.args[0].name ? e.args[0].value : undefined;
  return { name: e.callee.name, ...(only?.kind === 'String' ? { text: only.value } : {}) };
}

function checkTarget(e: Expr, c: CheckContext): NotifyTarget | undefined {
  const t = stringArgument(e);
  if (!t || !TARGET_NAMES.includes(t.name)) {
    const s = t ? c.suggest(t.name, TARGET_NAMES, 'notify target') : { text: '', fixes: undefined };
    c.report('NML135', e.range, `notify takes webhook "https://…", command "…" or vscode, not ${t ? `"${t.name}"` : describeValue(e)}${s.text}`, s.fixes);
    return undefined;
  }
  if (t.name === 'vscode') {
    if (e.kind !== 'Name') c.report('NML135', e.range, 'vscode takes no argument: write notify: vscode');
    return e.kind === 'Name' ? { kind: 'vscode' } : undefined;
  }
  if (t.text === undefined) {
    c.report('NML135', e.range, t.name === 'webhook' ? 'webhook needs its URL in quotes: notify: webhook "https://example.com/hook"' : 'command needs the command line in quotes: notify: command "mail -s alert me@example.com"');
    return undefined;
  }
  if (t.name === 'command') {
    if (t.text.trim() === '') { c.report('NML135', e.range, 'the notify command is empty: write the command line to run, e.g. command "mail -s alert me@example.com"'); return undefined; }
    return { kind: 'command', command: t.text };
  }
  let url: URL;
  try {
    url = new URL(t.text);
  } catch {
    c.report('NML135', e.range, `"${t.text}" is not a URL: write it in full, e.g. webhook "https://example.com/hook"`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    c.report('NML135', e.range, `a webhook is posted over http or https, not ${url.protocol.replace(/:$/, '')}: write a URL starting with https://`);
    return undefined;
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    c.report('NML206', e.range, `the report would go unencrypted over the network to ${url.hostname}: use https://, or a host on this machine (127.0.0.1)`);
  }
  return { kind: 'webhook', url: url.href };
}

/** `notify: TARGET` or `notify: [TARGET, ...]`. */
export function checkNotify(value: Expr | undefined, c: CheckContext): NotifyTarget[] {
  if (!value) return [];
  const items = value.kind === 'List' ? value.items : [value];
  if (value.kind === 'List' && items.length === 0) c.report('NML135', value.range, 'notify lists no target: add webhook "https://…", command "…" or vscode, or remove notify');
  return items.flatMap((e) => checkTarget(e, c) ?? []);
}

/** A `schedule:` value: a valid cron expression in quotes (NML130). */
export function checkSchedule(value: Expr | undefined, c: CheckContext): string | undefined {
  if (!value) return undefined;
  if (value.kind !== 'String') {
    c.report('NML130', value.range, 'schedule must be a cron expression in quotes, e.g. schedule: "0 2 * * *"');
    return undefined;
  }
  const err = cronError(value.value);
  if (err) c.report('NML130', value.range, err);
  return err ? undefined : value.value;
}

const RETRAIN_FORMS = [...RETRAIN_POLICIES, 'schedule "0 3 * * 0"', 'on_alert(with_actuals: true)'];

type RetrainChoice = Pick<MonitorInfo, 'retrain' | 'retrainSchedule' | 'retrainWithActuals'>;

/**
 * The named options of a retraining form (`with_actuals: true`). `with_actuals` needs labels to
 * learn from (`actuals:`) and a model it can retrain alone (not an ensemble): NML116 otherwise.
 */
function retrainOptions(args: readonly CallArgument[], form: string, hasActuals: boolean, c: CheckContext): Pick<MonitorInfo, 'retrainWithActuals'> {
  let withActuals = false;
  for (const a of args) {
    if (!a.name) continue;
    if (!(a.name.name in RETRAIN_OPTIONS)) {
      c.report('NML116', a.name.range, `${form} takes no option "${a.name.name}"; its option: with_actuals: true`);
      continue;
    }
    if (a.value?.kind !== 'Boolean') {
      c.report('NML116', a.value?.range ?? a.range, 'with_actuals takes true or false');
      continue;
    }
    withActuals = a.value.value;
    if (withActuals && !hasActuals) {
      c.report('NML116', a.range, 'with_actuals: true retrains on the predictions whose labels arrived through actuals:, and this monitor has none; add actuals: "labels/*.csv" on KEY, or remove with_actuals');
      withActuals = false;
    }
  }
  return withActuals ? { retrainWithActuals: true } : {};
}

/** `retrain: on_drift | on_alert | never | schedule "cron"`, the first two and schedule optionally with `(…, with_actuals: true)`. */
export function checkRetrain(value: Expr | undefined, hasActuals: boolean, c: CheckContext): RetrainChoice {
  if (!value) return { retrain: 'never' };
  if (value.kind === 'Call' && value.callee.name === 'schedule') {
    const positional = value.args.filter((a) => !a.name);
    const arg = positional.length === 1 ? positional[0].value : undefined;
    if (!arg) {
      c.report('NML130', value.range, 'retrain: schedule needs a cron expression in quotes, e.g. retrain: schedule "0 3 * * 0"');
      return { retrain: 'never' };
    }
    const cron = checkSchedule(arg, c);
    const options = retrainOptions(value.args, 'schedule', hasActuals, c);
    return cron ? { retrain: 'schedule', retrainSchedule: cron, ...options } : { retrain: 'never' };
  }
  const call = value.kind === 'Call' && !value.bare && (value.callee.name === 'on_drift' || value.callee.name === 'on_alert') ? value : undefined;
  if (call) {
    const stray = call.args.find((a) => !a.name);
    if (stray) c.report('NML116', stray.range, `${call.callee.name} takes only named options: ${call.callee.name}(with_actuals: true)`);
    return { retrain: call.callee.name as MonitorInfo['retrain'], ...retrainOptions(call.args, call.callee.name, hasActuals, c) };
  }
  const w = wordValue(value);
  if (!w || !(RETRAIN_POLICIES as readonly string[]).includes(w)) {
    c.report('NML116', value.range, `retrain must be one of ${RETRAIN_FORMS.join(', ')}`, useEach(RETRAIN_POLICIES));
    return { retrain: 'never' };
  }
  return { retrain: w as MonitorInfo['retrain'] };
}

/**
 * The table a retraining scores the challenger and the production model on: the table of the
 * first `evaluate` of the model (what the user declared as its holdout), else the `test` part of
 * the split the model trains on.
 */
export function retrainHoldout(infos: readonly (DeclarationInfo | undefined)[], model: string): string | undefined {
  const evaluate = infos.find((i) => i?.kind === 'evaluate' && i.model === model);
  if (evaluate?.kind === 'evaluate') return evaluate.on;
  const m = infos.find((i) => i?.kind === 'model' && i.name === model);
  if (m?.kind !== 'model') return undefined;
  const [split, part] = m.input.split('.');
  if (part !== 'train') return undefined;
  const s = infos.find((i) => i?.kind === 'split' && i.name === split);
  return s?.kind === 'split' && s.parts.some((p) => p.part === 'test') ? `${split}.test` : undefined;
}

/**
 * Whole-file rules on monitors and predicts (they read other declarations' results): a retraining
 * needs a holdout (NML136); a predict's notify fires only from a schedule (NML206).
 */
export function reportScheduleRules(infos: readonly (DeclarationInfo | undefined)[], declarations: readonly Declaration[], c: CheckContext): void {
  infos.forEach((info, i) => {
    const decl = declarations[i];
    if (!info || !decl || !('properties' in decl)) return;
    const prop = (key: string) => decl.properties.find((p) => p.key.name === key);
    if (info.kind === 'monitor' && info.retrain !== 'never' && !retrainHoldout(infos, info.model)) {
      c.report('NML136', prop('retrain')?.range ?? decl.range, `retraining "${info.model}" needs rows to compare the new model with the production one on: add evaluate ${info.model} on a held-out table (e.g. the test part of its split), or train it on a split's train part that has a test part`);
    }
    const model = info.kind === 'monitor' && info.retrainWithActuals ? infos.find((i) => i?.kind === 'model' && i.name === info.model) : undefined;
    if (model?.kind === 'model' && model.ensemble) {
      c.report('NML116', prop('retrain')?.range ?? decl.range, `with_actuals retrains one model on more rows, and "${model.name}" is an ensemble; monitor a member with with_actuals, or remove it`);
    }
    if (info.kind === 'predict' && info.notify.length > 0 && !info.schedule) {
      c.report('NML206', prop('notify')?.range ?? decl.range, `predict "${info.name}" notifies only when a scheduled run fails, and it has no schedule: add schedule: "0 2 * * *" or remove notify`);
    }
  });
}
