// Which rows a virtualised grid draws for a scroll position (with a small overscan).
export function visibleRange(scrollTop: number, height: number, rowHeight: number, total: number, overscan = 10): { first: number; last: number } {
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  return { first, last };
}
