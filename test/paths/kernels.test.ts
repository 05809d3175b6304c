// Kernels: PyTorch parity of npk and ntk, closed form == brute force, normalisations, alignment, eigenvalues.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/autograd/engine.js';
import type { ModelConfig } from '../../src/models/config.js';
import { type Model, createModel } from '../../src/models/families.js';
import {
  DEFAULT_BRUTE_FORCE_LIMIT,
  kernelTargetAlignment,
  npk,
  npkBruteForce,
  ntk,
  overlapMatrices,
  signedLabels,
} from '../../src/paths/kernels.js';
import { symmetricEigenvalues } from '../../src/paths/linalg.js';
import { matmul } from '../../src/tensor/linalg.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

// ---- fixtures --------------------------------------------------------------------------------

interface RawTensor {
  shape: number[];
  data: number[];
}

interface RawCase {
  name: string;
  model: ModelConfig;
  params: Record<string, RawTensor>;
  x: RawTensor;
  paths: { count: number };
  npk: RawTensor;
  ntk: { output: number; all: RawTensor; valueOnly?: RawTensor };
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/torch-parity.json', import.meta.url), 'utf8')) as { cases: RawCase[] };

const tensorOf = (t: RawTensor): Tensor => new Tensor(Float64Array.from(t.data), t.shape);

function buildModel(c: RawCase): Model {
  const model = createModel(c.model);
  const state: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(c.params)) state[name] = tensorOf(t);
  model.loadStateDict(state);
  return model;
}

/** docs/fixtures.md: max |ours - ref| / max(1, max |ref|). */
function relErr(ours: Tensor, ref: Tensor): number {
  expect(ours.shape).toEqual(ref.shape);
  const a = ours.contiguous().values();
  const b = ref.contiguous().values();
  let diff = 0;
  let scale = 1;
  for (let k = 0; k < a.length; k++) {
    diff = Math.max(diff, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

const byName = fixture.cases.map((c) => [c.name, c] as const);

describe('fixture parity (torch-parity.json)', () => {
  it('has cases with npk and ntk', () => {
    expect(fixture.cases.length).toBeGreaterThan(0);
    for (const c of fixture.cases) {
      expect(c.npk).toBeDefined();
      expect(c.ntk.output).toBe(0);
    }
  });

  it.each(byName)('%s: npk', (_name, c) => {
    const model = buildModel(c);
    expect(relErr(npk(model, tensorOf(c.x)), tensorOf(c.npk))).toBeLessThanOrEqual(1e-9);
  });

  it.each(byName)('%s: npk brute force', (_name, c) => {
    const model = buildModel(c);
    expect(relErr(npkBruteForce(model, tensorOf(c.x)), tensorOf(c.npk))).toBeLessThanOrEqual(1e-9);
  });

  it.each(byName)('%s: ntk over all parameters', (_name, c) => {
    const model = buildModel(c);
    const K = ntk(model, tensorOf(c.x), { output: c.ntk.output, params: 'all' });
    expect(relErr(K, tensorOf(c.ntk.all))).toBeLessThanOrEqual(1e-9);
  });

  it.each(byName)('%s: ntk over value parameters', (_name, c) => {
    const model = buildModel(c);
    // without gates, "every parameter not named gate.*" is every parameter
    const ref = tensorOf(c.ntk.valueOnly ?? c.ntk.all);
    const K = ntk(model, tensorOf(c.x), { output: c.ntk.output, params: 'value' });
    expect(relErr(K, ref)).toBeLessThanOrEqual(1e-9);
  });

  it.each(byName)('%s: brute force counts the fixture path count', (_name, c) => {
    const model = buildModel(c);
    expect(() => npkBruteForce(model, tensorOf(c.x), { limit: c.paths.count - 1 })).toThrow(`${c.paths.count} paths`);
    expect(() => npkBruteForce(model, tensorOf(c.x), { limit: c.paths.count })).not.toThrow();
  });
});

// ---- random networks of every family --------------------------------------------------------

type Family = Omit<ModelConfig, 'inputDim' | 'widths' | 'outputDim' | 'bias'>;

const FAMILIES: Family[] = [
  { kind: 'dln' },
  { kind: 'dnn' },
  { kind: 'dgn', gate: 'soft', valueInput: 'input' },
  { kind: 'dgn', gate: 'hard', valueInput: 'ones' },
  ...(['cf', 'sf'] as const).flatMap((features) =>
    (['soft', 'hard'] as const).flatMap((gate) =>
      (['ones', 'input'] as const).map((valueInput): Family => ({ kind: 'dlgn', features, gate, valueInput })),
    ),
  ),
  { kind: 'dlgn-vt', gate: 'soft' },
  { kind: 'dlgn-vt', gate: 'hard' },
];

const label = (f: Family): string =>
  [f.kind, f.features, f.gate, f.kind === 'dlgn' || f.kind === 'dgn' ? f.valueInput : undefined].filter(Boolean).join('/');

/** A random network of the family: widths 1..4, depth 1..3, d 1..3, bias from the seed. */
function randomNet(f: Family, seed: number, bias?: boolean): { model: Model; x: Tensor } {
  const rng = new Rng(1000 + seed);
  const L = rng.integer(1, 4);
  const widths = Array.from({ length: L }, () => rng.integer(1, 5));
  const inputDim = rng.integer(1, 4);
  const config = {
    ...f,
    inputDim,
    widths,
    outputDim: rng.integer(1, 3),
    bias: bias ?? rng.uniform() < 0.5,
  } as ModelConfig; // the family's kind is chosen at run time
  if (f.gate === 'soft') config.beta = rng.uniformRange(0.5, 4);
  const model = createModel(config, { rng: seed, init: 'normal', std: 0.8 });
  const n = rng.integer(3, 7);
  const x = Tensor.fromArray(rng.normalArray(n * inputDim), [n, inputDim]);
  return { model, x };
}

const SEEDS = [0, 1, 2, 3, 4, 5];

function expectSymmetricPsd(K: Tensor): void {
  const n = K.shape[0];
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(K.get(i, j)).toBe(K.get(j, i));
  const ev = symmetricEigenvalues(K);
  expect(ev[n - 1]).toBeGreaterThanOrEqual(-1e-9 * Math.max(ev[0], 0));
}

describe('closed form npk == brute-force path enumeration', () => {
  for (const f of FAMILIES) {
    it.each(SEEDS.flatMap((s) => [[s, true] as const, [s, false] as const]))(`${label(f)}: seed %i, bias %s`, (seed, bias) => {
      const { model, x } = randomNet(f, seed, bias);
      const closed = npk(model, x);
      expect(relErr(closed, npkBruteForce(model, x))).toBeLessThanOrEqual(1e-9);
      expectSymmetricPsd(closed);
    });
  }
});

describe('overlapMatrices', () => {
  it('is G_l G_l^T per hidden layer, counting shared active units under hard gates', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 1, gate: 'hard' }, { rng: 4 });
    const x = Tensor.from([[1, 0.5], [-0.2, 0.9], [0.3, -1], [0, 0]]);
    const gates = model.gates(x);
    const overlaps = overlapMatrices(model, x);
    expect(overlaps.length).toBe(2);
    overlaps.forEach((O, l) => {
      const G = gates[l];
      const [n, m] = G.shape;
      expect(O.shape).toEqual([n, n]);
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < n; t++) {
          let dot = 0;
          for (let j = 0; j < m; j++) dot += G.get(s, j) * G.get(t, j);
          expect(O.get(s, t)).toBe(dot);
          expect(Number.isInteger(O.get(s, t))).toBe(true);
        }
      }
    });
  });

  it('makes the dlgn-vt npk their elementwise product (the overlap kernel)', () => {
    const { model, x } = randomNet({ kind: 'dlgn-vt', gate: 'soft' }, 7);
    const prod = overlapMatrices(model, x).reduce((a, o) => Tensor.fromArray(a.values().map((v, k) => v * o.values()[k]), a.shape));
    expect(relErr(npk(model, x), prod)).toBeLessThanOrEqual(1e-12);
  });
});

describe('npk normalisations', () => {
  const prodWidths = (m: Model): number => m.config.widths.reduce((p, w) => p * w, 1);

  it.each(FAMILIES.map((f) => [label(f), f] as const))('%s: width-power is raw / (number of input-start paths)', (_l, f) => {
    for (const seed of SEEDS) {
      const { model, x } = randomNet(f, seed);
      const raw = npk(model, x);
      const paths = prodWidths(model) * (f.kind === 'dlgn-vt' ? 1 : model.config.inputDim);
      const scaled = Tensor.fromArray(raw.values().map((v) => v / paths), raw.shape);
      expect(relErr(npk(model, x, { normalize: 'width-power' }), scaled)).toBeLessThanOrEqual(1e-12);
    }
  });

  it.each(FAMILIES.map((f) => [label(f), f] as const))('%s: max-eigenvalue has top eigenvalue 1', (_l, f) => {
    for (const seed of SEEDS) {
      const { model, x } = randomNet(f, seed);
      const raw = npk(model, x);
      const top = symmetricEigenvalues(raw)[0];
      if (top === 0) {
        // hard gates can switch every path off on a small batch
        expect(() => npk(model, x, { normalize: 'max-eigenvalue' })).toThrow(/largest eigenvalue/);
        continue;
      }
      const K = npk(model, x, { normalize: 'max-eigenvalue' });
      expect(Math.abs(symmetricEigenvalues(K)[0] - 1)).toBeLessThanOrEqual(1e-12);
      expect(relErr(K, Tensor.fromArray(raw.values().map((v) => v / top), raw.shape))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('layer-width of a deep linear net is X X^T / d + L + 1 (every O_l / m_l is all ones)', () => {
    const model = createModel({ kind: 'dln', inputDim: 3, widths: [4, 2, 5], outputDim: 1 }, { rng: 1 });
    const x = Tensor.from([[1, 2, 3], [0.5, -1, 0], [2, 2, -2]]);
    const xxT = matmul(x, x.transpose());
    const expected = Tensor.fromArray(xxT.values().map((v) => v / 3 + 3 + 1), [3, 3]);
    expect(relErr(npk(model, x, { normalize: 'layer-width' }), expected)).toBeLessThanOrEqual(1e-12);
    // raw: X X^T prod m + the bias groups (m_1 m_2 m_3 + m_2 m_3 + m_3) + the output bias
    const raw = Tensor.fromArray(xxT.values().map((v) => v * 40 + 40 + 10 + 5 + 1), [3, 3]);
    expect(relErr(npk(model, x), raw)).toBeLessThanOrEqual(1e-12);
  });

  it('layer-width averages each start group: one group without biases, per-group sizes with them', () => {
    // without biases there is one group, so layer-width == width-power
    for (const f of FAMILIES) {
      for (const seed of SEEDS.slice(0, 3)) {
        const { model, x } = randomNet(f, seed, false);
        expect(relErr(npk(model, x, { normalize: 'layer-width' }), npk(model, x, { normalize: 'width-power' }))).toBeLessThanOrEqual(1e-12);
      }
    }
    // with biases, one hidden layer: K = (O_1 / m_1) (*) (K_0 / d + 1) + 1
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1, valueInput: 'input' }, { rng: 9 });
    const x = Tensor.from([[0.3, 0.1], [-0.7, 0.4], [0.2, 0.9]]);
    const [O] = overlapMatrices(model, x);
    const K0 = matmul(x, x.transpose());
    const expected = Tensor.fromArray(O.values().map((o, k) => (o / 3) * (K0.values()[k] / 2 + 1) + 1), [3, 3]);
    expect(relErr(npk(model, x, { normalize: 'layer-width' }), expected)).toBeLessThanOrEqual(1e-12);
  });

  it('dlgn-vt: layer-width equals width-power', () => {
    const { model, x } = randomNet({ kind: 'dlgn-vt', gate: 'soft' }, 3, true);
    expect(relErr(npk(model, x, { normalize: 'layer-width' }), npk(model, x, { normalize: 'width-power' }))).toBeLessThanOrEqual(1e-12);
  });

  it('rejects an unknown normalisation and a zero kernel under max-eigenvalue', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 1, widths: [2], outputDim: 1, gate: 'hard', bias: false }, { rng: 0 });
    const x = Tensor.from([[1], [2]]);
    expect(() => npk(model, x, { normalize: 'bogus' as never })).toThrow(/normalize must be one of raw, layer-width, width-power, max-eigenvalue/);
    // make every gate off: weights push z below 0 for positive x
    model.loadStateDict({ 'gate.0.weight': Tensor.from([[-1], [-1]]), 'value.0.weight': Tensor.from([[1], [1]]), 'out.weight': Tensor.from([[1, 1]]) });
    expect(npk(model, x).values().every((v) => v === 0)).toBe(true);
    expect(() => npk(model, x, { normalize: 'max-eigenvalue' })).toThrow(/largest eigenvalue: it is 0/);
  });
});

describe('npkBruteForce', () => {
  it('refuses above the limit, naming the path count', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 10, widths: [60, 60, 60], outputDim: 1 }, { rng: 0 });
    const x = Tensor.zeros([2, 10]);
    // 10 * 60^3 input starts + 60^3 + 60^2 + 60 bias starts + the output bias
    const count = 10 * 60 ** 3 + 60 ** 3 + 60 ** 2 + 60 + 1;
    expect(count).toBeGreaterThan(DEFAULT_BRUTE_FORCE_LIMIT);
    expect(() => npkBruteForce(model, x)).toThrow(`${count} paths per output, over the limit of 200000`);
  });

  it('crosses chunk boundaries correctly (more paths than one chunk)', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 3, widths: [9, 9, 9], outputDim: 1, valueInput: 'input' }, { rng: 2, init: 'normal' });
    const x = Tensor.fromArray(new Rng(5).normalArray(12), [4, 3]);
    expect(relErr(npkBruteForce(model, x), npk(model, x))).toBeLessThanOrEqual(1e-9);
  });
});

// ---- ntk ---------------------------------------------------------------------------------------

/** J J^T from central differences of output `output` over the named parameters chosen. */
function ntkByFiniteDifferences(model: Model, x: Tensor, output: number, which: 'all' | 'value'): Tensor {
  const n = x.shape[0];
  const k = model.config.outputDim;
  const rows: number[][] = Array.from({ length: n }, () => []);
  const h = 1e-6;
  for (const [name, p] of model.namedParameters()) {
    if (which === 'value' && name.startsWith('gate.')) continue;
    const w = p.value.data;
    for (let q = 0; q < w.length; q++) {
      const keep = w[q];
      w[q] = keep + h;
      const up = noGrad(() => model.forward(x).value.values().slice());
      w[q] = keep - h;
      const down = noGrad(() => model.forward(x).value.values().slice());
      w[q] = keep;
      for (let s = 0; s < n; s++) rows[s].push((up[s * k + output] - down[s * k + output]) / (2 * h));
    }
  }
  const J = Tensor.from(rows);
  return matmul(J, J.transpose());
}

describe('ntk', () => {
  it('matches central differences for every output of a soft DLGN and a ReLU net', () => {
    const models: Model[] = [
      createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 2], outputDim: 3, beta: 2 }, { rng: 11 }),
      createModel({ kind: 'dlgn-vt', inputDim: 2, widths: [2, 3], outputDim: 2, beta: 2 }, { rng: 12 }),
      createModel({ kind: 'dnn', inputDim: 2, widths: [4], outputDim: 2 }, { rng: 13 }),
    ];
    const x = Tensor.from([[0.4, -0.3], [1.1, 0.6], [-0.5, 0.2]]);
    for (const model of models) {
      for (let o = 0; o < model.config.outputDim; o++) {
        for (const which of ['all', 'value'] as const) {
          const ours = ntk(model, x, { output: o, params: which });
          expect(relErr(ours, ntkByFiniteDifferences(model, x, o, which))).toBeLessThanOrEqual(1e-6);
        }
      }
    }
  });

  it('is symmetric PSD on random networks of every family', () => {
    for (const f of FAMILIES) {
      for (const seed of SEEDS.slice(0, 3)) {
        const { model, x } = randomNet(f, seed);
        expectSymmetricPsd(ntk(model, x));
        expectSymmetricPsd(ntk(model, x, { params: 'value' }));
      }
    }
  });

  it('value-only equals all for dln and dnn (no gate parameters)', () => {
    for (const kind of ['dln', 'dnn'] as const) {
      for (const seed of SEEDS) {
        const { model, x } = randomNet({ kind }, seed);
        expect(model.namedParameters().some(([n]) => n.startsWith('gate.'))).toBe(false);
        expect(ntk(model, x, { params: 'value' }).values()).toEqual(ntk(model, x).values());
      }
    }
  });

  it('value-only differs from all for soft DLGNs (the gating network learns)', () => {
    for (const seed of SEEDS) {
      const { model, x } = randomNet({ kind: 'dlgn', gate: 'soft', features: 'cf', valueInput: 'ones' }, seed);
      const all = ntk(model, x);
      const value = ntk(model, x, { params: 'value' });
      expect(relErr(all, value)).toBeGreaterThan(1e-9);
      // the gate part of J J^T is PSD itself, so all - value has a non-negative diagonal
      for (let s = 0; s < x.shape[0]; s++) expect(all.get(s, s)).toBeGreaterThanOrEqual(value.get(s, s) - 1e-12);
    }
  });

  it('under hard gates all == value-only: gating parameters get zero gradient', () => {
    for (const f of FAMILIES.filter((g) => g.gate === 'hard')) {
      for (const seed of SEEDS) {
        const { model, x } = randomNet(f, seed);
        expect(ntk(model, x).values()).toEqual(ntk(model, x, { params: 'value' }).values());
      }
    }
  });

  it('leaves every .grad and requiresGrad flag of the model as it was', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 2 }, { rng: 21 });
    const x = Tensor.from([[0.1, 0.2], [0.3, -0.4], [-1, 0.5]]);
    const reference = ntk(model, x);
    const named = model.namedParameters();
    // some grads filled (as after a backward pass), some null, one parameter frozen
    named.forEach(([, p], i) => {
      p.grad = i % 2 === 0 ? Tensor.full(p.shape, i + 0.5) : null;
    });
    named[1][1].requiresGrad = false;
    const before = named.map(([, p]) => (p.grad === null ? null : p.grad.values().slice()));
    const gradObjects = named.map(([, p]) => p.grad);
    const K = ntk(model, x, { output: 1 });
    ntk(model, x, { params: 'value' });
    named.forEach(([, p], i) => {
      expect(p.grad).toBe(gradObjects[i]);
      expect(p.grad === null ? null : p.grad.values()).toEqual(before[i]);
      expect(p.requiresGrad).toBe(i !== 1);
    });
    expect(K.shape).toEqual([3, 3]);
    // a frozen parameter still belongs to the Jacobian
    expect(ntk(model, x).values()).toEqual(reference.values());
  });

  it('reads strided input views like contiguous ones', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 2], outputDim: 2, valueInput: 'input' }, { rng: 6 });
    const x = Tensor.from([[0.2, -0.5], [0.7, 0.1], [-0.4, 0.9]]);
    const view = Tensor.from([[0.2, 0.7, -0.4], [-0.5, 0.1, 0.9]]).transpose();
    expect(ntk(model, view, { output: 1 }).values()).toEqual(ntk(model, x, { output: 1 }).values());
    expect(npk(model, view).values()).toEqual(npk(model, x).values());
    expect(relErr(npkBruteForce(model, view), npk(model, x))).toBeLessThanOrEqual(1e-12);
  });

  it('validates output, params and input', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 2 }, { rng: 0 });
    const x = Tensor.from([[1, 2]]);
    expect(() => ntk(model, x, { output: 2 })).toThrow('ntk: output must be an integer in [0, 1] (the model has 2 outputs), got 2');
    expect(() => ntk(model, x, { output: -1 })).toThrow(/output must be an integer/);
    expect(() => ntk(model, x, { output: 0.5 })).toThrow(/output must be an integer/);
    expect(() => ntk(model, x, { params: 'gates' as never })).toThrow(/params must be 'all' or 'value'/);
    expect(() => ntk(model, Tensor.from([[1, 2, 3]]))).toThrow('ntk: expected input [n, 2], got [1, 3]');
    expect(() => noGrad(() => ntk(model, x))).toThrow(/inside noGrad/);
    expect(() => npk(model, Tensor.from([1, 2]))).toThrow('npk: expected input [n, 2], got [2]');
    expect(() => npkBruteForce(model, Tensor.from([[1]]))).toThrow('npkBruteForce: expected input [n, 2], got [1, 1]');
    expect(() => overlapMatrices(model, Tensor.from([[1]]))).toThrow('overlapMatrices: expected input [n, 2], got [1, 1]');
  });
});

// ---- alignment ---------------------------------------------------------------------------------

describe('kernelTargetAlignment', () => {
  it('is 1 for K = c y y^T and invariant to scaling K or y', () => {
    const y = [1, -1, -1, 1, 1];
    const yyT = Tensor.from(y.map((a) => y.map((b) => a * b)));
    expect(kernelTargetAlignment(yyT, y)).toBeCloseTo(1, 14);
    const scaled = Tensor.fromArray(yyT.values().map((v) => 3.5 * v), yyT.shape);
    expect(kernelTargetAlignment(scaled, Tensor.fromArray(y.map((v) => -2 * v)))).toBeCloseTo(1, 14);
    expect(kernelTargetAlignment(yyT, Tensor.fromArray(y, [5, 1]))).toBeCloseTo(1, 14);
  });

  it('matches y^T K y / (|K|_F |y|^2) and lies in [0, 1] for an npk', () => {
    const { model, x } = randomNet({ kind: 'dlgn', gate: 'soft', features: 'cf', valueInput: 'ones' }, 2);
    const K = npk(model, x);
    const n = x.shape[0];
    const y = signedLabels(Array.from({ length: n }, (_, i) => i % 2));
    let quad = 0;
    let fro = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        quad += y[i] * K.get(i, j) * y[j];
        fro += K.get(i, j) ** 2;
      }
    }
    const a = kernelTargetAlignment(K, y);
    expect(a).toBeCloseTo(quad / (Math.sqrt(fro) * n), 12);
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThanOrEqual(1);
  });

  it('errors on shape mismatches and zero inputs', () => {
    const K = Tensor.eye(3);
    expect(() => kernelTargetAlignment(K, [1, -1])).toThrow('kernelTargetAlignment: K is [3, 3] but y has 2 values');
    expect(() => kernelTargetAlignment(Tensor.zeros([3, 2]), [1, -1, 1])).toThrow(/K must be a square matrix \[n, n\], got \[3, 2\]/);
    expect(() => kernelTargetAlignment(K, Tensor.zeros([3, 2]))).toThrow(/labels must have shape \[n\] or \[n, 1\], got \[3, 2\]/);
    expect(() => kernelTargetAlignment(Tensor.zeros([3, 3]), [1, 1, 1])).toThrow(/K is zero/);
    expect(() => kernelTargetAlignment(K, [0, 0, 0])).toThrow(/y is zero/);
  });

  it('signedLabels maps {0, 1} to {-1, +1}, keeps {-1, +1}, rejects anything else', () => {
    expect(Array.from(signedLabels([0, 1, 1, 0]))).toEqual([-1, 1, 1, -1]);
    expect(Array.from(signedLabels(Tensor.from([-1, 1, -1])))).toEqual([-1, 1, -1]);
    expect(() => signedLabels([0, 1, 2])).toThrow(/found 2/);
    expect(() => signedLabels([-1, 0, 1])).toThrow('signedLabels: labels must all be in {0, 1} or all in {-1, +1}, found both 0 and -1');
  });
});

// ---- symmetric eigenvalues (src/paths/linalg.ts) -------------------------------------------------

/** A random orthogonal matrix by Gram-Schmidt on Gaussian columns (twice, for stability). */
function randomOrthogonal(n: number, rng: Rng): number[][] {
  const q: number[][] = [];
  for (let j = 0; j < n; j++) {
    let v = Array.from(rng.normalArray(n));
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        const dot = u.reduce((s, ui, i) => s + ui * v[i], 0);
        v = v.map((vi, i) => vi - dot * u[i]);
      }
    }
    const norm = Math.hypot(...v);
    q.push(v.map((vi) => vi / norm));
  }
  return q; // rows are orthonormal
}

/** Q^T diag(lambda) Q. */
function withSpectrum(lambda: number[], rng: Rng): Tensor {
  const n = lambda.length;
  const q = randomOrthogonal(n, rng);
  return Tensor.from(
    Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => lambda.reduce((s, l, k) => s + q[k][i] * l * q[k][j], 0))),
  );
}

function expectSpectrum(t: Tensor, expected: number[], tol: number): void {
  const ev = symmetricEigenvalues(t);
  const want = expected.slice().sort((a, b) => b - a);
  expect(ev.length).toBe(want.length);
  const scale = Math.max(1, ...want.map(Math.abs));
  for (let i = 0; i < want.length; i++) expect(Math.abs(ev[i] - want[i])).toBeLessThanOrEqual(tol * scale);
}

describe('symmetricEigenvalues', () => {
  it('solves small matrices with known eigenvalues', () => {
    expectSpectrum(Tensor.from([[2, 1], [1, 2]]), [3, 1], 1e-15);
    expectSpectrum(Tensor.from([[5]]), [5], 0);
    expectSpectrum(Tensor.from([[4, 0, 0], [0, -1, 0], [0, 0, 2]]), [4, 2, -1], 0);
    expectSpectrum(Tensor.from([[0, 1], [1, 0]]), [1, -1], 1e-15);
    expect(symmetricEigenvalues(Tensor.zeros([0, 0])).length).toBe(0);
    expectSpectrum(Tensor.zeros([4, 4]), [0, 0, 0, 0], 0);
  });

  it('sorts descending', () => {
    const ev = symmetricEigenvalues(withSpectrum([-3, 7, 0.5, 2, -8, 1], new Rng(3)));
    for (let i = 1; i < ev.length; i++) expect(ev[i]).toBeLessThanOrEqual(ev[i - 1]);
  });

  it('finds the spectrum of the second-difference matrix: 2 - 2 cos(k pi / (n + 1))', () => {
    for (const n of [1, 2, 5, 17, 40]) {
      const t = Tensor.zeros([n, n]);
      for (let i = 0; i < n; i++) {
        t.set(2, i, i);
        if (i > 0) {
          t.set(-1, i, i - 1);
          t.set(-1, i - 1, i);
        }
      }
      expectSpectrum(t, Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1))), 1e-13);
    }
  });

  it('handles repeated eigenvalues and rank deficiency (the all-ones matrix: n, 0, ..., 0)', () => {
    expectSpectrum(Tensor.full([6, 6], 1), [6, 0, 0, 0, 0, 0], 1e-14);
    expectSpectrum(withSpectrum([2, 2, 2, -1, -1], new Rng(8)), [2, 2, 2, -1, -1], 1e-13);
    expectSpectrum(Tensor.eye(5), [1, 1, 1, 1, 1], 0);
  });

  it('recovers prescribed spectra of random orthogonal conjugates, including wide ranges', () => {
    const rng = new Rng(42);
    for (const n of [3, 8, 25, 60]) {
      const lambda = Array.from(rng.normalArray(n)).map((v) => 10 * v);
      expectSpectrum(withSpectrum(lambda, rng), lambda, 1e-12);
    }
    const graded = [1e6, 1e3, 1, 1e-3, 0];
    expectSpectrum(withSpectrum(graded, rng), graded, 1e-13);
  });

  it('keeps trace and Frobenius norm (sum and sum of squares of eigenvalues)', () => {
    const rng = new Rng(7);
    const n = 30;
    const a = Tensor.zeros([n, n]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = rng.normal();
        a.set(v, i, j);
        a.set(v, j, i);
      }
    }
    const ev = symmetricEigenvalues(a);
    let trace = 0;
    let fro = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) fro += a.get(i, j) ** 2;
    for (let i = 0; i < n; i++) trace += a.get(i, i);
    expect(ev.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 11);
    expect(ev.reduce((s, v) => s + v * v, 0)).toBeCloseTo(fro, 10);
  });

  it('reads strided views', () => {
    const t = Tensor.from([[2, 1], [1, 2]]).transpose();
    expectSpectrum(t, [3, 1], 1e-15);
  });

  it('rejects non-square, non-symmetric and non-finite input', () => {
    expect(() => symmetricEigenvalues(Tensor.zeros([2, 3]))).toThrow('symmetricEigenvalues: expected a square matrix [n, n], got [2, 3]');
    expect(() => symmetricEigenvalues(Tensor.from([[1, 2], [0, 1]]))).toThrow(/not symmetric: a\[1\]\[0\] = 0 but a\[0\]\[1\] = 2/);
    expect(() => symmetricEigenvalues(Tensor.from([[1, NaN], [NaN, 1]]))).toThrow(/entry \(0, 1\) is not finite/);
  });
});
