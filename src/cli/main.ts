// The `halfspace` command line: dispatches to one module per command. Nothing else imports it.
// Exit status: 0 success, 1 failure (bad data, a failed check), 2 usage (unknown command or
// option, a missing or malformed option value).

import { readFileSync } from 'node:fs';
import { type CommandSpec, Flags, UsageError, didYouMean, parseArgs } from './args.js';
import { clipText } from '../tensor/errors.js';
import { benchSpec } from './commands/bench.js';
import { makeCompletionSpec } from './commands/completion.js';
import { demoSpec } from './commands/demo.js';
import { experimentSpec } from './commands/experiment.js';
import { paritySpec } from './commands/parity.js';
import { pathsSpec } from './commands/paths.js';
import { playgroundSpec } from './commands/playground.js';
import { regionsSpec } from './commands/regions.js';
import { treeSpec } from './commands/tree.js';
import { evalSpec, trainSpec } from './commands/train.js';
import { exportSpec } from './commands/export.js';
import { importSpec } from './commands/import.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Every command, in the order the help lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  demoSpec,
  trainSpec,
  evalSpec,
  pathsSpec,
  regionsSpec,
  treeSpec,
  paritySpec,
  experimentSpec,
  importSpec,
  exportSpec,
  benchSpec,
  playgroundSpec,
  makeCompletionSpec(() => COMMANDS),
];

/** Words that are not commands of the table but are understood. */
const BUILTINS = ['help', 'version'];

function helpText(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), ...BUILTINS.map((b) => b.length)) + 2;
  const row = (name: string, summary: string): string => `  ${name.padEnd(width)}${summary}`;
  return `halfspace: a pure-TypeScript tensor engine and the reference implementation of
Deep Linearly Gated Networks (Yadav, Ramaswamy, Lakshminarayanan, 2024).

usage: halfspace <command> [options]      (halfspace <command> --help for its options)

commands:
${COMMANDS.map((c) => row(c.name, c.summary)).join('\n')}
${row('version', 'print the version')}
${row('help', 'this text')}

Progress goes to stderr, results to stdout; --json gives results as JSON where a script wants them.
Exit status: 0 success, 1 failure, 2 usage error.
`;
}

/** `halfspace train: ` once, even when a message already starts with the command's name. */
function message(cmd: string, e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.startsWith(`${cmd}: `) ? text.slice(cmd.length + 2) : text;
}

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    const topic = cmd === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    process.stdout.write(topic ? `${topic.help}\n` : helpText());
    return 0;
  }
  if (cmd === 'version' || cmd === '--version' || cmd === '-v') {
    process.stdout.write(`halfspace ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === cmd);
  if (!command) {
    const hint = didYouMean(cmd, [...COMMANDS.map((c) => c.name), ...BUILTINS]);
    process.stderr.write(`halfspace: unknown command '${clipText(cmd)}'${hint}\n(see 'halfspace --help' for the list)\n`);
    return 2;
  }
  // --help anywhere before a `--` asks for the command's help
  const beforeDashes = rest.indexOf('--') >= 0 ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.includes('--help') || beforeDashes.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    const flags = new Flags(parseArgs(rest, command), command);
    return await command.run(flags, rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`halfspace ${cmd}: ${message(cmd, e)}\n(see 'halfspace ${cmd} --help')\n`);
      return 2;
    }
    process.stderr.write(`halfspace ${cmd}: ${message(cmd, e)}\n`);
    return 1;
  }
}
