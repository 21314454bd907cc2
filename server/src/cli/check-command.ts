// Placeholder until the checker's `narml check` lands (owned by the checker engineer).
import type { CliCommand } from './command';
export const checkCommands: Record<string, CliCommand> = {};
