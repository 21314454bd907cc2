// Test pipelines mark the token a diagnostic must cover with «...».
import assert from 'node:assert/strict';

/** The text without its «marker», and the marked span's offsets in that text. */
export function marked(source: string): { text: string; start: number; end: number } {
  const start = source.indexOf('«');
  const end = source.indexOf('»');
  assert.ok(start >= 0 && end > start, 'case has a «marker»');
  return { text: source.replace('«', '').replace('»', ''), start, end: end - 1 };
}
