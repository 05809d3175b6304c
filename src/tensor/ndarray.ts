// The one adapter to scijs/ndarray: both share the same Float64Array, shape, stride and offset.

import ndarray from 'ndarray';
import { shapeStr } from './shape.js';
import { Tensor } from './tensor.js';

/*
 * The types below are ours, on purpose: the package's .d.ts must compile in a strict consumer
 * without skipLibCheck and without @types/ndarray (which would otherwise have to be a runtime
 * dependency of every user, or fail with TS7016). They describe the part of scijs/ndarray's
 * object that this adapter hands out and reads, structurally, so the NdArray of @types/ndarray
 * (or any object with data, shape, stride and offset) fits them.
 */

/** A float64 scijs/ndarray view, as `toNdarray` returns it (its methods; see the ndarray docs). */
export interface Float64NdArray {
  data: Float64Array;
  shape: number[];
  stride: number[];
  offset: number;
  dtype: 'float64';
  size: number;
  order: number[];
  dimension: number;
  get(...index: number[]): number;
  /** `set(i, j, ..., value)` */
  set(...indexThenValue: number[]): number;
  index(...index: number[]): number;
  lo(...index: number[]): Float64NdArray;
  hi(...index: number[]): Float64NdArray;
  step(...steps: number[]): Float64NdArray;
  transpose(...axes: number[]): Float64NdArray;
  pick(...index: (number | null)[]): Float64NdArray;
  T: Float64NdArray;
}

/** What `fromNdarray` reads of an ndarray (any dtype is accepted here and refused unless float64). */
export interface NdArrayLike {
  data: unknown;
  shape: number[];
  stride: number[];
  offset: number;
}

/**
 * An ndarray view of a tensor, sharing its memory: writes through either are seen by both.
 *
 * @example
 * ```ts
 * const nd = toNdarray(Tensor.from([[1, 2], [3, 4]]));
 * nd.get(1, 0); // 3
 * ```
 */
export function toNdarray(t: Tensor): Float64NdArray {
  return ndarray(t.data, t.shape.slice(), t.stride.slice(), t.offset);
}

/** A tensor view of a float64 ndarray, sharing its memory. Other dtypes are refused. */
export function fromNdarray(a: NdArrayLike): Tensor {
  if (!(a.data instanceof Float64Array)) {
    const data = a.data as { constructor?: { name?: string } } | null | undefined;
    const kind = data?.constructor?.name ?? typeof a.data;
    throw new Error(`fromNdarray: only float64 ndarrays can share memory, got ${kind} with shape ${shapeStr(a.shape)}`);
  }
  return new Tensor(a.data, a.shape, a.stride, a.offset);
}
