// The Trainer: the plain tape loop's numbers bit for bit, fit's history unchanged, and no tensor memory per steady-state step.

import { describe, expect, it } from 'vitest';
import type { ModelConfig } from '../../src/models/config.js';
import { type Model, createModel } from '../../src/models/families.js';
import { Adam, SGD } from '../../src/models/optim.js';
import { type LossKind, Trainer, fit, lossOf } from '../../src/models/train.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const CONFIGS: ModelConfig[] = [
  { kind: 'dln', inputDim: 3, widths: [5, 4], outputDim: 3 },
  { kind: 'dnn', inputDim: 3, widths: [7, 5], outputDim: 3 },
  { kind: 'dgn', inputDim: 3, widths: [6, 6], outputDim: 3 },
  { kind: 'dlgn', inputDim: 3, widths: [6, 5, 4], outputDim: 3 },
  { kind: 'dlgn', inputDim: 3, widths: [6, 6], outputDim: 3, features: 'sf', valueInput: 'input' },
  { kind: 'dlgn', inputDim: 3, widths: [6, 6], outputDim: 3, gate: 'hard' },
  { kind: 'dlgn-vt', inputDim: 3, widths: [4, 3], outputDim: 3 },
];

function data(n: number, d: number, k: number, loss: LossKind, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Tensor(rng.uniformArray(n * d, -1, 1), [n, d]);
  const y = loss === 'mse' ? new Tensor(rng.uniformArray(n * k, -1, 1), [n, k]) : Tensor.fromArray(Float64Array.from({ length: n }, () => rng.integer(0, k)), [n]);
  return { x, y };
}

function params(model: Model): Float64Array[] {
  return model.parameters().map((p) => Float64Array.from(p.value.data));
}

function sameBits(a: Float64Array[], b: Float64Array[]): boolean {
  return a.length === b.length && a.every((t, i) => t.length === b[i].length && t.every((v, k) => Object.is(v, b[i][k])));
}

describe('Trainer', () => {
  it.each(CONFIGS.map((c) => [`${c.kind}${c.features ? `-${c.features}` : ''}${c.gate ? `-${c.gate}` : ''}`, c] as const))(
    '%s: 25 steps equal the plain zeroGrad/forward/loss/backward/step loop bit for bit (ce and mse)',
    (_name, config) => {
      for (const loss of ['ce', 'mse'] as LossKind[]) {
        const { x, y } = data(29, 3, 3, loss, 4);
        const a = createModel(config, { rng: 3 });
        const b = createModel(config, { rng: 3 });
        const optA = new Adam(a.parameters(), { lr: 0.01 });
        const optB = new Adam(b.parameters(), { lr: 0.01 });
        const trainer = new Trainer(a, { loss, optimizer: optA });
        for (let s = 0; s < 25; s++) {
          const la = trainer.step(x, y);
          optB.zeroGrad();
          const l = lossOf(loss, b.forward(x), y);
          const lb = l.item();
          l.backward();
          optB.step();
          expect(Object.is(la, lb), `${loss} step ${s}: ${la} vs ${lb}`).toBe(true);
        }
        expect(sameBits(params(a), params(b)), loss).toBe(true);
      }
    },
  );

  it('reaches a steady state: buffers laid out in one arena after the first steps, then no new ones; output valid until the next', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 4, widths: [8, 8], outputDim: 3 }, { rng: 1 });
    const trainer = new Trainer(model, { loss: 'ce', optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) });
    const { x, y } = data(16, 4, 3, 'ce', 2);
    const before = model.forward(x).value.clone();
    trainer.step(x, y);
    expect(Array.from(trainer.output!.values())).toEqual(Array.from(before.values()));
    const ws = trainer.workspace(16);
    expect(ws.arena).toBeNull(); // the first step allocates as usual and notes the sizes
    // the second step lays the buffers out in one arena; the compiled kernels then ask
    // for bias copies there, which one more layout takes in
    trainer.step(x, y);
    trainer.step(x, y);
    expect(ws.arena).not.toBeNull();
    expect(ws.arena!.holds(trainer.output!.data)).toBe(true);
    const arena = ws.arena;
    const count = ws.count;
    const doubles = ws.doubles;
    const firstOut = trainer.output!.data;
    for (let s = 0; s < 10; s++) trainer.step(x, y);
    expect(ws.count).toBe(count);
    expect(ws.doubles).toBe(doubles);
    expect(trainer.output!.data).toBe(firstOut); // the same buffer, recycled
    expect(ws.arena).toBe(arena);
    // another batch size gets its own workspace and leaves this one alone
    const small = data(5, 4, 3, 'ce', 3);
    trainer.step(small.x, small.y);
    expect(trainer.workspace(5)).not.toBe(ws);
    expect(ws.count).toBe(count);
  });

  it('returns a non-finite loss without updating, and rejects a bad loss kind', () => {
    const model = createModel({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 2 }, { rng: 1 });
    const opt = new SGD(model.parameters(), { lr: 0.1 });
    const trainer = new Trainer(model, { loss: 'mse', optimizer: opt });
    model.parameters()[0].value.data[0] = Infinity;
    const before = params(model);
    const x = Tensor.from([[1, 2], [3, 4]]);
    expect(Number.isFinite(trainer.step(x, Tensor.from([[1, 0], [0, 0]])))).toBe(false);
    expect(sameBits(params(model), before)).toBe(true);
    expect(() => new Trainer(model, { loss: 'nope' as LossKind, optimizer: opt })).toThrow(/Trainer: loss must be one of/);
  });
});

describe('fit through the Trainer', () => {
  /** fit's loop written out with the tape and fresh tensors: the history fit must reproduce. */
  function manualFit(model: Model, x: Tensor, y: Tensor, loss: LossKind, epochs: number, bs: number, seed: number): number[] {
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const rng = new Rng(seed);
    const n = x.shape[0];
    const losses: number[] = [];
    for (let e = 0; e < epochs; e++) {
      const order = bs >= n ? null : rng.permutation(n);
      let sum = 0;
      for (let s = 0; s < n; s += bs) {
        const idx = order === null ? null : order.subarray(s, Math.min(s + bs, n));
        const xb = idx === null ? x : x.take(idx, 0);
        const yb = idx === null ? y : y.take(idx, 0);
        opt.zeroGrad();
        const l = lossOf(loss, model.forward(xb), yb);
        sum += l.item() * yb.shape[0];
        l.backward();
        opt.step();
      }
      losses.push(sum / n);
    }
    return losses;
  }

  it.each([
    ['minibatches with a remainder batch', 16],
    ['one full batch', 1000],
  ] as const)('%s: epoch losses and final weights are those of the plain loop, bit for bit', (_what, bs) => {
    for (const config of [CONFIGS[1], CONFIGS[3], CONFIGS[6]]) {
      const { x, y } = data(50, 3, 3, 'ce', 9);
      const a = createModel(config, { rng: 5 });
      const b = createModel(config, { rng: 5 });
      const h = fit(a, { x, y }, { loss: 'ce', epochs: 4, batchSize: bs, lr: 0.01, seed: 13 });
      const losses = manualFit(b, x, y, 'ce', 4, bs, 13);
      expect(h.epochs.map((e) => e.loss)).toEqual(losses);
      expect(sameBits(params(a), params(b)), config.kind).toBe(true);
    }
  });
});
