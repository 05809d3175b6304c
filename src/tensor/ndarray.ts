// The one adapter to scijs/ndarray: both share the same Float64Array, shape, stride and offset.

import ndarray from 'ndarray';
import { shapeStr } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * An ndarray view of a tensor, sharing its memory: writes through either are seen by both.
 *
 * @example
 * ```ts
 * const nd = toNdarray(Tensor.from([[1, 2], [3, 4]]));
 * nd.get(1, 0); // 3
 * ```
 */
export function toNdarray(t: Tensor): ndarray.NdArray<Float64Array> {
  return ndarray(t.data, t.shape.slice(), t.stride.slice(), t.offset);
}

/** A tensor view of a float64 ndarray, sharing its memory. Other dtypes are refused. */
export function fromNdarray(a: ndarray.NdArray): Tensor {
  if (!(a.data instanceof Float64Array)) {
    const kind = a.data?.constructor?.name ?? typeof a.data;
    throw new Error(`fromNdarray: only float64 ndarrays can share memory, got ${kind} with shape ${shapeStr(a.shape)}`);
  }
  return new Tensor(a.data, a.shape, a.stride, a.offset);
}
