// `halfspace bench step` and `bench gemm`: the median time of one training step, or GFLOP/s of a product, after a steady warm-up; JSON for comparing engines.

import { availableParallelism } from 'node:os';
import { type ModelConfig, archLabel, familyConfig } from '../../models/config.js';
import { createModel } from '../../models/families.js';
import { Adam } from '../../models/optim.js';
import { Trainer } from '../../models/train.js';
import { type ThreadOptions, allocShared, setThreads, threadsReady } from '../../node/threads.js';
import { gemmKernel, useGemmKernel } from '../../tensor/gemm.js';
import { matmulInto } from '../../tensor/linalg.js';
import { Rng } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError } from '../args.js';
import { progress } from '../progress.js';

const MODELS = ['dlgn', 'dlgn-sf', 'relu', 'linear'] as const;
type BenchModel = (typeof MODELS)[number];

/** What `bench step --json` prints: a stable interface (keys are only ever added). */
export interface StepTiming {
  /** Median wall time of one step (zero grads, forward, cross-entropy, backward, Adam), ms. */
  medianMs: number;
  /** Timed steps the median is over (warm-up steps not counted). */
  steps: number;
  /** Threads products could use (1 if a pool was asked for but could not start). */
  threads: number;
  /** Steps run to warm up before timing, and how long they took (ms). */
  warmupSteps: number;
  warmupMs: number;
  /** Whether the step time settled during warm-up (false: the warm-up hit its time limit first). */
  steady: boolean;
}

/**
 * Starts the thread pool for a timing and waits for its workers; returns the threads in use (1
 * when asked for 1, or when the pool could not start: the timing then runs on one thread and
 * says so in its `threads`). The caller stops the pool with `setThreads(1)` when done.
 */
async function startThreads(want: number, options: ThreadOptions = {}): Promise<number> {
  if (want <= 1) return 1;
  const info = setThreads(want, options);
  if (info.threads <= 1) return 1;
  try {
    await threadsReady();
    return info.threads;
  } catch {
    setThreads(1);
    return 1;
  }
}

/** How `timeSteady` warms a function up and times it. */
export interface SteadyOptions {
  /** Warm up for at least this long (ms; default 500). */
  minWarmMs?: number;
  /** Give up waiting for a steady time after this long (ms; default 10 000). */
  maxWarmMs?: number;
  /** Runs per warm-up window (default 10). */
  window?: number;
  /** Steady: two consecutive windows' medians within this fraction (default 0.05). */
  tolerance?: number;
  /** Timed runs after warm-up (default 20). */
  samples?: number;
}

function medianOf(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warms `run` up until its time per call is steady, then returns the median of `samples` timed
 * calls. V8 compiles hot code in tiers (and WebAssembly too): a JIT needs on the order of a
 * hundred calls or half a second before a training step's time settles, so a fixed count of a
 * few warm-up calls measures the compiler. Warm-up runs in windows; it ends once it has lasted
 * `minWarmMs` and the medians of the last two windows agree within `tolerance`, or at `maxWarmMs`.
 *
 * @example
 * ```ts
 * const t = timeSteady(() => trainer.step(x, y), { samples: 50 });
 * t.medianMs; t.steady;
 * ```
 */
export function timeSteady(run: () => void, o: SteadyOptions & { onRun?: (phase: 'warm-up' | 'timed', done: number) => void } = {}): { medianMs: number; samples: number; warmupRuns: number; warmupMs: number; steady: boolean } {
  const minWarm = o.minWarmMs ?? 500, maxWarm = o.maxWarmMs ?? 10_000, window = o.window ?? 10, tol = o.tolerance ?? 0.05, samples = o.samples ?? 20;
  const start = performance.now();
  let prev = Infinity, runs = 0, steady = false;
  for (;;) {
    const times: number[] = [];
    for (let i = 0; i < window; i++) {
      const t0 = performance.now();
      run();
      times.push(performance.now() - t0);
      o.onRun?.('warm-up', runs + i + 1);
    }
    runs += window;
    const med = medianOf(times);
    const elapsed = performance.now() - start;
    if (elapsed >= minWarm && Math.abs(med - prev) <= tol * prev) {
      steady = true;
      break;
    }
    if (elapsed >= maxWarm) break;
    prev = med;
  }
  const warmupMs = performance.now() - start;
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
    o.onRun?.('timed', i + 1);
  }
  return { medianMs: medianOf(times), samples, warmupRuns: runs, warmupMs, steady };
}

function configOf(model: BenchModel, inputDim: number, widths: number[], outputDim: number, beta: number): ModelConfig {
  return familyConfig(model, { inputDim, widths, outputDim, beta });
}

/**
 * Times `steps` training steps of a freshly initialised model on one random batch (inputs
 * uniform in [0, 1), labels uniform over the classes, both from `seed`), after `warmup` steps.
 *
 * @example
 * ```ts
 * const t = await timeTrainingStep({ model: 'relu', inputDim: 784, widths: [512, 512], classes: 10, batch: 256, threads: 1, steps: 20 });
 * t.medianMs;
 * ```
 */
export async function timeTrainingStep(o: {
  model: BenchModel; inputDim: number; widths: number[]; classes: number; batch: number;
  threads: number; steps: number; warmup?: Omit<SteadyOptions, 'samples'>; seed?: number; beta?: number;
  /** Called after every step: during warm-up (its length unknown in advance) and timed, `done` of `steps`. */
  onStep?: (phase: 'warm-up' | 'timed', done: number, steps: number) => void;
}): Promise<StepTiming> {
  const threads = await startThreads(o.threads);
  try {
    const seed = o.seed ?? 0;
    const model = createModel(configOf(o.model, o.inputDim, o.widths, o.classes, o.beta ?? 10), { rng: seed });
    const trainer = new Trainer(model, {
      loss: 'ce',
      optimizer: new Adam(model.parameters(), { lr: 1e-3 }),
      allocate: threads > 1 ? allocShared : undefined,
    });
    const rng = new Rng(seed + 1);
    const xs = rng.uniformArray(o.batch * o.inputDim);
    // with threads the batch lives in shared memory too, so no product copies it
    const xd = threads > 1 ? allocShared(xs.length) : xs;
    if (xd !== xs) xd.set(xs);
    const x = Tensor.fromArray(xd, [o.batch, o.inputDim]);
    const y = Tensor.fromArray(Float64Array.from({ length: o.batch }, () => rng.integer(0, o.classes)), [o.batch]);
    const t = timeSteady(() => trainer.step(x, y), { ...o.warmup, samples: o.steps, onRun: (phase, done) => o.onStep?.(phase, done, o.steps) });
    return { medianMs: t.medianMs, steps: o.steps, threads, warmupSteps: t.warmupRuns, warmupMs: t.warmupMs, steady: t.steady };
  } finally {
    if (threads > 1) setThreads(1);
  }
}

const BENCH_OPTIONS: readonly OptionSpec[] = [
  { name: 'model', value: 'NAME', choices: MODELS },
  { name: 'input', value: 'N' },
  { name: 'widths', value: 'W1,W2,...' },
  { name: 'classes', value: 'K' },
  { name: 'batch', value: 'B' },
  { name: 'threads', value: 'N', choices: ['1', '2', 'auto'] },
  { name: 'steps', value: 'N' },
  { name: 'seed', value: 'S' },
  { name: 'beta', value: 'B' },
  { name: 'n', value: 'N' },
  { name: 'kernel', value: 'KERNEL', choices: ['wasm-simd', 'javascript'] },
  { name: 'samples', value: 'N' },
  { name: 'json' },
  { name: 'quiet' },
];

/** What `bench gemm --json` prints: a stable interface (keys are only ever added). */
export interface GemmTiming {
  /** The product C = A B of n x n float64 matrices. */
  n: number;
  /** 2 n^3 / median time. */
  gflops: number;
  medianMs: number;
  /** Timed products the median is over. */
  samples: number;
  threads: number;
  /** The blocked-path kernel: 'wasm-simd' or 'javascript'. */
  kernel: string;
  warmupRuns: number;
  steady: boolean;
}

/**
 * Times C = A B for n x n float64 matrices (uniform in [0, 1) from `seed`) on `threads` threads
 * with the given kernel, after a steady warm-up; reports GFLOP/s.
 *
 * @example
 * ```ts
 * const t = await timeGemm({ n: 512, threads: 1 });
 * t.gflops;
 * ```
 */
export async function timeGemm(o: { n: number; threads: number; kernel?: 'wasm-simd' | 'javascript'; samples?: number; seed?: number }): Promise<GemmTiming> {
  const threads = await startThreads(o.threads, { minWork: 1 });
  const previous = gemmKernel();
  try {
    useGemmKernel(o.kernel ?? previous);
    const rng = new Rng(o.seed ?? 0);
    const n = o.n;
    const alloc = (k: number): Float64Array => (threads > 1 ? allocShared(k) : new Float64Array(k));
    const a = alloc(n * n), b = alloc(n * n);
    a.set(rng.uniformArray(n * n));
    b.set(rng.uniformArray(n * n));
    const A = Tensor.fromArray(a, [n, n]), B = Tensor.fromArray(b, [n, n]);
    const C = Tensor.fromArray(alloc(n * n), [n, n]);
    const t = timeSteady(() => matmulInto(C, A, B), { samples: o.samples ?? 20, minWarmMs: 300, window: Math.max(3, Math.min(20, Math.round(2e8 / n ** 3))) });
    return { n, gflops: (2 * n ** 3) / t.medianMs / 1e6, medianMs: t.medianMs, samples: t.samples, threads, kernel: gemmKernel(), warmupRuns: t.warmupRuns, steady: t.steady };
  } finally {
    useGemmKernel(previous);
    if (threads > 1) setThreads(1);
  }
}

async function benchGemm(f: Flags): Promise<number> {
  const n = f.number('n', 512, 'positive-int');
  const threadsFlag = f.string('threads', '1');
  const threads = threadsFlag === 'auto' ? availableParallelism() : Number(threadsFlag);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer or auto, got '${threadsFlag}'`);
  const kernel = f.choice('kernel', ['wasm-simd', 'javascript'] as const, gemmKernel());
  const samples = f.number('samples', 20, 'positive-int');
  const json = f.has('json');
  if (n > 8192) throw new UsageError(`--n must be at most 8192 (three n x n float64 matrices), got ${n}`);
  const t = await timeGemm({ n, threads, kernel, samples });
  if (json) process.stdout.write(`${JSON.stringify(t)}\n`);
  else {
    process.stdout.write(
      `gemm ${n}x${n}x${n} float64: ${t.gflops.toFixed(2)} GFLOP/s (${t.medianMs.toFixed(3)} ms, median of ${t.samples}, ` +
        `${t.threads} thread${t.threads > 1 ? 's' : ''}, ${t.kernel} kernel${t.steady ? '' : ', time not yet steady after warm-up'})\n`,
    );
  }
  return 0;
}

async function benchCommand(f: Flags): Promise<number> {
  const [what] = f.positionals;
  if (what !== 'step' && what !== 'gemm') throw new UsageError(`expected 'bench step' or 'bench gemm', got ${what === undefined ? 'nothing' : `'${what}'`}`);
  if (what === 'gemm') return benchGemm(f);
  const model = f.choice('model', MODELS, 'dlgn');
  const inputDim = f.number('input', 784, 'positive-int');
  const widths = f.intList('widths', [128, 128, 128, 128]);
  const classes = f.number('classes', 10, 'positive-int');
  const batch = f.number('batch', 256, 'positive-int');
  const threadsFlag = f.string('threads', '1');
  const threads = threadsFlag === 'auto' ? availableParallelism() : Number(threadsFlag);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer or auto, got '${threadsFlag}'`);
  const steps = f.number('steps', 20, 'positive-int');
  const seed = f.number('seed', 0, 'int');
  const beta = f.number('beta', 10, 'positive');
  const json = f.has('json');
  const quiet = f.has('quiet');
  if (classes < 2) throw new UsageError('--classes must be at least 2 (softmax cross-entropy)');
  const bar = progress('bench', { quiet, json });
  const t = await timeTrainingStep({
    model, inputDim, widths, classes, batch, threads, steps, seed, beta,
    onStep: (phase, done, total) => bar.update(phase === 'timed' ? done : 0, total, phase === 'timed' ? `step ${done}/${total}` : `warming up (${done} steps)`),
  });
  bar.done(`median ${t.medianMs.toFixed(3)} ms per step`);
  if (json) process.stdout.write(`${JSON.stringify(t)}\n`);
  else {
    process.stdout.write(
      `${model} ${archLabel({ inputDim, widths, outputDim: classes })} batch ${batch}: ${t.medianMs.toFixed(3)} ms per training step ` +
        `(median of ${t.steps} after ${t.warmupSteps} warm-up steps${t.steady ? '' : ', not yet steady'}; ${t.threads} thread${t.threads > 1 ? 's' : ''}, float64, Adam, cross-entropy)\n`,
    );
  }
  return 0;
}

export const benchHelp = `halfspace bench step [options]
halfspace bench gemm [--n 512] [--threads 1|2|auto] [--kernel wasm-simd|javascript] [--samples 20] [--json]

bench step times one training step (zero grads, forward, softmax cross-entropy, backward, Adam
lr 1e-3) of a freshly initialised model on one random batch, float64, and prints the median.
bench gemm times the float64 product of two n x n matrices and prints GFLOP/s.
Both warm up until the time per run is steady (at least 0.5 s, or 0.3 s for gemm, and two
windows of runs within 5%; at most 10 s), so the JIT compiler is not what is measured.

  --model dlgn|dlgn-sf|relu|linear   model family (default dlgn; dlgn-sf has shallow gates)
  --input N                          input dimension (default 784)
  --widths 128,128,128,128           hidden widths (default 128,128,128,128)
  --classes K                        outputs / classes (default 10)
  --batch B                          batch size (default 256)
  --threads 1|2|...|auto             threads for large matrix products (default 1)
  --steps N                          timed steps after the warm-up (default 20)
  --seed S                           seed of the weights and the batch (default 0)
  --beta B                           soft-gate inverse temperature (default 10)
  --json                             print {"medianMs", "steps", "threads", "warmupSteps", "warmupMs", "steady"} only
                                     (gemm: {"n", "gflops", "medianMs", "samples", "threads", "kernel", "warmupRuns", "steady"})
  --quiet                            no progress on stderr

The JSON keys are a stable interface for comparing engines (keys are only ever added).`;

export const benchSpec: CommandSpec = {
  name: 'bench',
  summary: 'time one training step (npm run bench compares with peers)',
  help: benchHelp,
  options: BENCH_OPTIONS,
  positionals: { name: 'benchmark', choices: ['step', 'gemm'], count: 'one' },
  run: benchCommand,
};
