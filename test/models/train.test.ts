// Tests for the training loop: learning, freezing, groups, stopping rules, cancellation, NaN stop, determinism.

import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/models/config.js';
import { createModel, type Model } from '../../src/models/families.js';
import { SGD } from '../../src/models/optim.js';
import { type Dataset, type EpochLog, DivergenceError, evaluate, fit, lossOf, predict } from '../../src/models/train.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { asVar } from '../../src/autograd/engine.js';

/** XOR-like labels on [-1, 1]^2: class 1 where x0 x1 > 0. No linear model beats chance by much. */
function xor(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 2, -1, 1);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Random inputs [n, 3] with random targets [n, 2]. */
function regression(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  return { x: new Tensor(rng.uniformArray(n * 3, -1, 1), [n, 3]), y: new Tensor(rng.uniformArray(n * 2, -1, 1), [n, 2]) };
}

const dlgn = (rng = 1): Model => createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng });

/** Copies of every parameter's values, by name. */
function snapshot(model: Model): Record<string, Float64Array> {
  return Object.fromEntries(model.namedParameters().map(([n, p]) => [n, Float64Array.from(p.value.data)]));
}

/** Bit-for-bit equality of two Float64Arrays (Object.is per element). */
function bitEqual(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

const train = xor(200, 5);
const test = xor(200, 6);

describe('fit: learning', () => {
  it('a DLGN learns XOR; a DLN (linear) stays near chance', () => {
    const gated = dlgn();
    const linear = createModel({ kind: 'dln', inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng: 1 });
    const opts = { loss: 'ce', epochs: 60, batchSize: 32, lr: 0.05 } as const;
    const hg = fit(gated, train, opts);
    const hl = fit(linear, train, opts);
    expect(hg.stopped).toBe('completed');
    expect(hg.steps).toBe(60 * 7);
    const g = evaluate(gated, test, 'ce');
    const l = evaluate(linear, test, 'ce');
    expect(evaluate(gated, train, 'ce').accuracy).toBeGreaterThan(0.95);
    expect(g.accuracy).toBeGreaterThan(0.9);
    expect(l.accuracy).toBeLessThan(0.7);
    expect(g.accuracy!).toBeGreaterThan(l.accuracy! + 0.2);
    expect(hg.epochs.at(-1)!.accuracy).toBeGreaterThan(0.9);
  });

  it('mse regression: the loss decreases', () => {
    const data = regression(64, 2);
    const model = createModel({ kind: 'dnn', inputDim: 3, widths: [16], outputDim: 2 }, { rng: 4 });
    const h = fit(model, data, { loss: 'mse', epochs: 40, batchSize: 16, lr: 0.01 });
    expect(h.epochs[39].loss).toBeLessThan(0.7 * h.epochs[0].loss);
    expect(h.epochs[0].accuracy).toBeUndefined();
  });

  it('full batch: the epoch loss is the dataset loss at the weights the epoch started with', () => {
    const model = dlgn();
    const before = evaluate(model, train, 'ce');
    const h = fit(model, train, { loss: 'ce', epochs: 2 });
    expect(h.epochs[0].loss).toBe(before.loss);
    expect(h.epochs[0].accuracy).toBe(before.accuracy);
    expect(h.steps).toBe(2);
  });

  it('validation metrics appear in every epoch and bestEpoch is the argmin of valLoss', () => {
    const h = fit(dlgn(), train, { loss: 'ce', epochs: 8, batchSize: 50, lr: 0.05, validation: test });
    for (const e of h.epochs) {
      expect(Number.isFinite(e.valLoss)).toBe(true);
      expect(e.valAccuracy).toBeGreaterThanOrEqual(0);
      expect(e.valAccuracy).toBeLessThanOrEqual(1);
    }
    const vals = h.epochs.map((e) => e.valLoss!);
    expect(h.bestEpoch).toBe(vals.indexOf(Math.min(...vals)));
  });
});

describe('fit: what trains', () => {
  it("freeze ['gate.'] leaves every gate.* parameter bit-identical and changes the values", () => {
    const model = dlgn();
    const before = snapshot(model);
    const gate = model.parameter('gate.0.weight');
    const seen: [boolean, boolean][] = [];
    fit(model, train, {
      loss: 'ce',
      epochs: 3,
      batchSize: 64,
      lr: 0.05,
      freeze: ['gate.'],
      // during fit a frozen parameter is off the tape: no gradient is computed for it
      onBatchEnd: () => seen.push([gate.requiresGrad, gate.grad === null]),
    });
    expect(seen.length).toBe(12);
    expect(seen.every(([rg, noGrad]) => !rg && noGrad)).toBe(true);
    const after = snapshot(model);
    for (const name of Object.keys(before)) {
      if (name.startsWith('gate.')) expect(bitEqual(before[name], after[name]), name).toBe(true);
      else expect(bitEqual(before[name], after[name]), name).toBe(false);
    }
    // requiresGrad is switched off only for the duration of fit
    for (const p of model.parameters()) expect(p.requiresGrad).toBe(true);
  });

  it("train: 'gates' leaves every non-gate parameter bit-identical; 'values' freezes the gates", () => {
    const model = dlgn();
    const before = snapshot(model);
    fit(model, train, { loss: 'ce', epochs: 3, batchSize: 64, lr: 0.05, train: 'gates' });
    const after = snapshot(model);
    for (const name of Object.keys(before)) expect(bitEqual(before[name], after[name]), name).toBe(!name.startsWith('gate.'));

    const m2 = dlgn();
    const b2 = snapshot(m2);
    fit(m2, train, { loss: 'ce', epochs: 2, lr: 0.05, train: 'values' });
    const a2 = snapshot(m2);
    for (const name of Object.keys(b2)) expect(bitEqual(b2[name], a2[name]), name).toBe(name.startsWith('gate.'));
  });

  it('gateLr / valueLr make two groups [gate, value]; gateLr 0 leaves the gates unchanged', () => {
    const model = dlgn();
    const before = snapshot(model);
    const h = fit(model, train, { loss: 'ce', epochs: 2, batchSize: 100, gateLr: 0, valueLr: 0.02 });
    expect(h.epochs[0].lr).toEqual([0, 0.02]);
    const after = snapshot(model);
    for (const name of Object.keys(before)) expect(bitEqual(before[name], after[name]), name).toBe(name.startsWith('gate.'));
  });

  it('an Optimizer instance is used as given; parameters outside it stay fixed', () => {
    const model = dlgn();
    const before = snapshot(model);
    const opt = new SGD([model.parameter('out.weight')], { lr: 0.1, momentum: 0.9 });
    const h = fit(model, train, { loss: 'ce', epochs: 2, optimizer: opt });
    expect(h.epochs[0].lr).toEqual([0.1]);
    const after = snapshot(model);
    for (const name of Object.keys(before)) expect(bitEqual(before[name], after[name]), name).toBe(name !== 'out.weight');
    expect(() => fit(model, train, { loss: 'ce', epochs: 1, optimizer: opt, lr: 0.5 })).toThrow(
      'fit: lr would be ignored: the optimizer passed in was built with its own settings',
    );
    expect(() => fit(model, train, { loss: 'ce', epochs: 1, optimizer: opt, freeze: ['out.'] })).toThrow(
      "fit: the optimizer updates 'out.weight', which freeze/train marks frozen",
    );
  });
});

describe('fit: stopping', () => {
  it('early stopping: patience epochs without improvement stop training', () => {
    // lr 0 and a full batch: the loss is exactly the same every epoch, so only epoch 0 improves
    const h = fit(dlgn(), train, { loss: 'ce', epochs: 50, lr: 0, earlyStopping: { patience: 3 } });
    expect(h.stopped).toBe('early-stopping');
    expect(h.epochs.length).toBe(4);
    expect(h.bestEpoch).toBe(0);
  });

  it('lossThreshold stops as soon as the monitored loss reaches it', () => {
    const h = fit(dlgn(), train, { loss: 'ce', epochs: 200, batchSize: 32, lr: 0.05, earlyStopping: { lossThreshold: 0.3 } });
    expect(h.stopped).toBe('loss-threshold');
    expect(h.epochs.length).toBeLessThan(200);
    expect(h.epochs.at(-1)!.loss).toBeLessThanOrEqual(0.3);
    expect(h.epochs.slice(0, -1).every((e) => e.loss > 0.3)).toBe(true);
  });

  it('abort in onBatchEnd after the 3rd step returns steps === 3, weights as after that step', () => {
    const model = dlgn();
    const ctl = new AbortController();
    let afterThird: Record<string, Float64Array> = {};
    const h = fit(model, train, {
      loss: 'ce',
      epochs: 10,
      batchSize: 32,
      signal: ctl.signal,
      onBatchEnd: (b) => {
        if (b.epoch === 0 && b.batch === 2) {
          afterThird = snapshot(model);
          ctl.abort();
        }
      },
    });
    expect(h.stopped).toBe('aborted');
    expect(h.steps).toBe(3);
    expect(h.epochs).toEqual([]); // the cut-short epoch is not logged
    const now = snapshot(model);
    for (const name of Object.keys(now)) expect(bitEqual(now[name], afterThird[name]), name).toBe(true);
  });

  it('abort in a later epoch keeps the completed epochs; an already aborted signal takes no step', () => {
    const ctl = new AbortController();
    const h = fit(dlgn(), train, {
      loss: 'ce',
      epochs: 10,
      batchSize: 32,
      signal: ctl.signal,
      onBatchEnd: (b) => {
        if (b.epoch === 1 && b.batch === 0) ctl.abort();
      },
    });
    expect(h).toMatchObject({ stopped: 'aborted', steps: 8 });
    expect(h.epochs.length).toBe(1);
    const done = new AbortController();
    done.abort();
    expect(fit(dlgn(), train, { loss: 'ce', epochs: 3, signal: done.signal })).toEqual({
      epochs: [],
      stopped: 'aborted',
      bestEpoch: -1,
      steps: 0,
    });
  });
});

describe('fit: non-finite loss', () => {
  it('a diverging run throws naming epoch and batch; weights go back to before the last step', () => {
    const data = regression(64, 2);
    const model = createModel({ kind: 'dln', inputDim: 3, widths: [4], outputDim: 2 }, { rng: 1 });
    const states = [snapshot(model)];
    expect(() =>
      fit(model, data, {
        loss: 'mse',
        epochs: 50,
        batchSize: 16,
        optimizer: 'sgd',
        lr: 100,
        freeze: ['out.bias'],
        maxLossGrowth: Infinity, // the finite guard would stop it earlier (tested below)
        onBatchEnd: () => states.push(snapshot(model)),
      }),
    ).toThrow('fit: loss became Infinity at epoch 1, batch 1; weights restored to the last finite step');
    // 5 steps ran (epoch 0: 4 batches, epoch 1: batch 0); the 5th produced weights whose loss
    // overflowed, so the weights are those before it: the ones that gave the last finite loss
    expect(states.length).toBe(6);
    const now = snapshot(model);
    for (const name of Object.keys(now)) expect(bitEqual(now[name], states[4][name]), name).toBe(true);
    for (const p of model.parameters()) expect(p.requiresGrad).toBe(true); // restored despite the throw
  });

  it('an exploding finite loss stops the run: DivergenceError with the detail, weights from before the step', () => {
    const data = regression(64, 2);
    const model = createModel({ kind: 'dln', inputDim: 3, widths: [4], outputDim: 2 }, { rng: 1 });
    const states = [snapshot(model)];
    const losses: number[] = [];
    let err: unknown;
    try {
      fit(model, data, {
        loss: 'mse', epochs: 50, batchSize: 16, optimizer: 'sgd', lr: 100, freeze: ['out.bias'],
        onBatchEnd: (b) => {
          states.push(snapshot(model));
          losses.push(b.loss);
        },
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergenceError);
    const d = (err as DivergenceError).detail;
    expect(d.reason).toBe('exploding-loss');
    expect((err as Error).message).toMatch(/^fit: loss exploded to .* at epoch 0, batch 2 \(over maxLossGrowth 1000000 x the first batch loss .*\); weights restored to the last step before it$/);
    // the refused loss is over 1e6 x the first, every loss before it under
    expect(d.loss).toBeGreaterThan(1e6 * losses[0]);
    for (const l of losses) expect(l).toBeLessThanOrEqual(1e6 * losses[0]);
    // 2 steps ran and passed; the 2nd produced the exploding weights, so the weights are from before it
    expect(losses.length).toBe(2);
    expect(d.history.steps).toBe(1);
    const now = snapshot(model);
    for (const name of Object.keys(now)) expect(bitEqual(now[name], states[1][name]), name).toBe(true);
    expect(() => fit(model, data, { loss: 'mse', epochs: 1, maxLossGrowth: 1 })).toThrow('fit: maxLossGrowth must be a number > 1');
  });

  it('an overflowing sample fails the first batch and leaves the initial weights', () => {
    const data = regression(8, 3);
    data.x.data[5] = 1e200;
    const model = createModel({ kind: 'dln', inputDim: 3, widths: [4], outputDim: 2 }, { rng: 1 });
    const before = snapshot(model);
    expect(() => fit(model, data, { loss: 'mse', epochs: 3 })).toThrow(
      'fit: loss became Infinity at epoch 0, batch 0; weights restored to the last finite step',
    );
    const now = snapshot(model);
    for (const name of Object.keys(now)) expect(bitEqual(now[name], before[name]), name).toBe(true);
  });
});

describe('fit: determinism, schedules, beta', () => {
  it('the same seed gives the same history and bit-identical weights', () => {
    const cfg: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 };
    const run = (seed: number): [EpochLog[], Record<string, Float64Array>] => {
      const m = createModel(cfg, { rng: 3 });
      const h = fit(m, train, { loss: 'ce', epochs: 4, batchSize: 24, lr: 0.02, seed, validation: test });
      return [h.epochs, snapshot(m)];
    };
    const [h1, w1] = run(7);
    const [h2, w2] = run(7);
    const [h3, w3] = run(8);
    expect(h2).toEqual(h1);
    for (const name of Object.keys(w1)) expect(bitEqual(w1[name], w2[name]), name).toBe(true);
    expect(h3).not.toEqual(h1); // the seed drives the shuffle
    expect(Object.keys(w1).some((name) => !bitEqual(w1[name], w3[name]))).toBe(true);
  });

  it('step and cosine schedules change the logged learning rate', () => {
    const step = fit(dlgn(), train, { loss: 'ce', epochs: 5, optimizer: 'sgd', lr: 0.1, schedule: { kind: 'step', stepSize: 2, gamma: 0.5 } });
    expect(step.epochs.map((e) => e.lr)).toEqual([[0.1], [0.1], [0.05], [0.05], [0.025]]);
    const cos = fit(dlgn(), train, { loss: 'ce', epochs: 4, optimizer: 'sgd', lr: 0.1, schedule: { kind: 'cosine' } });
    const expected = [0, 1, 2, 3].map((t) => (0.1 * (1 + Math.cos((Math.PI * t) / 4))) / 2);
    cos.epochs.forEach((e, t) => expect(e.lr[0]).toBeCloseTo(expected[t], 15));
  });

  it('betaSchedule sets beta every epoch, changes the forward pass, and needs soft gates', () => {
    const model = dlgn();
    // lr 0: only beta changes between epochs, so the loss changing shows the new beta is used
    const h = fit(model, train, { loss: 'ce', epochs: 3, lr: 0, betaSchedule: (e) => 1 + 4 * e });
    expect(h.epochs.map((e) => e.beta)).toEqual([1, 5, 9]);
    expect(model.config.beta).toBe(9);
    expect(new Set(h.epochs.map((e) => e.loss)).size).toBe(3);
    expect(fit(dlgn(), train, { loss: 'ce', epochs: 1 }).epochs[0].beta).toBe(10);

    const relu = createModel({ kind: 'dnn', inputDim: 2, widths: [8], outputDim: 2 }, { rng: 1 });
    expect(() => fit(relu, train, { loss: 'ce', epochs: 1, betaSchedule: () => 2 })).toThrow(
      'fit: betaSchedule needs a model with soft gates; this dnn network has no beta',
    );
    const hard = createModel({ kind: 'dlgn', inputDim: 2, widths: [8], outputDim: 2, gate: 'hard' }, { rng: 1 });
    expect(() => fit(hard, train, { loss: 'ce', epochs: 1, betaSchedule: () => 2 })).toThrow('this dlgn network has hard gates');
    expect(() => fit(dlgn(), train, { loss: 'ce', epochs: 2, betaSchedule: (e) => (e === 0 ? 1 : -1) })).toThrow(
      'fit: betaSchedule(1) returned -1; beta must be a finite number > 0',
    );
  });
});

describe('evaluate, predict, lossOf', () => {
  it('predict gives [n, k], the same in batches as in one pass', () => {
    const model = dlgn();
    const whole = predict(model, test.x);
    const batched = predict(model, test.x, 37);
    expect(whole.shape).toEqual([200, 2]);
    expect(batched.shape).toEqual([200, 2]);
    batched.values().forEach((v, i) => expect(v).toBeCloseTo(whole.values()[i], 12));
    expect(predict(model, Tensor.zeros([0, 2])).shape).toEqual([0, 2]);
  });

  it('evaluate: ce accuracy is the argmax agreement; batching does not change the result', () => {
    const model = dlgn();
    fit(model, train, { loss: 'ce', epochs: 5, batchSize: 32, lr: 0.05 });
    const out = predict(model, test.x).values();
    let correct = 0;
    for (let i = 0; i < 200; i++) if ((out[2 * i + 1] > out[2 * i] ? 1 : 0) === test.y.values()[i]) correct++;
    const r = evaluate(model, test, 'ce');
    expect(r.accuracy).toBe(correct / 200);
    const rb = evaluate(model, test, 'ce', 33);
    expect(rb.loss).toBeCloseTo(r.loss, 12);
    expect(rb.accuracy).toBe(r.accuracy);
    expect(r.loss).toBeCloseTo(lossOf('ce', asVar(predict(model, test.x)), test.y).item(), 12);
  });

  it('logistic and hinge: one output, sign accuracy, labels {0, 1} or {-1, +1}', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 1 }, { rng: 2 });
    const signed = { x: train.x, y: new Tensor(train.y.values().map((v) => 2 * v - 1), [200]) };
    const h = fit(model, signed, { loss: 'hinge', epochs: 40, batchSize: 32, lr: 0.05 });
    expect(h.epochs.at(-1)!.accuracy).toBeGreaterThan(0.85);
    const s = predict(model, train.x).values();
    const acc = s.reduce((a, v, i) => a + ((v > 0) === (signed.y.values()[i] === 1) ? 1 : 0), 0) / 200;
    expect(evaluate(model, signed, 'hinge').accuracy).toBe(acc);
    expect(evaluate(model, train, 'logistic').accuracy).toBe(acc); // {0, 1} labels, same signs
  });

  it('mse has no accuracy', () => {
    const model = createModel({ kind: 'dln', inputDim: 3, widths: [4], outputDim: 2 }, { rng: 1 });
    const r = evaluate(model, regression(10, 1), 'mse');
    expect(r.accuracy).toBeUndefined();
    expect(r.loss).toBeGreaterThan(0);
  });
});

describe('fit: errors name the field and the value', () => {
  const model = dlgn();
  const cases: [string, () => unknown, string][] = [
    ['epochs', () => fit(model, train, { loss: 'ce', epochs: 0 }), 'fit: epochs must be a positive integer, got 0'],
    ['batchSize', () => fit(model, train, { loss: 'ce', epochs: 1, batchSize: 2.5 }), 'fit: batchSize must be a positive integer, got 2.5'],
    ['loss', () => fit(model, train, { loss: 'l1' as 'mse', epochs: 1 }), 'fit: loss must be one of mse, ce, logistic, hinge, got "l1"'],
    ['lr', () => fit(model, train, { loss: 'ce', epochs: 1, lr: -1 }), 'fit: lr must be a finite number >= 0, got -1'],
    ['unknown option', () => fit(model, train, { loss: 'ce', epochs: 1, epoch: 3 } as never), "fit: unknown option 'epoch'"],
    [
      'sample counts',
      () => fit(model, { x: train.x, y: test.y.slice([0, 10]) }, { loss: 'ce', epochs: 1 }),
      'fit: data.x has 200 samples but data.y has shape [10]',
    ],
    [
      'input width',
      () => fit(model, { x: Tensor.zeros([4, 3]), y: Tensor.zeros([4]) }, { loss: 'ce', epochs: 1 }),
      "fit: data.x must be [n, 2] (the model's inputDim is 2), got [4, 3]",
    ],
    [
      'labels',
      () => fit(model, { x: Tensor.zeros([3, 2]), y: Tensor.from([0, 1, 2]) }, { loss: 'ce', epochs: 1 }),
      'fit: data.y[2] = 2 is not a class index in [0, 2)',
    ],
    ['logistic width', () => fit(model, train, { loss: 'logistic', epochs: 1 }), 'fit: logistic needs a model with one output, this one has outputDim 2'],
    [
      'mse targets',
      () => fit(model, train, { loss: 'mse', epochs: 1 }),
      "fit: for mse data.y must be [200, 2] (the model's outputDim is 2), got [200]",
    ],
    [
      'freeze prefix',
      () => fit(model, train, { loss: 'ce', epochs: 1, freeze: ['gates.'] }),
      "fit: freeze prefix 'gates.' matches no parameter (the model has gate.0.weight, gate.0.bias, gate.1.weight, gate.1.bias, value.0.weight, value.0.bias, value.1.weight, value.1.bias, out.weight, out.bias)",
    ],
    [
      'everything frozen',
      () => fit(model, train, { loss: 'ce', epochs: 1, freeze: ['gate.', 'value.', 'out.'] }),
      'fit: no parameter is left to train',
    ],
    [
      'train on a dln',
      () => fit(createModel({ kind: 'dln', inputDim: 2, widths: [4], outputDim: 2 }), train, { loss: 'ce', epochs: 1, train: 'values' }),
      "fit: train: 'values' needs gate.* parameters, but a dln network has none",
    ],
    [
      'hard gates',
      () =>
        fit(createModel({ kind: 'dlgn', inputDim: 2, widths: [4], outputDim: 2, gate: 'hard' }), train, { loss: 'ce', epochs: 1, train: 'gates' }),
      'fit: only gate.* parameters would train, but hard gates pass no gradient to them',
    ],
    [
      'monitor',
      () => fit(model, train, { loss: 'ce', epochs: 1, earlyStopping: { monitor: 'valLoss' } }),
      "fit: earlyStopping.monitor is 'valLoss' but no validation data was given",
    ],
    ['patience', () => fit(model, train, { loss: 'ce', epochs: 1, earlyStopping: { patience: 0 } }), 'fit: earlyStopping.patience must be a positive integer, got 0'],
    ['momentum on adam', () => fit(model, train, { loss: 'ce', epochs: 1, momentum: 0.9 }), 'fit: momentum applies to sgd, not adam'],
    [
      'schedule',
      () => fit(model, train, { loss: 'ce', epochs: 1, schedule: { kind: 'step', stepSize: 0 } }),
      'fit: schedule.stepSize must be a positive integer, got 0',
    ],
    [
      'validation',
      () => fit(model, train, { loss: 'ce', epochs: 1, validation: { x: Tensor.zeros([2, 5]), y: Tensor.zeros([2]) } }),
      "fit: validation.x must be [n, 2] (the model's inputDim is 2), got [2, 5]",
    ],
    ['evaluate batchSize', () => evaluate(model, train, 'ce', 0), 'evaluate: batchSize must be a positive integer, got 0'],
    ['predict shape', () => predict(model, Tensor.zeros([3])), 'predict: x must be [n, 2], got [3]'],
  ];
  it.each(cases)('%s', (_label, f, message) => {
    const before = snapshot(model);
    expect(f).toThrow(message);
    const after = snapshot(model);
    for (const name of Object.keys(before)) expect(bitEqual(before[name], after[name]), name).toBe(true);
  });
});
