// Pipeline-shaped lineage graphs of any size for layout tests and benchmarks: groups of
// dataset → transform → split → two models → evaluations, a comparison, a predict and an export;
// every tenth group also reads a shared lookup table (so parts of several sizes exist).
export interface GraphNode { name: string; kind: string; dependsOn: string[] }

export function pipelineGraph(size: number, connected = false): GraphNode[] {
  const nodes: GraphNode[] = [{ name: 'lookup', kind: 'dataset', dependsOn: [] }];
  const add = (name: string, kind: string, ...dependsOn: string[]): void => { nodes.push({ name, kind, dependsOn }); };
  for (let g = 0; nodes.length < size; g++) {
    add(`data_${g}`, 'dataset');
    add(`clean_${g}`, 'transform', `data_${g}`, ...(connected || g % 10 === 0 ? ['lookup'] : []));
    add(`parts_${g}`, 'split', `clean_${g}`);
    add(`forest_${g}`, 'model', `parts_${g}`);
    add(`logistic_${g}`, 'model', `parts_${g}`);
    add(`forest_${g}_on_test`, 'evaluate', `forest_${g}`, `parts_${g}`);
    add(`logistic_${g}_on_test`, 'evaluate', `logistic_${g}`, `parts_${g}`);
    add(`pick_${g}`, 'compare', `forest_${g}`, `logistic_${g}`, `parts_${g}`);
    add(`nightly_${g}`, 'predict', `forest_${g}`);
    add(`onnx_${g}`, 'export', `logistic_${g}`);
  }
  return nodes.slice(0, size);
}
