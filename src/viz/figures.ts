// Ready-made figures as SVG text: region maps and gating lines of 2-D DLGNs, line charts, heat maps, grouped bars, scatter plots.

import { archLabel } from '../models/config.js';
import type { Model } from '../models/families.js';
import { type Cell2D, type Line2D, arrangement2D, lines2D } from '../paths/arrangement.js';
import { type Box2D, DEFAULT_BOX } from '../paths/polygon.js';
import { Tensor } from '../tensor/tensor.js';
import {
  BandScale,
  type ColorMap,
  DASHES,
  Figure,
  LinearScale,
  type LegendItem,
  LogScale,
  MARKER_SHAPES,
  type MarkerShape,
  NAN_COLOR,
  OKABE_ITO,
  parseHex,
  STYLE,
  type Scale,
  type Tick,
  axisBottom,
  axisLeft,
  categoryColor,
  colorbar,
  colorbarSize,
  diverging,
  formatNumber,
  group,
  legend,
  legendSize,
  lighten,
  line,
  marker,
  polygon,
  rect,
  text,
  textWidth,
  tickLabelWidth,
  tooltip,
  viridis,
  wrapText,
  arrow,
  el,
} from './svg.js';

// Conventions of every figure here: the plot area has a frame or axes with ticks, labels are
// never drawn over the data (legends and colour bars sit in a panel right of the plot), colours
// come from the Okabe-Ito palette (categories) or viridis / blue-white-orange (values), and
// a category is told apart by a second channel too (marker shape or dash pattern) so the
// figure survives greyscale printing and colour-vision deficiencies.

const PANEL_GAP = 24;
const PAD = 16;

function checkSize(fn: string, width: number, height: number): void {
  if (!(width >= 120) || !(height >= 120) || !Number.isFinite(width) || !Number.isFinite(height)) {
    throw new Error(`${fn}: width and height must be finite and at least 120 px, got ${width} x ${height}`);
  }
}

function finiteExtent(values: Iterable<number>, positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positiveOnly && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/** The name of a model's family as the paper writes it: DLGN, DLGN-SF, DLGN-VT, DGN, ReLU, DLN. */
export function modelName(model: Model): string {
  const c = model.config;
  switch (c.kind) {
    case 'dlgn':
      return c.features === 'sf' ? 'DLGN-SF' : 'DLGN';
    case 'dlgn-vt':
      return 'DLGN-VT';
    case 'dgn':
      return 'DGN';
    case 'dnn':
      return 'ReLU';
    case 'dln':
      return 'DLN';
  }
}

function archString(model: Model): string {
  const c = model.config;
  return `${modelName(model)} ${archLabel(c)}`;
}

// ---- region maps and gating lines ----------------------------------------------------------------

/** Colours of the gating lines of hidden layers 1, 2, ...: Okabe-Ito, chosen to stand out on blue/orange fills. */
export const LAYER_COLORS: readonly string[] = [
  OKABE_ITO.black,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.vermillion,
  OKABE_ITO.skyBlue,
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.yellow,
];

/** Colours of data classes 0, 1, ...: class 0 blue and class 1 orange, the two ends of the diverging map. */
export const CLASS_COLORS: readonly string[] = [
  OKABE_ITO.blue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.skyBlue,
  OKABE_ITO.vermillion,
  OKABE_ITO.yellow,
  OKABE_ITO.black,
];

/**
 * Light fills for regions coloured by pattern or predicted class: Okabe-Ito lightened 65% toward
 * white (black as light grey), so points, lines and arrows drawn over them keep their contrast.
 */
export const REGION_FILLS: readonly string[] = [
  OKABE_ITO.skyBlue,
  OKABE_ITO.orange,
  OKABE_ITO.bluishGreen,
  OKABE_ITO.reddishPurple,
  OKABE_ITO.yellow,
  OKABE_ITO.vermillion,
  OKABE_ITO.blue,
  '#888888',
].map((c) => lighten(c, 0.65));

/** How far value fills are lightened toward white, so overlays stay readable (the colour bar shows the same colours). */
const FILL_LIGHTEN = 0.3;

/** Points over a plane figure: labelled classes or real-valued targets. */
export interface PlaneData {
  /** Inputs [n, 2]. */
  x: Tensor;
  /** Labels [n] (or [n, 1]) of integer classes, one-hot / scores [n, k], or real targets [n] / [n, 1]. Optional. */
  y?: Tensor;
}

export interface GatingLinesOptions {
  /** The part of the plane shown (default [-1, 1]^2, widened to hold the data with a margin when it does not). */
  box?: Box2D;
  data?: PlaneData;
  /** How `data.y` is read: integer labels with at most 12 values (or [n, k > 1] by argmax) are classes, anything else targets. */
  dataKind?: 'classes' | 'targets';
  title?: string;
  subtitle?: string;
  width?: number;
  height?: number;
  /** Draw the ON-side arrows (default true). */
  arrows?: boolean;
  /** Prefix for element ids (markers, clip paths); default `hs` + a hash of the figure, unique per figure in a page. */
  idPrefix?: string;
}

export interface RegionFigureOptions extends GatingLinesOptions {
  /**
   * What the cells' fill shows (default 'output'):
   * - 'output': the hard-gated output on the cell (`Cell2D.output`, exact there, constant unless
   *   valueInput is 'input'; then its value at the centroid). With one output, that output on a
   *   diverging map centred at 0. With two outputs (two logits), the logit difference
   *   f1 - f0, on the same diverging map: it is 0 on the decision boundary, positive where class
   *   1 wins, and softmax(f)_1 = sigmoid(f1 - f0), so it carries the probability too without
   *   squashing confident regions together. With more outputs, the predicted class (argmax) in
   *   light category colours. `output: j` instead shows output j alone on the sequential map
   *   (diverging when the model has one output).
   * - 'pattern': one colour per cell, chosen so that cells sharing an edge (whose patterns differ
   *   in exactly one gate) never share a colour.
   */
  colorBy?: 'output' | 'pattern';
  /** Which output to colour by (see `colorBy`). */
  output?: number;
}

type Fill = { mode: 'none' } | { mode: 'pattern' } | { mode: 'output'; output?: number };

/**
 * The region map of a 2-D DLGN / DLGN-SF / DLGN-VT: every cell of the arrangement of all gating
 * lines (`arrangement2D`) filled by its hard-gated output or its gate pattern, with a colour bar;
 * every gating line drawn in its layer's colour with an arrow from its midpoint toward its ON
 * side (w . x + b > 0); data points on top; axes x1, x2 on an equal-aspect plot. Throws the
 * error of `arrangement2D` for models whose gates are not half-spaces (ReLU nets, DGNs, DLNs) or
 * whose input is not 2-D.
 *
 * @example
 * ```ts
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng: 1 });
 * const svgText = regionFigure(net, { data: disk({ n: 300 }) });
 * ```
 */
export function regionFigure(model: Model, options: RegionFigureOptions = {}): string {
  const colorBy = options.colorBy ?? 'output';
  if (colorBy !== 'output' && colorBy !== 'pattern') throw new Error(`regionFigure: colorBy must be 'output' or 'pattern', got ${JSON.stringify(colorBy)}`);
  const k = model.config.outputDim;
  if (options.output !== undefined && (!Number.isInteger(options.output) || options.output < 0 || options.output >= k)) {
    throw new Error(`regionFigure: output must be an integer in 0..${k - 1}, got ${options.output}`);
  }
  return planeFigure('regionFigure', model, options, colorBy === 'pattern' ? { mode: 'pattern' } : { mode: 'output', output: options.output });
}

/**
 * The gating lines of a 2-D DLGN alone (no fills): one colour per layer, arrows toward the ON
 * sides, data points if given. For comparing lines at initialisation and after training, give
 * both figures the same `box`. Throws for models whose gates are not half-spaces.
 */
export function gatingLinesFigure(model: Model, options: GatingLinesOptions = {}): string {
  return planeFigure('gatingLinesFigure', model, options, { mode: 'none' });
}

interface ReadData {
  px: Float64Array;
  py: Float64Array;
  kind: 'classes' | 'targets' | 'none';
  classes: number[];
  /** Class index (into `classes`) or target value per point. */
  value: Float64Array;
}

function readData(fn: string, data: PlaneData, kindOverride?: 'classes' | 'targets'): ReadData {
  const { x, y } = data;
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== 2) {
    throw new Error(`${fn}: data.x must be a tensor [n, 2], got ${x instanceof Tensor ? `[${x.shape.join(', ')}]` : typeof x}`);
  }
  const n = x.shape[0];
  const xv = x.values();
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    px[i] = xv[2 * i];
    py[i] = xv[2 * i + 1];
  }
  if (y === undefined) return { px, py, kind: 'none', classes: [], value: new Float64Array(n) };
  if (!(y instanceof Tensor) || y.shape[0] !== n || y.ndim < 1 || y.ndim > 2) {
    throw new Error(`${fn}: data.y must be a tensor [${n}] or [${n}, k], got ${y instanceof Tensor ? `[${y.shape.join(', ')}]` : typeof y}`);
  }
  const cols = y.ndim === 2 ? y.shape[1] : 1;
  const yv = y.values();
  let raw: Float64Array;
  if (cols > 1) {
    raw = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let j = 1; j < cols; j++) if (yv[i * cols + j] > yv[i * cols + best]) best = j;
      raw[i] = best;
    }
  } else raw = Float64Array.from(yv);
  const distinct = [...new Set(raw)].filter(Number.isFinite).sort((a, b) => a - b);
  const looksLikeClasses = cols > 1 || (distinct.length <= 12 && distinct.every(Number.isInteger));
  const kind = kindOverride ?? (looksLikeClasses ? 'classes' : 'targets');
  if (kind === 'targets') return { px, py, kind, classes: [], value: raw };
  const index = new Map(distinct.map((c, i) => [c, i]));
  return { px, py, kind, classes: distinct, value: raw.map((v) => index.get(v) ?? NaN) };
}

/** The default box: [-1, 1]^2, or the data's bounding box with 5% margins (squared off) when the data leaves it. */
function defaultBox(d: ReadData | null): Box2D {
  if (!d) return { ...DEFAULT_BOX };
  const ex = finiteExtent(d.px);
  const ey = finiteExtent(d.py);
  if (!ex || !ey) return { ...DEFAULT_BOX };
  const inside = ex[0] >= -1 && ex[1] <= 1 && ey[0] >= -1 && ey[1] <= 1;
  if (inside) return { ...DEFAULT_BOX };
  const span = Math.max(ex[1] - ex[0], ey[1] - ey[0], 1e-9);
  const h = span * 0.55;
  const cx = (ex[0] + ex[1]) / 2;
  const cy = (ey[0] + ey[1]) / 2;
  return { xmin: cx - h, xmax: cx + h, ymin: cy - h, ymax: cy + h };
}

/**
 * A colour index per cell such that cells sharing an edge (patterns one gate apart) differ: greedy
 * colouring of the adjacency graph, largest degree first. `REGION_FILLS[i % REGION_FILLS.length]`
 * is the fill `regionFigure` uses with `colorBy: 'pattern'`.
 */
export function patternColors(cells: readonly Cell2D[]): number[] {
  const keyIndex = new Map(cells.map((c, i) => [c.key, i]));
  const neighbours = cells.map((c) => {
    const out: number[] = [];
    const key = c.key;
    for (let p = 0; p < key.length; p++) {
      const ch = key[p];
      if (ch !== '0' && ch !== '1') continue;
      const j = keyIndex.get(key.slice(0, p) + (ch === '0' ? '1' : '0') + key.slice(p + 1));
      if (j !== undefined) out.push(j);
    }
    return out;
  });
  const order = cells.map((_, i) => i).sort((a, b) => neighbours[b].length - neighbours[a].length || a - b);
  const color = new Array<number>(cells.length).fill(-1);
  for (const i of order) {
    const used = new Set(neighbours[i].map((j) => color[j]));
    let c = 0;
    while (used.has(c)) c++;
    color[i] = c;
  }
  return color;
}

interface CellFill {
  colors: string[];
  legend: LegendItem[];
  colorbar?: { domain: [number, number]; colorMap: ColorMap; label: string };
  subtitle: string;
}

function cellFills(model: Model, cells: readonly Cell2D[], fill: Fill): CellFill {
  if (fill.mode === 'pattern') {
    const c = patternColors(cells);
    return {
      colors: c.map((i) => REGION_FILLS[i % REGION_FILLS.length]),
      legend: [],
      subtitle: 'Fill: one colour per active-path region (neighbours differ)',
    };
  }
  const k = model.config.outputDim;
  const chosen = fill.mode === 'output' ? fill.output : undefined;
  const constant = cells.every((c) => c.outputConstant);
  const where = constant ? '' : ' (at the region centroid)';
  if (chosen === undefined && k > 2) {
    const pred = cells.map((c) => c.output.reduce((b, v, j, o) => (v > o[b] ? j : b), 0));
    const used = [...new Set(pred)].sort((a, b) => a - b);
    return {
      colors: pred.map((p) => REGION_FILLS[p % REGION_FILLS.length]),
      legend: [{ kind: 'header', label: 'predicted class' }, ...used.map((p): LegendItem => ({ kind: 'fill', label: `class ${p}`, color: REGION_FILLS[p % REGION_FILLS.length] }))],
      subtitle: `Fill: predicted class of the hard-gated network${where}`,
    };
  }
  let values: number[];
  let label: string;
  let divergingMap: boolean;
  if (chosen !== undefined) {
    values = cells.map((c) => c.output[chosen]);
    label = k === 1 ? 'output' : `output ${chosen}`;
    divergingMap = k === 1;
  } else if (k === 2) {
    values = cells.map((c) => c.output[1] - c.output[0]);
    label = 'logit 1 − logit 0';
    divergingMap = true;
  } else {
    values = cells.map((c) => c.output[0]);
    label = 'output';
    divergingMap = true;
  }
  const ext = finiteExtent(values) ?? [0, 1];
  let domain: [number, number];
  if (divergingMap) {
    const m = Math.max(Math.abs(ext[0]), Math.abs(ext[1])) || 1;
    domain = [-m, m];
  } else domain = ext[0] === ext[1] ? [ext[0] - 0.5, ext[1] + 0.5] : ext;
  const base = divergingMap ? diverging : viridis;
  const map: ColorMap = (u) => lighten(base(u), FILL_LIGHTEN);
  const t = (v: number): number => (v - domain[0]) / (domain[1] - domain[0]);
  const what = k === 2 && chosen === undefined ? 'logit difference, > 0 where class 1 wins' : label;
  return {
    colors: values.map((v) => (Number.isFinite(v) ? map(t(v)) : NAN_COLOR)),
    legend: [],
    colorbar: { domain, colorMap: map, label: `region ${label}` },
    subtitle: `Fill: hard-gated ${what}${where}`,
  };
}

function planeFigure(fn: string, model: Model, o: RegionFigureOptions, fill: Fill): string {
  const data = o.data ? readData(fn, o.data, o.dataKind) : null;
  const box = o.box ?? defaultBox(data);
  // both throw the clear error of regions.ts for models without half-spaces or with d != 2
  const arr = fill.mode === 'none' ? null : arrangement2D(model, box);
  const lines: Line2D[] = arr ? arr.lines : lines2D(model, box);
  const shown = lines.filter((l) => l.segment !== null);
  const layers = model.config.widths.length;
  const cells = arr ? arr.cells : [];
  const fills = arr ? cellFills(model, cells, fill) : null;

  const title =
    o.title ??
    (arr ? `${archString(model)}: ${cells.length} regions, ${shown.length} gating lines` : `${archString(model)}: ${shown.length} gating lines`);
  const hidden = lines.length - shown.length;
  const subtitle =
    o.subtitle ??
    [fills?.subtitle, hidden ? `${hidden} gating line${hidden > 1 ? 's miss' : ' misses'} the box` : '']
      .filter(Boolean)
      .join('; ');

  // right panel: legend, then colour bars
  const items: LegendItem[] = [{ kind: 'header', label: 'gating lines' }];
  for (let l = 1; l <= layers; l++) items.push({ kind: 'line', label: `layer ${l}`, color: layerColor(l), width: 2 });
  if (o.arrows !== false) items.push({ kind: 'arrow', label: 'ON side (w·x + b > 0)', color: '#333333' });
  if (fills) items.push(...fills.legend);
  if (data && data.kind === 'classes') {
    items.push({ kind: 'header', label: 'data' });
    data.classes.forEach((c, i) => items.push({ kind: 'point', label: `class ${formatNumber(c)}`, color: classColor(i), shape: classShape(i) }));
  }
  const legendOpts = { maxLabelWidth: 170 };
  const lsize = legendSize(items, legendOpts);

  const width = o.width ?? 780;
  const height = o.height ?? 640;
  checkSize(fn, width, height);
  const [tl, sl] = Figure.headerLines(width, title, subtitle);
  const top = Figure.headerHeight(tl, sl) + 14;
  const bottom = 26 + STYLE.tickSize + STYLE.labelSize + 12;
  const yTickW = Math.ceil(Math.max(24, tickLabelWidth(new LinearScale([box.ymin, box.ymax], [0, 1]), { ticks: 6 })));
  const left = STYLE.labelSize + 18 + yTickW + 10;
  const bars: { domain: [number, number]; colorMap: ColorMap; label: string }[] = [];
  if (fills?.colorbar) bars.push(fills.colorbar);
  if (data && data.kind === 'targets') {
    const e = finiteExtent(data.value) ?? [0, 1];
    bars.push({ domain: e[0] === e[1] ? [e[0] - 0.5, e[1] + 0.5] : e, colorMap: viridis, label: 'data target' });
  }
  const availH = height - top - bottom;
  const barH = Math.max(60, Math.min(200, (availH - lsize.height - 20) / Math.max(1, bars.length) - 50));
  const barSizes = bars.map((b) => colorbarSize({ ...b, height: barH }));
  const panelW = Math.max(lsize.width, ...barSizes.map((s) => s.width));
  // equal aspect: one data unit is the same number of pixels on both axes
  const bw = box.xmax - box.xmin;
  const bh = box.ymax - box.ymin;
  const availW = width - left - PANEL_GAP - panelW - PAD;
  const unit = Math.max(1e-9, Math.min(availW / bw, availH / bh));
  const pw = unit * bw;
  const ph = unit * bh;
  const fig = new Figure({
    width,
    height,
    title,
    subtitle,
    xLabel: 'x₁',
    yLabel: 'x₂',
    margin: { top, bottom: height - top - ph, left, right: width - left - pw },
    yTickWidth: yTickW,
    idPrefix: o.idPrefix,
  });
  const P = fig.plot;
  const xs = new LinearScale([box.xmin, box.xmax], [P.x, P.x + P.width]);
  const ys = new LinearScale([box.ymin, box.ymax], [P.y + P.height, P.y]);
  const X = (v: number): number => xs.map(v);
  const Y = (v: number): number => ys.map(v);
  const clipId = `${fig.idPrefix}-plot-clip`;
  fig.defs(el('clipPath', { id: clipId }, rect(P.x, P.y, P.width, P.height)), clipId);

  // cells
  if (arr && fills) {
    fig.add(
      group(
        cells.map((c, i) =>
          polygon(
            c.polygon.map(([a, b]) => [X(a), Y(b)] as [number, number]),
            { class: 'cell', fill: fills.colors[i], stroke: fills.colors[i], 'stroke-width': 0.5, 'stroke-linejoin': 'round' },
            tooltip(cellTooltip(c)),
          ),
        ),
        { class: 'cells' },
      ),
    );
  }
  // axes (after the fills so ticks are not covered; they sit outside the plot anyway)
  const tickCount = (px: number): number => Math.max(2, Math.round(px / 100));
  fig.add(axisBottom(xs, P.y + P.height, { ticks: tickCount(P.width) }), axisLeft(ys, P.x, { ticks: tickCount(P.height) }));

  // data points
  if (data) fig.add(dataPoints(data, box, X, Y));

  // gating lines with a white casing, so they stay visible over any fill and any point
  const halo: string[] = [];
  const strokes: string[] = [];
  const arrows: string[] = [];
  const arrowLen = Math.max(14, Math.min(24, P.width / 22));
  const anchors: [number, number][] = [];
  for (const ln of shown) {
    const [[x1, y1], [x2, y2]] = ln.segment as [[number, number], [number, number]];
    const color = layerColor(ln.layer);
    halo.push(line(X(x1), Y(y1), X(x2), Y(y2), { class: 'gating-line-halo', stroke: '#ffffff', 'stroke-width': 3.6, 'stroke-opacity': 0.85 }));
    strokes.push(
      el(
        'line',
        { x1: X(x1), y1: Y(y1), x2: X(x2), y2: Y(y2), class: 'gating-line', 'data-layer': ln.layer, 'data-unit': ln.unit, stroke: color, 'stroke-width': 1.8 },
        tooltip(lineTooltip(ln)),
      ),
    );
    if (o.arrows !== false && ln.normal) {
      const [mx, my] = arrowAnchor([X(x1), Y(y1)], [X(x2), Y(y2)], anchors, arrowLen * 1.4);
      anchors.push([mx, my]);
      // data y points up, pixel y points down
      const ex = mx + ln.normal[0] * arrowLen;
      const ey = my - ln.normal[1] * arrowLen;
      arrows.push(line(mx, my, ex, ey, { stroke: '#ffffff', 'stroke-width': 4, 'stroke-opacity': 0.85, 'stroke-linecap': 'round' }));
      arrows.push(arrow(mx, my, ex, ey, fig.arrowMarker(color, 4), { class: 'on-arrow', stroke: color, 'stroke-width': 1.8 }));
    }
  }
  fig.add(group([...halo, ...strokes], { class: 'gating-lines', 'clip-path': `url(#${clipId})`, 'stroke-linecap': 'round' }), group(arrows, { class: 'on-arrows' }));
  fig.add(rect(P.x, P.y, P.width, P.height, { fill: 'none', stroke: STYLE.frame, 'stroke-width': 1 }));

  // panel
  const panelX = P.x + P.width + PANEL_GAP;
  let py = P.y;
  fig.add(legend(items, panelX, py, { ...legendOpts, arrowMarkerId: fig.arrowMarker('#333333', 4) }));
  py += lsize.height + 20;
  bars.forEach((b, i) => {
    fig.add(colorbar(panelX, py, { ...b, height: barH }));
    py += barSizes[i].height + 24;
  });
  return fig.toString();
}

/** Fractions along a segment tried for an arrow, midpoint first. */
const ANCHOR_FRACTIONS = [0.5, 0.38, 0.62, 0.28, 0.72, 0.44, 0.56, 0.2, 0.8, 0.33, 0.67, 0.14, 0.86];

/**
 * Where a line's ON-side arrow starts: the segment's midpoint, unless an arrow placed before
 * starts within `minGap` pixels (lines through one point, e.g. bias-free nets whose lines all
 * cross the origin); then the first of a fixed list of positions along the segment that keeps
 * the gap, or the one farthest from the others. Deterministic.
 */
function arrowAnchor(a: [number, number], b: [number, number], placed: readonly [number, number][], minGap: number): [number, number] {
  let best: [number, number] = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  let bestGap = -1;
  for (const f of ANCHOR_FRACTIONS) {
    const p: [number, number] = [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])];
    let gap = Infinity;
    for (const q of placed) gap = Math.min(gap, Math.hypot(p[0] - q[0], p[1] - q[1]));
    if (gap >= minGap) return p;
    if (gap > bestGap) {
      bestGap = gap;
      best = p;
    }
  }
  return best;
}

function layerColor(layer: number): string {
  return LAYER_COLORS[(layer - 1) % LAYER_COLORS.length];
}

function classColor(i: number): string {
  return CLASS_COLORS[i % CLASS_COLORS.length];
}

function classShape(i: number): MarkerShape {
  return MARKER_SHAPES[i % MARKER_SHAPES.length];
}

function lineTooltip(ln: Line2D): string {
  const [a, b] = ln.weight;
  return `layer ${ln.layer}, unit ${ln.unit}: ${formatNumber(a, 3)} x₁ + ${formatNumber(b, 3)} x₂ + ${formatNumber(ln.bias, 3)} > 0 on the arrow side`;
}

function cellTooltip(c: Cell2D): string {
  return `region ${c.index}: pattern ${c.key}, ${c.activePaths} active paths, output [${c.output.map((v) => formatNumber(v, 4)).join(', ')}]`;
}

function dataPoints(d: ReadData, box: Box2D, X: (v: number) => number, Y: (v: number) => number): string {
  const n = d.px.length;
  const r = n <= 200 ? 3.6 : n <= 1000 ? 2.8 : n <= 5000 ? 2 : 1.4;
  const targets = d.kind === 'targets' ? finiteExtent(d.value) : null;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const x = d.px[i];
    const y = d.py[i];
    if (!(x >= box.xmin && x <= box.xmax && y >= box.ymin && y <= box.ymax)) continue; // outside the box (or NaN): not drawn
    let fill = '#ffffff';
    let shape: MarkerShape = 'circle';
    const v = d.value[i];
    if (d.kind === 'classes') {
      if (Number.isNaN(v)) fill = NAN_COLOR;
      else {
        fill = classColor(v);
        shape = classShape(v);
      }
    } else if (d.kind === 'targets' && targets) {
      fill = Number.isFinite(v) ? viridis(targets[1] > targets[0] ? (v - targets[0]) / (targets[1] - targets[0]) : 0.5) : NAN_COLOR;
    }
    parts.push(marker(shape, X(x), Y(y), r, { fill }));
  }
  return group(parts, { class: 'data-points', stroke: '#1a1a1a', 'stroke-width': 0.5, 'stroke-opacity': 0.9 });
}

// ---- line charts -----------------------------------------------------------------------------------

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Override the series colour (default: Okabe-Ito in order). */
  color?: string;
  /** Override the dash pattern (default: solid, dashed, dotted... in order). */
  dash?: string;
}

export interface LineChartOptions {
  title?: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  series: LineSeries[];
  /** Logarithmic y axis; values <= 0 are left out. */
  logY?: boolean;
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Markers at the data points (default: when every series has at most 40 points). */
  markers?: boolean;
  width?: number;
  height?: number;
}

/**
 * Training curves and other y(x) series: one polyline per series (non-finite points, and
 * non-positive ones on a log axis, are skipped), colour and dash pattern per series, a legend
 * right of the plot, nice ticks, light grid lines.
 *
 * @example
 * ```ts
 * lineChart({ title: 'Training loss', xLabel: 'epoch', yLabel: 'loss', logY: true,
 *   series: [{ name: 'DLGN', x: epochs, y: losses }] });
 * ```
 */
export function lineChart(o: LineChartOptions): string {
  const fn = 'lineChart';
  if (!o || !Array.isArray(o.series)) throw new Error(`${fn}: options.series must be an array of { name, x, y }`);
  const width = o.width ?? 680;
  const height = o.height ?? 420;
  checkSize(fn, width, height);
  o.series.forEach((s, i) => {
    if (s.x.length !== s.y.length) throw new Error(`${fn}: series ${i} ('${s.name}') has ${s.x.length} x values and ${s.y.length} y values`);
  });
  const logY = o.logY === true;
  const pts = o.series.map((s) => {
    const out: [number, number][] = [];
    for (let i = 0; i < s.x.length; i++) {
      const x = s.x[i];
      const y = s.y[i];
      if (Number.isFinite(x) && Number.isFinite(y) && (!logY || y > 0)) out.push([x, y]);
    }
    return out;
  });
  const xe = o.xDomain ?? finiteExtent(pts.flatMap((p) => p.map((q) => q[0]))) ?? [0, 1];
  const ye = o.yDomain ?? finiteExtent(pts.flatMap((p) => p.map((q) => q[1])), logY) ?? (logY ? [1, 10] : [0, 1]);
  const markers = o.markers ?? pts.every((p) => p.length <= 40);
  const color = (i: number): string => o.series[i].color ?? categoryColor(i);
  const dash = (i: number): string | undefined => o.series[i].dash ?? DASHES[i % DASHES.length];
  const shape = (i: number): MarkerShape => MARKER_SHAPES[i % MARKER_SHAPES.length];
  const items: LegendItem[] = o.series.map((s, i) => ({ kind: 'line', label: s.name, color: color(i), dash: dash(i), width: 2, shape: markers ? shape(i) : undefined }));

  const frame = chartFrame(fn, {
    width,
    height,
    title: o.title,
    subtitle: o.subtitle,
    xLabel: o.xLabel,
    yLabel: o.yLabel,
    legend: items,
    yScale: (range) => {
      if (logY) {
        const s = new LogScale(ye, range);
        return o.yDomain ? s : s.nice();
      }
      const s = new LinearScale(ye, range);
      return o.yDomain ? s : s.nice(Math.max(2, Math.round(Math.abs(range[0] - range[1]) / 50)));
    },
  });
  const { fig, P, ys, yTicks } = frame;
  let xs = new LinearScale(xe, [P.x, P.x + P.width]);
  const xCount = Math.max(2, Math.round(P.width / 90));
  if (!o.xDomain) xs = xs.nice(xCount);
  fig.add(axisLeft(ys, P.x, { ticks: yTicks, grid: P.width }), axisBottom(xs, P.y + P.height, { ticks: xCount }));
  const clipId = `${fig.idPrefix}-plot-clip`;
  fig.defs(el('clipPath', { id: clipId }, rect(P.x - 4, P.y - 4, P.width + 8, P.height + 8)), clipId);
  const body: string[] = [];
  pts.forEach((p, i) => {
    const xy = p.map(([x, y]) => [xs.map(x), ys.map(y)] as [number, number]);
    body.push(
      el(
        'polyline',
        {
          class: 'series',
          points: xy.map(([x, y]) => `${Math.round(x * 100) / 100},${Math.round(y * 100) / 100}`).join(' '),
          fill: 'none',
          stroke: color(i),
          'stroke-width': 2,
          'stroke-dasharray': dash(i),
          'stroke-linejoin': 'round',
          'stroke-linecap': 'round',
        },
        tooltip(o.series[i].name),
      ),
    );
    if (markers) for (const [x, y] of xy) body.push(marker(shape(i), x, y, 3, { fill: color(i), stroke: '#ffffff', 'stroke-width': 0.8, class: 'series-point' }));
  });
  fig.add(group(body, { 'clip-path': `url(#${clipId})` }));
  fig.add(rect(P.x, P.y, P.width, P.height, { fill: 'none', stroke: STYLE.frame, 'stroke-width': 0.8 }));
  frame.drawLegend();
  return fig.toString();
}

/** A figure with a plot area sized around a y scale's tick labels and a legend panel on the right. */
function chartFrame(
  fn: string,
  o: {
    width: number;
    height: number;
    title?: string;
    subtitle?: string;
    xLabel?: string;
    yLabel?: string;
    legend: LegendItem[];
    yScale: (range: [number, number]) => Scale;
    bottomExtra?: number;
    /** Extra room between the title and the plot (e.g. for labels above the tallest bar). */
    topExtra?: number;
  },
): { fig: Figure; P: Figure['plot']; ys: Scale; yTicks: number; drawLegend: () => void } {
  const legendOpts = { maxLabelWidth: Math.min(200, o.width * 0.28) };
  const lsize = o.legend.length ? legendSize(o.legend, legendOpts) : { width: 0, height: 0 };
  const right = o.legend.length ? lsize.width + PANEL_GAP + PAD : 24;
  const bottom = (o.xLabel ? 26 + STYLE.tickSize + STYLE.labelSize + 12 : 20 + STYLE.tickSize + 10) + (o.bottomExtra ?? 0);
  const base = { width: o.width, height: o.height, title: o.title, subtitle: o.subtitle, xLabel: o.xLabel, yLabel: o.yLabel };
  const [tl, sl] = Figure.headerLines(o.width, o.title, o.subtitle);
  const top = Figure.headerHeight(tl, sl) + 12 + (o.topExtra ?? 0);
  const probe = new Figure({ ...base, margin: { top, right, bottom } });
  const range = (p: Figure['plot']): [number, number] => [p.y + p.height, p.y];
  const count = (p: Figure['plot']): number => Math.max(2, Math.round(p.height / 50));
  const tw = Math.ceil(tickLabelWidth(o.yScale(range(probe.plot)), { ticks: count(probe.plot) }));
  const fig = new Figure({ ...base, margin: { top, right, bottom }, yTickWidth: tw });
  if (fig.plot.width < 40 || fig.plot.height < 40) {
    throw new Error(`${fn}: ${o.width} x ${o.height} px leaves no room for the plot next to the legend; make the figure larger`);
  }
  const ys = o.yScale(range(fig.plot));
  return {
    fig,
    P: fig.plot,
    ys,
    yTicks: count(fig.plot),
    drawLegend: () => {
      if (o.legend.length) fig.add(legend(o.legend, fig.plot.x + fig.plot.width + PANEL_GAP, fig.plot.y, legendOpts));
    },
  };
}

// ---- heat maps ------------------------------------------------------------------------------------

export interface HeatmapOptions {
  title?: string;
  subtitle?: string;
  /** A matrix [r, c]; row 0 is drawn at the top (as a matrix is written). */
  matrix: Tensor;
  xLabel?: string;
  yLabel?: string;
  /** Default: 'diverging' (centred at 0) when the matrix has both signs, else 'sequential' (viridis). */
  colorMap?: 'sequential' | 'diverging';
  /** Colour range (default: the finite extent; symmetric about 0 for the diverging map). */
  domain?: [number, number];
  /** Label of the colour bar (default 'value'). */
  colorLabel?: string;
  /** Labels of the rows and columns (one per index; e.g. angles); a subset that fits is shown. */
  tickLabels?: readonly (string | number)[] | { x?: readonly (string | number)[]; y?: readonly (string | number)[] };
  width?: number;
  height?: number;
}

/**
 * A matrix as coloured cells (one `<rect>` each; fine up to a few hundred rows), square cells,
 * row 0 at the top, with a colour bar. For an overlap kernel ordered by angle, pass the sorted
 * angles as `tickLabels`. Non-finite entries are grey.
 */
export function heatmap(o: HeatmapOptions): string {
  const fn = 'heatmap';
  const m = o?.matrix;
  if (!(m instanceof Tensor) || m.ndim !== 2 || m.shape[0] < 1 || m.shape[1] < 1) {
    throw new Error(`${fn}: matrix must be a non-empty tensor [r, c], got ${m instanceof Tensor ? `[${m.shape.join(', ')}]` : typeof m}`);
  }
  const [r, c] = m.shape;
  const v = m.values();
  const width = o.width ?? 640;
  const height = o.height ?? 580;
  checkSize(fn, width, height);
  const ext = finiteExtent(v) ?? [0, 1];
  const kind = o.colorMap ?? (ext[0] < 0 && ext[1] > 0 ? 'diverging' : 'sequential');
  if (kind !== 'sequential' && kind !== 'diverging') throw new Error(`${fn}: colorMap must be 'sequential' or 'diverging', got ${JSON.stringify(kind)}`);
  let domain: [number, number];
  if (o.domain) domain = o.domain;
  else if (kind === 'diverging') {
    const a = Math.max(Math.abs(ext[0]), Math.abs(ext[1])) || 1;
    domain = [-a, a];
  } else domain = ext[0] === ext[1] ? [ext[0] - 0.5, ext[1] + 0.5] : ext;
  if (!(domain[1] > domain[0]) || !domain.every(Number.isFinite)) throw new Error(`${fn}: domain needs finite lo < hi, got [${domain.join(', ')}]`);
  const map = kind === 'diverging' ? diverging : viridis;
  const labels = o.tickLabels;
  const xLabels = labels === undefined ? undefined : Array.isArray(labels) ? labels : (labels as { x?: readonly (string | number)[] }).x;
  const yLabels = labels === undefined ? undefined : Array.isArray(labels) ? labels : (labels as { y?: readonly (string | number)[] }).y;
  if (xLabels && xLabels.length !== c) throw new Error(`${fn}: ${xLabels.length} x tick labels for ${c} columns`);
  if (yLabels && yLabels.length !== r) throw new Error(`${fn}: ${yLabels.length} y tick labels for ${r} rows`);
  const show = (s: string | number): string => (typeof s === 'number' ? formatNumber(s, 3) : s);

  const bar = { domain, colorMap: map, label: o.colorLabel ?? 'value', height: 100 };
  const [tl, sl] = Figure.headerLines(width, o.title, o.subtitle);
  const top = Figure.headerHeight(tl, sl) + 14;
  const bottom = (o.xLabel ? 26 + STYLE.tickSize + STYLE.labelSize + 12 : 20 + STYLE.tickSize + 10);
  const yTickW = Math.ceil(Math.max(textWidth(String(r - 1), STYLE.tickSize), ...(yLabels ?? []).map((s) => textWidth(show(s), STYLE.tickSize))));
  const left = (o.yLabel ? STYLE.labelSize + 18 : 10) + yTickW + 10;
  const barW = colorbarSize(bar).width;
  const availW = width - left - PANEL_GAP - barW - PAD;
  const availH = height - top - bottom;
  const cell = Math.max(0.05, Math.min(availW / c, availH / r));
  const pw = cell * c;
  const ph = cell * r;
  const fig = new Figure({
    width,
    height,
    title: o.title,
    subtitle: o.subtitle,
    xLabel: o.xLabel,
    yLabel: o.yLabel,
    yTickWidth: yTickW,
    margin: { top, left, bottom: height - top - ph, right: width - left - pw },
  });
  const P = fig.plot;
  // index i is the centre of cell i
  const xs = new LinearScale([-0.5, c - 0.5], [P.x, P.x + P.width]);
  const ys = new LinearScale([-0.5, r - 0.5], [P.y, P.y + P.height]);
  const cells: string[] = [];
  const edge = (s: LinearScale, i: number): number => Math.round(s.map(i - 0.5) * 100) / 100;
  for (let i = 0; i < r; i++) {
    const y0 = edge(ys, i);
    const y1 = edge(ys, i + 1);
    for (let j = 0; j < c; j++) {
      const x0 = edge(xs, j);
      const x1 = edge(xs, j + 1);
      const val = v[i * c + j];
      const fill = Number.isFinite(val) ? map((val - domain[0]) / (domain[1] - domain[0])) : NAN_COLOR;
      cells.push(`<rect class="cell" x="${x0}" y="${y0}" width="${Math.round((x1 - x0) * 100) / 100}" height="${Math.round((y1 - y0) * 100) / 100}" fill="${fill}"/>`);
    }
  }
  fig.add(group(cells, { class: 'cells', 'shape-rendering': r * c > 2500 ? 'crispEdges' : undefined }));
  fig.add(rect(P.x, P.y, P.width, P.height, { fill: 'none', stroke: STYLE.frame, 'stroke-width': 0.8 }));
  fig.add(
    axisBottom(xs, P.y + P.height, { ticks: indexTicks(c, P.width, xLabels?.map(show), true), noLine: true }),
    axisLeft(ys, P.x, { ticks: indexTicks(r, P.height, yLabels?.map(show), false), noLine: true }),
  );
  fig.add(colorbar(P.x + P.width + PANEL_GAP, P.y, { ...bar, height: Math.max(60, Math.min(P.height * 0.6, 260)) }));
  return fig.toString();
}

/** Ticks at cell indices: labelled ones spaced so they fit (steps 1, 2, 5, 10, ...), or nice index ticks. */
function indexTicks(n: number, px: number, labels: string[] | undefined, horizontal: boolean): Tick[] {
  if (!labels) {
    const t = niceTicks0(n, px);
    return t.map((value) => ({ value, label: String(value) }));
  }
  const size = Math.max(...labels.map((s) => (horizontal ? textWidth(s, STYLE.tickSize) : STYLE.tickSize)));
  // labels at least 36 px apart (and never touching), in steps of 1, 2, 5, 10, 20, ... cells
  const need = Math.max(size + 8, 36) / (px / n);
  let step = 1;
  for (let e = 1; step < need; e *= 10) {
    for (const m of [1, 2, 5]) {
      step = m * e;
      if (step >= need) break;
    }
    if (step >= need) break;
  }
  const out: Tick[] = [];
  for (let i = 0; i < n; i += step) out.push({ value: i, label: labels[i] });
  return out;
}

function niceTicks0(n: number, px: number): number[] {
  const t = new LinearScale([0, n - 1], [0, px]).ticks(Math.max(2, Math.round(px / 70))).filter(Number.isInteger);
  return t.length ? t : [0];
}

// ---- grouped bars ----------------------------------------------------------------------------------

export interface BarSeries {
  name: string;
  /** One value per group. */
  values: readonly number[];
  color?: string;
}

export interface BarChartOptions {
  title?: string;
  subtitle?: string;
  yLabel?: string;
  xLabel?: string;
  groups: readonly string[];
  series: readonly BarSeries[];
  /** The y range; bars start at its lower end when 0 is outside it (e.g. accuracies in [0.5, 1]). */
  yDomain?: [number, number];
  /** Value labels (default: 3 significant digits). Return '' for none. */
  valueFormat?: (v: number) => string;
  width?: number;
  height?: number;
}

/**
 * Grouped bars: one group per entry of `groups` along x, one bar per series inside each group
 * (Okabe-Ito colours, legend right), the value written above each bar (turned vertical when it
 * is wider than the bar). Non-finite values get no bar and the label 'n/a'.
 *
 * @example
 * ```ts
 * barChart({ title: 'Test accuracy', yLabel: 'accuracy', groups: ['disk', 'xor'],
 *   series: [{ name: 'DLGN', values: [0.98, 0.97] }, { name: 'ReLU', values: [0.99, 0.98] }] });
 * ```
 */
export function barChart(o: BarChartOptions): string {
  const fn = 'barChart';
  if (!o || !Array.isArray(o.groups as unknown) || !Array.isArray(o.series as unknown)) throw new Error(`${fn}: options need groups (string[]) and series ({ name, values }[])`);
  const G = o.groups.length;
  o.series.forEach((s, i) => {
    if (s.values.length !== G) throw new Error(`${fn}: series ${i} ('${s.name}') has ${s.values.length} values for ${G} groups`);
  });
  const width = o.width ?? 680;
  const height = o.height ?? 420;
  checkSize(fn, width, height);
  const fmt = o.valueFormat ?? ((v: number): string => formatNumber(v, 3));
  const all = o.series.flatMap((s) => s.values);
  const ext = finiteExtent(all) ?? [0, 1];
  const yd: [number, number] = o.yDomain ?? [Math.min(0, ext[0]), Math.max(0, ext[1])];
  const color = (i: number): string => o.series[i].color ?? categoryColor(i);
  const items: LegendItem[] = o.series.map((s, i) => ({ kind: 'fill', label: s.name, color: color(i) }));

  // room for wrapped group labels under the axis
  const lsize = o.series.length ? legendSize(items, { maxLabelWidth: Math.min(200, width * 0.28) }) : { width: 0 };
  const plotWGuess = width - 80 - (o.series.length ? lsize.width + PANEL_GAP + PAD : 24);
  const bandGuess = (plotWGuess / Math.max(1, G)) * 0.8;
  const groupLines = o.groups.map((g) => wrapText(g, Math.max(40, bandGuess), STYLE.tickSize));
  const maxLines = Math.max(1, ...groupLines.map((l) => l.length));
  const frame = chartFrame(fn, {
    width,
    height,
    title: o.title,
    subtitle: o.subtitle,
    xLabel: o.xLabel,
    yLabel: o.yLabel,
    legend: items,
    bottomExtra: (maxLines - 1) * STYLE.tickSize * 1.2,
    topExtra: STYLE.tickSize + 4,
    yScale: (range) => {
      const s = new LinearScale(yd, range);
      return o.yDomain ? s : s.nice(Math.max(2, Math.round(Math.abs(range[0] - range[1]) / 50)));
    },
  });
  const { fig, P, ys, yTicks } = frame;
  const band = new BandScale(o.groups, [P.x, P.x + P.width], 0.2);
  const inner = new BandScale(
    o.series.map((s) => s.name),
    [0, band.bandwidth],
    o.series.length > 1 ? 0.08 : 0,
  );
  fig.add(axisLeft(ys, P.x, { ticks: yTicks, grid: P.width }));
  const [d0, d1] = ys.domain;
  const base = Math.min(Math.max(0, Math.min(d0, d1)), Math.max(d0, d1));
  const yBase = ys.map(base);
  const bars: string[] = [];
  const labels: string[] = [];
  const fs = Math.max(8, Math.min(STYLE.tickSize, inner.bandwidth * 0.9));
  // one orientation for every label: across the bars when all of them fit, else vertical
  const vertical = o.series.some((s) => s.values.some((v) => Number.isFinite(v) && textWidth(fmt(v), fs) > inner.bandwidth + 6));
  o.series.forEach((s, si) => {
    s.values.forEach((val, gi) => {
      const x = band.at(gi) + inner.at(si);
      const w = inner.bandwidth;
      const cx = x + w / 2;
      if (!Number.isFinite(val)) {
        labels.push(text(cx, yBase - 4, 'n/a', { 'text-anchor': 'middle', 'font-size': fs, fill: STYLE.mutedInk }));
        return;
      }
      const clamped = Math.min(Math.max(val, Math.min(d0, d1)), Math.max(d0, d1));
      const yv = ys.map(clamped);
      bars.push(
        el('rect', { class: 'bar', x, y: Math.min(yv, yBase), width: w, height: Math.abs(yBase - yv), fill: color(si) }, tooltip(`${s.name}, ${o.groups[gi]}: ${formatNumber(val)}`)),
      );
      const label = fmt(val);
      if (!label) return;
      const up = val >= base;
      const lw = textWidth(label, fs);
      const barLen = Math.abs(yBase - yv);
      if (!vertical) {
        // across the bar: beyond its end, or just inside it when beyond would leave the plot
        // (a negative bar reaching the bottom, where the group labels are)
        const within = up ? yv - 4 - fs >= P.y - (STYLE.tickSize + 4) : yv + fs + 2 <= P.y + P.height - 2;
        const inside = !within && barLen >= fs + 6;
        const ty = up ? (inside ? yv + fs + 2 : yv - 4) : inside ? yv - 4 : yv + fs + 2;
        const ink = inside ? (luminance(color(si)) > 0.45 ? '#111111' : '#ffffff') : STYLE.ink;
        labels.push(text(cx, ty, label, { 'text-anchor': 'middle', 'font-size': fs, fill: ink, class: 'bar-label' }));
        return;
      }
      // too wide: written vertically, inside the bar's end when it is long enough, else beyond it
      const inside = barLen >= lw + 8;
      const ink = inside ? (luminance(color(si)) > 0.45 ? '#111111' : '#ffffff') : STYLE.ink;
      const tx = cx + fs * 0.35;
      const ty = inside ? (up ? yv + 4 : yv - 4) : up ? yv - 4 : yv + 4;
      labels.push(
        text(tx, ty, label, {
          'text-anchor': inside === up ? 'end' : 'start',
          'font-size': fs,
          fill: ink,
          class: 'bar-label',
          transform: `rotate(-90 ${Math.round(tx * 100) / 100} ${Math.round(ty * 100) / 100})`,
        }),
      );
    });
  });
  fig.add(group(bars, { class: 'bars' }), group(labels, { class: 'bar-labels' }));
  // baseline and group labels
  fig.add(line(P.x, yBase, P.x + P.width, yBase, { stroke: STYLE.axis, 'stroke-width': 1 }));
  fig.add(line(P.x, P.y + P.height, P.x + P.width, P.y + P.height, { stroke: STYLE.axis, 'stroke-width': 1 }));
  const groupText = o.groups.map((_, gi) =>
    text(band.center(gi), P.y + P.height + 8 + STYLE.tickSize * 0.9, groupLines[gi], { 'text-anchor': 'middle', 'font-size': STYLE.tickSize, fill: STYLE.ink }),
  );
  fig.add(group(groupText, { class: 'axis axis-bottom' }));
  frame.drawLegend();
  return fig.toString();
}

/** Relative luminance (0 black .. 1 white) of a hex colour, to pick readable text on it. */
function luminance(hex: string): number {
  const [r, g, b] = parseHex(hex).map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// ---- scatter plots ---------------------------------------------------------------------------------

export interface ScatterPoint {
  x: number;
  y: number;
  /** Category: colour and marker shape, with a legend entry. */
  group?: string;
}

export interface ScatterOptions {
  title?: string;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  points: readonly ScatterPoint[];
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** The order (and so the colours) of the groups; default: order of first appearance. */
  groups?: readonly string[];
  /** Marker radius (default from the number of points). */
  radius?: number;
  width?: number;
  height?: number;
}

/**
 * Points in the plane, coloured and shaped by group (Okabe-Ito, legend right), e.g. hyperplane
 * distances per layer or cluster assignments. Non-finite points are skipped.
 */
export function scatterPlot(o: ScatterOptions): string {
  const fn = 'scatterPlot';
  if (!o || !Array.isArray(o.points as unknown)) throw new Error(`${fn}: options.points must be an array of { x, y, group? }`);
  const width = o.width ?? 640;
  const height = o.height ?? 460;
  checkSize(fn, width, height);
  const pts = o.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const order = o.groups ? o.groups.slice() : [];
  for (const p of pts) if (p.group !== undefined && !order.includes(p.group)) order.push(p.group);
  const gi = new Map(order.map((g, i) => [g, i]));
  const items: LegendItem[] = order.map((g, i) => ({ kind: 'point', label: g, color: categoryColor(i), shape: MARKER_SHAPES[i % MARKER_SHAPES.length] }));
  const pad = (e: [number, number]): [number, number] => {
    const s = e[1] - e[0] || Math.abs(e[0]) || 1;
    return [e[0] - s * 0.04, e[1] + s * 0.04];
  };
  const xe = o.xDomain ?? pad(finiteExtent(pts.map((p) => p.x)) ?? [0, 1]);
  const ye = o.yDomain ?? pad(finiteExtent(pts.map((p) => p.y)) ?? [0, 1]);
  const frame = chartFrame(fn, {
    width,
    height,
    title: o.title,
    subtitle: o.subtitle,
    xLabel: o.xLabel,
    yLabel: o.yLabel,
    legend: items,
    yScale: (range) => {
      const s = new LinearScale(ye, range);
      return o.yDomain ? s : s.nice(Math.max(2, Math.round(Math.abs(range[0] - range[1]) / 50)));
    },
  });
  const { fig, P, ys, yTicks } = frame;
  const xCount = Math.max(2, Math.round(P.width / 90));
  let xs = new LinearScale(xe, [P.x, P.x + P.width]);
  if (!o.xDomain) xs = xs.nice(xCount);
  fig.add(axisLeft(ys, P.x, { ticks: yTicks, grid: P.width }), axisBottom(xs, P.y + P.height, { ticks: xCount, grid: P.height }));
  const r = o.radius ?? (pts.length <= 100 ? 4.5 : pts.length <= 1000 ? 3.2 : 2);
  const marks = pts.map((p) => {
    const i = p.group === undefined ? -1 : (gi.get(p.group) as number);
    const shape = i < 0 ? 'circle' : MARKER_SHAPES[i % MARKER_SHAPES.length];
    return marker(shape, xs.map(p.x), ys.map(p.y), r, { class: 'point', fill: i < 0 ? categoryColor(0) : categoryColor(i) });
  });
  const clipId = `${fig.idPrefix}-plot-clip`;
  fig.defs(el('clipPath', { id: clipId }, rect(P.x - r, P.y - r, P.width + 2 * r, P.height + 2 * r)), clipId);
  fig.add(group(marks, { 'clip-path': `url(#${clipId})`, stroke: '#1a1a1a', 'stroke-width': 0.6, 'fill-opacity': 0.85 }));
  fig.add(rect(P.x, P.y, P.width, P.height, { fill: 'none', stroke: STYLE.frame, 'stroke-width': 0.8 }));
  frame.drawLegend();
  return fig.toString();
}
