// Matrix-product suite: the packed gemm kernel (WebAssembly SIMD, and its JavaScript fallback) on one and two threads against the naive loop, ml-matrix, ndarray-gemm, tfjs cpu, tfjs-wasm and NumPy/OpenBLAS.
//
// Run alone (after npm run build): node --expose-gc --import tsx bench/matmul.bench.ts [--quick]   (or `npm run bench -- --suite matmul`)
// Every implementation of a row is measured in the same process, interleaved round by round, so
// the ratios survive a noisy machine; the absolute numbers do not.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allocShared, setThreads, threadsReady } from '../dist/node/threads.js';
import { gemm, gemmKernel, gemmNaive, useGemmKernel } from '../dist/tensor/gemm.js';
import { matmulInto } from '../dist/tensor/linalg.js';
import { Tensor } from '../dist/tensor/tensor.js';
import {
  BENCH_DIR, type Budget, type MachineInfo, fmtRatio, machineInfo, machineLine, markdownTable, measure, median, randomArray, table, writeResult,
} from './common.js';
import { PYTHON, loadMlMatrix, loadNdarrayGemm, loadTfjs, torchEnv, useBackend } from './peers.js';

/** Which product a row measures; a transposed operand is read through swapped strides, never copied by us. */
export type MatmulForm = 'AB' | 'AtB' | 'ABt';

export interface MatmulImplResult {
  /** Median milliseconds per product. */
  ms: number;
  gflops: number;
  samples: number;
  /** Largest |this - gemm| over the result (float32 peers show their rounding). */
  maxAbsDiff: number;
}

export interface MatmulRow {
  n: number;
  form: MatmulForm;
  /** By implementation name (see IMPLS); missing when that peer is not installed. */
  impls: Record<string, MatmulImplResult>;
}

export interface MatmulSuiteResult {
  bench: 'matmul';
  date: string;
  machine: MachineInfo;
  options: { sizes: number[]; forms: MatmulForm[]; quick: boolean };
  skipped: string[];
  seconds: number;
  rows: MatmulRow[];
}

export interface MatmulBenchOptions {
  sizes?: number[];
  forms?: MatmulForm[];
  quick?: boolean;
  log?: (line: string) => void;
}

/** Column order of the tables. */
export const IMPLS = ['gemm', 'gemm 2T', 'gemm 2T shared', 'gemm js', 'naive', 'ml-matrix', 'ndarray-gemm', 'tfjs cpu', 'tfjs wasm', 'numpy'] as const;

/** A prepared product: `run` computes it once (result materialised), `result` reads it as float64. */
interface Prepared {
  run: () => void;
  result: () => Float64Array;
  dispose?: () => void;
}

type Preparer = (n: number, A: Float64Array, B: Float64Array, form: MatmulForm) => Prepared;

/** Row and column strides of A and B (row-major n x n buffers) for a form. */
function strides(form: MatmulForm, n: number): { aRs: number; aCs: number; bRs: number; bCs: number } {
  switch (form) {
    case 'AB': return { aRs: n, aCs: 1, bRs: n, bCs: 1 };
    case 'AtB': return { aRs: 1, aCs: n, bRs: n, bCs: 1 }; // (A^T)[i][k] = A[k][i]
    case 'ABt': return { aRs: n, aCs: 1, bRs: 1, bCs: n }; // (B^T)[k][j] = B[j][k]
  }
}

/** Expected GFLOP/s, only to size the sampling budget. */
const SPEED: Record<string, number> = { gemm: 15, 'gemm 2T': 25, 'gemm 2T shared': 25, 'gemm js': 5, naive: 1, 'ml-matrix': 1, 'ndarray-gemm': 1, 'tfjs cpu': 1, 'tfjs wasm': 20 };

function budgetFor(impl: string, n: number, quick: boolean): Budget {
  const estMs = (2 * n ** 3) / (SPEED[impl] * 1e6);
  const target = quick ? 150 : 200; // ms of samples per round
  const iterations = Math.max(1, Math.min(200, Math.round(target / estMs)));
  if (impl.startsWith('gemm 2T')) {
    // the worker idled while the other implementations ran; its first products after a pause
    // run several times slower here (the VM's second vCPU and the worker's JIT waking up), so
    // two-thread rows get ~300 ms of warm-up before their samples
    return { time: 0, iterations, warmupTime: 300, warmupIterations: 3 };
  }
  return { time: 0, iterations, warmupTime: 0, warmupIterations: estMs > 1500 ? 0 : 1 };
}

export async function runMatmulBench(opts: MatmulBenchOptions = {}): Promise<MatmulSuiteResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const quick = opts.quick ?? false;
  const sizes = opts.sizes ?? (quick ? [64, 256, 512] : [64, 128, 256, 512, 1024]);
  const forms = opts.forms ?? (['AB', 'AtB', 'ABt'] as MatmulForm[]);
  const started = performance.now();
  const skipped: string[] = [];
  const preparers = new Map<string, Preparer>();

  preparers.set('gemm', (n, A, B, form) => {
    const { aRs, aCs, bRs, bCs } = strides(form, n);
    const C = new Float64Array(n * n);
    return { run: () => gemm(n, n, n, A, 0, aRs, aCs, B, 0, bRs, bCs, C, 0, n, false), result: () => C };
  });
  // two threads through the Tensor API (what a layer does): ordinary arrays, so the pool copies
  // B and the worker's rows of A and C through shared memory; and the same on shared arrays
  const threaded = (shared: boolean): Preparer => (n, A, B, form) => {
    const mk = (src: Float64Array): Tensor => {
      const d = shared ? allocShared(n * n) : new Float64Array(n * n);
      d.set(src);
      return Tensor.fromArray(d, [n, n]);
    };
    const a = form === 'AtB' ? mk(A).transpose() : mk(A);
    const b = form === 'ABt' ? mk(B).transpose() : mk(B);
    const c = Tensor.fromArray(shared ? allocShared(n * n) : new Float64Array(n * n), [n, n]);
    return { run: () => matmulInto(c, a, b), result: () => c.data };
  };
  const info = setThreads(2);
  if (info.threads === 2) {
    try {
      await threadsReady();
      preparers.set('gemm 2T', threaded(false));
      preparers.set('gemm 2T shared', threaded(true));
    } catch (e) {
      skipped.push(`gemm 2T: worker threads did not start (${e instanceof Error ? e.message : String(e)})`);
    }
  } else skipped.push(`gemm 2T: ${info.reason ?? 'one thread only'}`);
  // the JavaScript micro-kernels (the fallback where WebAssembly SIMD is missing), same bits
  if (gemmKernel() === 'wasm-simd') {
    preparers.set('gemm js', (n, A, B, form) => {
      const { aRs, aCs, bRs, bCs } = strides(form, n);
      const C = new Float64Array(n * n);
      const run = (): void => {
        useGemmKernel('javascript');
        try {
          gemm(n, n, n, A, 0, aRs, aCs, B, 0, bRs, bCs, C, 0, n, false);
        } finally {
          useGemmKernel('wasm-simd');
        }
      };
      return { run, result: () => C };
    });
  } else skipped.push('gemm js: the engine here has no WebAssembly SIMD, so gemm is the JavaScript kernel already');
  preparers.set('naive', (n, A, B, form) => {
    const { aRs, aCs, bRs, bCs } = strides(form, n);
    const C = new Float64Array(n * n);
    return { run: () => gemmNaive(n, n, n, A, 0, aRs, aCs, B, 0, bRs, bCs, C, 0, n, false), result: () => C };
  });

  const ml = await loadMlMatrix();
  if (ml.ok) {
    const Matrix = ml.value;
    preparers.set('ml-matrix', (n, A, B, form) => {
      const a = Matrix.from1DArray(n, n, A);
      const b = Matrix.from1DArray(n, n, B);
      let c = a;
      // ml-matrix has no transposed product: the transpose is materialised, as a user must
      const run = form === 'AB' ? () => { c = a.mmul(b); } : form === 'AtB' ? () => { c = a.transpose().mmul(b); } : () => { c = a.mmul(b.transpose()); };
      return { run, result: () => Float64Array.from(c.to1DArray()) };
    });
  } else skipped.push(`ml-matrix: ${ml.reason}`);

  const nd = loadNdarrayGemm();
  if (nd.ok) {
    const { gemm: ndGemm, ndarray } = nd.value;
    preparers.set('ndarray-gemm', (n, A, B, form) => {
      const a = ndarray(A, [n, n]);
      const b = ndarray(B, [n, n]);
      const C = new Float64Array(n * n);
      const c = ndarray(C, [n, n]);
      const aa = form === 'AtB' ? a.transpose(1, 0) : a; // strided views, as ours
      const bb = form === 'ABt' ? b.transpose(1, 0) : b;
      return { run: () => ndGemm(c, aa, bb), result: () => C };
    });
  } else skipped.push(`ndarray-gemm: ${nd.reason}`);

  const tfl = await loadTfjs();
  if (tfl.ok) {
    for (const backend of ['cpu', 'wasm'] as const) {
      const st = tfl.value.backends.get(backend);
      if (st === undefined || !st.ok) {
        skipped.push(`tfjs ${backend}: ${st === undefined ? 'not loaded' : st.reason}`);
        continue;
      }
      preparers.set(`tfjs ${backend}`, (n, A, B, form) => {
        const { tf } = tfl.value;
        const a = tf.tensor2d(Float32Array.from(A), [n, n]);
        const b = tf.tensor2d(Float32Array.from(B), [n, n]);
        let last: Float32Array = new Float32Array(0);
        return {
          run: () => {
            const c = tf.matMul(a, b, form === 'AtB', form === 'ABt');
            last = c.dataSync() as Float32Array;
            c.dispose();
          },
          result: () => Float64Array.from(last),
          dispose: () => {
            a.dispose();
            b.dispose();
          },
        };
      });
    }
  } else skipped.push(`tfjs: ${tfl.reason}`);
  // NumPy + OpenBLAS (one thread): out of process, after the in-process rounds of each row
  const numpyProbe = spawnSync(PYTHON, ['-c', 'import numpy'], { env: torchEnv(), encoding: 'utf8', timeout: 60_000 });
  const numpy = numpyProbe.status === 0;
  if (!numpy) skipped.push(`numpy: ${PYTHON} cannot import numpy (apt-get install python3-numpy)`);
  for (const s of skipped) log(`  skipped ${s}`);

  const rows: MatmulRow[] = [];
  for (const n of sizes) {
    const A = randomArray(n * n, 2 * n + 1);
    const B = randomArray(n * n, 2 * n + 2);
    for (const form of forms) {
      const prepared = new Map<string, Prepared>();
      for (const [name, prep] of preparers) {
        if (name.startsWith('tfjs') && tfl.ok) await useBackend(tfl.value, name === 'tfjs cpu' ? 'cpu' : 'wasm');
        prepared.set(name, prep(n, A, B, form));
      }
      // rounds: every implementation once per round, so slow phases of the machine hit all
      const rounds = quick || n >= 1024 ? 1 : 3;
      const samples = new Map<string, number[]>();
      for (let r = 0; r < rounds; r++) {
        for (const [name, p] of prepared) {
          if (name.startsWith('tfjs') && tfl.ok) await useBackend(tfl.value, name === 'tfjs cpu' ? 'cpu' : 'wasm');
          const s = measure(`${name} ${form} n=${n}`, p.run, budgetFor(name, n, quick));
          samples.set(name, [...(samples.get(name) ?? []), ...(s.all.length > 0 ? s.all : [s.ms])]);
        }
      }
      const ref = prepared.get('gemm')!.result().slice();
      const impls: Record<string, MatmulImplResult> = {};
      for (const [name, p] of prepared) {
        const all = samples.get(name) ?? [];
        const ms = median(all);
        const c = p.result();
        let maxAbsDiff = 0;
        for (let i = 0; i < ref.length; i++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(c[i] - ref[i]));
        impls[name] = { ms, gflops: (2 * n ** 3) / (ms * 1e6), samples: all.length, maxAbsDiff };
        p.dispose?.();
      }
      if (numpy) {
        const r = spawnSync(PYTHON, [join(BENCH_DIR, 'numpy_gemm.py'), String(n), form, quick ? '0.3' : '1'], { env: torchEnv(), encoding: 'utf8', timeout: 120_000 });
        if (r.status === 0) {
          const o = JSON.parse(r.stdout) as { medianMs: number; samples: number };
          // computed on its own random operands: no element-wise comparison (NaN)
          impls.numpy = { ms: o.medianMs, gflops: (2 * n ** 3) / (o.medianMs * 1e6), samples: o.samples, maxAbsDiff: NaN };
        } else log(`  numpy n=${n} ${form} failed: ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
      }
      rows.push({ n, form, impls });
      const g = impls.gemm;
      log(`  n=${n} ${form}: gemm ${g.gflops.toFixed(2)} GFLOP/s${impls['gemm 2T'] ? `, 2 threads ${impls['gemm 2T'].gflops.toFixed(2)}` : ''}`);
    }
  }
  setThreads(1);
  return {
    bench: 'matmul',
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: { sizes, forms, quick },
    skipped,
    seconds: (performance.now() - started) / 1e3,
    rows,
  };
}

/** GFLOP/s of every implementation, one line per (n, form). */
export function matmulGflopsTable(r: MatmulSuiteResult, markdown = false): string {
  const names = IMPLS.filter((i) => r.rows.some((row) => row.impls[i] !== undefined));
  const head = ['n', 'form', ...names];
  const body = r.rows.map((row) => [String(row.n), row.form, ...names.map((i) => (row.impls[i] ? row.impls[i].gflops.toFixed(2) : '-'))]);
  return markdown ? markdownTable(head, body, 2) : table(head, body, 2);
}

/**
 * Ratios pair by pair, medians of the same run: peer time / our one-thread time (above 1: ours
 * is faster), and the two-thread speed-up over one thread.
 */
export function matmulRatioTable(r: MatmulSuiteResult, markdown = false): string {
  const peers = ['gemm js', 'naive', 'ml-matrix', 'ndarray-gemm', 'tfjs cpu', 'tfjs wasm', 'numpy'].filter((i) => r.rows.some((row) => row.impls[i] !== undefined));
  const two = ['gemm 2T', 'gemm 2T shared'].filter((i) => r.rows.some((row) => row.impls[i] !== undefined));
  const head = ['n', 'form', ...two.map((t) => `${t} / gemm`), ...peers.map((p) => `${p} / gemm`)];
  const body = r.rows.map((row) => {
    const g = row.impls.gemm.ms;
    return [
      String(row.n), row.form,
      ...two.map((t) => (row.impls[t] ? fmtRatio(g / row.impls[t].ms) : '-')),
      ...peers.map((p) => (row.impls[p] ? fmtRatio(row.impls[p].ms / g) : '-')),
    ];
  });
  return markdown ? markdownTable(head, body, 2) : table(head, body, 2);
}

export function matmulHeader(r: MatmulSuiteResult): string {
  return [
    `matmul: C = A B, A^T B, A B^T, square n, GFLOP/s = 2 n^3 / median time (tinybench medians)`,
    machineLine(r.machine),
    `options: sizes ${r.options.sizes.join(', ')}; forms ${r.options.forms.join(', ')}${r.options.quick ? '; quick' : ''}; ` +
      `float64 (ours, naive, ml-matrix, ndarray-gemm) and float32 (tfjs: it has no float64 kernels); ` +
      `"2T": two threads (caller + one worker) in one shared WebAssembly memory, rows of C split; "shared": operands already in SharedArrayBuffers (the JavaScript kernel reads them in place; the WebAssembly one copies operands into its memory either way); ` +
      `"gemm js": the JavaScript fallback kernel (same bits); "numpy": NumPy + OpenBLAS, one thread, out of process (the physical-limit proxy)`,
  ].join('\n');
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const r = await runMatmulBench({ quick });
  console.log(`\n${matmulHeader(r)}\n\n${matmulGflopsTable(r)}\n\n${matmulRatioTable(r)}`);
  console.log(`\nwrote ${writeResult('matmul', r)} (${r.seconds.toFixed(0)} s)`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
