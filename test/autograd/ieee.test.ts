// IEEE / PyTorch semantics of NaN and infinities in the ops and their gradients: each case is
// what torch gives (torch 2.x), checked here without torch; deliberate differences are listed in
// docs/hardening.md.

import { describe, expect, it } from 'vitest';
import * as ag from '../../src/autograd/index.js';
import { Var } from '../../src/autograd/index.js';
import * as T from '../../src/tensor/ops.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { gradcheck, randomTensor } from '../helpers/gradcheck.js';

const vec = (xs: number[]): Tensor => Tensor.fromArray(Float64Array.from(xs));
const arr = (t: Tensor): number[] => Array.from(t.values());
const grad = (f: (x: Var) => Var, xs: number[]): number[] => {
  const x = Var.param(vec(xs));
  ag.sum(f(x)).backward();
  return arr(x.grad!);
};

describe('maximum / minimum propagate NaN from either operand', () => {
  it('forward, tensors and scalars, both argument orders', () => {
    expect(arr(T.maximum(vec([NaN, 1, 2, NaN]), vec([1, NaN, 3, NaN])))).toEqual([NaN, NaN, 3, NaN]);
    expect(arr(T.minimum(vec([NaN, 1, 2, NaN]), vec([1, NaN, 3, NaN])))).toEqual([NaN, NaN, 2, NaN]);
    expect(arr(T.maximum(vec([1, -Infinity]), NaN))).toEqual([NaN, NaN]);
    expect(arr(T.minimum(vec([NaN, Infinity]), 0))).toEqual([NaN, 0]);
    expect(arr(T.maximum(vec([-Infinity, Infinity]), vec([Infinity, -Infinity])))).toEqual([Infinity, Infinity]);
  });

  it('the gradient goes to the operand picked, the NaN one where there is one; never 0 * inf', () => {
    const a = Var.param(vec([NaN, 1, 2, 5]));
    const b = Var.param(vec([1, NaN, 3, 5]));
    ag.sum(ag.maximum(a, b)).backward();
    expect(arr(a.grad!)).toEqual([1, 0, 0, 1]); // ties to a
    expect(arr(b.grad!)).toEqual([0, 1, 1, 0]);
    // an infinite upstream gradient reaches only the picked side
    const c = Var.param(vec([1, 4]));
    const d = Var.param(vec([2, 3]));
    ag.sum(ag.mul(ag.minimum(c, d), Infinity)).backward();
    expect(arr(c.grad!)).toEqual([Infinity, 0]);
    expect(arr(d.grad!)).toEqual([0, Infinity]);
  });

  it('gradcheck away from ties', () => {
    gradcheck((x, y) => ag.maximum(x, y), [randomTensor([3, 4], 1), randomTensor([3, 4], 2)]);
    gradcheck((x, y) => ag.minimum(x, y), [randomTensor([3, 4], 3), randomTensor([4], 4)]);
  });
});

describe('argmax / argmin: NaN is the extreme, the first NaN wins (torch and numpy)', () => {
  it('along an axis, with ties and infinities', () => {
    expect(arr(T.argmax(vec([1, NaN, 3, NaN])))).toEqual([1]);
    expect(arr(T.argmin(vec([1, NaN, -3, NaN])))).toEqual([1]);
    expect(arr(T.argmax(vec([NaN, 5])))).toEqual([0]);
    expect(arr(T.argmax(vec([2, 7, 7, -Infinity])))).toEqual([1]);
    expect(arr(T.argmin(vec([2, -7, -7, Infinity])))).toEqual([1]);
    expect(arr(T.argmax(vec([-Infinity, -Infinity])))).toEqual([0]);
    const m = Tensor.from([
      [1, NaN, 2],
      [3, 2, 1],
      [0, 0, NaN],
    ]);
    expect(arr(T.argmax(m, 1))).toEqual([1, 0, 2]);
    expect(arr(T.argmin(m, 1))).toEqual([1, 2, 2]);
    expect(arr(T.argmax(m, 0))).toEqual([1, 0, 2]);
    expect(arr(T.argmin(m, 0))).toEqual([2, 0, 2]);
  });
});

describe('relu', () => {
  it('relu(NaN) is NaN (torch.relu), relu(-0) is 0', () => {
    const out = arr(T.relu(vec([NaN, -0, -1, 2])));
    expect(out[0]).toBeNaN();
    expect(Object.is(out[1], 0)).toBe(true);
    expect(out.slice(2)).toEqual([0, 2]);
  });

  it('backward: an infinite upstream gradient gives 0 where the mask is 0, not NaN', () => {
    expect(grad((x) => ag.mul(ag.relu(x), Infinity), [-1, 0, 2])).toEqual([0, 0, Infinity]);
    expect(grad((x) => ag.mul(ag.relu(x), -Infinity), [-1, 3])).toEqual([0, -Infinity]);
    // broadcast upstream gradient (the general path)
    const x = Var.param(Tensor.from([[-1, 2]]));
    ag.sum(ag.mul(ag.relu(x), Tensor.from([[Infinity, Infinity], [1, 1]]))).backward();
    expect(arr(x.grad!)).toEqual([0, Infinity]);
  });

  it('gradcheck away from 0', () => {
    gradcheck((x) => ag.relu(x), [Tensor.from([[-0.7, 0.3], [1.2, -0.1]])]);
  });
});

describe('pow', () => {
  it('d(x^0)/dx is 0 everywhere, also at x = 0 (not 0 * 0^-1 = NaN)', () => {
    expect(grad((x) => ag.pow(x, 0), [0, -0, 2, -3])).toEqual([0, 0, 0, 0]);
    gradcheck((x) => ag.pow(x, 0), [vec([0, 1.5, -2])]);
  });

  it('d(x^p)/dx at 0 for p = 1, 2, 3 is finite and right', () => {
    expect(grad((x) => ag.pow(x, 1), [0])).toEqual([1]);
    expect(grad((x) => ag.pow(x, 2), [0])).toEqual([0]);
    expect(grad((x) => ag.pow(x, 3), [0])).toEqual([0]);
    gradcheck((x) => ag.pow(x, 3), [vec([0, 0.5, -1.25])]);
  });
});
