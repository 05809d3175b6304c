// Synthetic 2-D data sets, splits and standardisation: the defining rules, noise, seeds, disjoint splits.

import { describe, expect, it } from 'vitest';
import { DATASETS_2D, DISK_RADIUS, type LabeledData, disk, split, standardizer, xor } from '../../src/data/synthetic.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const diskRule = (a: number, b: number): number => (a * a + b * b < DISK_RADIUS * DISK_RADIUS ? 1 : 0);
const xorRule = (a: number, b: number): number => ((a > 0) !== (b > 0) ? 1 : 0);

function bytes(t: Tensor): Buffer {
  const v = t.values();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** How many labels disagree with the rule. */
function disagreements(d: LabeledData, rule: (a: number, b: number) => number): number {
  const x = d.x.values();
  const y = d.y.values();
  let k = 0;
  for (let i = 0; i < y.length; i++) if (rule(x[2 * i], x[2 * i + 1]) !== y[i]) k++;
  return k;
}

describe('disk and xor', () => {
  it('the disk has area 2: half the square [-1, 1]^2', () => {
    expect(Math.PI * DISK_RADIUS ** 2).toBeCloseTo(2, 14);
  });

  for (const [name, gen, rule] of [
    ['disk', disk, diskRule],
    ['xor', xor, xorRule],
  ] as const) {
    it(`${name}: shapes, points in [-1, 1)^2, every label follows the rule`, () => {
      const d = gen({ n: 3000, seed: 7 });
      expect(d.x.shape).toEqual([3000, 2]);
      expect(d.y.shape).toEqual([3000]);
      expect(d.x.values().every((v) => v >= -1 && v < 1)).toBe(true);
      expect(d.y.values().every((v) => v === 0 || v === 1)).toBe(true);
      expect(disagreements(d, rule)).toBe(0);
    });

    it(`${name}: label noise flips about the requested fraction`, () => {
      for (const noise of [0.1, 0.3]) {
        const d = gen({ n: 4000, noise, seed: 9 });
        const frac = disagreements(d, rule) / 4000;
        // binomial sd at n = 4000 is below 0.008
        expect(Math.abs(frac - noise), `noise ${noise}`).toBeLessThan(0.03);
      }
      expect(disagreements(gen({ n: 500, noise: 1, seed: 1 }), rule)).toBe(500);
    });

    it(`${name}: the same seed gives the same bytes; another seed other points`, () => {
      const a = gen({ n: 200, seed: 4, noise: 0.2 });
      const b = gen({ n: 200, seed: 4, noise: 0.2 });
      const c = gen({ n: 200, seed: 5, noise: 0.2 });
      expect(bytes(a.x).equals(bytes(b.x))).toBe(true);
      expect(bytes(a.y).equals(bytes(b.y))).toBe(true);
      expect(bytes(a.x).equals(bytes(c.x))).toBe(false);
      // an Rng is used as given (and advanced)
      const rng = new Rng(4);
      const r = gen({ n: 200, seed: rng, noise: 0.2 });
      expect(bytes(r.x).equals(bytes(a.x))).toBe(true);
      const next = gen({ n: 200, seed: rng, noise: 0.2 });
      expect(bytes(next.x).equals(bytes(a.x))).toBe(false);
    });

    it(`${name}: options are checked`, () => {
      expect(() => gen({ n: 0 })).toThrow(`${name}: n must be a positive integer, got 0`);
      expect(() => gen({ n: 2.5 })).toThrow(`${name}: n must be a positive integer, got 2.5`);
      expect(() => gen({ noise: 1.5 })).toThrow(`${name}: noise must be in [0, 1], got 1.5`);
      expect(() => gen({ noise: -0.1 })).toThrow(`${name}: noise must be in [0, 1], got -0.1`);
    });
  }

  it('disk classes are balanced: fraction of 1s in 0.45..0.55 for n = 4000', () => {
    const y = disk({ n: 4000, seed: 11 }).y.values();
    const ones = y.reduce((s, v) => s + v, 0) / 4000;
    expect(ones).toBeGreaterThan(0.45);
    expect(ones).toBeLessThan(0.55);
  });

  it('xor classes are balanced too', () => {
    const d = xor({ n: 4000, seed: 12 });
    const ones = d.y.values().reduce((s, v) => s + v, 0) / 4000;
    expect(ones).toBeGreaterThan(0.45);
    expect(ones).toBeLessThan(0.55);
  });

  it('defaults: 1000 points, seed 0; DATASETS_2D names both (among the other 2-D sets)', () => {
    expect(disk().x.shape).toEqual([1000, 2]);
    expect(bytes(xor().x).equals(bytes(xor({ seed: 0 }).x))).toBe(true);
    expect(Object.keys(DATASETS_2D).sort()).toEqual(['blobs', 'disk', 'rings', 'spirals', 'xor']);
    expect(DATASETS_2D.disk).toBe(disk);
  });
});

describe('split', () => {
  const rowKey = (x: Tensor, y: Tensor, i: number): string => `${x.get(i, 0)},${x.get(i, 1)}:${y.get(i)}`;
  const keys = (d: LabeledData): string[] => Array.from({ length: d.y.shape[0] }, (_, i) => rowKey(d.x, d.y, i));

  it('sizes 60/20/20 by default; the parts are disjoint and their union is the data set', () => {
    const data = disk({ n: 1000, seed: 3 });
    const all = keys(data);
    expect(new Set(all).size).toBe(1000); // unique rows, so set equality is multiset equality
    const s = split(data);
    expect([s.train, s.validation, s.test].map((p) => p.x.shape[0])).toEqual([600, 200, 200]);
    const parts = [keys(s.train), keys(s.validation), keys(s.test)];
    const union = parts.flat();
    expect(union.length).toBe(1000);
    expect(new Set(union).size).toBe(1000);
    expect([...union].sort()).toEqual([...all].sort());
    // rows keep their labels: every part still follows the rule
    for (const p of [s.train, s.validation, s.test]) expect(disagreements(p, diskRule)).toBe(0);
  });

  it('other fractions; the seed fixes the permutation', () => {
    const data = xor({ n: 100, seed: 1 });
    const s = split(data, [0.5, 0.3, 0.2], 5);
    expect([s.train, s.validation, s.test].map((p) => p.y.shape[0])).toEqual([50, 30, 20]);
    const again = split(data, [0.5, 0.3, 0.2], 5);
    expect(bytes(again.train.x).equals(bytes(s.train.x))).toBe(true);
    const other = split(data, [0.5, 0.3, 0.2], 6);
    expect(bytes(other.train.x).equals(bytes(s.train.x))).toBe(false);
    // the rows are shuffled, not taken in order
    expect(bytes(s.train.x).equals(bytes(data.x.slice([0, 50])))).toBe(false);
  });

  it('fractions must be >= 0 and add up to 1', () => {
    const data = xor({ n: 10 });
    expect(() => split(data, [0.5, 0.5, 0.5])).toThrow('split: fractions must be >= 0 and add up to 1, got [0.5, 0.5, 0.5]');
    expect(() => split(data, [1.2, -0.2, 0])).toThrow('split: fractions must be >= 0 and add up to 1, got [1.2, -0.2, 0]');
  });
});

describe('standardizer', () => {
  it('maps the data it was fitted on to zero mean and unit (population) variance per feature', () => {
    const rng = new Rng(8);
    const n = 500;
    const raw = new Float64Array(n * 3);
    for (let i = 0; i < n; i++) {
      raw[3 * i] = rng.normal(5, 3);
      raw[3 * i + 1] = rng.uniformRange(-100, 300);
      raw[3 * i + 2] = rng.normal(-2, 0.01);
    }
    const x = new Tensor(raw, [n, 3]);
    const st = standardizer(x);
    const z = st.apply(x);
    expect(z.shape).toEqual([n, 3]);
    const v = z.values();
    for (let j = 0; j < 3; j++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += v[3 * i + j] / n;
      let variance = 0;
      for (let i = 0; i < n; i++) variance += (v[3 * i + j] - mean) ** 2 / n;
      expect(Math.abs(mean), `feature ${j}`).toBeLessThan(1e-12);
      expect(variance, `feature ${j}`).toBeCloseTo(1, 12);
    }
    expect(st.mean[0]).toBeCloseTo(5, 0);
    expect(st.std[0]).toBeCloseTo(3, 0);
    // the input is not modified
    expect(x.values()).toBe(raw);
    expect(raw[0]).not.toBe(v[0]);
  });

  it('applies the fitted statistics to new data; a constant feature gets std 1', () => {
    const x = Tensor.from([
      [1, 7],
      [3, 7],
    ]);
    const st = standardizer(x);
    expect(Array.from(st.mean)).toEqual([2, 7]);
    expect(Array.from(st.std)).toEqual([1, 1]);
    expect(st.apply(Tensor.from([[5, 8]])).toArray()).toEqual([[3, 1]]);
    expect(() => st.apply(Tensor.zeros([2, 3]))).toThrow('standardize: expected [m, 2], got [2, 3]');
  });
});
