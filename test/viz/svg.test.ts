// SVG primitives: escaping, number formatting, nice ticks, colour maps, legends, the figure frame, and the XML checker itself.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BandScale,
  CATEGORICAL,
  DIVERGING_STOPS,
  Figure,
  LinearScale,
  LogScale,
  OKABE_ITO,
  VIRIDIS_STOPS,
  arrowMarker,
  attrs,
  axisBottom,
  axisLeft,
  colorbar,
  diverging,
  el,
  escapeXml,
  formatNumber,
  legend,
  legendSize,
  marker,
  MARKER_SHAPES,
  niceTicks,
  num,
  parseHex,
  polygon,
  text,
  textWidth,
  thinTicks,
  viridis,
  wrapText,
} from '../../src/viz/index.js';
import { checkXml } from './xml.js';

const HEX = /^#[0-9a-fA-F]{6}$/;

describe('the XML checker', () => {
  it('accepts a well-formed document and counts elements', () => {
    const r = checkXml('<svg a="1"><g><rect x="0"/><text>a &amp; b</text></g></svg>');
    expect(r.root).toBe('svg');
    expect(r.counts.get('rect')).toBe(1);
  });

  it.each([
    ['<svg><g></svg>', /closes/],
    ['<svg><rect x=1/></svg>', /attribute syntax/],
    ["<svg><rect x='1'/></svg>", /attribute syntax/],
    ['<svg><text>a < b</text></svg>', /unterminated|bad tag|bare/],
    ['<svg><text>a & b</text></svg>', /bare '&'/],
    ['<svg><rect x="NaN"/></svg>', /NaN/],
    ['<svg><text>undefined</text></svg>', /undefined/],
    ['<svg><rect x="1" x="2"/></svg>', /duplicate/],
    ['<svg></svg><svg></svg>', /second root/],
    ['<svg>', /unclosed/],
  ])('rejects %s', (s, re) => {
    expect(() => checkXml(s)).toThrow(re);
  });
});

describe('escaping and numbers', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;');
    const t = text(1, 2, `x < 1 & y > "2" 'z'`);
    expect(t).toBe('<text x="1" y="2">x &lt; 1 &amp; y &gt; &quot;2&quot; &#39;z&#39;</text>');
    expect(() => checkXml(`<svg>${t}</svg>`)).not.toThrow();
  });

  it('escapes attribute values and drops empty ones', () => {
    expect(attrs({ a: 'x"<y', b: undefined, c: false, d: null, e: 1.23456 })).toBe(' a="x&quot;&lt;y" e="1.235"');
  });

  it('formats numbers to 4 significant digits without float noise or exponents', () => {
    expect(formatNumber(0.1 + 0.2)).toBe('0.3');
    expect(formatNumber(1 / 3)).toBe('0.3333');
    expect(formatNumber(2 / 3, 2)).toBe('0.67');
    expect(formatNumber(1234567)).toBe('1235000');
    expect(formatNumber(-0.000123456, 3)).toBe('-0.000123');
    expect(formatNumber(-0)).toBe('0');
    expect(formatNumber(1e-9)).toBe('1e-9');
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(Infinity)).toBe('∞');
    expect(formatNumber(100)).toBe('100');
  });

  it('writes coordinates with at most 3 decimals and refuses non-finite ones', () => {
    expect(num(1.23456)).toBe('1.235');
    expect(num(-0.0001)).toBe('0');
    expect(() => num(NaN)).toThrow(/finite/);
    expect(() => el('rect', { x: Infinity })).toThrow(/attribute x/);
  });

  it('estimates text width monotonically and wraps at spaces', () => {
    expect(textWidth('iiii')).toBeLessThan(textWidth('MMMM'));
    expect(textWidth('abc', 24)).toBeCloseTo(2 * textWidth('abc', 12));
    expect(textWidth('abc', 12, true)).toBeGreaterThan(textWidth('abc', 12));
    const lines = wrapText('the quick brown fox jumps over the lazy dog', 80, 12);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.join(' ')).toBe('the quick brown fox jumps over the lazy dog');
    for (const l of lines) if (l.includes(' ')) expect(textWidth(l, 12)).toBeLessThanOrEqual(80);
  });
});

describe('scales', () => {
  it('gives d3-style nice ticks inside the domain', () => {
    expect(niceTicks(0, 0.97, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 10, 10)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(niceTicks(0.1, 0.3, 2)).toEqual([0.1, 0.2, 0.3]);
    expect(niceTicks(1, 0, 2)).toEqual([1, 0.5, 0]);
    expect(niceTicks(3, 3, 5)).toEqual([3]);
  });

  it('ticks are round, monotone and free of float noise over many domains', () => {
    for (const [a, b] of [[0, 0.97], [-3.7, 12.2], [1e-4, 3e-4], [0.001, 1000], [-0.5, -0.1], [17, 1234]] as const) {
      for (const count of [2, 5, 10]) {
        const t = niceTicks(a, b, count);
        expect(t.length).toBeGreaterThanOrEqual(1);
        for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
        for (const v of t) {
          expect(v).toBeGreaterThanOrEqual(a);
          expect(v).toBeLessThanOrEqual(b);
          expect(String(v).length).toBeLessThan(12); // no 0.30000000000000004
        }
        const step = t.length > 1 ? t[1] - t[0] : 1;
        const mant = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 5, 10].some((m) => Math.abs(mant - m) < 1e-9)).toBe(true);
      }
    }
  });

  it('nice() widens the domain to ticks; map and invert are inverse', () => {
    const s = new LinearScale([0, 0.97], [40, 440]).nice(5);
    expect(s.domain).toEqual([0, 1]);
    expect(s.ticks(5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(s.map(0.5)).toBe(240);
    expect(s.invert(240)).toBeCloseTo(0.5);
    const r = new LinearScale([-3.2, 7.9], [300, 0]).nice(5);
    expect(r.domain[0]).toBeLessThanOrEqual(-3.2);
    expect(r.domain[1]).toBeGreaterThanOrEqual(7.9);
    expect(r.ticks(5)[0]).toBe(r.domain[0]);
  });

  it('widens a constant domain instead of dividing by zero', () => {
    const s = new LinearScale([2, 2], [0, 100]);
    expect(s.map(2)).toBeCloseTo(50, 9);
    expect(Number.isFinite(s.map(3))).toBe(true);
  });

  it('log scale ticks are powers of ten (with 2 and 5 for short ranges)', () => {
    const wide = new LogScale([1e-4, 1], [100, 0]);
    expect(wide.ticks(5)).toEqual([1e-4, 1e-3, 0.01, 0.1, 1]);
    expect(wide.map(0.01)).toBeCloseTo(50);
    const short = new LogScale([0.01, 1], [100, 0]).ticks(6);
    expect(short).toEqual([0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1]);
    expect(new LogScale([0.013, 0.7], [100, 0]).nice().domain).toEqual([0.01, 1]);
    expect(() => new LogScale([0, 1], [0, 1])).toThrow(/> 0/);
  });

  it('band scale splits the range into equal padded bands', () => {
    const b = new BandScale(['a', 'b', 'c'], [0, 300], 0.2);
    expect(b.at(0)).toBeGreaterThan(0);
    expect(b.at(2) + b.bandwidth).toBeLessThan(300);
    expect(b.at(1) - b.at(0)).toBeCloseTo(b.step);
  });

  it('thins colliding tick labels', () => {
    const ticks = Array.from({ length: 21 }, (_, i) => ({ value: i, label: `label ${i}` }));
    const t = thinTicks(ticks, (v) => v * 10, (s) => textWidth(s, 11));
    expect(t.length).toBeLessThan(21);
    for (let i = 1; i < t.length; i++) expect((t[i].value - t[i - 1].value) * 10).toBeGreaterThan(textWidth('label 10', 11));
  });
});

describe('colours', () => {
  it('Okabe-Ito has the eight published colours, all valid hex', () => {
    expect(Object.values(OKABE_ITO).map((c) => c.toUpperCase()).sort()).toEqual(
      ['#000000', '#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7'].sort(),
    );
    expect(new Set(CATEGORICAL).size).toBe(8);
    for (const c of CATEGORICAL) expect(c).toMatch(HEX);
  });

  it('viridis and the diverging map give valid hex, hit their anchors and clamp', () => {
    for (let k = 0; k <= 100; k++) {
      expect(viridis(k / 100)).toMatch(HEX);
      expect(diverging(k / 100)).toMatch(HEX);
    }
    expect(viridis(0)).toBe(VIRIDIS_STOPS[0]);
    expect(viridis(1)).toBe(VIRIDIS_STOPS[VIRIDIS_STOPS.length - 1]);
    expect(viridis(0.5)).toBe(VIRIDIS_STOPS[5]);
    expect(viridis(-1)).toBe(viridis(0));
    expect(viridis(2)).toBe(viridis(1));
    expect(diverging(0.5)).toBe(DIVERGING_STOPS[5]);
    expect(viridis(NaN)).toMatch(HEX);
  });

  it('viridis gets lighter monotonically; the diverging map is lightest in the middle', () => {
    const lum = (c: string): number => {
      const [r, g, b] = parseHex(c);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    for (let k = 1; k <= 50; k++) expect(lum(viridis(k / 50))).toBeGreaterThan(lum(viridis((k - 1) / 50)));
    for (let k = 1; k <= 25; k++) {
      expect(lum(diverging(k / 50))).toBeGreaterThan(lum(diverging((k - 1) / 50)));
      expect(lum(diverging(1 - k / 50))).toBeGreaterThan(lum(diverging(1 - (k - 1) / 50)));
    }
  });
});

describe('pieces', () => {
  it('markers of every shape are well-formed', () => {
    const body = MARKER_SHAPES.map((s) => marker(s, 10, 10, 4, { fill: '#000000' })).join('');
    expect(() => checkXml(`<svg>${body}</svg>`)).not.toThrow();
  });

  it('polygon takes content (a tooltip) inside', () => {
    expect(polygon([[0, 0], [1, 0], [0, 1]], { fill: 'red' }, '<title>t</title>')).toBe('<polygon points="0,0 1,0 0,1" fill="red"><title>t</title></polygon>');
  });

  it('axes draw ticks and labels at the scale positions', () => {
    const x = new LinearScale([0, 1], [50, 450]);
    const svg = axisBottom(x, 300, { ticks: 5 });
    expect(svg.match(/<text/g)?.length).toBe(6);
    expect(svg).toContain('>0.4</text>');
    expect(svg).toContain('x1="210"');
    const y = axisLeft(new LinearScale([0, 100], [300, 20]), 50, { ticks: [0, 50, 100], grid: 400 });
    expect(y).toContain('>50</text>');
    expect(() => checkXml(`<svg>${svg}${y}</svg>`)).not.toThrow();
  });

  it('legends size themselves and draw one swatch per item', () => {
    const items = [
      { kind: 'header', label: 'lines' },
      { kind: 'line', label: 'layer 1', color: '#000000' },
      { kind: 'point', label: 'class 0', color: '#0072B2', shape: 'circle' },
      { kind: 'fill', label: 'region', color: '#cccccc' },
      { kind: 'arrow', label: 'ON side', color: '#333333' },
    ] as const;
    const size = legendSize([...items]);
    expect(size.width).toBeGreaterThan(textWidth('layer 1', 12));
    expect(size.height).toBeGreaterThan(5 * 12);
    const svg = legend([...items], 0, 0, { arrowMarkerId: 'a' });
    for (const it of items) expect(svg).toContain(`>${it.label}</text>`);
    expect(() => checkXml(`<svg>${svg}</svg>`)).not.toThrow();
  });

  it('colour bars draw strips from low (bottom) to high (top) with tick labels', () => {
    const svg = colorbar(0, 0, { domain: [-2, 2], colorMap: diverging, height: 100, label: 'value' });
    expect(() => checkXml(`<svg>${svg}</svg>`)).not.toThrow();
    expect(svg).toContain('>value</text>');
    expect(svg).toContain('>0</text>');
    const fills = [...svg.matchAll(/<rect[^>]*fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(fills[0]).toBe(diverging(0.5 / 96));
  });

  it('arrow markers are definitions with the given colour', () => {
    const m = arrowMarker('hs-a', '#123456');
    expect(m).toMatch(/^<marker id="hs-a"/);
    expect(m).toContain('fill="#123456"');
  });
});

describe('Figure', () => {
  it('produces a complete SVG document with a white background, title and axis labels', () => {
    const fig = new Figure({ width: 400, height: 300, title: 'A <title> & more', xLabel: 'x', yLabel: 'y' });
    fig.arrowMarker('#000000');
    fig.arrowMarker('#000000'); // defined once
    const svg = fig.toString();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300" viewBox="0 0 400 300"')).toBe(true);
    expect(svg).toContain('font-family="DejaVu Sans, Helvetica, Arial, sans-serif"');
    expect(svg).toContain('<rect x="0" y="0" width="400" height="300" fill="#ffffff"/>');
    expect(svg).toContain('A &lt;title&gt; &amp; more');
    expect(svg.match(/<marker /g)?.length).toBe(1);
    const r = checkXml(svg);
    expect(r.root).toBe('svg');
    const p = fig.plot;
    expect(p.x).toBeGreaterThan(20);
    expect(p.y).toBeGreaterThan(20);
    expect(p.x + p.width).toBeLessThan(400);
    expect(p.y + p.height).toBeLessThan(300);
  });

  it('wraps a long title and moves the plot down to make room', () => {
    const short = new Figure({ width: 300, height: 300, title: 'Short' });
    const long = new Figure({ width: 300, height: 300, title: 'A very long title that cannot possibly fit on one line of a small figure' });
    expect(long.plot.y).toBeGreaterThan(short.plot.y);
    expect(long.toString().match(/<tspan/g)?.length).toBeGreaterThan(1);
  });

  it('rejects a non-finite size', () => {
    expect(() => new Figure({ width: NaN, height: 100 })).toThrow(/width and height/);
  });
});

describe('src/viz stays browser-safe', () => {
  it('imports no node: modules and only tensor, models, paths and viz', () => {
    const dir = join(import.meta.dirname, '../../src/viz');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = readFileSync(join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
      const specs = [...src.matchAll(/^\s*(?:import|export)\b[^'";]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
      for (const s of specs) {
        expect(s, `${f} imports ${s}`).toMatch(/^\.\.?\/(?:(?:tensor|models|paths)\/[\w.-]+|[\w.-]+)\.js$/);
      }
    }
  });
});
