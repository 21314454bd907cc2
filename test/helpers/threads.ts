// Runs code with NARML_THREADS set (the thread count of the training pool and the CSV writer), then restores it.
export function withThreads<T>(threads: number, f: () => T): T {
  const before = process.env.NARML_THREADS;
  process.env.NARML_THREADS = String(threads);
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.NARML_THREADS;
    else process.env.NARML_THREADS = before;
  }
}
