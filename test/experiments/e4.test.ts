// E4 in quick mode: per-mode lines, patterns and path value mass over training, deterministic for a seed.

import { beforeAll, describe, expect, it } from 'vitest';
import { fourMode } from '../../src/data/four-mode.js';
import { type E4Metrics, MODE_NAMES, e4, e4Protocol, measureModes, pathValueMass } from '../../src/experiments/e4.js';
import type { ExperimentResult } from '../../src/experiments/framework.js';
import { createModel } from '../../src/models/families.js';
import { fit } from '../../src/models/train.js';
import { enumeratePaths } from '../../src/paths/decompose.js';
import { Tensor } from '../../src/tensor/tensor.js';

describe('e4 (quick)', () => {
  let r: ExperimentResult<E4Metrics>;
  let again: ExperimentResult<E4Metrics>;

  beforeAll(async () => {
    r = await e4.run({ quick: true, seed: 1, progress: () => {} });
    again = await e4.run({ quick: true, seed: 1, progress: () => {} });
  }, 120_000);

  it('is the experiment the registry expects', () => {
    expect(e4.id).toBe('e4');
    expect(r.id).toBe('e4');
    expect(r.metrics.protocol).toEqual(e4Protocol(true));
    expect(e4Protocol(false).nPerSplit).toBe(3000);
    expect(e4Protocol(false).checkpoints).toEqual([0, 30, 75, 150, 300]);
  });

  it('flags the hard modes as fourMode does: +e1 and +e2 hard, -e1 and -e2 easy', () => {
    const data = fourMode({ nPerSplit: 8, seed: 1 });
    expect(r.metrics.hard).toEqual(data.modes.map((m) => m.hard));
    expect(r.metrics.hard).toEqual([true, true, false, false]);
    expect(r.metrics.modes).toEqual([...MODE_NAMES]);
  });

  it('holds numbers for all four modes at every checkpoint, with pattern and line counts that are integers', () => {
    const archs = r.metrics.architectures;
    expect(Object.keys(archs)).toEqual(['3x3', '3x8']);
    for (const a of Object.values(archs)) {
      const total = a.widths.reduce((s, v) => s + v, 0);
      expect(a.lines.length).toBe(a.checkpoints.length);
      for (const seed of a.perSeed) {
        expect(seed.measures.length).toBe(a.checkpoints.length);
        expect(seed.hardModeAccuracy.length).toBe(4);
        for (const cp of seed.measures) {
          expect(cp.length).toBe(4);
          for (const m of cp) {
            expect(Number.isInteger(m.patterns) && m.patterns >= 1).toBe(true);
            expect(Number.isInteger(m.lines) && m.lines >= 0 && m.lines <= total).toBe(true);
            expect(m.linesPerLayer.reduce((s, v) => s + v, 0)).toBe(m.lines);
            expect(m.mass).toBeGreaterThan(0);
            expect(m.accuracy >= 0 && m.accuracy <= 1).toBe(true);
          }
          expect(cp.reduce((s, m) => s + m.massShare, 0)).toBeCloseTo(1, 12);
        }
      }
      for (const row of [...a.lines, ...a.patterns, ...a.mass]) expect(row.length).toBe(4);
    }
  });

  it('gives identical metrics for the same seed', () => {
    expect(JSON.stringify(again.metrics)).toBe(JSON.stringify(r.metrics));
    expect(again.figures.map((f) => f.svg)).toEqual(r.figures.map((f) => f.svg));
  });

  it('after training, the wider net holds more active-path patterns in the hard modes than in the easy ones', () => {
    // the directional part of claim 4 that holds with a margin at quick size for seed 1
    const a = r.metrics.architectures['3x8'];
    expect(a.finalTotals.hardPatterns[0]).toBeGreaterThan(a.finalTotals.easyPatterns[0] + 3);
  });

  it('draws every figure as SVG and the report references each one', () => {
    expect(r.figures.length).toBe(10);
    for (const f of r.figures) {
      expect(f.svg.trimStart().startsWith('<svg')).toBe(true);
      expect(f.svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(r.markdown).toContain(`(${f.file})`);
    }
    const regions = r.figures.find((f) => f.file === 'e4-3x3-regions.svg');
    expect(regions?.svg).toContain('mode centre');
    expect(regions?.svg).toContain('landmark, label 1');
    expect(r.markdown).toContain('## What this shows');
    expect(r.markdown).not.toMatch(/NaN|undefined/);
  });
});

describe('pathValueMass', () => {
  it('equals the sum over enumerated paths of |contribution to f1 - f0| under hard gates', () => {
    const data = fourMode({ nPerSplit: 40, seed: 3 });
    for (const widths of [
      [3, 3, 3],
      [4, 2, 3],
    ]) {
      const model = createModel({ kind: 'dlgn', inputDim: 2, widths, outputDim: 2, beta: 20 }, { rng: 5 });
      fit(model, data.train, { loss: 'ce', epochs: 3, batchSize: 10, lr: 0.05 });
      const hard = createModel({ ...model.config, gate: 'hard' });
      hard.loadStateDict(model.stateDict());
      const mass = pathValueMass(model, data.test.x);
      for (let i = 0; i < 12; i++) {
        const x = data.test.x.values().slice(2 * i, 2 * i + 2);
        let brute = 0;
        for (const p of enumeratePaths(hard, x)) brute += Math.abs(p.contribution[1] - p.contribution[0]);
        expect(mass[i]).toBeCloseTo(brute, 10);
      }
    }
  });

});

describe('measureModes', () => {
  it('counts a line through a mode by its distance to the centre', () => {
    // one unit per layer, all lines x1 = 0.9 (distance 0.1 from +e1, 1.9 from -e1, 0.9 from +-e2)
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [1, 1, 1], outputDim: 2 }, { rng: 1 });
    const state = model.stateDict();
    state['gate.0.weight'] = Tensor.from([[1, 0]]);
    state['gate.0.bias'] = Tensor.from([-0.9]);
    for (const l of [1, 2]) {
      state[`gate.${l}.weight`] = Tensor.from([[1]]);
      state[`gate.${l}.bias`] = Tensor.from([0]);
    }
    model.loadStateDict(state);
    const data = fourMode({ nPerSplit: 40, seed: 2 });
    const m = measureModes(model, data, 0.3);
    expect(m.map((v) => v.lines)).toEqual([3, 0, 0, 0]);
    expect(m.map((v) => v.linesPerLayer)).toEqual([[1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
    expect(measureModes(model, data, 0.95).map((v) => v.lines)).toEqual([3, 3, 0, 3]);
  });
});
