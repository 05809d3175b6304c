// The WebAssembly SIMD GEMM: the same bits as the JavaScript micro-kernels over shapes, strides,
// edge tiles and modes; proof that it ran (kernel counts); the built package picks it by default.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { gemm, gemmKernel, gemmKernelCounts, gemmNaive, setGemmMemoryLimit, useGemmKernel } from '../../src/tensor/gemm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Deterministic values in [-1, 1) with a few exact zeros, negative zeros and large magnitudes. */
function values(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = i % 97 === 5 ? 0 : i % 89 === 7 ? -0 : i % 83 === 3 ? (u - 0.5) * 1e12 : 2 * u - 1;
  }
  return out;
}

/** Runs one product with the given kernel and returns C; checks the kernel's count rose when blocked. */
function run(kind: 'wasm-simd' | 'javascript', M: number, N: number, K: number, A: Float64Array, aOff: number, aRs: number, aCs: number,
  B: Float64Array, bOff: number, bRs: number, bCs: number, C0: Float64Array, cOff: number, cRs: number, accumulate: boolean): Float64Array {
  useGemmKernel(kind);
  const C = C0.slice();
  gemm(M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, cRs, accumulate);
  return C;
}

afterEach(() => useGemmKernel('wasm-simd'));

describe('gemm: WebAssembly SIMD kernel', () => {
  it('is the default here, and useGemmKernel switches and checks its argument', () => {
    expect(gemmKernel()).toBe('wasm-simd');
    useGemmKernel('javascript');
    expect(gemmKernel()).toBe('javascript');
    useGemmKernel('wasm-simd');
    expect(gemmKernel()).toBe('wasm-simd');
    expect(() => useGemmKernel('asm.js' as 'javascript')).toThrow(`useGemmKernel: kind must be 'wasm-simd' or 'javascript', got "asm.js"`);
  });

  it('the same bits as the JavaScript kernels, over shapes, layouts, offsets, row strides and modes; each kernel really ran', () => {
    const shapes: [number, number, number][] = [
      [4, 4, 8], [5, 7, 9], [17, 16, 16], [256, 16, 16], [100, 20, 20], [16, 16, 256], [33, 10, 128], [97, 13, 300],
      [130, 258, 257], [7, 3, 8], [9, 5, 40], [64, 64, 64], [4, 9, 200], [96, 4, 513], [20, 6, 5], [101, 517, 3], [5, 1030, 7],
    ];
    let checked = 0;
    for (const [M, N, K] of shapes) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const accumulate of [false, true]) {
          // operands at an offset inside bigger buffers; C with a row stride wider than N
          const A = values(M * K + 5, M * 31 + K), B = values(K * N + 3, N * 17 + K);
          const cRs = N + (checked % 3);
          const C0 = values(M * cRs + 2, M + N);
          const [aRs, aCs] = tA ? [1, M] : [K, 1];
          const [bRs, bCs] = tB ? [1, K] : [N, 1];
          const before = gemmKernelCounts();
          const w = run('wasm-simd', M, N, K, A, 5, aRs, aCs, B, 3, bRs, bCs, C0, 2, cRs, accumulate);
          const mid = gemmKernelCounts();
          const j = run('javascript', M, N, K, A, 5, aRs, aCs, B, 3, bRs, bCs, C0, 2, cRs, accumulate);
          const after = gemmKernelCounts();
          expect(mid.wasm - before.wasm + (after.javascript - mid.javascript), `${M}x${N}x${K}: each kernel ran once`).toBe(2);
          const ref = C0.slice();
          gemmNaive(M, N, K, A, 5, aRs, aCs, B, 3, bRs, bCs, ref, 2, cRs, accumulate);
          for (let i = 0; i < C0.length; i++) {
            if (!Object.is(w[i], j[i])) throw new Error(`${M}x${N}x${K} tA=${tA} tB=${tB} acc=${accumulate}: element ${i} is ${w[i]} (wasm) vs ${j[i]} (javascript)`);
            // the reference sums in k order too; blocks of 256 regroup the sum, within rounding
            if (!(Math.abs(w[i] - ref[i]) <= 1e-3 * Math.max(1, Math.abs(ref[i])))) throw new Error(`${M}x${N}x${K}: element ${i} is ${w[i]}, naive ${ref[i]}`);
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(shapes.length * 8);
  });

  it('stride-0 broadcasts and gappy views (gathered compactly) give the JavaScript bits', () => {
    const M = 37, N = 11, K = 70;
    const row = values(K, 1);
    const B = values(K * N, 2);
    const C0 = new Float64Array(M * N);
    // A: every row the same (row stride 0); B: a column every 50 values of a big buffer (mostly gaps)
    const wide = values(K * 50 * N, 3);
    for (const [Bx, bRs, bCs] of [[B, N, 1], [wide, 50 * N, 50]] as const) {
      const w = run('wasm-simd', M, N, K, row, 0, 0, 1, Bx, 0, bRs, bCs, C0, 0, N, false);
      const j = run('javascript', M, N, K, row, 0, 0, 1, Bx, 0, bRs, bCs, C0, 0, N, false);
      for (let i = 0; i < w.length; i++) expect(Object.is(w[i], j[i]), `element ${i}`).toBe(true);
    }
  });

  it('NaN and infinities reach exactly the outputs they feed (padding never spreads them); -0 and subnormals keep their bits', () => {
    const M = 6, N = 5, K = 9;
    const A = values(M * K, 3);
    const B = values(K * N, 4);
    A[2 * K + 4] = NaN; // row 2 of C
    B[3 * N + 1] = Infinity; // column 1 of C
    A[4 * K] = 5e-324;
    const C = run('wasm-simd', M, N, K, A, 0, K, 1, B, 0, N, 1, new Float64Array(M * N), 0, N, false);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const v = C[i * N + j];
        expect(Number.isFinite(v), `C[${i}][${j}] = ${v}`).toBe(!(i === 2 || j === 1));
      }
    }
    const Z = run('wasm-simd', 4, 4, 4, new Float64Array(16).fill(-0), 0, 4, 1, new Float64Array(16).fill(1), 0, 4, 1, new Float64Array(16), 0, 4, false);
    // -0 * 1 summed from +0 is +0 in both kernels
    const Zj = run('javascript', 4, 4, 4, new Float64Array(16).fill(-0), 0, 4, 1, new Float64Array(16).fill(1), 0, 4, 1, new Float64Array(16), 0, 4, false);
    for (let i = 0; i < 16; i++) expect(Object.is(Z[i], Zj[i])).toBe(true);
  });

  it('a product too big for the memory cap runs the JavaScript kernel instead, with the same bits; the cap checks its argument', () => {
    const M = 256, N = 256, K = 256; // ~1.2 MiB of packing buffers and 1.5 MiB of operands
    const A = values(M * K, 5), B = values(K * N, 6);
    const prev = setGemmMemoryLimit(2 * 1024 * 1024);
    try {
      const before = gemmKernelCounts();
      const w = run('wasm-simd', M, N, K, A, 0, K, 1, B, 0, N, 1, new Float64Array(M * N), 0, N, false);
      const after = gemmKernelCounts();
      expect(after.wasm).toBe(before.wasm);
      expect(after.javascript).toBe(before.javascript + 1);
      setGemmMemoryLimit(prev);
      const w2 = run('wasm-simd', M, N, K, A, 0, K, 1, B, 0, N, 1, new Float64Array(M * N), 0, N, false);
      expect(gemmKernelCounts().wasm).toBe(after.wasm + 1);
      for (let i = 0; i < w.length; i++) if (!Object.is(w[i], w2[i])) throw new Error(`element ${i}: ${w[i]} vs ${w2[i]}`);
    } finally {
      setGemmMemoryLimit(prev);
    }
    expect(() => setGemmMemoryLimit(-1)).toThrow('setGemmMemoryLimit: bytes must be an integer in [0, 1073741824], got -1');
  });

  it('the built package (dist/) compiles the module and runs it, with nothing done at import', () => {
    const dist = path.join(ROOT, 'dist', 'tensor', 'gemm.js');
    if (!fs.existsSync(dist)) throw new Error('dist/tensor/gemm.js is missing: run `npm run build` first (`npm test` does)');
    const script = `import(${JSON.stringify(dist)}).then((g) => { const c0 = g.gemmKernelCounts(); const A = new Float64Array(64).fill(1), C = new Float64Array(64);
      g.gemm(8, 8, 8, A, 0, 8, 1, A, 0, 8, 1, C, 0, 8, false); console.log(JSON.stringify([c0, g.gemmKernel(), g.gemmKernelCounts(), C[0]])); });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ wasm: 0, javascript: 0 }, 'wasm-simd', { wasm: 1, javascript: 0 }, 8]);
  });
});
