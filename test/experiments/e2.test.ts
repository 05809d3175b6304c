// E2 in quick mode: the DLGN carves XOR and the disk where the deep linear net cannot; figures and report are complete.

import { beforeAll, describe, expect, it } from 'vitest';
import { E2_MODELS, type E2Metrics, e2, e2Protocol } from '../../src/experiments/e2.js';
import type { ExperimentResult } from '../../src/experiments/framework.js';

describe('e2 (quick)', () => {
  let r: ExperimentResult<E2Metrics>;
  const messages: string[] = [];

  beforeAll(async () => {
    r = await e2.run({ quick: true, seed: 1, progress: (m) => messages.push(m) });
  }, 120_000);

  it('is the experiment the registry expects', () => {
    expect(e2.id).toBe('e2');
    expect(r.id).toBe('e2');
    expect(r.title).toBe(e2.title);
    expect(e2.claims.length).toBeGreaterThan(0);
    expect(messages.length).toBeGreaterThan(0);
  });

  it('shrinks to disk and XOR in quick mode and keeps the full protocol otherwise', () => {
    expect(e2Protocol(true).datasets).toEqual(['disk', 'xor']);
    expect(e2Protocol(false).datasets).toEqual(['disk', 'rings', 'xor', 'spirals', 'blobs']);
    expect(e2Protocol(false).n).toBe(2000);
    expect(r.metrics.protocol).toEqual(e2Protocol(true));
  });

  it('DLGN beats the deep linear network on XOR and on the disk, by a wide margin', () => {
    const acc = r.metrics.accuracy;
    for (const d of ['xor', 'disk']) {
      // a DLN is linear in x: near chance on XOR, and no line carves a centred disk
      expect(acc[d].DLGN.testAccuracy).toBeGreaterThan(acc[d].DLN.testAccuracy + 0.2);
      expect(acc[d].DLGN.testAccuracy).toBeGreaterThan(0.8);
      expect(acc[d].DLN.testAccuracy).toBeLessThan(0.7);
    }
  });

  it('measures claim 1 against a sound linear baseline: never below the majority-class rate', () => {
    const acc = r.metrics.accuracy;
    const base = r.metrics.linearBaseline;
    const findings = r.metrics.findings;
    expect(Object.keys(base)).toEqual(['disk', 'xor']);
    for (const [d, b] of Object.entries(base)) {
      // the classes are near balanced, and the baseline is the better of the two linear readings
      expect(b.majorityTestRate).toBeGreaterThan(0.35);
      expect(b.majorityTestRate).toBeLessThan(0.65);
      expect([0, 1]).toContain(b.majorityClass);
      expect(b.testAccuracy).toBe(Math.max(b.majorityTestRate, b.dlnBestValidation.testAccuracy));
      // the DLN's loss sits at the floor of a linear logit on these data (ln 2 = 0.6931)
      expect(Math.abs(b.dlnFinalTrainLoss - Math.LN2)).toBeLessThan(0.02);
      const o = b.dlnTrainAccuracyOverEpochs;
      expect(o.min).toBeLessThanOrEqual(o.median);
      expect(o.median).toBeLessThanOrEqual(o.max);
      // the final DLN's train accuracy is one of the epochs' values
      expect(acc[d].DLN.trainAccuracy).toBeGreaterThanOrEqual(o.min);
      expect(acc[d].DLN.trainAccuracy).toBeLessThanOrEqual(o.max);
      expect(b.dlnBestValidation.epoch).toBeGreaterThanOrEqual(0);
      expect(b.dlnBestValidation.epoch).toBeLessThan(e2Protocol(true).epochs);
      expect(b.dlnBestValidation.validationAccuracy).toBeGreaterThanOrEqual(acc[d].DLN.validationAccuracy);
      expect(findings.dlgnMinusLinearBaseline[d]).toBe(acc[d].DLGN.testAccuracy - b.testAccuracy);
      expect(findings.dlgnMinusLinearBaseline[d]).toBeGreaterThan(0.2);
    }
    expect(r.markdown).toContain('### The linear baseline');
    expect(r.markdown).toMatch(/majority class \(test\)/);
    expect(r.markdown).toMatch(/beats the linear baseline \(the better of the majority-class rate and the DLN selected by validation accuracy/);
  });

  it('reports every score of every model as a number in [0, 1]', () => {
    const acc = r.metrics.accuracy;
    expect(Object.keys(acc)).toEqual(['disk', 'xor']);
    for (const d of Object.values(acc)) {
      expect(Object.keys(d)).toEqual([...E2_MODELS]);
      for (const [m, s] of Object.entries(d)) {
        for (const v of [s.trainAccuracy, s.validationAccuracy, s.testAccuracy]) expect(v >= 0 && v <= 1).toBe(true);
        expect(Number.isFinite(s.testLoss)).toBe(true);
        if (m.startsWith('DLGN')) expect(s.hardTestAccuracy).toBeGreaterThan(0.5);
      }
    }
    const regions = r.metrics.dlgnRegions;
    for (const d of ['disk', 'xor']) {
      expect(regions[d].lines).toBe(64);
      expect(Number.isInteger(regions[d].regions) && regions[d].regions > 1).toBe(true);
      expect(Number.isInteger(regions[d].testPatterns) && regions[d].testPatterns > 1).toBe(true);
    }
  });

  it('draws every figure as an SVG document with a unique file name, each referenced by the report', () => {
    // bar chart + per data set: lines at init, trained lines, region map, decision map
    expect(r.figures.length).toBe(1 + 2 * 4);
    const files = r.figures.map((f) => f.file);
    expect(new Set(files).size).toBe(files.length);
    for (const f of r.figures) {
      expect(typeof f.svg).toBe('string');
      expect(f.svg.trimStart().startsWith('<svg')).toBe(true);
      expect(f.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(f.file).toMatch(/^e2-[a-z0-9-]+\.svg$/);
      expect(r.markdown).toContain(`(${f.file})`);
    }
  });

  it('writes a report that names every model, the protocol and an honest reading', () => {
    for (const m of ['DLGN', 'DLGN-SF', 'ReLU', 'DLN']) expect(r.markdown).toContain(m);
    expect(r.markdown).toContain('## Protocol');
    expect(r.markdown).toContain('## What this shows');
    expect(r.markdown).toMatch(/Adam/);
    expect(r.markdown).toMatch(/no half-space arrangement/);
    expect(r.markdown).not.toMatch(/NaN|undefined/);
  });
});
