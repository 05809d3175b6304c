// fit's options checked once, before any work, into a typed plan of the run.

import { Rng } from '../../tensor/random.js';
import { isGated } from '../config.js';
import type { Network } from '../families.js';
import { checkDataset, checkLossKind, nonNegative, positiveInt } from './checks.js';
import type { StoppingRule } from './early-stopping.js';
import type { Dataset, FitOptions, LossKind } from './types.js';

const FIT_FIELDS = new Set([
  'loss', 'epochs', 'batchSize', 'optimizer', 'lr', 'momentum', 'weightDecay', 'betas', 'eps', 'schedule', 'seed',
  'shuffle', 'validation', 'freeze', 'train', 'gateLr', 'valueLr', 'gateWeightDecay', 'valueWeightDecay',
  'betaSchedule', 'earlyStopping', 'maxLossGrowth', 'signal', 'onTrainBegin', 'onEpochEnd', 'onBatchEnd', 'onTrainEnd',
]);

/**
 * A run of `fit` as checked options. The optimiser's fields (`optimizer`, `lr`, ..., `freeze`,
 * `train`, `schedule`) are checked by `trainableSet`, against the model's parameters.
 */
export interface FitPlan {
  readonly loss: LossKind;
  readonly epochs: number;
  /** Training samples. */
  readonly n: number;
  /** Samples per step, at most n. */
  readonly batchSize: number;
  /** The per-epoch shuffle's generator (the one passed in, or one made from the seed). */
  readonly rng: Rng;
  readonly shuffle: boolean;
  readonly validation: Dataset | undefined;
  /** The `batchSize` option as given, for `evaluate` on the validation data (which clamps it itself). */
  readonly validationBatchSize: number | undefined;
  /** Soft-gated model: each epoch logs its beta. */
  readonly softGates: boolean;
  readonly betaSchedule: ((epoch: number) => number) | undefined;
  /** The divergence guard's `maxLossGrowth`. */
  readonly growth: number;
  readonly stopping: StoppingRule;
}

/** Checks fit's options and data (errors name the operation, the field and the value) and plans the run. */
export function resolveFitOptions(op: 'fit' | 'fitAsync', model: Network, data: Dataset, options: FitOptions): FitPlan {
  if (typeof options !== 'object' || options === null) throw new Error(`${op}: options must be an object with loss and epochs`);
  for (const key of Object.keys(options)) {
    if (!FIT_FIELDS.has(key) && !(op === 'fitAsync' && key === 'yieldEvery')) throw new Error(`${op}: unknown option '${key}'`);
  }
  const loss = checkLossKind(op, options.loss);
  const epochs = positiveInt(op, 'epochs', options.epochs);
  const n = checkDataset(op, 'data', model, data, loss);
  const batchSize = options.batchSize === undefined ? n : Math.min(positiveInt(op, 'batchSize', options.batchSize), n);
  if (options.validation !== undefined) checkDataset(op, 'validation', model, options.validation, loss);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') {
    throw new Error(`${op}: shuffle must be true or false, got ${JSON.stringify(options.shuffle)}`);
  }
  const seed = options.seed ?? 0;
  if (!(seed instanceof Rng) && (typeof seed !== 'number' || !Number.isInteger(seed))) {
    throw new Error(`${op}: seed must be an integer or an Rng, got ${JSON.stringify(seed)}`);
  }
  const c = model.config;
  const softGates = isGated(c.kind) && c.gate === 'soft';
  if (options.betaSchedule !== undefined && !softGates) {
    throw new Error(
      `${op}: betaSchedule needs a model with soft gates; this ${c.kind} network has ${isGated(c.kind) ? 'hard gates' : 'no beta'}`,
    );
  }
  const growth = options.maxLossGrowth ?? 1e6;
  if (typeof growth !== 'number' || Number.isNaN(growth) || growth <= 1) {
    throw new Error(`${op}: maxLossGrowth must be a number > 1 (Infinity: no finite guard), got ${String(growth)}`);
  }
  return {
    loss,
    epochs,
    n,
    batchSize,
    rng: seed instanceof Rng ? seed : new Rng(seed),
    shuffle: options.shuffle ?? true,
    validation: options.validation,
    validationBatchSize: options.batchSize,
    softGates,
    betaSchedule: options.betaSchedule,
    growth,
    stopping: stoppingRule(op, options),
  };
}

function stoppingRule(op: string, options: FitOptions): StoppingRule {
  const es = options.earlyStopping ?? {};
  const monitor = es.monitor ?? (options.validation !== undefined ? 'valLoss' : 'loss');
  if (monitor !== 'loss' && monitor !== 'valLoss') throw new Error(`${op}: earlyStopping.monitor must be loss or valLoss, got ${JSON.stringify(monitor)}`);
  if (monitor === 'valLoss' && options.validation === undefined) throw new Error(`${op}: earlyStopping.monitor is 'valLoss' but no validation data was given`);
  const patience = es.patience === undefined ? undefined : positiveInt(op, 'earlyStopping.patience', es.patience);
  const minDelta = es.minDelta === undefined ? 0 : nonNegative(op, 'earlyStopping.minDelta', es.minDelta);
  if (es.lossThreshold !== undefined && (typeof es.lossThreshold !== 'number' || Number.isNaN(es.lossThreshold))) {
    throw new Error(`${op}: earlyStopping.lossThreshold must be a number, got ${JSON.stringify(es.lossThreshold)}`);
  }
  return { monitor, patience, minDelta, lossThreshold: es.lossThreshold };
}
