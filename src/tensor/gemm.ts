// Matrix-product kernel: cache-blocked, panel-packing, register-tiled float64 GEMM over strided operands.

import { KC, MC, MR, NCW, columnBlock, copyRows, kBlock, roundUp, rowBlock, stage, stagedLength } from './wasm/gemm-blocks.js';
import { GEMM_MAX_PAGES, type GemmInstance, createGemmInstance } from './wasm/gemm-module.js';

/*
 * Contract shared by `gemm` and `gemmNaive`:
 *
 *   C[cOff + i*cRs + j] (+)= sum_k A[aOff + i*aRs + k*aCs] * B[bOff + k*bRs + j*bCs]
 *   for 0 <= i < M, 0 <= j < N, 0 <= k < K.
 *
 * A and B are read through (row stride, column stride) pairs, so a transposed operand is the
 * same buffer with its strides swapped (A^T: aRs = 1, aCs = lda) and a broadcast operand has a
 * zero stride. C is row-major with unit column stride and row stride cRs. With
 * `accumulate = false` C is overwritten (its old contents, NaN included, are ignored); with
 * `accumulate = true` the product is added to it. C must not overlap A or B in either mode.
 * These functions trust their arguments (integer extents and in-range offsets): shapes are
 * validated once at the public boundary, not in the inner loops.
 *
 * The fast kernel is the Goto/BLIS loop nest (Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication", ACM TOMS 2008):
 *
 *   for jc over N in steps of NC:                           a column panel of B and C
 *     for pc over K in steps of KC:                         a k-block
 *       pack B[pc.., jc..] (kc x nc) into Bp, NR columns at a time
 *       for ic over M in steps of MC:
 *         pack A[ic.., pc..] (mc x kc) into Ap, MR rows at a time
 *         for jr over nc in steps of NR:                    one B sliver, kc*NR doubles (6 KB): L1
 *           for ir over mc in steps of MR:                  the whole Ap block, mc*kc (192 KB): L2
 *             C[ic+ir.., jc+jr..] (+)= Ap sliver * Bp sliver           the micro-kernel
 *
 * Packing copies each operand block once into the exact order the micro-kernel reads it
 * (unit stride, k-major inside each sliver), whatever the caller's strides were, so A^T B and
 * A B^T run at the speed of A B, and stride-0 broadcasts need no special case. The copy is
 * O(mc*kc + kc*nc) per block against O(mc*nc*kc) multiply-adds that reuse it.
 *
 * The blocked path exists twice, with the same sums in the same order: in WebAssembly with f64x2
 * SIMD (src/tensor/wasm, used where the engine supports it, ~4x faster) and in plain JavaScript
 * (`microKernel`, the fallback); the notes below were measured on the JavaScript one.
 *
 * The micro-kernel keeps an MR x NR = 4 x 3 tile of C in local variables (registers): the
 * fastest tile measured, and the best fit for a batch M and a small, odd N; the measurements,
 * and KC = 256, are in docs/engine.md, "Why the loops look like this".
 *
 * Edge tiles: slivers at the bottom/right edge are padded with zeros when packed, so the
 * micro-kernel always runs the full MR x NR tile; only the real mr x nr corner is written back.
 * Padding rows/columns only feed outputs that are discarded, so a NaN or Infinity times a
 * padding zero never reaches C.
 *
 * Determinism: for given (M, N, K, strides, accumulate) the order of every floating-point
 * operation is fixed, so the same inputs give the same bits. In the blocked path element
 * C[i][j] is
 *   ((c + s_0) + s_1) + ... ,  s_b = a[i][k0] b[k0][j] + a[i][k0+1] b[k0+1][j] + ... (k order)
 * over the k-blocks b (the c term absent when not accumulating), and the k-block boundaries
 * depend on K alone, not on M, N or where the element falls in a tile: a row of C comes out
 * bit-identical whatever batch it is computed in. The loops for thin shapes (N = 2 or M <= 3,
 * with K <= KC) make exactly these additions (one k-block), so they count as this path.
 * The small, vector-matrix (M = 1) and matrix-vector (N = 1) paths sum in plain k order instead
 * (and the small one accumulates into C term by term), so across those shape classes the bits
 * may differ within rounding; `gemmPath` names the class of a shape.
 */

/** Columns of the register tile (columns of B per packed sliver). */
const NR = 3;
/**
 * The wide tile, 4 x 4, used when N is small and a multiple of 4 fits it better: a 4x3 tile
 * pads N = 16 to 18 columns (12.5% wasted work) and N = 20 to 21, while the 4x4 tile, ~4% slower
 * per flop (16 accumulators and 8 operands spill a little), pads nothing. Measured, one process,
 * GFLOP/s 4x3 / 4x4: 256x16x16 4.27 / 4.62, 16x16x256 4.34 / 4.85, 100x20x20 4.76 / 4.92;
 * 512x512x512 5.58 / 5.37, 256x10x128 4.29 / 4.13. Both tiles sum every element in the same
 * k order, so the choice never changes a bit of the result.
 */
const NR_WIDE = 4;
/** N below which the wide tile is considered (above it the 4x3 tile wastes under 3%). */
const WIDE_MAX_N = 48;
/** Largest column panel of B: KC*NC doubles = 1 MB, reused by every row block of A. */
const NC = 510;
/**
 * At or below this many multiply-adds (M*N*K) the plain i-k-j loop beats packing. Measured
 * (small/blocked time): 2x2x2 0.3, 3x3x3 0.9, 2x2x16 0.84, 4x4x4 1.3, 5x5x5 1.3, 8x8x8 2.6,
 * 32x32x2 2.0: packing pays for itself almost at once, because the i-k-j loop (a load, a
 * multiply-add and a store of C per step) runs at ~1.3 GFLOP/s against ~5.8 for the tile.
 */
const SMALL_WORK = 64;

/*
 * Packed-operand scratch: one Float64Array, allocated once when the module loads and reused by
 * every call, so calls allocate nothing. The A block lives at [0, MC*KC), the B panel at
 * [B_BASE, B_BASE + KC*NC): 1.2 MB in all.
 *
 * It is a fixed-size module-level `const` on purpose: loops over it run without the checks a
 * typed array argument costs on every iteration (docs/engine.md, "Why the loops look like
 * this"). The fixed size bounds the blocks: at most MC x KC (A) and KC x NC (B) per call.
 *
 * The state is invisible to callers: `gemm` is synchronous and never calls out, so no two
 * calls interleave on one thread, and each worker thread has its own module instance.
 */
const B_BASE = MC * KC;
const PACK = new Float64Array(MC * KC + KC * NC);
/** Spill tile for edge micro-tiles: the kernel writes all its sums here, then the real corner is copied. */
const EDGE = new Float64Array(MR * NR_WIDE);

/**
 * Which loop `gemm` runs for an M x N x K product: 'empty' (M, N or K is 0), 'gemv' (N = 1),
 * 'gevm' (M = 1), 'small' (at most SMALL_WORK multiply-adds) or 'blocked'. Within one path
 * every row of C is computed from its row of A alone, in an order fixed by (N, K), so a product
 * cut into bands of rows that all take the path of the whole gives the same bits (the thread
 * pool relies on this); across paths the summation order, and so the last bits, may differ.
 */
export function gemmPath(M: number, N: number, K: number): 'empty' | 'gemv' | 'gevm' | 'small' | 'blocked' {
  if (M <= 0 || N <= 0 || K <= 0) return 'empty';
  if (N === 1) return 'gemv';
  if (M === 1) return 'gevm';
  return M * N * K <= SMALL_WORK ? 'small' : 'blocked';
}

/**
 * Fast float64 matrix product over strided operands:
 * `C[cOff + i*cRs + j] (+)= sum_k A[aOff + i*aRs + k*aCs] * B[bOff + k*bRs + j*bCs]`.
 *
 * @example
 * // C = A B for A 2x3 and B 3x2, both row-major
 * const A = Float64Array.of(1, 2, 3, 4, 5, 6), B = Float64Array.of(7, 8, 9, 10, 11, 12);
 * const C = new Float64Array(4);
 * gemm(2, 2, 3, A, 0, 3, 1, B, 0, 2, 1, C, 0, 2, false); // C = [58, 64, 139, 154]
 * // C += A^T A (3x3) reads A with swapped strides: row stride 1, column stride 3
 * const G = new Float64Array(9);
 * gemm(3, 3, 2, A, 0, 1, 3, A, 0, 3, 1, G, 0, 3, true);
 */
export function gemm(
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  if (M <= 0 || N <= 0) return;
  if (!warmed) warmUp();
  if (K <= 0) {
    // An empty sum is 0: overwrite with zeros, or leave C as it is when accumulating.
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * cRs, cOff + i * cRs + N);
    return;
  }
  // Skinny and tiny products skip packing (measured, ms: 512x1x512 0.17 vs 0.44 blocked,
  // 1x512x512 0.20 vs 0.61; the tiny cut-off is at SMALL_WORK).
  if (N === 1) {
    gemv(M, K, A, aOff, aRs, aCs, B, bOff, bRs, C, cOff, cRs, accumulate);
    return;
  }
  if (M === 1) {
    gevm(N, K, A, aOff, aCs, B, bOff, bRs, bCs, C, cOff, accumulate);
    return;
  }
  if (M * N * K <= SMALL_WORK) {
    gemmSmall(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
    return;
  }
  // Thin shapes the register tile pads badly (N = 2 wastes a third of a 4x3 tile, M = 2 half of
  // it), with loops that make the very same additions as the blocked path: one k-block
  // (K <= KC), each sum started from 0 and taken in k order. Their results are the blocked
  // path's to the bit, so for `gemmPath` (and the thread pool) they are the blocked path.
  // Measured, GFLOP/s blocked / thin: 256x2x16 1.94 / 4.17, 16x2x256 2.06 / 4.05, 2x16x256
  // 1.44 / 3.25. (A loop for K <= 4 with the row of A in registers was no faster than the tile.)
  // (M <= 3 runs faster in WebAssembly where it can: packed, SIMD, and a 4-row tile is cheap
  // padding next to the JavaScript loop's strided reads; N = 2 does not: half the 4-wide tile)
  if (K <= KC && (N === 2 || (M <= 3 && wasmState() === null))) {
    if (N === 2) gemmTwoColumns(M, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
    else for (let i = 0; i < M; i++) gevm(N, K, A, aOff + i * aRs, aCs, B, bOff, bRs, bCs, C, cOff + i * cRs, accumulate);
    return;
  }

  if (wasmState() !== null && gemmWasm(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate)) return;

  // Balanced blocking: split each dimension into the fewest blocks of at most the cap, all of
  // (nearly) equal size, so K = 257 becomes 129 + 128 rather than 256 + 1 (a 1-deep k-block
  // would cost a full pass over C for almost no work). Row and column blocks are rounded up to
  // whole slivers.
  counts.javascript++;
  const kcStep = kBlock(K);
  const mcStep = rowBlock(M);
  // the tile width: 4 when that pads fewer columns of a small N than 3 would (see NR_WIDE)
  const nrT = N < WIDE_MAX_N && roundUp(N, NR_WIDE) < roundUp(N, NR) ? NR_WIDE : NR;
  const ncStep = roundUp(Math.ceil(N / Math.ceil(N / NC)), nrT);

  for (let jc = 0; jc < N; jc += ncStep) {
    const nc = Math.min(ncStep, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = Math.min(kcStep, K - pc);
      // The first k-block overwrites C unless the caller asked to accumulate; later blocks add.
      const add = accumulate || pc > 0;
      if (nrT === NR) packBPanel(kc, nc, B, bOff + pc * bRs + jc * bCs, bRs, bCs);
      else packBPanelWide(kc, nc, B, bOff + pc * bRs + jc * bCs, bRs, bCs);
      for (let ic = 0; ic < M; ic += mcStep) {
        const mc = Math.min(mcStep, M - ic);
        packABlock(mc, kc, A, aOff + ic * aRs + pc * aCs, aRs, aCs);
        const cBlock = cOff + ic * cRs + jc;
        for (let jr = 0; jr < nc; jr += nrT) {
          const nr = Math.min(nrT, nc - jr);
          const bIdx = B_BASE + jr * kc; // sliver jr/nrT starts at (jr/nrT) * (kc*nrT)
          if (nrT === NR) {
            for (let ir = 0; ir < mc; ir += MR) microKernel(kc, ir * kc, bIdx, C, cBlock + ir * cRs + jr, cRs, Math.min(MR, mc - ir), nr, add);
          } else {
            for (let ir = 0; ir < mc; ir += MR) microKernelWide(kc, ir * kc, bIdx, C, cBlock + ir * cRs + jr, cRs, Math.min(MR, mc - ir), nr, add);
          }
        }
      }
    }
  }
}

/**
 * Reference product: the plain i-j-k triple loop, one dot product per output element summed
 * in k order, then stored (or added to C). Same signature and contract as `gemm`.
 *
 * @example
 * const C = new Float64Array(1);
 * gemmNaive(1, 1, 2, Float64Array.of(1, 2), 0, 2, 1, Float64Array.of(3, 4), 0, 1, 1, C, 0, 1, false); // C = [11]
 */
export function gemmNaive(
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const aRow = aOff + i * aRs;
    const cRow = cOff + i * cRs;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0, a = aRow, b = bOff + j * bCs; k < K; k++, a += aCs, b += bRs) s += A[a] * B[b];
      C[cRow + j] = accumulate ? C[cRow + j] + s : s;
    }
  }
}

/*
 * Skinny products. With N = 1 (matrix times vector) or M = 1 (vector times matrix) every
 * element of the big operand is used once, so packing it is pure overhead (and a 4x3 tile
 * would be mostly padding). These paths compute dot products straight from the caller's
 * strides, four outputs at a time: one running sum is latency-bound (each add waits for the
 * previous one, ~1.3 GFLOP/s), four independent sums keep the adder busy and share each load of
 * the vector. Every output is still summed in plain k order.
 */

/** N = 1: C[i] (+)= sum_k A[i][k] B[k], rows of A four at a time. */
function gemv(
  M: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  const aRs2 = 2 * aRs, aRs3 = 3 * aRs;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0, a = aOff + i * aRs, b = bOff; k < K; k++, a += aCs, b += bRs) {
      const x = B[b];
      s0 += A[a] * x;
      s1 += A[a + aRs] * x;
      s2 += A[a + aRs2] * x;
      s3 += A[a + aRs3] * x;
    }
    const c = cOff + i * cRs;
    if (accumulate) {
      C[c] += s0; C[c + cRs] += s1; C[c + 2 * cRs] += s2; C[c + 3 * cRs] += s3;
    } else {
      C[c] = s0; C[c + cRs] = s1; C[c + 2 * cRs] = s2; C[c + 3 * cRs] = s3;
    }
  }
  for (; i < M; i++) {
    let s = 0;
    for (let k = 0, a = aOff + i * aRs, b = bOff; k < K; k++, a += aCs, b += bRs) s += A[a] * B[b];
    const c = cOff + i * cRs;
    C[c] = accumulate ? C[c] + s : s;
  }
}

/** M = 1: C[j] (+)= sum_k A[k] B[k][j], columns of B four at a time. */
function gevm(
  N: number, K: number,
  A: Float64Array, aOff: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, accumulate: boolean,
): void {
  const bCs2 = 2 * bCs, bCs3 = 3 * bCs;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let k = 0, a = aOff, b = bOff + j * bCs; k < K; k++, a += aCs, b += bRs) {
      const x = A[a];
      s0 += x * B[b];
      s1 += x * B[b + bCs];
      s2 += x * B[b + bCs2];
      s3 += x * B[b + bCs3];
    }
    const c = cOff + j;
    if (accumulate) {
      C[c] += s0; C[c + 1] += s1; C[c + 2] += s2; C[c + 3] += s3;
    } else {
      C[c] = s0; C[c + 1] = s1; C[c + 2] = s2; C[c + 3] = s3;
    }
  }
  for (; j < N; j++) {
    let s = 0;
    for (let k = 0, a = aOff, b = bOff + j * bCs; k < K; k++, a += aCs, b += bRs) s += A[a] * B[b];
    C[cOff + j] = accumulate ? C[cOff + j] + s : s;
  }
}

/**
 * N = 2 (K <= KC): four rows at a time, eight running sums, each from 0 in k order; a 4 x 3 tile
 * would spend a third of its work on a padding column.
 */
function gemmTwoColumns(
  M: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  const aRs2 = 2 * aRs, aRs3 = 3 * aRs;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
    for (let k = 0, a = aOff + i * aRs, b = bOff; k < K; k++, a += aCs, b += bRs) {
      const b0 = B[b], b1 = B[b + bCs];
      const a0 = A[a], a1 = A[a + aRs], a2 = A[a + aRs2], a3 = A[a + aRs3];
      s00 += a0 * b0; s01 += a0 * b1;
      s10 += a1 * b0; s11 += a1 * b1;
      s20 += a2 * b0; s21 += a2 * b1;
      s30 += a3 * b0; s31 += a3 * b1;
    }
    const c0 = cOff + i * cRs, c1 = c0 + cRs, c2 = c1 + cRs, c3 = c2 + cRs;
    if (accumulate) {
      C[c0] += s00; C[c0 + 1] += s01; C[c1] += s10; C[c1 + 1] += s11;
      C[c2] += s20; C[c2 + 1] += s21; C[c3] += s30; C[c3 + 1] += s31;
    } else {
      C[c0] = s00; C[c0 + 1] = s01; C[c1] = s10; C[c1 + 1] = s11;
      C[c2] = s20; C[c2 + 1] = s21; C[c3] = s30; C[c3 + 1] = s31;
    }
  }
  for (; i < M; i++) {
    let s0 = 0, s1 = 0;
    for (let k = 0, a = aOff + i * aRs, b = bOff; k < K; k++, a += aCs, b += bRs) {
      const x = A[a];
      s0 += x * B[b];
      s1 += x * B[b + bCs];
    }
    const c = cOff + i * cRs;
    if (accumulate) {
      C[c] += s0; C[c + 1] += s1;
    } else {
      C[c] = s0; C[c + 1] = s1;
    }
  }
}

/**
 * Small products: i-k-j order, so the innermost loop runs along a row of C and a row of B
 * (unit stride when B is row-major) with the A element held in a register. No packing.
 */
function gemmSmall(
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const cRow = cOff + i * cRs;
    let aIdx = aOff + i * aRs;
    let bRow = bOff;
    let k = 0;
    if (!accumulate) {
      // k = 0 stores instead of adding, so C needs no zeroing pass (K >= 1 here).
      const a = A[aIdx];
      for (let j = 0, b = bRow; j < N; j++, b += bCs) C[cRow + j] = a * B[b];
      aIdx += aCs;
      bRow += bRs;
      k = 1;
    }
    for (; k < K; k++) {
      const a = A[aIdx];
      for (let j = 0, b = bRow; j < N; j++, b += bCs) C[cRow + j] += a * B[b];
      aIdx += aCs;
      bRow += bRs;
    }
  }
}

/*
 * Packing reads each sliver as MR (or NR) parallel streams along k. For an operand stored with
 * k as its contiguous axis (A as stored, B transposed) the streams are sequential; otherwise
 * each stream steps by a row, and the MR/NR neighbours read together share a cache line. Both
 * layouts pack at ~1 ns per element here; walking the other axis and scattering into the
 * slivers measured no faster, so there is one loop order. At ~1 ns per packed element against
 * ~0.34 ns per multiply-add in the micro-kernel (~5.9 GFLOP/s), packing adds about 3/m to the
 * kernel's time, m being the reuse count (the rows of C that share a packed B element, the
 * columns that share an A element): 3/M + 3/N in all, under 10% once M and N pass ~64.
 */

/**
 * Packs the mc x kc block of A at `base` into slivers of MR rows at PACK[0..): sliver s holds,
 * for each p < kc, the MR values A[s*MR + 0..MR-1][p] contiguously (k-major), rows past mc are
 * zero. Element (r, p) of sliver s lands at PACK[s*MR*kc + p*MR + r].
 */
function packABlock(mc: number, kc: number, A: Float64Array, base: number, aRs: number, aCs: number): void {
  packSlivers4(0, mc, kc, A, base, aRs, aCs);
}

/**
 * Packs the kc x nc panel of B at `base` into slivers of NR columns at PACK[B_BASE..): sliver s
 * holds, for each p < kc, the NR values B[p][s*NR + 0..NR-1] contiguously, columns past nc are
 * zero. Element (p, c) of sliver s lands at PACK[B_BASE + s*NR*kc + p*NR + c].
 */
function packBPanel(kc: number, nc: number, B: Float64Array, base: number, bRs: number, bCs: number): void {
  const P = PACK;
  const full = nc - (nc % NR);
  let d = B_BASE;
  for (let jr = 0; jr < full; jr += NR) {
    const c0 = base + jr * bCs, c1 = c0 + bCs, c2 = c1 + bCs;
    for (let p = 0, o = 0; p < kc; p++, o += bRs) {
      P[d] = B[c0 + o];
      P[d + 1] = B[c1 + o];
      P[d + 2] = B[c2 + o];
      d += NR;
    }
  }
  if (full < nc) {
    // The last, partial sliver: `cols` < NR real columns, the rest zero.
    const cols = nc - full;
    const c0 = base + full * bCs;
    for (let p = 0, o = c0; p < kc; p++, o += bRs) {
      for (let c = 0; c < NR; c++) P[d + c] = c < cols ? B[o + c * bCs] : 0;
      d += NR;
    }
  }
}

/** `packBPanel` for the wide tile: slivers of NR_WIDE columns, element (p, c) at B_BASE + s*4*kc + p*4 + c. */
function packBPanelWide(kc: number, nc: number, B: Float64Array, base: number, bRs: number, bCs: number): void {
  packSlivers4(B_BASE, nc, kc, B, base, bCs, bRs);
}

/**
 * The four-lane packing (MR = NR_WIDE = 4) both the A block (lanes = rows of A) and the wide B panel (lanes =
 * columns of B) use: from PACK[d0], for each sliver of 4 lanes and each p < kc, the 4 values
 * X[base + lane*laneStride + p*pStride], lanes past `count` zero.
 */
function packSlivers4(d0: number, count: number, kc: number, X: Float64Array, base: number, laneStride: number, pStride: number): void {
  const P = PACK;
  const full = count - (count % 4);
  let d = d0;
  for (let l = 0; l < full; l += 4) {
    const r0 = base + l * laneStride, r1 = r0 + laneStride, r2 = r1 + laneStride, r3 = r2 + laneStride;
    for (let p = 0, o = 0; p < kc; p++, o += pStride) {
      P[d] = X[r0 + o];
      P[d + 1] = X[r1 + o];
      P[d + 2] = X[r2 + o];
      P[d + 3] = X[r3 + o];
      d += 4;
    }
  }
  if (full < count) {
    // the last, partial sliver: `lanes` < 4 real lanes, the rest zero
    const lanes = count - full;
    const r0 = base + full * laneStride;
    for (let p = 0, o = r0; p < kc; p++, o += pStride) {
      for (let r = 0; r < 4; r++) P[d + r] = r < lanes ? X[o + r * laneStride] : 0;
      d += 4;
    }
  }
}

/**
 * The register tile: t[r][c] = sum_{p<kc} PACK[aIdx + p*MR + r] * PACK[bIdx + p*NR + c], summed
 * in p order in 12 locals, then C[cIdx + r*cRs + c] = t (add = false) or += t (add = true) for
 * the real mr x nr corner. One call does 2*MR*NR*kc = 24*kc flops from (MR+NR)*kc = 7*kc loads.
 *
 * `(x + c) | 0` on the pack indices marks each sum an int32 that cannot overflow (all are below
 * PACK.length), which saves a check per load (docs/engine.md, "Why the loops look like this").
 */
function microKernel(
  kc: number, aIdx: number, bIdx: number,
  C: Float64Array, cIdx: number, cRs: number, mr: number, nr: number, add: boolean,
): void {
  const P = PACK;
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  let ai = aIdx, bi = bIdx;
  const aEnd = aIdx + kc * MR;
  while (ai < aEnd) {
    const a0 = P[ai], a1 = P[(ai + 1) | 0], a2 = P[(ai + 2) | 0], a3 = P[(ai + 3) | 0];
    const b0 = P[bi], b1 = P[(bi + 1) | 0], b2 = P[(bi + 2) | 0];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
    ai = (ai + MR) | 0;
    bi = (bi + NR) | 0;
  }
  if (mr === MR && nr === NR) {
    const r0 = cIdx, r1 = r0 + cRs, r2 = r1 + cRs, r3 = r2 + cRs;
    if (add) {
      C[r0] += c00; C[r0 + 1] += c01; C[r0 + 2] += c02;
      C[r1] += c10; C[r1 + 1] += c11; C[r1 + 2] += c12;
      C[r2] += c20; C[r2 + 1] += c21; C[r2 + 2] += c22;
      C[r3] += c30; C[r3 + 1] += c31; C[r3 + 2] += c32;
    } else {
      C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02;
      C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12;
      C[r2] = c20; C[r2 + 1] = c21; C[r2 + 2] = c22;
      C[r3] = c30; C[r3 + 1] = c31; C[r3 + 2] = c32;
    }
    return;
  }
  const t = EDGE;
  t[0] = c00; t[1] = c01; t[2] = c02;
  t[3] = c10; t[4] = c11; t[5] = c12;
  t[6] = c20; t[7] = c21; t[8] = c22;
  t[9] = c30; t[10] = c31; t[11] = c32;
  for (let r = 0; r < mr; r++) {
    const row = cIdx + r * cRs;
    for (let c = 0; c < nr; c++) C[row + c] = add ? C[row + c] + t[r * NR + c] : t[r * NR + c];
  }
}

/** The 4x4 register tile (`microKernel` with NR_WIDE columns): the same sums, in the same order. */
function microKernelWide(
  kc: number, aIdx: number, bIdx: number,
  C: Float64Array, cIdx: number, cRs: number, mr: number, nr: number, add: boolean,
): void {
  const P = PACK;
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  let ai = aIdx, bi = bIdx;
  const aEnd = aIdx + kc * MR;
  while (ai < aEnd) {
    const a0 = P[ai], a1 = P[(ai + 1) | 0], a2 = P[(ai + 2) | 0], a3 = P[(ai + 3) | 0];
    const b0 = P[bi], b1 = P[(bi + 1) | 0], b2 = P[(bi + 2) | 0], b3 = P[(bi + 3) | 0];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ai = (ai + MR) | 0;
    bi = (bi + NR_WIDE) | 0;
  }
  if (mr === MR && nr === NR_WIDE) {
    const r0 = cIdx, r1 = r0 + cRs, r2 = r1 + cRs, r3 = r2 + cRs;
    if (add) {
      C[r0] += c00; C[r0 + 1] += c01; C[r0 + 2] += c02; C[r0 + 3] += c03;
      C[r1] += c10; C[r1 + 1] += c11; C[r1 + 2] += c12; C[r1 + 3] += c13;
      C[r2] += c20; C[r2 + 1] += c21; C[r2 + 2] += c22; C[r2 + 3] += c23;
      C[r3] += c30; C[r3 + 1] += c31; C[r3 + 2] += c32; C[r3 + 3] += c33;
    } else {
      C[r0] = c00; C[r0 + 1] = c01; C[r0 + 2] = c02; C[r0 + 3] = c03;
      C[r1] = c10; C[r1 + 1] = c11; C[r1 + 2] = c12; C[r1 + 3] = c13;
      C[r2] = c20; C[r2 + 1] = c21; C[r2 + 2] = c22; C[r2 + 3] = c23;
      C[r3] = c30; C[r3 + 1] = c31; C[r3 + 2] = c32; C[r3 + 3] = c33;
    }
    return;
  }
  const t = EDGE;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let r = 0; r < mr; r++) {
    const row = cIdx + r * cRs;
    for (let c = 0; c < nr; c++) C[row + c] = add ? C[row + c] + t[r * NR_WIDE + c] : t[r * NR_WIDE + c];
  }
}

/*
 * The blocked path in WebAssembly (src/tensor/wasm/gemm-module.ts). The module addresses only
 * its own memory, so the operands are copied in: A and B as the spans of the caller's arrays
 * they cover (one memcpy each, `TypedArray.set`, with the caller's strides kept; an operand
 * whose span is mostly gaps is gathered compactly instead), C as a padded Mp x Np block, Mp and
 * Np rounded up to whole 4x4 tiles so the kernel never needs an edge case: padding rows and
 * columns are computed from zero padding and never copied out. Packing runs in the module too.
 * The loop nest, the balanced block sizes and so every sum are those of the JavaScript path
 * below (k-blocks from K alone, each summed from +0 in k order, then c + s): the same bits.
 *
 * Layout (bytes): the A block at 0 (MC*KC values), the B panel after it (KC*NCW), then C, A, B.
 * O(MN + MK + KN) copying against O(MNK) multiply-adds: ~3% at n = 512.
 */

const W_BP = MC * KC * 8;
const W_C = W_BP + KC * NCW * 8;

/** undefined: not tried yet; null: no WebAssembly SIMD here (or switched off). */
let wasmGemm: GemmInstance | null | undefined;
/** False after `useGemmKernel('javascript')`. */
let preferWasm = true;
/** Products computed by each kernel since the module loaded (the tests' proof that one ran). */
const counts = { wasm: 0, javascript: 0 };

function wasmState(): GemmInstance | null {
  if (!preferWasm) return null;
  if (wasmGemm === undefined) {
    wasmGemm = createGemmInstance(Math.ceil((W_C + 8 * 64 * 64 * 3) / 65536));
    if (wasmGemm !== null) {
      wasmGemm.limit = Math.max(gemmLimit, W_C + 8 * 64 * 64 * 3);
      warmWasm();
      wasmGemm.limit = gemmLimit;
    }
  }
  return wasmGemm;
}

function gemmWasm(
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): boolean {
  const w = wasmGemm!;
  const Mp = roundUp(M, 4), Np = roundUp(N, 4);
  const [aLen, aDense] = stagedLength(M, K, aRs, aCs);
  const [bLen, bDense] = stagedLength(K, N, bRs, bCs);
  const aAt = W_C + Mp * Np * 8, bAt = aAt + aLen * 8;
  if (!w.reserve(bAt + bLen * 8)) return false;
  const H = w.heap, fns = w.fns;
  stage(H, aAt, A, aOff, M, K, aRs, aCs, aDense);
  stage(H, bAt, B, bOff, K, N, bRs, bCs, bDense);
  // strides in bytes as the operands lie in the heap
  const aR = 8 * (aDense ? aRs : K), aC = 8 * (aDense ? aCs : 1);
  const bR = 8 * (bDense ? bRs : N), bC = 8 * (bDense ? bCs : 1);
  const cRow = Np * 8;
  if (accumulate) copyRows(H, W_C >> 3, Np, C, cOff, cRs, M, N, true);

  // the blocking of the JavaScript path (same k-blocks), with the 4-wide tile
  const kcStep = kBlock(K);
  const mcStep = rowBlock(M);
  const ncStep = columnBlock(N);
  for (let jc = 0; jc < N; jc += ncStep) {
    const nc = Math.min(ncStep, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = Math.min(kcStep, K - pc);
      const add = accumulate || pc > 0 ? 1 : 0;
      fns.pack4(W_BP, bAt + pc * bR + jc * bC, nc, kc, bC, bR);
      for (let ic = 0; ic < M; ic += mcStep) {
        const mc = Math.min(mcStep, M - ic);
        fns.pack4(0, aAt + ic * aR + pc * aC, mc, kc, aR, aC);
        fns.tiles(kc, roundUp(mc, 4), roundUp(nc, 4), 0, W_BP, W_C + ic * cRow + jc * 8, cRow, add);
      }
    }
  }
  copyRows(H, W_C >> 3, Np, C, cOff, cRs, M, N, false);
  counts.wasm++;
  return true;
}

/**
 * Chooses the blocked-path kernel: 'wasm-simd' (the default where the engine supports
 * WebAssembly SIMD) or 'javascript'. Both give the same bits; this exists to compare them.
 * Throws when 'wasm-simd' is asked for and this engine cannot run it.
 *
 * @example
 * useGemmKernel('javascript'); // then gemm runs the JavaScript micro-kernels
 */
export function useGemmKernel(kind: 'wasm-simd' | 'javascript'): void {
  if (kind === 'javascript') preferWasm = false;
  else if (kind === 'wasm-simd') {
    preferWasm = true;
    if (wasmState() === null) throw new Error('useGemmKernel: this engine cannot run the WebAssembly SIMD kernel (no WebAssembly or no SIMD128)');
  } else throw new Error(`useGemmKernel: kind must be 'wasm-simd' or 'javascript', got ${JSON.stringify(kind)}`);
}

/** Which kernel the blocked path runs: 'wasm-simd' or 'javascript' (compiles the WebAssembly module if not yet done). */
export function gemmKernel(): 'wasm-simd' | 'javascript' {
  return wasmState() !== null ? 'wasm-simd' : 'javascript';
}

/**
 * Caps the memory the WebAssembly kernel may grow to (default 256 MiB, at most 1 GiB): a
 * product needing more (operands, padded C and the packing buffers) runs the JavaScript kernel,
 * with the same bits. The memory never shrinks, so the cap bounds what a big product leaves
 * allocated. Returns the previous cap.
 *
 * @example
 * setGemmMemoryLimit(1024 * 1024 * 1024); // allow products of up to ~1 GiB of operands
 */
export function setGemmMemoryLimit(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 0 || bytes > GEMM_MAX_PAGES * 65536) {
    throw new Error(`setGemmMemoryLimit: bytes must be an integer in [0, ${GEMM_MAX_PAGES * 65536}], got ${bytes}`);
  }
  const w = wasmState();
  const prev = w === null ? gemmLimit : w.limit;
  gemmLimit = bytes;
  if (w !== null) w.limit = bytes;
  return prev;
}

/** The cap set before the module was instantiated (applied when it is). */
let gemmLimit = 256 * 1024 * 1024;

/** Blocked products computed by each kernel since the module loaded. */
export function gemmKernelCounts(): { wasm: number; javascript: number } {
  return { ...counts };
}

/*
 * Feedback warm-up: the first call runs every path of the JavaScript kernels once on tiny
 * operands, so no branch is left for a deoptimisation later (docs/engine.md, "Why the loops look
 * like this"). Microseconds, no result changed, and nothing at import.
 */
let warmed = false;

function warmUp(): void {
  warmed = true;
  const A = new Float64Array(64).fill(0.5);
  const B = new Float64Array(64).fill(0.25);
  const C = new Float64Array(64);
  // [M, N, K]: blocked 4x3 and 4x4 tiles with full and edge slivers, the thin loops, the small
  // loop, matrix-vector and vector-matrix, each overwriting and accumulating, in both layouts
  const shapes = [[7, 5, 3], [5, 7, 2], [6, 8, 2], [7, 6, 2], [5, 2, 7], [2, 5, 7], [2, 2, 2], [7, 1, 3], [1, 7, 3]];
  const prefer = preferWasm;
  preferWasm = false;
  const before = counts.javascript;
  try {
    for (const [M, N, K] of shapes) {
      for (const accumulate of [false, true]) {
        gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0, N, accumulate);
        gemm(M, N, K, A, 0, 1, M, B, 0, 1, K, C, 0, N, accumulate);
      }
    }
  } finally {
    preferWasm = prefer;
    counts.javascript = before;
  }
}

/**
 * WebAssembly tier-up: V8 first runs a module's functions as baseline code (~6 GFLOP/s for the
 * tile loop) and compiles them optimised once they have run for a while. A few products of
 * 64 x 64 x 64 when the module is first instantiated get the kernel there before real work.
 */
function warmWasm(): void {
  const X = new Float64Array(64 * 64).fill(0.5);
  const C = new Float64Array(64 * 64);
  for (let r = 0; r < 8; r++) gemmWasm(64, 64, 64, X, 0, 64, 1, X, 0, 64, 1, C, 0, 64, r % 2 === 1);
  counts.wasm = 0;
}
