// Matrix-product kernel: cache-blocked, panel-packing, register-tiled float64 GEMM over strided operands.

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
 * The micro-kernel keeps an MR x NR tile of C in local variables, which TurboFan allocates to
 * the 16 x64 XMM registers: each k step loads MR + NR values and does MR*NR multiply-adds.
 * Measured on this project's machines (AMD Zen 5 VM, Node 20, packed slivers, KC = 256, one
 * process, variants interleaved): 4x3 and 3x4 ~5.7 GFLOP/s, 6x2 ~5.5, 5x3 ~5.3, 4x4 ~5.0
 * (16 accumulators plus operands spill), 2x4 ~4.6; unrolling k by two was slower (~4.5);
 * KC = 128 was ~25% slower than 256 (C tile traffic and call overhead per k doubles), KC = 512
 * ~7% slower; MC in 48..96 was best, 192 and up ~20% slower. 4x3 rather than 3x4 because M is
 * the batch in this engine's layers (often a power of two) while N is the feature count, which
 * is often small and odd (2, 10), where a 3-wide sliver wastes less than a 4-wide one.
 *
 * Edge tiles: slivers at the bottom/right edge are padded with zeros when packed, so the
 * micro-kernel always runs the full MR x NR tile; only the real mr x nr corner is written back.
 * Padding rows/columns only feed outputs that are discarded, so a NaN or Infinity times a
 * padding zero never reaches C.
 *
 * Determinism: for given (M, N, K, strides, accumulate) the order of every floating-point
 * operation is fixed, so the same inputs give the same bits. Element C[i][j] is
 *   ((c0 + s_0) + s_1) + ... ,  s_b = a_{i,k0}b_{k0,j} + a_{i,k0+1}b_{k0+1,j} + ... (in k order)
 * over the k-blocks b (c0 = 0-term dropped when not accumulating), and the k-block boundaries
 * depend on K alone. The small-product path below sums in plain k order instead, so the
 * bits of an element may differ (within rounding) between a small and a large call.
 */

/** Rows of the register tile (rows of A per packed sliver). */
const MR = 4;
/** Columns of the register tile (columns of B per packed sliver). */
const NR = 3;
/** Largest k-block: a Bp sliver (KC*NR doubles) lives in L1 while Ap streams from L2. */
const KC = 256;
/** Largest row block of A: MC*KC doubles = 192 KB, resident in L2 across all B slivers. */
const MC = 96;
/** Largest column panel of B: KC*NC doubles = 4 MB, reused by every row block; L3-sized. */
const NC = 2048;
/**
 * Below this many multiply-adds (M*N*K) the i-k-j loop beats packing: packing touches
 * M*K + K*N values and pays per-block setup, which a 16^3 product does not amortise.
 */
const SMALL_WORK = 16 * 16 * 16;

// Scratch for the packed operands, grown on demand and reused, so steady-state calls allocate
// nothing. This state is invisible to callers: `gemm` is synchronous and never calls out, so no
// two calls interleave on one thread, and each worker thread has its own module instance.
let packA = new Float64Array(0);
let packB = new Float64Array(0);
/** Spill tile for edge micro-tiles: the kernel writes all MR*NR sums here, then the real corner is copied. */
const edgeTile = new Float64Array(MR * NR);

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
  if (K <= 0) {
    // An empty sum is 0: overwrite with zeros, or leave C as it is when accumulating.
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * cRs, cOff + i * cRs + N);
    return;
  }
  if (M * N * K <= SMALL_WORK) {
    gemmSmall(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
    return;
  }

  // Balanced blocking: split each dimension into the fewest blocks of at most the cap, all of
  // (nearly) equal size, so K = 257 becomes 129 + 128 rather than 256 + 1 (a 1-deep k-block
  // would cost a full pass over C for almost no work). Row and column blocks are rounded up to
  // whole slivers.
  const kcStep = Math.ceil(K / Math.ceil(K / KC));
  const mcStep = roundUp(Math.ceil(M / Math.ceil(M / MC)), MR);
  const ncStep = roundUp(Math.ceil(N / Math.ceil(N / NC)), NR);

  const needA = Math.min(mcStep, roundUp(M, MR)) * kcStep;
  const needB = Math.min(ncStep, roundUp(N, NR)) * kcStep;
  if (packA.length < needA) packA = new Float64Array(needA);
  if (packB.length < needB) packB = new Float64Array(needB);
  const Ap = packA;
  const Bp = packB;

  for (let jc = 0; jc < N; jc += ncStep) {
    const nc = Math.min(ncStep, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = Math.min(kcStep, K - pc);
      // The first k-block overwrites C unless the caller asked to accumulate; later blocks add.
      const add = accumulate || pc > 0;
      packBPanel(kc, nc, B, bOff + pc * bRs + jc * bCs, bRs, bCs, Bp);
      for (let ic = 0; ic < M; ic += mcStep) {
        const mc = Math.min(mcStep, M - ic);
        packABlock(mc, kc, A, aOff + ic * aRs + pc * aCs, aRs, aCs, Ap);
        const cBlock = cOff + ic * cRs + jc;
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bIdx = jr * kc; // sliver jr/NR starts at (jr/NR) * (kc*NR)
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, Ap, ir * kc, Bp, bIdx, C, cBlock + ir * cRs + jr, cRs, mr, nr, add);
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
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[aOff + i * aRs + k * aCs] * B[bOff + k * bRs + j * bCs];
      const c = cOff + i * cRs + j;
      C[c] = accumulate ? C[c] + s : s;
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
    if (!accumulate) C.fill(0, cRow, cRow + N);
    let aIdx = aOff + i * aRs;
    let bRow = bOff;
    for (let k = 0; k < K; k++) {
      const a = A[aIdx];
      for (let j = 0, b = bRow; j < N; j++, b += bCs) C[cRow + j] += a * B[b];
      aIdx += aCs;
      bRow += bRs;
    }
  }
}

/**
 * Packs the mc x kc block of A at `base` into slivers of MR rows: sliver s holds, for each
 * p < kc, the MR values A[s*MR + 0..MR-1][p] contiguously (k-major), rows past mc are zero.
 * Element (r, p) of sliver s lands at Ap[s*MR*kc + p*MR + r].
 */
function packABlock(
  mc: number, kc: number, A: Float64Array, base: number, aRs: number, aCs: number, Ap: Float64Array,
): void {
  let d = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const r0 = base + ir * aRs;
    if (mc - ir >= MR) {
      const r1 = r0 + aRs, r2 = r1 + aRs, r3 = r2 + aRs;
      for (let p = 0, o = 0; p < kc; p++, o += aCs) {
        Ap[d] = A[r0 + o];
        Ap[d + 1] = A[r1 + o];
        Ap[d + 2] = A[r2 + o];
        Ap[d + 3] = A[r3 + o];
        d += MR;
      }
    } else {
      const rows = mc - ir;
      for (let p = 0, o = 0; p < kc; p++, o += aCs) {
        for (let r = 0; r < MR; r++) Ap[d + r] = r < rows ? A[r0 + r * aRs + o] : 0;
        d += MR;
      }
    }
  }
}

/**
 * Packs the kc x nc panel of B at `base` into slivers of NR columns: sliver s holds, for each
 * p < kc, the NR values B[p][s*NR + 0..NR-1] contiguously, columns past nc are zero.
 * Element (p, c) of sliver s lands at Bp[s*NR*kc + p*NR + c].
 */
function packBPanel(
  kc: number, nc: number, B: Float64Array, base: number, bRs: number, bCs: number, Bp: Float64Array,
): void {
  let d = 0;
  for (let jr = 0; jr < nc; jr += NR) {
    const c0 = base + jr * bCs;
    if (nc - jr >= NR) {
      const c1 = c0 + bCs, c2 = c1 + bCs;
      for (let p = 0, o = 0; p < kc; p++, o += bRs) {
        Bp[d] = B[c0 + o];
        Bp[d + 1] = B[c1 + o];
        Bp[d + 2] = B[c2 + o];
        d += NR;
      }
    } else {
      const cols = nc - jr;
      for (let p = 0, o = 0; p < kc; p++, o += bRs) {
        for (let c = 0; c < NR; c++) Bp[d + c] = c < cols ? B[c0 + c * bCs + o] : 0;
        d += NR;
      }
    }
  }
}

/**
 * The register tile: t[r][c] = sum_{p<kc} Ap[aIdx + p*MR + r] * Bp[bIdx + p*NR + c], summed in
 * p order in 12 locals, then C[cIdx + r*cRs + c] = t (add = false) or += t (add = true) for the
 * real mr x nr corner. One call does 2*MR*NR*kc = 24*kc flops from (MR+NR)*kc = 7*kc loads.
 */
function microKernel(
  kc: number, Ap: Float64Array, aIdx: number, Bp: Float64Array, bIdx: number,
  C: Float64Array, cIdx: number, cRs: number, mr: number, nr: number, add: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0;
  let c10 = 0, c11 = 0, c12 = 0;
  let c20 = 0, c21 = 0, c22 = 0;
  let c30 = 0, c31 = 0, c32 = 0;
  let ai = aIdx, bi = bIdx;
  for (let p = 0; p < kc; p++) {
    const a0 = Ap[ai], a1 = Ap[ai + 1], a2 = Ap[ai + 2], a3 = Ap[ai + 3];
    const b0 = Bp[bi], b1 = Bp[bi + 1], b2 = Bp[bi + 2];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2;
    ai += MR;
    bi += NR;
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
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02;
  t[3] = c10; t[4] = c11; t[5] = c12;
  t[6] = c20; t[7] = c21; t[8] = c22;
  t[9] = c30; t[10] = c31; t[11] = c32;
  for (let r = 0; r < mr; r++) {
    const row = cIdx + r * cRs;
    for (let c = 0; c < nr; c++) C[row + c] = add ? C[row + c] + t[r * NR + c] : t[r * NR + c];
  }
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}
