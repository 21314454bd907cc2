// The keys each declaration's body takes, in one table: the checker reports any other key
// (NML116) and the editor completes exactly these.
import type { DeclarationKind } from '../language/ast';

export const SPLIT_PARTS = ['train', 'test', 'validation'] as const;

export const PROPERTY_KEYS = {
  dataset: ['columns', 'missing', 'delimiter', 'header', 'encoding', 'decimal', 'thousands'],
  split: [...SPLIT_PARTS, 'stratify', 'seed', 'key'],
  model: ['target', 'algorithm', 'features', 'exclude', 'resample', 'select', 'tune', 'cv', 'ensemble', 'calibrate', 'class_weight'],
  evaluate: ['metrics', 'threshold', 'cv', 'positive'],
  compare: ['metric', 'test', 'alpha'],
  predict: ['output', 'schedule', 'retries', 'notify'],
  monitor: ['baseline', 'current', 'drift', 'actuals', 'time', 'window', 'min_rows', 'alert', 'retrain', 'schedule', 'notify'],
  export: [],
  engine: [],
} as const satisfies Record<Exclude<DeclarationKind, 'transform'>, readonly string[]>;
