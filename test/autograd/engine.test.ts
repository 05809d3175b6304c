// The tape: accumulation, grad mode, the functional API, graph release, the engine's own checks.

import { describe, expect, it } from 'vitest';
import {
  Var,
  add,
  asVar,
  crossEntropy,
  isGradEnabled,
  linear,
  logistic,
  matmul,
  mse,
  mul,
  noGrad,
  record,
  reshape,
  sum,
  valueAndGrad,
  zeroGrad,
} from '../../src/autograd/index.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, randomTensor } from '../helpers/gradcheck.js';

describe('gradient accumulation over reused nodes', () => {
  it('b = a + a; c = b * b gives dc/da = 8a', () => {
    const a = Var.param(Tensor.from([1, -2, 3]));
    const b = add(a, a);
    const c = mul(b, b);
    sum(c).backward();
    expect(a.grad!.toArray()).toEqual([8, -16, 24]);
  });

  it('mul(a, a) gives 2a, through both APIs', () => {
    const a = Var.param(Tensor.from([1.5, -2]));
    sum(mul(a, a)).backward();
    expect(a.grad!.toArray()).toEqual([3, -4]);
    const [v, [g]] = valueAndGrad((x) => sum(mul(x, x)))(Tensor.from([1.5, -2]));
    expect(v).toBe(6.25);
    expect(g.toArray()).toEqual([3, -4]);
  });

  it('a diamond: one node feeding two branches that meet again', () => {
    // d = a * 2; e = d * a + d  =>  e = 2a^2 + 2a, de/da = 4a + 2
    const a = Var.param(Tensor.from([0.5, 2]));
    const d = mul(a, 2);
    sum(add(mul(d, a), d)).backward();
    expect(a.grad!.toArray()).toEqual([4, 10]);
  });
});

describe('.grad and zeroGrad', () => {
  it('accumulates with += across two backward calls and zeroGrad resets it in place', () => {
    const w = Var.param(Tensor.from([1, 2, 3]));
    const x = Tensor.from([4, 5, 6]);
    sum(mul(w, x)).backward();
    expect(w.grad!.toArray()).toEqual([4, 5, 6]);
    const buffer = w.grad!;
    sum(mul(w, x)).backward();
    expect(w.grad!.toArray()).toEqual([8, 10, 12]);
    expect(w.grad).toBe(buffer);
    w.zeroGrad();
    expect(w.grad!.toArray()).toEqual([0, 0, 0]);
    expect(w.grad).toBe(buffer);
    sum(mul(w, w)).backward();
    expect(w.grad!.toArray()).toEqual([2, 4, 6]);
  });

  it('the zeroGrad function resets every variable given and skips those without a gradient', () => {
    const p = Var.param(Tensor.from([1, 2]));
    const q = Var.param(Tensor.from([3]));
    const r = Var.param(Tensor.from([5]));
    sum(mul(add(p, q), 2)).backward();
    expect(p.grad!.toArray()).toEqual([2, 2]);
    expect(q.grad!.toArray()).toEqual([4]);
    zeroGrad([p, q, r]);
    expect(p.grad!.toArray()).toEqual([0, 0]);
    expect(q.grad!.toArray()).toEqual([0]);
    expect(r.grad).toBeNull();
  });

  it('a gradient that arrives as a broadcast (stride-0) view is stored as its own buffer', () => {
    const p = Var.param(Tensor.from([[1, 2]]));
    sum(p).backward();
    expect(p.grad!.toArray()).toEqual([[1, 1]]);
    p.grad!.set(7, 0, 0);
    expect(p.grad!.toArray()).toEqual([[7, 1]]);
  });

  it('only leaves that require grad receive .grad', () => {
    const p = Var.param(Tensor.from([2]));
    const c = Var.constant(Tensor.from([3]));
    const mid = mul(p, c);
    sum(mid).backward();
    expect(p.grad!.toArray()).toEqual([3]);
    expect(c.grad).toBeNull();
    expect(mid.grad).toBeNull();
  });
});

describe('deep graphs', () => {
  const depth = 10_000;
  const k = 1.0001;

  it(`backward through ${depth} ops does not overflow the stack and gives k^(n/2)`, () => {
    const x = Var.param(Tensor.from([0.5, -1]));
    let y: Var = x;
    let ref = [0.5, -1];
    for (let i = 0; i < depth / 2; i++) {
      y = add(y, 0.25);
      y = mul(y, k);
      ref = ref.map((v) => (v + 0.25) * k);
    }
    expectClose(y.value, ref, 1e-13);
    sum(y).backward();
    let expected = 1;
    for (let i = 0; i < depth / 2; i++) expected *= k;
    expectClose(x.grad!, [expected, expected], 1e-12);
  });

  it(`valueAndGrad through ${depth} ops`, () => {
    const [v, [g]] = valueAndGrad((x) => {
      let y = x;
      for (let i = 0; i < depth; i++) y = add(y, 1e-4);
      return sum(y);
    })(Tensor.scalar(1));
    expect(v).toBeCloseTo(2, 10);
    expect(g.item()).toBe(1);
  });
});

describe('grad mode', () => {
  it('noGrad records nothing and restores the mode', () => {
    const p = Var.param(Tensor.from([1]));
    const y = noGrad(() => mul(p, p));
    expect(y.requiresGrad).toBe(false);
    expect(y.isLeaf).toBe(true);
    expect(isGradEnabled()).toBe(true);
    expect(mul(p, p).requiresGrad).toBe(true);
  });

  it('noGrad restores grad mode after an exception thrown inside it', () => {
    expect(() =>
      noGrad(() => {
        expect(isGradEnabled()).toBe(false);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(isGradEnabled()).toBe(true);
  });

  it('nested noGrad keeps recording off until the outer one returns, even when the inner throws', () => {
    const seen: boolean[] = [];
    const out = noGrad(() => {
      noGrad(() => seen.push(isGradEnabled()));
      seen.push(isGradEnabled());
      try {
        noGrad(() => {
          throw new Error('inner');
        });
      } catch {
        seen.push(isGradEnabled());
      }
      return 42;
    });
    expect(out).toBe(42);
    expect(seen).toEqual([false, false, false]);
    expect(isGradEnabled()).toBe(true);
  });

  it('detach stops gradients', () => {
    const x = Var.param(Tensor.from([3, -1]));
    // y = detach(x) * x: dy/dx = detach(x) = x, not 2x
    sum(mul(x.detach(), x)).backward();
    expect(x.grad!.toArray()).toEqual([3, -1]);
    const d = x.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.isLeaf).toBe(true);
    expect(d.value).toBe(x.value);
  });

  it('requiresGrad propagates from parameters only; constants do not require grad', () => {
    const p = Var.param(Tensor.from([1]));
    const c = Var.constant(Tensor.from([2]));
    expect(p.requiresGrad).toBe(true);
    expect(c.requiresGrad).toBe(false);
    expect(Var.constant(5).shape).toEqual([]);
    expect(asVar(3).requiresGrad).toBe(false);
    expect(asVar(p)).toBe(p);
    expect(add(c, c).requiresGrad).toBe(false);
    expect(add(c, 1).op).toBe('leaf');
    expect(add(Tensor.from([1]), Tensor.from([2])).requiresGrad).toBe(false);
    const y = add(p, c);
    expect(y.requiresGrad).toBe(true);
    expect(y.op).toBe('add');
    expect(y.inputs.length).toBe(2);
    expect(y.inputs[0]).toBe(p);
    expect(y.inputs[1]).toBe(c);
    expect(mul(y, c).requiresGrad).toBe(true);
  });

  it('backward from a constant is an error', () => {
    const c = add(Var.constant(Tensor.from([1])), 1);
    expect(() => c.backward()).toThrow(/backward: .* does not require grad/);
  });
});

describe('valueAndGrad', () => {
  it('returns the value and one gradient per argument', () => {
    const [v, [ga, gb]] = valueAndGrad((a, b) => sum(mul(a, b)))(Tensor.from([1, 2]), Tensor.from([3, 4]));
    expect(v).toBe(11);
    expect(ga.toArray()).toEqual([3, 4]);
    expect(gb.toArray()).toEqual([1, 2]);
  });

  it('leaves every .grad untouched, including a parameter used inside f', () => {
    const p = Var.param(Tensor.from([2, 3]), 'p');
    const q = Var.param(Tensor.from([1, 1]), 'q');
    const before = Tensor.from([10, 20]);
    q.grad = before;
    const [v, [gx]] = valueAndGrad((x) => sum(mul(mul(x, p), q)))(Tensor.from([5, 7]));
    expect(v).toBe(5 * 2 + 7 * 3);
    expect(gx.toArray()).toEqual([2, 3]);
    expect(p.grad).toBeNull();
    expect(q.grad).toBe(before);
    expect(q.grad.toArray()).toEqual([10, 20]);
    // the parameters remain usable with the tape API afterwards
    sum(mul(p, q)).backward();
    expect(p.grad!.toArray()).toEqual([1, 1]);
  });

  it('gives zero gradients for arguments that do not reach the output', () => {
    const [v, [ga, gb]] = valueAndGrad((a, _b) => sum(mul(a, 2)))(Tensor.from([1]), Tensor.from([[1, 2]]));
    expect(v).toBe(2);
    expect(ga.toArray()).toEqual([2]);
    expect(gb.toArray()).toEqual([[0, 0]]);
    const [w, [gc]] = valueAndGrad((_a) => sum(Tensor.from([4])))(Tensor.from([1]));
    expect(w).toBe(4);
    expect(gc.toArray()).toEqual([0]);
  });

  it('refuses a non-scalar f', () => {
    expect(() => valueAndGrad((a) => mul(a, a))(Tensor.from([1, 2]))).toThrow(/valueAndGrad: f must return one value, got shape \[2\]/);
  });
});

describe('backward seeds and graph release', () => {
  it('a non-scalar output needs a seed', () => {
    const p = Var.param(Tensor.from([1, 2, 3]));
    const y = mul(p, p);
    expect(() => y.backward()).toThrow(/backward: a seed gradient is needed for a non-scalar output of shape \[3\]/);
    y.backward(Tensor.from([1, 0, -1]));
    expect(p.grad!.toArray()).toEqual([2, 0, -6]);
  });

  it('a seed of the wrong shape is an error', () => {
    const p = Var.param(Tensor.from([1, 2, 3]));
    expect(() => mul(p, p).backward(Tensor.zeros([2]))).toThrow(/backward: seed shape \[2\] differs from output shape \[3\]/);
  });

  it('a one-element non-scalar output ([1, 1]) gets the default seed 1', () => {
    const p = Var.param(Tensor.from([[3]]));
    mul(p, p).backward();
    expect(p.grad!.toArray()).toEqual([[6]]);
  });

  it('a second backward after release errors and mentions retainGraph', () => {
    const p = Var.param(Tensor.from([1, 2]));
    const loss = sum(mul(p, p));
    loss.backward();
    expect(() => loss.backward()).toThrow(/released.*retainGraph/);
    expect(p.grad!.toArray()).toEqual([2, 4]);
  });

  it('backward releases the graph it walked', () => {
    const p = Var.param(Tensor.from([1, 2]));
    const mid = mul(p, p);
    const loss = sum(mid);
    loss.backward();
    expect(loss.inputs).toEqual([]);
    expect(mid.inputs).toEqual([]);
  });

  it('retainGraph allows a second backward, which accumulates', () => {
    const p = Var.param(Tensor.from([1, 2]));
    const loss = sum(mul(p, p));
    loss.backward(undefined, { retainGraph: true });
    loss.backward();
    expect(p.grad!.toArray()).toEqual([4, 8]);
  });
});

describe("the engine's checks on gradient rules", () => {
  it('a rule returning a gradient of the wrong shape is an error naming op, input and both shapes', () => {
    const x = Var.param(Tensor.zeros([2, 3]));
    const y = record('add', [x], Tensor.zeros([2, 3]), () => [Tensor.zeros([3, 2])]);
    expect(() => sum(y).backward()).toThrow(/^add: gradient for input 0 has shape \[3, 2\], expected \[2, 3\]$/);
  });

  it('the error names the right input of a binary op', () => {
    const x = Var.param(Tensor.zeros([2]));
    const z = Var.param(Tensor.zeros([4]));
    const y = record('mul', [x, z], Tensor.zeros([2]), (g) => [g, Tensor.zeros([5])]);
    expect(() => sum(y).backward()).toThrow(/^mul: gradient for input 1 has shape \[5\], expected \[4\]$/);
  });

  it('a broadcast-shaped gradient is summed down to the input shape by the engine', () => {
    const x = Var.param(Tensor.from([1, 2, 3]));
    const y = record('expand', [x], Tensor.zeros([2, 3]), (g) => [g]);
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual([2, 2, 2]);
  });

  it('a null gradient from a rule sends nothing to that input', () => {
    const x = Var.param(Tensor.from([1]));
    const y = record('step', [x], Tensor.from([1]), () => [null]);
    sum(y).backward();
    expect(x.grad).toBeNull();
  });
});

describe('errors at the public boundary say what happened', () => {
  it('matmul inner dimensions', () => {
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))).toThrow(
      /^matmul: inner dimensions differ: a=\[2, 3\], b=\[4, 5\]$/,
    );
    expect(() => matmul(Tensor.zeros([3]), Tensor.zeros([3, 1]))).toThrow(/matmul: operands must have rank >= 2/);
    expect(() => matmul(Tensor.zeros([2, 2, 3]), Tensor.zeros([3, 3, 1]))).toThrow(/matmul: shapes do not broadcast: a=\[2\], b=\[3\]/);
  });

  it('shapes that do not broadcast', () => {
    expect(() => add(Tensor.zeros([2, 3]), Tensor.zeros([4]))).toThrow(/^add: shapes do not broadcast: a=\[2, 3\], b=\[4\]$/);
    expect(() => mul(Tensor.zeros([2, 1, 3]), Tensor.zeros([2, 2]))).toThrow(/^mul: shapes do not broadcast: a=\[2, 1, 3\], b=\[2, 2\]$/);
  });

  it('axes out of range', () => {
    expect(() => sum(Tensor.zeros([2, 3]), 5)).toThrow(/^sum: axis 5 is out of range for a tensor of rank 2$/);
    expect(() => sum(Tensor.zeros([2, 3]), -3)).toThrow(/sum: axis -3 is out of range/);
    expect(() => sum(Tensor.zeros([2, 3]), [0, -2])).toThrow(/sum: axis -2 is repeated in \[0, -2\]/);
  });

  it('labels out of range', () => {
    expect(() => crossEntropy(Var.constant(Tensor.zeros([1, 3])), [3])).toThrow(
      /^crossEntropy: label 3 at sample 0 is out of range \[0, 3\)$/,
    );
    expect(() => logistic(Var.constant(Tensor.zeros([1])), [2])).toThrow(/^logistic: label 2 at sample 0 is not in \{0, 1\} or \{-1, \+1\}$/);
  });

  it('non-finite targets in mse', () => {
    const out = Var.constant(Tensor.zeros([2]));
    expect(() => mse(out, Tensor.from([0, NaN]))).toThrow(/mse: target holds a non-finite value \(NaN\) at flat position 1 of shape \[2\]/);
    expect(() => mse(out, Tensor.from([Infinity, 0]))).toThrow(/mse: target holds a non-finite value \(Infinity\) at flat position 0/);
  });

  it('reshape to a wrong size', () => {
    expect(() => reshape(Tensor.zeros([2, 3]), [4])).toThrow(/^reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4\]$/);
    expect(() => reshape(Tensor.zeros([2, 3]), [-1, 4])).toThrow(/reshape: cannot infer -1 in \[-1, 4\] for 6 elements/);
  });

  it('linear with wrong shapes', () => {
    const x = randomTensor([4, 3], 1);
    expect(() => linear(x, randomTensor([2, 5], 2))).toThrow(
      /^linear: expected x \[n, in\] and weight \[out, in\], got x=\[4, 3\], weight=\[2, 5\]$/,
    );
    expect(() => linear(randomTensor([3], 3), randomTensor([2, 3], 2))).toThrow(/linear: expected x \[n, in\]/);
    expect(() => linear(x, randomTensor([2, 3], 2), randomTensor([3], 4))).toThrow(/^linear: bias must have shape \[2\], got \[3\]$/);
  });
});
