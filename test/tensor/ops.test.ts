// Raw tensor kernels: broadcasting, elementwise maps, reductions, joins, sumToShape, matmul.

import { describe, expect, it } from 'vitest';
import { matmul, matmulInto } from '../../src/tensor/linalg.js';
import * as ops from '../../src/tensor/ops.js';
import { broadcastShapes, contiguousStrides, normalizeAxes, shapeStr, sizeOf } from '../../src/tensor/shape.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, randomTensor } from '../helpers/gradcheck.js';

/** t[i, j, k] = 12 i + 4 j + k: every reduction below is worked out from this formula. */
const r3 = (): Tensor => Tensor.arange(24).reshape([2, 3, 4]);

describe('shape arithmetic', () => {
  it('sizes, strides and shape strings', () => {
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([2, 0, 3])).toBe(0);
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(contiguousStrides([])).toEqual([]);
    expect(shapeStr([2, 3])).toBe('[2, 3]');
    expect(shapeStr([])).toBe('[]');
  });

  it('broadcasting aligns trailing axes; extents must be equal or 1', () => {
    expect(broadcastShapes('add', [2, 3], [3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [2, 1], [1, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [3], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [2, 1, 3], [4, 3])).toEqual([2, 4, 3]);
    expect(broadcastShapes('add', [], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes('add', [0, 1], [1, 3])).toEqual([0, 3]);
    expect(broadcastShapes('add', [1], [0])).toEqual([0]);
    expect(() => broadcastShapes('add', [2, 3], [2])).toThrow(/^add: shapes do not broadcast: a=\[2, 3\], b=\[2\]$/);
    expect(() => broadcastShapes('mul', [0], [2])).toThrow(/^mul: shapes do not broadcast: a=\[0\], b=\[2\]$/);
  });

  it('axes normalise, negative from the end, and errors name the op', () => {
    expect(normalizeAxes('sum', undefined, 3)).toEqual([0, 1, 2]);
    expect(normalizeAxes('sum', [-1, 0], 3)).toEqual([0, 2]);
    expect(normalizeAxes('sum', -2, 3)).toEqual([1]);
    expect(() => normalizeAxes('sum', 3, 3)).toThrow(/^sum: axis 3 is out of range for a tensor of rank 3$/);
    expect(() => normalizeAxes('mean', [1, -2], 3)).toThrow(/^mean: axis -2 is repeated in \[1, -2\]$/);
    expect(() => normalizeAxes('sum', 0.5, 3)).toThrow(/sum: axis 0.5 is out of range/);
    // the negative bound: -rank is the first axis, one further is out of range
    expect(normalizeAxes('sum', -3, 3)).toEqual([0]);
    expect(() => normalizeAxes('sum', -4, 3)).toThrow(/^sum: axis -4 is out of range for a tensor of rank 3$/);
    expect(() => normalizeAxes('sum', [0, -3], 3)).toThrow(/^sum: axis -3 is repeated in \[0, -3\]$/);
  });
});

describe('elementwise kernels with broadcasting', () => {
  it('add, sub, mul, div broadcast both ways', () => {
    const a = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(ops.add(a, Tensor.from([10, 20, 30])).toArray()).toEqual([
      [11, 22, 33],
      [14, 25, 36],
    ]);
    expect(ops.sub(Tensor.from([[1], [2]]), Tensor.from([[1, 2, 3]])).toArray()).toEqual([
      [0, -1, -2],
      [1, 0, -1],
    ]);
    expect(ops.mul(Tensor.from([2, 3, 4]), a).toArray()).toEqual([
      [2, 6, 12],
      [8, 15, 24],
    ]);
    expect(ops.div(a, 2).toArray()).toEqual([
      [0.5, 1, 1.5],
      [2, 2.5, 3],
    ]);
    expect(ops.add(Tensor.scalar(1), Tensor.scalar(2)).shape).toEqual([]);
    expect(ops.add(Tensor.zeros([0, 3]), Tensor.from([1, 2, 3])).shape).toEqual([0, 3]);
  });

  it('rank 3 with a [3, 1] operand, and strided (transposed, sliced, expanded) operands', () => {
    const t = r3();
    const c = Tensor.from([[100], [200], [300]]);
    const s = ops.add(t, c);
    expect(s.shape).toEqual([2, 3, 4]);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expect(s.get(i, j, k)).toBe(12 * i + 4 * j + k + 100 * (j + 1));
    const a = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    expect(ops.sub(a.transpose(), a).toArray()).toEqual([
      [0, 1],
      [-1, 0],
    ]);
    expect(ops.mul(a.slice(null, [undefined, undefined, -1]), Tensor.from([1]).expand([2, 2])).toArray()).toEqual([
      [2, 1],
      [4, 3],
    ]);
    // a size-one right operand with a non-contiguous left one
    expect(ops.add(a.transpose(), 10).toArray()).toEqual([
      [11, 13],
      [12, 14],
    ]);
    // a size-one left operand
    expect(ops.sub(Tensor.scalar(1), a).toArray()).toEqual([
      [0, -1],
      [-2, -3],
    ]);
  });

  it('incompatible shapes: the error names the op and both shapes', () => {
    expect(() => ops.add(Tensor.zeros([2, 3]), Tensor.zeros([3, 2]))).toThrow(/^add: shapes do not broadcast: a=\[2, 3\], b=\[3, 2\]$/);
    expect(() => ops.maximum(Tensor.zeros([4]), Tensor.zeros([5]))).toThrow(/^maximum: shapes do not broadcast: a=\[4\], b=\[5\]$/);
  });

  it('unary maps and gates', () => {
    const x = Tensor.from([-2, -0, 0, 0.5]);
    expect(ops.neg(Tensor.from([1, -2])).toArray()).toEqual([-1, 2]);
    expect(ops.relu(x).toArray()).toEqual([0, 0, 0, 0.5]);
    expect(Object.is(ops.relu(x).get(1), 0)).toBe(true); // relu(-0) is +0
    expect(ops.step(x).toArray()).toEqual([0, 0, 0, 1]);
    expect(ops.abs(x).toArray()).toEqual([2, 0, 0, 0.5]);
    expect(ops.square(Tensor.from([3, -4])).toArray()).toEqual([9, 16]);
    expect(ops.powScalar(Tensor.from([4, 9]), 0.5).toArray()).toEqual([2, 3]);
    expect(ops.powScalar(Tensor.from([-3]), 2).toArray()).toEqual([9]);
    expect(ops.maximum(Tensor.from([1, 5]), 3).toArray()).toEqual([3, 5]);
    expect(ops.minimum(Tensor.from([1, 5]), 3).toArray()).toEqual([1, 3]);
    expect(ops.sigmoid(Tensor.from([0, -800, 800])).toArray()).toEqual([0.5, 0, 1]);
    expect(ops.softplus(Tensor.from([0, 800, -800])).toArray()).toEqual([Math.LN2, 800, 0]);
    expect(ops.softplusScalar(1)).toBeCloseTo(Math.log(1 + Math.E), 15);
    expect(ops.map(Tensor.from([[1, 2]]).transpose(), (v) => v * 10).toArray()).toEqual([[10], [20]]);
  });

  it('assertFinite names the op, the value, its position and the shape', () => {
    expect(() => ops.assertFinite('fit', Tensor.from([[0, 1], [-Infinity, 2]]), 'x')).toThrow(
      /^fit: x holds a non-finite value \(-Infinity\) at flat position 2 of shape \[2, 2\]$/,
    );
    expect(() => ops.assertFinite('fit', Tensor.from([1, 2]))).not.toThrow();
  });
});

describe('reductions over any set of axes (t[i, j, k] = 12 i + 4 j + k)', () => {
  it('sum', () => {
    const t = r3();
    expect(ops.sum(t).toArray()).toBe(276);
    expect(ops.sum(t, undefined, true).toArray()).toEqual([[[276]]]);
    expect(ops.sum(t, 0).toArray()).toEqual([
      [12, 14, 16, 18],
      [20, 22, 24, 26],
      [28, 30, 32, 34],
    ]);
    expect(ops.sum(t, 1).toArray()).toEqual([
      [12, 15, 18, 21],
      [48, 51, 54, 57],
    ]);
    expect(ops.sum(t, -1).toArray()).toEqual([
      [6, 22, 38],
      [54, 70, 86],
    ]);
    expect(ops.sum(t, [0, 2], true).toArray()).toEqual([[[60], [92], [124]]]);
    expect(ops.sum(t, [2, 0]).toArray()).toEqual([60, 92, 124]);
  });

  it('mean', () => {
    const t = r3();
    expect(ops.mean(t).item()).toBe(11.5);
    expect(ops.mean(t, [0, 1]).toArray()).toEqual([10, 11, 12, 13]);
    expect(ops.mean(t, -1, true).toArray()).toEqual([
      [[1.5], [5.5], [9.5]],
      [[13.5], [17.5], [21.5]],
    ]);
    expect(ops.mean(t, [0, 1, 2], true).shape).toEqual([1, 1, 1]);
    expect(Number.isNaN(ops.mean(Tensor.zeros([0])).item())).toBe(true);
  });

  it('max and min', () => {
    const t = r3();
    expect(ops.max(t).item()).toBe(23);
    expect(ops.min(t).item()).toBe(0);
    expect(ops.max(t, 1).toArray()).toEqual([
      [8, 9, 10, 11],
      [20, 21, 22, 23],
    ]);
    expect(ops.max(t, [0, 2]).toArray()).toEqual([15, 19, 23]);
    expect(ops.min(t, [1, 2], true).toArray()).toEqual([[[0]], [[12]]]);
    expect(ops.min(t, 0).toArray()).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    expect(ops.max(Tensor.from([-5, -3])).item()).toBe(-3);
    expect(ops.min(Tensor.from([5, 3])).item()).toBe(3);
  });

  it('reductions of views read through strides', () => {
    const tt = r3().permute([2, 0, 1]); // tt[k, i, j] = t[i, j, k]
    expect(ops.sum(tt, 0).toArray()).toEqual([
      [6, 22, 38],
      [54, 70, 86],
    ]);
    expect(ops.max(tt, [1, 2]).toArray()).toEqual([20, 21, 22, 23]);
    const sl = r3().slice([1], [undefined, undefined, -2]); // rows j = 2, 0 of i = 1
    expect(ops.sum(sl, -1, true).toArray()).toEqual([[[86], [54]]]);
    expect(ops.sum(Tensor.from([1, 2]).expand([3, 2]), 0).toArray()).toEqual([3, 6]);
  });

  it('NaN propagates through max and min, wherever it sits', () => {
    expect(Number.isNaN(ops.max(Tensor.from([1, NaN, 3])).item())).toBe(true);
    expect(Number.isNaN(ops.max(Tensor.from([NaN, 1])).item())).toBe(true);
    expect(Number.isNaN(ops.max(Tensor.from([1, 2, NaN])).item())).toBe(true);
    expect(Number.isNaN(ops.min(Tensor.from([1, NaN, 0])).item())).toBe(true);
    expect(ops.max(Tensor.from([[1, NaN], [3, 4]]), 1).toArray()).toEqual([NaN, 4]);
    expect(ops.max(Tensor.from([[1, NaN], [3, 4]]).transpose(), 0).toArray()).toEqual([NaN, 4]);
  });

  it('empty axes: sum is 0, max and argmax refuse', () => {
    const e = Tensor.zeros([0, 3]);
    expect(ops.sum(e, 0).toArray()).toEqual([0, 0, 0]);
    expect(ops.sum(e, 1).shape).toEqual([0]);
    expect(() => ops.max(e, 0)).toThrow(/^max: cannot reduce over axis 0 of extent 0 in \[0, 3\]$/);
    expect(() => ops.min(e)).toThrow(/min: cannot reduce over axis 0 of extent 0/);
    expect(ops.max(e, 1).shape).toEqual([0]);
    expect(() => ops.argmax(e, 0)).toThrow(/argmax: cannot reduce over axis 0 of extent 0/);
  });

  it('argmax along any axis, first index on ties, with keepDims', () => {
    const u = Tensor.from([
      [3, 1, 4],
      [1, 5, 9],
      [2, 6, 5],
      [7, 7, 1],
    ]);
    expect(ops.argmax(u).toArray()).toEqual([2, 2, 1, 0]);
    expect(ops.argmax(u, 0).toArray()).toEqual([3, 3, 1]);
    expect(ops.argmax(u, -1, true).toArray()).toEqual([[2], [2], [1], [0]]);
    expect(ops.argmax(r3(), 1).toArray()).toEqual([
      [2, 2, 2, 2],
      [2, 2, 2, 2],
    ]);
    expect(ops.argmax(u.transpose(), 1).toArray()).toEqual([3, 3, 1]);
    // rank 3: v[i, j, k]
    const v = Tensor.from([
      [
        [1, 9, 5],
        [4, 2, 6],
      ],
      [
        [7, 3, 5],
        [0, 8, 6],
      ],
    ]);
    expect(ops.argmax(v, 0, true).toArray()).toEqual([
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
    ]);
    expect(ops.argmax(v, 1, true).toArray()).toEqual([[[1, 0, 1]], [[0, 1, 1]]]);
    expect(ops.argmax(v, -1).toArray()).toEqual([
      [1, 2],
      [0, 1],
    ]);
    expect(ops.argmax(v, 2, true).shape).toEqual([2, 2, 1]);
    expect(() => ops.argmax(u, 2)).toThrow(/argmax: axis 2 is out of range for a tensor of rank 2/);
  });

  it('reducedShape keeps or drops the reduced axes', () => {
    expect(ops.reducedShape([2, 3, 4], [0, 2], true)).toEqual([1, 3, 1]);
    expect(ops.reducedShape([2, 3, 4], [0, 2], false)).toEqual([3]);
  });
});

describe('sumToShape undoes broadcasting', () => {
  const g = r3();
  it('leading axes are summed away, size-1 axes summed with keepDims', () => {
    expect(ops.sumToShape(g, [3, 4]).toArray()).toEqual(ops.sum(g, 0).toArray());
    expect(ops.sumToShape(g, [3, 1]).toArray()).toEqual([[60], [92], [124]]);
    expect(ops.sumToShape(g, [1, 1, 4]).toArray()).toEqual([[[60, 66, 72, 78]]]);
    expect(ops.sumToShape(g, []).item()).toBe(276);
    expect(ops.sumToShape(g, [2, 1, 1]).toArray()).toEqual([[[66]], [[210]]]);
  });
  it('an equal shape returns the gradient itself', () => {
    expect(ops.sumToShape(g, [2, 3, 4])).toBe(g);
  });
  it('a shape the gradient does not broadcast from is an error', () => {
    expect(() => ops.sumToShape(g, [5])).toThrow(/^sumToShape: cannot reduce \[2, 3, 4\] to \[5\]$/);
    expect(() => ops.sumToShape(Tensor.zeros([3]), [2, 3])).toThrow(/^sumToShape: cannot reduce \[3\] to \[2, 3\]$/);
  });
});

describe('concat and stack', () => {
  const a = Tensor.from([
    [1, 2],
    [3, 4],
  ]);
  const b = Tensor.from([[5, 6]]);
  it('concat along axis 0, 1 and -1', () => {
    expect(ops.concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(ops.concat([a, b.transpose()], 1).toArray()).toEqual([
      [1, 2, 5],
      [3, 4, 6],
    ]);
    expect(ops.concat([a.transpose(), a], -1).toArray()).toEqual([
      [1, 3, 1, 2],
      [2, 4, 3, 4],
    ]);
    expect(ops.concat([Tensor.zeros([0, 2]), b]).toArray()).toEqual([[5, 6]]);
    const c = ops.concat([a]);
    expect(c.data).not.toBe(a.data);
  });
  it('concat of rank-3 tensors along the middle axis', () => {
    const t = r3();
    const c = ops.concat([t.slice(null, [0, 1]), t.slice(null, [1])], 1);
    expect(c.toArray()).toEqual(t.toArray());
  });
  it('concat errors', () => {
    expect(() => ops.concat([])).toThrow(/concat: needs at least one tensor/);
    expect(() => ops.concat([a, Tensor.zeros([2, 3])])).toThrow(
      /^concat: tensor 1 has shape \[2, 3\], incompatible with \[2, 2\] along axis 0$/,
    );
    expect(() => ops.concat([a, Tensor.zeros([2])], 0)).toThrow(/concat: tensor 1 has shape \[2\]/);
    expect(() => ops.concat([a, a], 2)).toThrow(/concat: axis 2 is out of range for a tensor of rank 2/);
  });
  it('stack along a new axis, including a negative one', () => {
    const x = Tensor.from([1, 2]);
    const y = Tensor.from([3, 4]);
    expect(ops.stack([x, y]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(ops.stack([x, y], 1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(ops.stack([x, y], -1).toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(ops.stack([a, a.transpose()], 0).toArray()).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [1, 3],
        [2, 4],
      ],
    ]);
    expect(ops.stack([Tensor.scalar(1), Tensor.scalar(2)]).toArray()).toEqual([1, 2]);
    expect(() => ops.stack([x, Tensor.zeros([3])])).toThrow(/^stack: tensor 1 has shape \[3\], expected \[2\]$/);
    expect(() => ops.stack([])).toThrow(/stack: needs at least one tensor/);
  });
});

describe('matmul on tensors', () => {
  /** The triple loop, through get(), as the reference. */
  const naive = (a: Tensor, b: Tensor): Tensor => {
    const [M, K] = a.shape;
    const N = b.shape[1];
    const out = Tensor.zeros([M, N]);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a.get(i, k) * b.get(k, j);
        out.set(s, i, j);
      }
    }
    return out;
  };

  it('a hand-worked 2 x 3 times 3 x 2', () => {
    const a = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const b = Tensor.from([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    const want = [
      [58, 64],
      [139, 154],
    ];
    expect(matmul(a, b).toArray()).toEqual(want);
    expect(matmul(a, b, { naive: true }).toArray()).toEqual(want);
    // A^T and B^T views: (B^T A^T) = (A B)^T
    expect(matmul(b.transpose(), a.transpose()).toArray()).toEqual([
      [58, 139],
      [64, 154],
    ]);
    expect(matmul(Tensor.from([[1, 2]]), Tensor.from([[3], [4]])).item()).toBe(11);
  });

  it('batched: each batch entry is its own product', () => {
    const a = Tensor.from([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const b = Tensor.from([[[1], [1]], [[2], [-1]]]); // [2, 2, 1]
    expect(matmul(a, b).toArray()).toEqual([[[3]], [[2]]]);
  });

  it('broadcast batch: a matrix against a stack of matrices, and [3, 1] batch against [2]', () => {
    const a = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    const b = ops.stack([Tensor.eye(2), ops.mul(Tensor.eye(2), 2), Tensor.from([[0, 1], [1, 0]])]); // [3, 2, 2]
    expect(matmul(a, b).toArray()).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [2, 4],
        [6, 8],
      ],
      [
        [2, 1],
        [4, 3],
      ],
    ]);
    expect(matmul(b, a).get(2, 0, 0)).toBe(3);
    const x = randomTensor([3, 1, 2, 4], 5);
    const y = randomTensor([2, 4, 3], 6);
    const z = matmul(x, y);
    expect(z.shape).toEqual([3, 2, 2, 3]);
    for (let p = 0; p < 3; p++) {
      for (let q = 0; q < 2; q++) {
        const xs = x.slice([p, p + 1], [0, 1]).reshape([2, 4]);
        const ys = y.slice([q, q + 1]).reshape([4, 3]);
        expectClose(z.slice([p, p + 1], [q, q + 1]).reshape([2, 3]), naive(xs, ys), 1e-14);
      }
    }
  });

  for (const [M, K, N] of [
    [1, 1, 1],
    [5, 7, 3],
    [17, 33, 9],
    [70, 300, 13],
    [4, 0, 3],
    [0, 5, 2],
  ]) {
    it(`random ${M} x ${K} times ${K} x ${N} against the triple loop, plain and through transposed views`, () => {
      const a = randomTensor([M, K], M * 1000 + K);
      const b = randomTensor([K, N], K * 1000 + N);
      const want = naive(a, b);
      expectClose(matmul(a, b), want, 1e-12);
      expectClose(matmul(a, b, { naive: true }), want, 1e-12);
      const at = a.transpose().contiguous().transpose(); // same values, column-major layout
      const bt = b.transpose().contiguous().transpose();
      expectClose(matmul(at, bt), want, 1e-12);
    });
  }

  it('matmulInto writes into and accumulates onto a preallocated output', () => {
    const a = Tensor.from([
      [1, 2],
      [3, 4],
    ]);
    const out = Tensor.full([2, 2], NaN);
    expect(matmulInto(out, a, Tensor.eye(2))).toBe(out);
    expect(out.toArray()).toEqual(a.toArray());
    matmulInto(out, a, a.transpose(), true);
    expect(out.toArray()).toEqual([
      [6, 13],
      [14, 29],
    ]);
    expect(() => matmulInto(Tensor.zeros([3, 2]), a, a)).toThrow(/matmulInto: out must be row-major \[2, 2\], got \[3, 2\]/);
    expect(() => matmulInto(out, a, Tensor.zeros([3, 2]))).toThrow(/matmulInto: inner dimensions differ: a=\[2, 2\], b=\[3, 2\]/);
  });

  it('shape errors', () => {
    expect(() => matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))).toThrow(/^matmul: inner dimensions differ: a=\[2, 3\], b=\[4, 5\]$/);
    expect(() => matmul(Tensor.zeros([3]), Tensor.zeros([3, 2]))).toThrow(
      /^matmul: operands must have rank >= 2, got a=\[3\], b=\[3, 2\]$/,
    );
    expect(() => matmul(Tensor.zeros([2, 2, 3]), Tensor.zeros([4, 3, 1]))).toThrow(/^matmul: shapes do not broadcast: a=\[2\], b=\[4\]$/);
  });
});
