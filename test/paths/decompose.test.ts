// Identities of the mixture of paths on random networks: path sum = forward, top-k = brute force.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createModel, type Model, type ModelConfig } from '../../src/models/index.js';
import { enumeratePaths, pathCount, pathSum, topPaths, verifyDecomposition } from '../../src/paths/decompose.js';
import { pathValueTensor, toValueTensor } from '../../src/paths/values.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Random configurations over every family and option, seeded. */
function randomConfigs(count: number, seed: number): ModelConfig[] {
  const rng = new Rng(seed);
  const kinds = ['dln', 'dnn', 'dgn', 'dlgn', 'dlgn-vt'] as const;
  const out: ModelConfig[] = [];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    const depth = rng.integer(1, 4);
    const widths = Array.from({ length: depth }, () => rng.integer(1, 5));
    const c: ModelConfig = { kind, inputDim: rng.integer(1, 4), widths, outputDim: rng.integer(1, 4), bias: rng.uniform() < 0.6 };
    if (kind !== 'dln' && kind !== 'dnn') {
      c.gate = rng.uniform() < 0.5 ? 'soft' : 'hard';
      c.beta = rng.uniformRange(0.5, 8);
      if (kind === 'dlgn') c.features = rng.uniform() < 0.5 ? 'cf' : 'sf';
      if (kind !== 'dlgn-vt') c.valueInput = rng.uniform() < 0.5 ? 'ones' : 'input';
    }
    out.push(c);
  }
  return out;
}

const configs = randomConfigs(40, 2024);
const name = (c: ModelConfig, i: number): string =>
  `#${i} ${c.kind} ${c.inputDim}-[${c.widths.join(',')}]-${c.outputDim} bias=${c.bias} ${c.features ?? ''} ${c.gate ?? ''} ${c.valueInput ?? ''}`;

function inputs(model: Model, n: number, seed: number): Tensor {
  const rng = new Rng(seed);
  return Tensor.fromArray(rng.uniformArray(n * model.config.inputDim, -1.5, 1.5), [n, model.config.inputDim]);
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

describe('path sum equals forward on random networks', () => {
  it.each(configs.map((c, i) => [name(c, i), c, i] as const))('%s', (_n, config, i) => {
    const model = createModel(config, { rng: 100 + i });
    const x = inputs(model, 5, i);
    const out = model.forward(x).value.values();
    const k = config.outputDim;
    for (let s = 0; s < 5; s++) {
      const row = x.slice([s, s + 1]);
      const sum = new Float64Array(k);
      let n = 0;
      for (const p of enumeratePaths(model, row)) {
        n++;
        for (let c = 0; c < k; c++) sum[c] += p.contribution[c];
        // contribution = value * activity, per output
        for (let c = 0; c < k; c++) expect(p.contribution[c]).toBe(p.value[c] * p.activity);
      }
      expect(BigInt(n)).toBe(pathCount(model));
      expect(relErr(sum, out.subarray(s * k, s * k + k))).toBeLessThan(1e-9);
      expect(relErr(pathSum(model, row), out.subarray(s * k, s * k + k))).toBeLessThan(1e-9);
    }
    const check = verifyDecomposition(model, x);
    expect(check.method).toBe('enumeration');
    expect(check.maxRelError).toBeLessThan(1e-9);
  });
});

describe('top-k equals brute-force top-k', () => {
  const sortKey = (v: ArrayLike<number>, rank: 'max' | 'l2' | 'l1'): number => {
    const a = Array.from(v, Math.abs);
    if (rank === 'max') return Math.max(...a);
    if (rank === 'l1') return a.reduce((s, t) => s + t, 0);
    return Math.sqrt(a.reduce((s, t) => s + t * t, 0));
  };
  it.each(configs.map((c, i) => [name(c, i), c, i] as const))('%s', (_n, config, i) => {
    const model = createModel(config, { rng: 300 + i });
    const x = inputs(model, 2, 50 + i);
    for (const rank of ['max', 'l2', 'l1'] as const) {
      for (const k of [1, 3, 8]) {
        const row = x.slice([0, 1]);
        const all = [...enumeratePaths(model, row)].map((p) => ({ p, key: sortKey(p.contribution, rank) }));
        all.sort((a, b) => b.key - a.key);
        const top = topPaths(model, row, k, { rankBy: rank });
        expect(top.length).toBe(Math.min(k, all.length));
        top.forEach((p, j) => {
          // magnitudes agree position by position (ties may order differently, values may not)
          expect(sortKey(p.contribution, rank)).toBeCloseTo(all[j].key, 12);
          // and the path is a real one with the same contribution as brute force
          const same = all.find((a) => JSON.stringify(a.p.id) === JSON.stringify(p.id));
          expect(same, `path ${JSON.stringify(p.id)} exists`).toBeDefined();
          expect(Array.from(p.contribution)).toEqual(Array.from(same!.p.contribution));
        });
      }
    }
  });

  it('does not enumerate: a network with 10^19 paths answers top-8', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 10, widths: [32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32, 32], outputDim: 2 }, { rng: 1 });
    expect(pathCount(model)).toBeGreaterThan(2n ** 53n);
    const top = topPaths(model, new Array(10).fill(0.1), 8);
    expect(top).toHaveLength(8);
    for (let j = 1; j < 8; j++) {
      const prev = Math.max(...Array.from(top[j - 1].contribution, Math.abs));
      expect(Math.max(...Array.from(top[j].contribution, Math.abs))).toBeLessThanOrEqual(prev);
    }
    expect(() => enumeratePaths(model, new Array(10).fill(0.1)).next()).toThrow(/paths per output, over the limit/);
    const check = verifyDecomposition(model, Tensor.full([2, 10], 0.1));
    expect(check.method).toBe('dynamic-programming');
    expect(check.maxRelError).toBeLessThan(1e-9);
  });
});

describe('path counts', () => {
  it('matches the closed form and is exact beyond 2^53', () => {
    const m = createModel({ kind: 'dlgn', inputDim: 3, widths: [1000, 1000, 1000, 1000, 1000, 1000], outputDim: 1, bias: false }, { rng: 0, init: 'normal' });
    expect(pathCount(m)).toBe(3n * 10n ** 18n);
    const vt = createModel({ kind: 'dlgn-vt', inputDim: 2, widths: [3, 4, 2], outputDim: 2 });
    expect(pathCount(vt)).toBe(24n);
  });
});

describe('fixture paths (PyTorch)', () => {
  const fx = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/torch-parity.json'), 'utf8')) as {
    cases: { name: string; model: ModelConfig; params: Record<string, { shape: number[]; data: number[] }>; x: { shape: number[]; data: number[] }; paths: { count: number; sum: { data: number[] }; top: { id: number[]; contribution: { data: number[] }; activity: number }[] } }[];
  };
  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: count, sum, top-8 ids, contributions, activities', (_n, c) => {
    const model = createModel(c.model);
    const state: Record<string, Tensor> = {};
    for (const [k, t] of Object.entries(c.params)) state[k] = Tensor.fromArray(Float64Array.from(t.data), t.shape);
    model.loadStateDict(state);
    const x0 = Tensor.fromArray(Float64Array.from(c.x.data.slice(0, c.x.shape[1])), [1, c.x.shape[1]]);
    expect(pathCount(model)).toBe(BigInt(c.paths.count));
    expect(relErr(pathSum(model, x0), c.paths.sum.data)).toBeLessThan(1e-9);
    const top = topPaths(model, x0, 8);
    expect(top.map((p) => p.id)).toEqual(c.paths.top.map((t) => t.id));
    top.forEach((p, j) => {
      expect(relErr(p.contribution, c.paths.top[j].contribution.data)).toBeLessThan(1e-9);
      expect(Math.abs(p.activity - c.paths.top[j].activity)).toBeLessThan(1e-9);
    });
  });
});

describe('path values and toValueTensor', () => {
  const cases: ModelConfig[] = [
    { kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 2, bias: false },
    { kind: 'dlgn', inputDim: 3, widths: [3, 3, 2], outputDim: 1, bias: false, features: 'sf', gate: 'hard' },
    { kind: 'dlgn', inputDim: 2, widths: [5], outputDim: 3, bias: false, beta: 3 },
  ];
  it.each(cases.map((c, i) => [`${c.widths.join(',')} ${c.features ?? 'cf'} ${c.gate ?? 'soft'}`, c, i] as const))(
    'DLGN %s and its DLGN-VT compute the same function',
    (_n, config, i) => {
      const model = createModel(config, { rng: 10 + i });
      const vt = toValueTensor(model);
      const x = inputs(model, 20, i);
      expect(relErr(vt.forward(x).value.values(), model.forward(x).value.values())).toBeLessThan(1e-12);
      const T = pathValueTensor(model);
      expect(T.shape).toEqual([config.outputDim, config.inputDim, ...config.widths]);
    },
  );

  it('keeps gating biases and accepts zero value biases', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1, bias: true }, { rng: 4 });
    const state = model.stateDict();
    for (const k of Object.keys(state)) if (k.startsWith('value.') && k.endsWith('.bias')) state[k].data.fill(0);
    state['out.bias'].data.fill(0);
    model.loadStateDict(state);
    const vt = toValueTensor(model);
    const x = inputs(model, 30, 9);
    expect(relErr(vt.forward(x).value.values(), model.forward(x).value.values())).toBeLessThan(1e-12);
  });

  it('refuses what a value tensor cannot express, saying why', () => {
    const withBias = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 1 });
    expect(() => toValueTensor(withBias)).toThrow(/value\.0\.bias is non-zero/);
    const input = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1, bias: false, valueInput: 'input' });
    expect(() => toValueTensor(input)).toThrow(/valueInput 'ones'/);
    const relu = createModel({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 1 });
    expect(() => toValueTensor(relu)).toThrow(/needs a dlgn model, got dnn/);
  });
});

describe('input validation', () => {
  const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 });
  it('names the operation and the shape', () => {
    expect(() => topPaths(model, [1, 2, 3])).toThrow(/topPaths: expected one input of 2 features/);
    expect(() => topPaths(model, [1, 2], 0)).toThrow(/k must be a positive integer/);
    expect(() => topPaths(model, [1, 2], 2, { rankBy: { output: 3 } })).toThrow(/rankBy.output 3 is out of range/);
    expect(() => verifyDecomposition(model, Tensor.zeros([2, 3]))).toThrow(/verifyDecomposition: expected x \[n, 2\]/);
  });
});
