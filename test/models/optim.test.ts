// Optimisers and schedules: PyTorch trajectories of every fixture case, hand-worked steps, groups, errors.

import { describe, expect, it } from 'vitest';
import { Var } from '../../src/autograd/engine.js';
import { createModel } from '../../src/models/families.js';
import { Adam, AdamW, CosineLR, type Optimizer, SGD, StepLR, powInt } from '../../src/models/optim.js';
import { lossOf } from '../../src/models/train.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type RawCase, loadFixtureFile, relErr, stateOf, tensorOf } from '../helpers/parity-fixtures.js';

const fixture = loadFixtureFile();

/** Runs the fixture's optimiser from `params` for `steps` steps on the case's batch. */
function runTrajectory(c: RawCase, kind: 'sgd' | 'adam'): { losses: number[]; params: Record<string, Tensor> } {
  const spec = c.train[kind];
  const model = createModel(c.model);
  model.loadStateDict(stateOf(c));
  const cfg = spec.config;
  const opt: Optimizer =
    kind === 'sgd'
      ? new SGD(model.parameters(), { lr: cfg.lr, momentum: cfg.momentum })
      : new Adam(model.parameters(), { lr: cfg.lr, betas: cfg.betas, eps: cfg.eps });
  const x = tensorOf(c.x);
  const y = tensorOf(c.y);
  const losses: number[] = [];
  for (let s = 0; s < spec.steps; s++) {
    opt.zeroGrad();
    const loss = lossOf(c.loss.kind, model.forward(x), y);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  return { losses, params: Object.fromEntries(model.namedParameters().map(([n, p]) => [n, p.value])) };
}

describe('optimisers: PyTorch trajectories of every fixture case (5 steps, 1e-8)', () => {
  for (const c of fixture.cases) {
    for (const kind of ['sgd', 'adam'] as const) {
      it(`${c.name}: ${kind}`, () => {
        const spec = c.train[kind];
        expect(spec.steps).toBe(5);
        const { losses, params } = runTrajectory(c, kind);
        expect(losses.length).toBe(5);
        expect(relErr(losses, spec.losses)).toBeLessThanOrEqual(1e-8);
        expect(Object.keys(params).sort()).toEqual(Object.keys(spec.params).sort());
        for (const [name, p] of Object.entries(params)) {
          expect(relErr(p, tensorOf(spec.params[name])), name).toBeLessThanOrEqual(1e-8);
        }
        // the trajectory moved: the parameters after five steps are not the starting ones
        const moved = Object.entries(params).some(([name, p]) => relErr(p, tensorOf(c.params[name])) > 1e-6);
        expect(moved).toBe(true);
      });
    }
  }
});

/** A parameter with given values and (optionally) a gradient. */
function param(values: number[], grad?: number[]): Var {
  const p = Var.param(Tensor.fromArray(values), 'p');
  if (grad) p.grad = Tensor.fromArray(grad);
  return p;
}

function setGrad(p: Var, grad: number[]): void {
  p.grad = Tensor.fromArray(grad);
}

const vals = (p: Var): number[] => Array.from(p.value.values());

function expectClose(actual: number[], expected: number[], digits = 14): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(a, `index ${i}`).toBeCloseTo(expected[i], digits));
}

describe('SGD by hand', () => {
  const p0 = [1, -2, 0.5];
  const g1 = [0.5, 0.25, -1];
  const g2 = [-0.3, 0.1, 2];

  it('plain: p - lr g', () => {
    const p = param(p0, g1);
    new SGD([p], { lr: 0.1 }).step();
    expectClose(vals(p), p0.map((v, i) => v - 0.1 * g1[i]));
  });

  it('momentum: buf = g on the first step, momentum buf + g after', () => {
    const p = param(p0, g1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    const p1 = p0.map((v, i) => v - 0.1 * g1[i]);
    expectClose(vals(p), p1);
    setGrad(p, g2);
    opt.step();
    expectClose(
      vals(p),
      p1.map((v, i) => v - 0.1 * (0.9 * g1[i] + g2[i])),
    );
  });

  it('dampening: not on the first step, (1 - dampening) g after', () => {
    const p = param(p0, g1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
    opt.step();
    const p1 = p0.map((v, i) => v - 0.1 * g1[i]);
    expectClose(vals(p), p1);
    setGrad(p, g2);
    opt.step();
    expectClose(
      vals(p),
      p1.map((v, i) => v - 0.1 * (0.9 * g1[i] + 0.5 * g2[i])),
    );
  });

  it('nesterov: d = g + momentum buf', () => {
    const p = param(p0, g1);
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9, nesterov: true });
    opt.step();
    const p1 = p0.map((v, i) => v - 0.1 * (g1[i] + 0.9 * g1[i]));
    expectClose(vals(p), p1);
    setGrad(p, g2);
    opt.step();
    expectClose(
      vals(p),
      p1.map((v, i) => v - 0.1 * (g2[i] + 0.9 * (0.9 * g1[i] + g2[i]))),
    );
  });

  it('weight decay: d = g + wd p (with the parameter before the step)', () => {
    const p = param(p0, g1);
    new SGD([p], { lr: 0.1, weightDecay: 0.01 }).step();
    expectClose(vals(p), p0.map((v, i) => v - 0.1 * (g1[i] + 0.01 * v)));
    // a zero gradient still shrinks the weights under weight decay
    const q = param(p0, [0, 0, 0]);
    new SGD([q], { lr: 0.1, weightDecay: 0.5 }).step();
    expectClose(vals(q), p0.map((v) => v * 0.95));
  });

  it('maximize: p + lr g (weight decay still pulls towards 0)', () => {
    const p = param(p0, g1);
    new SGD([p], { lr: 0.1, maximize: true }).step();
    expectClose(vals(p), p0.map((v, i) => v + 0.1 * g1[i]));
    const q = param(p0, g1);
    new SGD([q], { lr: 0.1, maximize: true, weightDecay: 0.01 }).step();
    expectClose(vals(q), p0.map((v, i) => v - 0.1 * (-g1[i] + 0.01 * v)));
  });

  it('updates in place; momentum buffers persist across steps (no allocation per step)', () => {
    const p = param(p0, g1);
    const data = p.value.data;
    const value = p.value;
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    opt.step();
    // the private buffer map, read at run time: the same Float64Array must serve every step
    const bufs = (opt as unknown as { buf: Map<Var, Float64Array> }).buf;
    expect(bufs).toBeInstanceOf(Map);
    const buf = bufs.get(p);
    expect(buf).toBeInstanceOf(Float64Array);
    setGrad(p, g2);
    opt.step();
    expect(bufs.get(p)).toBe(buf);
    expect(p.value).toBe(value);
    expect(p.value.data).toBe(data);
    // zeroGrad keeps the gradient buffer and zeroes it
    const grad = p.grad!;
    opt.zeroGrad();
    expect(p.grad).toBe(grad);
    expect(vals(p).length).toBe(3);
    expect(Array.from(grad.values())).toEqual([0, 0, 0]);
  });
});

describe('Adam by hand', () => {
  it('the first step moves each parameter by lr * g / (|g| + eps): about lr * sign(g), whatever |g|', () => {
    const p0 = [1, -2, 0.5, 3];
    const g = [1e-3, -5, 100, -0.25];
    const p = param(p0, g);
    new Adam([p], { lr: 0.01 }).step();
    const moved = vals(p).map((v, i) => p0[i] - v);
    moved.forEach((m, i) => {
      expect(m).toBeCloseTo((0.01 * g[i]) / (Math.abs(g[i]) + 1e-8), 15);
      expect(Math.abs(m - 0.01 * Math.sign(g[i]))).toBeLessThan(1e-7);
    });
  });

  it('two steps match the closed form (bias corrections, eps after the square root)', () => {
    const [b1, b2, lr, eps] = [0.8, 0.99, 0.05, 1e-3];
    const p0 = [0.5, -1];
    const g1 = [0.2, -3];
    const g2 = [-0.1, 1];
    const p = param(p0, g1);
    const opt = new Adam([p], { lr, betas: [b1, b2], eps });
    opt.step();
    setGrad(p, g2);
    opt.step();
    const expected = p0.map((v, i) => {
      let m = (1 - b1) * g1[i];
      let s = (1 - b2) * g1[i] ** 2;
      const w1 = v - (lr / (1 - b1)) * (m / (Math.sqrt(s) / Math.sqrt(1 - b2) + eps));
      m = b1 * m + (1 - b1) * g2[i];
      s = b2 * s + (1 - b2) * g2[i] ** 2;
      return w1 - (lr / (1 - b1 ** 2)) * (m / (Math.sqrt(s) / Math.sqrt(1 - b2 ** 2) + eps));
    });
    expectClose(vals(p), expected, 13);
  });

  it('Adam weight decay is coupled (added to g); maximize ascends', () => {
    const p = param([2, -3], [0, 0]);
    new Adam([p], { lr: 0.01, weightDecay: 0.1 }).step();
    // g = wd p, so the step is about lr * sign(p)
    expectClose(vals(p), [2 - 0.01 * (0.2 / (0.2 + 1e-8)), -3 + 0.01 * (0.3 / (0.3 + 1e-8))]);
    const q = param([1], [4]);
    new Adam([q], { lr: 0.01, maximize: true }).step();
    expectClose(vals(q), [1 + 0.01 * (4 / (4 + 1e-8))]);
  });

  it('AdamW decays decoupled: a zero gradient still shrinks the weights by lr * wd', () => {
    const p = param([2, -3, 0.5], [0, 0, 0]);
    const opt = new AdamW([p], { lr: 0.1, weightDecay: 0.2 });
    opt.step();
    expectClose(vals(p), [2 * 0.98, -3 * 0.98, 0.5 * 0.98], 15);
    opt.step();
    expectClose(vals(p), [2 * 0.98 ** 2, -3 * 0.98 ** 2, 0.5 * 0.98 ** 2], 15);
    // default weight decay 0.01
    const q = param([1], [0]);
    new AdamW([q], { lr: 0.5 }).step();
    expectClose(vals(q), [1 - 0.5 * 0.01], 15);
    // with a gradient: decay first, then the Adam step
    const r = param([1], [3]);
    new AdamW([r], { lr: 0.1, weightDecay: 0.2 }).step();
    expectClose(vals(r), [0.98 - 0.1 * (3 / (3 + 1e-8))], 14);
  });

  it('amsgrad divides by the running maximum of v', () => {
    const [b1, b2, lr, eps] = [0.9, 0.9, 0.01, 1e-8];
    const g1 = 10;
    const g2 = 0.1;
    const run = (amsgrad: boolean): number => {
      const p = param([0], [g1]);
      const opt = new Adam([p], { lr, betas: [b1, b2], amsgrad });
      opt.step();
      setGrad(p, [g2]);
      opt.step();
      return vals(p)[0];
    };
    const v1 = (1 - b2) * g1 * g1;
    const v2 = b2 * v1 + (1 - b2) * g2 * g2;
    expect(v2).toBeLessThan(v1);
    const m2 = b1 * (1 - b1) * g1 + (1 - b1) * g2;
    const w1 = -lr * (g1 / (g1 + eps));
    const denom = (v: number): number => Math.sqrt(v) / Math.sqrt(1 - b2 ** 2) + eps;
    const withMax = w1 - (lr / (1 - b1 ** 2)) * (m2 / denom(v1));
    const plain = w1 - (lr / (1 - b1 ** 2)) * (m2 / denom(v2));
    expect(run(true)).toBeCloseTo(withMax, 14);
    expect(run(false)).toBeCloseTo(plain, 14);
    expect(Math.abs(withMax - plain)).toBeGreaterThan(1e-4);
  });

  it('state buffers are allocated once and reused by every step', () => {
    const p = param([1, 2], [0.1, -0.2]);
    const opt = new Adam([p], { lr: 0.01, amsgrad: true });
    const data = p.value.data;
    opt.step();
    type State = { t: number; m: Float64Array; v: Float64Array; vmax: Float64Array | null };
    const state = (opt as unknown as { state: Map<Var, State> }).state;
    expect(state).toBeInstanceOf(Map);
    const first = state.get(p)!;
    const { m, v, vmax } = first;
    expect(m).toBeInstanceOf(Float64Array);
    expect(vmax).toBeInstanceOf(Float64Array);
    setGrad(p, [0.3, 0.4]);
    opt.step();
    const second = state.get(p)!;
    expect(second.t).toBe(2);
    expect(second.m).toBe(m);
    expect(second.v).toBe(v);
    expect(second.vmax).toBe(vmax);
    expect(p.value.data).toBe(data);
  });
});

describe('groups and skipped parameters', () => {
  it('each group uses its own lr and weight decay; others inherit the optimiser defaults', () => {
    const a = param([1, 2], [0.5, 0.5]);
    const b = param([1, 2], [0.5, 0.5]);
    const c = param([1, 2], [0.5, 0.5]);
    const opt = new SGD(
      [
        { params: [a], lr: 0.1, weightDecay: 0.5, name: 'gate' },
        { params: [b], lr: 0.01 },
        { params: [c], name: 'rest' },
      ],
      { lr: 1, weightDecay: 0 },
    );
    expect(opt.groups.map((g) => [g.lr, g.weightDecay, g.name])).toEqual([
      [0.1, 0.5, 'gate'],
      [0.01, 0, undefined],
      [1, 0, 'rest'],
    ]);
    expect(opt.params()).toEqual([a, b, c]);
    opt.step();
    expectClose(vals(a), [1 - 0.1 * (0.5 + 0.5 * 1), 2 - 0.1 * (0.5 + 0.5 * 2)]);
    expectClose(vals(b), [1 - 0.01 * 0.5, 2 - 0.01 * 0.5]);
    expectClose(vals(c), [1 - 0.5, 2 - 0.5]);
  });

  it('Adam groups: the lr of each group sets its first step', () => {
    const a = param([0], [1]);
    const b = param([0], [1]);
    new Adam([{ params: [a], lr: 0.1 }, { params: [b] }], { lr: 0.001 }).step();
    expect(vals(a)[0]).toBeCloseTo(-0.1, 7);
    expect(vals(b)[0]).toBeCloseTo(-0.001, 9);
  });

  it('SGD skips a parameter without a gradient, and its momentum starts when a gradient arrives', () => {
    const p = param([1, 2]);
    const q = param([1, 2], [1, 1]);
    const opt = new SGD([p, q], { lr: 0.1, momentum: 0.9 });
    opt.step();
    expect(vals(p)).toEqual([1, 2]);
    expectClose(vals(q), [0.9, 1.9]);
    setGrad(p, [1, -1]);
    opt.step();
    // a first step for p: buf = g, no momentum from the skipped step
    expectClose(vals(p), [0.9, 2.1]);
  });

  it('Adam skips a parameter without a gradient: its step count does not advance', () => {
    const p = param([1]);
    const opt = new Adam([p], { lr: 0.01 });
    opt.step();
    opt.step();
    expect(vals(p)).toEqual([1]);
    setGrad(p, [0.5]);
    opt.step();
    // the first real step moves by lr g / (|g| + eps), bias corrections of t = 1
    expect(vals(p)[0]).toBeCloseTo(1 - 0.01 * (0.5 / (0.5 + 1e-8)), 15);
  });
});

describe('schedules', () => {
  it('StepLR: lr0 gamma^floor(epoch / stepSize), per group', () => {
    const opt = new SGD([{ params: [param([0])], lr: 0.1 }, { params: [param([0])], lr: 0.4 }], { lr: 1 });
    const sched = new StepLR(opt, 2, 0.5);
    expect(sched.lrs()).toEqual([0.1, 0.4]);
    const seen: number[][] = [];
    for (let e = 1; e <= 5; e++) {
      sched.step();
      seen.push(sched.lrs());
    }
    const want = [1, 2, 3, 4, 5].map((e) => [0.1 * 0.5 ** Math.floor(e / 2), 0.4 * 0.5 ** Math.floor(e / 2)]);
    seen.forEach((lrs, i) => expectClose(lrs, want[i], 15));
    expect(opt.groups.map((g) => g.lr)).toEqual(seen[4]);
  });

  it('StepLR default gamma 0.1; the optimiser steps with the scheduled rate', () => {
    const p = param([1], [1]);
    const opt = new SGD([p], { lr: 1 });
    const sched = new StepLR(opt, 1);
    sched.step();
    expect(sched.lrs()[0]).toBeCloseTo(0.1, 15);
    opt.step();
    expectClose(vals(p), [0.9]);
  });

  it('CosineLR: etaMin + (lr0 - etaMin)(1 + cos(pi t / tMax)) / 2 for t = 1..tMax', () => {
    const opt = new Adam([{ params: [param([0])], lr: 0.1 }, { params: [param([0])], lr: 0.02 }]);
    const etaMin = 0.001;
    const tMax = 10;
    const sched = new CosineLR(opt, tMax, etaMin);
    for (let t = 1; t <= tMax; t++) {
      sched.step();
      const f = (1 + Math.cos((Math.PI * t) / tMax)) / 2;
      expectClose(sched.lrs(), [etaMin + (0.1 - etaMin) * f, etaMin + (0.02 - etaMin) * f], 15);
    }
    expectClose(sched.lrs(), [etaMin, etaMin], 15);
  });

  it('schedule arguments are checked', () => {
    const opt = new SGD([param([0])], { lr: 0.1 });
    expect(() => new StepLR(opt, 0)).toThrow('StepLR: stepSize must be a positive integer, got 0');
    expect(() => new CosineLR(opt, 2.5)).toThrow('CosineLR: tMax must be a positive integer, got 2.5');
  });
});

describe('constructor errors', () => {
  it('negative or non-finite lr and weight decay', () => {
    expect(() => new SGD([param([0])], { lr: -0.1 })).toThrow('SGD: lr must be a finite number >= 0, got -0.1');
    expect(() => new Adam([param([0])], { lr: Number.NaN })).toThrow('Adam: lr must be a finite number >= 0, got NaN');
    expect(() => new AdamW([param([0])], { weightDecay: -1 })).toThrow('AdamW: weightDecay must be a finite number >= 0, got -1');
    expect(() => new SGD([{ params: [param([0])], lr: -1 }], { lr: 0.1 })).toThrow('SGD: lr of group 0 must be a finite number >= 0, got -1');
    expect(() => new SGD([param([0])], { lr: 0.1, momentum: -0.5 })).toThrow('SGD: momentum must be a finite number >= 0, got -0.5');
  });

  it('betas outside [0, 1)', () => {
    expect(() => new Adam([param([0])], { betas: [1, 0.999] })).toThrow('Adam: beta1 must be in [0, 1), got 1');
    expect(() => new AdamW([param([0])], { betas: [0.9, 1.5] })).toThrow('AdamW: beta2 must be in [0, 1), got 1.5');
    expect(() => new Adam([param([0])], { betas: [-0.1, 0.9] })).toThrow('Adam: beta1 must be in [0, 1), got -0.1');
  });

  it('a parameter in two groups', () => {
    const p = Var.param(Tensor.fromArray([0]), 'layers.0.weight');
    expect(() => new Adam([{ params: [p] }, { params: [param([1]), p] }])).toThrow(
      'Adam: parameter layers.0.weight appears in more than one group (group 1)',
    );
  });

  it('nesterov needs momentum and no dampening', () => {
    expect(() => new SGD([param([0])], { lr: 0.1, nesterov: true })).toThrow('SGD: nesterov needs momentum > 0 and dampening 0');
    expect(() => new SGD([param([0])], { lr: 0.1, nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(
      'SGD: nesterov needs momentum > 0 and dampening 0',
    );
  });
});

describe('powInt (Adam bias correction, the same bits in every engine)', () => {
  it('is exact where the power is representable, close to Math.pow elsewhere, and the bias correction 1 - b^t agrees to 1e-13', () => {
    expect(powInt(0.5, 10)).toBe(2 ** -10);
    expect(powInt(3, 0)).toBe(1);
    expect(powInt(-2, 5)).toBe(-32);
    expect(powInt(0.999, 1)).toBe(0.999);
    for (const b of [0.9, 0.99, 0.999]) {
      for (const t of [2, 3, 7, 64, 1000, 12345, 100000]) {
        const p = Math.pow(b, t);
        if (p < 1e-290) {
          // both underflow toward 0 (0.9^12345 is about 1e-565)
          expect(powInt(b, t)).toBeLessThan(1e-290);
          continue;
        }
        // squaring doubles a relative error, so t steps of it leave at most about t ulps
        expect(Math.abs(powInt(b, t) - p) / p, `${b}^${t}`).toBeLessThan(2 * t * Number.EPSILON);
        expect(Math.abs(1 - powInt(b, t) - (1 - p)) / (1 - p), `1 - ${b}^${t}`).toBeLessThan(1e-13);
      }
    }
  });
});
