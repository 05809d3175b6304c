// The peers the benches compare against, each loaded only if installed: ml-matrix, ndarray-gemm, tfjs (cpu, wasm), PyTorch.

import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type * as TF from '@tensorflow/tfjs-core';
import { BENCH_DIR } from './common.js';

const require = createRequire(import.meta.url);

/** A peer that loaded, or the reason it did not (printed as a "skipped" line, never an error). */
export type Loaded<T> = { ok: true; value: T } | { ok: false; reason: string };

const why = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0] : String(e));

// ---- ml-matrix, ndarray-gemm ----------------------------------------------------------------

export type MlMatrix = typeof import('ml-matrix').Matrix;

export async function loadMlMatrix(): Promise<Loaded<MlMatrix>> {
  try {
    return { ok: true, value: (await import('ml-matrix')).Matrix };
  } catch (e) {
    return { ok: false, reason: `ml-matrix is not installed (${why(e)})` };
  }
}

/** ndarray-gemm's one function: c = alpha a b + beta c over scijs ndarrays (it ships no types). */
export type NdarrayGemm = (c: unknown, a: unknown, b: unknown, alpha?: number, beta?: number) => void;

export function loadNdarrayGemm(): Loaded<{ gemm: NdarrayGemm; ndarray: typeof import('ndarray') }> {
  try {
    const gemm = require('ndarray-gemm') as NdarrayGemm;
    const ndarray = require('ndarray') as typeof import('ndarray');
    return { ok: true, value: { gemm, ndarray } };
  } catch (e) {
    return { ok: false, reason: `ndarray-gemm is not installed (${why(e)})` };
  }
}

// ---- tfjs -----------------------------------------------------------------------------------

export interface Tfjs {
  tf: typeof TF;
  /** Backends that initialised: 'cpu' and/or 'wasm', with the reason for any that did not. */
  backends: Map<'cpu' | 'wasm', Loaded<true>>;
}

let tfjs: Promise<Loaded<Tfjs>> | null = null;

/**
 * tfjs-core with the plain-JS `cpu` backend and the WebAssembly backend (SIMD, one thread; its
 * .wasm files ship in the package, so this works offline). Loaded once.
 */
export function loadTfjs(): Promise<Loaded<Tfjs>> {
  tfjs ??= (async (): Promise<Loaded<Tfjs>> => {
    let tf: typeof TF;
    try {
      tf = await import('@tensorflow/tfjs-core');
    } catch (e) {
      return { ok: false, reason: `@tensorflow/tfjs-core is not installed (${why(e)})` };
    }
    try {
      // tfjs-core's Node bundle registers no gradients (the `@tensorflow/tfjs` umbrella does, from
      // its ESM dist, whose extensionless imports plain Node cannot resolve). Under tsx, which
      // runs the benches, `require` transforms and resolves them; the gradient registry lives on
      // globalThis, so gradients registered by this second copy serve the main one.
      require('@tensorflow/tfjs-core/dist/register_all_gradients');
    } catch (e) {
      return { ok: false, reason: `tfjs-core gradients did not load (${why(e)})` };
    }
    const backends = new Map<'cpu' | 'wasm', Loaded<true>>();
    try {
      await import('@tensorflow/tfjs-backend-cpu');
      backends.set('cpu', (await tf.setBackend('cpu')) ? { ok: true, value: true } : { ok: false, reason: 'tfjs cpu backend failed to initialise' });
    } catch (e) {
      backends.set('cpu', { ok: false, reason: `@tensorflow/tfjs-backend-cpu is not installed (${why(e)})` });
    }
    try {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
      backends.set('wasm', (await tf.setBackend('wasm')) ? { ok: true, value: true } : { ok: false, reason: 'tfjs wasm backend failed to initialise' });
    } catch (e) {
      backends.set('wasm', { ok: false, reason: `@tensorflow/tfjs-backend-wasm is not usable (${why(e)})` });
    }
    return { ok: true, value: { tf, backends } };
  })();
  return tfjs;
}

/** Switches tfjs to a backend (and waits for it). */
export async function useBackend(t: Tfjs, backend: 'cpu' | 'wasm'): Promise<void> {
  await t.tf.setBackend(backend);
  await t.tf.ready();
}

/** The layer structure of a step case, engine-neutral. */
export interface ModelSpec {
  family: 'dlgn' | 'dlgn-sf' | 'relu' | 'linear' | 'dlgn-vt';
  inputDim: number;
  widths: number[];
  classes: number;
  batch: number;
  /** Soft-gate inverse temperature (gated families). */
  beta: number;
}

/** Named float parameters in PyTorch layout ([out, in] weights), as our models' `stateDict`. */
export type Params = Record<string, { shape: number[]; data: Float64Array }>;

/**
 * One tfjs training step (forward, softmax cross-entropy, backward, Adam) for the spec, in
 * float32 (tfjs has no float64 kernels): the same layers, gates and initial values as ours.
 * Returns the step function; every tensor a step makes is disposed by `minimize`'s tidy.
 */
export function tfjsStep(t: Tfjs, spec: ModelSpec, params: Params, x: Float64Array, labels: Int32Array): { step: () => number; dispose: () => void } {
  const { tf } = t;
  const vars = new Map<string, TF.Variable>();
  for (const [name, p] of Object.entries(params)) vars.set(name, tf.variable(tf.tensor(Float32Array.from(p.data), p.shape), true, name));
  const v = (name: string): TF.Variable => {
    const r = vars.get(name);
    if (r === undefined) throw new Error(`tfjsStep: no parameter ${name}`);
    return r;
  };
  const n = spec.batch;
  const X = tf.tensor2d(Float32Array.from(x), [n, spec.inputDim]);
  const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), spec.classes);
  const ones = tf.ones([n, spec.inputDim]);
  const L = spec.widths.length;
  // x W^T + b, weights in PyTorch layout
  const dense = (h: TF.Tensor, prefix: string): TF.Tensor => tf.add(tf.matMul(h, v(`${prefix}.weight`), false, true), v(`${prefix}.bias`));
  const forward = (): TF.Tensor => {
    if (spec.family === 'relu' || spec.family === 'linear') {
      let h: TF.Tensor = X;
      for (let l = 0; l < L; l++) {
        const z = dense(h, `layers.${l}`);
        h = spec.family === 'relu' ? tf.relu(z) : z;
      }
      return dense(h, 'out');
    }
    if (spec.family === 'dlgn-vt') return valueTensorForward(tf, spec, X, v);
    let zg: TF.Tensor = X;
    let h: TF.Tensor = ones;
    for (let l = 0; l < L; l++) {
      zg = dense(spec.family === 'dlgn-sf' ? X : zg, `gate.${l}`);
      const g = tf.sigmoid(tf.mul(zg, spec.beta));
      h = tf.mul(g, dense(h, `value.${l}`));
    }
    return dense(h, 'out');
  };
  const opt = tf.train.adam(1e-3);
  const list = [...vars.values()];
  const step = (): number => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(Y, forward() as TF.Tensor2D) as TF.Scalar, true, list);
    const value = loss === null ? NaN : loss.dataSync()[0];
    loss?.dispose();
    return value;
  };
  return {
    step,
    dispose: () => {
      opt.dispose();
      for (const t2 of [X, Y, ones, ...list]) t2.dispose();
    },
  };
}

/**
 * Where a DLGN-VT's contraction splits its L layers (the model's rule, docs/math.md): the s in
 * 1..L-1 with the smallest k P_F + P_B, P_F the product of the first s widths, P_B of the rest.
 */
export function valueTensorSplit(widths: readonly number[], k: number): number {
  let best = 1;
  let bestCost = Infinity;
  for (let s = 1; s < widths.length; s++) {
    const pF = widths.slice(0, s).reduce((a, b) => a * b, 1);
    const pB = widths.slice(s).reduce((a, b) => a * b, 1);
    if (k * pF + pB < bestCost) [best, bestCost] = [s, k * pF + pB];
  }
  return best;
}

/**
 * DLGN-VT in tf ops, meet in the middle as ours computes it: gates sigmoid(beta (x W_l^T + b_l)),
 * each half's path activities by broadcast products, one [n, P_B] x [P_B, k P_F] product with the
 * value tensor and a row-wise contraction with the front half.
 */
function valueTensorForward(tf: typeof TF, spec: ModelSpec, X: TF.Tensor, v: (name: string) => TF.Variable): TF.Tensor {
  const n = spec.batch;
  const k = spec.classes;
  const w = spec.widths;
  const gates = w.map((_, l) => tf.sigmoid(tf.mul(tf.add(tf.matMul(X, v(`gate.${l}.weight`), false, true), v(`gate.${l}.bias`)), spec.beta)));
  const outer = (a: TF.Tensor, b: TF.Tensor): TF.Tensor => tf.reshape(tf.mul(tf.reshape(a, [n, -1, 1]), tf.reshape(b, [n, 1, -1])), [n, -1]);
  if (w.length === 1) return tf.matMul(gates[0], tf.reshape(v('value'), [k, w[0]]), false, true);
  const s = valueTensorSplit(w, k);
  const front = gates.slice(1, s).reduce(outer, gates[0]);
  const back = gates.slice(s + 1).reduce(outer, gates[s]);
  const pF = front.shape[1]!;
  const pB = back.shape[1]!;
  const wm = tf.matMul(back, tf.reshape(v('value'), [k * pF, pB]), false, true); // [n, k P_F]
  return tf.sum(tf.mul(tf.reshape(wm, [n, k, pF]), tf.reshape(front, [n, 1, pF])), 2);
}

// ---- PyTorch --------------------------------------------------------------------------------

/** Where Debian's PyTorch lives (bench/machines.md): the system interpreter, not a pyenv shim. */
export const PYTHON = '/usr/bin/python3';

/**
 * The environment for the PyTorch subprocess: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are set on
 * these machines and slow OpenBLAS by ~40% (bench/machines.md); they are removed here, for the bench
 * subprocess only, and one BLAS/OpenMP thread is asked for (the script also calls
 * torch.set_num_threads(1)).
 */
export function torchEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** One request to bench/torch_step.py and its answer. */
export interface TorchCase {
  spec: ModelSpec;
  params: Params;
  x: Float64Array;
  labels: Int32Array;
  /** Timed steps after warm-up. */
  steps: number;
  warmup: number;
  /** DLGN-VT only: how the value tensor is contracted ('mitm', the default, or one torch.einsum call). */
  variant?: 'mitm' | 'einsum';
}

export interface TorchResult {
  medianMs: number;
  samples: number[];
  loss0: number;
}

/** A long-lived `python3 bench/torch_step.py` answering one JSON line per request. */
export class TorchWorker {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  readonly version: string;

  private constructor(proc: ChildProcessWithoutNullStreams, lines: AsyncIterator<string>, version: string) {
    this.proc = proc;
    this.lines = lines;
    this.version = version;
  }

  /** Starts the script if /usr/bin/python3 can import torch; otherwise says why not. */
  static async start(): Promise<Loaded<TorchWorker>> {
    const script = join(BENCH_DIR, 'torch_step.py');
    if (!existsSync(PYTHON)) return { ok: false, reason: `${PYTHON} not found` };
    const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { env: torchEnv(), encoding: 'utf8', timeout: 120_000 });
    if (probe.status !== 0) {
      return { ok: false, reason: `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread)` };
    }
    const proc = spawn(PYTHON, [script], { env: torchEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
    const first = await lines.next();
    if (first.done) return { ok: false, reason: `torch_step.py exited at start: ${stderr.trim().split('\n').at(-1) ?? ''}` };
    const hello = JSON.parse(first.value) as { torch: string; threads: number; blas: string };
    return { ok: true, value: new TorchWorker(proc, lines, `torch ${hello.torch}, ${hello.threads} thread, ${hello.blas}`) };
  }

  async run(c: TorchCase): Promise<TorchResult> {
    const params: Record<string, { shape: number[]; data: number[] }> = {};
    for (const [k, p] of Object.entries(c.params)) params[k] = { shape: p.shape, data: Array.from(p.data) };
    const req = { spec: c.spec, params, x: Array.from(c.x), labels: Array.from(c.labels), steps: c.steps, warmup: c.warmup, variant: c.variant ?? 'mitm' };
    this.proc.stdin.write(`${JSON.stringify(req)}\n`);
    const r = await this.lines.next();
    if (r.done) throw new Error('torch_step.py exited');
    const out = JSON.parse(r.value) as TorchResult & { error?: string };
    if (out.error !== undefined) throw new Error(`torch_step.py: ${out.error}`);
    return out;
  }

  close(): void {
    this.proc.stdin.end();
  }
}
