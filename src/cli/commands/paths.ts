// `halfspace paths`: the top paths of one input, with their half-space constraints and the decomposition check.

import { loadCheckpoint } from '../../node/checkpoint.js';
import type { Model } from '../../models/families.js';
import { type Path, pathCount, topPaths, verifyDecomposition } from '../../paths/decompose.js';
import { constraintsForPathId, formatConstraint } from '../../paths/regions.js';
import { Tensor } from '../../tensor/tensor.js';
import { Flags, parseArgs } from '../args.js';

export const pathsHelp = `halfspace paths --checkpoint model.json --x 0.3,-0.2 [--top 8] [--json]

Prints the top paths of the input x by |contribution| (the largest over outputs): each path's
id ([startLayer, startIndex, unit...], docs/fixtures.md), value, activity and contribution, and for
DLGNs the half-space constraints that make the path active (one per unit it visits). Ends with
the decomposition check: the sum over every path equals the network's output.`;

const fmt = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));
const vec = (a: ArrayLike<number>): string => `[${Array.from(a, fmt).join(', ')}]`;

/** Describes where a path starts, in words. */
function startOf(model: Model, p: Path): string {
  const L = model.config.widths.length;
  const [s, i] = p.id;
  if (model.config.kind === 'dlgn-vt') return 'value tensor entry';
  if (s === 0) return `input x${i + 1}`;
  if (s === L + 1) return 'output bias';
  return `bias of layer ${s}`;
}

export async function pathsCommand(argv: string[]): Promise<number> {
  const f = new Flags(parseArgs(argv, ['json', 'help']), 'paths');
  const ckpt = f.string('checkpoint');
  const xs = f.numberList('x');
  const k = f.number('top', 8, 'positive-int');
  const json = f.has('json');
  f.rejectUnknown();
  if (ckpt === undefined) throw new Error('paths: --checkpoint FILE is required');
  if (xs === undefined) throw new Error('paths: --x v1,v2,... is required (one input)');
  const { model } = loadCheckpoint(ckpt);
  const d = model.config.inputDim;
  if (xs.length !== d) throw new Error(`paths: --x has ${xs.length} values, the model takes ${d} inputs`);
  const x = Tensor.fromArray(Float64Array.from(xs), [1, d]);
  const top = topPaths(model, x, k);
  const check = verifyDecomposition(model, x);
  const out = model.forward(x).value.values();
  const halfspaceKinds = model.config.kind === 'dlgn' || model.config.kind === 'dlgn-vt';
  const names = Array.from({ length: d }, (_, i) => `x${i + 1}`);

  if (json) {
    const rows = top.map((p) => ({
      id: p.id,
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
  lines.push(`top ${top.length} paths by |contribution|:`);
  top.forEach((p, j) => {
    lines.push(`${String(j + 1).padStart(3)}. id ${JSON.stringify(p.id)} (starts at ${startOf(model, p)})`);
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
