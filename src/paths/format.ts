// Path ids in words: `x1 -> L1.u1 -> L2.u3`, `bias L1 -> L1.u7 -> L2.u3`, and the one-paragraph
// key to the notation. Browser-safe: the CLI, the demo and the playground print paths with it.

import { type ModelConfig, hasValueTensor, startsAtInput } from '../models/config.js';

/** What the formatter needs of a model: its config (a `Model` has one as `.config`). */
export type PathFormatTarget = Pick<ModelConfig, 'kind' | 'inputDim' | 'widths'> & Partial<Pick<ModelConfig, 'bias' | 'valueInput'>>;

export interface FormatPathOptions {
  /** Names of the inputs (default `x1`..`xd`, as the half-space constraints name them). */
  inputNames?: readonly string[];
  /** The arrow between steps (default ` -> `; the playground may pass ` → `). */
  arrow?: string;
}

function invalid(id: readonly number[], why: string): Error {
  return new Error(`formatPathId: invalid path id [${Array.from(id).join(', ')}]: ${why}`);
}

/**
 * A path id (`[startLayer, startIndex, unit...]`, see `PathId`) in words and arrows:
 *
 * - an input start: `x1 -> L1.u1 -> L2.u3` (the value input is x), or `1(x1) -> L1.u1 -> L2.u3`
 *   (the DLGN default: the value input is all ones, so the path carries the constant 1 that stands
 *   in place of x1; x still decides, through the gates, whether the path is on);
 * - a bias start: `bias L1 -> L1.u7 -> L2.u3` (the bias of hidden layer 1, then its unit 7);
 * - the output bias: `bias out`;
 * - a dlgn-vt path (`[0, 0, i_1..i_L]`): `L1.u3 -> L2.u5`, its value is V[c, 3, 5].
 *
 * Layers count from 1 (`L1` is the first hidden layer), units from 0 as in the raw id and in the
 * constraints' `(layer 1, unit 3)`, inputs from 1 as in `x1`. The id is checked against the model.
 *
 * @example
 * ```ts
 * formatPathId([0, 0, 1, 3], { kind: 'dlgn', inputDim: 2, widths: [8, 8], valueInput: 'input' }); // 'x1 -> L1.u1 -> L2.u3'
 * formatPathId([1, -1, 7, 3], model.config); // 'bias L1 -> L1.u7 -> L2.u3'
 * ```
 */
export function formatPathId(id: readonly number[], model: PathFormatTarget, options: FormatPathOptions = {}): string {
  const arrow = options.arrow ?? ' -> ';
  const L = model.widths.length;
  const d = model.inputDim;
  if (options.inputNames !== undefined && options.inputNames.length !== d) {
    throw new Error(`formatPathId: ${options.inputNames.length} input names for a model with ${d} inputs`);
  }
  if (!Array.isArray(id) || id.length < 2 || !id.every((v) => Number.isInteger(v))) throw invalid(id, 'expected integers [startLayer, startIndex, unit...]');
  const [s, start] = id;
  const units = id.slice(2);
  const first = s === 0 ? 1 : s;
  if (s < 0 || s > L + 1) throw invalid(id, `startLayer must be in 0..${L + 1}`);
  if (units.length !== L - first + 1) throw invalid(id, `a path starting at layer ${s} visits ${L - first + 1} units, got ${units.length}`);
  const steps = units.map((u, k) => {
    const layer = first + k;
    if (u < 0 || u >= model.widths[layer - 1]) throw invalid(id, `unit ${u} is out of range for layer ${layer} of width ${model.widths[layer - 1]}`);
    return `L${layer}.u${u}`;
  });
  if (hasValueTensor(model.kind)) {
    if (s !== 0 || start !== 0) throw invalid(id, 'dlgn-vt ids are [0, 0, i_1, ..., i_L]');
    return steps.join(arrow);
  }
  let head: string;
  if (s === 0) {
    if (start < 0 || start >= d) throw invalid(id, `startIndex must be in 0..${d - 1} for an input start`);
    const name = options.inputNames?.[start] ?? `x${start + 1}`;
    head = startsAtInput(model) ? name : `1(${name})`;
  } else {
    if (model.bias === false) throw invalid(id, 'the model has no biases, so no path starts at a bias');
    if (start !== -1) throw invalid(id, 'startIndex is -1 for a bias start');
    head = s === L + 1 ? 'bias out' : `bias L${s}`;
  }
  return [head, ...steps].join(arrow);
}

/**
 * The key to `formatPathId`'s notation for this model: a few short lines of plain text, printed
 * once above a list of paths.
 */
export function pathNotation(model: PathFormatTarget): string {
  const L = model.widths.length;
  const units = '  Ll.uj     unit j of hidden layer l (layers count from 1, units from 0 as in the raw id)';
  if (hasValueTensor(model.kind)) {
    return [
      `How to read a path: ${L > 1 ? 'L1.u3 -> L2.u5' : 'L1.u3'} visits one gating unit per hidden layer`,
      units,
      '  its value is the value tensor entry V[c, i, ..., k] of the units it visits',
    ].join('\n');
  }
  const example = formatPathId([0, 0, ...model.widths.map(() => 0)], model);
  const start = startsAtInput(model)
    ? '  xi        starts at input i and carries x_i'
    : '  1(xi)     starts at position i of the all-ones value input: it carries 1, x acts through the gates';
  return [
    `How to read a path: ${example} runs from its start through one unit per layer (->)`,
    start,
    '  bias Ll   starts at the bias of hidden layer l; "bias out" is the output bias alone',
    units,
  ].join('\n');
}
