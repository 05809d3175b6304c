// Figures inlined side by side in one HTML page: ids are document-wide, so no two different figures may share one.

import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/models/families.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { lineChart, scatterPlot } from '../../src/viz/charts.js';
import { gatingLinesFigure, regionFigure } from '../../src/viz/model-figures.js';

const ids = (svg: string): string[] => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
const refs = (svg: string): string[] => [...svg.matchAll(/url\(#([^)]+)\)/g)].map((m) => m[1]);

describe('figure ids', () => {
  const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 2 }, { rng: 4 });
  const figures = [
    regionFigure(net),
    gatingLinesFigure(net),
    lineChart({ series: [{ name: 'a', x: [0, 1, 2], y: [3, 1, 2] }] }),
    lineChart({ series: [{ name: 'b', x: [0, 1, 2], y: [1, 1, 2] }] }),
    scatterPlot({ points: [{ x: 0, y: 1 }, { x: 1, y: 0 }] }),
  ];

  it('every figure references only ids it defines', () => {
    for (const svg of figures) {
      expect(ids(svg).length).toBeGreaterThan(0);
      for (const r of refs(svg)) expect(ids(svg)).toContain(r);
    }
  });

  it('different figures share no id; the same figure gives the same bytes', () => {
    const all = figures.flatMap(ids);
    expect(new Set(all).size).toBe(all.length);
    expect(regionFigure(net)).toBe(figures[0]);
  });

  it('an explicit idPrefix is used as given', () => {
    expect(ids(regionFigure(net, { idPrefix: 'left' })).every((id) => id.startsWith('left-'))).toBe(true);
  });
});
