// `halfspace bench step`: the median time of one training step of a model, as JSON for comparing engines.

import { availableParallelism } from 'node:os';
import type { ModelConfig } from '../../models/config.js';
import { createModel } from '../../models/families.js';
import { Adam } from '../../models/optim.js';
import { Trainer } from '../../models/train.js';
import { allocShared, setThreads, threadsReady } from '../../node/threads.js';
import { Rng } from '../../tensor/random.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CommandSpec, type Flags, type OptionSpec, UsageError } from '../args.js';
import { progress } from '../progress.js';

const MODELS = ['dlgn', 'dlgn-sf', 'relu', 'linear'] as const;
type BenchModel = (typeof MODELS)[number];

/** What `bench step --json` prints: a stable interface, three keys. */
export interface StepTiming {
  /** Median wall time of one step (zero grads, forward, cross-entropy, backward, Adam), ms. */
  medianMs: number;
  /** Timed steps the median is over (warm-up steps not counted). */
  steps: number;
  /** Threads products could use (1 if a pool was asked for but could not start). */
  threads: number;
}

function configOf(model: BenchModel, inputDim: number, widths: number[], outputDim: number, beta: number): ModelConfig {
  const base = { inputDim, widths, outputDim };
  switch (model) {
    case 'dlgn': return { ...base, kind: 'dlgn', features: 'cf', beta };
    case 'dlgn-sf': return { ...base, kind: 'dlgn', features: 'sf', beta };
    case 'relu': return { ...base, kind: 'dnn' };
    case 'linear': return { ...base, kind: 'dln' };
  }
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
  threads: number; steps: number; warmup?: number; seed?: number; beta?: number;
  /** Called after every step, warm-up included: `done` of `total` steps. */
  onStep?: (done: number, total: number) => void;
}): Promise<StepTiming> {
  let threads = 1;
  if (o.threads > 1) {
    const info = setThreads(o.threads);
    if (info.threads > 1) {
      try {
        await threadsReady();
        threads = info.threads;
      } catch {
        setThreads(1);
      }
    }
  }
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
    const warmup = o.warmup ?? Math.min(5, o.steps);
    const total = warmup + o.steps;
    for (let i = 0; i < warmup; i++) {
      trainer.step(x, y);
      o.onStep?.(i + 1, total);
    }
    const times: number[] = [];
    for (let i = 0; i < o.steps; i++) {
      const t0 = performance.now();
      trainer.step(x, y);
      times.push(performance.now() - t0);
      o.onStep?.(warmup + i + 1, total);
    }
    times.sort((a, b) => a - b);
    const m = times.length >> 1;
    const medianMs = times.length % 2 === 1 ? times[m] : (times[m - 1] + times[m]) / 2;
    return { medianMs, steps: o.steps, threads };
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
  { name: 'json' },
  { name: 'quiet' },
];

async function benchCommand(f: Flags): Promise<number> {
  const [what] = f.positionals;
  if (what !== 'step') throw new UsageError(`expected 'bench step', got ${what === undefined ? 'nothing' : `'${what}'`}`);
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
    onStep: (done, total) => bar.update(done, total, `step ${done}/${total}`),
  });
  bar.done(`median ${t.medianMs.toFixed(3)} ms per step`);
  if (json) process.stdout.write(`${JSON.stringify(t)}\n`);
  else {
    process.stdout.write(
      `${model} ${inputDim}-[${widths.join(',')}]-${classes} batch ${batch}: ${t.medianMs.toFixed(3)} ms per training step ` +
        `(median of ${t.steps}, ${t.threads} thread${t.threads > 1 ? 's' : ''}, float64, Adam, cross-entropy)\n`,
    );
  }
  return 0;
}

export const benchHelp = `halfspace bench step [options]

Times one training step (zero grads, forward, softmax cross-entropy, backward, Adam lr 1e-3) of a
freshly initialised model on one random batch, float64, and prints the median.

  --model dlgn|dlgn-sf|relu|linear   model family (default dlgn; dlgn-sf has shallow gates)
  --input N                          input dimension (default 784)
  --widths 128,128,128,128           hidden widths (default 128,128,128,128)
  --classes K                        outputs / classes (default 10)
  --batch B                          batch size (default 256)
  --threads 1|2|...|auto             threads for large matrix products (default 1)
  --steps N                          timed steps after up to 5 warm-up steps (default 20)
  --seed S                           seed of the weights and the batch (default 0)
  --beta B                           soft-gate inverse temperature (default 10)
  --json                             print {"medianMs": .., "steps": .., "threads": ..} only
  --quiet                            no progress on stderr

The JSON keys are a stable interface for comparing engines.`;

export const benchSpec: CommandSpec = {
  name: 'bench',
  summary: 'time one training step (npm run bench compares with peers)',
  help: benchHelp,
  options: BENCH_OPTIONS,
  positionals: { name: 'benchmark', choices: ['step'], count: 'one' },
  run: benchCommand,
};
