// The public types of fit and fitAsync: the data, the options, the per-epoch log and the history.

import type { Rng } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Optimizer } from '../optim.js';

/**
 * Inputs and targets. `x` is [n, d]; `y` is [n, k] float targets for `mse`, or [n] labels for
 * the classification losses: integers in [0, k) for `ce`, {0, 1} or {-1, +1} for `logistic`
 * and `hinge` (which need a model with one output).
 */
export interface Dataset {
  x: Tensor;
  y: Tensor;
}

/** The losses of `src/autograd/ops/loss.ts`. */
export type LossKind = 'mse' | 'ce' | 'logistic' | 'hinge';

/** One finished epoch. Epochs and batches count from 0 everywhere (logs, callbacks, errors). */
export interface EpochLog {
  epoch: number;
  /** Mean of the epoch's batch losses weighted by batch size (each taken before its step). */
  loss: number;
  /**
   * Classification losses only: the fraction of training samples the batch outputs got right,
   * counted on the same forward passes as `loss` (free, no extra pass; the weights move during
   * the epoch, so for minibatches this is a running figure, not the end-of-epoch accuracy).
   */
  accuracy?: number;
  /** `evaluate` on `options.validation` with the weights at the end of the epoch. */
  valLoss?: number;
  valAccuracy?: number;
  /** Learning rate of every optimiser group during this epoch (schedules step after it). */
  lr: number[];
  /** The soft-gate beta used during this epoch (soft-gated models only). */
  beta?: number;
}

/** What `fit` returns. */
export interface History {
  /** Completed epochs only: an epoch cut short by an abort is not logged. */
  epochs: EpochLog[];
  stopped: 'completed' | 'early-stopping' | 'loss-threshold' | 'aborted';
  /** The epoch with the lowest monitored loss (valLoss with validation, else loss); -1 if none. */
  bestEpoch: number;
  /** Optimiser steps taken, one per batch. */
  steps: number;
}

/** Options of `fit`; only `loss` and `epochs` are required. */
export interface FitOptions {
  loss: LossKind;
  epochs: number;
  /** Samples per step; default (and anything >= n) is one full batch. The last batch may be smaller. */
  batchSize?: number;
  /** Default `adam`. An `Optimizer` instance is used as is: its parameters are the trainable ones. */
  optimizer?: 'adam' | 'sgd' | 'adamw' | Optimizer;
  /** Default 1e-3 for adam/adamw, 0.1 for sgd. */
  lr?: number;
  /** SGD only. */
  momentum?: number;
  weightDecay?: number;
  /** Adam/AdamW only. */
  betas?: [number, number];
  /** Adam/AdamW only. */
  eps?: number;
  /** Stepped once per epoch, after the epoch's optimiser steps. Cosine `tMax` defaults to `epochs`. */
  schedule?: { kind: 'step'; stepSize: number; gamma?: number } | { kind: 'cosine'; tMax?: number; etaMin?: number };
  /** Seed (default 0) or generator for the per-epoch shuffle; a generator passed in is advanced. */
  seed?: number | Rng;
  /** Reshuffle the samples every epoch (default true). */
  shuffle?: boolean;
  validation?: Dataset;
  /** Parameters whose name starts with any prefix are not updated (e.g. `['gate.']`: the kernel regime). */
  freeze?: string[];
  /** The paper's regimes: `both` (default), `gates` (only gate.* train), `values` (gate.* frozen). */
  train?: 'both' | 'gates' | 'values';
  /**
   * Separate rates / weight decays for gating (`gate.*`) and value (every other) parameters.
   * Giving any of the four makes two optimiser groups, named 'gate' and 'value', in that order.
   */
  gateLr?: number;
  valueLr?: number;
  gateWeightDecay?: number;
  valueWeightDecay?: number;
  /** Soft-gated models only: sets the model's beta (`setBeta`) at the start of every epoch; the last value stays. */
  betaSchedule?: (epoch: number) => number;
  /**
   * Stop after `patience` consecutive epochs in which the monitored loss did not drop below the
   * best so far by more than `minDelta` (no patience rule when `patience` is omitted), or as soon
   * as it is <= `lossThreshold`. `monitor` defaults to `valLoss` with validation data, else `loss`.
   */
  earlyStopping?: { patience?: number; minDelta?: number; monitor?: 'loss' | 'valLoss'; lossThreshold?: number };
  /**
   * Divergence guard: a batch loss above `maxLossGrowth` times the first positive batch loss is
   * an exploding run, treated like a non-finite loss (weights restored to the last step whose
   * loss passed, a `DivergenceError` thrown). Default 1e6; `Infinity` turns the finite
   * guard off (NaN and infinite losses are always refused).
   */
  maxLossGrowth?: number;
  /** Checked before every batch; an abort returns the history so far with `stopped: 'aborted'`. */
  signal?: AbortSignal;
  /**
   * Called once, after the options and data are checked and before the first step. Callbacks may
   * return a promise: `fitAsync` waits for it before going on, `fit` does not.
   */
  onTrainBegin?: (t: TrainBegin) => unknown;
  /** Called after every completed epoch with its log (the same object `History.epochs` keeps). */
  onEpochEnd?: (e: EpochLog) => unknown;
  /** Called after each optimiser step with the batch loss computed before it. */
  onBatchEnd?: (b: { epoch: number; batch: number; loss: number }) => unknown;
  /** Called once with the history when training stops without an error (completed, early stop, abort). */
  onTrainEnd?: (h: History) => unknown;
}

/** What `onTrainBegin` receives. */
export interface TrainBegin {
  epochs: number;
  /** Training samples. */
  samples: number;
  /** Samples per step (the last batch of an epoch may be smaller). */
  batchSize: number;
  stepsPerEpoch: number;
}

/** Options of `fitAsync`: those of `fit`, and how often to give the event loop a turn. */
export interface FitAsyncOptions extends FitOptions {
  /**
   * Yield (a macrotask: setImmediate on Node, a MessageChannel message in browsers) after
   * `steps` optimiser steps or once `ms` milliseconds have passed since the last yield,
   * whichever comes first. Default `{ ms: 16 }`: about one frame, so a page keeps repainting.
   */
  yieldEvery?: { steps?: number; ms?: number };
}
