// Ready figures: well-formed SVG with one element per cell / line / bar / series, the right legends, and clear errors.

import { describe, expect, it } from 'vitest';
import { disk } from '../../src/data/synthetic.js';
import { createModel } from '../../src/models/families.js';
import { fit } from '../../src/models/train.js';
import { arrangement2D, lines2D } from '../../src/paths/arrangement.js';
import { Tensor } from '../../src/tensor/tensor.js';
import {
  LAYER_COLORS,
  REGION_FILLS,
  barChart,
  gatingLinesFigure,
  heatmap,
  lineChart,
  modelName,
  regionFigure,
  scatterPlot,
} from '../../src/viz/index.js';
import { attr, checkXml, groupContent, withClass } from './xml.js';

const data = disk({ n: 150, seed: 3 });
const trained = createModel({ kind: 'dlgn', inputDim: 2, widths: [5, 4], outputDim: 2, beta: 10 }, { rng: 1 });
fit(trained, data, { loss: 'ce', epochs: 8, batchSize: 50, lr: 0.02, seed: 1 });

const count = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;

describe('regionFigure', () => {
  const svg = regionFigure(trained, { data });
  const arr = arrangement2D(trained);
  const drawn = lines2D(trained).filter((l) => l.segment !== null);

  it('is a well-formed SVG document', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(checkXml(svg).root).toBe('svg');
    expect(svg).toContain('sans-serif');
  });

  it('fills one polygon per cell of the arrangement', () => {
    const cells = withClass(svg, 'cell');
    expect(cells.length).toBe(arr.cells.length);
    expect(cells.every((t) => t.startsWith('<polygon'))).toBe(true);
    for (const t of cells) expect(attr(t, 'fill')).toMatch(/^#[0-9a-f]{6}$/);
  });

  it('draws one line per gating line inside the box, coloured by layer, each with an ON-side arrow', () => {
    const lines = withClass(svg, 'gating-line');
    expect(lines.length).toBe(drawn.length);
    expect(lines.length).toBeGreaterThan(0);
    for (const t of lines) {
      const layer = Number(attr(t, 'data-layer'));
      expect(attr(t, 'stroke')).toBe(LAYER_COLORS[layer - 1]);
    }
    expect(withClass(svg, 'on-arrow').length).toBe(drawn.length);
    expect(count(svg, /<marker /g)).toBeGreaterThanOrEqual(1);
  });

  it('every arrow starts on its line and points to the side where w . x + b > 0', () => {
    const lines = withClass(svg, 'gating-line');
    const arrows = withClass(svg, 'on-arrow');
    lines.forEach((t, i) => {
      const [a0, b0, a1, b1] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(attr(t, k)));
      const [c0, d0, c1, d1] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(attr(arrows[i], k)));
      // distance of the arrow's start from the line's pixel segment
      const len = Math.hypot(a1 - a0, b1 - b0);
      expect(Math.abs((a1 - a0) * (d0 - b0) - (b1 - b0) * (c0 - a0)) / len).toBeLessThan(0.05);
      // pixel y points down: the ON normal (w0, w1) is (w0, -w1) in pixels
      const [w0, w1] = drawn[i].weight;
      expect((c1 - c0) * w0 - (d1 - d0) * w1).toBeGreaterThan(0);
    });
  });

  it('has the title, legend entries for every layer and class, and a colour bar', () => {
    const c = trained.config;
    expect(svg).toContain(`${modelName(trained)} 2-[${c.widths.join(',')}]-2: ${arr.cells.length} regions, ${drawn.length} gating lines`);
    expect(svg).toContain('>layer 1</text>');
    expect(svg).toContain('>layer 2</text>');
    expect(svg).toContain('>class 0</text>');
    expect(svg).toContain('>class 1</text>');
    expect(svg).toContain('logit 1 − logit 0');
    expect(withClass(svg, 'colorbar').length).toBe(1);
    expect(svg).toContain('>x₁</text>');
    expect(svg).toContain('>x₂</text>');
  });

  it('draws every data point, with one marker shape per class', () => {
    const pts = groupContent(svg, 'data-points');
    expect(count(pts, /<(circle|polygon|rect)\b/g)).toBe(150);
    const labels = data.y.values();
    const ones = Array.from(labels).filter((v) => v === 1).length;
    expect(count(pts, /<polygon\b/g)).toBe(ones); // class 1: triangles
    expect(count(pts, /<circle\b/g)).toBe(150 - ones);
  });

  it('colours cells by the logit difference on a diverging map: most orange where class 1 wins most', () => {
    const diff = arr.cells.map((c) => c.output[1] - c.output[0]);
    const fills = withClass(svg, 'cell').map((t) => attr(t, 'fill') as string);
    const hi = diff.indexOf(Math.max(...diff));
    const lo = diff.indexOf(Math.min(...diff));
    const rgb = (h: string): number[] => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    if (diff[hi] > 0) expect(rgb(fills[hi])[0]).toBeGreaterThan(rgb(fills[hi])[2]); // orange: red > blue
    if (diff[lo] < 0) expect(rgb(fills[lo])[2]).toBeGreaterThan(rgb(fills[lo])[0]); // blue
  });

  it('colorBy pattern: neighbouring regions (patterns one gate apart) never share a colour', () => {
    const p = regionFigure(trained, { colorBy: 'pattern' });
    checkXml(p);
    const fills = withClass(p, 'cell').map((t) => attr(t, 'fill') as string);
    expect(fills.length).toBe(arr.cells.length);
    for (const f of fills) expect(REGION_FILLS).toContain(f);
    const byKey = new Map(arr.cells.map((c, i) => [c.key, i]));
    let pairs = 0;
    arr.cells.forEach((c, i) => {
      for (let k = 0; k < c.key.length; k++) {
        if (c.key[k] === '|') continue;
        const j = byKey.get(c.key.slice(0, k) + (c.key[k] === '0' ? '1' : '0') + c.key.slice(k + 1));
        if (j !== undefined) {
          pairs++;
          expect(fills[j]).not.toBe(fills[i]);
        }
      }
    });
    expect(pairs).toBeGreaterThan(0);
    expect(withClass(p, 'colorbar').length).toBe(0);
  });

  it('a single-output regression model: output on the diverging map, targets on viridis with their own colour bar', () => {
    const n = 60;
    const xs = new Float64Array(2 * n);
    const ys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = (2 * Math.PI * i) / n;
      xs[2 * i] = Math.cos(t);
      xs[2 * i + 1] = Math.sin(t);
      ys[i] = Math.sin(3 * t) + 0.01 * i;
    }
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1, bias: false }, { rng: 5 });
    const s = regionFigure(net, { data: { x: new Tensor(xs, [n, 2]), y: new Tensor(ys, [n, 1]) }, box: { xmin: -1.2, xmax: 1.2, ymin: -1.2, ymax: 1.2 } });
    checkXml(s);
    expect(withClass(s, 'colorbar').length).toBe(2);
    expect(s).toContain('>data target</text>');
    expect(s).not.toContain('>class 0</text>');
    expect(count(groupContent(s, 'data-points'), /<circle\b/g)).toBe(n);
    // bias-free: every line crosses the origin, yet the arrows are spread out
    const arrows = withClass(s, 'on-arrow').map((t) => [Number(attr(t, 'x1')), Number(attr(t, 'y1'))]);
    const distinct = new Set(arrows.map(([x, y]) => `${Math.round(x)},${Math.round(y)}`));
    expect(distinct.size).toBe(arrows.length);
  });

  it('more than two outputs: cells show the predicted class; output: j shows one logit', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 3 }, { rng: 2 });
    const s = regionFigure(net);
    checkXml(s);
    expect(s).toContain('>predicted class</text>');
    const one = regionFigure(net, { output: 2 });
    expect(one).toContain('region output 2');
    expect(() => regionFigure(net, { output: 3 })).toThrow(/output must be an integer in 0..2/);
  });

  it('escapes a custom title', () => {
    const s = regionFigure(trained, { title: 'E2 <disk> & "more"' });
    expect(s).toContain('E2 &lt;disk&gt; &amp; &quot;more&quot;');
    checkXml(s);
  });

  it('is deterministic', () => {
    expect(regionFigure(trained, { data })).toBe(svg);
  });

  it('throws the half-space error for ReLU nets, DGNs and DLNs, and asks for 2-D inputs', () => {
    const relu = createModel({ kind: 'dnn', inputDim: 2, widths: [4], outputDim: 1 }, { rng: 1 });
    expect(() => regionFigure(relu)).toThrow(/arrangement2D: .*not half-spaces.*localHalfspaces/);
    expect(() => gatingLinesFigure(relu)).toThrow(/lines2D: .*not half-spaces/);
    const dgn = createModel({ kind: 'dgn', inputDim: 2, widths: [4], outputDim: 1 }, { rng: 1 });
    expect(() => regionFigure(dgn)).toThrow(/not half-spaces/);
    const dln = createModel({ kind: 'dln', inputDim: 2, widths: [4], outputDim: 1 }, { rng: 1 });
    expect(() => regionFigure(dln)).toThrow(/not half-spaces/);
    const d3 = createModel({ kind: 'dlgn', inputDim: 3, widths: [4], outputDim: 1 }, { rng: 1 });
    expect(() => regionFigure(d3)).toThrow(/2-D inputs/);
    expect(() => regionFigure(trained, { data: { x: new Tensor(new Float64Array(6), [2, 3]) } })).toThrow(/data.x must be a tensor \[n, 2\]/);
  });
});

describe('gatingLinesFigure', () => {
  it('draws the same lines as the region figure, without fills, and works for DLGN-SF and DLGN-VT', () => {
    const s = gatingLinesFigure(trained, { data, title: 'after training' });
    checkXml(s);
    expect(withClass(s, 'cell').length).toBe(0);
    expect(withClass(s, 'gating-line').length).toBe(lines2D(trained).filter((l) => l.segment).length);
    expect(s).toContain('>after training</text>');
    expect(s).toContain('>layer 2</text>');
    for (const kind of ['dlgn', 'dlgn-vt'] as const) {
      const net = createModel({ kind, inputDim: 2, widths: [3, 3, 2], outputDim: 1, ...(kind === 'dlgn' ? { features: 'sf' as const } : {}) }, { rng: 4 });
      const t = gatingLinesFigure(net);
      checkXml(t);
      expect(t).toContain(kind === 'dlgn' ? 'DLGN-SF 2-[3,3,2]-1' : 'DLGN-VT 2-[3,3,2]-1');
      expect(t).toContain('>layer 3</text>');
    }
  });

  it('shares a box for init-vs-trained comparisons and counts lines that miss it', () => {
    const box = { xmin: 5, xmax: 6, ymin: 5, ymax: 6 };
    const s = gatingLinesFigure(trained, { box });
    checkXml(s);
    const inside = lines2D(trained, box).filter((l) => l.segment).length;
    expect(withClass(s, 'gating-line').length).toBe(inside);
    const missing = lines2D(trained, box).length - inside;
    if (missing > 0) expect(s).toMatch(/gating lines? miss/);
  });
});

describe('lineChart', () => {
  const series = [
    { name: 'train', x: [0, 1, 2, 3], y: [1, 0.5, 0.25, 0.2] },
    { name: 'validation <val>', x: [0, 1, 2, 3], y: [1.1, 0.7, NaN, 0.4] },
    { name: 'third', x: [0, 1, 2], y: [0.9, 0.8, 0.7] },
  ];

  it('draws one polyline per series with a legend, axes and labels', () => {
    const s = lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss', series });
    checkXml(s);
    expect(withClass(s, 'series').length).toBe(3);
    expect(count(s, /<polyline\b/g)).toBe(3);
    expect(s).toContain('>validation &lt;val&gt;</text>');
    expect(s).toContain('>epoch</text>');
    expect(s).toContain('>loss</text>');
    expect(s).toContain('>Loss</text>');
    // NaN skipped: 3 points in the second series
    const second = withClass(s, 'series')[1];
    expect((attr(second, 'points') as string).split(' ').length).toBe(3);
    // distinct colours and dashes
    const tags = withClass(s, 'series');
    expect(new Set(tags.map((t) => attr(t, 'stroke'))).size).toBe(3);
    expect(attr(tags[0], 'stroke-dasharray')).toBeUndefined();
    expect(attr(tags[1], 'stroke-dasharray')).toBeDefined();
  });

  it('a log axis leaves out values <= 0 and labels powers of ten', () => {
    const s = lineChart({ title: 'Loss', series: [{ name: 'a', x: [0, 1, 2, 3], y: [1, 0.01, 0, 0.001] }], logY: true });
    checkXml(s);
    expect((attr(withClass(s, 'series')[0], 'points') as string).split(' ').length).toBe(3);
    expect(s).toContain('>0.01</text>');
  });

  it('copes with empty and constant series and rejects mismatched lengths', () => {
    checkXml(lineChart({ title: 'empty', series: [] }));
    checkXml(lineChart({ title: 'flat', series: [{ name: 'c', x: [0, 1], y: [2, 2] }] }));
    expect(() => lineChart({ series: [{ name: 'bad', x: [0, 1], y: [1] }] })).toThrow(/series 0 \('bad'\) has 2 x values and 1 y values/);
  });
});

describe('heatmap', () => {
  it('draws n*n cells, a colour bar and labelled ticks', () => {
    const n = 24;
    const v = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) v[i * n + j] = Math.cos((i - j) / 4);
    const angles = Array.from({ length: n }, (_, i) => (2 * Math.PI * i) / n);
    const s = heatmap({ title: 'Overlap kernel', matrix: new Tensor(v, [n, n]), xLabel: 'θ', yLabel: 'θ', tickLabels: angles });
    checkXml(s);
    expect(withClass(s, 'cell').length).toBe(n * n);
    expect(withClass(s, 'colorbar').length).toBe(1);
    expect(s).toContain('>0</text>');
    expect(s).toContain('>θ</text>');
    // both signs: diverging by default, white-ish at 0 and symmetric
    expect(s).toMatch(/>-1<\/text>/);
  });

  it('rectangular matrices, sequential colours, non-finite entries in grey', () => {
    const v = Float64Array.from({ length: 12 }, (_, i) => (i === 5 ? NaN : i));
    const s = heatmap({ title: 'r x c', matrix: new Tensor(v, [3, 4]), colorMap: 'sequential' });
    checkXml(s);
    const cells = withClass(s, 'cell');
    expect(cells.length).toBe(12);
    expect(attr(cells[0], 'fill')).toBe('#440154');
    expect(attr(cells[5], 'fill')).toBe('#bdbdbd');
    expect(() => heatmap({ matrix: new Tensor(new Float64Array(3), [3]) })).toThrow(/matrix must be a non-empty tensor \[r, c\]/);
    expect(() => heatmap({ matrix: new Tensor(v, [3, 4]), tickLabels: ['a'] })).toThrow(/1 x tick labels for 4 columns/);
  });
});

describe('barChart', () => {
  it('draws groups * series bars with value labels and a legend', () => {
    const groups = ['disk', 'two rings', 'XOR'];
    const series = [
      { name: 'DLGN', values: [0.98, 0.96, 0.99] },
      { name: 'ReLU', values: [0.99, 0.97, 0.995] },
      { name: 'DLN', values: [0.52, 0.49, 0.51] },
      { name: 'DLGN-SF', values: [0.97, 0.95, NaN] },
    ];
    const s = barChart({ title: 'Accuracy', yLabel: 'test accuracy', groups, series, yDomain: [0, 1] });
    checkXml(s);
    expect(withClass(s, 'bar').length).toBe(groups.length * series.length - 1);
    expect(withClass(s, 'bar-label').length).toBe(groups.length * series.length - 1);
    expect(s).toContain('>n/a</text>');
    for (const g of groups) expect(s).toContain(`>${g}</text>`);
    for (const x of series) expect(s).toContain(`>${x.name}</text>`);
    expect(s).toContain('>0.995</text>');
    expect(new Set(withClass(s, 'bar').map((t) => attr(t, 'fill'))).size).toBe(4);
  });

  it('bars grow from zero, downward for negative values, and heights are proportional', () => {
    const s = barChart({ title: 'Δ', groups: ['a', 'b'], series: [{ name: 's', values: [2, -1] }] });
    checkXml(s);
    const [a, b] = withClass(s, 'bar');
    const ha = Number(attr(a, 'height'));
    const hb = Number(attr(b, 'height'));
    expect(ha / hb).toBeCloseTo(2, 2);
    expect(Number(attr(b, 'y'))).toBeCloseTo(Number(attr(a, 'y')) + ha, 1);
    expect(() => barChart({ groups: ['a'], series: [{ name: 's', values: [1, 2] }] })).toThrow(/2 values for 1 groups/);
  });
});

describe('scatterPlot', () => {
  it('draws every finite point, one colour and shape per group, with a legend', () => {
    const points = [
      ...Array.from({ length: 10 }, (_, i) => ({ x: 1, y: i / 10, group: 'layer 1' })),
      ...Array.from({ length: 7 }, (_, i) => ({ x: 2, y: i / 7, group: 'layer 2' })),
      { x: NaN, y: 1, group: 'layer 2' },
    ];
    const s = scatterPlot({ title: 'Distances', xLabel: 'layer', yLabel: 'distance', points });
    checkXml(s);
    const pts = withClass(s, 'point');
    expect(pts.length).toBe(17);
    expect(pts.filter((t) => t.startsWith('<circle')).length).toBe(10);
    expect(s).toContain('>layer 1</text>');
    expect(s).toContain('>layer 2</text>');
    expect(new Set(pts.map((t) => attr(t, 'fill'))).size).toBe(2);
  });

  it('points without groups get no legend', () => {
    const s = scatterPlot({ title: 'plain', points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] });
    checkXml(s);
    expect(withClass(s, 'legend').length).toBe(0);
    expect(withClass(s, 'point').length).toBe(2);
  });
});
