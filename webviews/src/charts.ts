// SVG charts for the Metrics panel: line/step curves and scatter plots with axes, ticks and a
// legend, and horizontal bars drawn to scale. Geometry is set with SVG attributes (the CSP
// refuses style attributes); colours come from the theme through CSS classes. The scales are
// pure functions, tested without a browser; ticks are the Experiments plot's (niceTicks).
import { el, svg } from './dom';
import { niceTicks } from './experiments-table';
import { fmt } from './format';

export const PLOT = { width: 300, height: 250, left: 46, right: 12, top: 12, bottom: 40, pad: 6 } as const;

/** Maps a domain onto a pixel range (a degenerate domain maps to the middle). */
export function scale(domain: readonly [number, number], range: readonly [number, number]): (v: number) => number {
  const [d0, d1] = domain, [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** The smallest and largest value of some arrays, widened a little so points do not sit on the frame. */
export function extent(...values: readonly (readonly number[])[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const vs of values) for (const v of vs) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo === Infinity) return [0, 1];
  const margin = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  return [lo - margin, hi + margin];
}

export interface Series {
  label: string;
  x: readonly number[];
  y: readonly number[];
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
  /** `line` joins points, `step` draws a staircase (precision-recall), `points` marks them (residuals). */
  kind: 'line' | 'step' | 'points';
  /** A reference: the chance diagonal, or a horizontal line at a value (zero residual, prevalence). */
  reference?: { diagonal: true } | { y: number; label?: string };
  /** Text after each series' label in the legend (its AUC). */
  legend?: (s: Series, i: number) => string;
  /** For tests and screen readers: what the chart is (`roc`, `pr`, `calibration`, `residuals`). */
  name: string;
}

/** A chart in a <figure>: axes outside a padded plot area, so a curve along an axis stays visible. */
export function plot(spec: PlotSpec, series: readonly Series[]): HTMLElement {
  const { width, height, left, right, top, bottom, pad } = PLOT;
  const sx = scale(spec.x, [left + pad, width - right - pad]);
  const sy = scale(spec.y, [height - bottom - pad, top + pad]);
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: `chart chart-${spec.name}`, role: 'img', 'aria-label': spec.title });
  root.append(svg('rect', { x: left, y: top, width: width - left - right, height: height - top - bottom, class: 'frame' }));
  for (const t of niceTicks(spec.x[0], spec.x[1])) {
    root.append(svg('line', { x1: sx(t), x2: sx(t), y1: top, y2: height - bottom, class: 'grid' }));
    root.append(svg('text', { x: sx(t), y: height - bottom + 14, class: 'tick', 'text-anchor': 'middle' }, fmt(t)));
  }
  for (const t of niceTicks(spec.y[0], spec.y[1])) {
    root.append(svg('line', { x1: left, x2: width - right, y1: sy(t), y2: sy(t), class: 'grid' }));
    root.append(svg('text', { x: left - 4, y: sy(t) + 4, class: 'tick', 'text-anchor': 'end' }, fmt(t)));
  }
  root.append(svg('text', { x: (left + width - right) / 2, y: height - 6, class: 'axis-label', 'text-anchor': 'middle' }, spec.xLabel));
  root.append(svg('text', { x: 12, y: (top + height - bottom) / 2, class: 'axis-label', 'text-anchor': 'middle', transform: `rotate(-90 12 ${(top + height - bottom) / 2})` }, spec.yLabel));
  const ref = spec.reference;
  if (ref && 'diagonal' in ref) root.append(svg('line', { x1: sx(spec.x[0]), y1: sy(spec.y[0]), x2: sx(spec.x[1]), y2: sy(spec.y[1]), class: 'reference' }));
  else if (ref) root.append(svg('line', { x1: left, x2: width - right, y1: sy(ref.y), y2: sy(ref.y), class: 'reference' }, ...(ref.label ? [svg('title', {}, ref.label)] : [])));
  series.forEach((s, i) => {
    const cls = `series series-${i % 6}`;
    if (spec.kind === 'points') {
      const g = svg('g', { class: cls, 'data-label': s.label });
      s.x.forEach((x, j) => g.append(svg('circle', { cx: sx(x), cy: sy(s.y[j]), r: 2.5 })));
      root.append(g);
      return;
    }
    const pts: string[] = [];
    s.x.forEach((x, j) => {
      if (spec.kind === 'step' && j > 0) pts.push(`${sx(x).toFixed(1)},${sy(s.y[j - 1]).toFixed(1)}`);
      pts.push(`${sx(x).toFixed(1)},${sy(s.y[j]).toFixed(1)}`);
    });
    root.append(svg('polyline', { points: pts.join(' '), class: cls, 'data-label': s.label }));
    if (spec.name === 'calibration') for (let j = 0; j < s.x.length; j++) root.append(svg('circle', { cx: sx(s.x[j]), cy: sy(s.y[j]), r: 2.5, class: cls }));
  });
  const fig = el('figure', { class: 'plot', 'data-chart': spec.name }, root, el('figcaption', {}, spec.title));
  if (series.length > 1 || spec.legend) {
    const legend = el('ul', { class: 'legend' });
    series.forEach((s, i) => legend.append(el('li', {}, el('span', { class: `swatch series-${i % 6}` }), `${s.label}${spec.legend ? ` ${spec.legend(s, i)}` : ''}`)));
    fig.append(legend);
  }
  return fig;
}

export const BARS = { width: 460, label: 150, value: 56, row: 20 } as const;

/** Widths of bars for non-negative values, proportional to each value (the largest fills `max`). */
export function barWidths(values: readonly number[], max: number): number[] {
  const top = Math.max(0, ...values.filter(Number.isFinite));
  return values.map((v) => (top > 0 && Number.isFinite(v) && v > 0 ? (v / top) * max : 0));
}

/** Horizontal bars drawn to scale in SVG: 0.605 and 0.043 are 14 times apart on screen too. */
export function bars(title: string, entries: readonly [string, number][]): HTMLElement {
  const { width, label, value, row } = BARS;
  const span = width - label - value;
  const widths = barWidths(entries.map((e) => e[1]), span);
  const height = entries.length * row + 4;
  const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'chart bars', role: 'img', 'aria-label': title });
  entries.forEach(([name, v], i) => {
    const y = i * row + 2;
    const shown = name.length > 22 ? `${name.slice(0, 21)}…` : name;
    root.append(svg('text', { x: label - 6, y: y + row * 0.7, class: 'bar-label', 'text-anchor': 'end' }, shown, svg('title', {}, name)));
    root.append(svg('rect', { x: label, y: y + 3, width: widths[i], height: row - 6, class: 'bar', 'data-value': v }));
    root.append(svg('text', { x: label + widths[i] + 4, y: y + row * 0.7, class: 'bar-value' }, fmt(v)));
  });
  return el('figure', { class: 'plot', 'data-chart': 'importances' }, root, el('figcaption', {}, title));
}
