// Block sizes and operand staging shared by the WebAssembly GEMM paths (one thread, and rows split over threads).

/*
 * The WebAssembly kernel addresses only its own memory, so every operand is copied in first
 * ("staged") and C is copied out last. These helpers do the copies and fix the block sizes, so
 * that the one-thread path (gemm.ts) and the split path (gemm-split.ts) cut a product into the
 * same k-blocks: the k-blocks decide every sum's order, hence its bits (see gemm.ts).
 */

/** Rows of the register tile, and of a packed A sliver. */
export const MR = 4;
/** Largest k-block: a packed B sliver (KC*4 doubles) stays in L1 while the A block streams from L2. */
export const KC = 256;
/** Largest row block of A: MC*KC doubles = 192 KB, resident in L2 across all B slivers. */
export const MC = 96;
/** Column panel width of the WebAssembly paths: a multiple of their 4-wide tile. */
export const NCW = 512;

export function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/**
 * Balanced k-blocks: the fewest blocks of at most KC, of (nearly) equal depth, so K = 257 is
 * 129 + 128 rather than 256 + 1. Depends on K alone, so every row of C is summed the same way
 * whatever rows it is computed with.
 */
export function kBlock(K: number): number {
  return Math.ceil(K / Math.ceil(K / KC));
}

/** Balanced row blocks of at most MC rows, whole slivers (this only moves work, never a sum). */
export function rowBlock(rows: number): number {
  return roundUp(Math.ceil(rows / Math.ceil(rows / MC)), MR);
}

/** Balanced column panels of at most NCW columns, whole 4-wide slivers. */
export function columnBlock(N: number): number {
  return roundUp(Math.ceil(N / Math.ceil(N / NCW)), 4);
}

/**
 * Doubles an operand of rows x cols (strides rs, cs) takes once staged, and whether it is copied
 * as its span ("dense": one memcpy with the caller's strides kept, when the span is mostly its
 * own values) or gathered compactly, row-major.
 */
export function stagedLength(rows: number, cols: number, rs: number, cs: number): [number, boolean] {
  const span = (rows - 1) * rs + (cols - 1) * cs + 1;
  const dense = rs >= 0 && cs >= 0 && span <= 2 * rows * cols + 64;
  return dense ? [span, true] : [rows * cols, false];
}

/** Copies the operand X (rows x cols through strides rs, cs from off) into H from byte `at`, as `stagedLength` decided. */
export function stage(H: Float64Array, at: number, X: Float64Array, off: number, rows: number, cols: number, rs: number, cs: number, dense: boolean): void {
  if (dense) {
    const span = (rows - 1) * rs + (cols - 1) * cs + 1;
    H.set(span === X.length && off === 0 ? X : X.subarray(off, off + span), at >> 3);
    return;
  }
  let d = at >> 3;
  for (let i = 0; i < rows; i++) for (let k = 0, o = off + i * rs; k < cols; k++, o += cs) H[d++] = X[o];
}

/**
 * Copies M rows of N values between a padded C in H (from index h, row stride Np) and the
 * caller's C (from cOff, row stride cRs): into H when `inward`, else out of it. One memcpy when
 * both are dense; a row at a time when rows are long; element by element when they are short
 * (a subarray per row costs more than the copy).
 */
export function copyRows(H: Float64Array, h: number, Np: number, C: Float64Array, cOff: number, cRs: number, M: number, N: number, inward: boolean): void {
  if (Np === N && cRs === N) {
    if (inward) H.set(C.subarray(cOff, cOff + M * N), h);
    else C.set(H.subarray(h, h + M * N), cOff);
  } else if (N >= 32) {
    for (let i = 0; i < M; i++) {
      if (inward) H.set(C.subarray(cOff + i * cRs, cOff + i * cRs + N), h + i * Np);
      else C.set(H.subarray(h + i * Np, h + i * Np + N), cOff + i * cRs);
    }
  } else {
    for (let i = 0; i < M; i++) {
      const r = h + i * Np, c = cOff + i * cRs;
      if (inward) for (let j = 0; j < N; j++) H[r + j] = C[c + j];
      else for (let j = 0; j < N; j++) C[c + j] = H[r + j];
    }
  }
}
