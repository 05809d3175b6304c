// One gradcheck per entry of the table of ops (OPS, src/autograd/ops/table.ts), which the compiler
// keeps equal to the engine's list of primitives: each case is written against the table's own
// function, which it receives as `op`, and proves that the function records its key's primitive.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRIMITIVES, type Primitive, Var } from '../../src/autograd/engine.js';
import * as ag from '../../src/autograd/index.js';
import { OPS } from '../../src/autograd/ops/table.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type GradcheckOptions, gradcheck, randomSigned, randomTensor } from '../helpers/gradcheck.js';

/** A case: `f` builds a differentiable value from the inputs, calling `op` (the table's function) at least once. */
interface Check<F> {
  f: (op: F, ...xs: Var[]) => Var;
  inputs: Tensor[];
  opts?: GradcheckOptions;
}

type AnyOp = (...args: unknown[]) => unknown;

const r = (shape: number[], seed: number, lo = -1, hi = 1): Tensor => randomTensor(shape, seed, lo, hi);
const pos = (shape: number[], seed: number): Tensor => randomTensor(shape, seed, 0.3, 2);
const away = (shape: number[], seed: number): Tensor => randomSigned(shape, seed);

// odd sizes, broadcasting where the op broadcasts, and one transposed (non-contiguous) input each
// time an op takes matrices
const CHECKS: { [K in Primitive]: Check<(typeof OPS)[K]['fn']> } = {
  add: { f: (op, a, b) => op(a, b), inputs: [r([3, 4], 1), r([4], 2)] },
  sub: { f: (op, a, b) => op(a, b), inputs: [r([3, 1], 3), r([3, 4], 4)] },
  mul: { f: (op, a, b) => op(a, b), inputs: [r([2, 3], 5), r([3, 2], 6).transpose()] },
  div: { f: (op, a, b) => op(a, b), inputs: [r([3, 4], 7), away([4], 8)] },
  neg: { f: (op, a) => op(a), inputs: [r([5], 9)] },
  pow: { f: (op, a) => op(a, 3), inputs: [r([2, 3], 10)] },
  exp: { f: (op, a) => op(a), inputs: [r([2, 3], 11)] },
  log: { f: (op, a) => op(a), inputs: [pos([2, 3], 12)] },
  sqrt: { f: (op, a) => op(a), inputs: [pos([2, 3], 13)] },
  abs: { f: (op, a) => op(a), inputs: [away([2, 3], 14)] },
  maximum: { f: (op, a, b) => op(a, b), inputs: [r([3, 4], 15), r([3, 4], 16)] },
  minimum: { f: (op, a, b) => op(a, b), inputs: [r([3, 4], 17), r([4], 18)] },
  relu: { f: (op, a) => op(a), inputs: [away([3, 4], 19)] },
  // zero almost everywhere: the check is that the rule returns zeros, as the differences do
  step: { f: (op, a) => ag.mul(op(a), a), inputs: [away([3, 4], 20)] },
  sigmoid: { f: (op, a) => op(a), inputs: [r([3, 4], 21, -3, 3)] },
  scaledSigmoid: { f: (op, a, b) => op(a, b), inputs: [r([3, 4], 22), Tensor.scalar(2.5)] },
  tanh: { f: (op, a) => op(a), inputs: [r([3, 4], 23, -2, 2)] },
  softplus: { f: (op, a) => op(a), inputs: [r([3, 4], 24, -3, 3)] },
  sum: { f: (op, a) => op(a, 1, true), inputs: [r([3, 4, 2], 25)] },
  mean: { f: (op, a) => op(a, [0, 2]), inputs: [r([3, 4, 2], 26)] },
  matmul: { f: (op, a, b) => op(a, b), inputs: [r([3, 5], 27), r([4, 5], 28).transpose()] },
  linear: { f: (op, x, w, b) => op(x, w, b), inputs: [r([5, 3], 29), r([4, 3], 30), r([4], 31)] },
  gatedLinear: { f: (op, g, x, w, b) => op(g, x, w, b), inputs: [r([5, 4], 32, 0, 1), r([5, 3], 33), r([4, 3], 34), r([4], 35)] },
  softGatedLinear: { f: (op, z, x, w, b) => op(z, 2, x, w, b).out, inputs: [r([5, 4], 36), r([5, 3], 37), r([4, 3], 38), r([4], 39)] },
  composeAffine: { f: (op, w, b, p) => op(w, b, p), inputs: [r([3, 4], 40), r([3], 41), r([4, 6], 42)] },
  augmentedLinear: { f: (op, x, a) => op(x, a), inputs: [r([5, 3], 43), r([4, 4], 44)] },
  reshape: { f: (op, a) => ag.mul(op(a, [6, 2]), r([6, 2], 45)), inputs: [r([3, 4], 46).transpose()] },
  permute: { f: (op, a) => ag.mul(op(a, [2, 0, 1]), r([4, 2, 3], 47)), inputs: [r([2, 3, 4], 48)] },
  expand: { f: (op, a) => ag.mul(op(a, [3, 4]), r([3, 4], 49)), inputs: [r([1, 4], 50)] },
  slice: { f: (op, a) => op(a, [1, undefined, 2], [undefined, -1]), inputs: [r([5, 4], 51)] },
  gather: { f: (op, a) => op(a, [2, 0, 2, 1], 1), inputs: [r([3, 4], 52)] },
  concat: { f: (op, a, b) => op([a, b], 1), inputs: [r([3, 2], 53), r([3, 4], 54)] },
  rowOuter: { f: (op, a, b) => op(a, b), inputs: [r([4, 3], 55), r([4, 2], 56)] },
  rowContract: { f: (op, t, b) => op(t, b), inputs: [r([4, 6], 57), r([4, 3], 58)] },
  mse: { f: (op, o) => op(o, r([3, 4], 59)), inputs: [r([3, 4], 60)] },
  crossEntropy: { f: (op, l) => op(l, [2, 0, 1, 2]), inputs: [r([4, 3], 61, -3, 3)] },
  logistic: { f: (op, o) => op(o, [1, 0, 1]), inputs: [r([3], 62, -3, 3)] },
  hinge: { f: (op, o) => op(o, [1, 0, 1]), inputs: [away([3], 63)] },
};

/** The node a call of an op returned (softGatedLinear returns it as `out`, beside the gates). */
function node(result: unknown): Var {
  if (result instanceof Var) return result;
  const out = (result as { out?: unknown } | null)?.out;
  if (out instanceof Var) return out;
  throw new Error(`an op returned ${String(result)}, neither a Var nor { out: Var }`);
}

/**
 * Runs the case of `name` with `fn` as its op and fails unless fn was called and every call
 * returned a node recorded as `name` (every input requires grad, so each call records one).
 */
function expectRecords(name: Primitive, fn: AnyOp, check: Check<AnyOp>): void {
  const made: Var[] = [];
  const spy: AnyOp = (...args) => {
    const result = fn(...args);
    made.push(node(result));
    return result;
  };
  check.f(spy, ...check.inputs.map((t) => new Var(t, true)));
  expect(made.length, `${name}: the case never calls the table's function`).toBeGreaterThan(0);
  for (const v of made) expect(v.op, `${name}: the table's function recorded '${v.op}'`).toBe(name);
}

const entry = (name: Primitive): { fn: AnyOp; file: string; doc: string } => OPS[name] as unknown as { fn: AnyOp; file: string; doc: string };
const check = (name: Primitive): Check<AnyOp> => CHECKS[name] as unknown as Check<AnyOp>;

describe('the table of ops', () => {
  it('has exactly the engine\'s primitives, and a case for each', () => {
    expect(Object.keys(OPS).sort()).toEqual([...PRIMITIVES].sort());
    expect(Object.keys(CHECKS).sort()).toEqual([...PRIMITIVES].sort());
  });

  it.each([...PRIMITIVES])('%s: its file defines its function and names the primitive, its doc is one line', (name) => {
    const { fn, file, doc } = entry(name);
    const text = readFileSync(join(import.meta.dirname, '../../src/autograd/ops', `${file}.ts`), 'utf8');
    expect(text).toContain(`export function ${fn.name}(`);
    expect(text).toContain(`'${name}'`);
    expect(doc).toMatch(/^[^\n]{2,120}$/);
  });

  it('the record check fails for an entry whose function records another primitive', () => {
    expect(() => expectRecords('sub', entry('add').fn, check('sub'))).toThrow(/sub: the table's function recorded 'add'/);
    expect(() => expectRecords('relu', entry('step').fn, check('relu'))).toThrow(/recorded 'step'/);
    expect(() => expectRecords('add', entry('add').fn, { f: (_op, a) => ag.neg(a), inputs: [r([2], 1)] })).toThrow(/never calls/);
  });
});

describe('every op has a gradcheck', () => {
  it.each([...PRIMITIVES])('%s', (name) => {
    const { fn } = entry(name);
    const c = check(name);
    expectRecords(name, fn, c);
    gradcheck((...xs) => c.f(fn, ...xs), c.inputs, { rtol: 1e-6, ...c.opts });
  });
});
