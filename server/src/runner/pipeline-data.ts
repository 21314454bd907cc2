// Where a run's tables come from. Every table name resolves to a *chain*: its root dataset, the
// steps before the nearest split, that split's part, and the steps after it. Split membership
// is decided on the rows that reach the split (steps fitted on all rows); the fitted steps of a
// model are then refit on the training part only and replayed unchanged on every other part.
import type { Step } from '../language/ast';
import type { CheckedPipeline, DatasetInfo, SplitInfo, TransformInfo } from '../checker/checked-model';
import { infoOf } from '../checker/checked-model';
import type { CsvOptions } from '../data/csv-options';
import type { Table } from '../data/table';
import { isStreaming, type Engine, type StreamedTable } from '../engine/engine';
import { EngineError } from '../engine/engine-error';
import type { AppliedSteps, ValueLoss } from '../transforms/fit-steps';
import { isRowStep, type FittedStep } from '../transforms/fitted-step';
import { allRows } from '../transforms/table-ops';

export type { TablesRead } from '../engine/engine';

export class RunError extends EngineError {}

export interface Chain {
  dataset: DatasetInfo;
  /** Steps from the dataset to the split (or to the table when there is no split). */
  pre: Step[];
  split?: { info: SplitInfo; part: string };
  /** Steps after the split part. */
  post: Step[];
}

export class PipelineData {
  private readonly read = new Set<string>();
  private readonly memberships = new Map<string, Promise<Record<string, Int32Array>>>();
  /** Per step, the loss counted over the most rows (a step runs on all rows, then on the training part). */
  private readonly losses = new Map<string, ValueLoss>();
  private readonly noteLoss = (loss: ValueLoss): void => {
    const seen = this.losses.get(loss.step);
    if (!seen || loss.of > seen.of) this.losses.set(loss.step, loss);
  };

  constructor(readonly checked: CheckedPipeline, readonly engine: Engine) {}

  chain(tableName: string): Chain {
    // Up through the transforms in a loop (a chain of 20,000 transforms must not recurse), to
    // the dataset or the split part they start from; a split recurses once, for its own input.
    const transforms: TransformInfo[] = [];
    let base: Chain;
    for (let name = tableName; ;) {
      const [root, part] = name.split('.');
      const split = infoOf(this.checked, root, 'split');
      if (split) {
        if (!part) throw new RunError(`"${root}" is a split; name one of its parts`);
        const upstream = this.chain(split.input);
        if (upstream.split) throw new RunError(`split "${root}" reads from a part of split "${upstream.split.info.name}"; splitting a split part is not supported yet: split once`);
        base = { dataset: upstream.dataset, pre: upstream.pre, split: { info: split, part }, post: [] };
        break;
      }
      const dataset = infoOf(this.checked, root, 'dataset');
      if (dataset) {
        base = { dataset, pre: [], post: [] };
        break;
      }
      const transform = infoOf(this.checked, root, 'transform');
      if (!transform) throw new RunError(`unknown table "${name}"`);
      transforms.push(transform);
      name = transform.input;
    }
    const steps = transforms.reverse().flatMap((t) => t.steps);
    return base.split ? { ...base, post: [...base.post, ...steps] } : { ...base, pre: [...base.pre, ...steps] };
  }

  rawTable(dataset: DatasetInfo): Promise<Table> {
    this.read.add(dataset.name);
    return this.engine.readDataset(dataset);
  }

  /** The datasets this run has loaded (from their files or as the check read them). */
  datasetsRead(): string[] {
    return [...this.read];
  }

  /** A file to predict on, read with `options` (or as the check already read it); see Engine.readFile for `passThrough`. */
  fileTable(pattern: string, options: CsvOptions, passThrough?: (name: string) => boolean): Promise<Table> {
    return this.engine.readFile(pattern, options, passThrough);
  }

  /**
   * A predict's source left in a streaming engine (a table's raw rows, or a file), or undefined
   * when the engine does not stream or only the CSV reader can type the file.
   */
  async sourceStreamed(source: { kind: 'file'; path: string } | { kind: 'table'; name: string }, like: DatasetInfo): Promise<StreamedTable | undefined> {
    if (!isStreaming(this.engine)) return undefined;
    if (source.kind === 'file') return this.engine.fileStreamed(source.path, like.options, like);
    const chain = this.chain(source.name);
    this.read.add(chain.dataset.name);
    return this.engine.rowsStreamed(chain.dataset, await this.rawRows(chain));
  }

  /** Raw dataset rows of each part of a split. */
  membership(split: SplitInfo): Promise<Record<string, Int32Array>> {
    let m = this.memberships.get(split.name);
    if (!m) {
      const chain = this.chain(split.input);
      this.read.add(chain.dataset.name);
      m = this.engine.splitRows(chain.dataset, chain.pre, split, this.noteLoss);
      this.memberships.set(split.name, m);
    }
    return m;
  }

  /** Raw rows a table is made of (before its own row steps). */
  async rawRows(chain: Chain): Promise<Int32Array> {
    if (!chain.split) {
      this.read.add(chain.dataset.name);
      return allRows(await this.engine.rowCount(chain.dataset));
    }
    const parts = await this.membership(chain.split.info);
    const rows = parts[chain.split.part];
    if (!rows) throw new RunError(`split "${chain.split.info.name}" has no part "${chain.split.part}"`);
    return rows;
  }

  /** The raw rows a table is made of, with the raw columns (before its own row steps). */
  async rawRowsTable(chain: Chain): Promise<Table> {
    this.read.add(chain.dataset.name);
    return this.engine.readRows(chain.dataset, await this.rawRows(chain));
  }

  /**
   * Fits a table's steps on its training rows: the train part of its split (when the table is a
   * part or derives from one), else all its rows.
   */
  async fitChain(chain: Chain): Promise<{ fitted: FittedStep[]; trainRows: Int32Array; train: AppliedSteps }> {
    const { steps, trainRows } = await this.training(chain);
    const { fitted, result } = await this.engine.fitSteps(chain.dataset, steps, trainRows, this.noteLoss);
    return { fitted, trainRows, train: result };
  }

  /** `fitChain` with the training table left in the engine, which must stream (isStreaming). */
  async fitChainStreamed(chain: Chain): Promise<{ fitted: FittedStep[]; trainRows: Int32Array; train: StreamedTable }> {
    if (!isStreaming(this.engine)) throw new RunError(`the ${this.engine.name} engine cannot stream a table`);
    const { steps, trainRows } = await this.training(chain);
    const { fitted, result } = await this.engine.fitStepsStreamed(chain.dataset, steps, trainRows, this.noteLoss);
    return { fitted, trainRows, train: result };
  }

  /** A table's training rows and the steps fitted on them. */
  private async training(chain: Chain): Promise<{ steps: Step[]; trainRows: Int32Array }> {
    const trainChain: Chain = chain.split ? { ...chain, split: { info: chain.split.info, part: 'train' } } : chain;
    const trainRows = await this.rawRows(trainChain);
    // The split's membership already applied the row steps before it; applied again with steps
    // refit on the train part (a filter after a scale) they would drop rows a second time.
    const pre = chain.split ? chain.pre.filter((s) => !isRowStep(s)) : chain.pre;
    return { steps: [...pre, ...chain.post], trainRows };
  }

  /**
   * The split's validation part through steps fitted on its train part, when `chain` is that
   * train part (or a table made from it) and the split has a validation part.
   */
  async validationPart(chain: Chain, fitted: FittedStep[]): Promise<Table | undefined> {
    if (chain.split?.part !== 'train' || !chain.split.info.parts.some((p) => p.part === 'validation')) return undefined;
    const rows = (await this.membership(chain.split.info)).validation;
    return (await this.engine.applySteps(chain.dataset, fitted, rows, this.noteLoss)).table;
  }

  /** A table as its declaration produces it (steps fitted on the training rows). */
  async table(tableName: string): Promise<Table> {
    return (await this.prepared(tableName)).table;
  }

  /**
   * The raw dataset rows of the rows a table keeps (its row steps applied, e.g. a filter on a
   * split part), with the raw columns: what a model's own steps are replayed on to score it.
   */
  async rawRowsKept(tableName: string): Promise<Table> {
    const chain = this.chain(tableName);
    return this.engine.readRows(chain.dataset, (await this.prepared(tableName)).rowMap);
  }

  /**
   * `rawRowsKept` left in a streaming engine. Without a row step after the split (or the
   * dataset) every raw row of the table is kept, so no step is applied to know which.
   */
  async rawRowsKeptStreamed(tableName: string): Promise<StreamedTable> {
    if (!isStreaming(this.engine)) throw new RunError(`the ${this.engine.name} engine cannot stream a table`);
    const chain = this.chain(tableName);
    this.read.add(chain.dataset.name);
    const { steps } = await this.training(chain);
    const rows = steps.some(isRowStep) ? (await this.prepared(tableName)).rowMap : await this.rawRows(chain);
    return this.engine.rowsStreamed(chain.dataset, rows);
  }

  /** A table as its declaration produces it, with the raw dataset row of each of its rows. */
  async prepared(tableName: string): Promise<AppliedSteps> {
    const chain = this.chain(tableName);
    const { fitted } = await this.fitChain(chain);
    const rows = await this.rawRows(chain);
    this.read.add(chain.dataset.name);
    return this.engine.applySteps(chain.dataset, fitted, rows, this.noteLoss);
  }

  /** Cells that steps could not convert, so far in this run. */
  valueLosses(): ValueLoss[] {
    return [...this.losses.values()];
  }
}
