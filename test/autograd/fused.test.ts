// The fused gated layer and the broadcast-row fast path of `linear`: gradients by central differences, values against the composites.

import { describe, expect, it } from 'vitest';
import { Var, noGrad } from '../../src/autograd/engine.js';
import { scaledSigmoid, step } from '../../src/autograd/ops/activation.js';
import { mul } from '../../src/autograd/ops/elementwise.js';
import { augmentedLinear, composeAffine, gatedLinear, linear, matmul, rowContract, rowOuter, softGatedLinear } from '../../src/autograd/ops/linalg.js';
import { reshape } from '../../src/autograd/ops/movement.js';
import { sum } from '../../src/autograd/ops/reduce.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Workspace, withWorkspace } from '../../src/tensor/workspace.js';
import { gradcheck, randomTensor } from '../helpers/gradcheck.js';

function bits(a: Tensor, b: Tensor): boolean {
  const x = a.values();
  const y = b.values();
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (!Object.is(x[k], y[k])) return false;
  return true;
}

describe('rowOuter: the row-wise outer product of a DLGN-VT as one node', () => {
  it('passes gradcheck for both inputs (odd sizes, one row, a non-contiguous input)', () => {
    gradcheck((a, b) => rowOuter(a, b), [randomTensor([5, 3], 1), randomTensor([5, 4], 2)], { rtol: 1e-7 });
    gradcheck((a, b) => rowOuter(a, b), [randomTensor([1, 2], 3), randomTensor([1, 1], 4)], { rtol: 1e-7 });
    gradcheck((a, b) => rowOuter(a, b), [randomTensor([3, 4], 5).transpose([1, 0]), randomTensor([4, 2], 6)], { rtol: 1e-7 });
  });

  it('has the bits of the broadcast composite, forward and backward, including -0 and zero rows', () => {
    for (const [n, p, m] of [[7, 3, 5], [16, 36, 6], [1, 1, 1], [9, 10, 10]] as const) {
      const a = randomTensor([n, p], n + p);
      const b = randomTensor([n, m], n + m);
      a.data[0] = -0;
      b.data[b.data.length - 1] = 0;
      const seed = randomTensor([n, p * m], 11);
      const run = (fused: boolean): Tensor[] => {
        const av = new Var(a.clone(), true), bv = new Var(b.clone(), true);
        const out = fused ? rowOuter(av, bv) : reshape(mul(reshape(av, [n, p, 1]), reshape(bv, [n, 1, m])), [n, p * m]);
        out.backward(seed);
        return [out.value, av.grad!, bv.grad!];
      };
      const [f, c] = [run(true), run(false)];
      f.forEach((t, k) => expect(bits(t, c[k]), `n=${n} p=${p} m=${m} result ${k}`).toBe(true));
    }
  });

  it('checks its shapes', () => {
    expect(() => rowOuter(Tensor.zeros([2, 3]), Tensor.zeros([3, 3]))).toThrow('rowOuter: expected a [n, p] and b [n, m] with the same n, got a=[2, 3], b=[3, 3]');
  });
});

describe('rowContract: the row-wise contraction of a DLGN-VT as one node', () => {
  it('passes gradcheck for both inputs (odd sizes, one row, m = 1, a non-contiguous input)', () => {
    gradcheck((t, b) => rowContract(t, b), [randomTensor([5, 12], 1), randomTensor([5, 4], 2)], { rtol: 1e-7 });
    gradcheck((t, b) => rowContract(t, b), [randomTensor([1, 2], 3), randomTensor([1, 1], 4)], { rtol: 1e-7 });
    gradcheck((t, b) => rowContract(t, b), [randomTensor([1, 3], 3), randomTensor([1, 3], 4)], { rtol: 1e-7 });
    gradcheck((t, b) => rowContract(t, b), [randomTensor([6, 4], 5).transpose([1, 0]), randomTensor([4, 3], 6)], { rtol: 1e-7 });
  });

  it('has the bits of the broadcast composite sum(t * b, last axis), forward and backward, including -0 for m > 1', () => {
    for (const [n, p, m] of [[7, 3, 5], [16, 36, 6], [1, 1, 1], [9, 10, 10], [4, 1, 7], [3, 5, 1]] as const) {
      const t = randomTensor([n, p * m], n + p);
      const b = randomTensor([n, m], n + m);
      t.data[0] = -0;
      b.data[b.data.length - 1] = 0;
      const seed = randomTensor([n, p], 11);
      // (with m = 1 nothing is summed: rowContract returns the product, -0 included, where the
      // composite's sum starts from +0; signed zeros are only compared for m > 1)
      if (m === 1) {
        t.data[0] = 0.5;
        b.data[b.data.length - 1] = 0.25;
      }
      const run = (fused: boolean): Tensor[] => {
        const tv = new Var(t.clone(), true), bv = new Var(b.clone(), true);
        const out = fused ? rowContract(tv, bv) : sum(mul(reshape(tv, [n, p, m]), reshape(bv, [n, 1, m])), 2);
        out.backward(seed);
        return [out.value, tv.grad!, bv.grad!];
      };
      const [f, c] = [run(true), run(false)];
      f.forEach((x, k) => expect(bits(x, c[k]), `n=${n} p=${p} m=${m} result ${k}`).toBe(true));
    }
  });

  it('is the transpose of rowOuter: <rowOuter(a, b), t> = <a, rowContract(t, b)>', () => {
    const a = randomTensor([6, 4], 21), b = randomTensor([6, 5], 22), t = randomTensor([6, 20], 23);
    const lhs = noGrad(() => sum(mul(rowOuter(a, b), t)).value.item());
    const rhs = noGrad(() => sum(mul(a, rowContract(t, b))).value.item());
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)));
  });

  it('checks its shapes', () => {
    expect(() => rowContract(Tensor.zeros([2, 6]), Tensor.zeros([3, 3]))).toThrow('rowContract: expected t [n, p m] and b [n, m] with the same n and m > 0 dividing t\'s columns, got t=[2, 6], b=[3, 3]');
    expect(() => rowContract(Tensor.zeros([2, 7]), Tensor.zeros([2, 3]))).toThrow('got t=[2, 7], b=[2, 3]');
    expect(() => rowContract(Tensor.zeros([2, 0]), Tensor.zeros([2, 0]))).toThrow('rowContract: expected');
  });
});

describe('gatedLinear: G (*) (x W^T + b) as one node', () => {
  it('passes gradcheck for gate, input, weight and bias (odd sizes)', () => {
    const G = randomTensor([5, 3], 1, 0.1, 0.9);
    const x = randomTensor([5, 4], 2);
    const W = randomTensor([3, 4], 3);
    const b = randomTensor([3], 4);
    gradcheck((g, xx, w, bb) => gatedLinear(g, xx, w, bb), [G, x, W, b], { rtol: 1e-7 });
    gradcheck((g, xx, w) => gatedLinear(g, xx, w), [G, x, W], { rtol: 1e-7 });
  });

  it('passes gradcheck with the gate computed from a gating layer (the DLGN layer, end to end)', () => {
    const x = randomTensor([6, 2], 5);
    const Wg = randomTensor([7, 2], 6);
    const bg = randomTensor([7], 7);
    const v = randomTensor([6, 3], 8);
    const Wv = randomTensor([7, 3], 9);
    const bv = randomTensor([7], 10);
    gradcheck(
      (xx, wg, bgg, vv, wv, bvv) => gatedLinear(scaledSigmoid(linear(xx, wg, bgg), 3), vv, wv, bvv),
      [x, Wg, bg, v, Wv, bv],
      { rtol: 1e-6 },
    );
  });

  it('gives the value and every gradient of mul(G, linear(x, W, b)) bit for bit', () => {
    for (const [n, d, m] of [[1, 1, 1], [7, 5, 3], [256, 16, 16], [33, 300, 9]]) {
      const tensors = [randomTensor([n, m], 11, 0, 1), randomTensor([n, d], 12), randomTensor([m, d], 13), randomTensor([m], 14)];
      const run = (fused: boolean): Tensor[] => {
        const [G, x, W, b] = tensors.map((t) => Var.param(t.clone()));
        const h = fused ? gatedLinear(G, x, W, b) : mul(G, linear(x, W, b));
        // a non-uniform seed, so each output element's gradient differs
        sum(mul(h, Var.constant(randomTensor([n, m], 15)))).backward();
        return [h.value, G.grad!, x.grad!, W.grad!, b.grad!];
      };
      const fused = run(true);
      const composite = run(false);
      fused.forEach((t, i) => expect(bits(t, composite[i]), `n=${n} d=${d} m=${m} output ${i}`).toBe(true));
    }
  });

  it('lets no gradient through a hard gate, and validates shapes', () => {
    const z = Var.param(randomTensor([4, 3], 1));
    const W = Var.param(randomTensor([3, 2], 2));
    const h = gatedLinear(step(z), randomTensor([4, 2], 3), W);
    sum(h).backward();
    expect(z.grad).toBeNull();
    expect(W.grad).not.toBeNull();
    expect(() => gatedLinear(randomTensor([4, 2], 1), randomTensor([4, 2], 3), W.value)).toThrow(/^gatedLinear: gate must have shape \[4, 3\], got \[4, 2\]$/);
    expect(() => gatedLinear(randomTensor([4, 3], 1), randomTensor([4, 5], 3), W.value)).toThrow(/^gatedLinear: expected x \[n, in\] and weight \[out, in\]/);
  });
});

describe('softGatedLinear: sigma(beta zg) (*) (x W^T + b), gate included', () => {
  it('passes gradcheck for the gate pre-activation, input, weight and bias', () => {
    const zg = randomTensor([5, 3], 1, -0.5, 0.5);
    const x = randomTensor([5, 4], 2);
    const W = randomTensor([3, 4], 3);
    const b = randomTensor([3], 4);
    gradcheck((z, xx, w, bb) => softGatedLinear(z, 3, xx, w, bb).out, [zg, x, W, b], { rtol: 1e-7 });
    gradcheck((z, xx, w) => softGatedLinear(z, 0.7, xx, w).out, [zg, x, W], { rtol: 1e-7 });
  });

  it('gives the gates, the value and every gradient of gatedLinear(scaledSigmoid(zg), ...) bit for bit', () => {
    for (const [n, d, m] of [[1, 1, 1], [7, 5, 3], [256, 16, 16], [33, 300, 9]]) {
      const tensors = [randomTensor([n, m], 41, -1, 1), randomTensor([n, d], 42), randomTensor([m, d], 43), randomTensor([m], 44)];
      const seed = randomTensor([n, m], 45);
      const run = (fused: boolean): Tensor[] => {
        const [zg, x, W, b] = tensors.map((t) => Var.param(t.clone()));
        let h: Var;
        let gate: Tensor;
        if (fused) {
          const r = softGatedLinear(zg, 10, x, W, b);
          h = r.out;
          gate = r.gate.value;
        } else {
          const g = scaledSigmoid(zg, 10);
          h = gatedLinear(g, x, W, b);
          gate = g.value;
        }
        sum(mul(h, Var.constant(seed))).backward();
        return [gate, h.value, zg.grad!, x.grad!, W.grad!, b.grad!];
      };
      const fused = run(true);
      const composite = run(false);
      fused.forEach((t, i) => expect(bits(t, composite[i]), `n=${n} d=${d} m=${m} output ${i}`).toBe(true));
    }
  });

  it('reports its gates as values (no gradient through them) and validates shapes', () => {
    const r = softGatedLinear(randomTensor([4, 3], 1), 2, randomTensor([4, 2], 2), Var.param(randomTensor([3, 2], 3)));
    expect(r.gate.requiresGrad).toBe(false);
    expect(r.out.requiresGrad).toBe(true);
    expect(() => softGatedLinear(randomTensor([4, 2], 1), 2, randomTensor([4, 2], 2), randomTensor([3, 2], 3))).toThrow(
      /^softGatedLinear: gate pre-activation must have shape \[4, 3\], got \[4, 2\]$/,
    );
  });
});

describe('linear on a broadcast row (stride 0: the all-ones value input)', () => {
  it('equals linear on the materialised copy, value and weight gradient (bit for bit for in <= 256, n <= 256)', () => {
    for (const [n, d, m] of [[2, 1, 1], [256, 2, 16], [100, 20, 20], [7, 256, 5]]) {
      const row = Tensor.ones([1, d]);
      const W0 = randomTensor([m, d], 21);
      const b0 = randomTensor([m], 22);
      const seed = randomTensor([n, m], 23);
      const run = (x: Tensor, gated: boolean): Tensor[] => {
        const W = Var.param(W0.clone());
        const b = Var.param(b0.clone());
        const G = Var.param(randomTensor([n, m], 24, 0, 1));
        const h = gated ? gatedLinear(G, x, W, b) : linear(x, W, b);
        sum(mul(h, Var.constant(seed))).backward();
        return [h.value, W.grad!, b.grad!];
      };
      for (const gated of [false, true]) {
        const viaView = run(row.expand([n, d]), gated);
        const viaCopy = run(row.expand([n, d]).contiguous().clone(), gated);
        viaView.forEach((t, i) => expect(bits(t, viaCopy[i]), `n=${n} d=${d} m=${m} gated=${gated} output ${i}`).toBe(true));
      }
    }
  });

  it('is accurate for a general repeated row and a wide input (in > 256)', () => {
    const x = randomTensor([1, 700], 31).expand([300, 700]);
    const W = Var.param(randomTensor([6, 700], 32));
    const h = linear(x, W);
    const ref = noGrad(() => linear(x.contiguous().clone(), W.value));
    const a = h.value.values();
    const r = ref.value.values();
    for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - r[k])).toBeLessThan(1e-12 * Math.max(1, Math.abs(r[k])));
    gradcheck((w) => linear(randomTensor([1, 5], 33).expand([9, 5]), w), [randomTensor([4, 5], 34)]);
  });
});

describe('backward and workspaces', () => {
  it('allocates .grad outside the active workspace, so it survives the next round', () => {
    const ws = new Workspace();
    const w0 = randomTensor([3, 4], 1);
    const x = randomTensor([5, 4], 2);
    const w = Var.param(w0.clone());
    withWorkspace(ws, () => sum(linear(x, w)).backward());
    const held = w.grad!;
    // a second round reuses every workspace buffer; had .grad been one, it would now hold junk
    withWorkspace(ws, () => sum(mul(linear(x, Var.param(w0.clone())), 3)));
    const fresh = Var.param(w0.clone());
    sum(linear(x, fresh)).backward();
    expect(Array.from(held.values())).toEqual(Array.from(fresh.grad!.values()));
  });
});

describe('composeAffine and augmentedLinear: the effective half-spaces of a linear gating network', () => {
  it('pass gradcheck: weights, biases and the previous composition, with and without bias', () => {
    const x = randomTensor([5, 3], 21);
    const W1 = randomTensor([4, 3], 22);
    const b1 = randomTensor([4], 23);
    const W2 = randomTensor([6, 4], 24);
    const b2 = randomTensor([6], 25);
    gradcheck((w1, bb1, w2, bb2, xx) => augmentedLinear(xx, composeAffine(w2, bb2, composeAffine(w1, bb1, null))), [W1, b1, W2, b2, x], { rtol: 1e-7 });
    gradcheck((w1, w2, xx) => augmentedLinear(xx, composeAffine(w2, null, composeAffine(w1, null, null))), [W1, W2, x], { rtol: 1e-7 });
    gradcheck((w1, bb1) => composeAffine(w1, bb1, null), [W1, b1], { rtol: 1e-7 });
  });

  it('equal the layer-by-layer network on values, and the chain of matmul and linear on every gradient, to the bit', () => {
    const x = randomTensor([33, 2], 31);
    const Ws = [randomTensor([16, 2], 32), randomTensor([16, 16], 33), randomTensor([9, 16], 34)];
    const bs = [randomTensor([16], 35), randomTensor([16], 36), randomTensor([9], 37)];
    const seed = randomTensor([33, 9], 38);
    const run = (fused: boolean): Tensor[] => {
      const W = Ws.map((t) => Var.param(t.clone()));
      const b = bs.map((t) => Var.param(t.clone()));
      let z: Var;
      if (fused) {
        let a: Var | null = null;
        for (let l = 0; l < 3; l++) a = composeAffine(W[l], b[l], a);
        z = augmentedLinear(x, a!);
      } else {
        // the composite: W_eff = W_l W_eff', b_eff = W_l b_eff' + b_l, then x W_eff^T + b_eff
        let w: Var = W[0];
        let c: Var = b[0];
        for (let l = 1; l < 3; l++) {
          w = matmul(W[l], w);
          c = reshape(linear(reshape(c, [1, -1]), W[l], b[l]), [W[l].shape[0]]);
        }
        z = linear(x, w, c);
      }
      sum(mul(z, Var.constant(seed))).backward();
      return [z.value, ...W.map((v) => v.grad!), ...b.map((v) => v.grad!)];
    };
    const f = run(true);
    const c = run(false);
    expect(bits(f[0], c[0]), 'values').toBe(true);
    // gradients: the same quantities, summed in another grouping; equal within rounding
    for (let i = 1; i < f.length; i++) {
      const a = f[i].values();
      const e = c[i].values();
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - e[k])).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(e[k])));
    }
  });

  it('validate shapes, naming the op', () => {
    const W = randomTensor([3, 2], 1);
    expect(() => composeAffine(W, randomTensor([2], 2), null)).toThrow('composeAffine: bias must have shape [3], got [2]');
    expect(() => composeAffine(randomTensor([4, 5], 3), null, composeAffine(W, null, null))).toThrow(
      'composeAffine: prev must be [5, d + 1] for weight [4, 5], got [3, 3]',
    );
    expect(() => augmentedLinear(randomTensor([4, 3], 4), composeAffine(W, null, null))).toThrow(
      'augmentedLinear: expected x [n, d] and aug [m, d + 1], got x=[4, 3], aug=[3, 3]',
    );
  });
});
