// The one table of differentiable ops: for every primitive of the engine, the function that
// records it, the file of src/autograd/ops/ that holds its forward and gradient rule, and what it
// computes. The compiler refuses a primitive without an entry (and an entry that is no primitive);
// test/autograd/every-op.test.ts gradchecks every entry and proves that its function records it.

import type { Primitive } from '../engine.js';
import { relu, scaledSigmoid, sigmoid, softplus, step, tanh } from './activation.js';
import { abs, add, div, exp, log, maximum, minimum, mul, neg, pow, sqrt, sub } from './elementwise.js';
import { augmentedLinear, composeAffine, gatedLinear, linear, matmul, rowContract, rowOuter, softGatedLinear } from './linalg.js';
import { crossEntropy, hinge, logistic, mse } from './loss.js';
import { concat, expand, gather, permute, reshape, slice } from './movement.js';
import { mean, sum } from './reduce.js';

/** A file of src/autograd/ops/ (`src/autograd/ops/${file}.ts`). */
export type OpFile = 'elementwise' | 'activation' | 'reduce' | 'linalg' | 'movement' | 'loss';

/** One entry of {@link OPS}. */
export interface OpEntry {
  /** The function that records the primitive (its forward, and `record(name, ...)` with the rule). */
  readonly fn: (...args: never[]) => unknown;
  /** Where the forward and the rule live: `src/autograd/ops/${file}.ts`. */
  readonly file: OpFile;
  /** What it computes, in one line. */
  readonly doc: string;
}

/**
 * Every differentiable primitive, in the order of `PRIMITIVES`. Composites built from these
 * (`transpose` is a `permute`, `stack` is `reshape`s and a `concat`) record no node of their own.
 *
 * @example
 * ```ts
 * import { OPS } from 'halfspace/autograd';
 * OPS.gatedLinear.file; // 'linalg': src/autograd/ops/linalg.ts
 * ```
 */
export const OPS = {
  add: { fn: add, file: 'elementwise', doc: 'a + b, broadcasting' },
  sub: { fn: sub, file: 'elementwise', doc: 'a - b, broadcasting' },
  mul: { fn: mul, file: 'elementwise', doc: 'a * b elementwise, broadcasting' },
  div: { fn: div, file: 'elementwise', doc: 'a / b elementwise, broadcasting (IEEE infinities on division by zero)' },
  neg: { fn: neg, file: 'elementwise', doc: '-a' },
  pow: { fn: pow, file: 'elementwise', doc: 'a^p for a constant, finite exponent p' },
  exp: { fn: exp, file: 'elementwise', doc: 'e^a' },
  log: { fn: log, file: 'elementwise', doc: 'natural logarithm' },
  sqrt: { fn: sqrt, file: 'elementwise', doc: 'square root' },
  abs: { fn: abs, file: 'elementwise', doc: '|a|, subgradient 0 at 0' },
  maximum: { fn: maximum, file: 'elementwise', doc: 'max(a, b) elementwise; the gradient goes to the operand picked (a on ties)' },
  minimum: { fn: minimum, file: 'elementwise', doc: 'min(a, b) elementwise; the gradient goes to the operand picked (a on ties)' },
  relu: { fn: relu, file: 'activation', doc: 'max(a, 0), with relu\'(0) = 0' },
  step: { fn: step, file: 'activation', doc: 'the hard gate 1[a > 0]; passes no gradient' },
  sigmoid: { fn: sigmoid, file: 'activation', doc: 'the logistic sigmoid 1 / (1 + e^-a)' },
  scaledSigmoid: { fn: scaledSigmoid, file: 'activation', doc: 'the soft gate sigma(beta z), beta a constant or a differentiable scalar' },
  tanh: { fn: tanh, file: 'activation', doc: 'hyperbolic tangent' },
  softplus: { fn: softplus, file: 'activation', doc: 'log(1 + e^a), overflow-safe' },
  sum: { fn: sum, file: 'reduce', doc: 'sum over any set of axes, keepDims optional' },
  mean: { fn: mean, file: 'reduce', doc: 'mean over any set of axes, keepDims optional' },
  matmul: { fn: matmul, file: 'linalg', doc: 'matrix product of the last two axes, batch axes broadcast' },
  linear: { fn: linear, file: 'linalg', doc: 'the affine layer x W^T + b (PyTorch layout)' },
  gatedLinear: { fn: gatedLinear, file: 'linalg', doc: 'a gated layer G (*) (x W^T + b) with the gates G given, one node' },
  softGatedLinear: { fn: softGatedLinear, file: 'linalg', doc: 'a soft-gated layer sigma(beta zg) (*) (x W^T + b), the gate made inside, one node' },
  composeAffine: { fn: composeAffine, file: 'linalg', doc: 'one step of a linear gating network\'s effective half-spaces, [W_eff | b_eff]' },
  augmentedLinear: { fn: augmentedLinear, file: 'linalg', doc: 'the half-spaces [W | b] of composeAffine evaluated on x' },
  reshape: { fn: reshape, file: 'movement', doc: 'same values, new shape (a view where the layout allows)' },
  permute: { fn: permute, file: 'movement', doc: 'reorders the axes (transpose is a permute)' },
  expand: { fn: expand, file: 'movement', doc: 'broadcasts to a shape (a stride-0 view)' },
  slice: { fn: slice, file: 'movement', doc: 'basic slicing by ranges and steps' },
  gather: { fn: gather, file: 'movement', doc: 'picks entries along an axis by index; repeated indices add their gradients' },
  concat: { fn: concat, file: 'movement', doc: 'joins along an existing axis (stack is reshapes and a concat)' },
  rowOuter: { fn: rowOuter, file: 'linalg', doc: 'the row-wise outer product of a [n, p] and b [n, m], [n, p m] (DLGN-VT)' },
  rowContract: { fn: rowContract, file: 'linalg', doc: 'the row-wise contraction of t [n, p m] with b [n, m], [n, p], the transpose of rowOuter' },
  mse: { fn: mse, file: 'loss', doc: 'mean squared error against a target of the same shape' },
  crossEntropy: { fn: crossEntropy, file: 'loss', doc: 'mean softmax cross-entropy of logits [n, k] against integer labels (log-sum-exp)' },
  logistic: { fn: logistic, file: 'loss', doc: 'mean logistic loss log(1 + e^(-s f)) of one score per sample, labels {0, 1} or {-1, +1}' },
  hinge: { fn: hinge, file: 'loss', doc: 'mean hinge loss max(0, 1 - s f) of one score per sample, labels {0, 1} or {-1, +1}' },
} satisfies Record<Primitive, OpEntry>;
