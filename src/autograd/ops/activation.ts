// Differentiable activations and gates: relu, the hard step gate, (scaled) sigmoid, tanh, softplus.

import * as T from '../../tensor/ops.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type Var, asVar, record } from '../engine.js';

type In = Var | Tensor | number;

/** relu(a) = max(a, 0). The kink is decided: relu'(0) = 0. */
export function relu(a: In): Var {
  const x = asVar(a);
  // d relu(a)/da = 1[a > 0]  (0 at a = 0)
  return record('relu', [x], T.relu(x.value), (g) => [T.reluBackward(g, x.value)]);
}

/**
 * The hard gate 1[a > 0]. Its gradient is zero everywhere (a.e. exact; at 0 we decide 0), so
 * no gradient reaches what produced `a`: the rule returns no gradient at all.
 */
export function step(a: In): Var {
  const x = asVar(a);
  // d 1[a > 0]/da = 0
  return record('step', [x], T.step(x.value), () => [null]);
}

/** The logistic sigmoid 1 / (1 + e^-a), overflow-safe in both tails. */
export function sigmoid(a: In): Var {
  const x = asVar(a);
  const out = T.sigmoid(x.value);
  // d sigma(a)/da = sigma(a) (1 - sigma(a))
  return record('sigmoid', [x], out, (g) => [T.sigmoidBackward(g, out, 1)]);
}

/**
 * The soft gate sigma(beta * z), with beta a constant or itself a differentiable scalar
 * (the paper treats beta as a temperature; making it learnable is an option here).
 */
export function scaledSigmoid(z: In, beta: Var | number): Var {
  const x = asVar(z);
  const b = asVar(beta);
  if (b.value.size !== 1) throw new Error(`scaledSigmoid: beta must be a scalar, got shape [${b.shape.join(', ')}]`);
  const bv = b.value.item();
  const out = T.scaledSigmoid(x.value, bv);
  // with s = sigma(beta z): ds/dz = beta s (1 - s), ds/dbeta = z s (1 - s) (summed to beta's shape)
  return record('scaledSigmoid', [x, b], out, (g) => [
    x.requiresGrad ? T.sigmoidBackward(g, out, bv) : null,
    b.requiresGrad ? T.sum(T.mul(g, T.mul(T.map(out, (s) => s * (1 - s)), x.value))).reshape(b.shape) : null,
  ]);
}

/** Hyperbolic tangent. */
export function tanh(a: In): Var {
  const x = asVar(a);
  const out = T.tanh(x.value);
  // d tanh(a)/da = 1 - tanh(a)^2
  return record('tanh', [x], out, (g) => [T.mul(g, T.map(out, (t) => 1 - t * t))]);
}

/** softplus(a) = log(1 + e^a), overflow-safe. */
export function softplus(a: In): Var {
  const x = asVar(a);
  // d softplus(a)/da = sigma(a)
  return record('softplus', [x], T.softplus(x.value), (g) => [T.mul(g, T.sigmoid(x.value))]);
}

