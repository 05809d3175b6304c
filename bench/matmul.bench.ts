// Matrix-product benchmark: the packed gemm kernel against the naive triple loop, side by side, for A B, A^T B and A B^T.
//
// Run: node --import tsx bench/matmul.bench.ts   (prints the table, writes bench/results/matmul.json)
// Or import { runMatmulBench } from an aggregate runner and format the rows yourself.
import { Bench } from 'tinybench';
import { cpus, platform, arch } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gemm, gemmNaive } from '../src/tensor/gemm.js';

/** Which product a row measures; the transposed operand is read through swapped strides, never copied. */
export type MatmulForm = 'AB' | 'AtB' | 'ABt';

export interface MatmulRow {
  n: number;
  form: MatmulForm;
  /** Median milliseconds per product, naive i-j-k loop. */
  naiveMs: number;
  /** Median milliseconds per product, packed gemm. */
  gemmMs: number;
  /** 2 n^3 / median seconds / 1e9. */
  naiveGflops: number;
  gemmGflops: number;
  /** gemm GFLOP/s over naive GFLOP/s (= naiveMs / gemmMs). */
  ratio: number;
  naiveSamples: number;
  gemmSamples: number;
  /** Largest |gemm - naive| over the n x n result, a check that both computed the same thing. */
  maxAbsDiff: number;
}

export interface MatmulBenchOptions {
  /** Square sizes to run (default 64, 128, 256, 512, 1024). */
  sizes?: number[];
  /** Products to run (default all three). */
  forms?: MatmulForm[];
  /** Print one line per finished row (default false). */
  verbose?: boolean;
}

export interface MachineInfo {
  node: string;
  cpu: string;
  cores: number;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return { node: process.version, cpu: c[0]?.model ?? 'unknown', cores: c.length, platform: platform(), arch: arch() };
}

/**
 * Sampling budget per task: tinybench runs until both the time (ms) and the iteration count are
 * reached, so at large n the iteration count alone decides. The naive loop at n = 1024 takes
 * seconds per product, so it gets one sample and no warm-up: its inner loop is optimised by
 * on-stack replacement within the first milliseconds of that call.
 */
interface Budget { time: number; iterations: number; warmupTime: number; warmupIterations: number; warmup: boolean }
function budget(n: number, impl: 'naive' | 'gemm'): Budget {
  if (n <= 128) return { time: 300, iterations: 10, warmupTime: 100, warmupIterations: 5, warmup: true };
  if (n <= 256) return { time: 400, iterations: 5, warmupTime: 0, warmupIterations: 2, warmup: true };
  if (n <= 512) return impl === 'gemm'
    ? { time: 0, iterations: 7, warmupTime: 0, warmupIterations: 1, warmup: true }
    : { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1, warmup: true };
  return impl === 'gemm'
    ? { time: 0, iterations: 3, warmupTime: 0, warmupIterations: 1, warmup: true }
    : { time: 0, iterations: 1, warmupTime: 0, warmupIterations: 0, warmup: false };
}

/** mulberry32: seeded inputs, so every run multiplies the same matrices. */
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

/** Strides (row, column) for A and B of a square product in the given form; buffers are row-major n x n. */
function strides(form: MatmulForm, n: number): { aRs: number; aCs: number; bRs: number; bCs: number } {
  switch (form) {
    case 'AB': return { aRs: n, aCs: 1, bRs: n, bCs: 1 };
    case 'AtB': return { aRs: 1, aCs: n, bRs: n, bCs: 1 }; // (A^T)[i][k] = A[k][i]
    case 'ABt': return { aRs: n, aCs: 1, bRs: 1, bCs: n }; // (B^T)[k][j] = B[j][k]
  }
}

/** Median latency (ms) and sample count of one synchronous task under a budget. */
function measure(name: string, fn: () => void, b: Budget): { ms: number; samples: number } {
  const bench = new Bench({ name, throws: true, ...b });
  bench.add(name, fn, { async: false });
  const [task] = bench.runSync();
  const r = task?.result;
  if (!r || (r.state !== 'completed' && r.state !== 'aborted-with-statistics')) {
    throw new Error(`matmul bench: task ${name} did not complete (state ${r?.state ?? 'missing'})`);
  }
  return { ms: r.latency.p50, samples: r.latency.samplesCount };
}

/** Runs the suite and returns one row per (n, form); naive and gemm of a row are measured back to back. */
export function runMatmulBench(opts: MatmulBenchOptions = {}): MatmulRow[] {
  const sizes = opts.sizes ?? [64, 128, 256, 512, 1024];
  const forms = opts.forms ?? (['AB', 'AtB', 'ABt'] as MatmulForm[]);
  const rows: MatmulRow[] = [];
  for (const n of sizes) {
    const rnd = mulberry32(n);
    const A = Float64Array.from({ length: n * n }, () => rnd() * 2 - 1);
    const B = Float64Array.from({ length: n * n }, () => rnd() * 2 - 1);
    const Cn = new Float64Array(n * n);
    const Cg = new Float64Array(n * n);
    const flops = 2 * n * n * n;
    for (const form of forms) {
      const { aRs, aCs, bRs, bCs } = strides(form, n);
      const naive = measure(`naive ${form} n=${n}`, () => gemmNaive(n, n, n, A, 0, aRs, aCs, B, 0, bRs, bCs, Cn, 0, n, false), budget(n, 'naive'));
      const fast = measure(`gemm ${form} n=${n}`, () => gemm(n, n, n, A, 0, aRs, aCs, B, 0, bRs, bCs, Cg, 0, n, false), budget(n, 'gemm'));
      let maxAbsDiff = 0;
      for (let i = 0; i < n * n; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(Cn[i] - Cg[i]));
      const row: MatmulRow = {
        n, form,
        naiveMs: naive.ms, gemmMs: fast.ms,
        naiveGflops: flops / (naive.ms / 1e3) / 1e9,
        gemmGflops: flops / (fast.ms / 1e3) / 1e9,
        ratio: naive.ms / fast.ms,
        naiveSamples: naive.samples, gemmSamples: fast.samples,
        maxAbsDiff,
      };
      rows.push(row);
      if (opts.verbose) console.log(`  done n=${n} ${form}: gemm ${row.gemmGflops.toFixed(2)} GFLOP/s, naive ${row.naiveGflops.toFixed(2)}`);
    }
  }
  return rows;
}

/** The table as text: one line per row, medians, GFLOP/s, and the gemm/naive ratio. */
export function formatMatmulTable(rows: MatmulRow[]): string {
  const head = ['n', 'form', 'naive ms', 'naive GFLOP/s', 'gemm ms', 'gemm GFLOP/s', 'gemm/naive', 'samples n/g', 'max|diff|'];
  const body = rows.map((r) => [
    String(r.n), r.form,
    r.naiveMs.toFixed(3), r.naiveGflops.toFixed(2),
    r.gemmMs.toFixed(3), r.gemmGflops.toFixed(2),
    `${r.ratio.toFixed(2)}x`, `${r.naiveSamples}/${r.gemmSamples}`, r.maxAbsDiff.toExponential(1),
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  return [line(head), width.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const m = machineInfo();
  console.log('matmul: packed gemm vs naive i-j-k loop, float64, one thread, square n x n x n');
  console.log(`node ${m.node} | ${m.cpu} | ${m.cores} cores | ${m.platform}/${m.arch}`);
  console.log('medians of tinybench samples; GFLOP/s = 2 n^3 / median; gemm/naive = naive time / gemm time');
  console.log('budget: n<=128 >=10 samples & >=300 ms; 256 >=5 & >=400 ms; 512 naive 3 / gemm 7; 1024 naive 1 / gemm 3\n');
  const started = performance.now();
  const rows = runMatmulBench({ verbose: process.argv.includes('--verbose') });
  console.log(formatMatmulTable(rows));
  const seconds = (performance.now() - started) / 1e3;
  console.log(`\n(${seconds.toFixed(1)} s)`);
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, 'results', 'matmul.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ bench: 'matmul', date: new Date().toISOString(), machine: m, seconds, rows }, null, 2) + '\n');
  console.log(`wrote ${out}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
