// Path ids in words: the notation per family, checked against every path the engine enumerates.

import { describe, expect, it } from 'vitest';
import { type ModelConfig, createModel } from '../../src/models/index.js';
import { enumeratePaths } from '../../src/paths/decompose.js';
import { formatPathId, pathNotation } from '../../src/paths/format.js';
import { constraintsForPathId } from '../../src/paths/constraints.js';
import * as root from '../../src/index.js';

const DLGN: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 };

describe('formatPathId', () => {
  it('the examples of the docs', () => {
    expect(formatPathId([0, 0, 1, 3], { ...DLGN, valueInput: 'input' })).toBe('x1 -> L1.u1 -> L2.u3');
    expect(formatPathId([1, -1, 7, 3], DLGN)).toBe('bias L1 -> L1.u7 -> L2.u3');
    expect(formatPathId([2, -1, 3], DLGN)).toBe('bias L2 -> L2.u3');
    expect(formatPathId([3, -1], DLGN)).toBe('bias out');
  });

  it('an input start of a DLGN with the all-ones value input carries 1 in place of x_i', () => {
    expect(formatPathId([0, 1, 0, 5], DLGN)).toBe('1(x2) -> L1.u0 -> L2.u5');
    expect(formatPathId([0, 1, 0, 5], { ...DLGN, valueInput: 'ones' })).toBe('1(x2) -> L1.u0 -> L2.u5');
    // DGN reads x by default, DLN and ReLU nets always
    expect(formatPathId([0, 1, 0, 5], { ...DLGN, kind: 'dgn' })).toBe('x2 -> L1.u0 -> L2.u5');
    expect(formatPathId([0, 1, 0, 5], { ...DLGN, kind: 'dnn' })).toBe('x2 -> L1.u0 -> L2.u5');
    expect(formatPathId([0, 1, 0, 5], { ...DLGN, kind: 'dln' })).toBe('x2 -> L1.u0 -> L2.u5');
  });

  it('a dlgn-vt path is its units (its value is a value tensor entry)', () => {
    expect(formatPathId([0, 0, 3, 5], { ...DLGN, kind: 'dlgn-vt' })).toBe('L1.u3 -> L2.u5');
    expect(() => formatPathId([1, -1, 3, 5], { ...DLGN, kind: 'dlgn-vt' })).toThrow('dlgn-vt ids are [0, 0, i_1, ..., i_L]');
  });

  it('input names and the arrow can be chosen (the playground draws →)', () => {
    expect(formatPathId([0, 1, 2, 4], { ...DLGN, valueInput: 'input' }, { inputNames: ['age', 'income'], arrow: ' → ' })).toBe('income → L1.u2 → L2.u4');
    expect(() => formatPathId([0, 1, 2, 4], DLGN, { inputNames: ['a'] })).toThrow('formatPathId: 1 input names for a model with 2 inputs');
  });

  it('refuses ids that do not fit the model, naming the id and why', () => {
    expect(() => formatPathId([0, 2, 1, 1], DLGN)).toThrow('formatPathId: invalid path id [0, 2, 1, 1]: startIndex must be in 0..1 for an input start');
    expect(() => formatPathId([0, 0, 8, 1], DLGN)).toThrow('unit 8 is out of range for layer 1 of width 8');
    expect(() => formatPathId([0, 0, 1], DLGN)).toThrow('a path starting at layer 0 visits 2 units, got 1');
    expect(() => formatPathId([1, 0, 1, 1], DLGN)).toThrow('startIndex is -1 for a bias start');
    expect(() => formatPathId([4, -1], DLGN)).toThrow('startLayer must be in 0..3');
    expect(() => formatPathId([1, -1, 1, 1], { ...DLGN, bias: false })).toThrow('the model has no biases');
    expect(() => formatPathId([0.5, 0], DLGN)).toThrow('expected integers');
  });

  const families: ModelConfig[] = [
    { kind: 'dlgn', inputDim: 3, widths: [3, 2, 2], outputDim: 2 },
    { kind: 'dlgn', inputDim: 3, widths: [3, 2, 2], outputDim: 2, valueInput: 'input', features: 'sf' },
    { kind: 'dlgn-vt', inputDim: 3, widths: [3, 2, 2], outputDim: 2 },
    { kind: 'dgn', inputDim: 3, widths: [3, 2], outputDim: 1 },
    { kind: 'dnn', inputDim: 3, widths: [3, 2], outputDim: 1, bias: false },
    { kind: 'dln', inputDim: 3, widths: [2, 2], outputDim: 1 },
  ];
  it.each(families.map((c) => [`${c.kind} ${c.valueInput ?? ''} bias=${c.bias ?? true}`, c] as const))(
    'every path the engine enumerates (%s) gets a distinct name that agrees with the id and the constraints',
    (_, config) => {
      const model = createModel(config, { rng: 3 });
      const seen = new Set<string>();
      for (const p of enumeratePaths(model, [0.2, -0.4, 0.7])) {
        const s = formatPathId(p.id, model.config);
        expect(seen.has(s), s).toBe(false);
        seen.add(s);
        const units = [...s.matchAll(/L(\d+)\.u(\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
        expect(units.map(([, u]) => u)).toEqual(p.id.slice(2));
        const L = config.widths.length;
        const first = p.id[0] === 0 ? 1 : p.id[0];
        expect(units.map(([l]) => l)).toEqual(Array.from({ length: L - first + 1 }, (_, k) => first + k));
        if (p.id[0] === 0 && config.kind !== 'dlgn-vt') expect(s).toMatch(new RegExp(`^(1\\()?x${p.id[1] + 1}\\)? `));
        if (p.id[0] > 0) expect(s.startsWith(p.id[0] === L + 1 ? 'bias out' : `bias L${p.id[0]} -> `)).toBe(true);
        // the half-space constraints name the same (layer, unit) pairs
        if (config.kind === 'dlgn' || config.kind === 'dlgn-vt') {
          expect(constraintsForPathId(model, p.id).map((c) => [c.layer, c.unit])).toEqual(units);
        }
      }
      expect(BigInt(seen.size)).toBe(root.pathCount(model));
    },
  );
});

describe('pathNotation', () => {
  it('explains the start, the bias starts and the unit numbering, per family', () => {
    const ones = pathNotation(DLGN);
    expect(ones.split('\n')).toEqual([
      'How to read a path: 1(x1) -> L1.u0 -> L2.u0 runs from its start through one unit per layer (->)',
      '  1(xi)     starts at position i of the all-ones value input: it carries 1, x acts through the gates',
      '  bias Ll   starts at the bias of hidden layer l; "bias out" is the output bias alone',
      '  Ll.uj     unit j of hidden layer l (layers count from 1, units from 0 as in the raw id)',
    ]);
    expect(pathNotation({ ...DLGN, kind: 'dnn' })).toContain('  xi        starts at input i and carries x_i');
    expect(pathNotation({ ...DLGN, kind: 'dnn' })).toContain('x1 -> L1.u0 -> L2.u0');
    const vt = pathNotation({ ...DLGN, kind: 'dlgn-vt' });
    expect(vt).toContain('value tensor entry V[c, i, ..., k]');
    expect(vt).not.toContain('bias');
  });

  it('is part of the root entry (browser-safe, for the playground)', () => {
    expect(root.formatPathId).toBe(formatPathId);
    expect(root.pathNotation).toBe(pathNotation);
  });
});
