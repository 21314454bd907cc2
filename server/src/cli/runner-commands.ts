// Placeholder until the runner's commands land (owned by the runner engineer).
import type { CliCommand } from './command';
export const runnerCommands: Record<string, CliCommand> = {};
