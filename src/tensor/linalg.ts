// Matrix products on tensors: shape checks around the packed kernel in gemm.ts.

import { gemm, gemmNaive } from './gemm.js';
import { broadcastShapes, shapeStr, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * The matrix product of the last two axes, with NumPy broadcasting over leading (batch) axes.
 * Operands may be any strided view: `matmul(a.transpose(), b)` runs A^T B without copying A,
 * because the kernel packs panels through the strides. Vectors are not promoted: give a
 * rank-2 tensor.
 *
 * @example
 * ```ts
 * matmul(Tensor.from([[1, 2]]), Tensor.from([[3], [4]])).item(); // 11
 * ```
 */
export function matmul(a: Tensor, b: Tensor, options: { naive?: boolean } = {}): Tensor {
  if (a.ndim < 2 || b.ndim < 2) {
    throw new Error(`matmul: operands must have rank >= 2, got a=${shapeStr(a.shape)}, b=${shapeStr(b.shape)}`);
  }
  const M = a.shape[a.ndim - 2];
  const K = a.shape[a.ndim - 1];
  const K2 = b.shape[b.ndim - 2];
  const N = b.shape[b.ndim - 1];
  if (K !== K2) {
    throw new Error(`matmul: inner dimensions differ: a=${shapeStr(a.shape)}, b=${shapeStr(b.shape)}`);
  }
  const kernel = options.naive ? gemmNaive : gemm;
  if (a.ndim === 2 && b.ndim === 2) {
    const out = Tensor.zeros([M, N]);
    kernel(M, N, K, a.data, a.offset, a.stride[0], a.stride[1], b.data, b.offset, b.stride[0], b.stride[1], out.data, 0, N, false);
    return out;
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const ae = a.expand([...batch, M, K]);
  const be = b.expand([...batch, K, N]);
  const out = Tensor.zeros([...batch, M, N]);
  const nb = sizeOf(batch);
  for (let t = 0; t < nb; t++) {
    let oa = ae.offset;
    let ob = be.offset;
    let rem = t;
    for (let d = batch.length - 1; d >= 0; d--) {
      const i = rem % batch[d];
      rem = Math.floor(rem / batch[d]);
      oa += i * ae.stride[d];
      ob += i * be.stride[d];
    }
    const r = batch.length;
    kernel(M, N, K, a.data, oa, ae.stride[r], ae.stride[r + 1], b.data, ob, be.stride[r], be.stride[r + 1], out.data, t * M * N, N, false);
  }
  return out;
}

/**
 * `out (+)= a b` for rank-2 tensors into a preallocated row-major `out`: the allocation-free
 * form used by training loops.
 */
export function matmulInto(out: Tensor, a: Tensor, b: Tensor, accumulate = false): Tensor {
  if (a.ndim !== 2 || b.ndim !== 2 || out.ndim !== 2) {
    throw new Error(`matmulInto: rank-2 operands required, got out=${shapeStr(out.shape)}, a=${shapeStr(a.shape)}, b=${shapeStr(b.shape)}`);
  }
  const [M, K] = a.shape;
  const [K2, N] = b.shape;
  if (K !== K2) throw new Error(`matmulInto: inner dimensions differ: a=${shapeStr(a.shape)}, b=${shapeStr(b.shape)}`);
  if (out.shape[0] !== M || out.shape[1] !== N || out.stride[1] !== 1) {
    throw new Error(`matmulInto: out must be row-major ${shapeStr([M, N])}, got ${shapeStr(out.shape)}`);
  }
  gemm(M, N, K, a.data, a.offset, a.stride[0], a.stride[1], b.data, b.offset, b.stride[0], b.stride[1], out.data, out.offset, out.stride[0], accumulate);
  return out;
}
