// Two rings, two spirals, Gaussian blobs and the DATASETS_2D registry: defining geometry, noise, seeds.

import { describe, expect, it } from 'vitest';
import { DATASETS_2D, type LabeledData, blobs, twoRings, twoSpirals } from '../../src/data/synthetic.js';
import { Rng } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

function bytes(t: Tensor | Int32Array): Buffer {
  const v = t instanceof Int32Array ? t : t.values();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

const same = (a: LabeledData, b: LabeledData): boolean => bytes(a.x).equals(bytes(b.x)) && bytes(a.y).equals(bytes(b.y));

describe('twoRings', () => {
  it('point i lies on ring i mod 2 with the right radius band, label = ring, classes exactly balanced', () => {
    const d = twoRings({ n: 2001, seed: 3 });
    expect(d.x.shape).toEqual([2001, 2]);
    expect(d.y.shape).toEqual([2001]);
    const x = d.x.values();
    const y = d.y.values();
    const radii = [0.35, 0.75];
    for (let i = 0; i < 2001; i++) {
      const r = Math.hypot(x[2 * i], x[2 * i + 1]);
      expect(y[i]).toBe(i % 2);
      expect(Math.abs(r - radii[i % 2])).toBeLessThanOrEqual(0.1 + 1e-12);
    }
    expect(y.reduce((s, v) => s + v, 0)).toBe(1000);
  });

  it('fills each band with constant density: half the area lies below the area-median radius', () => {
    const d = twoRings({ n: 8000, seed: 5, radii: [0.3, 0.7], halfWidth: 0.2 });
    const x = d.x.values();
    // inner band [0.1, 0.5]: area-median radius sqrt((0.1^2 + 0.5^2) / 2)
    const med = Math.sqrt((0.01 + 0.25) / 2);
    let below = 0;
    for (let i = 0; i < 8000; i += 2) if (Math.hypot(x[2 * i], x[2 * i + 1]) < med) below++;
    expect(Math.abs(below / 4000 - 0.5)).toBeLessThan(0.03);
    // angles are spread over the whole circle: every quadrant gets about a quarter
    const quad = [0, 0, 0, 0];
    for (let i = 0; i < 8000; i++) quad[(x[2 * i] > 0 ? 0 : 1) + (x[2 * i + 1] > 0 ? 0 : 2)]++;
    for (const q of quad) expect(Math.abs(q / 8000 - 0.25)).toBeLessThan(0.03);
  });

  it('label noise flips about the requested fraction; options are checked', () => {
    const d = twoRings({ n: 4000, noise: 0.2, seed: 1 });
    const y = d.y.values();
    let flipped = 0;
    for (let i = 0; i < 4000; i++) if (y[i] !== i % 2) flipped++;
    expect(Math.abs(flipped / 4000 - 0.2)).toBeLessThan(0.03);
    expect(() => twoRings({ radii: [0.5, 0.95] })).toThrow('twoRings: need 0 <= r - halfWidth and r + halfWidth <= 1 for both radii, got radii [0.5, 0.95], halfWidth 0.1');
    expect(() => twoRings({ n: 0 })).toThrow('twoRings: n must be a positive integer, got 0');
  });
});

describe('twoSpirals', () => {
  it('without jitter every point is on its spiral: angle = 2 pi turns r / maxRadius + c pi (mod 2 pi)', () => {
    const turns = 1.5;
    const rMax = 0.9;
    const d = twoSpirals({ n: 1000, seed: 2 });
    const x = d.x.values();
    const y = d.y.values();
    for (let i = 0; i < 1000; i++) {
      const c = i % 2;
      expect(y[i]).toBe(c);
      const r = Math.hypot(x[2 * i], x[2 * i + 1]);
      expect(r).toBeLessThan(rMax);
      if (r < 1e-9) continue;
      const want = 2 * Math.PI * turns * (r / rMax) + c * Math.PI;
      const got = Math.atan2(x[2 * i + 1], x[2 * i]);
      const diff = (((got - want) % (2 * Math.PI)) + 3 * Math.PI) % (2 * Math.PI) - Math.PI; // in [-pi, pi)
      expect(Math.abs(diff), `point ${i}`).toBeLessThan(1e-9);
    }
  });

  it('the two spirals are point reflections of each other: class 1 = -(class 0 curve)', () => {
    // same t for both classes gives opposite points: check the curve via a single-turn spiral
    const d = twoSpirals({ n: 4, seed: 9, turns: 1 });
    const x = d.x.values();
    for (let i = 0; i < 4; i++) {
      const r = Math.hypot(x[2 * i], x[2 * i + 1]);
      const phi = 2 * Math.PI * (r / 0.9) + (i % 2) * Math.PI;
      expect(x[2 * i]).toBeCloseTo(r * Math.cos(phi), 12);
      expect(x[2 * i + 1]).toBeCloseTo(r * Math.sin(phi), 12);
    }
  });

  it('jitter moves points off the curve, stays in [-1, 1]^2; options are checked', () => {
    const d = twoSpirals({ n: 2000, seed: 4, jitter: 0.05, maxRadius: 1 });
    expect(d.x.values().every((v) => v >= -1 && v <= 1)).toBe(true);
    expect(() => twoSpirals({ turns: 0 })).toThrow('twoSpirals: turns must be positive, got 0');
    expect(() => twoSpirals({ maxRadius: 1.5 })).toThrow('twoSpirals: maxRadius must be in (0, 1], got 1.5');
    expect(() => twoSpirals({ jitter: -1 })).toThrow('twoSpirals: jitter must be >= 0, got -1');
  });
});

describe('blobs', () => {
  it('given centres: point i belongs to blob i mod k, its mean and spread match, parity labels', () => {
    const centres: [number, number][] = [
      [-0.5, -0.5],
      [0.5, -0.5],
      [0, 0.5],
    ];
    const d = blobs({ n: 6000, centres, std: 0.1, seed: 1 });
    expect(d.centres.toArray()).toEqual(centres);
    const x = d.x.values();
    const y = d.y.values();
    for (let j = 0; j < 3; j++) {
      let mx = 0;
      let my = 0;
      let v = 0;
      for (let i = j; i < 6000; i += 3) {
        expect(d.blob[i]).toBe(j);
        expect(y[i]).toBe(j % 2);
        mx += x[2 * i] / 2000;
        my += x[2 * i + 1] / 2000;
      }
      for (let i = j; i < 6000; i += 3) v += ((x[2 * i] - centres[j][0]) ** 2 + (x[2 * i + 1] - centres[j][1]) ** 2) / 4000;
      expect(Math.abs(mx - centres[j][0])).toBeLessThan(0.01);
      expect(Math.abs(my - centres[j][1])).toBeLessThan(0.01);
      expect(Math.sqrt(v)).toBeCloseTo(0.1, 2);
    }
  });

  it('seeded centres lie in [-0.7, 0.7]^2 and are at least 3 std apart; index labels', () => {
    const d = blobs({ n: 700, k: 7, labels: 'index', std: 0.05, seed: 8 });
    expect(d.centres.shape).toEqual([7, 2]);
    const c = d.centres.values();
    expect(c.every((v) => v >= -0.7 && v < 0.7)).toBe(true);
    for (let a = 0; a < 7; a++) for (let b = 0; b < a; b++) expect(Math.hypot(c[2 * a] - c[2 * b], c[2 * a + 1] - c[2 * b + 1])).toBeGreaterThanOrEqual(0.15);
    const y = d.y.values();
    for (let i = 0; i < 700; i++) expect(y[i]).toBe(i % 7);
    expect(d.x.values().every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  it('label noise: parity labels flip, index labels move to another blob', () => {
    const p = blobs({ n: 4000, noise: 0.25, seed: 3 });
    let wrong = 0;
    for (let i = 0; i < 4000; i++) if (p.y.get(i) !== p.blob[i] % 2) wrong++;
    expect(Math.abs(wrong / 4000 - 0.25)).toBeLessThan(0.03);
    const q = blobs({ n: 4000, k: 5, labels: 'index', noise: 0.25, seed: 3 });
    const y = q.y.values();
    wrong = 0;
    for (let i = 0; i < 4000; i++) {
      expect(Number.isInteger(y[i]) && y[i] >= 0 && y[i] < 5).toBe(true);
      if (y[i] !== q.blob[i]) wrong++;
    }
    expect(Math.abs(wrong / 4000 - 0.25)).toBeLessThan(0.03);
  });

  it('errors: impossible separation, bad options', () => {
    expect(() => blobs({ k: 50, minSeparation: 0.5 })).toThrow('blobs: cannot place 50 centres 0.5 apart in [-0.7, 0.7]^2');
    expect(() => blobs({ k: 0 })).toThrow('blobs: k must be a positive integer, got 0');
    expect(() => blobs({ std: -1 })).toThrow('blobs: std must be >= 0, got -1');
    expect(() => blobs({ centres: [] })).toThrow('blobs: centres must be a non-empty list of finite [x, y] pairs');
  });
});

describe('determinism and the registry', () => {
  for (const [name, gen] of Object.entries(DATASETS_2D)) {
    it(`${name}: same seed same bytes, another seed other points, an Rng is used as given`, () => {
      const a = gen({ n: 300, noise: 0.1, seed: 21 });
      const b = gen({ n: 300, noise: 0.1, seed: 21 });
      const c = gen({ n: 300, noise: 0.1, seed: 22 });
      expect(same(a, b)).toBe(true);
      expect(bytes(a.x).equals(bytes(c.x))).toBe(false);
      expect(same(gen({ n: 300, noise: 0.1, seed: new Rng(21) }), a)).toBe(true);
    });

    it(`${name}: binary labels on [-1, 1]^2, as the CLI expects`, () => {
      const d = gen({ n: 500, noise: 0.1, seed: 1 });
      expect(d.x.shape).toEqual([500, 2]);
      expect(d.y.shape).toEqual([500]);
      expect(d.x.values().every((v) => v >= -1 && v <= 1)).toBe(true);
      const y = d.y.values();
      expect(y.every((v) => v === 0 || v === 1)).toBe(true);
      const ones = y.reduce((s, v) => s + v, 0) / 500;
      expect(ones).toBeGreaterThan(0.3);
      expect(ones).toBeLessThan(0.7);
    });
  }

  it('blobs also returns the blob index per point, deterministically', () => {
    expect(bytes(blobs({ seed: 6 }).blob).equals(bytes(blobs({ seed: 6 }).blob))).toBe(true);
    expect(bytes(blobs({ seed: 6 }).centres).equals(bytes(blobs({ seed: 7 }).centres))).toBe(false);
  });
});
