// One CLI command: its usage line and what it does. Exit codes follow spec §7:
// 0 success, 1 the pipeline has errors or a run failed, 2 bad usage or unreadable input.
export interface CliCommand {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number>;
}

/** Bad usage or unreadable input: the CLI prints the message and exits 2. */
export class UsageError extends Error {}

/** A command's arguments: positional ones in order, and flags by name (a switch maps to true). */
export interface ParsedArgs { positional: string[]; flags: Map<string, string | true> }

/** `valued` flags take a value (`--key value` or `--key=value`), `switches` none; any other option is bad usage. */
export function parseArgs(args: string[], valued: string[], switches: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) { positional.push(a); continue; }
    if (!a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    const [key, inline] = a.slice(2).split('=', 2);
    if (valued.includes(key)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new UsageError(`--${key} needs a value`);
      flags.set(key, v);
    } else if (switches.includes(key)) flags.set(key, true);
    else throw new UsageError(`unknown option --${key}`);
  }
  return { positional, flags };
}
