// The leaderboard of a model's tune or auto trials as a figure: rank, algorithm, the options the
// search varied, mean score, the score of each fold, time, the chosen trial marked and the
// reason it won. Shared by the Experiments and the Metrics panels.
import type { TrialJson } from '../../server/src/contracts/cli-json';
import { el } from './dom';
import { fmt } from './format';
import { formatDuration, leaderboard, paramText, variedOptions } from './experiments-table';

export function trialsFigure(title: string, trials: TrialJson[], selection: string | undefined): HTMLElement {
  const board = leaderboard(trials, selection);
  const varied = variedOptions(trials);
  const metric = trials[0]?.metric ?? '';
  const head = el('tr', {}, el('th', { scope: 'col' }, 'rank'), el('th', { scope: 'col' }, 'algorithm'), ...varied.map((v) => el('th', { scope: 'col' }, v)),
    el('th', { scope: 'col' }, `mean ${metric}`), el('th', { scope: 'col' }, 'folds'), el('th', { scope: 'col' }, 'time'), el('th', { scope: 'col' }, 'chosen'));
  const table = el('table', { class: 'leaderboard' }, head);
  for (const { rank, trial } of board.entries) {
    table.append(el('tr', { class: trial.chosen ? 'chosen' : '' },
      el('td', { class: 'num' }, String(rank)), el('td', {}, trial.algorithm), ...varied.map((v) => el('td', {}, paramText(trial.options[v]))),
      el('td', { class: 'num' }, fmt(trial.score)), el('td', { class: 'folds' }, trial.folds.map((f) => fmt(f)).join(' · ')),
      el('td', { class: 'num' }, formatDuration(trial.ms)), el('td', {}, trial.chosen ? '✓ chosen' : '')));
  }
  const search = trials.some((t) => t.search === 'auto') ? 'auto' : 'tune';
  return el('figure', { class: 'board' }, el('figcaption', {}, `${title} — ${search}, ${trials.length} trial${trials.length === 1 ? '' : 's'}, ${metric} (${trials[0]?.better ?? 'higher'} is better)`), table,
    el('p', { class: 'reason' }, board.reason ?? 'The chosen trial is marked.'));
}
