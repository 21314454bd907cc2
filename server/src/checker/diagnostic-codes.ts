// The diagnostic codes of spec §5, in one table. Quick fixes and tests key on these constants.

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export const CODES = {
  NML001: { severity: 'error', title: 'syntax error' },
  NML100: { severity: 'error', title: 'unknown name' },
  NML101: { severity: 'error', title: 'unknown column' },
  NML102: { severity: 'error', title: 'name declared twice' },
  NML103: { severity: 'error', title: 'cycle in the pipeline' },
  NML104: { severity: 'error', title: 'dataset file not found or unreadable' },
  NML105: { severity: 'warning', title: 'values that are not of their column\'s type are read as missing' },
  NML106: { severity: 'warning', title: 'numbers in a format the dataset does not declare are read as text' },
  NML107: { severity: 'warning', title: 'duplicate or empty header name renamed' },
  NML108: { severity: 'warning', title: 'cast turns values that do not parse into missing' },
  NML110: { severity: 'error', title: 'step needs numeric columns' },
  NML111: { severity: 'error', title: 'encode needs a category or boolean column' },
  NML112: { severity: 'error', title: 'expression type error' },
  NML113: { severity: 'error', title: 'model feature is not numeric' },
  NML114: { severity: 'error', title: 'feature may be missing and the algorithm does not allow it' },
  NML115: { severity: 'error', title: 'target missing, dropped, or of no task' },
  NML116: { severity: 'error', title: 'unknown option or bad option value' },
  NML117: { severity: 'error', title: 'algorithm or resampling does not fit the task' },
  NML118: { severity: 'error', title: 'not implemented yet (ensemble kind, export format or exported algorithm)' },
  NML119: { severity: 'error', title: 'auto has no candidate that takes missing values' },
  NML120: { severity: 'error', title: 'metric does not fit the task' },
  NML121: { severity: 'error', title: 'table does not fit the model' },
  NML122: { severity: 'error', title: 'compared models differ in target or task' },
  NML123: { severity: 'error', title: 'classification target with fewer than two classes' },
  NML124: { severity: 'error', title: 'filter keeps no row' },
  NML125: { severity: 'error', title: 'compare test does not judge the metric' },
  NML130: { severity: 'error', title: 'invalid cron expression' },
  NML131: { severity: 'error', title: 'split parts do not add up to 100%' },
  NML140: { severity: 'error', title: 'output path leaves the workspace folder' },
  NML141: { severity: 'error', title: 'output overwrites an input, the pipeline, the run store or another output' },
  NML142: { severity: 'error', title: 'output path is not a usable file path' },
  NML200: { severity: 'warning', title: 'evaluating on training data' },
  NML201: { severity: 'warning', title: 'feature leaks the target' },
  NML202: { severity: 'warning', title: 'unused declaration' },
  NML203: { severity: 'warning', title: 'prediction source no longer matches the model' },
  NML204: { severity: 'warning', title: 'prediction inbox matches no file yet' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type DiagnosticCode = keyof typeof CODES;
