// Numbers as people read them in the panels (pure, so tests import it without a browser).

/**
 * A number for people: four significant digits without exponent, trailing zeros dropped; a
 * rounding residue next to 0 (1.6e-15) prints as 0.
 */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a < 5e-5) return '0';
  return a >= 1000 ? v.toFixed(1) : String(Number(v.toPrecision(4)));
}
