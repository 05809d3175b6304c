// E4 four-mode data: mode centres, landmark counts and labels, nearest-landmark labels, split sizes, seeds.

import { describe, expect, it } from 'vitest';
import { type FourModeSplit, fourMode } from '../../src/data/four-mode.js';
import { Rng } from '../../src/tensor/random.js';
import type { Tensor } from '../../src/tensor/tensor.js';

function bytes(t: Tensor | Int32Array): Buffer {
  const v = t instanceof Int32Array ? t : t.values();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

describe('fourMode', () => {
  const data = fourMode({ seed: 1 });
  const splits: [string, FourModeSplit][] = [
    ['train', data.train],
    ['validation', data.validation],
    ['test', data.test],
  ];

  it('3000 train / 3000 validation / 3000 test by default, x [n, 2], y [n], mode [n]', () => {
    for (const [name, s] of splits) {
      expect(s.x.shape, name).toEqual([3000, 2]);
      expect(s.y.shape, name).toEqual([3000]);
      expect(s.mode.length, name).toBe(3000);
    }
  });

  it('modes at +e1, +e2 (hard) and -e1, -e2 (easy) with 4, 4, 1, 1 landmarks', () => {
    expect(data.modes.map((m) => m.centre)).toEqual([
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ]);
    expect(data.modes.map((m) => m.hard)).toEqual([true, true, false, false]);
    expect(data.modes.map((m) => m.landmarks.length)).toEqual([4, 4, 1, 1]);
  });

  it('hard modes alternate labels 0, 1, 0, 1; easy modes hold one 0 and one 1', () => {
    for (const m of data.modes.slice(0, 2)) expect(m.landmarks.map((l) => l.label)).toEqual([0, 1, 0, 1]);
    expect(data.modes.slice(2).map((m) => m.landmarks[0].label)).toEqual([0, 1]);
  });

  it('landmarks lie near their centre (0.05 N(0, I)); over many seeds the offsets have std 0.05', () => {
    const off: number[] = [];
    for (let seed = 0; seed < 200; seed++) {
      for (const m of fourMode({ nPerSplit: 4, seed }).modes) {
        for (const l of m.landmarks) off.push(l.x - m.centre[0], l.y - m.centre[1]);
      }
    }
    const sd = Math.sqrt(off.reduce((s, v) => s + v * v, 0) / off.length);
    expect(sd).toBeGreaterThan(0.047);
    expect(sd).toBeLessThan(0.053);
    for (const m of data.modes) for (const l of m.landmarks) expect(Math.hypot(l.x - m.centre[0], l.y - m.centre[1])).toBeLessThan(0.3);
  });

  it('each mode gets a quarter of every split, its points centred on it with std 0.1', () => {
    for (const [name, s] of splits) {
      const x = s.x.values();
      for (let m = 0; m < 4; m++) {
        let count = 0;
        let mx = 0;
        let my = 0;
        let v = 0;
        for (let i = 0; i < 3000; i++) {
          if (s.mode[i] !== m) continue;
          count++;
          mx += x[2 * i];
          my += x[2 * i + 1];
        }
        mx /= count;
        my /= count;
        for (let i = 0; i < 3000; i++) if (s.mode[i] === m) v += ((x[2 * i] - data.modes[m].centre[0]) ** 2 + (x[2 * i + 1] - data.modes[m].centre[1]) ** 2) / (2 * count);
        expect(count, `${name} mode ${m}`).toBe(750);
        expect(Math.abs(mx - data.modes[m].centre[0]), `${name} mode ${m}`).toBeLessThan(0.015);
        expect(Math.abs(my - data.modes[m].centre[1]), `${name} mode ${m}`).toBeLessThan(0.015);
        expect(Math.sqrt(v), `${name} mode ${m}`).toBeCloseTo(0.1, 2);
      }
    }
  });

  it('every point carries the label of its nearest landmark (all ten landmarks searched)', () => {
    const all = data.modes.flatMap((m) => m.landmarks);
    for (const [name, s] of splits) {
      const x = s.x.values();
      const y = s.y.values();
      for (let i = 0; i < 3000; i++) {
        const d = all.map((l) => Math.hypot(x[2 * i] - l.x, x[2 * i + 1] - l.y));
        const j = d.indexOf(Math.min(...d));
        expect(y[i], `${name} point ${i}`).toBe(all[j].label);
      }
    }
  });

  it('hard modes hold both labels, easy modes one; the classes are roughly balanced', () => {
    const s = data.train;
    for (let m = 0; m < 4; m++) {
      const labels = new Set<number>();
      for (let i = 0; i < 3000; i++) if (s.mode[i] === m) labels.add(s.y.get(i));
      expect(labels.size, `mode ${m}`).toBe(m < 2 ? 2 : 1);
    }
    const ones = s.y.values().reduce((a, b) => a + b, 0) / 3000;
    expect(ones).toBeGreaterThan(0.35);
    expect(ones).toBeLessThan(0.65);
  });

  it('same seed same bytes; another seed differs; landmarks do not depend on nPerSplit', () => {
    const again = fourMode({ seed: 1 });
    for (const k of ['train', 'validation', 'test'] as const) {
      expect(bytes(again[k].x).equals(bytes(data[k].x))).toBe(true);
      expect(bytes(again[k].y).equals(bytes(data[k].y))).toBe(true);
      expect(bytes(again[k].mode).equals(bytes(data[k].mode))).toBe(true);
    }
    expect(again.modes).toEqual(data.modes);
    const other = fourMode({ seed: 2 });
    expect(bytes(other.train.x).equals(bytes(data.train.x))).toBe(false);
    expect(fourMode({ seed: 1, nPerSplit: 8 }).modes).toEqual(data.modes);
    expect(fourMode({ seed: new Rng(1), nPerSplit: 8 }).modes).toEqual(data.modes);
    // splits are drawn independently of each other
    expect(bytes(data.train.x).equals(bytes(data.test.x))).toBe(false);
  });

  it('nPerSplit is checked', () => {
    expect(() => fourMode({ nPerSplit: 0 })).toThrow('fourMode: nPerSplit must be a positive integer, got 0');
    const odd = fourMode({ nPerSplit: 10, seed: 3 });
    expect(Array.from(odd.train.mode)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1]);
  });
});
