// E1 (circle regression) in quick mode: fit, figures, the slow/fast-half region analysis, the region count, determinism.

import { beforeAll, describe, expect, it } from 'vitest';
import { circle } from '../../src/data/circle.js';
import { E1_QUICK, type E1Metrics, type E1SettingMetrics, circleRegionStats, crossingAngles, e1 } from '../../src/experiments/e1.js';
import type { ExperimentResult } from '../../src/experiments/framework.js';
import { createModel } from '../../src/models/families.js';
import { fit } from '../../src/models/train.js';
import { arrangement2D } from '../../src/paths/arrangement.js';
import { Tensor } from '../../src/tensor/tensor.js';

const quiet = { quick: true, seed: 1, progress: () => {} };

describe('e1 quick run', () => {
  let r: ExperimentResult<E1Metrics>;
  let settings: Record<string, E1SettingMetrics>;
  beforeAll(async () => {
    r = await e1.run(quiet);
    settings = r.metrics.settings;
  });

  it('identifies itself and reports the quick protocol', () => {
    expect(r.id).toBe('e1');
    expect(r.title).toBe(e1.title);
    expect(Object.keys(settings)).toEqual(E1_QUICK.settings);
    expect(r.markdown).toContain('## Protocol');
    expect(r.markdown).toContain('## What this shows');
    expect(r.markdown).toContain(`${E1_QUICK.n} training points`);
  });

  it('fits the circle far better than the mean, on training and on unseen angles', () => {
    for (const s of Object.values(settings)) {
      expect(s.learned.trainMse).toBeLessThan(0.3 * s.meanPredictorMse);
      expect(s.learned.testMse).toBeLessThan(0.3 * s.meanPredictorMse);
      expect(s.frozenGates.trainMse).toBeLessThan(s.meanPredictorMse);
      expect(s.learned.testMse).toBeLessThan(s.learned.initTestMse);
    }
  });

  it('draws every figure as an SVG document referenced by the report', () => {
    expect(r.figures.length).toBeGreaterThanOrEqual(9);
    const files = r.figures.map((f) => f.file);
    expect(new Set(files).size).toBe(files.length);
    for (const f of r.figures) {
      expect(f.svg.startsWith('<svg')).toBe(true);
      expect(f.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(f.file).toMatch(/^e1-[a-z0-9-]+\.svg$/);
      expect(r.markdown).toContain(`](${f.file})`);
    }
  });

  it('counts the same boundaries and patterns in both halves (each line through the origin crosses both)', () => {
    for (const s of Object.values(settings)) {
      for (const state of [s.regions.init, s.regions.trained, s.regions.annealed]) {
        expect(state.slow.boundaries).toBe(state.fast.boundaries);
        expect(state.slow.patterns).toBe(state.fast.patterns);
        // antipodal patterns are complements, so the on-fractions of the halves add up to 1
        expect(state.slow.onFraction + state.fast.onFraction).toBeCloseTo(1, 9);
      }
      // the target varies b/a times more on the fast half, and the trained output follows it
      expect(s.regions.trained.fast.targetVariation).toBeGreaterThan(s.regions.trained.slow.targetVariation);
      expect(s.regions.trained.fast.modelVariation).toBeGreaterThan(s.regions.trained.slow.modelVariation);
    }
  });

  it('has as many arrangement cells as distinct gate patterns on the circle', () => {
    for (const s of Object.values(settings)) {
      expect(s.arrangementCells).toBe(s.regions.trained.patterns);
      expect(s.regions.trained.arcs).toBe(s.regions.trained.patterns);
    }
  });

  it('gives identical metrics for the same seed', async () => {
    const again = await e1.run(quiet);
    expect(JSON.stringify(again.metrics)).toBe(JSON.stringify(r.metrics));
    expect(again.markdown).toBe(r.markdown);
  });
});

describe('circle regions of a bias-free DLGN', () => {
  it('finds the crossings of hand-set lines and splits them between the halves', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1, bias: false }, { rng: 1 });
    const state = net.stateDict();
    // lines x = 0 and y = 0: crossings at 90 and 270 degrees, and at 180 and 0 degrees
    state['gate.0.weight'] = Tensor.from([
      [1, 0],
      [0, 1],
    ]);
    net.loadStateDict(state);
    expect(crossingAngles(net)).toEqual([0, Math.PI / 2, Math.PI, (3 * Math.PI) / 2]);
    const s = circleRegionStats(net, 1, 9, 0.05);
    expect(s.arcs).toBe(4);
    expect(s.patterns).toBe(4);
    expect(s.slow.boundaries).toBe(2);
    expect(s.fast.boundaries).toBe(2);
    // upper half: y > 0 keeps gate 2 on, gate 1 (x > 0) is on for its first quarter; the lower half is the complement
    expect(s.slow.onFraction).toBeCloseTo(0.75, 12);
    expect(s.fast.onFraction).toBeCloseTo(0.25, 12);
    expect(arrangement2D(net).cells.length).toBe(4);
  });

  it('on the circle data, the hard-gated region map has one cell per distinct gate pattern (issue #5)', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [6, 6, 6], outputDim: 1, bias: false, beta: 20 }, { rng: 3 });
    fit(net, circle({ n: 120, preset: 'a2b12' }), { loss: 'mse', epochs: 20, batchSize: 20, lr: 0.01, seed: 3 });
    const arr = arrangement2D(net, { xmin: -1.1, xmax: 1.1, ymin: -1.1, ymax: 1.1 });
    const keys = new Set(arr.cells.map((c) => c.key));
    expect(keys.size).toBe(arr.cells.length);
    // every wedge meets the circle, so the circle's arcs show every pattern once
    const s = circleRegionStats(net, 2, 12, 0.05);
    expect(s.patterns).toBe(arr.cells.length);
    expect(s.arcs).toBe(arr.cells.length);
    expect(arr.cells.length).toBe(2 * (6 + 6 + 6));
  });
});
