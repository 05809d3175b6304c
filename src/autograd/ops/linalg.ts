// Differentiable matrix products: matmul and the affine layer x W^T + b.

import { matmul as mm } from '../../tensor/linalg.js';
import * as T from '../../tensor/ops.js';
import { shapeStr } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Var, asVar, record } from '../engine.js';

/** Matrix product of the last two axes (batch axes broadcast). */
export function matmul(a: Var | Tensor, b: Var | Tensor): Var {
  const x = asVar(a);
  const y = asVar(b);
  const swap = (t: Tensor): Tensor => t.transpose([...t.shape.map((_, i) => i).slice(0, -2), t.ndim - 1, t.ndim - 2]);
  // d(A B)/dA = G B^T, d(A B)/dB = A^T G (transposes are views; the kernel packs through them)
  return record('matmul', [x, y], mm(x.value, y.value), (g) => [
    x.requiresGrad ? mm(g, swap(y.value)) : null,
    y.requiresGrad ? mm(swap(x.value), g) : null,
  ]);
}

/**
 * The affine layer `x W^T + b` with PyTorch's layout: x [n, in], W [out, in], b [out] (optional).
 */
export function linear(x: Var | Tensor, weight: Var | Tensor, bias?: Var | Tensor | null): Var {
  const xv = asVar(x);
  const w = asVar(weight);
  if (xv.value.ndim !== 2 || w.value.ndim !== 2 || xv.shape[1] !== w.shape[1]) {
    throw new Error(`linear: expected x [n, in] and weight [out, in], got x=${shapeStr(xv.shape)}, weight=${shapeStr(w.shape)}`);
  }
  const b = bias === undefined || bias === null ? null : asVar(bias);
  if (b !== null && (b.value.ndim !== 1 || b.shape[0] !== w.shape[0])) {
    throw new Error(`linear: bias must have shape [${w.shape[0]}], got ${shapeStr(b.shape)}`);
  }
  let out = mm(xv.value, w.value.transpose());
  if (b !== null) out = T.add(out, b.value);
  const inputs = b === null ? [xv, w] : [xv, w, b];
  // y = x W^T + b:  dy/dx = G W,  dy/dW = G^T x,  dy/db = sum over rows of G
  return record('linear', inputs, out, (g) => [
    xv.requiresGrad ? mm(g, w.value) : null,
    w.requiresGrad ? mm(g.transpose(), xv.value) : null,
    ...(b === null ? [] : [b.requiresGrad ? T.sum(g, 0) : null]),
  ]);
}
