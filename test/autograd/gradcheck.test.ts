// The gradcheck helper itself: it passes correct rules and names what is wrong in broken ones.

import { describe, expect, it } from 'vitest';
import { Var, add, mul, record } from '../../src/autograd/index.js';
import * as T from '../../src/tensor/ops.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, gradcheck, mulberry32, randomSigned, randomTensor } from '../helpers/gradcheck.js';

/** x^3 with a rule that is off by a factor on one element: what a real slip looks like. */
function cubeWithBadRule(x: Var): Var {
  return record('pow', [x], T.powScalar(x.value, 3), (g) => {
    const d = T.mul(T.mul(x.value, x.value), 3).clone();
    d.data[1] *= 1.001;
    return [T.mul(g, d)];
  });
}

describe('gradcheck', () => {
  it('passes a correct op and returns a small max error', () => {
    const err = gradcheck((a, b) => mul(a, b), [randomTensor([2, 3], 1), randomTensor([3], 2)]);
    expect(err).toBeGreaterThanOrEqual(0);
    expect(err).toBeLessThan(1e-8);
  });

  it('fails a wrong rule, naming the input, the element and both values', () => {
    const x = Tensor.from([0.5, -1.2, 2]);
    expect(() => gradcheck(cubeWithBadRule, [x])).toThrow(
      /gradcheck: input 0 element 1 \(index \[1\]\): analytic -?[\d.e-]+ vs numeric -?[\d.e-]+/,
    );
  });

  it('names the second input when only its gradient is wrong', () => {
    const bad = (a: Var, b: Var): Var =>
      record('mul', [a, b], T.mul(a.value, b.value), (g) => [T.mul(g, b.value), T.mul(g, b.value)]);
    expect(() => gradcheck(bad, [Tensor.from([1, 2]), Tensor.from([3, 5])])).toThrow(/input 1 element 0/);
    // with the second input held constant the broken half is not checked
    expect(gradcheck(bad, [Tensor.from([1, 2]), Tensor.from([3, 5])], { wrt: [true, false] })).toBeLessThan(1e-8);
  });

  it('fails a rule that drops the gradient of a broadcast input', () => {
    const bad = (a: Var, b: Var): Var => record('add', [a, b], T.add(a.value, b.value), (g) => [g, T.mul(g, 0)]);
    expect(() => gradcheck(bad, [randomTensor([2, 3], 3), randomTensor([3], 4)])).toThrow(/input 1 element 0 \(index \[0\]\)/);
  });

  it('fails when backward() and valueAndGrad disagree (a rule with hidden state)', () => {
    let calls = 0;
    const flaky = (x: Var): Var =>
      record('neg', [x], T.neg(x.value), (g) => {
        calls++;
        return [T.mul(g, calls === 1 ? -1 : -2)];
      });
    expect(() => gradcheck(flaky, [Tensor.from([1, 2])])).toThrow(/valueAndGrad gives -?[\d.]+ but backward\(\) gives/);
  });

  it('checks multi-index positions in rank-3 inputs and respects a looser tolerance', () => {
    const x = randomSigned([2, 2, 2], 5);
    expect(gradcheck((v) => mul(add(v, 1), v), [x], { eps: 1e-5, rtol: 1e-5, atol: 1e-7 })).toBeLessThan(1e-5);
    const bad3 = (v: Var): Var =>
      record('neg', [v], T.neg(v.value), (g) => {
        const d = T.neg(g).clone();
        d.data[7] = 0;
        return [d];
      });
    expect(() => gradcheck(bad3, [x])).toThrow(/input 0 element 7 \(index \[1, 1, 1\]\)/);
  });

  it('refuses a wrt of the wrong length or with nothing to differentiate', () => {
    const x = Tensor.from([1]);
    expect(() => gradcheck((v) => v, [x], { wrt: [true, true] })).toThrow(/wrt has 2 entries for 1 inputs/);
    expect(() => gradcheck((v) => v, [x], { wrt: [false] })).toThrow(/no input to differentiate/);
  });
});

describe('test helpers', () => {
  it('randomTensor and randomSigned are deterministic and in range', () => {
    const a = randomTensor([50], 9, 2, 3);
    expect(Array.from(a.values())).toEqual(Array.from(randomTensor([50], 9, 2, 3).values()));
    expect(Array.from(a.values())).not.toEqual(Array.from(randomTensor([50], 10, 2, 3).values()));
    for (const v of a.values()) expect(v >= 2 && v < 3).toBe(true);
    const s = randomSigned([200], 9, 0.2, 1.5);
    for (const v of s.values()) expect(Math.abs(v) >= 0.2 && Math.abs(v) < 1.5).toBe(true);
    expect(s.values().some((v) => v < 0) && s.values().some((v) => v > 0)).toBe(true);
    const r = mulberry32(1);
    const first = r();
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(1);
    expect(mulberry32(1)()).toBe(first);
  });

  it('expectClose compares shapes and values with a relative tolerance, NaN matching NaN', () => {
    expectClose(Tensor.from([[1, NaN]]), [[1 + 1e-13, NaN]], 1e-12);
    expectClose([1e6], [1e6 + 1e-7], 1e-12);
    expectClose(Tensor.scalar(Infinity), Infinity);
    expect(() => expectClose(Tensor.from([[1, 2]]), [1, 2])).toThrow(/shape \[1, 2\] differs from expected \[2\]/);
    expect(() => expectClose([1, 2], [1, 2.1], 1e-3)).toThrow(/element 1: got 2, expected 2.1/);
    expect(() => expectClose([NaN], [0])).toThrow(/element 0/);
    expect(() => expectClose([Infinity], [-Infinity])).toThrow(/element 0/);
  });
});
