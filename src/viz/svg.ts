// SVG as text: escaping, number formatting, shapes, scales with nice ticks, axes, legends, colour maps and a figure frame.

// Everything here returns strings, so it runs unchanged in a browser, in Node and in a worker.
// Pixel coordinates are written with at most 3 decimals; a non-finite coordinate throws
// instead of writing `NaN` into the document (a renderer would silently drop the element).
// Text widths are estimated from a small per-character table for a sans-serif face at the given
// size: enough to size margins and legends and to keep labels from colliding, not typesetting.

// ---- text and numbers ------------------------------------------------------------------------

/** Escapes the five XML special characters `& < > " '` (for text content and attribute values). */
export function escapeXml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A number for people: rounded to `digits` significant digits (default 4), trailing zeros
 * trimmed, no float noise (`0.1 + 0.2` gives `'0.3'`) and no exponent between 1e-6 and 1e21.
 * `-0` gives `'0'`; non-finite values give `'NaN'`, `'∞'` and `'−∞'`.
 *
 * @example
 * ```ts
 * formatNumber(0.30000000000000004); // '0.3'
 * formatNumber(1234567);             // '1235000'
 * formatNumber(-0.000123456, 3);     // '-0.000123'
 * ```
 */
export function formatNumber(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const r = Number(x.toPrecision(Math.min(21, Math.max(1, Math.round(digits)))));
  if (r === 0) return '0';
  const a = Math.abs(r);
  if (a >= 1e-6 && a < 1e21) return String(r);
  return r.toExponential().replace('e+', 'e');
}

/** A pixel coordinate or other attribute number: at most 3 decimals, `-0` as `0`; throws on non-finite. */
export function num(x: number, what = 'value'): string {
  if (!Number.isFinite(x)) throw new Error(`svg: ${what} must be a finite number, got ${x}`);
  const r = Math.round(x * 1000) / 1000;
  return String(r === 0 ? 0 : r);
}

// Advance widths (ems) of DejaVu Sans, the sans-serif most Linux renderers fall back to and wider
// than Helvetica or Arial, so estimates err on the roomy side elsewhere. ASCII 32..126 in order.
const ADVANCE = [
  0.318, 0.401, 0.46, 0.838, 0.636, 0.95, 0.78, 0.275, 0.39, 0.39, 0.5, 0.838, 0.318, 0.361, 0.318, 0.337,
  0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.636, 0.337, 0.337, 0.838, 0.838, 0.838, 0.531,
  1.0, 0.684, 0.686, 0.698, 0.77, 0.632, 0.575, 0.775, 0.752, 0.295, 0.295, 0.656, 0.557, 0.863, 0.748, 0.787,
  0.603, 0.787, 0.695, 0.635, 0.611, 0.732, 0.684, 0.989, 0.685, 0.611, 0.685, 0.39, 0.337, 0.39, 0.838, 0.5,
  0.5, 0.613, 0.635, 0.55, 0.635, 0.615, 0.352, 0.635, 0.634, 0.278, 0.278, 0.579, 0.278, 0.974, 0.634, 0.612,
  0.635, 0.635, 0.411, 0.521, 0.392, 0.634, 0.592, 0.818, 0.592, 0.592, 0.525, 0.636, 0.337, 0.636, 0.838,
];

/** Estimated width in pixels of `s` set in a sans-serif font of `fontSize` px (bold about 10% wider). */
export function textWidth(s: string, fontSize = 12, bold = false): number {
  let w = 0;
  for (const ch of String(s)) {
    const c = ch.codePointAt(0) as number;
    w += c >= 32 && c <= 126 ? ADVANCE[c - 32] : c >= 0x2080 && c <= 0x2089 ? 0.4 : 0.65;
  }
  return w * fontSize * (bold ? 1.1 : 1);
}

/** Splits text into lines no wider than `maxWidth` (estimated), breaking at spaces; a long word stays whole. */
export function wrapText(s: string, maxWidth: number, fontSize = 12, bold = false): string[] {
  const out: string[] = [];
  for (const para of String(s).split('\n')) {
    const words = para.split(/\s+/).filter((w) => w.length > 0);
    let line = '';
    for (const w of words) {
      const next = line ? `${line} ${w}` : w;
      if (line && textWidth(next, fontSize, bold) > maxWidth) {
        out.push(line);
        line = w;
      } else line = next;
    }
    out.push(line);
  }
  return out;
}

// ---- elements ----------------------------------------------------------------------------------

/** Attribute values; `undefined`, `null` and `false` drop the attribute, numbers go through `num`. */
export type AttrValue = string | number | boolean | null | undefined;
export type Attrs = Record<string, AttrValue>;

/** ` a="1" b="x"` with values escaped; keys are written as given (`'stroke-width'`). */
export function attrs(a: Attrs = {}): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    const text = typeof v === 'number' ? num(v, `attribute ${k}`) : v === true ? k : v;
    s += ` ${k}="${escapeXml(text)}"`;
  }
  return s;
}

/** One element: `<tag .../>` without content, `<tag ...>content</tag>` with (content is markup, not escaped). */
export function el(tag: string, a: Attrs = {}, content?: string | readonly string[]): string {
  if (content === undefined) return `<${tag}${attrs(a)}/>`;
  const body = typeof content === 'string' ? content : content.join('');
  return `<${tag}${attrs(a)}>${body}</${tag}>`;
}

export function rect(x: number, y: number, width: number, height: number, a: Attrs = {}): string {
  return el('rect', { x, y, width: Math.max(0, width), height: Math.max(0, height), ...a });
}

export function line(x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): string {
  return el('line', { x1, y1, x2, y2, ...a });
}

export function circle(cx: number, cy: number, r: number, a: Attrs = {}): string {
  return el('circle', { cx, cy, r, ...a });
}

/** `"x1,y1 x2,y2 ..."` for `points` attributes. */
export function pointList(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y]) => `${num(x, 'x')},${num(y, 'y')}`).join(' ');
}

export function polyline(points: readonly (readonly [number, number])[], a: Attrs = {}): string {
  return el('polyline', { points: pointList(points), fill: 'none', ...a });
}

/** A closed polygon; `content` (markup, e.g. a `tooltip`) goes inside the element. */
export function polygon(points: readonly (readonly [number, number])[], a: Attrs = {}, content?: string): string {
  return el('polygon', { points: pointList(points), ...a }, content);
}

export function path(d: string, a: Attrs = {}): string {
  return el('path', { d, ...a });
}

/** Text, escaped; several lines (an array) become `<tspan>`s `lineHeight` apart. */
export function text(x: number, y: number, content: string | readonly string[], a: Attrs = {}, lineHeight = 1.2): string {
  if (typeof content === 'string') return el('text', { x, y, ...a }, escapeXml(content));
  if (content.length === 1) return el('text', { x, y, ...a }, escapeXml(content[0]));
  const size = typeof a['font-size'] === 'number' ? a['font-size'] : 12;
  const spans = content.map((s, i) => el('tspan', { x, dy: i === 0 ? undefined : size * lineHeight }, escapeXml(s)));
  return el('text', { x, y, ...a }, spans);
}

/** `<g>` around parts (markup). */
export function group(parts: readonly string[] | string, a: Attrs = {}): string {
  return el('g', a, parts);
}

/** A `<title>` child: the tooltip browsers show on hover. */
export function tooltip(s: string): string {
  return el('title', {}, escapeXml(s));
}

/** Marker shapes of scatter plots and legends; all enclose about the same area for one size. */
export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'triangle-down' | 'cross';
export const MARKER_SHAPES: readonly MarkerShape[] = ['circle', 'triangle', 'square', 'diamond', 'triangle-down', 'cross'];

/** A point marker of radius-like size `r` centred at (cx, cy). */
export function marker(shape: MarkerShape, cx: number, cy: number, r: number, a: Attrs = {}): string {
  switch (shape) {
    case 'circle':
      return circle(cx, cy, r, a);
    case 'square': {
      const h = r * 0.886; // same area as the circle
      return rect(cx - h, cy - h, 2 * h, 2 * h, a);
    }
    case 'diamond': {
      const h = r * 1.25;
      return polygon([[cx, cy - h], [cx + h, cy], [cx, cy + h], [cx - h, cy]], a);
    }
    case 'triangle':
    case 'triangle-down': {
      const h = r * 1.35;
      const s = shape === 'triangle' ? 1 : -1;
      return polygon([[cx, cy - s * h], [cx + h * 0.866, cy + s * h * 0.5], [cx - h * 0.866, cy + s * h * 0.5]], a);
    }
    case 'cross': {
      const h = r * 1.1;
      const t = h * 0.36;
      const p: [number, number][] = [
        [-t, -h], [t, -h], [t, -t], [h, -t], [h, t], [t, t], [t, h], [-t, h], [-t, t], [-h, t], [-h, -t], [-t, -t],
      ];
      return polygon(p.map(([x, y]) => [cx + x, cy + y] as [number, number]), a);
    }
  }
}

/**
 * A `<marker>` definition of a filled arrow head, for `<defs>`; lines point at it with
 * `marker-end="url(#id)"` (see `arrow`). The head scales with the line's stroke width.
 */
export function arrowMarker(id: string, color: string, size = 4): string {
  return el(
    'marker',
    { id, viewBox: '0 0 10 10', refX: 7, refY: 5, markerWidth: size, markerHeight: size, orient: 'auto-start-reverse', markerUnits: 'strokeWidth' },
    path('M0,0 L10,5 L0,10 L2.5,5 z', { fill: color }),
  );
}

/** A line from (x1, y1) to (x2, y2) ending in the arrow head `markerId` (defined by `arrowMarker`). */
export function arrow(x1: number, y1: number, x2: number, y2: number, markerId: string, a: Attrs = {}): string {
  return line(x1, y1, x2, y2, { 'marker-end': `url(#${markerId})`, ...a });
}

/** A safe id fragment from any string (letters, digits, '-' and '_'). */
export function idSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '');
}

// ---- colours -----------------------------------------------------------------------------------

/**
 * Okabe & Ito (2008), "Color Universal Design": eight colours that stay distinguishable under
 * the common colour-vision deficiencies.
 */
export const OKABE_ITO = {
  black: '#000000',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  bluishGreen: '#009E73',
  yellow: '#F0E442',
  blue: '#0072B2',
  vermillion: '#D55E00',
  reddishPurple: '#CC79A7',
} as const;

/**
 * The Okabe-Ito colours in the order categories take them on a white background: the strong
 * colours first, yellow (weak on white) and black (reserved for frames and text) last.
 */
export const CATEGORICAL: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.vermillion,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.orange,
  OKABE_ITO.skyBlue,
  OKABE_ITO.black,
  OKABE_ITO.yellow,
];

/** The colour of category i, cycling `CATEGORICAL`. */
export function categoryColor(i: number): string {
  const n = CATEGORICAL.length;
  return CATEGORICAL[((Math.floor(i) % n) + n) % n];
}

/** Dash patterns that go with the category colours, so series stay apart in greyscale too. */
export const DASHES: readonly (string | undefined)[] = [undefined, '6 3', '2 2', '8 3 2 3', '4 4', '1 3', '10 4', '6 2 2 2 2 2'];

export type RGB = [number, number, number];

/** '#RRGGBB' (or '#RGB') to [r, g, b] in 0..255. */
export function parseHex(c: string): RGB {
  let h = c.trim().replace(/^#/, '');
  if (h.length === 3) h = [...h].map((x) => x + x).join('');
  if (!/^[0-9a-fA-F]{6}$/.test(h)) throw new Error(`parseHex: not a hex colour: ${JSON.stringify(c)}`);
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** [r, g, b] (clamped, rounded) to '#rrggbb'. */
export function toHex([r, g, b]: readonly number[]): string {
  const h = (v: number): string => Math.round(Math.min(255, Math.max(0, Number.isFinite(v) ? v : 0))).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

/** The colour a fraction t of the way from a to b (in sRGB). */
export function mix(a: string, b: string, t: number): string {
  const p = parseHex(a);
  const q = parseHex(b);
  return toHex(p.map((v, i) => v + (q[i] - v) * t));
}

/** A colour lightened toward white by t in [0, 1]. */
export function lighten(c: string, t: number): string {
  return mix(c, '#ffffff', t);
}

/** A colour map: t in [0, 1] (clamped; NaN gives grey) to a hex colour. */
export type ColorMap = (t: number) => string;

/** A colour map interpolating equally spaced hex anchors. */
export function interpolateStops(stops: readonly string[]): ColorMap {
  if (stops.length < 2) throw new Error('interpolateStops: needs at least two colours');
  const rgb = stops.map(parseHex);
  return (t: number): string => {
    if (Number.isNaN(t)) return NAN_COLOR;
    const u = Math.min(1, Math.max(0, t)) * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(u));
    const f = u - i;
    return toHex(rgb[i].map((v, k) => v + (rgb[i + 1][k] - v) * f));
  };
}

/** The colour of missing / non-finite values in colour-mapped plots. */
export const NAN_COLOR = '#bdbdbd';

/** matplotlib's viridis at t = 0, 0.1, ..., 1 (perceptually uniform, colour-blind safe, greyscale-monotone). */
export const VIRIDIS_STOPS: readonly string[] = [
  '#440154', '#482475', '#414487', '#355f8d', '#2a788e', '#21918c', '#22a884', '#44bf70', '#7ad151', '#bddf26', '#fde725',
];

/** Sequential map: viridis, dark purple (low) to yellow (high). */
export const viridis: ColorMap = interpolateStops(VIRIDIS_STOPS);

/**
 * A blue-white-orange diverging map (ColorBrewer RdBu's blue arm, PuOr's orange arm): blue and
 * orange lie on the axis that deuteranopes and protanopes still see, both arms have matching
 * lightness steps, and the middle (t = 0.5) is near-white.
 */
export const DIVERGING_STOPS: readonly string[] = [
  '#053061', '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806', '#7f3b08',
];

/** Diverging map: dark blue (t = 0) to white (0.5) to dark orange (1). */
export const diverging: ColorMap = interpolateStops(DIVERGING_STOPS);

// ---- scales ------------------------------------------------------------------------------------

/** What axes and colour bars need from a scale. */
export interface Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  map(v: number): number;
  ticks(count?: number): number[];
  /** A formatter for the tick values of `ticks(count)`. */
  tickFormat(count?: number): (v: number) => string;
}

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** d3-array's tick specification: integers i1..i2 and an increment (negative: divide by -inc). */
function tickSpec(start: number, stop: number, count: number): [number, number, number] {
  const step = (stop - start) / Math.max(0, count);
  const power = Math.floor(Math.log10(step));
  const error = step / 10 ** power;
  const factor = error >= E10 ? 10 : error >= E5 ? 5 : error >= E2 ? 2 : 1;
  let i1: number;
  let i2: number;
  let inc: number;
  if (power < 0) {
    inc = 10 ** -power / factor;
    i1 = Math.round(start * inc);
    i2 = Math.round(stop * inc);
    if (i1 / inc < start) ++i1;
    if (i2 / inc > stop) --i2;
    inc = -inc;
  } else {
    inc = 10 ** power * factor;
    i1 = Math.round(start / inc);
    i2 = Math.round(stop / inc);
    if (i1 * inc < start) ++i1;
    if (i2 * inc > stop) --i2;
  }
  if (i2 < i1 && 0.5 <= count && count < 2) return tickSpec(start, stop, count * 2);
  return [i1, i2, inc];
}

/** The step between nice ticks (as d3's `tickIncrement`: negative k means 1/k). */
function tickIncrement(start: number, stop: number, count: number): number {
  return tickSpec(start, stop, count)[2];
}

/**
 * About `count` round numbers (multiples of 1, 2 or 5 times a power of ten) inside [a, b],
 * ascending, computed as integers times the step so they carry no float noise; d3's `ticks`.
 *
 * @example
 * ```ts
 * niceTicks(0, 0.97, 5); // [0, 0.2, 0.4, 0.6, 0.8]
 * niceTicks(-1, 1, 4);   // [-1, -0.5, 0, 0.5, 1]
 * ```
 */
export function niceTicks(a: number, b: number, count = 10): number[] {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !(count > 0)) return [];
  if (a === b) return [a];
  const reverse = b < a;
  const [lo, hi] = reverse ? [b, a] : [a, b];
  const [i1, i2, inc] = tickSpec(lo, hi, count);
  if (!(i2 >= i1)) return [];
  const n = i2 - i1 + 1;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = inc < 0 ? (i1 + i) / -inc : (i1 + i) * inc;
  return reverse ? out.reverse() : out;
}

/** Digits enough to tell ticks `step` apart at magnitude `max`. */
function digitsFor(step: number, max: number): number {
  if (!(step > 0) || !(max > 0)) return 4;
  return Math.max(1, Math.min(15, Math.floor(Math.log10(max)) - Math.floor(Math.log10(step)) + 1));
}

/**
 * domain -> range, linearly. `ticks(count)` are d3-style nice ticks inside the domain; `nice()`
 * widens the domain to tick multiples so the ends carry ticks too.
 *
 * @example
 * ```ts
 * const x = new LinearScale([0, 0.97], [40, 440]).nice(5);
 * x.domain;    // [0, 1]
 * x.ticks(5);  // [0, 0.2, 0.4, 0.6, 0.8, 1]
 * x.map(0.5);  // 240
 * ```
 */
export class LinearScale implements Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];

  constructor(domain: readonly [number, number], range: readonly [number, number]) {
    let [d0, d1] = domain;
    if (!Number.isFinite(d0) || !Number.isFinite(d1)) throw new Error(`LinearScale: domain must be finite, got [${d0}, ${d1}]`);
    if (!range.every(Number.isFinite)) throw new Error(`LinearScale: range must be finite, got [${range.join(', ')}]`);
    if (d0 === d1) {
      // a constant: give it a unit-wide window around the value so it is drawn mid-axis
      const h = d0 === 0 ? 1 : Math.abs(d0) * 0.1;
      d0 -= h;
      d1 += h;
    }
    this.domain = [d0, d1];
    this.range = [range[0], range[1]];
  }

  map(v: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.range;
    return r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
  }

  invert(p: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.range;
    return d0 + ((p - r0) / (r1 - r0)) * (d1 - d0);
  }

  ticks(count = 10): number[] {
    return niceTicks(this.domain[0], this.domain[1], count);
  }

  tickFormat(count = 10): (v: number) => string {
    const t = this.ticks(count);
    const step = t.length > 1 ? Math.abs(t[1] - t[0]) : Math.abs(this.domain[1] - this.domain[0]);
    const max = Math.max(...t.map(Math.abs), Math.abs(this.domain[0]), Math.abs(this.domain[1]));
    const digits = digitsFor(step, max);
    return (v) => formatNumber(v, digits);
  }

  /** A copy whose domain is widened to multiples of the tick step (d3's `nice`). */
  nice(count = 10): LinearScale {
    let [start, stop] = this.domain;
    const reverse = stop < start;
    if (reverse) [start, stop] = [stop, start];
    let prestep: number | undefined;
    for (let k = 0; k < 10; k++) {
      const step = tickIncrement(start, stop, count);
      if (step === prestep || !Number.isFinite(step) || step === 0) break;
      if (step > 0) {
        start = Math.floor(start / step) * step;
        stop = Math.ceil(stop / step) * step;
      } else {
        start = Math.ceil(start * step) / step;
        stop = Math.floor(stop * step) / step;
      }
      prestep = step;
    }
    return new LinearScale(reverse ? [stop, start] : [start, stop], this.range);
  }

  withRange(range: readonly [number, number]): LinearScale {
    return new LinearScale(this.domain, range);
  }
}

/**
 * log10(domain) -> range. Ticks are powers of ten, with 2x and 5x (or every integer multiple)
 * added when the domain spans too few decades to show several.
 */
export class LogScale implements Scale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];

  constructor(domain: readonly [number, number], range: readonly [number, number]) {
    const [d0, d1] = domain;
    if (!(d0 > 0) || !(d1 > 0) || !Number.isFinite(d0) || !Number.isFinite(d1)) {
      throw new Error(`LogScale: domain must be finite and > 0, got [${d0}, ${d1}]`);
    }
    this.domain = d0 === d1 ? [d0 / 2, d1 * 2] : [d0, d1];
    this.range = [range[0], range[1]];
  }

  map(v: number): number {
    const [d0, d1] = this.domain;
    const [r0, r1] = this.range;
    return r0 + ((Math.log10(v) - Math.log10(d0)) / (Math.log10(d1) - Math.log10(d0))) * (r1 - r0);
  }

  ticks(count = 10): number[] {
    const lo = Math.min(...this.domain);
    const hi = Math.max(...this.domain);
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.ceil(Math.log10(hi));
    const inside = (v: number): boolean => v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12);
    // the densest of 1-2-3..9, 1-2-5 and powers of ten that gives at most count + 3 ticks
    const mantissas = [[1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 5], [1]];
    let best: number[] = [];
    for (const ms of mantissas) {
      const t: number[] = [];
      const every = Math.max(1, Math.ceil((e1 - e0) / Math.max(1, count)));
      for (let e = e0; e <= e1; e++) {
        if (ms.length === 1 && (e - e0) % every !== 0) continue;
        for (const m of ms) {
          const v = Number((m * 10 ** e).toPrecision(12));
          if (inside(v)) t.push(v);
        }
      }
      best = t;
      if (t.length <= count + 3 && t.length >= 2) break;
    }
    if (best.length < 2) best = niceTicks(lo, hi, count).filter((v) => v > 0);
    return best;
  }

  tickFormat(): (v: number) => string {
    return (v) => formatNumber(v, 3);
  }

  /** A copy widened to whole decades when the domain spans at least one, else to the 1-2-5 grid. */
  nice(): LogScale {
    const lo = Math.min(...this.domain);
    const hi = Math.max(...this.domain);
    const e0 = Math.floor(Math.log10(lo));
    const e1 = Math.ceil(Math.log10(hi));
    if (e1 - e0 >= 2) return new LogScale([10 ** e0, 10 ** e1], this.range);
    const grid: number[] = [];
    for (let e = e0 - 1; e <= e1; e++) for (const m of [1, 2, 5]) grid.push(Number((m * 10 ** e).toPrecision(12)));
    const a = Math.max(...grid.filter((g) => g <= lo * (1 + 1e-12)));
    const b = Math.min(...grid.filter((g) => g >= hi * (1 - 1e-12)));
    return new LogScale([a, b], this.range);
  }
}

/**
 * Categories -> equal bands of the range, with inner/outer padding as a fraction of the step
 * (d3's `scaleBand`).
 */
export class BandScale {
  readonly domain: readonly string[];
  readonly range: readonly [number, number];
  readonly step: number;
  readonly bandwidth: number;
  private readonly start: number;

  constructor(domain: readonly string[], range: readonly [number, number], padding = 0.2) {
    this.domain = domain.slice();
    this.range = [range[0], range[1]];
    const n = Math.max(1, domain.length);
    this.step = (range[1] - range[0]) / (n - padding + 2 * padding);
    this.bandwidth = this.step * (1 - padding);
    this.start = range[0] + this.step * padding;
  }

  /** Left edge of band i. */
  at(i: number): number {
    return this.start + i * this.step;
  }

  center(i: number): number {
    return this.at(i) + this.bandwidth / 2;
  }
}

// ---- axes --------------------------------------------------------------------------------------

/** Styling shared by all figures. */
export const STYLE = {
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  titleSize: 16,
  subtitleSize: 12,
  labelSize: 13,
  tickSize: 11,
  legendSize: 12,
  ink: '#222222',
  mutedInk: '#555555',
  axis: '#444444',
  grid: '#e6e6e6',
  frame: '#444444',
} as const;

/** A tick: where (a domain value, or a pixel when `pixel` is set) and its label. */
export interface Tick {
  value: number;
  label: string;
}

export interface AxisOptions {
  /** Ticks as values (labelled with the scale's format), as labelled ticks, or a target count (default 6). */
  ticks?: number | readonly number[] | readonly Tick[];
  format?: (v: number) => string;
  /** Draw light grid lines of this length across the plot (pixels). */
  grid?: number;
  /** Tick length (default 5, outward). */
  tickLength?: number;
  /** Leave out the domain line. */
  noLine?: boolean;
  fontSize?: number;
}

function resolveTicks(scale: Scale, o: AxisOptions): Tick[] {
  const t = o.ticks ?? 6;
  if (typeof t === 'number') {
    const f = o.format ?? scale.tickFormat(t);
    return scale.ticks(t).map((value) => ({ value, label: f(value) }));
  }
  if (t.length > 0 && typeof t[0] === 'object') return (t as readonly Tick[]).slice();
  const f = o.format ?? scale.tickFormat(Math.max(2, t.length));
  return (t as readonly number[]).map((value) => ({ value, label: f(value) }));
}

/**
 * Drops every other tick until the labels, `minGap` pixels apart at least, no longer collide
 * along the axis (`size(label)` is a label's extent along the axis).
 */
export function thinTicks(ticks: readonly Tick[], pos: (v: number) => number, size: (label: string) => number, minGap = 6): Tick[] {
  let t = ticks.slice();
  for (let k = 0; k < 12 && t.length > 2; k++) {
    let ok = true;
    for (let i = 1; i < t.length; i++) {
      const gap = Math.abs(pos(t[i].value) - pos(t[i - 1].value));
      if (gap < (size(t[i].label) + size(t[i - 1].label)) / 2 + minGap) {
        ok = false;
        break;
      }
    }
    if (ok) break;
    t = t.filter((_, i) => i % 2 === 0);
  }
  return t;
}

/** A horizontal axis at pixel row `y`: domain line, outward ticks, labels below, optional grid upward. */
export function axisBottom(scale: Scale, y: number, o: AxisOptions = {}): string {
  const fs = o.fontSize ?? STYLE.tickSize;
  const len = o.tickLength ?? 5;
  const ticks = thinTicks(resolveTicks(scale, o), (v) => scale.map(v), (s) => textWidth(s, fs));
  const [r0, r1] = scale.range;
  const parts: string[] = [];
  if (o.grid) for (const t of ticks) parts.push(line(scale.map(t.value), y, scale.map(t.value), y - o.grid, { stroke: STYLE.grid, 'stroke-width': 1 }));
  if (!o.noLine) parts.push(line(Math.min(r0, r1), y, Math.max(r0, r1), y, { stroke: STYLE.axis, 'stroke-width': 1 }));
  for (const t of ticks) {
    const x = scale.map(t.value);
    parts.push(line(x, y, x, y + len, { stroke: STYLE.axis, 'stroke-width': 1 }));
    parts.push(text(x, y + len + 3 + fs * 0.8, t.label, { 'text-anchor': 'middle', 'font-size': fs, fill: STYLE.ink }));
  }
  return group(parts, { class: 'axis axis-bottom' });
}

/** A vertical axis at pixel column `x`: domain line, outward ticks, labels to the left, optional grid rightward. */
export function axisLeft(scale: Scale, x: number, o: AxisOptions = {}): string {
  return axisVertical(scale, x, o, -1);
}

/** A vertical axis at pixel column `x` with ticks and labels on the right (colour bars). */
export function axisRight(scale: Scale, x: number, o: AxisOptions = {}): string {
  return axisVertical(scale, x, o, 1);
}

function axisVertical(scale: Scale, x: number, o: AxisOptions, side: 1 | -1): string {
  const fs = o.fontSize ?? STYLE.tickSize;
  const len = o.tickLength ?? 5;
  const ticks = thinTicks(resolveTicks(scale, o), (v) => scale.map(v), () => fs, 4);
  const [r0, r1] = scale.range;
  const parts: string[] = [];
  if (o.grid) for (const t of ticks) parts.push(line(x, scale.map(t.value), x - side * o.grid, scale.map(t.value), { stroke: STYLE.grid, 'stroke-width': 1 }));
  if (!o.noLine) parts.push(line(x, Math.min(r0, r1), x, Math.max(r0, r1), { stroke: STYLE.axis, 'stroke-width': 1 }));
  for (const t of ticks) {
    const y = scale.map(t.value);
    parts.push(line(x, y, x + side * len, y, { stroke: STYLE.axis, 'stroke-width': 1 }));
    parts.push(
      text(x + side * (len + 3), y + fs * 0.35, t.label, { 'text-anchor': side < 0 ? 'end' : 'start', 'font-size': fs, fill: STYLE.ink }),
    );
  }
  return group(parts, { class: `axis ${side < 0 ? 'axis-left' : 'axis-right'}` });
}

/** The widest tick label a vertical axis would draw (for sizing the margin). */
export function tickLabelWidth(scale: Scale, o: AxisOptions = {}): number {
  const fs = o.fontSize ?? STYLE.tickSize;
  return Math.max(0, ...resolveTicks(scale, o).map((t) => textWidth(t.label, fs)));
}

// ---- legends -----------------------------------------------------------------------------------

/** One legend row: a swatch (line, point marker, filled square, arrow) and its label, or a section header. */
export type LegendItem =
  | { kind: 'line'; label: string; color: string; dash?: string; width?: number; shape?: MarkerShape }
  | { kind: 'point'; label: string; color: string; shape?: MarkerShape; stroke?: string }
  | { kind: 'fill'; label: string; color: string; stroke?: string }
  | { kind: 'arrow'; label: string; color: string }
  | { kind: 'header'; label: string };

export interface LegendOptions {
  fontSize?: number;
  /** Labels wider than this wrap onto more lines (default 180 px). */
  maxLabelWidth?: number;
  /** Needed for 'arrow' items: the id of an `arrowMarker` in the figure's defs. */
  arrowMarkerId?: string;
  /** A frame around the legend (default false). */
  frame?: boolean;
}

const SWATCH = 24;

function legendRows(items: readonly LegendItem[], o: LegendOptions): { item: LegendItem; lines: string[]; height: number }[] {
  const fs = o.fontSize ?? STYLE.legendSize;
  const max = o.maxLabelWidth ?? 180;
  return items.map((item, i) => {
    const lines = item.kind === 'header' ? wrapText(item.label, max + SWATCH, fs * 1.05, true) : wrapText(item.label, max, fs);
    const gapBefore = item.kind === 'header' && i > 0 ? 6 : 0;
    return { item, lines, height: gapBefore + Math.max(fs * 1.25 * lines.length, fs + 6) };
  });
}

/** The legend's size in pixels, for placing it before drawing. */
export function legendSize(items: readonly LegendItem[], o: LegendOptions = {}): { width: number; height: number } {
  const fs = o.fontSize ?? STYLE.legendSize;
  const rows = legendRows(items, o);
  let width = 0;
  for (const r of rows) {
    const w = Math.max(...r.lines.map((s) => textWidth(s, r.item.kind === 'header' ? fs * 1.05 : fs, r.item.kind === 'header')));
    width = Math.max(width, (r.item.kind === 'header' ? 0 : SWATCH + 6) + w);
  }
  const pad = o.frame ? 8 : 0;
  return { width: width + 2 * pad, height: rows.reduce((s, r) => s + r.height, 0) + 2 * pad };
}

/** A legend with its top-left corner at (x, y). */
export function legend(items: readonly LegendItem[], x: number, y: number, o: LegendOptions = {}): string {
  const fs = o.fontSize ?? STYLE.legendSize;
  const rows = legendRows(items, o);
  const size = legendSize(items, o);
  const pad = o.frame ? 8 : 0;
  const parts: string[] = [];
  if (o.frame) parts.push(rect(x, y, size.width, size.height, { fill: '#ffffff', 'fill-opacity': 0.9, stroke: '#bbbbbb', rx: 3 }));
  let cy = y + pad;
  for (const { item, lines, height } of rows) {
    const top = cy + (item.kind === 'header' && cy > y + pad ? 6 : 0);
    const mid = top + Math.max(fs * 1.25, fs + 6) / 2;
    const sx = x + pad;
    const tx = sx + SWATCH + 6;
    switch (item.kind) {
      case 'header':
        parts.push(text(sx, mid + fs * 0.35, lines, { 'font-size': fs * 1.05, 'font-weight': 'bold', fill: STYLE.ink }));
        break;
      case 'line':
        parts.push(line(sx, mid, sx + SWATCH, mid, { stroke: item.color, 'stroke-width': item.width ?? 2, 'stroke-dasharray': item.dash }));
        if (item.shape) parts.push(marker(item.shape, sx + SWATCH / 2, mid, 3.2, { fill: item.color, stroke: '#ffffff', 'stroke-width': 0.8 }));
        break;
      case 'point':
        parts.push(marker(item.shape ?? 'circle', sx + SWATCH / 2, mid, 4.5, { fill: item.color, stroke: item.stroke ?? '#222222', 'stroke-width': 0.7 }));
        break;
      case 'fill':
        parts.push(rect(sx + 2, mid - 7, SWATCH - 4, 14, { fill: item.color, stroke: item.stroke ?? '#666666', 'stroke-width': 0.6 }));
        break;
      case 'arrow':
        if (o.arrowMarkerId) parts.push(arrow(sx + 2, mid, sx + SWATCH - 2, mid, o.arrowMarkerId, { stroke: item.color, 'stroke-width': 1.6 }));
        else parts.push(line(sx + 2, mid, sx + SWATCH - 2, mid, { stroke: item.color, 'stroke-width': 1.6 }));
        break;
    }
    if (item.kind !== 'header') parts.push(text(tx, mid + fs * 0.35, lines, { 'font-size': fs, fill: STYLE.ink }));
    cy += height;
  }
  return group(parts, { class: 'legend' });
}

// ---- colour bars -------------------------------------------------------------------------------

export interface ColorbarOptions {
  /** Value range shown; the map's t = 0 is domain[0], t = 1 is domain[1]. */
  domain: readonly [number, number];
  colorMap: ColorMap;
  /** Bar height in pixels (the bar is vertical, high values on top). */
  height: number;
  /** Bar width (default 14). */
  width?: number;
  /** A label above the bar (wrapped to `maxLabelWidth`, default 150). */
  label?: string;
  maxLabelWidth?: number;
  ticks?: number;
  fontSize?: number;
}

function colorbarLabelLines(o: ColorbarOptions): string[] {
  return o.label ? wrapText(o.label, o.maxLabelWidth ?? 150, o.fontSize ?? STYLE.legendSize) : [];
}

/** The colour bar's size (bar, tick labels and label), for placing it before drawing. */
export function colorbarSize(o: ColorbarOptions): { width: number; height: number } {
  const fs = o.fontSize ?? STYLE.legendSize;
  const w = o.width ?? 14;
  const scale = new LinearScale(o.domain, [o.height, 0]);
  const tickW = tickLabelWidth(scale, { ticks: o.ticks ?? 5, fontSize: STYLE.tickSize });
  const lines = colorbarLabelLines(o);
  const labelW = Math.max(0, ...lines.map((s) => textWidth(s, fs)));
  const labelH = lines.length ? lines.length * fs * 1.25 + 6 : 0;
  return { width: Math.max(w + 8 + tickW, labelW), height: labelH + o.height + STYLE.tickSize / 2 };
}

/** A vertical colour bar with its top-left corner (label included) at (x, y): 96 strips and a right axis. */
export function colorbar(x: number, y: number, o: ColorbarOptions): string {
  const fs = o.fontSize ?? STYLE.legendSize;
  const w = o.width ?? 14;
  const lines = colorbarLabelLines(o);
  const labelH = lines.length ? lines.length * fs * 1.25 + 6 : 0;
  const top = y + labelH + STYLE.tickSize / 2;
  const parts: string[] = [];
  if (lines.length) parts.push(text(x, y + fs, lines, { 'font-size': fs, fill: STYLE.ink }, 1.25));
  const strips = 96;
  const strip: string[] = [];
  for (let k = 0; k < strips; k++) {
    const y0 = top + (o.height * (strips - 1 - k)) / strips;
    // overlap strips by a pixel fraction so no seams show when rasterised
    strip.push(rect(x, y0, w, o.height / strips + 0.6, { fill: o.colorMap((k + 0.5) / strips) }));
  }
  parts.push(group(strip, { 'shape-rendering': 'crispEdges' }));
  parts.push(rect(x, top, w, o.height, { fill: 'none', stroke: STYLE.axis, 'stroke-width': 0.8 }));
  const scale = new LinearScale(o.domain, [top + o.height, top]);
  parts.push(axisRight(scale, x + w, { ticks: o.ticks ?? 5, noLine: true, tickLength: 4 }));
  return group(parts, { class: 'colorbar' });
}

// ---- the figure frame --------------------------------------------------------------------------

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface FigureOptions {
  width: number;
  height: number;
  title?: string;
  /** A smaller line under the title (e.g. what the colours mean). */
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  /**
   * Margins around the plot area. Missing sides are computed: top from the (wrapped) title and
   * subtitle, bottom from the x label, left from the y label plus `yTickWidth`, right 20.
   */
  margin?: Partial<Margins>;
  /** Widest y tick label (pixels), when the left margin is computed. Default 30. */
  yTickWidth?: number;
  /** Background colour (default white). */
  background?: string;
  /**
   * Prefix for element ids (markers, clip paths). Default: `hs` and a hash of the figure's
   * content, so different figures inlined in one HTML page never share an id (an id is
   * document-wide: a second figure's `url(#...)` would otherwise use the first one's clip path).
   * Same figure, same bytes.
   */
  idPrefix?: string;
}

/** Stands for the content-hash prefix until `toString()` knows the content. */
const AUTO_ID = 'hsAutoId0x';

/** FNV-1a, 32 bits, as 8 hex digits. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The frame of a figure: a white background, a wrapped title (and subtitle) on top, an x label
 * under and a rotated y label left of the plot area. Content is added in pixel coordinates;
 * `plot` is the plot area. `toString()` gives the complete `<svg xmlns=...>` document.
 *
 * @example
 * ```ts
 * const fig = new Figure({ width: 480, height: 320, title: 'Loss', xLabel: 'epoch', yLabel: 'loss' });
 * const x = new LinearScale([0, 10], [fig.plot.x, fig.plot.x + fig.plot.width]);
 * fig.add(axisBottom(x, fig.plot.y + fig.plot.height));
 * const svgText = fig.toString();
 * ```
 */
export class Figure {
  readonly width: number;
  readonly height: number;
  readonly margin: Margins;
  readonly plot: { x: number; y: number; width: number; height: number };
  readonly idPrefix: string;
  private readonly options: FigureOptions;
  private readonly titleLines: string[];
  private readonly subtitleLines: string[];
  private readonly defList: string[] = [];
  private readonly defIds = new Set<string>();
  private readonly parts: string[] = [];

  constructor(o: FigureOptions) {
    if (!(o.width > 0) || !(o.height > 0) || !Number.isFinite(o.width) || !Number.isFinite(o.height)) {
      throw new Error(`Figure: width and height must be finite and > 0, got ${o.width} x ${o.height}`);
    }
    this.options = o;
    this.width = o.width;
    this.height = o.height;
    this.idPrefix = o.idPrefix === undefined ? AUTO_ID : idSafe(o.idPrefix) || 'hs';
    this.titleLines = o.title ? wrapText(o.title, o.width - 32, STYLE.titleSize, true) : [];
    this.subtitleLines = o.subtitle ? wrapText(o.subtitle, o.width - 32, STYLE.subtitleSize) : [];
    const m = o.margin ?? {};
    this.margin = {
      top: m.top ?? Figure.headerHeight(this.titleLines.length, this.subtitleLines.length) + 12,
      right: m.right ?? 20,
      bottom: m.bottom ?? (o.xLabel ? 26 + STYLE.tickSize + STYLE.labelSize + 10 : 20 + STYLE.tickSize + 8),
      left: m.left ?? (o.yLabel ? STYLE.labelSize + 18 : 10) + (o.yTickWidth ?? 30) + 10,
    };
    this.plot = {
      x: this.margin.left,
      y: this.margin.top,
      width: Math.max(10, o.width - this.margin.left - this.margin.right),
      height: Math.max(10, o.height - this.margin.top - this.margin.bottom),
    };
  }

  /** Height of the title block: title lines at 1.25 em and subtitle lines at 1.3 em, plus padding. */
  static headerHeight(titleLines: number, subtitleLines: number): number {
    return 12 + titleLines * STYLE.titleSize * 1.25 + subtitleLines * STYLE.subtitleSize * 1.3;
  }

  /** How many lines a title (and subtitle) wrap to in a figure of this width. */
  static headerLines(width: number, title?: string, subtitle?: string): [number, number] {
    return [title ? wrapText(title, width - 32, STYLE.titleSize, true).length : 0, subtitle ? wrapText(subtitle, width - 32, STYLE.subtitleSize).length : 0];
  }

  /** A definition (`<marker>`, gradient...) for `<defs>`; one with an `id` already added is skipped. */
  defs(def: string, id?: string): this {
    if (id !== undefined) {
      if (this.defIds.has(id)) return this;
      this.defIds.add(id);
    }
    this.defList.push(def);
    return this;
  }

  /** An `arrowMarker` of this colour in the defs, returning its id. */
  arrowMarker(color: string, size = 4): string {
    const id = `${this.idPrefix}-arrow-${idSafe(color)}-${idSafe(String(size))}`;
    this.defs(arrowMarker(id, color, size), id);
    return id;
  }

  add(...parts: string[]): this {
    this.parts.push(...parts);
    return this;
  }

  toString(): string {
    const o = this.options;
    const p = this.plot;
    const head: string[] = [];
    head.push(rect(0, 0, this.width, this.height, { fill: o.background ?? '#ffffff' }));
    let y = 12;
    if (this.titleLines.length) {
      head.push(
        text(this.width / 2, y + STYLE.titleSize, this.titleLines, { 'text-anchor': 'middle', 'font-size': STYLE.titleSize, 'font-weight': 'bold', fill: STYLE.ink, class: 'title' }, 1.25),
      );
      y += this.titleLines.length * STYLE.titleSize * 1.25;
    }
    if (this.subtitleLines.length) {
      head.push(
        text(this.width / 2, y + STYLE.subtitleSize + 3, this.subtitleLines, { 'text-anchor': 'middle', 'font-size': STYLE.subtitleSize, fill: STYLE.mutedInk, class: 'subtitle' }, 1.3),
      );
    }
    if (o.xLabel) {
      head.push(
        text(p.x + p.width / 2, p.y + p.height + 26 + STYLE.tickSize + STYLE.labelSize * 0.3, o.xLabel, { 'text-anchor': 'middle', 'font-size': STYLE.labelSize, fill: STYLE.ink, class: 'x-label' }),
      );
    }
    if (o.yLabel) {
      const x = Math.max(STYLE.labelSize + 2, this.margin.left - (o.yTickWidth ?? 30) - 18);
      const cy = p.y + p.height / 2;
      head.push(
        text(x, cy, o.yLabel, { 'text-anchor': 'middle', 'font-size': STYLE.labelSize, fill: STYLE.ink, transform: `rotate(-90 ${num(x)} ${num(cy)})`, class: 'y-label' }),
      );
    }
    const defs = this.defList.length ? el('defs', {}, this.defList) : '';
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${num(this.width)}" height="${num(this.height)}" viewBox="0 0 ${num(this.width)} ${num(this.height)}"` +
      ` font-family="${escapeXml(STYLE.font)}">` +
      defs +
      head.join('') +
      this.parts.join('') +
      '</svg>';
    return this.idPrefix === AUTO_ID ? svg.split(AUTO_ID).join(`hs${fnv1a(svg)}`) : svg;
  }
}
