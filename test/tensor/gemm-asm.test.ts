// The asm.js code of the built package (dist/, compiled by tsc, which keeps 'use asm'):
// validated by V8, and the same bits as the JavaScript micro-kernels (useGemmKernel switches).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import * as src from '../../src/tensor/gemm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST_GEMM = path.join(ROOT, 'dist', 'tensor', 'gemm.js');

type Gemm = typeof src.gemm;
let dist: { gemm: Gemm; gemmKernel: () => string; useGemmKernel: (k: 'asm.js' | 'javascript') => void };

beforeAll(async () => {
  if (!fs.existsSync(DIST_GEMM)) throw new Error('dist/tensor/gemm.js is missing: run `npm run build` first (`npm test` does)');
  dist = (await import(pathToFileURL(DIST_GEMM).href)) as typeof dist;
});

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

describe('gemm: asm.js kernels in the built package', () => {
  it('the build runs the asm.js kernels by default; useGemmKernel switches, and checks its argument', () => {
    expect(dist.gemmKernel()).toBe('asm.js');
    dist.useGemmKernel('javascript');
    expect(dist.gemmKernel()).toBe('javascript');
    dist.useGemmKernel('asm.js');
    expect(dist.gemmKernel()).toBe('asm.js');
    expect(() => dist.useGemmKernel('wasm' as 'asm.js')).toThrow(`useGemmKernel: kind must be 'asm.js' or 'javascript', got "wasm"`);
  });

  it('V8 validates the asm.js modules (gemm tiles, arena loops): no "Invalid asm.js" warning when the built modules link', () => {
    const arena = pathToFileURL(path.join(ROOT, 'dist', 'tensor', 'arena.js')).href;
    const script =
      `const g = await import(${JSON.stringify(pathToFileURL(DIST_GEMM).href)}); const a = await import(${JSON.stringify(arena)});` +
      `console.log(g.gemmKernel(), new a.Arena(1).kernels === null ? 'none' : 'arena-asm');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('asm.js arena-asm');
    expect(r.stderr).not.toMatch(/asm\.js/i);
  });

  it('the same bits as the JavaScript kernels and close to the naive loop, over shapes, layouts and modes', () => {
    const shapes: [number, number, number][] = [
      [4, 4, 8], [5, 7, 9], [17, 16, 16], [256, 16, 16], [100, 20, 20], [16, 16, 256], [33, 10, 128],
      [97, 13, 300], [130, 258, 257], [7, 3, 8], [9, 5, 40], [64, 64, 64], [3, 9, 200], [96, 4, 513], [20, 6, 5],
    ];
    let checked = 0;
    for (const [M, N, K] of shapes) {
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        for (const accumulate of [false, true]) {
          const A = values(M * K, M * 31 + K);
          const B = values(K * N, N * 17 + K);
          const C0 = values(M * N, M + N);
          const [aRs, aCs] = tA ? [1, M] : [K, 1];
          const [bRs, bCs] = tB ? [1, K] : [N, 1];
          const a = C0.slice();
          const b = C0.slice();
          const ref = C0.slice();
          dist.gemm(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, a, 0, N, accumulate);
          dist.useGemmKernel('javascript');
          try {
            dist.gemm(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, b, 0, N, accumulate);
          } finally {
            dist.useGemmKernel('asm.js');
          }
          src.gemmNaive(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, ref, 0, N, accumulate);
          for (let i = 0; i < M * N; i++) {
            if (!Object.is(a[i], b[i])) throw new Error(`${M}x${N}x${K} tA=${tA} tB=${tB} acc=${accumulate}: element ${i} is ${a[i]} (asm.js) vs ${b[i]} (javascript)`);
            // the reference sums in k order too; blocks of 256 regroup the sum, within rounding
            expect(Math.abs(a[i] - ref[i])).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(ref[i])));
          }
          checked++;
        }
      }
    }
    expect(checked).toBe(shapes.length * 8);
  });

  it('NaN and infinities reach exactly the outputs they feed (padding never spreads them)', () => {
    const M = 6, N = 5, K = 9;
    const A = values(M * K, 3);
    const B = values(K * N, 4);
    A[2 * K + 4] = NaN; // row 2 of C
    B[3 * N + 1] = Infinity; // column 1 of C (Infinity times a zero of A is NaN: non-finite either way)
    const C = new Float64Array(M * N);
    dist.gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0, N, false);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const v = C[i * N + j];
        if (i === 2 || j === 1) expect(Number.isFinite(v), `C[${i}][${j}] = ${v}`).toBe(false);
        else expect(Number.isFinite(v), `C[${i}][${j}] = ${v}`).toBe(true);
      }
    }
  });
});
