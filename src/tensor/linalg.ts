// Matrix products on tensors: shape checks around the packed kernel in gemm.ts, and the hook for running it on other threads.

import { gemm, gemmNaive } from './gemm.js';
import { broadcastShapes, shapeStr, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';
import { allocDataUninit } from './workspace.js';

/**
 * A hook that may run a product somewhere else (other threads) instead of on this one. It gets
 * the arguments of `gemm` and returns true when it has computed C, or false to leave the
 * product to the caller, which then runs `gemm` here. An executor must give C exactly the
 * values `gemm` would (bit for bit), so installing one never changes results, only speed.
 */
export type GemmExecutor = (
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
) => boolean;

/*
 * The injection point for parallel products, and the engine's one setting besides grad mode:
 * null (the default, and the only value in a browser) runs every product on the calling thread.
 * `setThreads` in src/node installs a worker pool here; nothing in the browser-safe core knows
 * threads exist.
 */
let executor: GemmExecutor | null = null;

/**
 * Installs (or with null removes) the executor `matmul` and `matmulInto` offer every product
 * to; returns the one it replaces. Meant for `setThreads` (src/node/threads.ts), not for
 * general use.
 *
 * @example
 * ```ts
 * const previous = setGemmExecutor((M, N, K) => false); // declines everything: same as none
 * setGemmExecutor(previous);
 * ```
 */
export function setGemmExecutor(next: GemmExecutor | null): GemmExecutor | null {
  const prev = executor;
  executor = next;
  return prev;
}

/** The executor in place, or null. */
export function gemmExecutor(): GemmExecutor | null {
  return executor;
}

/** `gemm`, offered to the executor first. */
function product(
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  if (executor !== null && executor(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate)) return;
  gemm(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
}

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
export function matmul(a: Tensor, b: Tensor, options?: { naive?: boolean }): Tensor {
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
  const kernel = options?.naive === true ? gemmNaive : product;
  if (a.ndim === 2 && b.ndim === 2) {
    // gemm overwrites every element (accumulate = false), so the buffer needs no zeroing
    const out = new Tensor(allocDataUninit(M * N), [M, N]);
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
  product(M, N, K, a.data, a.offset, a.stride[0], a.stride[1], b.data, b.offset, b.stride[0], b.stride[1], out.data, out.offset, out.stride[0], accumulate);
  return out;
}
