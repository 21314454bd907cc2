// JSON text for artifacts however deep they nest. A model artifact holds its fitted steps, and
// a derive's expression is a syntax tree as deep as its operator chain is long: V8's
// JSON.stringify overflows the stack past about 5,000 levels, so a pipeline that checks clean
// failed to store its model. The text is what JSON.stringify gives (no indentation), and
// JSON.parse, which does not recurse, reads it back.

/** JSON.stringify(value), falling back to the iterative writer when the value nests too deep for it. */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (e) {
    if (e instanceof RangeError) return jsonText(value);
    throw e;
  }
}

type Frame =
  | { kind: 'object'; value: Record<string, unknown>; keys: string[]; next: number; wrote: boolean }
  | { kind: 'array'; value: unknown[]; next: number };

/** JSON.stringify's text for plain data (objects, arrays, strings, numbers, booleans, null, toJSON), with a stack of its own. */
export function jsonText(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** The containers being written, to refuse a cycle as JSON.stringify does rather than loop forever. */
  const open = new Set<object>();
  /** Writes a leaf, or opens a container; returns false for a value an object omits (undefined, functions). */
  const write = (raw: unknown, key: string): boolean => {
    const value = raw !== null && typeof raw === 'object' && typeof (raw as { toJSON?: unknown }).toJSON === 'function'
      ? (raw as { toJSON(k: string): unknown }).toJSON(key)
      : raw;
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return false;
    if (value === null || typeof value !== 'object') {
      out.push(JSON.stringify(value));
      return true;
    }
    if (open.has(value)) throw new TypeError('Converting circular structure to JSON');
    open.add(value);
    if (Array.isArray(value)) {
      out.push('[');
      stack.push({ kind: 'array', value, next: 0 });
    } else {
      out.push('{');
      stack.push({ kind: 'object', value: value as Record<string, unknown>, keys: Object.keys(value), next: 0, wrote: false });
    }
    return true;
  };
  if (!write(root, '')) return 'null';
  while (stack.length > 0) {
    const frame = stack[stack.length - 1];
    if (frame.kind === 'array') {
      if (frame.next >= frame.value.length) {
        out.push(']');
        open.delete(stack.pop()!.value);
        continue;
      }
      const i = frame.next++;
      if (i > 0) out.push(',');
      if (!write(frame.value[i], String(i))) out.push('null');
      continue;
    }
    if (frame.next >= frame.keys.length) {
      out.push('}');
      open.delete(stack.pop()!.value);
      continue;
    }
    const key = frame.keys[frame.next++];
    const mark = out.length;
    out.push(frame.wrote ? ',' : '', JSON.stringify(key), ':');
    if (write(frame.value[key], key)) frame.wrote = true;
    else out.length = mark;
  }
  return out.join('');
}
