// Every closure-free fast path of src/tensor against the generic code it replaces: same values, bit for bit, on random and odd shapes.

import { describe, expect, it } from 'vitest';
import { gemm, gemmNaive } from '../../src/tensor/gemm.js';
import { expScalar } from '../../src/tensor/math.js';
import * as ops from '../../src/tensor/ops.js';
import type { Shape } from '../../src/tensor/shape.js';
import { Tensor, copyStrided, forEachIndex } from '../../src/tensor/tensor.js';
import { Workspace, allocData, allocDataUninit, withWorkspace } from '../../src/tensor/workspace.js';
import { mulberry32, randomTensor } from '../helpers/gradcheck.js';

/** Same shape and every element identical (Object.is: -0 and NaN distinguished). */
function expectBits(actual: Tensor, expected: Tensor, what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  const a = actual.values();
  const e = expected.values();
  for (let k = 0; k < e.length; k++) {
    if (!Object.is(a[k], e[k])) throw new Error(`${what}: element ${k}: ${a[k]} vs ${e[k]}`);
  }
}

/** Values with both signs, exact zeros and a NaN sprinkled in. */
function messy(shape: Shape, seed: number): Tensor {
  const t = randomTensor(shape, seed, -2, 2);
  const rnd = mulberry32(seed + 99);
  for (let k = 0; k < t.data.length; k++) {
    const r = rnd();
    if (r < 0.05) t.data[k] = 0;
    else if (r < 0.07) t.data[k] = -0;
  }
  return t;
}

const FNS = {
  add: (x: number, y: number) => x + y,
  sub: (x: number, y: number) => x - y,
  mul: (x: number, y: number) => x * y,
  div: (x: number, y: number) => x / y,
} as const;

// pairs of shapes that hit each case: same, scalar either side, row broadcast either side, and
// ones the general path must take (column broadcast, both sides stretched)
const PAIRS: [Shape, Shape][] = [
  [[7, 5], [7, 5]], [[1], [1]], [[0, 3], [0, 3]], [[13], [13]], [[3, 4, 5], [3, 4, 5]],
  [[7, 5], []], [[], [7, 5]], [[7, 5], [1]], [[1, 1], [6, 3]], [[6, 3], [1, 1]],
  [[257, 17], [17]], [[17], [257, 17]], [[4, 6], [1, 6]], [[1, 6], [4, 6]], [[2, 3, 4], [3, 4]], [[3, 4], [2, 3, 4]],
  [[2, 3, 4], [4]], [[0, 3], [3]], [[2, 1, 4], [3, 4]],
  [[7, 1], [1, 5]], [[7, 5], [7, 1]], [[3], [2, 1, 3]], [[2, 3], [1, 1, 3]],
];

describe('closure-free arithmetic', () => {
  it.each(PAIRS.map((p, i) => [i, p[0], p[1]] as const))('case %i: %j op %j equals zipWith bit for bit', (i, sa, sb) => {
    const a = messy(sa, 10 + i);
    const b = messy(sb, 50 + i);
    for (const [name, f] of Object.entries(FNS)) {
      const got = ops[name as keyof typeof FNS](a, b);
      expectBits(got, ops.zipWith(name, a, b, f), `${name} ${JSON.stringify(sa)} ${JSON.stringify(sb)}`);
    }
  });

  it('handles strided operands (transposed, sliced, expanded) and numbers', () => {
    const a = messy([6, 5], 1);
    const views = [a.transpose(), a.slice([1, 5], [0, 5, 2]), Tensor.from([[1, 2, 3]]).expand([4, 3])];
    for (const v of views) {
      for (const [name, f] of Object.entries(FNS)) {
        const op = ops[name as keyof typeof FNS];
        const other = messy(v.shape, 3);
        expectBits(op(v, other), ops.zipWith(name, v, other, f), `${name} strided`);
        expectBits(op(other, v), ops.zipWith(name, other, v, f), `${name} strided (right)`);
        expectBits(op(v, 2.5), ops.zipWith(name, v, Tensor.scalar(2.5), f), `${name} number`);
      }
    }
  });

  it('still names the op and both shapes when shapes do not broadcast', () => {
    expect(() => ops.mul(Tensor.zeros([2, 3]), Tensor.zeros([2]))).toThrow(/^mul: shapes do not broadcast: a=\[2, 3\], b=\[2\]$/);
  });
});

describe('unary fast paths', () => {
  const shapes: Shape[] = [[0], [1], [5], [257, 17], [3, 4, 5]];
  it.each(shapes.map((s) => [JSON.stringify(s), s] as const))('%s: relu, step, neg, square, exp, sigmoid, scaledSigmoid match map', (_n, shape) => {
    const a = messy(shape, 4);
    if (a.data.length > 3) a.data[3] = NaN;
    expectBits(ops.relu(a), ops.map(a, (x) => (x > 0 || Number.isNaN(x) ? x : 0)), 'relu');
    expectBits(ops.step(a), ops.map(a, (x) => (x > 0 ? 1 : 0)), 'step');
    expectBits(ops.neg(a), ops.map(a, (x) => -x), 'neg');
    expectBits(ops.square(a), ops.map(a, (x) => x * x), 'square');
    expectBits(ops.exp(a), ops.map(a, expScalar), 'exp');
    expectBits(ops.sigmoid(a), ops.map(a, ops.sigmoidScalar), 'sigmoid');
    expectBits(ops.scaledSigmoid(a, 10), ops.map(a, (x) => ops.sigmoidScalar(10 * x)), 'scaledSigmoid');
  });

  it('work on strided views', () => {
    const a = messy([6, 7], 8).transpose();
    expectBits(ops.relu(a), ops.map(a, (x) => (x > 0 || Number.isNaN(x) ? x : 0)), 'relu');
    expectBits(ops.sigmoid(a), ops.map(a, ops.sigmoidScalar), 'sigmoid');
  });

  it('reluBackward and sigmoidBackward equal the composites they replace', () => {
    for (const shape of [[1], [33], [257, 17]] as Shape[]) {
      const g = messy(shape, 1);
      const x = messy(shape, 2);
      // a select (torch's threshold_backward): g where x > 0 or x is NaN, +0 elsewhere, even
      // where g is infinite or NaN (g * step(x) would give NaN there, and -0 for negative g)
      expectBits(ops.reluBackward(g, x), ops.zipWith('ref', g, x, (gv, xv) => (xv > 0 || Number.isNaN(xv) ? gv : 0)), 'reluBackward');
      const s = ops.sigmoid(x);
      for (const c of [1, 10]) {
        expectBits(ops.sigmoidBackward(g, s, c), ops.mul(g, ops.mul(ops.map(s, (v) => v * (1 - v)), c)), `sigmoidBackward c=${c}`);
      }
    }
  });
});

describe('sum fast paths', () => {
  /** Sums of a matrix by plain loops in row-major order from 0: the order every path must keep. */
  const reference = (t: Tensor, axes: number | number[] | undefined, keep: boolean): Tensor => {
    const [r, c] = t.shape;
    const v = (i: number, j: number): number => t.get(i, j);
    const ax = axes === undefined ? null : ((typeof axes === 'number' ? axes : axes[0]) + 2) % 2;
    if (ax === null) {
      let acc = 0;
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) acc += v(i, j);
      return keep ? Tensor.fromArray(Float64Array.of(acc), [1, 1]) : Tensor.scalar(acc);
    }
    if (ax === 0) {
      const out = new Float64Array(c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j] += v(i, j);
      return Tensor.fromArray(out, keep ? [1, c] : [c]);
    }
    const out = new Float64Array(r);
    for (let i = 0; i < r; i++) {
      let acc = 0;
      for (let j = 0; j < c; j++) acc += v(i, j);
      out[i] = acc;
    }
    return Tensor.fromArray(out, keep ? [r, 1] : [r]);
  };
  /** The same matrix as a strided view (rows padded by one), which takes the general path. */
  const padded = (t: Tensor): Tensor => {
    const [r, c] = t.shape;
    const p = Tensor.zeros([r, c + 1]);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) p.set(t.get(i, j), i, j);
    return p.slice(null, [0, c]);
  };

  it('matches plain row-major loops, fast (contiguous) and general (strided) paths alike', () => {
    for (const shape of [[1, 1], [7, 5], [257, 17], [0, 4], [4, 0], [1, 9], [9, 1]] as Shape[]) {
      const t = messy(shape, 21);
      for (const axes of [undefined, 0, 1, -1, -2, [0], [1]] as (number | number[] | undefined)[]) {
        for (const keep of [false, true]) {
          const ref = reference(t, axes, keep);
          const what = `sum ${JSON.stringify(shape)} axes=${JSON.stringify(axes)} keep=${keep}`;
          expectBits(ops.sum(t, axes, keep), ref, what);
          expectBits(ops.sum(padded(t), axes, keep), ref, `${what} (strided)`);
        }
      }
    }
  });

  it('sumToShape undoes a row broadcast exactly as the loops do', () => {
    const g = messy([300, 13], 5);
    expectBits(ops.sumToShape(g, [13]), reference(g, 0, false), 'sumToShape [13]');
    expectBits(ops.sumToShape(g, [1, 13]), reference(g, 0, true), 'sumToShape [1, 13]');
  });
});

describe('views and copies', () => {
  it('the 2-D transpose is the permute view, and clones of it copy through the matrix path', () => {
    const a = messy([9, 4], 3).slice([1, 8], [0, 4, 1]);
    const t = a.transpose();
    const p = a.permute([1, 0]);
    expect(t.shape).toEqual(p.shape);
    expect(t.stride).toEqual(p.stride);
    expect(t.offset).toBe(p.offset);
    const viaIndex = new Float64Array(t.size);
    forEachIndex(t, (i, k) => {
      viaIndex[k] = t.data[i];
    });
    const copy = new Float64Array(t.size);
    copyStrided(t, copy);
    expect(Array.from(copy)).toEqual(Array.from(viaIndex));
  });
});

describe('the packed kernel with the wide 4x4 tile (small N, multiples of 4)', () => {
  it('matches the naive loop on odd row and depth counts for N = 4 .. 44, every layout, both modes', () => {
    const rnd = mulberry32(17);
    for (const N of [4, 8, 16, 20, 28, 44]) {
      for (const [M, K] of [[1, 3], [5, 7], [13, 16], [33, 2], [97, 300]]) {
        const A = Float64Array.from({ length: M * K }, () => rnd() * 2 - 1);
        const B = Float64Array.from({ length: K * N }, () => rnd() * 2 - 1);
        for (const [aRs, aCs] of [[K, 1], [1, M]]) {
          for (const [bRs, bCs] of [[N, 1], [1, K]]) {
            for (const acc of [false, true]) {
              const C1 = Float64Array.from({ length: M * N }, () => rnd());
              const C2 = C1.slice();
              gemm(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, C1, 0, N, acc);
              gemmNaive(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, C2, 0, N, acc);
              for (let i = 0; i < C1.length; i++) {
                if (Math.abs(C1[i] - C2[i]) > 1e-12 * Math.max(1, Math.abs(C2[i]))) throw new Error(`M=${M} N=${N} K=${K}: ${C1[i]} vs ${C2[i]}`);
              }
            }
          }
        }
      }
    }
  });

  it('gives every row the same bits whatever the batch it is computed in (row blocks, tile widths)', () => {
    const rnd = mulberry32(2);
    const K = 300;
    const N = 16;
    const A = Float64Array.from({ length: 40 * K }, () => rnd() - 0.5);
    const B = Float64Array.from({ length: K * N }, () => rnd() - 0.5);
    const all = new Float64Array(40 * N);
    gemm(40, N, K, A, 0, K, 1, B, 0, N, 1, all, 0, N, false);
    for (const [r0, rows] of [[0, 4], [4, 9], [13, 27]]) {
      const part = new Float64Array(rows * N);
      gemm(rows, N, K, A, r0 * K, K, 1, B, 0, N, 1, part, 0, N, false);
      for (let i = 0; i < part.length; i++) expect(Object.is(part[i], all[r0 * N + i])).toBe(true);
    }
  });
});

describe('the packed kernel on thin shapes (N = 2, M <= 3)', () => {
  const rnd = mulberry32(23);
  const rand = (n: number): Float64Array => Float64Array.from({ length: n }, () => rnd() * 2 - 1);

  it('N = 2 and M <= 3 give the bits of the same columns and rows inside a wider, blocked product', () => {
    for (const K of [5, 16, 256]) {
      for (const acc of [false, true]) {
        // N = 2 against the first two columns of N = 7
        const M = 29;
        const A = rand(M * K);
        const B7 = rand(K * 7);
        const B2 = new Float64Array(K * 2);
        for (let k = 0; k < K; k++) B2.set(B7.subarray(k * 7, k * 7 + 2), k * 2);
        const C0 = rand(M * 7);
        const C7 = C0.slice();
        const C2 = new Float64Array(M * 2);
        for (let i = 0; i < M; i++) C2.set(C0.subarray(i * 7, i * 7 + 2), i * 2);
        gemm(M, 7, K, A, 0, K, 1, B7, 0, 7, 1, C7, 0, 7, acc);
        gemm(M, 2, K, A, 0, K, 1, B2, 0, 2, 1, C2, 0, 2, acc);
        for (let i = 0; i < M; i++) for (let j = 0; j < 2; j++) expect(Object.is(C2[i * 2 + j], C7[i * 7 + j]), `N=2 K=${K} acc=${acc}`).toBe(true);
        // M = 2 and 3 against the first rows of M = 9
        const N = 11;
        const A9 = rand(9 * K);
        const B = rand(K * N);
        const D0 = rand(9 * N);
        const D9 = D0.slice();
        gemm(9, N, K, A9, 0, K, 1, B, 0, N, 1, D9, 0, N, acc);
        for (const m of [2, 3]) {
          const Dm = D0.slice(0, m * N);
          gemm(m, N, K, A9, 0, K, 1, B, 0, N, 1, Dm, 0, N, acc);
          for (let k = 0; k < m * N; k++) expect(Object.is(Dm[k], D9[k]), `M=${m} K=${K} acc=${acc}`).toBe(true);
        }
      }
    }
  });
});

describe('Workspace', () => {
  it('hands out the same buffers in the same order every round, zero-filled by allocData', () => {
    const ws = new Workspace();
    const first = withWorkspace(ws, () => [allocData(5), allocDataUninit(3), allocData(5)]);
    first[0].fill(7);
    first[1].fill(8);
    const second = withWorkspace(ws, () => [allocData(5), allocDataUninit(3), allocData(5)]);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[1]);
    expect(second[2]).toBe(first[2]);
    expect(Array.from(second[0])).toEqual([0, 0, 0, 0, 0]);
    expect(ws.count).toBe(3);
    expect(ws.doubles).toBe(13);
  });

  it('replaces a slot whose length changed, and allocates fresh outside any workspace', () => {
    const ws = new Workspace();
    const a = withWorkspace(ws, () => allocData(4));
    const b = withWorkspace(ws, () => allocData(6));
    expect(b).not.toBe(a);
    expect(b.length).toBe(6);
    expect(allocData(6)).not.toBe(b);
    ws.clear();
    expect(ws.count).toBe(0);
  });

  it('nests and restores the previous workspace in finally, also after a throw', () => {
    const outer = new Workspace();
    const inner = new Workspace();
    withWorkspace(outer, () => {
      allocData(2);
      expect(() => withWorkspace(inner, () => {
        allocData(3);
        throw new Error('boom');
      })).toThrow('boom');
      allocData(2);
    });
    expect(outer.count).toBe(2);
    expect(inner.count).toBe(1);
  });

  it('takes its buffers from the allocator it was given', () => {
    const made: number[] = [];
    const ws = new Workspace((n) => {
      made.push(n);
      return new Float64Array(n);
    });
    withWorkspace(ws, () => Tensor.zeros([2, 3]));
    withWorkspace(ws, () => Tensor.zeros([2, 3]));
    expect(made).toEqual([6]);
  });

  it('every op gives the same values inside a workspace as outside, round after round', () => {
    const ws = new Workspace();
    const a = messy([37, 11], 1);
    const b = messy([11], 2);
    const compute = (): Tensor[] => [ops.add(a, b), ops.sigmoid(a), ops.sum(a, 0), ops.relu(ops.mul(a, a)), a.transpose().clone(), a.take([3, 1, 3], 0)];
    const plain = compute().map((t) => t.clone());
    for (let round = 0; round < 3; round++) {
      const got = withWorkspace(ws, () => compute().map((t) => Float64Array.from(t.values())));
      got.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(plain[i].values())));
    }
  });
});
