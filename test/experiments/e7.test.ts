// E7 quick mode on a synthetic Fashion-MNIST stand-in and on the real data when the package is installed.

import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, type FashionMnist } from '../../src/data/fashion-mnist.js';
import { type E7Metrics, type E7ModelKey, type FashionMnistRequest, e7, e7Protocol, makeE7 } from '../../src/experiments/e7.js';
import type { ExperimentResult } from '../../src/experiments/framework.js';
import { fashionMnistDir, loadFashionMnist } from '../../src/node/datasets.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const MODELS: E7ModelKey[] = ['dlgn', 'dlgn-sf', 'relu', 'dln'];

/**
 * A FashionMnist-shaped stand-in: 28 x 28 images in [0, 1], rows interleaved by class (row r has
 * class r mod 10, as the real loader returns them); class c's pixels are N(template_c, 0.35^2)
 * clipped to [0, 1], with templates 0.5 +- 0.15 per pixel, so the classes overlap pixel by pixel
 * but are learnable from all 784 together.
 */
function standIn(nTrain: number, nTest: number, seed = 5): FashionMnist {
  const rng = new Rng(seed);
  const templates = Array.from({ length: 10 }, () => Float64Array.from({ length: 784 }, () => 0.5 + (rng.uniform() < 0.5 ? -0.15 : 0.15)));
  const build = (n: number) => {
    const x = new Float64Array(n * 784);
    const y = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const c = r % 10;
      y[r] = c;
      for (let k = 0; k < 784; k++) x[r * 784 + k] = Math.min(1, Math.max(0, templates[c][k] + rng.normal(0, 0.35)));
    }
    return { x: new Tensor(x, [n, 784]), y: new Tensor(y, [n]) };
  };
  return { train: build(nTrain), test: build(nTest), classNames: FASHION_MNIST_CLASSES };
}

function realPackageInstalled(): boolean {
  try {
    fashionMnistDir();
    return true;
  } catch {
    return false;
  }
}

/** The properties every quick run must have, whatever the data. */
function checkQuick(r: ExperimentResult<E7Metrics>): void {
  const m = r.metrics;
  const p = e7Protocol(true);
  expect(r.id).toBe('e7');
  expect(Object.keys(m.testAccuracy).sort()).toEqual([...MODELS].sort());
  for (const k of MODELS) {
    expect(m.testAccuracy[k]).toBeGreaterThanOrEqual(0);
    expect(m.testAccuracy[k]).toBeLessThanOrEqual(1);
    expect(m.perEpoch[k].length).toBe(p.epochs);
    expect(m.perEpoch[k].at(-1)!.testAccuracy).toBe(m.testAccuracy[k]);
    // wall time of every epoch, kept under timing
    expect(m.timing.secondsPerEpoch[k].length).toBe(p.epochs);
    for (const s of m.timing.secondsPerEpoch[k]) expect(s).toBeGreaterThan(0);
    expect(m.timing.msPerStep[k]).toBeGreaterThan(0);
  }
  // ten classes: chance is 0.1
  expect(m.testAccuracy.relu).toBeGreaterThan(0.3);
  expect(m.testAccuracy.dlgn).toBeGreaterThan(0.3);
  for (const k of ['dlgn', 'dlgn-sf'] as const) {
    expect(m.betaSelection[k]!.map((s) => s.beta)).toEqual(p.betas);
    expect(p.betas).toContain(m.betaSelection.chosen[k]);
  }
  expect(m.trainClassCounts).toEqual(new Array(10).fill(p.nTrain / 10));
  expect(r.figures.length).toBe(3);
  for (const f of r.figures) {
    expect(f.svg.startsWith('<svg')).toBe(true);
    expect(r.markdown).toContain(`(${f.file})`);
  }
  expect(r.markdown).toContain('## What this shows');
  expect(r.markdown).toContain('wall time');
}

describe('e7 (quick)', () => {
  it('runs on a synthetic stand-in, asking the loader for the quick subset', async () => {
    const requests: FashionMnistRequest[] = [];
    const exp = makeE7((req) => {
      requests.push(req);
      return standIn(2500, 600); // more than asked: the experiment keeps the leading rows
    });
    const messages: string[] = [];
    const r = await exp.run({ quick: true, seed: 1, progress: (s) => messages.push(s) });
    expect(requests).toEqual([{ limitTrain: 2000, limitTest: 500 }]);
    checkQuick(r);
    const p = e7Protocol(true);
    const selection = messages.filter((s) => s.startsWith('selection:') && / epoch \d+\/\d+:/.test(s));
    const main = messages.filter((s) => !s.startsWith('selection:') && / epoch \d+\/\d+:/.test(s));
    expect(selection.length).toBe(2 * p.betas.length * p.selection.epochs);
    expect(main.length).toBe(4 * p.epochs);
  }, 60_000);

  it(`runs on ${realPackageInstalled() ? 'the real Fashion-MNIST (package installed)' : 'the stand-in (fashion-mnist package not installed)'} with the same properties`, async () => {
    const exp = makeE7(realPackageInstalled() ? (req) => loadFashionMnist(req) : () => standIn(2000, 500, 9));
    checkQuick(await exp.run({ quick: true, seed: 2, progress: () => {} }));
  }, 60_000);

  it('without a loader, says how to give one', async () => {
    await expect(async () => e7.run({ quick: true, seed: 1, progress: () => {} })).rejects.toThrow(/makeE7\(loadFashionMnist\)/);
  });

  it('names a loader that returned too few images', async () => {
    const exp = makeE7(() => standIn(100, 500));
    await expect(exp.run({ quick: true, seed: 1, progress: () => {} })).rejects.toThrow('e7: the protocol needs 2000 train images, the loader returned 100');
  });
});
