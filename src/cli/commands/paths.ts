// `halfspace paths`: the top paths of one input, with their half-space constraints and the decomposition check.

import { hasHalfspaceGates } from '../../models/config.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { pathCount, topPaths, verifyDecomposition } from '../../paths/decompose.js';
import { formatPathId, pathNotation } from '../../paths/format.js';
import { constraintsForPathId, formatConstraint } from '../../paths/constraints.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError } from '../args.js';

/** The largest --top: k = 1000 takes ~2.5 s on a 2-[64x4]-2 net, k = 10000 minutes. */
export const MAX_TOP = 1000;

export const pathsHelp = `halfspace paths --checkpoint model.json --x 0.3,-0.2 [--top 8] [--json]

Prints the top paths of the input x by |contribution| (the largest over outputs). Each path is
written in words and arrows, e.g. x1 -> L1.u0 -> L2.u3 (input x1, then unit 0 of hidden layer 1,
then unit 3 of hidden layer 2) or bias L1 -> L1.u7 -> L2.u3 (from the bias of hidden layer 1);
the output explains the notation once. Then its raw id ([startLayer, startIndex, unit...], docs/fixtures.md), value,
activity and contribution, and for DLGNs the half-space constraints that make the path active (one
per unit it visits). Ends with the decomposition check: the sum over every path equals the
network's output. --json prints the same as one object (keys in docs/cli.md). --top is at most
${MAX_TOP} (the search's cost grows with k; topPaths in the library has no cap).`;

const fmt = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));
const vec = (a: ArrayLike<number>): string => `[${Array.from(a, fmt).join(', ')}]`;

const PATHS_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', value: 'FILE', path: 'file' },
  { name: 'x', value: 'V1,V2,...' },
  { name: 'top', value: 'K' },
  { name: 'json' },
];

async function pathsCommand(f: Flags): Promise<number> {
  const ckpt = f.required('checkpoint', 'FILE');
  const xs = f.numberList('x');
  const k = f.number('top', 8, 'positive-int');
  if (k > MAX_TOP) throw new UsageError(`--top ${k} is over the cap of ${MAX_TOP} (the top-k search costs grow with k; call topPaths from the library for more)`);
  const json = f.has('json');
  if (xs === undefined) throw new UsageError('--x V1,V2,... is required (one input)');
  const { model } = loadCheckpoint(ckpt);
  const d = model.config.inputDim;
  if (xs.length !== d) throw new UsageError(`--x has ${xs.length} values, the model takes ${d} inputs`);
  const x = Tensor.fromArray(Float64Array.from(xs), [1, d]);
  const top = topPaths(model, x, k);
  const check = verifyDecomposition(model, x);
  const out = model.forward(x).value.values();
  const halfspaceKinds = hasHalfspaceGates(model.config.kind);
  const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);

  if (json) {
    const rows = top.map((p) => ({
      id: p.id,
      path: formatPathId(p.id, model.config),
      value: Array.from(p.value),
      activity: p.activity,
      contribution: Array.from(p.contribution),
      constraints: halfspaceKinds ? constraintsForPathId(model, p.id).map((c) => formatConstraint(c, names, 4)) : null,
    }));
    process.stdout.write(
      `${JSON.stringify({ x: xs, output: Array.from(out), pathCount: pathCount(model).toString(), top: rows, decomposition: check }, null, 2)}\n`,
    );
    return 0;
  }

  const lines: string[] = [];
  lines.push(`${model.toString().split('\n')[0]}`);
  lines.push(`input x = ${vec(xs)}; output = ${vec(out)}; ${pathCount(model)} paths per output`);
  lines.push('');
  lines.push(pathNotation(model.config));
  lines.push('');
  lines.push(`top ${top.length} paths by |contribution|:`);
  top.forEach((p, j) => {
    lines.push(`${String(j + 1).padStart(3)}. ${formatPathId(p.id, model.config)}   (id ${JSON.stringify(p.id)})`);
    lines.push(`     value ${vec(p.value)}  activity ${fmt(p.activity)}  contribution ${vec(p.contribution)}`);
    if (halfspaceKinds) {
      const cs = constraintsForPathId(model, p.id);
      if (cs.length === 0) lines.push('     active everywhere (visits no gated unit)');
      for (const c of cs) lines.push(`     active where ${formatConstraint(c, names)}`);
    }
  });
  if (!halfspaceKinds) {
    lines.push('');
    lines.push(`(a ${model.config.kind} network's gates are not half-spaces of the input, so paths have no half-space constraints)`);
  }
  lines.push('');
  lines.push(
    `decomposition check (${check.method}): max |sum over paths - forward| = ${check.maxAbsError.toExponential(2)} ` +
      `(relative ${check.maxRelError.toExponential(2)})`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

export const pathsSpec: CommandSpec = {
  name: 'paths',
  summary: 'the top paths of an input, their half-space constraints, the decomposition check',
  help: pathsHelp,
  options: PATHS_OPTIONS,
  run: pathsCommand,
};
