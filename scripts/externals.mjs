// The packages the bundles leave to node_modules (scripts/build.mjs) and, of those, the ones the
// server and CLI load at run time, which a platform .vsix carries (scripts/package-platform.mjs).
// onnxruntime-node only verifies exported models in tests (docs/decisions/0003); vscode is the host's.
export const RUNTIME_EXTERNALS = ['@duckdb/node-api'];
export const EXTERNALS = ['vscode', 'onnxruntime-node', ...RUNTIME_EXTERNALS];
