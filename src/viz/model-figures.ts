// Figures that read a model: region maps and gating lines of 2-D gated linear networks, and the model's name as the paper writes it.

import { archLabel } from '../models/config.js';
import type { Model } from '../models/families.js';
import { type Cell2D, type Line2D, arrangement2D, lines2D } from '../paths/arrangement.js';
import { type Box2D, DEFAULT_BOX } from '../paths/polygon.js';
import { Tensor } from '../tensor/tensor.js';
import { PANEL_GAP, PAD, checkSize, finiteExtent } from './layout.js';
import {
  type ColorMap,
  Figure,
  LinearScale,
  type LegendItem,
  MARKER_SHAPES,
  type MarkerShape,
  NAN_COLOR,
  OKABE_ITO,
  STYLE,
  axisBottom,
  axisLeft,
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
  tickLabelWidth,
  tooltip,
  viridis,
  arrow,
  el,
} from './svg.js';


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
  // both throw the clear error of src/paths (requireHalfspaces) for models without half-spaces or with d != 2
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
