// Retraining `with_actuals`: the model's dataset as an engine sees it, with the labelled
// predictions appended after the file's rows. Every other engine operation is the memory
// engine's on that longer table, so the appended rows go through the same steps as dataset rows;
// a split decides its parts on the file's rows alone (by the run's own engine, so the holdout is
// the rows production was judged on) and the appended rows that reach it join its train part.
import type { Step } from '../language/ast';
import type { DatasetInfo, SplitInfo } from '../checker/checked-model';
import type { Table } from '../data/table';
import type { Engine } from '../engine/engine';
import { MemoryEngine } from '../engine/memory-engine';
import { fitSteps, type LossSink } from '../transforms/fit-steps';
import { concatTables } from '../transforms/table-ops';

export class LabelledRowsEngine extends MemoryEngine {
  private joined?: Promise<Table>;

  constructor(private readonly inner: Engine, private readonly dataset: string, private readonly rows: Table) {
    super();
  }

  override readDataset(dataset: DatasetInfo): Promise<Table> {
    if (dataset.name !== this.dataset) return this.inner.readDataset(dataset);
    this.joined ??= this.inner.readDataset(dataset).then((t) => concatTables([t, this.rows]));
    return this.joined;
  }

  override async splitRows(dataset: DatasetInfo, pre: Step[], split: SplitInfo, onLoss?: LossSink): Promise<Record<string, Int32Array>> {
    const parts = await this.inner.splitRows(dataset, pre, split, onLoss);
    if (dataset.name !== this.dataset) return parts;
    const fileRows = (await this.inner.readDataset(dataset)).rowCount;
    // The appended rows the steps before the split keep (its filters), in order after the file's.
    const reached = fitSteps(pre, await this.readDataset(dataset)).result.rowMap.filter((r) => r >= fileRows);
    const train = new Int32Array(parts.train.length + reached.length);
    train.set(parts.train);
    train.set(reached, parts.train.length);
    return { ...parts, train };
  }
}
