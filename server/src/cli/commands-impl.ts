// What the commands load when they run: the checker, runner, store and scheduler. The build
// bundles this module apart (dist/cli-commands.js), so the main thread of `run`, which only
// starts the worker, compiles a small dist/cli.js; the run's worker thread and a quick
// `predict` load this same bundle (one program, so one code version for reusing models).
export { fmt, loadChecked, type CliOutput } from './run-command';
export { checkAndRun } from './run-request';
export { runHere } from './run-here';
export { CsvSchemaCache } from '../data/csv-schema-cache';
export { checkWithFullSchemas, readPipelineFile, UnreadableFileError } from '../checker/check-files';
export { hasErrors } from '../checker/checked-model';
export { diagnosticJson } from '../checker/diagnostic';
export { PipelineData } from '../runner/pipeline-data';
export { engineFor } from '../engine/engine-for';
export { previewTable } from '../runner/preview';
export { parse } from '../language/parser';
export { failedRun, planErrors } from '../runner/run-pipeline';
export { fireAllOnce, runScheduler, scheduledJobs } from '../scheduler/scheduler';
export { jobStatuses, recordPause } from '../scheduler/state';
export { readExperiments } from '../store/experiments';
export { driftCompared, readMonitorTrends } from '../store/monitor-reports';
export { unseenClassesText } from '../runner/actuals';
export { expandRun, readStoreData, RunStore, storeDir } from '../store/run-store';
export { StoredSchemaCache } from '../store/stored-schemas';
export { NothingToServeError, servedModelsFromStore } from '../serve/store-models';
export { ServeError, startServing } from '../serve/http-server';
export { deleteVersion, diffVersions, promote, readRegistry, RegistryError, rollback, StoreRegistrySource } from '../store/registry';
export { readAudit } from '../store/audit-log';
export { WriteError } from '../store/atomic-write';
export { listeningText, parsePort, untilSignalled } from '../serve/serve-process';
export { appendAudit } from '../store/audit-log';
