// Training: the Trainer's step, evaluate and predict, and the loop of fit and fitAsync (its parts are in ./fit/).

import { type Var, noGrad } from '../autograd/engine.js';
import { crossEntropy, hinge, logistic, mse } from '../autograd/ops/loss.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { Workspace, withWorkspace } from '../tensor/workspace.js';
import type { Network } from './families.js';
import { EarlyStopping } from './fit/early-stopping.js';
import { LOSSES, checkDataset, checkLossKind, nonNegative, positiveInt } from './fit/checks.js';
import { DivergenceError, DivergenceGuard } from './fit/guard.js';
import { Batches } from './fit/batches.js';
import { type FitPlan, resolveFitOptions } from './fit/options.js';
import { freezeOthers, trainableSet } from './fit/trainable.js';
import type { Dataset, EpochLog, FitAsyncOptions, FitOptions, History, LossKind } from './fit/types.js';
import { Optimizer } from './optim.js';

export type { Dataset, EpochLog, FitAsyncOptions, FitOptions, History, LossKind, TrainBegin } from './fit/types.js';
export { DivergenceError };

/**
 * The loss of `kind` between model outputs and targets, as a differentiable scalar.
 *
 * @example
 * ```ts
 * const l = lossOf('ce', model.forward(x), labels); // labels: Tensor [n] of class indices
 * l.backward();
 * ```
 */
export function lossOf(kind: LossKind, out: Var, y: Tensor): Var {
  switch (kind) {
    case 'mse':
      return mse(out, y);
    case 'ce':
      return crossEntropy(out, y);
    case 'logistic':
      return logistic(out, y);
    case 'hinge':
      return hinge(out, y);
    default:
      throw new Error(`lossOf: loss must be one of ${LOSSES.join(', ')}, got ${JSON.stringify(kind)}`);
  }
}

/**
 * Correct predictions in a batch: `ce` by argmax (first on ties); `logistic`/`hinge` predict
 * the positive class (label 1) when the score is > 0, the negative one (0 or -1) otherwise.
 */
function countCorrect(kind: LossKind, out: Tensor, y: Tensor): number {
  const o = out.contiguous().values();
  const labels = y.values();
  const n = labels.length;
  let correct = 0;
  if (kind === 'ce') {
    const k = o.length / n;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < k; j++) if (o[i * k + j] > o[i * k + best]) best = j;
      if (best === labels[i]) correct++;
    }
  } else {
    for (let i = 0; i < n; i++) if (o[i] > 0 === (labels[i] === 1)) correct++;
  }
  return correct;
}

/** Options of a `Trainer`. */
export interface TrainerOptions {
  loss: LossKind;
  optimizer: Optimizer;
  /**
   * Makes the workspace buffers (default `new Float64Array(n)`); Node's `allocShared`
   * (src/node) keeps a step's intermediates where worker threads can read them without a copy.
   * When given, the model's parameters are moved into such buffers as well (same values; each
   * parameter keeps its `Var`, whose `.value` becomes a tensor over the new buffer), so the
   * weights, which every layer's product reads, need no copy either.
   */
  allocate?: (n: number) => Float64Array;
}

/**
 * One training step, set up once for a model, a loss and an optimiser and then repeated without
 * allocating tensor memory: the step runs on the tape as always (`model.forward`, the loss,
 * `backward()`, `optimizer.step()`, so it computes exactly what that loop computes, bit for
 * bit), inside a `Workspace` per batch size that hands every kernel the buffer it had the step
 * before. Parameter gradients and optimiser state live outside the workspace (they are
 * allocated once, on the first step, and updated in place afterwards).
 *
 * What remains per step is the tape itself: small node, tensor-header and closure objects
 * (a few kB, young-generation garbage); `bench/step.bench.ts` measures both.
 *
 * Lifetime rule: `output`, and every tensor made during a step, is overwritten by the next step
 * on a batch of the same size. Copy what you keep.
 *
 * @example
 * ```ts
 * const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [16, 16, 16, 16], outputDim: 2 }, { rng: 1 });
 * const trainer = new Trainer(model, { loss: 'ce', optimizer: new Adam(model.parameters(), { lr: 1e-3 }) });
 * for (let s = 0; s < 1000; s++) trainer.step(x, labels); // returns each batch's loss before its update
 * ```
 */
export class Trainer {
  readonly model: Network;
  readonly loss: LossKind;
  readonly optimizer: Optimizer;
  /** The model output of the last `lossAndGrad` or `step`; valid until the next one. */
  output: Tensor | null = null;
  private readonly workspaces = new Map<number, Workspace>();
  private readonly allocate: ((n: number) => Float64Array) | undefined;

  constructor(model: Network, options: TrainerOptions) {
    this.model = model;
    this.loss = checkLossKind('Trainer', options.loss);
    if (!(options.optimizer instanceof Optimizer)) throw new Error('Trainer: optimizer must be an Optimizer');
    this.optimizer = options.optimizer;
    this.allocate = options.allocate;
    const allocate = options.allocate;
    if (allocate !== undefined) {
      for (const p of model.parameters()) {
        const data = allocate(p.value.size);
        data.set(p.value.values());
        p.value = new Tensor(data, p.value.shape);
      }
    }
  }

  /** The workspace used for batches of `rows` samples (made on first use). */
  workspace(rows: number): Workspace {
    let ws = this.workspaces.get(rows);
    if (ws === undefined) {
      // without a custom allocator the buffers live in one arena, where the elementwise kernels
      // run their compiled WebAssembly loops (src/tensor/arena.ts, src/tensor/kernels.ts)
      ws = this.allocate === undefined ? new Workspace(undefined, { arena: true }) : new Workspace(this.allocate);
      this.workspaces.set(rows, ws);
    }
    return ws;
  }

  /**
   * Zeroes the gradients, runs forward and the loss on (x, y), and, when the loss is finite,
   * backward, which fills `.grad` of the parameters. Returns the loss; does not update.
   */
  lossAndGrad(x: Tensor, y: Tensor): number {
    const { model, loss: kind, optimizer } = this;
    optimizer.zeroGrad();
    return withWorkspace(this.workspace(x.shape[0]), () => {
      const out = model.forward(x);
      const loss = lossOf(kind, out, y);
      const lv = loss.item();
      this.output = out.value;
      if (Number.isFinite(lv)) loss.backward();
      return lv;
    });
  }

  /** The optimiser's update from the gradients of the last `lossAndGrad`. */
  update(): void {
    this.optimizer.step();
  }

  /** `lossAndGrad` then, if the loss is finite, `update`; returns the loss before the update. */
  step(x: Tensor, y: Tensor): number {
    const lv = this.lossAndGrad(x, y);
    if (Number.isFinite(lv)) this.update();
    return lv;
  }
}

/**
 * Loss (and, for ce/logistic/hinge, accuracy) of a model on a dataset, under `noGrad`. Every
 * loss is a mean over samples, so batches are combined weighted by their size; `batchSize`
 * (default: one pass) bounds memory only. Accuracy is as in `EpochLog.accuracy`; mse has none.
 *
 * @example
 * ```ts
 * const { loss, accuracy } = evaluate(model, { x, y: labels }, 'ce');
 * ```
 */
export function evaluate(model: Network, data: Dataset, loss: LossKind, batchSize?: number): { loss: number; accuracy?: number } {
  const kind = checkLossKind('evaluate', loss);
  const n = checkDataset('evaluate', 'data', model, data, kind);
  const bs = batchSize === undefined ? n : Math.min(positiveInt('evaluate', 'batchSize', batchSize), n);
  return noGrad(() => {
    let total = 0;
    let correct = 0;
    for (let s = 0; s < n; s += bs) {
      const e = Math.min(s + bs, n);
      const xb = bs === n ? data.x : data.x.slice([s, e]);
      const yb = bs === n ? data.y : data.y.slice([s, e]);
      const out = model.forward(xb);
      total += lossOf(kind, out, yb).item() * (e - s);
      if (kind !== 'mse') correct += countCorrect(kind, out.value, yb);
    }
    return kind === 'mse' ? { loss: total / n } : { loss: total / n, accuracy: correct / n };
  });
}

/**
 * Model outputs [n, k] for inputs [n, d], under `noGrad`, `batchSize` rows at a time
 * (default: one pass).
 *
 * @example
 * ```ts
 * const scores = predict(model, x, 256);
 * ```
 */
export function predict(model: Network, x: Tensor, batchSize?: number): Tensor {
  const k = model.config.outputDim;
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== model.config.inputDim) {
    throw new Error(`predict: x must be [n, ${model.config.inputDim}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
  const n = x.shape[0];
  if (n === 0) return Tensor.zeros([0, k]);
  const bs = batchSize === undefined ? n : Math.min(positiveInt('predict', 'batchSize', batchSize), n);
  return noGrad(() => {
    if (bs === n) return model.forward(x).value.contiguous();
    const out = Tensor.zeros([n, k]);
    for (let s = 0; s < n; s += bs) {
      const e = Math.min(s + bs, n);
      out.data.set(model.forward(x.slice([s, e])).value.contiguous().values(), s * k);
    }
    return out;
  });
}

/**
 * Trains `model` in place and returns the per-epoch history. Per batch: zeroGrad, forward,
 * loss, finiteness check, backward, optimiser step. Frozen parameters (`freeze`, `train`, or
 * not in a given optimiser) are left out of the optimiser and have `requiresGrad` switched off
 * for the duration, so no gradient is computed for them; the flags are restored afterwards.
 *
 * Non-finite loss: if a batch loss is NaN or infinite, the parameters are restored to the last
 * values that gave a finite batch loss — the ones before the most recent optimiser step, which
 * is the step that produced the bad weights — and `fit` throws
 * `${op}: loss became NaN at epoch 3, batch 2; weights restored to the last finite step`. The same
 * restore happens (with a "parameters became non-finite" message) if the weights hold NaN or
 * infinity at the end of an epoch, and if a batch loss exceeds `maxLossGrowth` (default 1e6)
 * times the first positive batch loss (an exploding run: "loss exploded to 1.6e+18 ..."). The
 * error is a {@link DivergenceError} whose `detail` has the reason, epoch, batch, loss and the
 * history so far, so a caller can save the restored weights. The copy lives in buffers allocated once.
 *
 * Abort: `signal` is checked before every batch; an abort returns with `stopped: 'aborted'`,
 * `steps` = the steps completed, and the weights as after the last of them. If it fires in
 * `onBatchEnd` after the s-th step, `steps` is s. An abort after the final step changes nothing
 * (`stopped` stays as it would have been).
 *
 * The same seed, model and options give the same history and bit-identical weights.
 *
 * @example
 * ```ts
 * const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng: 1 });
 * const history = fit(model, { x, y: labels }, { loss: 'ce', epochs: 100, batchSize: 32, lr: 0.01 });
 * history.epochs.at(-1)?.accuracy;
 * fit(model, { x, y: labels }, { loss: 'ce', epochs: 50, train: 'values' }); // kernel regime: gates fixed
 * ```
 */
export function fit(model: Network, data: Dataset, options: FitOptions): History {
  const run = trainSteps('fit', model, data, options);
  for (;;) {
    const r = run.next();
    if (r.done === true) return r.value;
  }
}

/**
 * {@link fit} that gives the event loop a turn while it trains, so a page can repaint, show
 * progress or stop it (`signal`), and a server keeps answering. Same loop, same numbers: the
 * weights and history are bit for bit those of `fit` with the same arguments; only the pauses
 * differ. Callbacks that return a promise are awaited before training goes on. Resolves with
 * the history; rejects with the error `fit` would throw (weights restored as there).
 *
 * The model must not be trained by anything else while this runs (reading it, e.g. drawing
 * its regions between steps, is fine).
 *
 * @example
 * ```ts
 * import { DLGN, fitAsync, xor } from 'halfspace';
 * const net = new DLGN({ inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng: 1 });
 * const stop = new AbortController();
 * const history = await fitAsync(net, xor({ n: 200, seed: 1 }), {
 *   loss: 'ce', epochs: 20, batchSize: 50, lr: 0.02, signal: stop.signal,
 *   yieldEvery: { ms: 16 },
 *   onEpochEnd: (e) => console.log(`epoch ${e.epoch}: loss ${e.loss.toFixed(3)}`),
 * });
 * console.assert(history.epochs.length === 20);
 * ```
 */
export async function fitAsync(model: Network, data: Dataset, options: FitAsyncOptions): Promise<History> {
  const every = options?.yieldEvery ?? { ms: 16 };
  if (typeof every !== 'object' || every === null) throw new Error('fitAsync: yieldEvery must be { steps?, ms? }');
  const steps = every.steps === undefined ? Infinity : positiveInt('fitAsync', 'yieldEvery.steps', every.steps);
  const ms = every.ms === undefined ? Infinity : nonNegative('fitAsync', 'yieldEvery.ms', every.ms);
  const run = trainSteps('fitAsync', model, data, options);
  let since = 0;
  let last = now();
  let r = run.next();
  while (r.done !== true) {
    let resume: unknown;
    let failed = false;
    try {
      if (r.value !== undefined) {
        // a callback's promise: wait for it, whatever the schedule
        resume = await r.value;
        last = now();
      } else if (++since >= steps || now() - last >= ms) {
        await nextTask();
        since = 0;
        last = now();
      }
    } catch (e) {
      resume = e;
      failed = true;
    }
    // a rejected callback promise is thrown into the loop, so its finally restores the flags
    r = failed ? run.throw(resume) : run.next();
  }
  return r.value;
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Resolves in a later macrotask: setImmediate where it exists (Node), else a MessageChannel message, else setTimeout. */
function nextTask(): Promise<void> {
  type Port = { onmessage: (() => void) | null; close(): void; postMessage(v: unknown): void };
  const g = globalThis as unknown as { setImmediate?: (f: () => void) => unknown; MessageChannel?: new () => { port1: Port; port2: Port } };
  return new Promise((resolve) => {
    if (typeof g.setImmediate === 'function') g.setImmediate(resolve);
    else if (typeof g.MessageChannel === 'function') {
      const ch = new g.MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    } else setTimeout(resolve, 0);
  });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * The training loop of {@link fit} and {@link fitAsync}, written once: it yields after every
 * optimiser step (`undefined`) and after a callback that returned a promise (the promise, for
 * `fitAsync` to await; `fit` does not wait). Pausing between steps changes nothing computed.
 */
function* trainSteps(op: 'fit' | 'fitAsync', model: Network, data: Dataset, options: FitOptions): Generator<PromiseLike<unknown> | undefined, History> {
  const plan = resolveFitOptions(op, model, data, options);
  const { loss: kind, epochs, n, batchSize: bs } = plan;
  const { optimizer, params, scheduler } = trainableSet(op, model, options, epochs);
  const { signal, onBatchEnd, onEpochEnd, onTrainBegin, onTrainEnd } = options;
  const history: History = { epochs: [], stopped: 'completed', bestEpoch: -1, steps: 0 };
  const guard = new DivergenceGuard(op, params, plan.growth, history);
  const stopping = new EarlyStopping(plan.stopping);
  // the step itself: a Trainer (one workspace per batch size, so steady-state steps allocate no
  // tensor memory), and the batches, gathered into row buffers kept per batch size
  const trainer = new Trainer(model, { loss: kind, optimizer });
  const batches = new Batches(data, plan);
  const classification = kind !== 'mse';

  const thaw = freezeOthers(model, params);
  try {
    const begun = onTrainBegin?.({ epochs, samples: n, batchSize: bs, stepsPerEpoch: Math.ceil(n / bs) });
    if (isThenable(begun)) yield begun;
    epochLoop: for (let epoch = 0; epoch < epochs; epoch++) {
      if (signal?.aborted) {
        history.stopped = 'aborted';
        break;
      }
      const beta = epochBeta(op, model, plan, epoch);
      const lr = optimizer.groups.map((g) => g.lr);
      batches.newEpoch();
      let lossSum = 0;
      let correct = 0;
      let batch = 0;
      for (let start = 0; start < n; start += bs, batch++) {
        if (signal?.aborted) {
          history.stopped = 'aborted';
          break epochLoop;
        }
        const { x: xb, y: yb } = batches.at(start);
        // zeroGrad, forward, loss and (if finite) backward, in the trainer's workspace; backward
        // leaves the weights alone, so the guard's copy taken after it is the weights before the step
        const lv = trainer.lossAndGrad(xb, yb);
        guard.check(lv, epoch, batch);
        trainer.update();
        history.steps++;
        lossSum += lv * yb.shape[0];
        if (classification) correct += countCorrect(kind, trainer.output!, yb);
        const batchDone = onBatchEnd?.({ epoch, batch, loss: lv });
        if (isThenable(batchDone)) yield batchDone;
        yield undefined;
      }
      guard.checkWeights(epoch, batch - 1);
      const log: EpochLog = { epoch, loss: lossSum / n, lr };
      if (classification) log.accuracy = correct / n;
      if (plan.validation !== undefined) {
        const v = evaluate(model, plan.validation, kind, plan.validationBatchSize);
        log.valLoss = v.loss;
        if (v.accuracy !== undefined) log.valAccuracy = v.accuracy;
      }
      if (beta !== undefined) log.beta = beta;
      history.epochs.push(log);
      scheduler?.step();
      const stop = stopping.update(log);
      history.bestEpoch = stopping.bestEpoch;
      const epochDone = onEpochEnd?.(log);
      if (isThenable(epochDone)) yield epochDone;
      if (stop !== null) {
        history.stopped = stop;
        break;
      }
    }
    const ended = onTrainEnd?.(history);
    if (isThenable(ended)) yield ended;
  } finally {
    thaw();
  }
  return history;
}

/**
 * The epoch's soft-gate beta: `betaSchedule(epoch)`, checked and set on the model
 * (`setBeta`), or the model's own; undefined for a model without soft gates.
 */
function epochBeta(op: string, model: Network, plan: FitPlan, epoch: number): number | undefined {
  if (plan.betaSchedule === undefined) return plan.softGates ? model.config.beta : undefined;
  const beta = plan.betaSchedule(epoch);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
    throw new Error(`${op}: betaSchedule(${epoch}) returned ${String(beta)}; beta must be a finite number > 0`);
  }
  model.setBeta(beta);
  return beta;
}
