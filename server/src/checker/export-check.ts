// Can ONNX (or Python, or PMML) express a model's transform steps? Answered by the exporter itself, not by
// a copy of its rules: the model's chain of steps, with stand-in parameters from the checked
// schemas, is exported with a zero linear model, and the exporter's refusal (text compared with text,
// length(), a cast it has no operator for) becomes the check's message.
import type { Step } from '../language/ast';
import type { TableSchema } from '../language/schema';
import type { ExportFormat } from '../ml/catalog';
import { onnxModel, OnnxExportError, type OnnxExportInput } from '../export/onnx-export';
import { exportPipelineToPmml, PmmlExportError } from '../export/pmml-export';
import { exportPipelineToPython, PythonExportError } from '../export/python-export';
import { placeholderStep } from '../transforms/fit-steps';
import { stepsFor } from '../transforms/needed-steps';
import type { FittedStep } from '../transforms/fitted-step';
import type { ModelInfo } from './checked-model';
import type { Resolver } from './resolver';

/** The steps from the model's dataset to its table, each with the schemas around it; undefined when a schema is unknown. */
function chainOf(table: string, r: Resolver): { step: Step; before: TableSchema; after: TableSchema }[] | undefined {
  const chain: { step: Step; before: TableSchema; after: TableSchema }[] = [];
  let name: string | undefined = table.split('.')[0];
  for (let guard = 0; name && guard < 10_000; guard++) {
    const info = r.info(name);
    if (!info || info.kind === 'dataset') return chain;
    if (info.kind === 'split') { name = info.input.split('.')[0]; continue; }
    if (info.kind !== 'transform' || !info.inputSchema) return undefined;
    const steps: { step: Step; before: TableSchema; after: TableSchema }[] = [];
    for (let i = 0; i < info.steps.length; i++) {
      const before = i === 0 ? info.inputSchema : info.stepSchemas[i - 1];
      const after = info.stepSchemas[i];
      if (!before || !after) return undefined;
      steps.push({ step: info.steps[i], before, after });
    }
    chain.unshift(...steps);
    name = info.input.split('.')[0];
  }
  return undefined;
}

const EXPORTERS: Record<ExportFormat, (input: OnnxExportInput) => unknown> = { onnx: onnxModel, py: exportPipelineToPython, pmml: exportPipelineToPmml };

/** Why the exporter of `format` would refuse the model's steps, if it would. */
export function exportStepProblem(model: ModelInfo, r: Resolver, format: ExportFormat): string | undefined {
  const chain = chainOf(model.input, r);
  if (!chain || !model.task) return undefined;
  const steps: FittedStep[] = [];
  for (const { step, before, after } of chain) {
    const placeholder = placeholderStep(step, before, after);
    if (!placeholder) return undefined; // levels only the data will tell: nothing to prove here
    steps.push(...placeholder);
  }
  const classes = model.task === 'classification' ? model.classes ?? ['false', 'true'] : undefined;
  const outputs = classes && classes.length > 2 ? classes.length : 1;
  try {
    EXPORTERS[format]({
      name: model.name, inputColumns: model.inputColumns, steps: stepsFor(steps, model.features.map((f) => f.name)),
      model: {
        algorithm: 'linear', task: model.task, ...(classes ? { classes } : {}), featureNames: model.features.map((f) => f.name),
        params: { kind: 'linear', coef: Array.from({ length: outputs }, () => model.features.map(() => 0)), intercept: new Array<number>(outputs).fill(0), link: classes ? (outputs > 1 ? 'softmax' : 'logistic') : 'identity' },
      },
    });
    return undefined;
  } catch (e) {
    if (e instanceof OnnxExportError || e instanceof PythonExportError || e instanceof PmmlExportError) return e.message;
    throw e;
  }
}
