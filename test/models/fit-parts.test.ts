// The parts of fit on their own: the options plan, the stopping rule, the divergence guard, the batches.

import { describe, expect, it } from 'vitest';
import { Var } from '../../src/autograd/engine.js';
import { createModel } from '../../src/models/families.js';
import { Batches } from '../../src/models/fit/batches.js';
import { EarlyStopping } from '../../src/models/fit/early-stopping.js';
import { DivergenceError, DivergenceGuard } from '../../src/models/fit/guard.js';
import { resolveFitOptions } from '../../src/models/fit/options.js';
import { freezeOthers, trainableSet } from '../../src/models/fit/trainable.js';
import type { EpochLog, History } from '../../src/models/fit/types.js';
import { fit } from '../../src/models/train.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const log = (epoch: number, loss: number, valLoss?: number): EpochLog => ({ epoch, loss, lr: [0.1], ...(valLoss === undefined ? {} : { valLoss }) });

function labels(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 2, -1, 1);
  return { x: new Tensor(x, [n, 2]), y: new Tensor(Float64Array.from({ length: n }, (_, i) => (x[2 * i] > 0 ? 1 : 0)), [n]) };
}

describe('resolveFitOptions', () => {
  const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 2 }, { rng: 1 });
  const data = labels(10, 1);

  it('fills the defaults: one full batch, seed 0, shuffle, growth 1e6, monitor loss without validation', () => {
    const plan = resolveFitOptions('fit', model, data, { loss: 'ce', epochs: 2 });
    expect(plan).toMatchObject({ loss: 'ce', epochs: 2, n: 10, batchSize: 10, shuffle: true, softGates: true, growth: 1e6 });
    expect(plan.stopping).toEqual({ monitor: 'loss', patience: undefined, minDelta: 0, lossThreshold: undefined });
    expect(Array.from(plan.rng.permutation(10))).toEqual(Array.from(new Rng(0).permutation(10)));
  });

  it('clamps the batch size to n, keeps the option as given for validation, monitors valLoss with validation data', () => {
    const rng = new Rng(4);
    const validation = labels(6, 2);
    const plan = resolveFitOptions('fitAsync', model, data, { loss: 'ce', epochs: 1, batchSize: 64, seed: rng, validation, earlyStopping: { patience: 2, minDelta: 0.1 } });
    expect(plan.batchSize).toBe(10);
    expect(plan.validationBatchSize).toBe(64);
    expect(plan.rng).toBe(rng);
    expect(plan.stopping).toEqual({ monitor: 'valLoss', patience: 2, minDelta: 0.1, lossThreshold: undefined });
  });

  it('checks in a fixed order: the first bad option is the one named', () => {
    expect(() => resolveFitOptions('fit', model, data, { loss: 'l1' as 'ce', epochs: 0 })).toThrow('fit: loss must be one of');
    expect(() => resolveFitOptions('fit', model, data, { loss: 'ce', epochs: 1, maxLossGrowth: 1, earlyStopping: { patience: 0 } })).toThrow('fit: maxLossGrowth must be');
    expect(() => resolveFitOptions('fit', model, data, { loss: 'ce', epochs: 1, yieldEvery: {} } as never)).toThrow("fit: unknown option 'yieldEvery'");
    expect(() => resolveFitOptions('fitAsync', model, data, { loss: 'ce', epochs: 1, yieldEvery: {} } as never)).not.toThrow();
  });
});

describe('EarlyStopping', () => {
  it('patience counts epochs since the last drop by more than minDelta; small drops do not move the reference', () => {
    const rule = new EarlyStopping({ monitor: 'loss', patience: 3, minDelta: 0.1, lossThreshold: undefined });
    expect(rule.update(log(0, 1.0))).toBeNull(); // reference 1.0
    expect(rule.update(log(1, 0.95))).toBeNull(); // 1 epoch without a drop > 0.1 (best moves to 0.95)
    expect(rule.update(log(2, 0.91))).toBeNull(); // 2: still within 0.1 of the reference 1.0, not of 0.95
    expect(rule.bestEpoch).toBe(2);
    expect(rule.update(log(3, 0.89))).toBeNull(); // 1.0 - 0.89 > 0.1: a real drop, the count restarts
    expect(rule.update(log(4, 0.9))).toBeNull();
    expect(rule.update(log(5, 0.85))).toBeNull();
    expect(rule.update(log(6, 0.8))).toBe('early-stopping'); // 3 epochs within 0.1 of 0.89
    expect(rule.bestEpoch).toBe(6);
  });

  it('lossThreshold stops at once and is reported before patience; valLoss is read when monitored', () => {
    const rule = new EarlyStopping({ monitor: 'valLoss', patience: 1, minDelta: 0, lossThreshold: 0.5 });
    expect(rule.update(log(0, 0.1, 0.7))).toBeNull();
    expect(rule.update(log(1, 0.05, 0.5))).toBe('loss-threshold');
    const both = new EarlyStopping({ monitor: 'loss', patience: 1, minDelta: 0, lossThreshold: 1 });
    expect(both.update(log(0, 0.5))).toBe('loss-threshold');
    expect(both.update(log(1, 0.6))).toBe('loss-threshold'); // over patience too: the threshold is named
  });

  it('without rules it never stops; bestEpoch is the first of equal minima', () => {
    const rule = new EarlyStopping({ monitor: 'loss', patience: undefined, minDelta: 0, lossThreshold: undefined });
    for (const [e, l] of [0.5, 0.4, 0.4, 0.6].entries()) expect(rule.update(log(e, l))).toBeNull();
    expect(rule.bestEpoch).toBe(1);
  });
});

describe('DivergenceGuard', () => {
  const setup = (growth = 10): { p: Var; history: History; guard: DivergenceGuard } => {
    const p = Var.param(Tensor.from([1, 2, 3]), 'w');
    const history: History = { epochs: [], stopped: 'completed', bestEpoch: -1, steps: 0 };
    return { p, history, guard: new DivergenceGuard('fit', [p], growth, history) };
  };
  const catchError = (f: () => void): DivergenceError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(DivergenceError);
      return e as DivergenceError;
    }
    throw new Error('no DivergenceError');
  };

  it('a passed loss makes the current weights the last good ones; a NaN loss puts them back and uncounts the step', () => {
    const { p, history, guard } = setup();
    guard.check(1, 0, 0); // weights [1, 2, 3] pass
    p.value.data.set([4, 5, 6]); // the step
    history.steps++;
    guard.check(2, 0, 1); // [4, 5, 6] pass
    p.value.data.set([7, 8, 9]);
    history.steps++;
    const e = catchError(() => guard.check(NaN, 0, 2));
    expect(e.message).toBe('fit: loss became NaN at epoch 0, batch 2; weights restored to the last finite step');
    expect(e.detail).toEqual({ reason: 'non-finite-loss', epoch: 0, batch: 2, loss: NaN, history });
    expect(Array.from(p.value.data)).toEqual([4, 5, 6]);
    expect(history.steps).toBe(1);
  });

  it('a loss over growth x the first positive loss is refused; a zero first loss is no reference', () => {
    const { p, history, guard } = setup(10);
    guard.check(0, 0, 0);
    guard.check(2, 0, 1); // the reference: 2
    p.value.data.set([0, 0, 0]);
    guard.check(20, 0, 2); // 10 x 2 is allowed
    p.value.data.set([9, 9, 9]);
    const e = catchError(() => guard.check(20.5, 1, 0));
    expect(e.detail.reason).toBe('exploding-loss');
    expect(e.message).toBe('fit: loss exploded to 20.5 at epoch 1, batch 0 (over maxLossGrowth 10 x the first batch loss 2.00); weights restored to the last step before it');
    expect(Array.from(p.value.data)).toEqual([0, 0, 0]);
    expect(history.steps).toBe(0); // never below 0
  });

  it('checkWeights refuses non-finite weights, naming the batch, and restores', () => {
    const { p, guard } = setup();
    guard.check(1, 0, 0);
    guard.checkWeights(0, 0);
    p.value.data[1] = Infinity;
    const e = catchError(() => guard.checkWeights(3, 4));
    expect(e.message).toBe('fit: parameters became non-finite at epoch 3, batch 4; weights restored to the last finite step');
    expect(e.detail.reason).toBe('non-finite-weights');
    expect(Array.from(p.value.data)).toEqual([1, 2, 3]);
  });

  it('in fit: NaN weights left by the last step of an epoch are caught at its end', () => {
    const model = createModel({ kind: 'dln', inputDim: 2, widths: [3], outputDim: 2 }, { rng: 1 });
    const before: Float64Array[] = [];
    const w = model.parameters()[0];
    const e = catchError(() =>
      fit(model, labels(20, 3), {
        loss: 'ce', epochs: 3, batchSize: 10, lr: 0.01,
        onBatchEnd: (b) => {
          if (b.epoch === 1 && b.batch === 0) before.push(Float64Array.from(w.value.data));
          if (b.epoch === 1 && b.batch === 1) w.value.data[0] = NaN; // as if the step had overflowed
        },
      }),
    );
    expect(e.message).toBe('fit: parameters became non-finite at epoch 1, batch 1; weights restored to the last finite step');
    expect(e.detail.history.steps).toBe(3);
    expect(e.detail.history.epochs.length).toBe(1);
    expect(Array.from(w.value.data)).toEqual(Array.from(before[0]));
  });
});

describe('trainableSet and freezeOthers', () => {
  it("train: 'values' trains every non-gate parameter; freezeOthers switches the gates off and back", () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 2 }, { rng: 1 });
    const { optimizer, params, scheduler } = trainableSet('fit', model, { loss: 'ce', epochs: 4, train: 'values', schedule: { kind: 'cosine' } }, 4);
    const names = model.namedParameters().filter(([, p]) => params.includes(p)).map(([n]) => n);
    expect(names).toEqual(['value.0.weight', 'value.0.bias', 'out.weight', 'out.bias']);
    expect(optimizer.params()).toEqual(params);
    expect(scheduler).not.toBeNull();
    model.parameter('value.0.bias').requiresGrad = false; // a flag set before the run comes back as it was
    const thaw = freezeOthers(model, params);
    expect(model.namedParameters().map(([n, p]) => `${n}:${p.requiresGrad}`)).toEqual([
      'gate.0.weight:false', 'gate.0.bias:false', 'value.0.weight:true', 'value.0.bias:false', 'out.weight:true', 'out.bias:true',
    ]);
    thaw();
    expect(model.parameters().map((p) => p.requiresGrad)).toEqual([true, true, true, false, true, true]);
  });
});

describe('Batches', () => {
  const data = { x: new Tensor(Float64Array.from({ length: 14 }, (_, i) => i), [7, 2]), y: Tensor.from([0, 1, 2, 3, 4, 5, 6]) };
  const plan = (batchSize: number, shuffle: boolean, seed = 3) => ({ n: 7, batchSize, shuffle, rng: new Rng(seed) }) as never;

  it('one full batch is the dataset itself, unshuffled', () => {
    const b = new Batches(data, plan(7, true));
    b.newEpoch();
    expect(b.at(0)).toBe(data);
  });

  it('minibatches follow the seeded permutation, the last one shorter; without shuffle, the samples in turn', () => {
    const b = new Batches(data, plan(3, true));
    b.newEpoch();
    const order = Array.from(new Rng(3).permutation(7));
    const seen = [0, 3, 6].map((s) => Array.from(b.at(s).y.values()));
    expect(seen).toEqual([order.slice(0, 3), order.slice(3, 6), order.slice(6)]);
    expect(Array.from(b.at(6).x.values())).toEqual([2 * order[6], 2 * order[6] + 1]);
    const inTurn = new Batches(data, plan(3, false));
    inTurn.newEpoch();
    expect(Array.from(inTurn.at(3).y.values())).toEqual([3, 4, 5]);
  });
});
