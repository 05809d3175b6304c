// Differentiable reductions: sum and mean over any set of axes, with keepDims.

import * as T from '../../tensor/ops.js';
import { normalizeAxes } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Var, asVar, record } from '../engine.js';

/** Sum over `axes` (all by default). */
export function sum(a: Var | Tensor, axes?: number | readonly number[], keepDims = false): Var {
  const x = asVar(a);
  const ax = normalizeAxes('sum', axes, x.value.ndim);
  const kept = T.reducedShape(x.shape, ax, true);
  // d sum(a)/da = 1: the gradient is broadcast back over the summed axes
  return record('sum', [x], T.sum(x.value, ax, keepDims), (g) => [g.reshape(kept).expand(x.shape)]);
}

/** Mean over `axes` (all by default). */
export function mean(a: Var | Tensor, axes?: number | readonly number[], keepDims = false): Var {
  const x = asVar(a);
  const ax = normalizeAxes('mean', axes, x.value.ndim);
  const kept = T.reducedShape(x.shape, ax, true);
  const count = ax.reduce((c, i) => c * x.shape[i], 1);
  // d mean(a)/da = 1/count, broadcast back over the averaged axes
  return record('mean', [x], T.mean(x.value, ax, keepDims), (g) => [T.mul(g.reshape(kept), 1 / count).expand(x.shape)]);
}
