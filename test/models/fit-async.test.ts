// fitAsync: fit's loop with pauses: the same bits, callbacks (awaited when they return promises), abort, yields.

import { describe, expect, it } from 'vitest';
import { createModel, type Model } from '../../src/models/families.js';
import { type Dataset, type FitOptions, type History, fit, fitAsync } from '../../src/models/train.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

function xor(n: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = rng.uniformArray(n * 2, -1, 1);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1] > 0 ? 1 : 0;
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

const train = xor(120, 5);
const validation = xor(60, 6);
const dlgn = (): Model => createModel({ kind: 'dlgn', inputDim: 2, widths: [6, 6], outputDim: 2, beta: 4 }, { rng: 3 });

function bits(model: Model): string[] {
  return model.namedParameters().map(([n, p]) => `${n}:${Array.from(new Uint32Array(Float64Array.from(p.value.values()).buffer)).join(',')}`);
}

/** Every callback, recorded: what fit and fitAsync must both report. */
function recorder(): { log: string[]; options: Pick<FitOptions, 'onTrainBegin' | 'onEpochEnd' | 'onBatchEnd' | 'onTrainEnd'> } {
  const log: string[] = [];
  return {
    log,
    options: {
      onTrainBegin: (t) => log.push(`begin ${JSON.stringify(t)}`),
      onBatchEnd: (b) => log.push(`batch ${b.epoch}.${b.batch} ${b.loss}`),
      onEpochEnd: (e) => log.push(`epoch ${JSON.stringify(e)}`),
      onTrainEnd: (h) => log.push(`end ${h.stopped} ${h.steps}`),
    },
  };
}

const options: FitOptions = {
  loss: 'ce', epochs: 6, batchSize: 16, lr: 0.03, seed: 9, validation,
  schedule: { kind: 'cosine' }, betaSchedule: (e) => 2 + e, earlyStopping: { patience: 50 },
};

describe('fitAsync', () => {
  it.each([
    ['every step', { steps: 1 }],
    ['every 3 steps', { steps: 3 }],
    ['every 0 ms', { ms: 0 }],
    ['the default (16 ms)', undefined],
  ] as const)('gives fit\'s weights, history and callbacks bit for bit, yielding %s', async (_n, yieldEvery) => {
    const a = dlgn();
    const ra = recorder();
    const ha = fit(a, train, { ...options, ...ra.options });
    const b = dlgn();
    const rb = recorder();
    const hb = await fitAsync(b, train, { ...options, ...rb.options, yieldEvery });
    expect(bits(b)).toEqual(bits(a));
    expect(hb).toEqual(ha);
    expect(rb.log).toEqual(ra.log);
    expect(ra.log[0]).toBe('begin {"epochs":6,"samples":120,"batchSize":16,"stepsPerEpoch":8}');
    expect(ra.log.at(-1)).toBe('end completed 48');
  });

  it('lets other tasks run between steps: a timer fires during training', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    let stepsAtFirstTick = -1;
    let steps = 0;
    await fitAsync(dlgn(), train, {
      loss: 'ce', epochs: 40, batchSize: 8, yieldEvery: { steps: 1 },
      onBatchEnd: () => {
        steps++;
        if (ticks > 0 && stepsAtFirstTick < 0) stepsAtFirstTick = steps;
      },
    });
    clearInterval(timer);
    expect(steps).toBe(600);
    expect(stepsAtFirstTick).toBeGreaterThan(0);
    expect(stepsAtFirstTick).toBeLessThan(600);
  });

  it('fit never yields: nothing else runs until it returns', () => {
    let ticks = 0;
    const timer = setTimeout(() => ticks++, 0);
    fit(dlgn(), train, { loss: 'ce', epochs: 30, batchSize: 8, onEpochEnd: () => expect(ticks).toBe(0) });
    clearTimeout(timer);
  });

  it('stops on an AbortSignal fired from outside while it trains, with the weights of the steps taken', async () => {
    const stop = new AbortController();
    let steps = 0;
    const running = fitAsync(dlgn(), train, { loss: 'ce', epochs: 1000, batchSize: 8, yieldEvery: { steps: 1 }, signal: stop.signal, onBatchEnd: () => void steps++ });
    await new Promise((r) => setTimeout(r, 30));
    stop.abort();
    const h = await running;
    expect(h.stopped).toBe('aborted');
    expect(h.steps).toBe(steps);
    expect(h.steps).toBeGreaterThan(0);
    expect(h.steps).toBeLessThan(15000);
    // the same number of steps with fit gives the same weights
    const c = dlgn();
    const s2 = new AbortController();
    let k = 0;
    fit(c, train, { loss: 'ce', epochs: 1000, batchSize: 8, signal: s2.signal, onBatchEnd: () => void (++k === steps && s2.abort()) });
    const again = dlgn();
    const s3 = new AbortController();
    let k3 = 0;
    const h3 = await fitAsync(again, train, { loss: 'ce', epochs: 1000, batchSize: 8, signal: s3.signal, onBatchEnd: () => void (++k3 === steps && s3.abort()) });
    expect(h3.steps).toBe(steps);
    expect(bits(again)).toEqual(bits(c));
  });

  it('awaits callbacks that return promises before the next step', async () => {
    const order: string[] = [];
    const h: History = await fitAsync(dlgn(), train, {
      loss: 'ce', epochs: 2, batchSize: 60,
      onTrainBegin: () => new Promise<void>((r) => setTimeout(() => (order.push('begin done'), r()), 5)),
      onBatchEnd: async (b) => {
        order.push(`batch ${b.epoch}.${b.batch}`);
        await new Promise((r) => setTimeout(r, 2));
        order.push(`batch ${b.epoch}.${b.batch} done`);
      },
      onTrainEnd: async () => void order.push('end'),
    });
    expect(h.steps).toBe(4);
    expect(order).toEqual(['begin done', 'batch 0.0', 'batch 0.0 done', 'batch 0.1', 'batch 0.1 done', 'batch 1.0', 'batch 1.0 done', 'batch 1.1', 'batch 1.1 done', 'end']);
  });

  it('rejects with the errors of fit, named fitAsync; a rejected callback rejects and restores the flags', async () => {
    await expect(fitAsync(dlgn(), train, { loss: 'ce', epochs: 0 })).rejects.toThrow('fitAsync: epochs must be a positive integer, got 0');
    await expect(fitAsync(dlgn(), train, { loss: 'ce', epochs: 1, yieldEvery: { steps: 0 } })).rejects.toThrow('fitAsync: yieldEvery.steps must be a positive integer, got 0');
    await expect(fitAsync(dlgn(), train, { loss: 'ce', epochs: 1, bogus: 1 } as FitOptions)).rejects.toThrow("fitAsync: unknown option 'bogus'");
    expect(() => fit(dlgn(), train, { loss: 'ce', epochs: 1, yieldEvery: { ms: 1 } } as FitOptions)).toThrow("fit: unknown option 'yieldEvery'");
    const m = dlgn();
    await expect(
      fitAsync(m, train, { loss: 'ce', epochs: 3, train: 'values', onEpochEnd: () => Promise.reject(new Error('page closed')) }),
    ).rejects.toThrow('page closed');
    expect(m.namedParameters().every(([, p]) => p.requiresGrad)).toBe(true);
  });
});
