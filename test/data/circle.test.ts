// E1 circle regression: equal angle spacing, the piecewise target at every point, presets, noise, seeds.

import { describe, expect, it } from 'vitest';
import { CIRCLE_PRESETS, circle, circleTarget } from '../../src/data/circle.js';

function bytes(v: Float64Array): Buffer {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

describe('circle', () => {
  it('the three E1 settings', () => {
    expect(CIRCLE_PRESETS).toEqual({ a1b9: { a: 1, b: 9 }, a2b12: { a: 2, b: 12 }, a1b17: { a: 1, b: 17 } });
  });

  for (const preset of ['a1b9', 'a2b12', 'a1b17'] as const) {
    it(`${preset}: points on the unit circle at equally spaced angles, targets follow the formula`, () => {
      const n = 360;
      const d = circle({ n, preset });
      const { a, b } = CIRCLE_PRESETS[preset];
      expect([d.a, d.b]).toEqual([a, b]);
      expect(d.x.shape).toEqual([n, 2]);
      expect(d.y.shape).toEqual([n, 1]);
      expect(d.theta.length).toBe(n);
      const x = d.x.values();
      const y = d.y.values();
      for (let i = 0; i < n; i++) {
        const t = d.theta[i];
        expect(t).toBeCloseTo((2 * Math.PI * i) / n, 14);
        if (i > 0) expect(t - d.theta[i - 1]).toBeCloseTo((2 * Math.PI) / n, 14);
        expect(x[2 * i]).toBe(Math.cos(t));
        expect(x[2 * i + 1]).toBe(Math.sin(t));
        expect(Math.hypot(x[2 * i], x[2 * i + 1])).toBeCloseTo(1, 15);
        // written out independently of circleTarget
        const want = t < Math.PI ? Math.sin(a * t) : Math.sin(a * Math.PI + b * (t - Math.PI));
        expect(y[i]).toBe(want);
      }
      expect(d.theta[0]).toBe(0);
      expect(d.theta[n - 1]).toBeLessThan(2 * Math.PI);
    });
  }

  it('slow half and fast half: the target is continuous at pi and oscillates b/a times faster after it', () => {
    expect(circleTarget(Math.PI - 1e-12, 1, 9)).toBeCloseTo(circleTarget(Math.PI, 1, 9), 10);
    // count sign changes on each half of a fine grid: about a and b per half turn (pi)
    const d = circle({ n: 20000, preset: 'a1b17' });
    const y = d.y.values();
    let slow = 0;
    let fast = 0;
    for (let i = 1; i < 20000; i++) {
      if (Math.sign(y[i]) !== Math.sign(y[i - 1]) && y[i] !== 0 && y[i - 1] !== 0) {
        if (d.theta[i] < Math.PI) slow++;
        else fast++;
      }
    }
    expect(slow).toBeLessThanOrEqual(1);
    expect(fast).toBeGreaterThanOrEqual(16);
    expect(fast).toBeLessThanOrEqual(18);
  });

  it('defaults: n = 1000 and a1b9; explicit a and b; preset conflicts are errors', () => {
    const d = circle();
    expect(d.x.shape).toEqual([1000, 2]);
    expect([d.a, d.b]).toEqual([1, 9]);
    const e = circle({ n: 10, a: 3, b: 5 });
    expect(e.y.get(7, 0)).toBe(circleTarget(e.theta[7], 3, 5));
    expect(circle({ n: 10, preset: 'a2b12', a: 2 }).b).toBe(12);
    expect(() => circle({ preset: 'a1b9', b: 10 })).toThrow("circle: preset 'a1b9' means a = 1, b = 9, but a = undefined, b = 10 were given");
    expect(() => circle({ a: 2 })).toThrow('circle: give both a and b, or a preset');
    expect(() => circle({ n: -1 })).toThrow('circle: n must be a positive integer, got -1');
    expect(() => circle({ noise: -0.5 })).toThrow('circle: noise must be a finite std >= 0, got -0.5');
  });

  it('noise adds Gaussian noise of the given std to y only; same seed same bytes', () => {
    const clean = circle({ n: 4000, preset: 'a1b9' });
    const noisy = circle({ n: 4000, preset: 'a1b9', noise: 0.1, seed: 3 });
    expect(bytes(noisy.x.values()).equals(bytes(clean.x.values()))).toBe(true);
    const r = noisy.y.values().map((v, i) => v - clean.y.values()[i]);
    const mean = r.reduce((s, v) => s + v, 0) / 4000;
    const sd = Math.sqrt(r.reduce((s, v) => s + (v - mean) ** 2, 0) / 4000);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(sd).toBeCloseTo(0.1, 2);
    const again = circle({ n: 4000, preset: 'a1b9', noise: 0.1, seed: 3 });
    const other = circle({ n: 4000, preset: 'a1b9', noise: 0.1, seed: 4 });
    expect(bytes(again.y.values()).equals(bytes(noisy.y.values()))).toBe(true);
    expect(bytes(other.y.values()).equals(bytes(noisy.y.values()))).toBe(false);
    // without noise the seed does not matter
    expect(bytes(circle({ n: 50, seed: 1 }).y.values()).equals(bytes(circle({ n: 50, seed: 2 }).y.values()))).toBe(true);
  });
});
