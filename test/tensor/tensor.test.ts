// The strided tensor: creation, element access, and views that share memory.

import { describe, expect, it } from 'vitest';
import { Tensor, copyStrided, forEachIndex } from '../../src/tensor/tensor.js';

const m23 = (): Tensor =>
  Tensor.from([
    [1, 2, 3],
    [4, 5, 6],
  ]);

describe('creation', () => {
  it('zeros, ones, full, scalar', () => {
    const z = Tensor.zeros([2, 3]);
    expect(z.shape).toEqual([2, 3]);
    expect(z.stride).toEqual([3, 1]);
    expect(z.offset).toBe(0);
    expect(z.size).toBe(6);
    expect(z.ndim).toBe(2);
    expect(Array.from(z.data)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Tensor.ones([2]).toArray()).toEqual([1, 1]);
    expect(Tensor.full([2, 1], -2.5).toArray()).toEqual([[-2.5], [-2.5]]);
    const s = Tensor.scalar(7);
    expect(s.shape).toEqual([]);
    expect(s.size).toBe(1);
    expect(s.item()).toBe(7);
    expect(s.toArray()).toBe(7);
    expect(Tensor.zeros([0, 3]).size).toBe(0);
    expect(Tensor.zeros([]).toArray()).toBe(0);
  });

  it('shapes must hold non-negative integers', () => {
    expect(() => Tensor.zeros([2, -1])).toThrow(/zeros: shape must hold non-negative integers, got \[2, -1\]/);
    expect(() => Tensor.full([1.5], 0)).toThrow(/full: shape must hold non-negative integers, got \[1.5\]/);
  });

  it('arange with one, two and three arguments, including a negative step', () => {
    expect(Tensor.arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(Tensor.arange(2, 5).toArray()).toEqual([2, 3, 4]);
    expect(Tensor.arange(0, 1, 0.25).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(Tensor.arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(Tensor.arange(3, -1, -1).toArray()).toEqual([3, 2, 1, 0]);
    expect(Tensor.arange(5, 0).shape).toEqual([0]);
    expect(Tensor.arange(0, 5, -1).shape).toEqual([0]);
    expect(() => Tensor.arange(0, 5, 0)).toThrow(/arange: step must be finite and non-zero, got 0/);
  });

  it('eye, square and rectangular', () => {
    expect(Tensor.eye(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(Tensor.eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(Tensor.eye(3, 2).toArray()).toEqual([
      [1, 0],
      [0, 1],
      [0, 0],
    ]);
  });

  it('from nested arrays', () => {
    const t = Tensor.from([
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ]);
    expect(t.shape).toEqual([2, 2, 2]);
    expect(t.stride).toEqual([4, 2, 1]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(t.get(1, 0, 1)).toBe(6);
    expect(Tensor.from(3.5).shape).toEqual([]);
    expect(Tensor.from([]).shape).toEqual([0]);
    expect(Tensor.from([[], []]).shape).toEqual([2, 0]);
  });

  it('ragged nested arrays are errors', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(/Tensor.from: ragged nested array: expected length 2 at depth 1, got 1/);
    expect(() => Tensor.from([[1, 2], 3])).toThrow(/Tensor.from: ragged nested array: expected length 2 at depth 1, got number/);
    expect(() => Tensor.from([1, [2]])).toThrow(/Tensor.from: ragged nested array at depth 1/);
  });

  it('fromArray wraps a Float64Array without copying and copies other array-likes', () => {
    const buf = Float64Array.of(1, 2, 3, 4, 5, 6);
    const t = Tensor.fromArray(buf, [2, 3]);
    expect(t.data).toBe(buf);
    buf[4] = 50;
    expect(t.get(1, 1)).toBe(50);
    expect(Tensor.fromArray([1, 2, 3]).shape).toEqual([3]);
    const src = [1, 2];
    const u = Tensor.fromArray(src);
    src[0] = 9;
    expect(u.toArray()).toEqual([1, 2]);
  });

  it('fromArray with the wrong number of values is an error', () => {
    expect(() => Tensor.fromArray(new Float64Array(5), [2, 3])).toThrow(/Tensor.fromArray: 5 values do not fill shape \[2, 3\]/);
    expect(() => Tensor.fromArray([1, 2], [-2])).toThrow(/Tensor.fromArray: shape must hold non-negative integers/);
  });
});

describe('element access', () => {
  it('get, set, negative indices and index errors', () => {
    const t = m23();
    expect(t.get(0, 2)).toBe(3);
    expect(t.get(-1, -1)).toBe(6);
    t.set(10, 1, 0);
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [10, 5, 6],
    ]);
    expect(() => t.get(2, 0)).toThrow(/Tensor.get: index 2 out of range for axis 0 of \[2, 3\]/);
    expect(() => t.get(0, -4)).toThrow(/index -4 out of range for axis 1/);
    expect(() => t.get(0)).toThrow(/Tensor.get: expected 2 indices, got 1/);
  });

  it('item needs exactly one element', () => {
    expect(Tensor.from([[4]]).item()).toBe(4);
    expect(() => m23().item()).toThrow(/item: tensor has 6 elements, shape \[2, 3\]/);
  });

  it('values() is the data itself when contiguous and whole, a subarray when offset, a copy otherwise', () => {
    const t = m23();
    expect(t.values()).toBe(t.data);
    const row = t.slice([1, 2]);
    const v = row.values();
    expect(Array.from(v)).toEqual([4, 5, 6]);
    expect(v.buffer).toBe(t.data.buffer);
    const tt = t.transpose().values();
    expect(Array.from(tt)).toEqual([1, 4, 2, 5, 3, 6]);
    expect(tt.buffer).not.toBe(t.data.buffer);
  });

  it('clone always copies; toString shows shape and values', () => {
    const t = m23();
    const c = t.clone();
    expect(c.data).not.toBe(t.data);
    c.set(0, 0, 0);
    expect(t.get(0, 0)).toBe(1);
    expect(t.toString()).toBe('Tensor([2, 3]) [[1,2,3],[4,5,6]]');
  });

  it('forEachIndex walks a strided view in row-major order; copyStrided writes at an offset', () => {
    const t = m23().transpose();
    const seen: number[] = [];
    forEachIndex(t, (i, k) => {
      expect(k).toBe(seen.length);
      seen.push(t.data[i]);
    });
    expect(seen).toEqual([1, 4, 2, 5, 3, 6]);
    const dst = new Float64Array(8);
    copyStrided(t, dst, 2);
    expect(Array.from(dst)).toEqual([0, 0, 1, 4, 2, 5, 3, 6]);
    let calls = 0;
    forEachIndex(Tensor.zeros([0, 2]), () => calls++);
    expect(calls).toBe(0);
  });
});

describe('views share memory and do not copy', () => {
  it('transpose swaps strides and shares data', () => {
    const t = m23();
    const tt = t.transpose();
    expect(tt.data).toBe(t.data);
    expect(tt.shape).toEqual([3, 2]);
    expect(tt.stride).toEqual([1, 3]);
    expect(tt.isContiguous()).toBe(false);
    expect(tt.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    tt.set(-5, 1, 1);
    expect(t.get(1, 1)).toBe(-5);
  });

  it('permute of a rank-3 tensor, with negative axes, and its errors', () => {
    const t = Tensor.arange(24).reshape([2, 3, 4]);
    const p = t.permute([2, 0, -2]);
    expect(p.data).toBe(t.data);
    expect(p.shape).toEqual([4, 2, 3]);
    expect(p.stride).toEqual([1, 12, 4]);
    expect(p.get(3, 1, 2)).toBe(t.get(1, 2, 3));
    expect(t.transpose().shape).toEqual([4, 3, 2]);
    expect(t.transpose([1, 0, 2]).stride).toEqual([4, 12, 1]);
    expect(() => t.permute([0, 1])).toThrow(/permute: expected 3 axes for shape \[2, 3, 4\], got \[0, 1\]/);
    expect(() => t.permute([0, 1, 1])).toThrow(/permute: repeated axis in \[0, 1, 1\]/);
    expect(() => t.permute([0, 1, 3])).toThrow(/permute: axis 3 is out of range for a tensor of rank 3/);
  });

  it('expand has stride 0 on new and stretched axes', () => {
    const r = Tensor.from([[1, 2, 3]]);
    const e = r.expand([4, 2, 3]);
    expect(e.data).toBe(r.data);
    expect(e.stride).toEqual([0, 0, 1]);
    expect(e.get(3, 1, 2)).toBe(3);
    const c = Tensor.from([[1], [2]]).expand([2, 5]);
    expect(c.stride).toEqual([1, 0]);
    expect(c.toArray()).toEqual([
      [1, 1, 1, 1, 1],
      [2, 2, 2, 2, 2],
    ]);
    r.set(30, 0, 2);
    expect(e.get(0, 0, 2)).toBe(30);
    expect(r.broadcastTo([2, 3]).stride).toEqual([0, 1]);
    expect(() => r.expand([3])).toThrow(/expand: cannot broadcast \[1, 3\] to \[3\]/);
    expect(() => r.expand([2, 4])).toThrow(/expand: shapes do not broadcast: a=\[1, 3\], b=\[2, 4\]/);
  });

  it('slice with steps and negative indices shares data through offset and strides', () => {
    const t = Tensor.arange(20).reshape([4, 5]);
    const s = t.slice([1, undefined, 2], [-1, 0, -2]);
    expect(s.data).toBe(t.data);
    expect(s.shape).toEqual([2, 2]);
    expect(s.stride).toEqual([10, -2]);
    expect(s.offset).toBe(9);
    expect(s.toArray()).toEqual([
      [9, 7],
      [19, 17],
    ]);
    s.set(-1, 1, 1);
    expect(t.get(3, 2)).toBe(-1);
    expect(t.slice(null, [undefined, undefined, -1]).get(0, 0)).toBe(4);
    expect(t.slice([-2]).toArray()).toEqual([
      [10, 11, 12, 13, 14],
      [15, 16, -1, 18, 19],
    ]);
    expect(t.slice([3, 1]).shape).toEqual([0, 5]);
    expect(t.slice([-100, 100]).shape).toEqual([4, 5]);
    expect(t.slice([undefined, undefined, -1]).toArray()).toEqual([
      [15, 16, -1, 18, 19],
      [10, 11, 12, 13, 14],
      [5, 6, 7, 8, 9],
      [0, 1, 2, 3, 4],
    ]);
    // a slice of a slice composes offsets and strides
    expect(s.slice([1], [undefined, undefined, -1]).toArray()).toEqual([[-1, 19]]);
    expect(() => t.slice([0, 1, 0])).toThrow(/slice: step must be a non-zero integer, got 0/);
    expect(() => t.slice(null, null, null)).toThrow(/slice: 3 ranges for a tensor of rank 2/);
  });

  it('unsqueeze and squeeze are views', () => {
    const t = m23();
    const u = t.unsqueeze(1);
    expect(u.shape).toEqual([2, 1, 3]);
    expect(u.data).toBe(t.data);
    expect(t.unsqueeze(-1).shape).toEqual([2, 3, 1]);
    expect(t.unsqueeze(0).shape).toEqual([1, 2, 3]);
    const s = u.squeeze();
    expect(s.shape).toEqual([2, 3]);
    expect(s.data).toBe(t.data);
    expect(Tensor.zeros([1, 2, 1]).squeeze(-1).shape).toEqual([1, 2]);
    expect(Tensor.zeros([1, 2, 1]).squeeze([0, 2]).shape).toEqual([2]);
    expect(() => t.unsqueeze(3)).toThrow(/unsqueeze: axis 3 is out of range for a tensor of rank 2/);
    expect(() => t.squeeze(0)).toThrow(/squeeze: axis 0 has extent 2, not 1, in \[2, 3\]/);
    // an unsqueezed transposed view still reads the right elements
    expect(t.transpose().unsqueeze(1).get(2, 0, 1)).toBe(6);
  });
});

describe('reshape and contiguous', () => {
  it('reshape of a contiguous tensor is a view', () => {
    const t = m23();
    const r = t.reshape([3, 2]);
    expect(r.data).toBe(t.data);
    expect(r.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(t.reshape([-1]).shape).toEqual([6]);
    expect(t.reshape([2, -1, 1]).shape).toEqual([2, 3, 1]);
    // a contiguous row slice (offset 3) reshapes as a view too
    const row = t.slice([1, 2]).reshape([3]);
    expect(row.data).toBe(t.data);
    expect(row.offset).toBe(3);
    expect(row.toArray()).toEqual([4, 5, 6]);
  });

  it('reshape of a transposed tensor copies, in the row-major order of the view', () => {
    const t = m23();
    const r = t.transpose().reshape([6]);
    expect(r.data).not.toBe(t.data);
    expect(r.toArray()).toEqual([1, 4, 2, 5, 3, 6]);
    const e = Tensor.from([1, 2]).expand([2, 2]).reshape([4]);
    expect(e.toArray()).toEqual([1, 2, 1, 2]);
  });

  it('reshape errors', () => {
    expect(() => m23().reshape([4])).toThrow(/reshape: cannot reshape \[2, 3\] \(6 elements\) to \[4\]/);
    expect(() => m23().reshape([-1, 4])).toThrow(/reshape: cannot infer -1 in \[-1, 4\] for 6 elements/);
  });

  it('contiguous() returns the same tensor when row-major, a copy otherwise', () => {
    const t = m23();
    expect(t.contiguous()).toBe(t);
    expect(t.isContiguous()).toBe(true);
    const tt = t.transpose();
    const c = tt.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(c.data).not.toBe(t.data);
    expect(c.stride).toEqual([2, 1]);
    expect(c.toArray()).toEqual(tt.toArray());
    const row = t.slice([1, 2]);
    const rc = row.contiguous();
    expect(rc.data).toBe(t.data);
    expect(rc.offset).toBe(3);
    // size-1 axes may have any stride and still be contiguous
    expect(new Tensor(new Float64Array(3), [1, 3], [99, 1]).isContiguous()).toBe(true);
    expect(t.slice(null, [undefined, undefined, 2]).isContiguous()).toBe(false);
  });
});

describe('take and selectRows', () => {
  it('take along axis 0 and 1 with repeated and negative indices copies', () => {
    const t = Tensor.arange(12).reshape([3, 4]);
    const r = t.take([2, 0, 2]);
    expect(r.data).not.toBe(t.data);
    expect(r.toArray()).toEqual([
      [8, 9, 10, 11],
      [0, 1, 2, 3],
      [8, 9, 10, 11],
    ]);
    expect(t.take([-1, 1], 1).toArray()).toEqual([
      [3, 1],
      [7, 5],
      [11, 9],
    ]);
    expect(t.selectRows(Int32Array.of(1)).toArray()).toEqual([[4, 5, 6, 7]]);
    expect(t.take([], 0).shape).toEqual([0, 4]);
  });

  it('take from a rank-3 transposed view along its middle axis', () => {
    const t = Tensor.arange(24).reshape([2, 3, 4]).permute([2, 1, 0]); // [4, 3, 2]
    const r = t.take([2, 0], 1);
    expect(r.shape).toEqual([4, 2, 2]);
    for (let a = 0; a < 4; a++) {
      for (let c = 0; c < 2; c++) {
        expect(r.get(a, 0, c)).toBe(t.get(a, 2, c));
        expect(r.get(a, 1, c)).toBe(t.get(a, 0, c));
      }
    }
  });

  it('take errors name the index, axis and extent', () => {
    const t = Tensor.zeros([3, 4]);
    expect(() => t.take([3])).toThrow(/take: index 3 is out of range for axis 0 of extent 3/);
    expect(() => t.take([0.5], 1)).toThrow(/take: index 0.5 is out of range for axis 1 of extent 4/);
    expect(() => t.take([0], 2)).toThrow(/take: axis 2 is out of range for a tensor of rank 2/);
  });
});
