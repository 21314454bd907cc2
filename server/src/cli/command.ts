// One CLI command: its usage line and what it does. Exit codes follow spec §7:
// 0 success, 1 the pipeline has errors or a run failed, 2 bad usage or unreadable input.
export interface CliCommand {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Bad usage or unreadable input: the CLI prints the message and exits 2. */
export class UsageError extends Error {}
