// Which parameters fit trains, and the optimiser and learning-rate schedule that train them.

import type { Var } from '../../autograd/engine.js';
import { isGated } from '../config.js';
import type { Network } from '../families.js';
import { Adam, AdamW, CosineLR, type LRScheduler, Optimizer, type ParamGroup, SGD, StepLR } from '../optim.js';
import { nonNegative, positiveInt } from './checks.js';
import type { FitOptions } from './types.js';

/** Options that configure an optimiser `fit` builds; with an `Optimizer` instance they would be ignored. */
const BUILD_FIELDS = ['lr', 'momentum', 'weightDecay', 'betas', 'eps', 'gateLr', 'valueLr', 'gateWeightDecay', 'valueWeightDecay'] as const;
const GROUP_FIELDS = ['gateLr', 'valueLr', 'gateWeightDecay', 'valueWeightDecay'] as const;

const isGate = (name: string): boolean => name.startsWith('gate.');

/** What trains in a run of `fit`. */
export interface TrainableSet {
  /** The optimiser `fit` built, or the one passed in (checked against the model and the frozen set). */
  readonly optimizer: Optimizer;
  /** The parameters it updates: the trainable ones. */
  readonly params: Var[];
  /** Stepped once per epoch; null without a `schedule`. */
  readonly scheduler: LRScheduler | null;
}

/**
 * Checks `freeze`, `train`, the optimiser options and `schedule` against the model, in that
 * order, and builds what trains: every parameter not frozen, or those of a given optimiser.
 */
export function trainableSet(op: string, model: Network, options: FitOptions, epochs: number): TrainableSet {
  const named = model.namedParameters();
  const frozen = frozenNames(op, model, options.freeze, options.train);
  let optimizer: Optimizer;
  if (options.optimizer instanceof Optimizer) {
    for (const f of BUILD_FIELDS) {
      if (options[f] !== undefined) throw new Error(`${op}: ${f} would be ignored: the optimizer passed in was built with its own settings`);
    }
    optimizer = options.optimizer;
    const byVar = new Map(named.map(([name, p]) => [p, name]));
    for (const p of optimizer.params()) {
      const name = byVar.get(p);
      if (name === undefined) throw new Error(`${op}: the optimizer holds a parameter (${p.name ?? 'unnamed'}) that is not one of this model's`);
      if (frozen.has(name)) throw new Error(`${op}: the optimizer updates '${name}', which freeze/train marks frozen`);
    }
  } else {
    optimizer = buildOptimizer(op, model, options, named.filter(([name]) => !frozen.has(name)));
  }
  const params = optimizer.params();
  if (params.length === 0) throw new Error(`${op}: no parameter is left to train (frozen: ${[...frozen].join(', ')})`);
  const trainable = new Set(params);
  const hardGated = model.config.gate === 'hard' && isGated(model.config.kind);
  if (hardGated && named.every(([name, p]) => !trainable.has(p) || isGate(name))) {
    // the step gate's rule returns no gradient, so every step would be a silent no-op
    throw new Error(`${op}: only gate.* parameters would train, but hard gates pass no gradient to them`);
  }
  return { optimizer, params, scheduler: buildScheduler(op, options.schedule, optimizer, epochs) };
}

/**
 * Switches `requiresGrad` off on every parameter of the model outside `trainable`, so no
 * gradient is computed for them; returns what puts the flags back as they were.
 */
export function freezeOthers(model: Network, trainable: readonly Var[]): () => void {
  const keep = new Set(trainable);
  const named = model.namedParameters();
  const flags = named.map(([, p]) => p.requiresGrad);
  for (const [, p] of named) if (!keep.has(p)) p.requiresGrad = false;
  return () =>
    named.forEach(([, p], i) => {
      p.requiresGrad = flags[i];
    });
}

/** The parameters frozen by `freeze` and `train`, by name; unknown prefixes are errors. */
function frozenNames(op: string, model: Network, freeze: unknown, train: unknown): Set<string> {
  const names = model.namedParameters().map(([n]) => n);
  const prefixes: string[] = [];
  if (freeze !== undefined) {
    if (!Array.isArray(freeze) || !freeze.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new Error(`${op}: freeze must be a list of non-empty name prefixes, got ${JSON.stringify(freeze)}`);
    }
    for (const p of freeze as string[]) {
      if (!names.some((n) => n.startsWith(p))) {
        throw new Error(`${op}: freeze prefix '${p}' matches no parameter (the model has ${names.join(', ')})`);
      }
      prefixes.push(p);
    }
  }
  const regime = train ?? 'both';
  if (regime !== 'both' && regime !== 'gates' && regime !== 'values') {
    throw new Error(`${op}: train must be one of both, gates, values, got ${JSON.stringify(train)}`);
  }
  if (regime !== 'both' && !names.some(isGate)) {
    throw new Error(`${op}: train: '${regime}' needs gate.* parameters, but a ${model.config.kind} network has none`);
  }
  return new Set(
    names.filter(
      (n) => prefixes.some((p) => n.startsWith(p)) || (regime === 'gates' && !isGate(n)) || (regime === 'values' && isGate(n)),
    ),
  );
}

/** The optimiser `fit` builds from the options, over the trainable parameters only. */
function buildOptimizer(op: string, model: Network, options: FitOptions, trainable: [string, Var][]): Optimizer {
  const kind = options.optimizer ?? 'adam';
  if (kind !== 'adam' && kind !== 'adamw' && kind !== 'sgd') {
    throw new Error(`${op}: optimizer must be adam, adamw, sgd or an Optimizer, got ${JSON.stringify(kind)}`);
  }
  for (const f of ['lr', 'weightDecay', ...GROUP_FIELDS] as const) {
    if (options[f] !== undefined) nonNegative(op, f, options[f]);
  }
  if (kind === 'sgd' && (options.betas !== undefined || options.eps !== undefined)) {
    throw new Error(`${op}: betas and eps apply to adam and adamw, not sgd`);
  }
  if (kind !== 'sgd' && options.momentum !== undefined) throw new Error(`${op}: momentum applies to sgd, not ${kind}`);
  const lr = options.lr ?? (kind === 'sgd' ? 0.1 : 1e-3);
  let params: Var[] | ParamGroup[] = trainable.map(([, p]) => p);
  if (GROUP_FIELDS.some((f) => options[f] !== undefined)) {
    if ((options.gateLr !== undefined || options.gateWeightDecay !== undefined) && !model.namedParameters().some(([n]) => isGate(n))) {
      throw new Error(`${op}: gateLr and gateWeightDecay need gate.* parameters, but a ${model.config.kind} network has none`);
    }
    // group order is fixed (gate, value) so EpochLog.lr reads the same for every model; a group
    // emptied by freezing stays, and simply updates nothing
    params = [
      { name: 'gate', params: trainable.filter(([n]) => isGate(n)).map(([, p]) => p), lr: options.gateLr, weightDecay: options.gateWeightDecay },
      { name: 'value', params: trainable.filter(([n]) => !isGate(n)).map(([, p]) => p), lr: options.valueLr, weightDecay: options.valueWeightDecay },
    ];
  }
  if (kind === 'sgd') return new SGD(params, { lr, momentum: options.momentum, weightDecay: options.weightDecay });
  const adam = { lr, betas: options.betas, eps: options.eps, weightDecay: options.weightDecay };
  return kind === 'adam' ? new Adam(params, adam) : new AdamW(params, adam);
}

function buildScheduler(op: string, schedule: FitOptions['schedule'], opt: Optimizer, epochs: number): LRScheduler | null {
  if (schedule === undefined) return null;
  if (schedule.kind === 'step') {
    if (schedule.gamma !== undefined) nonNegative(op, 'schedule.gamma', schedule.gamma);
    return new StepLR(opt, positiveInt(op, 'schedule.stepSize', schedule.stepSize), schedule.gamma);
  }
  if (schedule.kind === 'cosine') {
    const tMax = schedule.tMax === undefined ? epochs : positiveInt(op, 'schedule.tMax', schedule.tMax);
    return new CosineLR(opt, tMax, schedule.etaMin === undefined ? 0 : nonNegative(op, 'schedule.etaMin', schedule.etaMin));
  }
  throw new Error(`${op}: schedule.kind must be step or cosine, got ${JSON.stringify((schedule as { kind: unknown }).kind)}`);
}
