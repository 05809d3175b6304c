// The scijs/ndarray adapter: both directions share the same Float64Array, strides and offset.

import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { fromNdarray, toNdarray } from '../../src/tensor/ndarray.js';
import { Tensor } from '../../src/tensor/tensor.js';

describe('toNdarray', () => {
  it('shares memory with a contiguous tensor, both ways', () => {
    const t = Tensor.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const nd = toNdarray(t);
    expect(nd.data).toBe(t.data);
    expect(nd.shape).toEqual([2, 3]);
    expect(nd.stride).toEqual([3, 1]);
    expect(nd.offset).toBe(0);
    expect(nd.dtype).toBe('float64');
    expect(nd.get(1, 0)).toBe(4);
    nd.set(0, 2, -3); // write through the ndarray ...
    expect(t.get(0, 2)).toBe(-3); // ... read through the tensor
    t.set(40, 1, 0); // and the other way
    expect(nd.get(1, 0)).toBe(40);
  });

  it('keeps the offset and strides of a transposed and sliced view', () => {
    const base = Tensor.arange(20).reshape([4, 5]);
    const view = base.slice([1, undefined, 2], [-1, 0, -2]).transpose(); // [2, 2], offset 9
    const nd = toNdarray(view);
    expect(nd.data).toBe(base.data);
    expect(nd.shape).toEqual(view.shape.slice());
    expect(nd.stride).toEqual(view.stride.slice());
    expect(nd.offset).toBe(9);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(nd.get(i, j)).toBe(view.get(i, j));
    nd.set(1, 0, -100); // view[1, 0] = base[1, 2]
    expect(base.get(1, 2)).toBe(-100);
    expect(view.get(1, 0)).toBe(-100);
    base.set(-7, 3, 4); // view[0, 1] = base[3, 4]
    expect(nd.get(0, 1)).toBe(-7);
  });

  it('does not alias the shape and stride arrays of the tensor', () => {
    const t = Tensor.zeros([2, 2]);
    const nd = toNdarray(t);
    nd.shape[0] = 99;
    expect(t.shape).toEqual([2, 2]);
  });
});

describe('fromNdarray', () => {
  it('shares memory with a float64 ndarray, both ways', () => {
    const buf = Float64Array.of(1, 2, 3, 4, 5, 6);
    const nd = ndarray(buf, [3, 2]);
    const t = fromNdarray(nd);
    expect(t.data).toBe(buf);
    expect(t.shape).toEqual([3, 2]);
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    t.set(-5, 2, 0);
    expect(nd.get(2, 0)).toBe(-5);
    nd.set(0, 1, 20);
    expect(t.get(0, 1)).toBe(20);
  });

  it('takes the offset and strides of an ndarray view (transposed, stepped, offset)', () => {
    const buf = Float64Array.from({ length: 24 }, (_, k) => k);
    const nd = ndarray(buf, [4, 6]).hi(4, 5).lo(1, 1).step(1, -2).transpose(1, 0); // [2, 3]
    const t = fromNdarray(nd);
    expect(t.data).toBe(buf);
    expect(t.shape).toEqual(nd.shape);
    expect(t.stride).toEqual(nd.stride);
    expect(t.offset).toBe(nd.offset);
    expect(t.offset).not.toBe(0);
    for (let i = 0; i < nd.shape[0]; i++) for (let j = 0; j < nd.shape[1]; j++) expect(t.get(i, j)).toBe(nd.get(i, j));
    // a view of a view: the tensor's own slicing composes with the ndarray's layout
    t.set(1000, 1, 2);
    expect(nd.get(1, 2)).toBe(1000);
    nd.set(0, 0, -1);
    expect(t.get(0, 0)).toBe(-1);
    expect(t.contiguous().toArray()).toEqual(t.toArray());
  });

  it('round-trips: fromNdarray(toNdarray(t)) views the same elements', () => {
    const t = Tensor.arange(12).reshape([3, 4]).permute([1, 0]).slice([1, 3]);
    const u = fromNdarray(toNdarray(t));
    expect(u.data).toBe(t.data);
    expect(u.shape).toEqual(t.shape);
    expect(u.stride).toEqual(t.stride);
    expect(u.offset).toBe(t.offset);
    expect(u.toArray()).toEqual(t.toArray());
  });

  it('refuses an ndarray that is not float64, naming its type and shape', () => {
    expect(() => fromNdarray(ndarray(new Float32Array(4), [2, 2]))).toThrow(
      /^fromNdarray: only float64 ndarrays can share memory, got Float32Array with shape \[2, 2\]$/,
    );
    expect(() => fromNdarray(ndarray(new Int32Array(3)))).toThrow(/got Int32Array with shape \[3\]/);
    expect(() => fromNdarray(ndarray([1, 2, 3]))).toThrow(/got Array with shape \[3\]/);
  });
});
