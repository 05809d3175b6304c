// Every differentiable op of src/autograd: forward values against references, gradients by gradcheck.

import { describe, expect, it } from 'vitest';
import * as ag from '../../src/autograd/index.js';
import { Var, valueAndGrad } from '../../src/autograd/index.js';
import type { Shape } from '../../src/tensor/shape.js';
import { type SliceRange, Tensor } from '../../src/tensor/tensor.js';
import { expectClose, gradcheck, randomSigned, randomTensor } from '../helpers/gradcheck.js';

// ---- small independent references (plain loops over multi-indices) -------------------------

type Domain = 'any' | 'pos' | 'away';

/** Random inputs on a domain: anything in [-2, 2), positive in [0.5, 2), or |x| in [0.2, 1.5). */
function gen(shape: Shape, seed: number, domain: Domain): Tensor {
  if (domain === 'pos') return randomTensor(shape, seed, 0.5, 2);
  if (domain === 'away') return randomSigned(shape, seed, 0.2, 1.5);
  return randomTensor(shape, seed, -2, 2);
}

function* indices(shape: Shape): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = shape.map(() => 0);
  for (let k = 0; k < n; k++) {
    yield idx.slice();
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Elementwise f with NumPy broadcasting, by explicit index arithmetic. */
function refBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const n = Math.max(a.ndim, b.ndim);
  const pad = (s: readonly number[]): number[] => [...new Array<number>(n - s.length).fill(1), ...s];
  const sa = pad(a.shape);
  const sb = pad(b.shape);
  const shape = sa.map((d, i) => (d === 1 ? sb[i] : d));
  const out = Tensor.zeros(shape);
  const pick = (t: Tensor, s: number[], idx: number[]): number =>
    t.get(...idx.slice(n - t.ndim).map((v, i) => (s[n - t.ndim + i] === 1 ? 0 : v)));
  for (const idx of indices(shape)) out.set(f(pick(a, sa, idx), pick(b, sb, idx)), ...idx);
  return out;
}

function refUnary(a: Tensor, f: (x: number) => number): Tensor {
  const out = Tensor.zeros(a.shape);
  for (const idx of indices(a.shape)) out.set(f(a.get(...idx)), ...idx);
  return out;
}

function refReduce(a: Tensor, axes: number[], keepDims: boolean, isMean: boolean): Tensor {
  const ax = axes.map((x) => (x < 0 ? x + a.ndim : x));
  const kept = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const out = Tensor.zeros(kept);
  let count = 1;
  for (const i of ax) count *= a.shape[i];
  for (const idx of indices(a.shape)) {
    const o = idx.map((v, i) => (ax.includes(i) ? 0 : v));
    out.set(out.get(...o) + a.get(...idx), ...o);
  }
  if (isMean) for (let k = 0; k < out.data.length; k++) out.data[k] /= count;
  return keepDims ? out : out.reshape(a.shape.filter((_, i) => !ax.includes(i)));
}

/** Batched matmul with broadcast batch axes, by the triple loop. */
function refMatmul(a: Tensor, b: Tensor): Tensor {
  const M = a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const N = b.shape[b.ndim - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const nb = Math.max(ba.length, bb.length);
  const pa = [...new Array<number>(nb - ba.length).fill(1), ...ba];
  const pb = [...new Array<number>(nb - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => (d === 1 ? pb[i] : d));
  const out = Tensor.zeros([...batch, M, N]);
  for (const bi of indices(batch)) {
    const ia = bi.slice(nb - ba.length).map((v, i) => (ba[i] === 1 ? 0 : v));
    const ib = bi.slice(nb - bb.length).map((v, i) => (bb[i] === 1 ? 0 : v));
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.get(...ia, i, k) * b.get(...ib, k, j);
        out.set(s, ...bi, i, j);
      }
    }
  }
  return out;
}

const sigmoidRef = (x: number): number => 1 / (1 + Math.exp(-x));

// ---- binary elementwise ---------------------------------------------------------------------

interface BinaryOp {
  name: string;
  f: (a: Var, b: Var) => Var;
  ref: (x: number, y: number) => number;
  b: Domain;
}

const binaryOps: BinaryOp[] = [
  { name: 'add', f: ag.add, ref: (x, y) => x + y, b: 'any' },
  { name: 'sub', f: ag.sub, ref: (x, y) => x - y, b: 'any' },
  { name: 'mul', f: ag.mul, ref: (x, y) => x * y, b: 'any' },
  { name: 'div', f: ag.div, ref: (x, y) => x / y, b: 'away' },
  { name: 'maximum', f: ag.maximum, ref: (x, y) => Math.max(x, y), b: 'any' },
  { name: 'minimum', f: ag.minimum, ref: (x, y) => Math.min(x, y), b: 'any' },
];

interface BinaryCase {
  label: string;
  out: Shape;
  make: (b: Domain) => [Tensor, Tensor];
}

const shapes = (sa: Shape, sb: Shape, out: Shape): BinaryCase => ({
  label: `${JSON.stringify(sa)} with ${JSON.stringify(sb)}`,
  out,
  make: (b) => [gen(sa, 11, 'any'), gen(sb, 23, b)],
});

const binaryCases: BinaryCase[] = [
  shapes([], [], []),
  shapes([], [2, 3], [2, 3]),
  shapes([2, 3], [], [2, 3]),
  shapes([2, 3], [2, 3], [2, 3]),
  shapes([1], [3], [3]),
  shapes([1, 1], [2, 3], [2, 3]),
  shapes([2, 3], [3], [2, 3]),
  shapes([2, 1], [1, 3], [2, 3]),
  shapes([3], [2, 3], [2, 3]),
  shapes([2, 3, 4], [3, 1], [2, 3, 4]),
  shapes([3, 1], [2, 3, 4], [2, 3, 4]),
  shapes([0, 3], [3], [0, 3]),
  shapes([0, 3], [0, 3], [0, 3]),
  shapes([1, 3], [0, 1], [0, 3]),
  {
    label: 'a transposed view with an expanded view',
    out: [2, 3],
    make: (b) => [gen([3, 2], 31, 'any').transpose(), gen([3], 37, b).expand([2, 3])],
  },
  {
    label: 'a stepped slice with a sliced row',
    out: [2, 3],
    make: (b) => [gen([4, 6], 41, 'any').slice([undefined, undefined, 2], [-1, undefined, -2]), gen([2, 3], 43, b).slice([1, 2])],
  },
];

describe('binary elementwise ops', () => {
  for (const op of binaryOps) {
    for (const c of binaryCases) {
      it(`${op.name}: ${c.label}`, () => {
        const [a, b] = c.make(op.b);
        const y = op.f(Var.constant(a), Var.constant(b));
        expect(y.shape).toEqual(c.out);
        expectClose(y.value, refBinary(a, b, op.ref), 1e-15);
        gradcheck(op.f, [a, b]);
        gradcheck(op.f, [a, b], { wrt: [true, false] });
        gradcheck(op.f, [a, b], { wrt: [false, true] });
      });
    }
  }

  it('zero-size operands give zero-size gradients and a zero gradient to the broadcast one', () => {
    const [, [ga, gb]] = valueAndGrad((a, b) => ag.sum(ag.mul(a, b)))(Tensor.zeros([0, 3]), Tensor.from([1, 2, 3]));
    expect(ga.shape).toEqual([0, 3]);
    expect(gb.shape).toEqual([3]);
    expect(Array.from(gb.values())).toEqual([0, 0, 0]);
  });

  it('accept plain numbers and tensors as constants', () => {
    const x = Var.param(Tensor.from([1, 2]));
    expect(ag.add(x, 1).value.toArray()).toEqual([2, 3]);
    expect(ag.sub(3, x).value.toArray()).toEqual([2, 1]);
    expect(ag.div(x, Tensor.from([2, 4])).value.toArray()).toEqual([0.5, 0.5]);
    expect(ag.mul(2, x).requiresGrad).toBe(true);
  });

  it('maximum and minimum send the gradient of a tie to the first operand', () => {
    const a = Tensor.from([1, 2, 3]);
    const b = Tensor.from([1, 5, 0]);
    const [, [gaMax, gbMax]] = valueAndGrad((x, y) => ag.sum(ag.maximum(x, y)))(a, b);
    expect(gaMax.toArray()).toEqual([1, 0, 1]);
    expect(gbMax.toArray()).toEqual([0, 1, 0]);
    const [, [gaMin, gbMin]] = valueAndGrad((x, y) => ag.sum(ag.minimum(x, y)))(a, b);
    expect(gaMin.toArray()).toEqual([1, 1, 0]);
    expect(gbMin.toArray()).toEqual([0, 0, 1]);
  });

  it('div by zero gives IEEE infinities', () => {
    expect(ag.div(Tensor.from([1, -1, 0]), Tensor.from([0, 0, 0])).value.toArray()).toEqual([Infinity, -Infinity, NaN]);
  });
});

// ---- unary elementwise ---------------------------------------------------------------------

interface UnaryOp {
  name: string;
  f: (a: Var) => Var;
  ref: (x: number) => number;
  domain: Domain;
}

const unaryOps: UnaryOp[] = [
  { name: 'neg', f: ag.neg, ref: (x) => -x, domain: 'any' },
  { name: 'exp', f: ag.exp, ref: Math.exp, domain: 'any' },
  { name: 'log', f: ag.log, ref: Math.log, domain: 'pos' },
  { name: 'sqrt', f: ag.sqrt, ref: Math.sqrt, domain: 'pos' },
  { name: 'abs', f: ag.abs, ref: Math.abs, domain: 'away' },
  { name: 'relu', f: ag.relu, ref: (x) => Math.max(x, 0), domain: 'away' },
  { name: 'sigmoid', f: ag.sigmoid, ref: sigmoidRef, domain: 'any' },
  { name: 'tanh', f: ag.tanh, ref: Math.tanh, domain: 'any' },
  { name: 'softplus', f: ag.softplus, ref: (x) => Math.log(1 + Math.exp(x)), domain: 'any' },
  { name: 'pow 2', f: (x) => ag.pow(x, 2), ref: (x) => x * x, domain: 'any' },
  { name: 'pow 3', f: (x) => ag.pow(x, 3), ref: (x) => x * x * x, domain: 'any' },
  { name: 'pow 0.5', f: (x) => ag.pow(x, 0.5), ref: Math.sqrt, domain: 'pos' },
  { name: 'pow -1', f: (x) => ag.pow(x, -1), ref: (x) => 1 / x, domain: 'away' },
  { name: 'pow -2.5', f: (x) => ag.pow(x, -2.5), ref: (x) => x ** -2.5, domain: 'pos' },
  { name: 'pow 1', f: (x) => ag.pow(x, 1), ref: (x) => x, domain: 'any' },
  { name: 'pow 0', f: (x) => ag.pow(x, 0), ref: () => 1, domain: 'away' },
];

interface UnaryCase {
  label: string;
  make: (d: Domain) => Tensor;
}

const unaryCases: UnaryCase[] = [
  ...([[], [1], [5], [2, 3], [2, 3, 4], [0, 3]] as Shape[]).map((s, i) => ({
    label: JSON.stringify(s),
    make: (d: Domain) => gen(s, 100 + i, d),
  })),
  { label: 'a transposed view', make: (d: Domain) => gen([4, 3], 107, d).transpose() },
  { label: 'a negative-step slice', make: (d: Domain) => gen([5, 4], 108, d).slice([-1, 0, -2], [1, undefined]) },
];

describe('unary elementwise ops', () => {
  for (const op of unaryOps) {
    for (const c of unaryCases) {
      it(`${op.name}: ${c.label}`, () => {
        const x = c.make(op.domain);
        const y = op.f(Var.constant(x));
        expect(y.shape).toEqual(x.shape);
        expectClose(y.value, refUnary(x, op.ref), 1e-14);
        gradcheck(op.f, [x]);
      });
    }
  }

  it('hand-worked values: sigmoid(0) = 0.5, softplus(0) = ln 2, exp(1) = e, sqrt(4) = 2', () => {
    expect(ag.sigmoid(Tensor.from([0])).value.toArray()).toEqual([0.5]);
    expect(ag.softplus(Tensor.scalar(0)).item()).toBe(Math.LN2);
    expect(ag.exp(Tensor.scalar(1)).item()).toBe(Math.E);
    expect(ag.sqrt(Tensor.from([4, 9])).value.toArray()).toEqual([2, 3]);
    expect(ag.tanh(Tensor.from([0])).value.toArray()).toEqual([0]);
    expect(ag.relu(Tensor.from([-1, 0, 2])).value.toArray()).toEqual([0, 0, 2]);
    expect(ag.abs(Tensor.from([-1.5, 0, 2])).value.toArray()).toEqual([1.5, 0, 2]);
    expect(ag.pow(Tensor.from([2, 3]), 3).value.toArray()).toEqual([8, 27]);
    expect(ag.log(Tensor.from([1, Math.E])).value.toArray()).toEqual([0, 1]);
  });

  it('sigmoid and softplus do not overflow in the tails', () => {
    const s = ag.sigmoid(Tensor.from([-800, 800, -40])).value.toArray() as number[];
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    expect(s[2]).toBeCloseTo(Math.exp(-40), 30);
    expect(ag.softplus(Tensor.from([-800, 800])).value.toArray()).toEqual([0, 800]);
    const [, [g]] = valueAndGrad((x) => ag.sum(ag.sigmoid(x)))(Tensor.from([-800, 800]));
    expect(Array.from(g.values())).toEqual([0, 0]);
    const [, [gs]] = valueAndGrad((x) => ag.sum(ag.softplus(x)))(Tensor.from([-800, 800]));
    expect(Array.from(gs.values())).toEqual([0, 1]);
  });

  it('the kinks are decided: relu\'(0) = 0 and |.|\'(0) = 0', () => {
    const [, [gr]] = valueAndGrad((x) => ag.sum(ag.relu(x)))(Tensor.from([-1, 0, 1]));
    expect(gr.toArray()).toEqual([0, 0, 1]);
    const [, [ga]] = valueAndGrad((x) => ag.sum(ag.abs(x)))(Tensor.from([-1, 0, 1]));
    expect(ga.toArray()).toEqual([-1, 0, 1]);
  });

  it('pow refuses a non-finite exponent', () => {
    expect(() => ag.pow(Tensor.from([1]), NaN)).toThrow(/pow: exponent must be finite, got NaN/);
  });
});

// ---- the hard gate --------------------------------------------------------------------------

describe('step (the hard gate)', () => {
  for (const s of [[], [5], [2, 3], [0, 3]] as Shape[]) {
    it(`step: ${JSON.stringify(s)} has the value 1[x > 0] and an exactly zero gradient`, () => {
      const x = randomSigned(s, 7);
      const y = ag.step(Var.constant(x));
      expectClose(y.value, refUnary(x, (v) => (v > 0 ? 1 : 0)), 0);
      const [, [g]] = valueAndGrad((v) => ag.sum(ag.mul(ag.step(v), 3)))(x);
      expect(g.shape).toEqual(x.shape);
      for (const v of g.values()) expect(v).toBe(0);
      // through .backward() no gradient arrives at all
      const p = Var.param(x);
      const out = ag.step(p);
      expect(out.requiresGrad).toBe(true);
      ag.sum(ag.mul(out, 3)).backward();
      expect(p.grad).toBeNull();
      gradcheck(ag.step, [x]);
    });
  }

  it('step(0) = 0 and a gated product takes the gate as a constant', () => {
    expect(ag.step(Tensor.from([-1, 0, 1e-300])).value.toArray()).toEqual([0, 0, 1]);
    const x = randomSigned([6], 8);
    const [, [g]] = valueAndGrad((v) => ag.sum(ag.mul(ag.step(v), v)))(x);
    expect(Array.from(g.values())).toEqual(Array.from(x.values()).map((v) => (v > 0 ? 1 : 0)));
    gradcheck((v) => ag.mul(ag.step(v), v), [x]);
  });
});

// ---- the soft gate sigma(beta z) ------------------------------------------------------------

describe('scaledSigmoid', () => {
  const z = randomTensor([2, 3], 61, -2, 2);
  for (const beta of [2.5, 1, -1.5, 0, 10]) {
    it(`scaledSigmoid: beta = ${beta} as a constant number`, () => {
      const y = ag.scaledSigmoid(Var.constant(z), beta);
      expectClose(y.value, refUnary(z, (v) => sigmoidRef(beta * v)), 1e-15);
      gradcheck((v) => ag.scaledSigmoid(v, beta), [z]);
    });
  }
  for (const [label, b] of [
    ['a scalar [] Var', Tensor.scalar(1.7)],
    ['a [1] Var', Tensor.from([-0.8])],
  ] as [string, Tensor][]) {
    it(`scaledSigmoid: beta as ${label}, gradients w.r.t. z and beta`, () => {
      const y = ag.scaledSigmoid(Var.constant(z), Var.constant(b));
      expectClose(y.value, refUnary(z, (v) => sigmoidRef(b.item() * v)), 1e-15);
      gradcheck((v, beta) => ag.scaledSigmoid(v, beta), [z, b]);
      gradcheck((v, beta) => ag.scaledSigmoid(v, beta), [z, b], { wrt: [false, true] });
      gradcheck((v, beta) => ag.scaledSigmoid(v, beta), [z, b], { wrt: [true, false] });
      const [, [gb]] = valueAndGrad((beta) => ag.sum(ag.scaledSigmoid(z, beta)))(b);
      expect(gb.shape).toEqual(b.shape);
    });
  }
  it('scaledSigmoid: a hand-worked value and dbeta', () => {
    // s = sigma(2 * 1); ds/dbeta = z s (1 - s) = s (1 - s)
    const s = sigmoidRef(2);
    const [v, [gb]] = valueAndGrad((beta) => ag.sum(ag.scaledSigmoid(Tensor.from([1]), beta)))(Tensor.scalar(2));
    expect(v).toBeCloseTo(s, 15);
    expect(gb.item()).toBeCloseTo(s * (1 - s), 15);
    expect(ag.scaledSigmoid(Tensor.from([0, -1000]), 3).value.toArray()).toEqual([0.5, 0]);
  });
  it('scaledSigmoid: beta must be a scalar', () => {
    expect(() => ag.scaledSigmoid(z, Var.constant(Tensor.from([1, 2])))).toThrow(/scaledSigmoid: beta must be a scalar, got shape \[2\]/);
  });
});

// ---- reductions ----------------------------------------------------------------------------

describe('sum and mean', () => {
  const x = randomTensor([2, 3, 4], 71, -2, 2);
  const axesCases: (number | number[] | undefined)[] = [undefined, 0, 1, 2, -1, -2, [0, 2], [-1, 0], [1, 2], [0, 1, 2]];
  for (const [name, f, isMean] of [
    ['sum', ag.sum, false],
    ['mean', ag.mean, true],
  ] as const) {
    for (const axes of axesCases) {
      for (const keepDims of [false, true]) {
        it(`${name}: [2, 3, 4] axes=${JSON.stringify(axes) ?? 'all'} keepDims=${keepDims}`, () => {
          const list = axes === undefined ? [0, 1, 2] : typeof axes === 'number' ? [axes] : axes;
          const y = f(Var.constant(x), axes, keepDims);
          const ref = refReduce(x, list, keepDims, isMean);
          expect(y.shape).toEqual(ref.shape);
          expectClose(y.value, ref, 1e-14);
          gradcheck((v) => f(v, axes, keepDims), [x]);
        });
      }
    }
    it(`${name}: a scalar input`, () => {
      expect(f(Tensor.scalar(3)).item()).toBe(3);
      gradcheck((v) => f(v), [Tensor.scalar(0.3)]);
    });
    it(`${name}: a transposed view over axis 0`, () => {
      const t = randomTensor([3, 4], 72).transpose();
      expectClose(f(t, 0).value, refReduce(t, [0], false, isMean), 1e-14);
      gradcheck((v) => f(v, 0, true), [t]);
    });
  }
  it('sum: zero-size input, reduced and kept axes', () => {
    const z = Tensor.zeros([0, 3]);
    expect(ag.sum(z, 0).value.toArray()).toEqual([0, 0, 0]);
    expect(ag.sum(z).item()).toBe(0);
    expect(ag.sum(z, 1).shape).toEqual([0]);
    gradcheck((v) => ag.sum(v, 0), [z]);
    gradcheck((v) => ag.sum(v, 1, true), [z]);
    gradcheck((v) => ag.mean(v, 1), [z]);
  });
  it('mean of [[1, 2], [3, 4]] by hand', () => {
    const t = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    expect(ag.mean(t).item()).toBe(2.5);
    expect(ag.mean(t, 0).value.toArray()).toEqual([2, 3]);
    expect(ag.mean(t, -1, true).value.toArray()).toEqual([[1.5], [3.5]]);
    const [, [g]] = valueAndGrad((v) => ag.mean(v))(t);
    expect(g.toArray()).toEqual([
      [0.25, 0.25],
      [0.25, 0.25],
    ]);
  });
});

// ---- matrix products ------------------------------------------------------------------------

describe('matmul', () => {
  const cases: [string, () => [Tensor, Tensor]][] = [
    ['[2, 3] x [3, 4]', () => [randomTensor([2, 3], 81), randomTensor([3, 4], 82)]],
    ['[1, 3] x [3, 1]', () => [randomTensor([1, 3], 83), randomTensor([3, 1], 84)]],
    ['batched [2, 2, 3] x [2, 3, 4]', () => [randomTensor([2, 2, 3], 85), randomTensor([2, 3, 4], 86)]],
    ['broadcast batch [2, 3] x [5, 3, 2]', () => [randomTensor([2, 3], 87), randomTensor([5, 3, 2], 88)]],
    ['broadcast batch [1, 2, 3] x [4, 3, 2]', () => [randomTensor([1, 2, 3], 89), randomTensor([4, 3, 2], 90)]],
    ['broadcast batch [3, 1, 2, 3] x [2, 3, 4]', () => [randomTensor([3, 1, 2, 3], 91), randomTensor([2, 3, 4], 92)]],
    ['transposed views A^T B^T', () => [randomTensor([3, 2], 93).transpose(), randomTensor([4, 3], 94).transpose()]],
    [
      'batched transposed views',
      () => [randomTensor([2, 3, 2], 95).permute([0, 2, 1]), randomTensor([2, 4, 3], 96).permute([0, 2, 1])],
    ],
    ['a stepped slice', () => [randomTensor([4, 6], 97).slice([undefined, undefined, 2], [1, 4]), randomTensor([3, 2], 98)]],
    ['an expanded (stride-0) operand', () => [randomTensor([1, 3], 99).expand([2, 3]), randomTensor([3, 2], 100)]],
  ];
  for (const [label, make] of cases) {
    it(`matmul: ${label}`, () => {
      const [a, b] = make();
      const y = ag.matmul(a, b);
      const ref = refMatmul(a, b);
      expect(y.shape).toEqual(ref.shape);
      expectClose(y.value, ref, 1e-13);
      gradcheck(ag.matmul, [a, b]);
      gradcheck(ag.matmul, [a, b], { wrt: [true, false] });
      gradcheck(ag.matmul, [a, b], { wrt: [false, true] });
    });
  }
  it('matmul: hand-worked [[1, 2], [3, 4]] [[5], [6]] = [[17], [39]]', () => {
    const y = ag.matmul(
      Tensor.from([
        [1, 2],
        [3, 4],
      ]),
      Tensor.from([[5], [6]]),
    );
    expect(y.value.toArray()).toEqual([[17], [39]]);
  });
});

describe('linear', () => {
  const x = randomTensor([4, 3], 111);
  const w = randomTensor([2, 3], 112);
  const b = randomTensor([2], 113);
  const ref = (xv: Tensor, wv: Tensor, bv?: Tensor): Tensor => {
    const m = refMatmul(xv, wv.transpose());
    return bv ? refBinary(m, bv, (p, q) => p + q) : m;
  };
  it('linear: with bias', () => {
    expectClose(ag.linear(x, w, b).value, ref(x, w, b), 1e-14);
    gradcheck((xv, wv, bv) => ag.linear(xv, wv, bv), [x, w, b]);
    gradcheck((xv, wv, bv) => ag.linear(xv, wv, bv), [x, w, b], { wrt: [false, true, true] });
    gradcheck((xv, wv, bv) => ag.linear(xv, wv, bv), [x, w, b], { wrt: [true, false, false] });
  });
  it('linear: without bias (undefined and null)', () => {
    expectClose(ag.linear(x, w).value, ref(x, w), 1e-14);
    expectClose(ag.linear(x, w, null).value, ref(x, w), 1e-14);
    gradcheck((xv, wv) => ag.linear(xv, wv), [x, w]);
    gradcheck((xv, wv) => ag.linear(xv, wv, null), [x, w], { wrt: [false, true] });
  });
  it('linear: transposed views as x and weight', () => {
    const xt = randomTensor([3, 4], 114).transpose();
    const wt = randomTensor([3, 2], 115).transpose();
    expectClose(ag.linear(xt, wt, b).value, ref(xt, wt, b), 1e-14);
    gradcheck((xv, wv, bv) => ag.linear(xv, wv, bv), [xt, wt, b]);
  });
  it('linear: hand-worked x=[[1, 2]], W=[[3, 4], [5, 6]], b=[1, -1] gives [[12, 16]]', () => {
    expect(ag.linear(Tensor.from([[1, 2]]), Tensor.from([[3, 4], [5, 6]]), Tensor.from([1, -1])).value.toArray()).toEqual([[12, 16]]);
  });
});

// ---- movement ------------------------------------------------------------------------------

describe('movement ops', () => {
  const x = randomTensor([2, 3, 4], 121);
  const m = randomTensor([5, 4], 122);

  const reshapeCases: [string, Tensor, number[]][] = [
    ['[2, 3, 4] -> [6, 4]', x, [6, 4]],
    ['[2, 3, 4] -> [24]', x, [24]],
    ['[2, 3, 4] -> [-1, 2]', x, [-1, 2]],
    ['[2, 3, 4] -> [1, 2, 1, 12]', x, [1, 2, 1, 12]],
    ['a transposed view (copies) -> [4, 5]', m.transpose(), [4, 5]],
    ['[] -> [1, 1]', Tensor.scalar(0.4), [1, 1]],
    ['[0, 3] -> [3, 0]', Tensor.zeros([0, 3]), [3, 0]],
  ];
  for (const [label, t, shape] of reshapeCases) {
    it(`reshape: ${label}`, () => {
      const y = ag.reshape(t, shape);
      expect(Array.from(y.value.values())).toEqual(Array.from(t.values()));
      gradcheck((v) => ag.reshape(v, shape), [t]);
    });
  }

  const permuteCases: number[][] = [
    [2, 0, 1],
    [0, 2, 1],
    [-1, 0, 1],
    [0, 1, 2],
  ];
  for (const axes of permuteCases) {
    it(`permute: [2, 3, 4] by ${JSON.stringify(axes)}`, () => {
      const y = ag.permute(x, axes);
      const norm = axes.map((a) => (a < 0 ? a + 3 : a));
      expect(y.shape).toEqual(norm.map((a) => x.shape[a]));
      for (const idx of indices(y.shape)) {
        const src = [0, 0, 0];
        norm.forEach((a, i) => (src[a] = idx[i]));
        expect(y.value.get(...idx)).toBe(x.get(...src));
      }
      gradcheck((v) => ag.permute(v, axes), [x]);
    });
  }

  it('transpose: a matrix, reversing a rank-3 tensor, and explicit axes', () => {
    expect(ag.transpose(Tensor.from([[1, 2, 3]])).value.toArray()).toEqual([[1], [2], [3]]);
    expect(ag.transpose(x).shape).toEqual([4, 3, 2]);
    expect(ag.transpose(x, [1, 0, 2]).shape).toEqual([3, 2, 4]);
    gradcheck((v) => ag.transpose(v), [m]);
    gradcheck((v) => ag.transpose(v), [x]);
    gradcheck((v) => ag.transpose(v, [1, 0, 2]), [x]);
  });

  const expandCases: [Shape, Shape][] = [
    [[3], [2, 3]],
    [[2, 1], [2, 4]],
    [[1, 3], [4, 2, 3]],
    [[], [2, 2]],
    [[2, 3], [2, 3]],
    [[1, 3], [0, 3]],
  ];
  for (const [from, to] of expandCases) {
    it(`expand: ${JSON.stringify(from)} -> ${JSON.stringify(to)}`, () => {
      const t = randomTensor(from, 130);
      const y = ag.expand(t, to);
      expect(y.shape).toEqual(to);
      expectClose(y.value, refBinary(t, Tensor.zeros(to), (p) => p), 0);
      gradcheck((v) => ag.expand(v, to), [t]);
    });
  }

  const sliceCases: [string, (SliceRange | null)[], number[][]][] = [
    // m is 5 x 4; the expected lists are the selected (row, col) index lists
    ['rows 1:4', [[1, 4]], [[1, 2, 3], [0, 1, 2, 3]]],
    ['all rows, columns reversed', [null, [undefined, undefined, -1]], [[0, 1, 2, 3, 4], [3, 2, 1, 0]]],
    ['rows -4:-1:2', [[-4, -1, 2]], [[1, 3], [0, 1, 2, 3]]],
    ['rows ::-2, columns 1:', [[undefined, undefined, -2], [1]], [[4, 2, 0], [1, 2, 3]]],
    ['rows -1:0:-3, columns -3:-1', [[-1, 0, -3], [-3, -1]], [[4, 1], [1, 2]]],
    ['an empty slice 3:1', [[3, 1]], [[], [0, 1, 2, 3]]],
    ['bounds beyond the extent', [[-10, 10, 3]], [[0, 3], [0, 1, 2, 3]]],
  ];
  for (const [label, ranges, [rows, cols]] of sliceCases) {
    it(`slice: ${label}`, () => {
      const y = ag.slice(m, ...ranges);
      expect(y.shape).toEqual([rows.length, cols.length]);
      rows.forEach((r, i) => cols.forEach((c, j) => expect(y.value.get(i, j)).toBe(m.get(r, c))));
      gradcheck((v) => ag.slice(v, ...ranges), [m]);
    });
  }
  it('slice: a rank-3 tensor on its middle axis, and a slice of a transposed view', () => {
    gradcheck((v) => ag.slice(v, null, [2, undefined, -2]), [x]);
    gradcheck((v) => ag.slice(v, [1, undefined, 2], [undefined, -1]), [m.transpose()]);
  });

  const gatherCases: [string, Tensor, number[], number][] = [
    ['axis 0 with repeated indices', m, [0, 2, 0, 2, 1], 0],
    ['axis 1 with repeated and negative indices', m, [1, 1, 0, -1], 1],
    ['axis -1 of a rank-3 tensor', x, [3, 0, 3], -1],
    ['axis 1 of a rank-3 tensor', x, [2, 2, 2, 0], 1],
    ['no indices', m, [], 0],
    ['a transposed view, axis 0', m.transpose(), [3, 3, 1], 0],
  ];
  for (const [label, t, idx, axis] of gatherCases) {
    it(`gather: ${label}`, () => {
      const y = ag.gather(t, idx, axis);
      const ax = axis < 0 ? axis + t.ndim : axis;
      const expected = t.shape.slice();
      expected[ax] = idx.length;
      expect(y.shape).toEqual(expected);
      for (const o of indices(y.shape)) {
        const src = o.slice();
        const j = idx[o[ax]];
        src[ax] = j < 0 ? j + t.shape[ax] : j;
        expect(y.value.get(...o)).toBe(t.get(...src));
      }
      gradcheck((v) => ag.gather(v, idx, axis), [t]);
    });
  }
  it('gather: repeated indices add their gradients', () => {
    const [, [g]] = valueAndGrad((v) => ag.sum(ag.gather(v, [0, 0, 2, 0])))(Tensor.from([10, 20, 30]));
    expect(g.toArray()).toEqual([3, 0, 1]);
  });
  it('gather: an index out of range is an error', () => {
    expect(() => ag.gather(m, [5])).toThrow(/index 5 is out of range for axis 0 of extent 5/);
  });

  const concatCases: [string, Shape[], number][] = [
    ['axis 0', [[1, 3], [2, 3], [3, 3]], 0],
    ['axis 1', [[2, 1], [2, 3], [2, 2]], 1],
    ['axis -1 of rank 3', [[2, 3, 1], [2, 3, 2]], -1],
    ['axis 0 with a zero-size part', [[0, 3], [2, 3]], 0],
  ];
  for (const [label, parts, axis] of concatCases) {
    it(`concat: ${label}`, () => {
      const ts = parts.map((s, i) => randomTensor(s, 140 + i));
      const y = ag.concat(ts, axis);
      const ax = axis < 0 ? axis + parts[0].length : axis;
      const expected = parts[0].slice();
      expected[ax] = parts.reduce((s, p) => s + p[ax], 0);
      expect(y.shape).toEqual(expected);
      let at = 0;
      for (const t of ts) {
        for (const idx of indices(t.shape)) {
          const o = idx.slice();
          o[ax] += at;
          expect(y.value.get(...o)).toBe(t.get(...idx));
        }
        at += t.shape[ax];
      }
      gradcheck((...vs) => ag.concat(vs, axis), ts);
    });
  }
  it('concat: a hand-worked example', () => {
    expect(ag.concat([Tensor.from([[1, 2]]), Tensor.from([[3, 4]])], 1).value.toArray()).toEqual([[1, 2, 3, 4]]);
  });

  for (const axis of [0, 1, 2, -1]) {
    it(`stack: three [2, 3] tensors along axis ${axis}`, () => {
      const ts = [0, 1, 2].map((i) => randomTensor([2, 3], 150 + i));
      const y = ag.stack(ts, axis);
      const ax = axis < 0 ? axis + 3 : axis;
      const expected = [2, 3];
      expected.splice(ax, 0, 3);
      expect(y.shape).toEqual(expected);
      for (const idx of indices(y.shape)) {
        const k = idx[ax];
        const src = idx.filter((_, i) => i !== ax);
        expect(y.value.get(...idx)).toBe(ts[k].get(...src));
      }
      gradcheck((...vs) => ag.stack(vs, axis), ts);
    });
  }
  it('stack: unequal shapes are an error', () => {
    expect(() => ag.stack([Tensor.zeros([2]), Tensor.zeros([3])])).toThrow(/stack: tensor 1 has shape \[3\], expected \[2\]/);
  });
});

// ---- losses --------------------------------------------------------------------------------

describe('losses', () => {
  it('mse: hand-worked value and gradient', () => {
    const out = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    const target = Tensor.from([
      [1, 0],
      [0, 4],
    ]);
    // ((0)^2 + 2^2 + 3^2 + 0^2) / 4 = 13 / 4; d/dout = 2 (out - target) / 4
    const [v, [g]] = valueAndGrad((o) => ag.mse(o, target))(out);
    expect(v).toBe(3.25);
    expect(g.toArray()).toEqual([
      [0, 1],
      [1.5, 0],
    ]);
  });
  for (const shape of [[5], [3, 2], [2, 3, 2]] as Shape[]) {
    it(`mse: gradcheck on ${JSON.stringify(shape)}`, () => {
      const target = randomTensor(shape, 161);
      gradcheck((o) => ag.mse(o, target), [randomTensor(shape, 160)]);
    });
  }
  it('mse: a transposed output view', () => {
    const target = randomTensor([3, 2], 162);
    gradcheck((o) => ag.mse(o, target), [randomTensor([2, 3], 163).transpose()]);
  });
  it('mse: wrong target shape', () => {
    expect(() => ag.mse(Var.constant(Tensor.zeros([2])), Tensor.zeros([3]))).toThrow(
      /mse: output shape \[2\] differs from target shape \[3\]/,
    );
  });

  it('crossEntropy: logits [[1, 2, 3]], label 2 = log(e + e^2 + e^3) - 3', () => {
    const v = ag.crossEntropy(Var.constant(Tensor.from([[1, 2, 3]])), [2]).item();
    expect(v).toBeCloseTo(0.40760596444438, 13);
    expect(Math.abs(v - (Math.log(Math.E + Math.E ** 2 + Math.E ** 3) - 3))).toBeLessThan(1e-15);
  });
  it('crossEntropy: large logits do not overflow', () => {
    const z = Var.constant(
      Tensor.from([
        [1000, 0, -1000],
        [1000, 1000, 0],
      ]),
    );
    expect(ag.crossEntropy(z, [0, 0]).item()).toBeCloseTo(Math.LN2 / 2, 15);
    expect(ag.crossEntropy(z, [1, 2]).item()).toBeCloseTo((1000 + 1000 + Math.LN2) / 2, 10);
    const [, [g]] = valueAndGrad((l) => ag.crossEntropy(l, [0, 0]))(z.value);
    for (const x of g.values()) expect(Number.isFinite(x)).toBe(true);
    expectClose(g, [
      [0, 0, 0],
      [-0.25, 0.25, 0],
    ], 1e-15);
  });
  for (const [label, labels] of [
    ['a number[]', [0, 2, 1, 2]],
    ['an Int32Array', Int32Array.from([2, 2, 0, 1])],
    ['a Tensor', Tensor.from([1, 0, 0, 2])],
  ] as [string, ag.Labels][]) {
    it(`crossEntropy: gradcheck with labels as ${label}`, () => {
      gradcheck((l) => ag.crossEntropy(l, labels), [randomTensor([4, 3], 170, -3, 3)]);
    });
  }
  it('crossEntropy: a transposed logits view', () => {
    gradcheck((l) => ag.crossEntropy(l, [1, 0, 1]), [randomTensor([2, 3], 171, -3, 3).transpose()]);
  });
  it('crossEntropy: errors', () => {
    const z = Var.constant(Tensor.zeros([2, 3]));
    expect(() => ag.crossEntropy(z, [0, 3])).toThrow(/crossEntropy: label 3 at sample 1 is out of range \[0, 3\)/);
    expect(() => ag.crossEntropy(z, [0, 1.5])).toThrow(/crossEntropy: label 1.5 at sample 1 is out of range/);
    expect(() => ag.crossEntropy(z, [0])).toThrow(/crossEntropy: 1 labels for 2 samples/);
    expect(() => ag.crossEntropy(Var.constant(Tensor.zeros([3])), [0])).toThrow(/crossEntropy: logits must be \[n, k\], got \[3\]/);
  });

  it('logistic: hand-worked values, labels {0, 1} and {-1, +1} agree', () => {
    const f = Var.constant(Tensor.from([2, -1, 0]));
    const expected = (Math.log(1 + Math.exp(-2)) + Math.log(1 + Math.exp(-1)) + Math.LN2) / 3;
    expect(ag.logistic(f, [1, 0, 1]).item()).toBeCloseTo(expected, 15);
    expect(ag.logistic(f, [1, -1, -1]).item()).toBeCloseTo(expected, 15);
    expect(ag.logistic(Var.constant(Tensor.from([[-1000]])), [1]).item()).toBe(1000);
    expect(ag.logistic(Var.constant(Tensor.from([1000])), [1]).item()).toBe(0);
  });
  for (const [label, labels] of [
    ['{0, 1}', [1, 0, 0, 1, 1]],
    ['{-1, +1}', [1, -1, -1, 1, 1]],
  ] as [string, number[]][]) {
    for (const shape of [[5], [5, 1]] as Shape[]) {
      it(`logistic: gradcheck, labels ${label}, scores ${JSON.stringify(shape)}`, () => {
        gradcheck((o) => ag.logistic(o, labels), [randomTensor(shape, 180, -3, 3)]);
      });
    }
  }
  it('logistic: errors', () => {
    const f = Var.constant(Tensor.zeros([2]));
    expect(() => ag.logistic(f, [0, 2])).toThrow(/logistic: label 2 at sample 1 is not in \{0, 1\} or \{-1, \+1\}/);
    expect(() => ag.logistic(f, [0, -1])).toThrow(/logistic: labels mix 0 and -1/);
    expect(() => ag.logistic(Var.constant(Tensor.zeros([2, 2])), [0, 1])).toThrow(
      /logistic: expected one score per sample, \[n\] or \[n, 1\], got \[2, 2\]/,
    );
  });

  it('hinge: hand-worked value and gradient', () => {
    // max(0, 1 - 0.5) = 0.5, max(0, 1 + 2) = 3, max(0, 1 + 3) = 4, max(0, 1 - 2) = 0; mean 7.5 / 4
    const [v, [g]] = valueAndGrad((o) => ag.hinge(o, [1, 1, -1, 1]))(Tensor.from([0.5, -2, 3, 2]));
    expect(v).toBe(1.875);
    expect(g.toArray()).toEqual([-0.25, -0.25, 0.25, 0]);
    // the kink s f = 1 gets gradient 0
    const [, [gk]] = valueAndGrad((o) => ag.hinge(o, [1, 0]))(Tensor.from([1, -1]));
    expect(gk.toArray()).toEqual([0, 0]);
  });
  for (const [label, labels] of [
    ['{0, 1}', [1, 0, 0, 1, 1, 0]],
    ['{-1, +1}', [1, -1, -1, 1, 1, -1]],
  ] as [string, number[]][]) {
    for (const shape of [[6], [6, 1]] as Shape[]) {
      it(`hinge: gradcheck away from the kink, labels ${label}, scores ${JSON.stringify(shape)}`, () => {
        // s f = [0.3, 1.7, -0.4, 2.5, -1.2, 0.6]: no margin within 0.3 of the kink at 1
        const s = labels.map((y) => (y === 1 ? 1 : -1));
        const sf = [0.3, 1.7, -0.4, 2.5, -1.2, 0.6];
        const f = Tensor.fromArray(
          sf.map((v, i) => v * s[i]),
          shape,
        );
        gradcheck((o) => ag.hinge(o, labels), [f]);
      });
    }
  }
  it('hinge: label errors', () => {
    expect(() => ag.hinge(Var.constant(Tensor.zeros([1])), [3])).toThrow(/hinge: label 3 at sample 0 is not in \{0, 1\} or \{-1, \+1\}/);
  });
});
