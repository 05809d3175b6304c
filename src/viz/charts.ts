// Model-free charts as SVG text: line charts, heat maps, grouped bars, scatter plots.

import { Tensor } from '../tensor/tensor.js';
import { PANEL_GAP, PAD, checkSize, finiteExtent } from './layout.js';
import {
  BandScale,
  DASHES,
  Figure,
  type FigureOptions,
  LinearScale,
  type LegendItem,
  LogScale,
  MARKER_SHAPES,
  type MarkerShape,
  NAN_COLOR,
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
  line,
  marker,
  rect,
  text,
  textWidth,
  tickLabelWidth,
  tooltip,
  viridis,
  wrapText,
  el,
} from './svg.js';

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
    ...chartText(o),
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

/** The text fields of a chart's options, as the frame takes them. */
type ChartText = Pick<FigureOptions, 'title' | 'subtitle' | 'xLabel' | 'yLabel'>;
const chartText = (o: ChartText): ChartText => ({ title: o.title, subtitle: o.subtitle, xLabel: o.xLabel, yLabel: o.yLabel });

/** A figure with a plot area sized around a y scale's tick labels and a legend panel on the right. */
function chartFrame(
  fn: string,
  o: Pick<FigureOptions, 'width' | 'height'> & ChartText & {
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
    ...chartText(o),
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
    ...chartText(o),
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
    ...chartText(o),
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
