// The reference engine: CSV files read into columnar tables in this process, steps fitted and
// applied by transforms/fit-steps.ts, splits by runner/split-table.ts's seeded shuffle.
import type { Step } from '../language/ast';
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import type { CsvOptions } from '../data/csv-options';
import { readCsv } from '../data/read-csv';
import { getColumn, type Table } from '../data/table';
import { applySteps, fitSteps, type AppliedSteps, type LossSink } from '../transforms/fit-steps';
import type { FittedStep } from '../transforms/fitted-step';
import { selectRows } from '../transforms/table-ops';
import { splitTable } from '../runner/split-table';
import { EngineError } from './engine-error';
import { keyedParts } from './keyed-split';
import type { Engine, EngineContext, EngineName } from './engine';

export class MemoryEngine implements Engine {
  // Widened: the ClickHouse engine reuses this one's splits and steps on the rows it reads.
  readonly name: EngineName = 'memory';
  private readonly raw = new Map<string, Promise<Table>>();

  constructor(private readonly context: EngineContext = {}) {}

  readDataset(dataset: DatasetInfo): Promise<Table> {
    let t = this.raw.get(dataset.name);
    if (!t) {
      const read = this.context.tablesRead?.table(dataset.path, dataset.options);
      t = read ? Promise.resolve(read) : readCsv(dataset.path, dataset.options, { signal: this.context.signal, onProgress: (f) => this.context.onRead?.(dataset.name, f) });
      this.raw.set(dataset.name, t);
    }
    return t;
  }

  async rowCount(dataset: DatasetInfo): Promise<number> {
    return (await this.readDataset(dataset)).rowCount;
  }

  async readRows(dataset: DatasetInfo, rows: Int32Array): Promise<Table> {
    return selectRows(await this.readDataset(dataset), rows);
  }

  readFile(pattern: string, options: CsvOptions, passThrough?: (name: string) => boolean): Promise<Table> {
    const read = this.context.tablesRead?.table(pattern, options);
    return read ? Promise.resolve(read) : readCsv(pattern, options, { signal: this.context.signal, passThrough });
  }

  async splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, onLoss?: LossSink): Promise<Record<string, Int32Array>> {
    const reached = fitSteps(pre, await this.readDataset(dataset), onLoss).result;
    if (split.key) {
      const key = getColumn(reached.table, split.key);
      if (!key) throw new EngineError(`split "${split.name}": key column "${split.key}" is missing`);
      const parts = keyedParts({ ...split, key: split.key }, key, reached.table.rowCount);
      return Object.fromEntries(Object.entries(parts).map(([name, rows]) => [name, Int32Array.from(rows, (r) => reached.rowMap[r])]));
    }
    const stratify = split.stratify ? getColumn(reached.table, split.stratify) : undefined;
    if (split.stratify && !stratify) throw new EngineError(`split "${split.name}": column "${split.stratify}" is missing`);
    const parts = splitTable(reached.table.rowCount, split.parts, { seed: split.seed, ...(stratify ? { stratify } : {}) });
    return Object.fromEntries(Object.entries(parts).map(([name, rows]) => [name, Int32Array.from(rows, (r) => reached.rowMap[r])]));
  }

  async fitSteps(dataset: DatasetInfo, steps: Step[], rows: Int32Array, onLoss?: LossSink): Promise<{ fitted: FittedStep[]; result: AppliedSteps }> {
    const { fitted, result } = fitSteps(steps, selectRows(await this.readDataset(dataset), rows), onLoss);
    return { fitted, result: { table: result.table, rowMap: Int32Array.from(result.rowMap, (r) => rows[r]) } };
  }

  async applySteps(dataset: DatasetInfo, fitted: FittedStep[], rows: Int32Array, onLoss?: LossSink): Promise<AppliedSteps> {
    const out = applySteps(fitted, selectRows(await this.readDataset(dataset), rows), 'train', undefined, onLoss);
    return { table: out.table, rowMap: Int32Array.from(out.rowMap, (r) => rows[r]) };
  }

  async close(): Promise<void> {
    this.raw.clear();
  }
}
