// E6 quick mode: four models, accuracies, hyperplane counts per tree node, beta choices, determinism.

import { beforeAll, describe, expect, it } from 'vitest';
import { type E6Metrics, type E6ModelKey, e6, e6Protocol } from '../../src/experiments/e6.js';
import { type ExperimentResult, type RunStep, stepFraction } from '../../src/experiments/framework.js';

const MODELS: E6ModelKey[] = ['dlgn', 'dlgn-sf', 'dlgn-vt', 'relu'];
const GATED = ['dlgn', 'dlgn-sf', 'dlgn-vt'] as const;

/** The metrics without wall-clock numbers, as JSON: what must repeat exactly for the same seed. */
const reproducible = (r: ExperimentResult): string => JSON.stringify({ ...r.metrics, timing: undefined });


describe('e6 (quick)', () => {
  let r: ExperimentResult<E6Metrics>;
  let m: E6Metrics;
  const messages: string[] = [];
  const steps: RunStep[] = [];

  beforeAll(async () => {
    r = await e6.run({ quick: true, seed: 1, progress: (s) => messages.push(s), step: (s) => steps.push(s) });
    m = r.metrics;
  }, 60_000);

  it('is the experiment the index expects', () => {
    expect(e6.id).toBe('e6');
    expect(r.id).toBe('e6');
    expect(r.title).toBe(e6.title);
    expect(e6.claims.length).toBeGreaterThan(10);
  });

  it('reports test accuracy in [0, 1] for exactly the four models', () => {
    expect(Object.keys(m.testAccuracy).sort()).toEqual([...MODELS].sort());
    for (const k of MODELS) {
      expect(m.testAccuracy[k]).toBeGreaterThanOrEqual(0);
      expect(m.testAccuracy[k]).toBeLessThanOrEqual(1);
    }
  });

  it('has a gated model well above chance at quick size (seed 1)', () => {
    expect(Math.max(...GATED.map((k) => m.testAccuracy[k]))).toBeGreaterThan(0.6);
  });

  it('records every configuration tried and the choice made from it', () => {
    const p = m.protocol;
    expect(p.dataset).toBe('sdi');
    expect(p.d).toBe(20);
    for (const k of GATED) {
      const tried = m.validationAccuracy.filter((v) => v.model === k);
      expect(tried.length).toBe(p.betas.length * p.lrs.length);
      expect(p.betas).toContain(m.chosen[k].beta);
      expect(p.lrs).toContain(m.chosen[k].lr);
      // the choice is the best validation accuracy among those tried
      expect(m.chosen[k].valAccuracy).toBe(Math.max(...tried.map((v) => v.valAccuracy)));
    }
    expect(m.chosen.relu.beta).toBeNull();
  });

  it('counts hyperplanes near each of the 15 tree nodes as non-negative integers, monotone in the threshold', () => {
    expect(m.hyperplanes.thresholds).toEqual([0.1, 0.2, 0.3]);
    expect(m.hyperplanes.nodeLevels).toEqual([0, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3]);
    const units: Record<string, number> = { dlgn: 80, 'dlgn-sf': 40, 'dlgn-vt': 40 };
    for (const k of GATED) {
      const h = m.hyperplanes[k];
      expect(h.units).toBe(units[k]);
      for (const stage of [h.init, h.trained]) {
        expect(stage.perNode.length).toBe(15);
        for (const c of stage.perNode) {
          expect(c.length).toBe(3);
          for (const v of c) {
            expect(Number.isInteger(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(h.units);
          }
          expect(c[0]).toBeLessThanOrEqual(c[1]);
          expect(c[1]).toBeLessThanOrEqual(c[2]);
        }
        expect(stage.closest.length).toBe(15);
        for (const d of stage.closest) {
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(Math.SQRT2 + 1e-12);
        }
        expect(stage.total).toEqual([0, 1, 2].map((t) => stage.perNode.reduce((s: number, c: number[]) => s + c[t], 0)));
      }
    }
  });

  it('reports progress once per epoch of every run: which run of how many, which epoch', () => {
    const runs = m.validationAccuracy.length;
    const epochs = m.protocol.epochs;
    // each run: epoch 0 at its start, then every epoch
    expect(steps.length).toBe(runs * (epochs + 1));
    steps.forEach((s, i) => {
      expect(s.index).toBe(Math.floor(i / (epochs + 1)) + 1);
      expect(s.total).toBe(runs);
      expect(s.epoch).toBe(i % (epochs + 1));
      expect(s.epochs).toBe(epochs);
      expect(s.label).toMatch(/^SDI: (DLGN|DLGN-SF|DLGN-VT|ReLU)( beta=\d+)? lr=[\d.]+$/);
      if (s.epoch! > 0) expect(s.detail).toMatch(/^loss \d\.\d{4}$/);
    });
    // the fraction done only grows, from 0 to 1
    const f = steps.map(stepFraction);
    expect(f[0]).toBe(0);
    expect(f.at(-1)).toBe(1);
    for (let i = 1; i < f.length; i++) expect(f[i]).toBeGreaterThanOrEqual(f[i - 1]);
    // and one line per finished run
    expect(messages.filter((x) => / validation accuracy \d\.\d{4} after \d+ epochs/.test(x)).length).toBe(runs);
  });

  it('keeps wall times apart, under timing', () => {
    expect(m.timing.totalSeconds).toBeGreaterThan(0);
    expect(m.timing.runs.length).toBe(m.validationAccuracy.length);
    for (const t of m.timing.runs) expect(t.secondsPerEpoch).toBeGreaterThan(0);
  });

  it('writes a report with figures it references and an honest reading', () => {
    expect(r.figures.length).toBeGreaterThanOrEqual(3);
    const files = r.figures.map((f) => f.file);
    expect(new Set(files).size).toBe(files.length);
    for (const f of r.figures) {
      expect(f.svg.startsWith('<svg')).toBe(true);
      expect(r.markdown).toContain(`(${f.file})`);
    }
    expect(r.markdown).toContain('## What this shows');
    expect(r.markdown).toContain('Quick mode');
    for (const k of MODELS) expect(JSON.stringify(r.metrics)).toContain(`"${k}"`);
  });

  it('is deterministic: the same seed gives identical metrics (wall times aside)', async () => {
    const again = await e6.run({ quick: true, seed: 1, progress: () => {} });
    expect(reproducible(again)).toBe(reproducible(r));
    expect(again.markdown.length).toBeGreaterThan(0);
  }, 60_000);

  it('has a full protocol with the paper sizes and the beta grid {3, 10, 30}', () => {
    const sdi = e6Protocol(false, 'sdi');
    expect([sdi.n, sdi.d, sdi.betas]).toEqual([40_000, 20, [3, 10, 30]]);
    const sdii = e6Protocol(false, 'sdii');
    expect([sdii.n, sdii.d]).toEqual([60_000, 100]);
    expect(e6Protocol(true, 'sdii').d).toBe(100);
  });
});

describe('e6 (quick) with the follow-up recipe', () => {
  let r: ExperimentResult<E6Metrics>;
  let m: E6Metrics;
  beforeAll(async () => {
    r = await e6.run({ quick: true, seed: 1, recipe: 'follow-up', progress: () => {} });
    m = r.metrics;
  }, 120_000);

  it("trains one configuration per family, the authors' settings, without biases", () => {
    const p = m.protocol;
    expect([p.recipe, p.bias, p.batchesPerEpoch, p.schedule, p.selection, p.lossThreshold]).toEqual(['follow-up', false, 10, 'constant', 'best-validation-epoch', 5e-6]);
    expect(m.validationAccuracy.map((v) => v.model)).toEqual(MODELS);
    expect(m.chosen.dlgn).toMatchObject({ beta: 3, lr: 0.02 });
    expect(m.chosen['dlgn-sf']).toMatchObject({ beta: 3, lr: 0.02 });
    expect(p.models.dlgn).toEqual([20, 20, 20, 20, 20]); // SDI: 5 layers of 20
    expect(p.models['dlgn-vt']).toEqual([10, 10, 10, 10]); // the authors' size: 10^4 paths
    for (const v of m.validationAccuracy) {
      // the kept epoch is one that ran, and its validation accuracy is the one chosen
      expect(v.keptEpoch).toBeGreaterThanOrEqual(0);
      expect(v.keptEpoch).toBeLessThan(v.epochsRun);
      expect(v.epochsRun).toBeLessThanOrEqual(60);
      expect(m.chosen[v.model].valAccuracy).toBe(v.valAccuracy);
    }
    expect(Math.max(...GATED.map((k) => m.testAccuracy[k]))).toBeGreaterThan(0.6);
  });

  it('reads a decision tree out of the DLGN and scores it like the model', () => {
    const t = m.decisionTree;
    expect(t.depth).toBeLessThanOrEqual(4);
    expect(t.leaves).toBe(t.splits + 1);
    expect(t.fromClusters).toBeLessThanOrEqual(t.splits);
    for (const a of [t.trainAccuracy, t.testAccuracy]) expect(a >= 0 && a <= 1).toBe(true);
    expect(t.closest).toHaveLength(15);
    for (const [i, n] of t.nodesFound.entries()) {
      expect(n).toBe(t.closest.filter((c: number) => c <= m.protocol.thresholds[i]).length);
    }
    expect(r.markdown).toContain('## A decision tree read out of the DLGN');
    expect(r.figures.map((f) => f.file)).toContain('e6-tree-sdi.svg');
    expect(r.markdown).toContain('(e6-tree-sdi.svg)');
  });

  it('says which recipe ran and where it departs from the authors', () => {
    expect(r.markdown).toMatch(/the follow-up paper's authors' training/);
    expect(r.markdown).toMatch(/Models without any bias/);
    expect(r.markdown).toMatch(/## Training of each model/);
    expect(r.markdown).toMatch(/Where this differs from the authors/);
    expect(r.markdown).not.toMatch(/NaN|undefined/);
  });

  it('keeps the grid as the default recipe', () => {
    expect(e6Protocol(false, 'sdii').recipe).toBe('grid');
    const f = e6Protocol(false, 'sdii', 'follow-up');
    expect([f.epochs, f.configs?.dlgn, f.configs?.['dlgn-sf']?.widths]).toEqual([1500, { beta: 10, lr: 0.01, widths: [20, 20, 20, 20] }, [10, 10, 10, 10]]);
  });
});
