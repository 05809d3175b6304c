// Gate patterns of gated linear networks: the hard-gate pattern at each point, its key, and the number of active paths it leaves.

import { hasValueTensor } from '../models/config.js';
import type { Model } from '../models/families.js';
import type { Tensor } from '../tensor/tensor.js';
import { type GatePattern, checkBatch, checkPattern, patternAt, planesOf, requireHalfspaces } from './planes.js';

export type { GatePattern } from './planes.js';

/**
 * The hard-gate pattern of every sample: for inputs [n, d], `n` patterns, each one Uint8Array per
 * hidden layer with 1[w . x + b > 0] per unit, computed from `halfspaces()`. This is the gate
 * pattern of the model evaluated with `gate: 'hard'` (up to float rounding exactly on a line).
 * Throws for a ReLU net or DGN, whose gates are not half-spaces.
 *
 * @example
 * ```ts
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 1 }, { rng: 1 });
 * const [p] = gatePattern(net, Tensor.from([[0.2, -0.5]]));
 * patternKey(p); // e.g. '0110|101'
 * ```
 */
export function gatePattern(model: Model, x: Tensor): GatePattern[] {
  const p = planesOf(requireHalfspaces('gatePattern', model));
  const xs = checkBatch('gatePattern', x, p.d);
  const n = x.shape[0];
  const out: GatePattern[] = [];
  for (let s = 0; s < n; s++) out.push(patternAt(p, xs, s * p.d));
  return out;
}

/** A compact string for a pattern, layers separated by '|': `'0110|101'`. Equal patterns, equal keys. */
export function patternKey(pattern: readonly ArrayLike<number>[]): string {
  // a plain loop: arrangement2D keys every cell, and the page does that every frame
  let key = '';
  for (let l = 0; l < pattern.length; l++) {
    if (l > 0) key += '|';
    const g = pattern[l];
    for (let i = 0; i < g.length; i++) key += g[i] ? '1' : '0';
  }
  return key;
}

/**
 * The number of paths that are active (every unit they visit has gate 1) under a hard-gate
 * pattern, in closed form (docs/math.md, "The mixture of paths"; path ids of docs/fixtures.md). With
 * on_l the number of ON units of layer l:
 *   dlgn, dgn, dnn, dln with bias:  d * prod_l on_l + sum_{l=1..L} prod_{j>=l} on_j + 1
 *   without bias:                   d * prod_l on_l
 *   dlgn-vt:                        prod_l on_l
 * (input starts, bias starts of each hidden layer, the output bias). With `valueInput: 'input'`
 * the count is the same; a path's activity is then also multiplied by x_i.
 */
export function activePathCount(model: Model, pattern: readonly ArrayLike<number>[]): number {
  const c = model.config;
  checkPattern('activePathCount', model, pattern);
  const on = pattern.map((g) => {
    let k = 0;
    for (let i = 0; i < g.length; i++) if (g[i]) k++;
    return k;
  });
  const L = on.length;
  const all = on.reduce((p, k) => p * k, 1);
  if (hasValueTensor(c.kind)) return all;
  let count = c.inputDim * all;
  if (c.bias) {
    let suffix = 1;
    for (let l = L - 1; l >= 0; l--) {
      suffix *= on[l];
      count += suffix;
    }
    count += 1;
  }
  return count;
}
