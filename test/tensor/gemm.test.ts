// Checks the packed matrix-product kernel against the naive triple loop on every layout it must accept.
import { describe, it, expect } from 'vitest';
import { gemm, gemmNaive } from '../../src/tensor/gemm.js';

/** mulberry32: a tiny seeded generator, so every run draws the same inputs. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How a logical rows x cols operand is laid out in its buffer:
 * 'row' row-major, 'col' column-major (the transpose of a row-major matrix), 'bcastRows' every
 * row the same (row stride 0), 'bcastCols' every column the same (column stride 0), 'scalar'
 * one value everywhere (both strides 0).
 */
type Layout = 'row' | 'col' | 'bcastRows' | 'bcastCols' | 'scalar';

interface Operand {
  data: Float64Array;
  off: number;
  rs: number;
  cs: number;
}

/**
 * Builds an operand with the given layout, a leading offset and a padded leading dimension,
 * filled with values in [-1, 1) (or small integers when `ints` is set, so sums are exact).
 */
function makeOperand(rnd: () => number, rows: number, cols: number, layout: Layout, off: number, ints = false): Operand {
  const pad = 3; // leading-dimension padding: strides are not the logical extents
  const value = () => (ints ? Math.floor(rnd() * 17) - 8 : rnd() * 2 - 1);
  let rs: number, cs: number, size: number;
  switch (layout) {
    case 'row': rs = cols + pad; cs = 1; size = rows * rs; break;
    case 'col': rs = 1; cs = rows + pad; size = cols * cs; break;
    case 'bcastRows': rs = 0; cs = 1; size = cols; break;
    case 'bcastCols': rs = 1; cs = 0; size = rows; break;
    case 'scalar': rs = 0; cs = 0; size = 1; break;
  }
  const data = new Float64Array(off + size + 2);
  for (let i = 0; i < data.length; i++) data[i] = value();
  return { data, off, rs, cs };
}

function maxAbs(op: Operand, rows: number, cols: number): number {
  let m = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m = Math.max(m, Math.abs(op.data[op.off + i * op.rs + j * op.cs]));
  return m;
}

interface Case {
  M: number; N: number; K: number;
  la: Layout; lb: Layout;
  accumulate: boolean;
  ints?: boolean;
}

/**
 * Runs gemm and gemmNaive on the same inputs and the same starting C (offset, padded rows,
 * sentinels around the M x N window) and returns the max abs difference, the tolerance, and
 * whether anything outside the window changed.
 */
function compare(c: Case, seed: number): { diff: number; tol: number; outsideTouched: boolean } {
  const rnd = mulberry32(seed);
  const { M, N, K } = c;
  const A = makeOperand(rnd, M, K, c.la, 5, c.ints);
  const B = makeOperand(rnd, K, N, c.lb, 2, c.ints);
  const cOff = 7, cRs = N + 2;
  const C0 = new Float64Array(cOff + M * cRs + 3);
  for (let i = 0; i < C0.length; i++) C0[i] = c.ints ? Math.floor(rnd() * 9) - 4 : rnd() * 2 - 1;
  const C1 = C0.slice(), C2 = C0.slice();
  gemm(M, N, K, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, C1, cOff, cRs, c.accumulate);
  gemmNaive(M, N, K, A.data, A.off, A.rs, A.cs, B.data, B.off, B.rs, B.cs, C2, cOff, cRs, c.accumulate);
  let diff = 0, outsideTouched = false, maxC = 0;
  for (let t = 0; t < C0.length; t++) {
    const r = Math.floor((t - cOff) / cRs), col = (t - cOff) - r * cRs;
    const inside = t >= cOff && r < M && col < N;
    if (inside) {
      diff = Math.max(diff, Math.abs(C1[t] - C2[t]));
      maxC = Math.max(maxC, Math.abs(C0[t]));
    } else if (C1[t] !== C0[t]) {
      outsideTouched = true;
    }
  }
  const scale = maxAbs(A, M, K) * maxAbs(B, K, N);
  const tol = 1e-12 * Math.max(K, 1) * scale + (c.accumulate ? 1e-15 * maxC : 0);
  return { diff, tol, outsideTouched };
}

function expectClose(c: Case, seed: number): void {
  const { diff, tol, outsideTouched } = compare(c, seed);
  const name = `M=${c.M} N=${c.N} K=${c.K} A:${c.la} B:${c.lb} acc=${c.accumulate}`;
  expect(outsideTouched, `${name}: wrote outside the M x N window`).toBe(false);
  expect(diff, `${name}: max abs diff ${diff} > ${tol}`).toBeLessThanOrEqual(c.ints ? 0 : tol);
}

const SIZES = [1, 2, 3, 5, 7, 13, 31, 33, 65, 257];

describe('gemm', () => {
  it('computes a hand-worked 2x3 * 3x2 product exactly', () => {
    // [1 2 3]   [ 7  8]   [1*7+2*9+3*11  1*8+2*10+3*12]   [ 58  64]
    // [4 5 6] * [ 9 10] = [4*7+5*9+6*11  4*8+5*10+6*12] = [139 154]
    //           [11 12]
    const A = Float64Array.of(1, 2, 3, 4, 5, 6);
    const B = Float64Array.of(7, 8, 9, 10, 11, 12);
    for (const f of [gemm, gemmNaive]) {
      const C = Float64Array.of(NaN, NaN, NaN, NaN);
      f(2, 2, 3, A, 0, 3, 1, B, 0, 2, 1, C, 0, 2, false);
      expect(Array.from(C)).toEqual([58, 64, 139, 154]);
      // Accumulating adds the product once more.
      f(2, 2, 3, A, 0, 3, 1, B, 0, 2, 1, C, 0, 2, true);
      expect(Array.from(C)).toEqual([116, 128, 278, 308]);
      // A^T A for the same A: strides swapped, (A^T A)[i][j] = sum_k A[k][i] A[k][j].
      const G = new Float64Array(9);
      f(3, 3, 2, A, 0, 1, 3, A, 0, 3, 1, G, 0, 3, false);
      expect(Array.from(G)).toEqual([17, 22, 27, 22, 29, 36, 27, 36, 45]);
    }
  });

  it('matches the naive loop on odd sizes that do not fill a tile, every layout, both modes', () => {
    const layouts: Layout[] = ['row', 'col'];
    let seed = 1;
    for (const M of [1, 2, 3, 5, 7, 13]) {
      for (const N of [1, 2, 3, 4, 5, 7]) {
        for (const K of [1, 2, 3, 7, 13]) {
          for (const la of layouts) for (const lb of layouts) {
            for (const accumulate of [false, true]) expectClose({ M, N, K, la, lb, accumulate }, seed++);
          }
        }
      }
    }
  });

  it('matches the naive loop on larger mixed shapes across block boundaries (A B, A^T B, A B^T, A^T B^T)', () => {
    const rnd = mulberry32(12345);
    const pick = () => SIZES[Math.floor(rnd() * SIZES.length)];
    const shapes: [number, number, number][] = [
      [33, 65, 257], [257, 31, 13], [65, 257, 33], [97, 100, 513], [100, 10, 784], [13, 515, 7],
      [257, 257, 2], [2, 257, 257], [31, 33, 1],
    ];
    while (shapes.length < 40) {
      const s: [number, number, number] = [pick(), pick(), pick()];
      if (s[0] * s[1] * s[2] <= 3e6) shapes.push(s);
    }
    let seed = 1000;
    for (const [M, N, K] of shapes) {
      for (const [la, lb] of [['row', 'row'], ['col', 'row'], ['row', 'col'], ['col', 'col']] as [Layout, Layout][]) {
        expectClose({ M, N, K, la, lb, accumulate: seed % 2 === 0 }, seed++);
      }
    }
  });

  it('accepts stride-0 (broadcast) operands', () => {
    const all: Layout[] = ['row', 'col', 'bcastRows', 'bcastCols', 'scalar'];
    let seed = 5000;
    for (const [M, N, K] of [[5, 7, 3], [13, 33, 65], [65, 31, 257], [4, 3, 300], [1, 9, 17], [9, 1, 17]] as const) {
      for (const la of all) for (const lb of all) {
        for (const accumulate of [false, true]) expectClose({ M, N, K, la, lb, accumulate }, seed++);
      }
    }
  });

  it('is exact on integer inputs whatever the blocking (every partial sum is representable)', () => {
    let seed = 7000;
    for (const [M, N, K] of [[9, 7, 300], [97, 101, 513], [257, 5, 33], [4, 520, 260]] as const) {
      for (const accumulate of [false, true]) {
        expectClose({ M, N, K, la: 'row', lb: 'row', accumulate, ints: true }, seed++);
        expectClose({ M, N, K, la: 'col', lb: 'col', accumulate, ints: true }, seed++);
      }
    }
  });

  it('treats K = 0 as an empty sum: zeros, or C unchanged when accumulating', () => {
    const A = new Float64Array(0), B = new Float64Array(0);
    const C = Float64Array.of(1, 2, 3, 4, 5, 6, 99);
    gemm(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, C, 0, 3, true);
    expect(Array.from(C)).toEqual([1, 2, 3, 4, 5, 6, 99]);
    gemm(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, C, 0, 3, false);
    expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0, 99]);
    const D = Float64Array.of(1, 2, 3, 4, 5, 6, 99);
    gemmNaive(2, 3, 0, A, 0, 0, 1, B, 0, 3, 1, D, 0, 3, false);
    expect(Array.from(D)).toEqual([0, 0, 0, 0, 0, 0, 99]);
  });

  it('does nothing when M or N is 0', () => {
    const A = Float64Array.of(1, 2, 3), B = Float64Array.of(4, 5, 6);
    const C = Float64Array.of(7, 8, 9);
    gemm(0, 3, 1, A, 0, 1, 1, B, 0, 3, 1, C, 0, 3, false);
    gemm(3, 0, 1, A, 0, 1, 1, B, 0, 3, 1, C, 0, 3, false);
    gemm(0, 0, 0, A, 0, 1, 1, B, 0, 3, 1, C, 0, 3, false);
    expect(Array.from(C)).toEqual([7, 8, 9]);
  });

  it('overwrites C when not accumulating, even where C held NaN', () => {
    for (const [M, N, K] of [[3, 3, 3], [1, 40, 40], [40, 1, 40], [37, 41, 300]] as const) {
      const rnd = mulberry32(M * 1000 + N);
      const A = Float64Array.from({ length: M * K }, () => rnd() - 0.5);
      const B = Float64Array.from({ length: K * N }, () => rnd() - 0.5);
      const C = new Float64Array(M * N).fill(NaN);
      gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0, N, false);
      expect(C.every((v) => Number.isFinite(v))).toBe(true);
    }
  });

  it('keeps NaN and Infinity in the outputs they belong to, and out of the zero-padded edge tiles', () => {
    // M = 5 and N = 4 leave partial 4x3 tiles; an infinite row of B times the zero padding of A
    // must not leak NaN into real outputs.
    const M = 5, N = 4, K = 300;
    const rnd = mulberry32(99);
    const A = Float64Array.from({ length: M * K }, () => rnd() + 0.5); // positive, finite
    const B = Float64Array.from({ length: K * N }, () => rnd() - 0.5);
    for (let j = 0; j < N; j++) B[7 * N + j] = Infinity;
    B[11 * N + 2] = NaN;
    const C1 = new Float64Array(M * N), C2 = new Float64Array(M * N);
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C1, 0, N, false);
    gemmNaive(M, N, K, A, 0, K, 1, B, 0, N, 1, C2, 0, N, false);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        if (j === 2) expect(C1[i * N + j]).toBeNaN();
        else expect(C1[i * N + j]).toBe(Infinity);
      }
    }
    expect(Array.from(C1)).toEqual(Array.from(C2));
  });

  it('is deterministic: the same inputs give the same bits, call after call', () => {
    const rnd = mulberry32(4242);
    const M = 70, N = 50, K = 600;
    const A = Float64Array.from({ length: M * K }, () => rnd() * 2 - 1);
    const B = Float64Array.from({ length: K * N }, () => rnd() * 2 - 1);
    const first = new Float64Array(M * N);
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, first, 0, N, false);
    // A call of another shape in between reuses (and overwrites) the packing scratch.
    const X = Float64Array.from({ length: 300 * 300 }, () => rnd());
    const other = new Float64Array(300 * 300);
    gemm(300, 300, 300, X, 0, 300, 1, X, 0, 1, 300, other, 0, 300, false);
    const again = new Float64Array(M * N).fill(123);
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, again, 0, N, false);
    expect(again).toEqual(first);
  });

  it('gives a row of C the same bits whatever batch it is computed in (blocked path)', () => {
    // The k-block boundaries depend on K alone, so row i of A B does not depend on M.
    const rnd = mulberry32(31337);
    const N = 11, K = 300;
    const A = Float64Array.from({ length: 37 * K }, () => rnd() * 2 - 1);
    const B = Float64Array.from({ length: K * N }, () => rnd() * 2 - 1);
    const big = new Float64Array(37 * N), small = new Float64Array(5 * N);
    gemm(37, N, K, A, 0, K, 1, B, 0, N, 1, big, 0, N, false);
    gemm(5, N, K, A, 0, K, 1, B, 0, N, 1, small, 0, N, false);
    expect(small).toEqual(big.subarray(0, 5 * N));
    // Rows 33..36 fall in a partial 4-row tile of the 37-row call: same bits again.
    const tail = new Float64Array(4 * N);
    gemm(4, N, K, A, 33 * K, K, 1, B, 0, N, 1, tail, 0, N, false);
    expect(tail).toEqual(big.subarray(33 * N));
  });
});
