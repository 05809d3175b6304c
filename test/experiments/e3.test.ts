// E3 (clustering of later-layer hyperplanes) in quick mode: well-formed statistics, figures, determinism; the helpers on known inputs.

import { beforeAll, describe, expect, it } from 'vitest';
import { type E3Metrics, type E3TaskMetrics, clusterStats, clusterVectors, e3, randomDirectionClusters } from '../../src/experiments/e3.js';
import type { ExperimentResult } from '../../src/experiments/framework.js';
import { pairwiseDistances } from '../../src/paths/geometry.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const quiet = { quick: true, seed: 1, progress: () => {} };

describe('e3 quick run', () => {
  let r: ExperimentResult<E3Metrics>;
  let tasks: Record<string, E3TaskMetrics>;
  beforeAll(async () => {
    r = await e3.run(quiet);
    tasks = r.metrics.tasks;
  });

  it('runs on the circle, disk and oblique-tree data', () => {
    expect(r.id).toBe('e3');
    expect(Object.keys(tasks)).toEqual(['circle', 'disk', 'oblique']);
    expect(Object.keys(tasks.circle.spaces)).toEqual(['normal']);
    expect(Object.keys(tasks.disk.spaces)).toEqual(['normal', 'affine']);
    expect(r.markdown).toContain('## What this shows');
    expect(r.markdown).toContain('Claim 3');
  });

  it('reports integer cluster counts, fractions in [0, 1] and distances in [0, sqrt 2]', () => {
    for (const t of Object.values(tasks)) {
      for (const s of Object.values(t.spaces)) {
        for (const state of [s!.init, s!.trained]) {
          expect(state.layers).toHaveLength(4);
          for (const l of state.layers) {
            expect(l.clusters).toHaveLength(3);
            for (const c of l.clusters) {
              expect(Number.isInteger(c)).toBe(true);
              expect(c).toBeGreaterThanOrEqual(0);
              expect(c).toBeLessThanOrEqual(l.units / 2);
            }
            for (const f of [...l.clustered, ...l.largest]) {
              expect(f).toBeGreaterThanOrEqual(0);
              expect(f).toBeLessThanOrEqual(1);
            }
            expect(l.meanNN).toBeGreaterThanOrEqual(0);
            expect(l.meanNN).toBeLessThanOrEqual(Math.SQRT2 + 1e-12);
          }
        }
        for (const l of s!.random) expect(l.meanNN).toBeLessThanOrEqual(Math.SQRT2 + 1e-12);
      }
    }
  });

  it('finds clusters in at least one layer', () => {
    const counts = Object.values(tasks).flatMap((t) => Object.values(t.spaces).flatMap((s) => s!.trained.layers.flatMap((l) => l.clusters)));
    expect(Math.max(...counts)).toBeGreaterThan(0);
  });

  it('trains the classifiers above chance', () => {
    expect(tasks.disk.test.metric).toBe('accuracy');
    expect(tasks.disk.test.trained).toBeGreaterThan(0.9);
    expect(tasks.oblique.test.trained).toBeGreaterThan(tasks.oblique.test.init);
    expect(tasks.circle.test.trained).toBeLessThan(tasks.circle.test.init);
  });

  it('draws every figure as an SVG document referenced by the report', () => {
    expect(r.figures).toHaveLength(12);
    for (const f of r.figures) {
      expect(f.svg.startsWith('<svg')).toBe(true);
      expect(r.markdown).toContain(`](${f.file})`);
    }
  });

  it('gives identical metrics for the same seed', async () => {
    const again = await e3.run(quiet);
    expect(JSON.stringify(again.metrics)).toBe(JSON.stringify(r.metrics));
  });
});

describe('e3 helpers', () => {
  it('clusters two nearly parallel normals and leaves an orthogonal one out', () => {
    const D = pairwiseDistances(Tensor.from([[1, 0], [-2, 0.001], [0, 1]]));
    const s = clusterStats(D, [0.1, 1.5], 2);
    expect(s.clusters).toEqual([1, 1]);
    expect(s.clustered[0]).toBeCloseTo(2 / 3, 12);
    expect(s.largest[0]).toBeCloseTo(2 / 3, 12);
    expect(s.clustered[1]).toBe(1);
    expect(Array.from(s.labels[0])).toEqual([0, 0, -1]);
  });

  it('appends the bias for the affine space', () => {
    const v = clusterVectors({ weight: Tensor.from([[1, 2], [3, 4]]), bias: Tensor.from([5, 6]) }, 'affine');
    expect(v.toArray()).toEqual([[1, 2, 5], [3, 4, 6]]);
  });

  it('puts random directions in 20-D far apart and in 2-D close together', () => {
    const hi = randomDirectionClusters(32, 20, [0.2], 2, 5, new Rng(1));
    const lo = randomDirectionClusters(32, 2, [0.2], 2, 5, new Rng(1));
    expect(hi.meanNN).toBeGreaterThan(0.8);
    expect(hi.clustered[0]).toBe(0);
    expect(lo.meanNN).toBeLessThan(0.1);
    expect(lo.clustered[0]).toBeGreaterThan(0.8);
  });
});
