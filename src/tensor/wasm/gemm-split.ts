// A product split by rows of C over threads that run one WebAssembly memory: its layout, the staging on the calling thread, the rows each thread computes.

import { KC, MC, MR, columnBlock, copyRows, kBlock, roundUp, rowBlock, stage, stagedLength } from './gemm-blocks.js';
import type { GemmExports, GemmInstance } from './gemm-module.js';

/*
 * Threads that share the GEMM module's memory (a shared WebAssembly.Memory, each thread with its
 * own instance of the module on it) split a product without copying anything between them:
 *
 *   the calling thread stages B (gemm-blocks.ts), copies C in when accumulating, and packs ALL
 *     of B, every (column panel, k-block) block, where every thread reads it; then it starts the
 *     workers and stages A, band by band of rows, saying after each band that its rows are
 *     there (a worker waits for the band of its chunk), so the copying overlaps the work;
 *   every thread, the caller included, then takes chunks of rows of C (multiples of 4, the tile
 *     height) and, for its chunk, runs the loop nest of the one-thread path restricted to those
 *     rows: for each column panel, for each k-block, for each row block: pack those rows of A
 *     into the thread's own A region, then the 4x4 tiles into the shared, padded C;
 *   the caller copies its own chunks of C out as it finishes them, the workers' once they are done.
 *
 * Bits: an element of C is ((c + s_0) + s_1) + ... over the k-blocks of K (kBlock), each s summed
 * from +0 in k order by the tile, exactly as on one thread; which thread computes a row, and how
 * the rows are blocked, moves work but changes no sum. So a split product is bit-identical to
 * `gemm` on one thread (the blocked path, and the thin loops that make the same additions).
 *
 * Against the older split (every thread running the whole `gemm` on its chunk of rows) this packs
 * B once instead of once per chunk and copies operands once, into memory the workers already see.
 *
 * Memory layout (bytes from 0): one A region per thread (MC*KC doubles each), all of B packed
 * (K * Np doubles), C padded to Mp x Np (whole 4x4 tiles), then the staged A and B.
 */

/** Bytes of one thread's A region: one packed MC x KC block. */
export const A_REGION_BYTES = MC * KC * 8;

/** What a thread needs to compute rows of a staged product: extents, and byte addresses and strides in the shared memory. */
export interface SplitJob {
  M: number;
  N: number;
  K: number;
  /** The staged A and its row and column strides, in bytes. */
  aAt: number;
  aR: number;
  aC: number;
  /** All of B packed: the block of column panel jc and k-block pc at bpAt + 8 * (K * jc + pc * roundUp(nc, 4)). */
  bpAt: number;
  /** The padded C (Mp x Np) and its row stride in bytes. */
  cAt: number;
  cRow: number;
  accumulate: boolean;
}

/** Where the caller's A lies, for staging it by rows (`stageRows`) after the workers have started. */
export interface SplitSource {
  A: Float64Array;
  aOff: number;
  aRs: number;
  aCs: number;
  /** A is copied as its span (strides kept) rather than gathered row-major. */
  dense: boolean;
  /** Rows of A can be staged a band at a time (each row's values lie in its own span: A's rows are not interleaved). */
  byRows: boolean;
}

/**
 * Stages a product for `threads` threads in the shared instance's memory: B copied in and
 * packed, C copied in when accumulating, and A too unless it can be staged a band of rows at a
 * time (then `source.byRows`: the caller stages each band with `stageRows` once the workers run,
 * so they start on the first band while it copies the rest). Returns null when the memory would
 * pass the instance's limit (the caller then computes on one thread).
 */
export function stageSplit(
  w: GemmInstance, threads: number,
  M: number, N: number, K: number,
  A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number,
  C: Float64Array, cOff: number, cRs: number, accumulate: boolean,
): { job: SplitJob; source: SplitSource } | null {
  const Mp = roundUp(M, MR), Np = roundUp(N, 4);
  const [aLen, aDense] = stagedLength(M, K, aRs, aCs);
  const [bLen, bDense] = stagedLength(K, N, bRs, bCs);
  const bpAt = threads * A_REGION_BYTES;
  const cAt = bpAt + K * Np * 8;
  const aAt = cAt + Mp * Np * 8;
  const bAt = aAt + aLen * 8;
  if (!w.reserve(bAt + bLen * 8)) return null;
  const H = w.view();
  stage(H, bAt, B, bOff, K, N, bRs, bCs, bDense);
  const cRow = Np * 8;
  if (accumulate) copyRows(H, cAt >> 3, Np, C, cOff, cRs, M, N, true);
  const bR = 8 * (bDense ? bRs : N), bC = 8 * (bDense ? bCs : 1);
  const kcStep = kBlock(K), ncStep = columnBlock(N);
  for (let jc = 0; jc < N; jc += ncStep) {
    const nc = Math.min(ncStep, N - jc);
    for (let pc = 0; pc < K; pc += kcStep) {
      w.fns.pack4(bpAt + 8 * (K * jc + pc * roundUp(nc, 4)), bAt + pc * bR + jc * bC, nc, Math.min(kcStep, K - pc), bC, bR);
    }
  }
  // a band of rows of a dense A is its own span when each row's values come before the next row's
  const byRows = !aDense || (aCs >= 0 && aRs >= (K - 1) * aCs + 1);
  const source: SplitSource = { A, aOff, aRs, aCs, dense: aDense, byRows };
  const job: SplitJob = {
    M, N, K,
    aAt, aR: 8 * (aDense ? aRs : K), aC: 8 * (aDense ? aCs : 1),
    bpAt, cAt, cRow, accumulate,
  };
  if (!byRows) stage(H, aAt, A, aOff, M, K, aRs, aCs, aDense);
  return { job, source };
}

/** Stages rows r0 <= i < r1 of A (when `source.byRows`), where the job reads them. */
export function stageRows(w: GemmInstance, job: SplitJob, s: SplitSource, r0: number, r1: number): void {
  if (r1 <= r0) return;
  const at = job.aAt + r0 * job.aR;
  stage(w.view(), at, s.A, s.aOff + r0 * s.aRs, r1 - r0, job.K, s.aRs, s.aCs, s.dense);
}

/**
 * Rows r0 <= i < r1 of a staged product (r0 a multiple of 4; r1 too, or M), computed by the
 * thread numbered `thread` (0 the caller), which packs A into its own region.
 */
export function computeRows(fns: GemmExports, job: SplitJob, r0: number, r1: number, thread: number): void {
  const { N, K, aAt, aR, aC, bpAt, cAt, cRow } = job;
  const ap = thread * A_REGION_BYTES;
  const kcStep = kBlock(K), ncStep = columnBlock(N), mcStep = rowBlock(r1 - r0);
  for (let jc = 0; jc < N; jc += ncStep) {
    const ncp = roundUp(Math.min(ncStep, N - jc), 4);
    for (let pc = 0; pc < K; pc += kcStep) {
      const kc = Math.min(kcStep, K - pc);
      const add = job.accumulate || pc > 0 ? 1 : 0;
      const bp = bpAt + 8 * (K * jc + pc * ncp);
      for (let ic = r0; ic < r1; ic += mcStep) {
        const mc = Math.min(mcStep, r1 - ic);
        fns.pack4(ap, aAt + ic * aR + pc * aC, mc, kc, aR, aC);
        fns.tiles(kc, roundUp(mc, 4), ncp, ap, bp, cAt + ic * cRow + jc * 8, cRow, add);
      }
    }
  }
}

/** Copies rows r0..r1 of the caller's C back into the staged C (to compute them again after a thread failed part way, when accumulating). */
export function restoreRows(w: GemmInstance, job: SplitJob, C: Float64Array, cOff: number, cRs: number, r0: number, r1: number): void {
  copyRows(w.view(), (job.cAt + r0 * job.cRow) >> 3, job.cRow / 8, C, cOff + r0 * cRs, cRs, r1 - r0, job.N, true);
}

/** Copies rows r0 <= i < r1 of the product (all of it by default) out of the shared memory into the caller's C. */
export function finishSplit(w: GemmInstance, job: SplitJob, C: Float64Array, cOff: number, cRs: number, r0 = 0, r1 = job.M): void {
  copyRows(w.view(), (job.cAt + r0 * job.cRow) >> 3, job.cRow / 8, C, cOff + r0 * cRs, cRs, r1 - r0, job.N, false);
}
