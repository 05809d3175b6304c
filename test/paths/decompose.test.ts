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
  type Rank = 'max' | 'l2' | 'l1' | { output: number };
  const sortKey = (v: ArrayLike<number>, rank: Rank): number => {
    const a = Array.from(v, Math.abs);
    if (typeof rank === 'object') return a[rank.output];
    if (rank === 'max') return Math.max(...a);
    if (rank === 'l1') return a.reduce((s, t) => s + t, 0);
    return Math.sqrt(a.reduce((s, t) => s + t * t, 0));
  };
  // enumeration yields paths in id order, so a stable sort by key leaves equal keys in id order
  const idKey = (id: readonly number[]): string => JSON.stringify(id);
  let filled = 0; // cases where fewer than k paths are non-zero: the zero paths must come by id
  it.each(configs.map((c, i) => [name(c, i), c, i] as const))('%s', (_n, config, i) => {
    const model = createModel(config, { rng: 300 + i });
    const x = inputs(model, 2, 50 + i);
    const ranks: Rank[] = ['max', 'l2', 'l1', ...Array.from({ length: config.outputDim }, (_, c) => ({ output: c }))];
    const row = x.slice([0, 1]);
    const paths = [...enumeratePaths(model, row)];
    for (const rank of ranks) {
      const all = paths.map((p) => ({ p, key: sortKey(p.contribution, rank) }));
      all.sort((a, b) => b.key - a.key);
      for (const k of [1, 3, 8]) {
        const top = topPaths(model, row, k, { rankBy: rank });
        expect(top.length).toBe(Math.min(k, all.length));
        const zeros = all.slice(0, top.length).filter((a) => a.key === 0).length;
        if (zeros > 0) filled++;
        top.forEach((p, j) => {
          // magnitudes agree position by position
          expect(sortKey(p.contribution, rank)).toBeCloseTo(all[j].key, 12);
          // the path is a real one with the same contribution as brute force
          const same = all.find((a) => idKey(a.p.id) === idKey(p.id));
          expect(same, `path ${idKey(p.id)} exists`).toBeDefined();
          expect(Array.from(p.contribution)).toEqual(Array.from(same!.p.contribution));
          // a key apart from its neighbours (or an exact tie at zero, broken by id) fixes the path
          const key = all[j].key;
          const apart = (o: number | undefined): boolean => o === undefined || Math.abs(o - key) > 1e-12 * Math.max(key, 1e-300);
          if (key === 0 || (apart(all[j - 1]?.key) && apart(all[j + 1]?.key))) expect(idKey(p.id)).toBe(idKey(all[j].p.id));
        });
      }
    }
  });
  it('met the zero-fill case (fewer non-zero paths than k) in the random networks above', () => {
    expect(filled).toBeGreaterThan(10);
  });

  it('breaks ties at zero by id: a hard-gated network with most gates shut', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 2, gate: 'hard' }, { rng: 7 });
    const x = [0.4, -0.9];
    const all = [...enumeratePaths(model, x)];
    const nonZero = all.filter((p) => p.contribution.some((c) => c !== 0)).length;
    expect(nonZero).toBeLessThan(all.length);
    const k = Math.min(all.length, nonZero + 5);
    const expected = all
      .map((p, order) => ({ id: idKey(p.id), key: sortKey(p.contribution, 'max'), order }))
      .sort((a, b) => b.key - a.key || a.order - b.order)
      .slice(0, k)
      .map((a) => a.id);
    expect(topPaths(model, x, k).map((p) => idKey(p.id))).toEqual(expected);
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

describe('verifyDecomposition detects a forward that disagrees with its paths', () => {
  const cases: ModelConfig[] = [
    { kind: 'dlgn', inputDim: 3, widths: [3, 2], outputDim: 2, features: 'cf', gate: 'soft', beta: 3 },
    { kind: 'dlgn-vt', inputDim: 2, widths: [2, 3], outputDim: 3 },
    { kind: 'dnn', inputDim: 2, widths: [4], outputDim: 2, bias: true },
  ];
  /** The model with forward's output changed at (sample, output) pairs. */
  function perturbed(model: Model, edits: [number, number, number][]): Model {
    const forward = model.forward.bind(model);
    model.forward = (x) => {
      const y = forward(x);
      for (const [i, c, delta] of edits) y.value.set(Number.isNaN(delta) ? NaN : y.value.get(i, c) + delta, i, c);
      return y;
    };
    return model;
  }
  /** The errors recomputed independently: per sample, paths summed in id order or by pathSum. */
  function expectedErrors(model: Model, x: Tensor, method: 'enumeration' | 'dp'): { abs: number; rel: number } {
    const out = model.forward(x).value;
    let abs = 0;
    let rel = 0;
    for (let i = 0; i < x.shape[0]; i++) {
      const row = x.slice([i, i + 1]);
      const k = model.config.outputDim;
      let sum: Float64Array = new Float64Array(k);
      if (method === 'dp') sum = pathSum(model, row);
      else for (const p of enumeratePaths(model, row)) for (let c = 0; c < k; c++) sum[c] += p.contribution[c];
      for (let c = 0; c < k; c++) {
        const e = Math.abs(sum[c] - out.get(i, c));
        abs = Math.max(abs, e);
        rel = Math.max(rel, e / Math.max(1, Math.abs(out.get(i, c))));
      }
    }
    return { abs, rel };
  }
  it.each(cases.map((c) => [c.kind, c] as const))('%s: both methods report the exact error of the worst output', (_k, config) => {
    const clean = createModel(config, { rng: 11 });
    const x = inputs(clean, 4, 12);
    const k = config.outputDim;
    expect(verifyDecomposition(clean, x).maxAbsError).toBeLessThan(1e-12);
    // the first sample's first output off by 1e-3, the last sample's last output by 5 (relative error < absolute)
    const wrong = perturbed(createModel(config, { rng: 11 }), [[0, 0, 1e-3], [3, k - 1, 5]]);
    const byPaths = verifyDecomposition(wrong, x);
    expect(byPaths.method).toBe('enumeration');
    expect(byPaths.samples).toBe(4);
    const want = expectedErrors(wrong, x, 'enumeration');
    expect(byPaths.maxAbsError).toBe(want.abs);
    expect(byPaths.maxRelError).toBe(want.rel);
    expect(byPaths.maxAbsError).toBeGreaterThan(4.99);
    expect(byPaths.maxRelError).toBeLessThan(byPaths.maxAbsError);
    expect(byPaths.maxRelError).toBeGreaterThan(0.1);
    const byDp = verifyDecomposition(wrong, x, { limit: 1 });
    expect(byDp.method).toBe('dynamic-programming');
    const wantDp = expectedErrors(wrong, x, 'dp');
    expect(byDp.maxAbsError).toBe(wantDp.abs);
    expect(byDp.maxRelError).toBe(wantDp.rel);
    // a small error alone is caught too (in the first sample, the first output)
    const slightly = perturbed(createModel(config, { rng: 11 }), [[0, 0, 1e-3]]);
    for (const limit of [undefined, 1]) {
      const r = verifyDecomposition(slightly, x, { limit });
      expect(r.maxAbsError).toBeGreaterThan(0.9e-3);
      expect(r.maxAbsError).toBeLessThan(1.1e-3);
    }
  });
  it('counts a NaN output as an infinite error, in both measures and both methods', () => {
    const x = inputs(createModel(cases[0], { rng: 11 }), 3, 12);
    for (const limit of [undefined, 1]) {
      const r = verifyDecomposition(perturbed(createModel(cases[0], { rng: 11 }), [[1, 1, NaN]]), x, { limit });
      expect(r.maxAbsError).toBe(Infinity);
      expect(r.maxRelError).toBe(Infinity);
    }
  });
  it('refuses non-finite inputs, naming the sample and feature', () => {
    const model = createModel(cases[0], { rng: 11 });
    const x = inputs(model, 3, 12);
    x.set(NaN, 2, 1);
    expect(() => verifyDecomposition(model, x)).toThrow(/^verifyDecomposition: sample 2 feature 1 is NaN; paths are defined for finite inputs$/);
    expect(() => topPaths(model, [0, Infinity, 1])).toThrow(/^topPaths: input feature 1 is Infinity/);
    expect(() => pathSum(model, [NaN, 0, 1])).toThrow(/^pathSum: input feature 0 is NaN/);
    expect(() => enumeratePaths(model, [0, 0, -Infinity]).next()).toThrow(/^enumeratePaths: input feature 2 is -Infinity/);
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
  it('takes exactly one sample: a batch, a wrong width or a 3-D tensor is refused, not read in part', () => {
    for (const op of [topPaths, pathSum, (m: Model, x: Tensor) => [...enumeratePaths(m, x)]] as const) {
      expect(() => op(model, Tensor.zeros([2, 2]))).toThrow(/expected one input of 2 features \(\[2\] or \[1, 2\]\), got \[2, 2\]/);
      expect(() => op(model, Tensor.zeros([1, 3]))).toThrow(/got \[1, 3\]/);
      expect(() => op(model, Tensor.zeros([1, 1, 2]))).toThrow(/got \[1, 1, 2\]/);
      expect(() => op(model, Tensor.zeros([1, 2]))).not.toThrow();
    }
    expect(() => verifyDecomposition(model, Tensor.zeros([2]))).toThrow(/expected x \[n, 2\], got \[2\]/);
    expect(() => verifyDecomposition(model, Tensor.zeros([1, 1, 2]))).toThrow(/got \[1, 1, 2\]/);
  });
  it('bounds rankBy.output to an integer output index', () => {
    const two = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 2 }, { rng: 2 });
    for (const bad of [-1, 0.5, 2, Number.NaN]) {
      expect(() => topPaths(two, [1, 2], 2, { rankBy: { output: bad } }), String(bad)).toThrow(/rankBy.output .* is out of range \[0, 2\)/);
    }
    expect(topPaths(two, [1, 2], 2, { rankBy: { output: 1 } })).toHaveLength(2);
  });
});
