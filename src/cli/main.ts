// The `halfspace` command line: dispatches to one module per command. Nothing else imports it.

import { readFileSync } from 'node:fs';
import { benchCommand, benchHelp } from './commands/bench.js';
import { parityHelp, runParity } from './commands/parity.js';
import { pathsCommand, pathsHelp } from './commands/paths.js';
import { demoCommand, demoHelp } from './commands/demo.js';
import { regionsCommand, regionsHelp } from './commands/regions.js';
import { experimentCommand, experimentHelp } from './commands/experiment.js';
import { evalCommand, evalHelp, trainCommand, trainHelp } from './commands/train.js';
import { importCommand, importHelp } from './commands/import.js';
import { exportCommand, exportHelp } from './commands/export.js';

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const HELP = `halfspace: a pure-TypeScript tensor engine and the reference implementation of
Deep Linearly Gated Networks (Yadav, Ramaswamy, Lakshminarayanan, 2024).

usage: halfspace <command> [options]      (halfspace <command> --help for its options)

commands:
  demo      start here: train a DLGN and a ReLU net, read the DLGN's paths, draw its regions
  train     train a model on a built-in 2-D data set or a CSV file; writes model.json, metrics.json
  eval      loss and accuracy of a checkpoint on a CSV file
  paths     the top paths of an input, their half-space constraints, the decomposition check
  regions   the gating lines and region map of a 2-D model, as an SVG figure
  parity    check the engine against PyTorch fixture files (gradients, trajectories, paths, kernels)
  experiment  run the paper's experiments (E1-E7): reports, figures, metrics
  import    a safetensors state dict (from PyTorch: python/halfspace_torch.py) as a checkpoint
  export    a checkpoint as safetensors (for PyTorch) or ONNX
  bench     time one training step (npm run bench compares with peers)
  version   print the version
  help      this text
`;

interface Command {
  help: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  demo: { help: demoHelp, run: demoCommand },
  train: { help: trainHelp, run: trainCommand },
  eval: { help: evalHelp, run: evalCommand },
  bench: { help: benchHelp, run: benchCommand },
  paths: { help: pathsHelp, run: pathsCommand },
  regions: { help: regionsHelp, run: regionsCommand },
  experiment: { help: experimentHelp, run: experimentCommand },
  import: { help: importHelp, run: importCommand },
  export: { help: exportHelp, run: exportCommand },
  parity: {
    help: parityHelp,
    async run(argv) {
      const results = runParity(argv, (line) => process.stdout.write(`${line}\n`));
      return results.every((r) => r.ok) ? 0 : 1;
    },
  },
};

/** Runs the CLI on `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  if (cmd === 'version' || cmd === '--version' || cmd === '-v') {
    process.stdout.write(`halfspace ${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[cmd];
  if (!command) {
    process.stderr.write(`halfspace: unknown command '${cmd}'\n\n${HELP}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    process.stderr.write(`halfspace ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
