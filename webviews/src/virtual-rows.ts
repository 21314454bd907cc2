// Which rows a virtualised grid draws for a scroll position, and where. Browsers cap an
// element's height (about 33 million pixels in Chromium), so past `maxHeight` the scroll
// range stands for the rows proportionally: the bottom of the scrollbar is still the last row.

/** Rows [first, last) to draw, the table's top in the scrolled content, and the content's height. */
export interface RowWindow {
  first: number;
  last: number;
  top: number;
  height: number;
}

export const MAX_SCROLL_HEIGHT = 16_000_000;

export function rowWindow(scrollTop: number, viewHeight: number, rowHeight: number, total: number, overscan = 10, maxHeight = MAX_SCROLL_HEIGHT): RowWindow {
  const full = total * rowHeight;
  const height = Math.min(full, maxHeight);
  const scrollable = Math.max(0, height - viewHeight);
  const top = Math.min(Math.max(0, scrollTop), scrollable);
  // The row at the top of the view, fractional; exact (top / rowHeight) when nothing is scaled.
  const topRow = full <= maxHeight || scrollable === 0 ? top / rowHeight : (top / scrollable) * Math.max(0, total - viewHeight / rowHeight);
  const firstVisible = Math.floor(topRow);
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(total, Math.ceil(topRow + viewHeight / rowHeight) + overscan);
  // Row `firstVisible` is drawn where the view's top cuts it, whatever the scale.
  return { first, last, top: top - (topRow - firstVisible) * rowHeight - (firstVisible - first) * rowHeight, height };
}
