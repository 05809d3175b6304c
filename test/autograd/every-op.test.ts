// One gradcheck per primitive of the engine's list (PRIMITIVES): an op added to the list without
// a check here fails the first test, and each check proves it exercised its own primitive.

import { describe, expect, it } from 'vitest';
import { PRIMITIVES, type Primitive, Var } from '../../src/autograd/engine.js';
import * as ag from '../../src/autograd/index.js';
import { composeAffine, augmentedLinear } from '../../src/autograd/ops/linalg.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type GradcheckOptions, gradcheck, randomSigned, randomTensor } from '../helpers/gradcheck.js';

interface Check {
  f: (...xs: Var[]) => Var;
  inputs: Tensor[];
  opts?: GradcheckOptions;
}

const r = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => randomTensor(shape, seed, lo, hi);
const pos = (shape: number[], seed: number): Tensor => randomTensor(shape, seed, 0.3, 2);
const away = (shape: number[], seed: number): Tensor => randomSigned(shape, seed);

// odd sizes, broadcasting where the op broadcasts, and one transposed (non-contiguous) input each
// time an op takes matrices
const CHECKS: Record<Primitive, Check> = {
  add: { f: (a, b) => ag.add(a, b), inputs: [r([3, 4], 1), r([4], 2)] },
  sub: { f: (a, b) => ag.sub(a, b), inputs: [r([3, 1], 3), r([3, 4], 4)] },
  mul: { f: (a, b) => ag.mul(a, b), inputs: [r([2, 3], 5), r([3, 2], 6).transpose()] },
  div: { f: (a, b) => ag.div(a, b), inputs: [r([3, 4], 7), away([4], 8)] },
  neg: { f: (a) => ag.neg(a), inputs: [r([5], 9)] },
  pow: { f: (a) => ag.pow(a, 3), inputs: [r([2, 3], 10)] },
  exp: { f: (a) => ag.exp(a), inputs: [r([2, 3], 11)] },
  log: { f: (a) => ag.log(a), inputs: [pos([2, 3], 12)] },
  sqrt: { f: (a) => ag.sqrt(a), inputs: [pos([2, 3], 13)] },
  abs: { f: (a) => ag.abs(a), inputs: [away([2, 3], 14)] },
  maximum: { f: (a, b) => ag.maximum(a, b), inputs: [r([3, 4], 15), r([3, 4], 16)] },
  minimum: { f: (a, b) => ag.minimum(a, b), inputs: [r([3, 4], 17), r([4], 18)] },
  relu: { f: (a) => ag.relu(a), inputs: [away([3, 4], 19)] },
  // zero almost everywhere: the check is that the rule returns zeros, as the differences do
  step: { f: (a) => ag.mul(ag.step(a), a), inputs: [away([3, 4], 20)] },
  sigmoid: { f: (a) => ag.sigmoid(a), inputs: [r([3, 4], 21, -3, 3)] },
  scaledSigmoid: { f: (a, b) => ag.scaledSigmoid(a, b), inputs: [r([3, 4], 22), Tensor.scalar(2.5)] },
  tanh: { f: (a) => ag.tanh(a), inputs: [r([3, 4], 23, -2, 2)] },
  softplus: { f: (a) => ag.softplus(a), inputs: [r([3, 4], 24, -3, 3)] },
  sum: { f: (a) => ag.sum(a, 1, true), inputs: [r([3, 4, 2], 25)] },
  mean: { f: (a) => ag.mean(a, [0, 2]), inputs: [r([3, 4, 2], 26)] },
  matmul: { f: (a, b) => ag.matmul(a, b), inputs: [r([3, 5], 27), r([4, 5], 28).transpose()] },
  linear: { f: (x, w, b) => ag.linear(x, w, b), inputs: [r([5, 3], 29), r([4, 3], 30), r([4], 31)] },
  gatedLinear: { f: (g, x, w, b) => ag.gatedLinear(g, x, w, b), inputs: [r([5, 4], 32, 0, 1), r([5, 3], 33), r([4, 3], 34), r([4], 35)] },
  softGatedLinear: { f: (z, x, w, b) => ag.softGatedLinear(z, 2, x, w, b).out, inputs: [r([5, 4], 36), r([5, 3], 37), r([4, 3], 38), r([4], 39)] },
  composeAffine: { f: (w, b, p) => composeAffine(w, b, p), inputs: [r([3, 4], 40), r([3], 41), r([4, 6], 42)] },
  augmentedLinear: { f: (x, a) => augmentedLinear(x, a), inputs: [r([5, 3], 43), r([4, 4], 44)] },
  reshape: { f: (a) => ag.mul(ag.reshape(a, [6, 2]), r([6, 2], 45)), inputs: [r([3, 4], 46).transpose()] },
  permute: { f: (a) => ag.mul(ag.permute(a, [2, 0, 1]), r([4, 2, 3], 47)), inputs: [r([2, 3, 4], 48)] },
  expand: { f: (a) => ag.mul(ag.expand(a, [3, 4]), r([3, 4], 49)), inputs: [r([1, 4], 50)] },
  slice: { f: (a) => ag.slice(a, [1, undefined, 2], [undefined, -1]), inputs: [r([5, 4], 51)] },
  gather: { f: (a) => ag.gather(a, [2, 0, 2, 1], 1), inputs: [r([3, 4], 52)] },
  concat: { f: (a, b) => ag.concat([a, b], 1), inputs: [r([3, 2], 53), r([3, 4], 54)] },
  rowOuter: { f: (a, b) => ag.rowOuter(a, b), inputs: [r([4, 3], 55), r([4, 2], 56)] },
  rowContract: { f: (t, b) => ag.rowContract(t, b), inputs: [r([4, 6], 57), r([4, 3], 58)] },
  mse: { f: (o) => ag.mse(o, r([3, 4], 59)), inputs: [r([3, 4], 60)] },
  crossEntropy: { f: (l) => ag.crossEntropy(l, [2, 0, 1, 2]), inputs: [r([4, 3], 61, -3, 3)] },
  logistic: { f: (o) => ag.logistic(o, [1, 0, 1]), inputs: [r([3], 62, -3, 3)] },
  hinge: { f: (o) => ag.hinge(o, [1, 0, 1]), inputs: [away([3], 63)] },
};

/** Every primitive recorded in the graph of y (walked before any backward releases it). */
function opsIn(y: Var): Set<string> {
  const seen = new Set<Var>();
  const ops = new Set<string>();
  const stack = [y];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    ops.add(v.op);
    stack.push(...v.inputs);
  }
  return ops;
}

describe('every primitive has a gradcheck', () => {
  it('the checks cover exactly the engine list', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([...PRIMITIVES].sort());
  });

  it.each([...PRIMITIVES])('%s', (name) => {
    const { f, inputs, opts } = CHECKS[name];
    // the check's function records this primitive (so a check cannot pass on some other op)
    const y = f(...inputs.map((t) => new Var(t, true)));
    expect([...opsIn(y)]).toContain(name);
    gradcheck(f, inputs, { rtol: 1e-6, ...opts });
  });
});
