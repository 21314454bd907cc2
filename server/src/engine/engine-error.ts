// An engine's refusal, with a message that names what is wrong and how to fix it. The runner
// reports it as it reports its own errors (RunError extends it).
export class EngineError extends Error {}
