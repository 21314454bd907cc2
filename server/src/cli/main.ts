// The `narml` command line: dispatches to the commands of the checker and of the runner.
import { checkCommands } from './check-command';
import { registryCommands } from './registry-commands';
import { runnerCommands } from './runner-commands';
import { schedulerCommands } from './scheduler-command';
import { serveCommands } from './serve-command';
import { UsageError, type CliCommand } from './command';

const commands: Record<string, CliCommand> = { ...checkCommands, ...runnerCommands, ...schedulerCommands, ...serveCommands, ...registryCommands };

function usage(): string {
  const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(48)} ${c.summary}`);
  return `usage: narml <command> [options]\n\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    process.stdout.write('narml 0.1.0\n');
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`narml: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`narml ${name}: ${e.message}\nusage: narml ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`narml ${name}: internal error: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => { process.stderr.write(`narml: ${String(e)}\n`); process.exitCode = 1; },
);
