// The browser suite's page (bundled by bench/browser.bench.ts with esbuild): float64 products with each kernel, samples interleaved.

import { gemmKernel, gemmKernelCounts, useGemmKernel } from '../../dist/tensor/gemm.js';
import { matmulInto } from '../../dist/tensor/linalg.js';
import { Tensor } from '../../dist/tensor/tensor.js';

/** One size and kernel: median ms per product over the samples, and the products each kernel counted. */
export interface BrowserGemmRow {
  n: number;
  kernel: 'wasm-simd' | 'javascript';
  ms: number;
  gflops: number;
  samples: number;
  /** Products run while sampling, and how many of them each kernel counted (gemmKernelCounts). */
  runs: { timed: number; wasm: number; javascript: number };
}

export interface BrowserPageResult {
  defaultKernel: string;
  rows: BrowserGemmRow[];
}

const params = new URLSearchParams((globalThis as unknown as { location: { search: string } }).location.search);
const sizes = (params.get('sizes') ?? '128,256,512').split(',').map(Number);
const rounds = Number(params.get('rounds') ?? 15);

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function run(): BrowserPageResult {
  const defaultKernel = gemmKernel();
  const kernels = defaultKernel === 'wasm-simd' ? (['wasm-simd', 'javascript'] as const) : (['javascript'] as const);
  const rows: BrowserGemmRow[] = [];
  for (const n of sizes) {
    const a = Tensor.fromArray(Float64Array.from({ length: n * n }, (_, i) => Math.sin(i)), [n, n]);
    const b = Tensor.fromArray(Float64Array.from({ length: n * n }, (_, i) => Math.cos(i)), [n, n]);
    const c = new Tensor(new Float64Array(n * n), [n, n]);
    // products per sample: ~20 ms of work at ~10 GFLOP/s
    const reps = Math.max(1, Math.round(2e8 / (2 * n ** 3)));
    const samples = new Map<string, number[]>(kernels.map((k) => [k, []]));
    const runs = new Map(kernels.map((k) => [k, { timed: 0, wasm: 0, javascript: 0 }]));
    for (let r = 0; r < rounds + 3; r++) {
      for (const k of kernels) {
        useGemmKernel(k);
        const before = gemmKernelCounts();
        const t0 = performance.now();
        for (let i = 0; i < reps; i++) matmulInto(c, a, b);
        const ms = (performance.now() - t0) / reps;
        const after = gemmKernelCounts();
        if (r < 3) continue; // warm-up rounds
        samples.get(k)!.push(ms);
        const n0 = runs.get(k)!;
        n0.timed += reps;
        n0.wasm += after.wasm - before.wasm;
        n0.javascript += after.javascript - before.javascript;
      }
    }
    for (const k of kernels) {
      const ms = median(samples.get(k)!);
      rows.push({ n, kernel: k, ms, gflops: (2 * n ** 3) / ms / 1e6, samples: rounds, runs: runs.get(k)! });
    }
  }
  useGemmKernel(defaultKernel);
  return { defaultKernel, rows };
}

const g = globalThis as unknown as { benchResult?: BrowserPageResult; benchError?: string };
// let the page finish loading before the work starts
setTimeout(() => {
  try {
    g.benchResult = run();
  } catch (e) {
    g.benchError = String(e);
  }
}, 50);
