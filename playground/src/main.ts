// The playground page: controls, live pictures, the path inspector and exports. The numbers come
// from logic.ts (the library's own code); this file draws them and wires the controls.

import { type Arrangement2D, type Box2D, type Cell2D, type Line2D, type Model, lines2D, serializeCheckpoint } from '../../src/index.js';
import {
  CLASS_COLORS,
  LAYER_COLORS,
  MARKER_SHAPES,
  REGION_FILLS,
  diverging,
  escapeXml,
  gatingLinesFigure,
  heatmap,
  lighten,
  lineChart,
  modelName,
  patternColors,
  regionFigure,
} from '../../src/viz/index.js';
import { Tensor } from '../../src/index.js';
import { modelToSafetensors } from '../../src/io/index.js';
import {
  DATASET_NAMES,
  DEFAULTS,
  type Inspection,
  MODEL_LABELS,
  MODEL_NAMES,
  type ModelName,
  type PlaygroundData,
  Run,
  type Settings,
  addPoint,
  arrangementOf,
  boxFor,
  builtinData,
  checkSettings,
  cliCommand,
  csvData,
  dataToCsv,
  inspect,
  removeNear,
  sampledMap,
  settingsFromHash,
  settingsToHash,
  splitData,
} from './logic.js';
import { type DrawnLine, GRID, PAD, PLANE, type PaintMessage, type PaintReply, type PaintScene, SIZE, SampledImage, paintScene, readPixel } from './paint.js';

/** What tests and the curious can read: `window.playground`. */
interface PlaygroundApi {
  settings: () => Settings;
  data: () => PlaygroundData;
  runs: () => Run[];
  inspection: () => Inspection | null;
  frames: () => number;
  /** Milliseconds each of the last 200 redraws took (region map, and the maps, curves and inspector when due). */
  drawTimes: () => number[];
  /** Milliseconds of the region map alone (arrangement2D, its cells and painting the canvas) in the last 200 redraws. */
  regionTimes: () => number[];
  /**
   * Milliseconds of each part of a redraw (the last 200 times each ran): arrangement, regions (all
   * of the region map, painting posted to the worker), inspector, maps, curves, status; and of
   * each frame: frame (from the animation frame's start to after its style, layout, paint and
   * commit: the main thread's whole cost of a frame) and slice-overrun (how far the optimiser step
   * that crossed a training slice's deadline went past it).
   */
  partTimes: () => Record<string, number[]>;
  /** The box the planes show. */
  box: () => Box2D;
  /** The arrangement the region map was last drawn from (null for a model without half-spaces). */
  arrangement: () => Arrangement2D | null;
  /** What a plane's canvas ('regions', 'decision', 'compare') shows now, as drawn: cells with their fill and polygon (plane units), lines, its size. */
  picture: (id: string) => PictureRecord | null;
  /** What is under a point of a plane's canvas, in CSS pixels from its top left corner: a line, a cell, or nothing (the tooltip's and the click's hit test). */
  hit: (id: string, x: number, y: number) => Hit | null;
  /** The RGBA of pixel (x, y) of a plane's canvas (backing-store pixels), once what was drawn is painted. */
  pixel: (id: string, x: number, y: number) => Promise<number[]>;
  /** Whether the planes are painted by the paint worker (OffscreenCanvas) or on the main thread. */
  offscreen: () => boolean;
}
interface PictureRecord {
  kind: 'exact' | 'sampled';
  /** The plane's coordinate space: SIZE x SIZE units, the plot at PAD..PAD + PLANE. */
  size: number;
  pad: number;
  plane: number;
  cells: { index: number; fill: string; hatched: boolean; polygon: [number, number][] }[];
  lines: { layer: number; unit: number; width: number; arrow: { from: [number, number]; to: [number, number] } }[];
  label: string;
  /** The canvas's backing store (pixels) and its CSS size. */
  pixels: [number, number];
  css: [number, number];
}
declare global {
  interface Window {
    playground?: PlaygroundApi;
  }
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`playground: element #${id} is missing`);
  return e as T;
};

// ---- state ----------------------------------------------------------------------------------------

let settings: Settings = DEFAULTS;
let data: PlaygroundData;
let runs: Run[] = [];
let box: Box2D = { xmin: -1, xmax: 1, ymin: -1, ymax: 1 };
let arrangement: Arrangement2D | null = null;
let arrangementStep = -1;
let inspection: Inspection | null = null;
let inspectionStep = -1;
let selectedPath = 0;
let cursor: [number, number] = [0, 0];
let frames = 0;
/** Bumped whenever the data changes (the overlays key on it). */
let dataVersion = 0;
const drawTimes: number[] = [];
const regionTimes: number[] = [];
let regionCost = 0;
const partTimes: Record<string, number[]> = {};
/** Runs one part of a redraw and keeps its time (the last 200) for `window.playground.partTimes()`. */
function timed<T>(part: string, fn: () => T): T {
  const t0 = performance.now();
  const v = fn();
  record(part, performance.now() - t0);
  return v;
}
function record(part: string, ms: number): void {
  const list = (partTimes[part] ??= []);
  list.push(ms);
  if (list.length > 200) list.shift();
}
let dirty = true;
let fill: 'output' | 'pattern' = 'output';

/** While training, the canvases' aria-labels (counts, accuracy) are rewritten at most this often; when paused, every redraw. */
const LABELS_MS = 500;
/** While training, the status line, the region map's caption and the command line are rewritten at most this often. */
const TEXTS_MS = 250;


// ---- the plane: region map, lines, sampled map, points, on <canvas> ----------------------------------
//
// The live pictures are drawn on canvases: as SVG, a frame of the region map cost ~7 ms of script
// to update its polygons in place and 10-15 ms of Chromium's style, layout and paint after it. A
// plane is drawn in a fixed coordinate space of SIZE x SIZE units (the plot at PAD..PAD+PLANE),
// scaled to the canvas's backing store of CSS size x devicePixelRatio pixels, so it is as sharp
// as the screen. Tooltips and clicks are hit-tested in code against the exact polygons and line
// segments (`hitAt`). The exported figures are the library's SVG (regionFigure, ...), unchanged.

const X = (v: number): number => PAD + ((v - box.xmin) / (box.xmax - box.xmin)) * PLANE;
const Y = (v: number): number => PAD + ((box.ymax - v) / (box.ymax - box.ymin)) * PLANE;

/** The gating line each drawn line is (its tooltip is made only when asked for). */
const titles = new WeakMap<DrawnLine, Line2D>();
function lineTitle(l: DrawnLine): string {
  const ln = titles.get(l);
  return ln ? `layer ${ln.layer}, unit ${ln.unit}: ${ln.weight[0].toFixed(3)} x1 + ${ln.weight[1].toFixed(3)} x2 + ${ln.bias.toFixed(3)} > 0 on the arrow side` : '';
}

function drawnLines(lines: readonly Line2D[], highlight: ReadonlySet<string>): DrawnLine[] {
  const out: DrawnLine[] = [];
  for (const ln of lines) {
    if (!ln.segment || !ln.normal) continue;
    const [[a, b], [c, d]] = ln.segment;
    const hot = highlight.has(`${ln.layer}:${ln.unit}`);
    const mx = X((a + c) / 2);
    const my = Y((b + d) / 2);
    const L = hot ? 18 : 11;
    out.push({
      layer: ln.layer,
      unit: ln.unit,
      a: [X(a), Y(b)],
      b: [X(c), Y(d)],
      color: LAYER_COLORS[(ln.layer - 1) % LAYER_COLORS.length],
      width: hot ? 4 : 1.6,
      dashed: ln.layer % 2 === 0,
      arrow: { from: [mx, my], to: [mx + ln.normal[0] * L, my - ln.normal[1] * L], width: hot ? 2.5 : 1.4 },
    });
    titles.set(out[out.length - 1], ln);
  }
  return out;
}

/** What a plane shows: the exact cells (plane units, with the cell each is, for hit tests), or a sampled map (RGBA); and the lines over it. */
type Scene =
  | { kind: 'exact'; cells: { polygon: [number, number][]; fill: string; on: boolean; cell: Cell2D }[]; lines: DrawnLine[] }
  | { kind: 'sampled'; rgba: Uint8ClampedArray; lines: DrawnLine[] };

/** A picture panel: its canvas, the overlay canvas of points and cursors above it, and what they show. */
interface Plane {
  id: string;
  base: HTMLCanvasElement;
  over: HTMLCanvasElement;
  /** The canvases' side in pixels (a canvas handed to the worker cannot be read or resized here). */
  width: number;
  /** Painted by the paint worker on an OffscreenCanvas (else here, on the main thread). */
  offscreen: boolean;
  sampled: SampledImage;
  scene: Scene | null;
  overKey: string;
  label: string;
}
const planes = new Map<string, Plane>();

/**
 * The planes are painted by a worker where the browser can hand it the canvas (OffscreenCanvas;
 * `?paint=main` in the page's URL paints on the main thread instead, as browsers without it do).
 */
const OFFSCREEN =
  new URLSearchParams(location.search).get('paint') !== 'main' &&
  typeof OffscreenCanvas !== 'undefined' &&
  typeof Worker !== 'undefined' &&
  typeof HTMLCanvasElement.prototype.transferControlToOffscreen === 'function';
let worker: Worker | null = null;
const pixelRequests = new Map<number, (rgba: number[]) => void>();
let pixelRequest = 0;
function paintWorker(): Worker {
  if (worker) return worker;
  worker = new Worker(new URL('./paint-worker.js', import.meta.url));
  worker.onmessage = (e: MessageEvent<PaintReply>) => {
    const m = e.data;
    if (m.type === 'error') {
      showMessage(`drawing failed: ${m.message}`, true);
      return;
    }
    pixelRequests.get(m.request)?.(m.rgba);
    pixelRequests.delete(m.request);
  };
  worker.onerror = (e) => showMessage(`drawing failed: ${e.message}`, true);
  return worker;
}

/** The backing store follows the canvas's size in device pixels (ResizeObserver), so it stays sharp on any screen and zoom. */
const resizer = new ResizeObserver((entries) => {
  for (const e of entries) {
    const p = [...planes.values()].find((q) => q.base === e.target);
    if (!p) continue;
    // the exact device pixels where the browser reports them consistently with devicePixelRatio
    // (an emulated device scale factor, as in headless Chromium, reports CSS pixels there)
    const css = e.contentRect.width * devicePixelRatio;
    const dev = e.devicePixelContentBoxSize?.[0]?.inlineSize;
    const w = Math.max(1, dev !== undefined && Math.abs(dev - css) < 2 ? dev : Math.round(css));
    if (p.width === w) continue;
    p.width = w;
    p.over.width = w;
    p.over.height = w;
    if (p.offscreen) paintWorker().postMessage({ type: 'resize', id: p.id, width: w } satisfies PaintMessage);
    else {
      p.base.width = w;
      p.base.height = w;
    }
    // a resized canvas is blank: repaint what it showed (before this frame is painted)
    paintPlane(p);
    p.overKey = '';
    syncOverlay(p);
  }
});

function plane(id: string): Plane {
  const found = planes.get(id);
  if (found) return found;
  const el = $(id);
  el.innerHTML = '<canvas class="base" role="img"></canvas><canvas class="over" aria-hidden="true"></canvas>';
  const base = el.querySelector<HTMLCanvasElement>('canvas.base')!;
  const over = el.querySelector<HTMLCanvasElement>('canvas.over')!;
  const w = Math.round(SIZE * devicePixelRatio);
  for (const c of [base, over]) {
    c.width = w;
    c.height = w;
  }
  const p: Plane = { id, base, over, width: w, offscreen: OFFSCREEN, sampled: new SampledImage(), scene: null, overKey: '', label: '' };
  if (p.offscreen) {
    const canvas = base.transferControlToOffscreen();
    paintWorker().postMessage({ type: 'init', id, canvas, width: w } satisfies PaintMessage, [canvas]);
  }
  planes.set(id, p);
  resizer.observe(base, { box: 'device-pixel-content-box' });
  base.addEventListener('mousemove', (ev) => {
    const q = canvasPoint(ev, base);
    const hit = q ? hitAt(p, q[0], q[1]) : null;
    const title = hit?.title ?? '';
    if (base.title !== title) base.title = title;
  });
  base.addEventListener('mouseleave', () => {
    if (base.title) base.title = '';
  });
  return p;
}

/** A 2-D context (of an overlay) whose units are the plane's (SIZE x SIZE), whatever the backing store's size. */
function context(c: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = c.getContext('2d')!;
  const s = c.width / SIZE;
  ctx.setTransform(s, 0, 0, s, 0, 0);
  return ctx;
}

/** Paints a plane's scene: posted to the paint worker, or painted here. */
function paintPlane(p: Plane): void {
  const s = p.scene;
  const scene: PaintScene | null =
    s === null ? null : s.kind === 'exact' ? { kind: 'exact', cells: s.cells.map((c) => ({ polygon: c.polygon, fill: c.fill, on: c.on })), lines: s.lines } : s;
  if (p.offscreen) paintWorker().postMessage({ type: 'scene', id: p.id, scene } satisfies PaintMessage);
  else paintScene(p.base.getContext('2d')!, p.width, scene, p.sampled);
}

function setScene(p: Plane, scene: Scene, label: string, labelNow: boolean): void {
  p.scene = scene;
  paintPlane(p);
  if (labelNow || !p.label) {
    p.label = label;
    if (p.base.getAttribute('aria-label') !== label) p.base.setAttribute('aria-label', label);
  }
  syncOverlay(p);
}

/** The data points, the inspected point and the keyboard cross, on the overlay canvas. */
function paintOverlay(p: Plane): void {
  const ctx = context(p.over);
  ctx.clearRect(0, 0, SIZE, SIZE);
  ctx.save();
  ctx.beginPath();
  ctx.rect(PAD, PAD, PLANE, PLANE);
  ctx.clip();
  const r = data.x.length <= 300 ? 3.6 : data.x.length <= 1200 ? 2.8 : 2;
  ctx.strokeStyle = '#1a1a1a';
  ctx.lineWidth = 0.6;
  for (let i = 0; i < data.x.length; i++) {
    const c = data.labels[i];
    const cx = X(data.x[i]);
    const cy = Y(data.y[i]);
    ctx.beginPath();
    if (MARKER_SHAPES[c] === 'triangle') {
      const h = r * 1.35; // as the SVG marker
      ctx.moveTo(cx, cy - h);
      ctx.lineTo(cx + h * 0.866, cy + h * 0.5);
      ctx.lineTo(cx - h * 0.866, cy + h * 0.5);
      ctx.closePath();
    } else {
      ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    }
    ctx.fillStyle = CLASS_COLORS[c];
    ctx.fill();
    ctx.stroke();
  }
  if (inspection) {
    const [sx, sy] = [X(inspection.point[0]), Y(inspection.point[1])];
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#000';
    ctx.beginPath();
    ctx.arc(sx, sy, 7, 0, 2 * Math.PI);
    ctx.stroke();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = '#fff';
    ctx.beginPath();
    ctx.arc(sx, sy, 9, 0, 2 * Math.PI);
    ctx.stroke();
  }
  const [kx, ky] = [X(cursor[0]), Y(cursor[1])];
  ctx.lineWidth = 1.2;
  ctx.strokeStyle = '#000';
  ctx.beginPath();
  ctx.moveTo(kx - 6, ky);
  ctx.lineTo(kx + 6, ky);
  ctx.moveTo(kx, ky - 6);
  ctx.lineTo(kx, ky + 6);
  ctx.stroke();
  ctx.restore();
}

/** Repaints the overlay only when its content changed. */
function syncOverlay(p: Plane): void {
  const key = `${dataVersion}|${box.xmin},${box.xmax},${box.ymin},${box.ymax}|${inspection?.point.join(',') ?? ''}|${cursor.join(',')}|${p.over.width}`;
  if (p.overKey !== key) {
    paintOverlay(p);
    p.overKey = key;
  }
}

/** Plane units of a mouse event on a canvas (null outside it). */
function canvasPoint(ev: MouseEvent, c: HTMLCanvasElement): [number, number] | null {
  const rect = c.getBoundingClientRect();
  if (!(rect.width > 0)) return null;
  return [((ev.clientX - rect.left) / rect.width) * SIZE, ((ev.clientY - rect.top) / rect.height) * SIZE];
}

/** Distance from (x, y) to the segment a-b. */
function segmentDistance(x: number, y: number, a: readonly [number, number], b: readonly [number, number]): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((x - a[0]) * dx + (y - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(x - a[0] - t * dx, y - a[1] - t * dy);
}

/** Inside a convex polygon (either orientation; the boundary counts), in plane units. */
function insideConvex(x: number, y: number, poly: readonly (readonly [number, number])[]): boolean {
  let sign = 0;
  for (let i = 0; i < poly.length; i++) {
    const [ax, ay] = poly[i];
    const [bx, by] = poly[(i + 1) % poly.length];
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    if (Math.abs(cross) < 1e-9) continue;
    if (sign === 0) sign = Math.sign(cross);
    else if (Math.sign(cross) !== sign) return false;
  }
  return true;
}

type Hit = { kind: 'line'; layer: number; unit: number; title: string } | { kind: 'cell'; index: number; title: string };

/** What is under (x, y) (plane units) in a plane: a gating line (within 3 units of it), else the cell of the exact map. */
function hitAt(p: Plane, x: number, y: number): Hit | null {
  const s = p.scene;
  if (!s || x < PAD || x > PAD + PLANE || y < PAD || y > PAD + PLANE) return null;
  let best: DrawnLine | null = null;
  let bestD = Infinity;
  for (const l of s.lines) {
    const d = segmentDistance(x, y, l.a, l.b) - l.width / 2;
    if (d <= 3 && d < bestD) {
      bestD = d;
      best = l;
    }
  }
  if (best) return { kind: 'line', layer: best.layer, unit: best.unit, title: lineTitle(best) };
  if (s.kind !== 'exact') return null;
  // cells are drawn in order, so the last one containing the point is the one on top
  for (let i = s.cells.length - 1; i >= 0; i--) {
    const c = s.cells[i];
    if (insideConvex(x, y, c.polygon)) {
      const k = c.cell;
      return { kind: 'cell', index: k.index, title: `region ${k.index}: pattern ${k.key}, ${k.activePaths} active paths, hard-gated output [${k.output.map((o) => o.toFixed(4)).join(', ')}]` };
    }
  }
  return null;
}

/** The sampled map of a model as RGBA pixels, GRID x GRID. */
function sampledRgba(model: Model): Uint8ClampedArray {
  const prob = sampledMap(model, box, GRID);
  const colors = sampledColors();
  const rgba = new Uint8ClampedArray(4 * GRID * GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    const j = 3 * Math.round(Math.min(1, Math.max(0, prob[i])) * (LUT_SIZE - 1));
    rgba[4 * i] = colors[j];
    rgba[4 * i + 1] = colors[j + 1];
    rgba[4 * i + 2] = colors[j + 2];
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}

/**
 * The diverging fill, lighten(diverging(t), 0.3), at LUT_SIZE equally spaced t in [0, 1], as hex
 * strings (for the cells) and RGB bytes (for the sampled maps' pixels): computing it per cell cost
 * ~2.4 ms a frame for 140 cells, per pixel 10 ms a map. Neighbouring entries differ by under one
 * unit of 255 per channel, so a colour is within a unit of the one computed at its own t.
 */
const LUT_SIZE = 2048;
let lutHex: string[] | null = null;
let lut: Uint8Array | null = null;
function divergingFill(t: number): string {
  lutHex ??= Array.from({ length: LUT_SIZE }, (_, i) => lighten(diverging(i / (LUT_SIZE - 1)), 0.3));
  return lutHex[Math.round(Math.min(1, Math.max(0, t)) * (LUT_SIZE - 1))];
}
function sampledColors(): Uint8Array {
  if (lut) return lut;
  lut = new Uint8Array(3 * LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const hex = divergingFill(i / (LUT_SIZE - 1));
    for (let k = 0; k < 3; k++) lut[3 * i + k] = parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  }
  return lut;
}

/** The exact region map: every cell of the arrangement, filled by hard-gated output or pattern; returns the caption. */
function drawRegions(model: Model, labelNow: boolean): string {
  const step = runs[0]?.steps ?? 0;
  if (arrangement === null || arrangementStep !== step) {
    arrangement = timed('arrangement', () => arrangementOf(model, box));
    arrangementStep = step;
  }
  const p = plane('regions');
  if (arrangement === null) {
    // no half-spaces (ReLU, DLN): the sampled decision map is all there is
    setScene(p, { kind: 'sampled', rgba: sampledRgba(model), lines: [] }, `sampled decision map of ${modelName(model)}${accuracyText()}`, labelNow);
    return `${modelName(model)} has no gating half-spaces: sampled decision map (${GRID} x ${GRID} grid of the softmax output)`;
  }
  const cells = arrangement.cells;
  let colors: string[];
  if (fill === 'pattern') {
    colors = patternColors(cells).map((i) => REGION_FILLS[i % REGION_FILLS.length]);
  } else {
    const v = cells.map((c) => c.output[1] - c.output[0]);
    let m = 1e-12;
    for (const d of v) m = Math.max(m, Math.abs(d));
    colors = v.map((d) => divergingFill((d / m + 1) / 2));
  }
  // the cells where every half-space of the selected path holds (its active region under hard gates)
  const cs = inspection?.constraints[selectedPath] ?? [];
  const scene: Scene = {
    kind: 'exact',
    cells: cells.map((c, i) => ({
      polygon: c.polygon.map(([a, b]) => [X(a), Y(b)] as [number, number]),
      fill: colors[i],
      on: cs.length > 0 && cs.every((k) => c.pattern[k.layer - 1][k.unit] === 1),
      cell: c,
    })),
    lines: drawnLines(arrangement.lines, highlighted()),
  };
  const shown = scene.lines.length;
  setScene(p, scene, `exact region map: ${cells.length} regions, ${shown} gating lines${accuracyText()}`, labelNow);
  return `${cells.length} regions (exact polygons), ${shown} gating lines; fill: ${fill === 'pattern' ? 'one colour per gate pattern' : 'hard-gated logit difference (orange: class 1, blue: class 0)'}; arrows point to the ON side`;
}

function accuracyText(): string {
  const last = runs[0]?.curve.at(-1);
  return last ? `; test accuracy ${(100 * last.testAccuracy).toFixed(1)}%` : '';
}

function highlighted(): Set<string> {
  const cs = inspection?.constraints[selectedPath] ?? [];
  return new Set(cs.map((c) => `${c.layer}:${c.unit}`));
}

function drawDecision(id: string, model: Model, labelNow: boolean): void {
  const p = plane(id);
  // only the half-spaces of the selected path, so the sampled map stays readable
  const hot = highlighted();
  const lines = arrangement !== null && model === runs[0]?.model && hot.size > 0 ? drawnLines(lines2D(model, box).filter((l) => hot.has(`${l.layer}:${l.unit}`)), hot) : [];
  const r = runs.find((x) => x.model === model);
  const last = r?.curve.at(-1);
  setScene(p, { kind: 'sampled', rgba: sampledRgba(model), lines }, `sampled decision map of ${modelName(model)}${last ? `; test accuracy ${(100 * last.testAccuracy).toFixed(1)}%` : ''}`, labelNow);
}

// ---- curves ---------------------------------------------------------------------------------------

/**
 * A series thinned to at most `max` points for the page's charts: in each of max/2 runs of
 * consecutive epochs, its lowest and highest points, in order, so the drawn envelope is the
 * full series' at the chart's resolution (drawing every point of 1000 epochs cost 10-12 ms a
 * redraw, and growing with the run). Exported curves keep every point.
 */
function thin(x: number[], y: number[], max: number | null): { x: number[]; y: number[] } {
  const n = x.length;
  if (max === null || n <= max) return { x, y };
  const buckets = Math.floor(max / 2);
  const tx: number[] = [];
  const ty: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const lo = Math.floor((b * n) / buckets);
    const hi = Math.floor(((b + 1) * n) / buckets);
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      // NaN (no value) is neither; a bucket of NaN keeps its first point
      if (y[i] < y[iMin] || Number.isNaN(y[iMin])) iMin = i;
      if (y[i] > y[iMax] || Number.isNaN(y[iMax])) iMax = i;
    }
    for (const i of iMin === iMax ? [iMin] : [Math.min(iMin, iMax), Math.max(iMin, iMax)]) {
      tx.push(x[i]);
      ty.push(y[i]);
    }
  }
  return { x: tx, y: ty };
}

/** The loss and accuracy charts; `live`: thinned to one point per two pixels of width (the low and high of every four). */
function curvesSvg(width: number, live = false): { loss: string; acc: string } {
  const r = runs[0];
  const max = live ? Math.round(width / 2) : null;
  const series = (name: string, run: Run, key: 'loss' | 'testLoss' | 'accuracy' | 'testAccuracy'): { name: string; x: number[]; y: number[] } => ({
    name,
    ...thin(
      run.curve.map((c) => c.epoch),
      run.curve.map((c) => c[key]),
      max,
    ),
  });
  const ep = r ? r.curve.map((c) => c.epoch) : [];
  const lossSeries = r ? [series('train', r, 'loss'), series('test', r, 'testLoss')] : [];
  const accSeries = r ? [series('train', r, 'accuracy'), series('test', r, 'testAccuracy')] : [];
  const cmp = runs[1];
  if (cmp) {
    lossSeries.push(series('ReLU test', cmp, 'testLoss'));
    accSeries.push(series('ReLU test', cmp, 'testAccuracy'));
  }
  const xDomain: [number, number] = [0, Math.max(1, ep.length)];
  const height = 220;
  const empty = lossSeries.every((s) => s.x.length === 0);
  return {
    loss: lineChart({ title: 'Loss (cross-entropy)', xLabel: 'epoch', yLabel: 'loss', logY: !empty, series: lossSeries, xDomain, width, height, markers: false }),
    acc: lineChart({ title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy', series: accSeries, xDomain, yDomain: [0, 1], width, height, markers: false }),
  };
}

// ---- inspector -------------------------------------------------------------------------------------

const full = (v: number): string => v.toPrecision(17).replace(/\.?0+(e|$)/, '$1');
const short = (v: number): string => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(3));

function pathLabel(id: readonly number[], L: number): string {
  const [s, start, ...units] = id;
  const from = s === 0 ? `x${start + 1}` : s === L + 1 ? 'output bias' : `bias of layer ${s}`;
  return units.length ? `${from} → ${units.map((u, i) => `${(s === 0 ? 1 : s) + i}:${u}`).join(' → ')}` : from;
}

function renderInspector(): void {
  const box_ = $('inspector');
  const r = runs[0];
  if (!inspection || !r) {
    box_.innerHTML = '<p class="hint">Choose <b>Inspect</b> and click the region map (or move the cross with the arrow keys and press Enter) to see the paths at a point.</p>';
    return;
  }
  const ins = inspection;
  const L = r.model.config.widths.length;
  const k = ins.output.length;
  const visible = new Set((arrangement?.lines ?? []).filter((l) => l.segment !== null).map((l) => `${l.layer}:${l.unit}`));
  const rows = ins.top
    .map((p, i) => {
      const cons = ins.constraints[i];
      const why = cons.length
        ? cons.map((c) => `${c.weight[0].toFixed(2)} x1 ${c.weight[1] < 0 ? '−' : '+'} ${Math.abs(c.weight[1]).toFixed(2)} x2 ${c.bias < 0 ? '−' : '+'} ${Math.abs(c.bias).toFixed(2)} > 0${visible.has(`${c.layer}:${c.unit}`) ? '' : ' (line outside the view)'}`).join('; ')
        : '—';
      return `<tr class="${i === selectedPath ? 'selected' : ''}"><td><button type="button" class="path-btn" data-path="${i}" aria-pressed="${i === selectedPath}">${escapeXml(pathLabel(p.id, L))}</button></td>` +
        `<td>${Array.from(p.value).map(short).join(', ')}</td><td>${short(p.activity)}</td><td>${Array.from(p.contribution).map(short).join(', ')}</td><td class="why">${escapeXml(why)}</td></tr>`;
    })
    .join('');
  const sumRow = ins.sum
    ? Array.from({ length: k }, (_, c) => {
        const diff = Math.abs(ins.sum![c] - ins.output[c]);
        return `<tr><th scope="row">logit ${c}</th><td class="num" data-sum="${ins.sum![c]}">${full(ins.sum![c])}</td><td class="num" data-output="${ins.output[c]}">${full(ins.output[c])}</td><td class="num" data-diff="${diff}">${diff.toExponential(2)}</td></tr>`;
      }).join('')
    : `<tr><td colspan="4">${ins.pathCount} paths: too many to enumerate here</td></tr>`;
  const reg = ins.region
    ? `<p><b>Region ${ins.region.index}</b>: gate pattern <code>${ins.region.key}</code> (one digit per unit, layers separated), ${ins.region.activePaths} active paths; there the hard-gated network is the constant <code>f(x) = [${ins.region.output.map((v) => v.toFixed(4)).join(', ')}]</code> (with value input ones, a DLGN's output under hard gates only changes across gating lines).</p>`
    : '';
  box_.innerHTML =
    `<p>Point <code>(${ins.point[0].toFixed(4)}, ${ins.point[1].toFixed(4)})</code>: output logits <code>[${ins.output.map(short).join(', ')}]</code>, P(class 1) = ${ins.p1.toFixed(4)}.</p>` +
    `<table class="sum" aria-label="sum over paths against the output"><thead><tr><th></th><th scope="col">Σ over all ${ins.pathCount} paths</th><th scope="col">network output</th><th scope="col">|difference|</th></tr></thead><tbody>${sumRow}</tbody></table>` +
    reg +
    `<table class="paths"><caption>Top ${ins.top.length} paths by |contribution| (a path is its start, then layer:unit per hidden layer; select one to highlight the half-spaces that switch it on and hatch the region where all of them hold)</caption><thead><tr><th scope="col">path</th><th scope="col">value (per logit)</th><th scope="col">activity</th><th scope="col">contribution</th><th scope="col">ON when</th></tr></thead><tbody>${rows}</tbody></table>`;
  for (const b of box_.querySelectorAll<HTMLButtonElement>('.path-btn')) {
    b.addEventListener('click', () => {
      selectedPath = Number(b.dataset.path);
      renderInspector();
      dirty = true;
      box_.querySelector<HTMLButtonElement>(`.path-btn[data-path="${selectedPath}"]`)?.focus();
    });
  }
}

function inspectAt(p: [number, number]): void {
  const r = runs[0];
  if (!r) return;
  const arr = arrangementOf(r.model, box);
  inspection = inspect(r.model, p, 8, arr);
  inspectionStep = r.steps;
  selectedPath = Math.min(selectedPath, Math.max(0, inspection.top.length - 1));
  renderInspector();
  dirty = true;
}

// ---- drawing loop -------------------------------------------------------------------------------------

/** While training, the costlier parts redraw at most every `ms`; otherwise every time. */
const lastDrawn = new Map<string, number>();
function due(part: string, ms: number, running: boolean): boolean {
  const now = performance.now();
  const last = lastDrawn.get(part);
  if (running && last !== undefined && now - last < ms) return false;
  lastDrawn.set(part, now);
  return true;
}

/** The curves' width, measured only when the window changes size (reading it forces a layout). */
let curveWidth = 300;
function measureCurves(): void {
  curveWidth = Math.max(300, Math.min(520, $('curves').clientWidth / (window.innerWidth < 700 ? 1 : 2) - 12));
}
/** What the curves were last drawn from: width and number of epochs. */
let curvesDrawn = '';

/** Sets an element's text only when it changes (an equal write still invalidates style and layout). */
function setText(id: string, text: string): void {
  const el = $(id);
  if (el.textContent !== text) el.textContent = text;
}
function setHidden(id: string, hidden: boolean): void {
  const el = $(id);
  if (el.hidden !== hidden) el.hidden = hidden;
}

function draw(): void {
  frames++;
  const r = runs[0];
  if (!r) return;
  const running = runs.some((x) => x.state === 'running');
  // while training, the texts that change every epoch (status line, caption, command line) are
  // rewritten a few times a second: each rewrite costs a style, layout and paint of its part of the page
  const texts = due('texts', TEXTS_MS, running);
  // the region map every frame, unless it is expensive (wide nets have thousands of cells):
  // past 30 ms a redraw, at most a quarter of the time goes to it while training
  if (due('regions', regionCost > 30 ? 3 * regionCost : 0, running)) {
    const t0 = performance.now();
    const caption = timed('regions', () => drawRegions(r.model, due('labels', LABELS_MS, running)));
    regionCost = performance.now() - t0;
    regionTimes.push(regionCost);
    if (regionTimes.length > 200) regionTimes.shift();
    if (texts) setText('regions-caption', caption);
  }
  // the inspected point follows the training (on the same arrangement), a few times a second
  // at most one of the costlier parts (inspector, sampled maps, curves) per frame while training
  let heavy = false;
  if (inspection && inspectionStep !== r.steps && due('inspector', 400, running)) {
    heavy = running;
    timed('inspector', () => {
      inspection = inspect(r.model, inspection!.point, 8, arrangement);
      inspectionStep = r.steps;
      renderInspector();
    });
  }
  // a network without half-spaces has only the sampled map: shown once, in the first panel
  const gated = arrangement !== null;
  setText('regions-title', gated ? 'Regions and gating lines' : `Decision map (sampled): ${MODEL_LABELS[r.name]}`);
  setHidden('fill-choice', !gated);
  setHidden('decision-panel', !gated);
  setText('decision-title', `Decision map: ${MODEL_LABELS[r.name]}`);
  const cmp = runs[1];
  setHidden('compare-panel', !cmp);
  if (!heavy && due('maps', 200, running)) {
    heavy = running;
    timed('maps', () => {
      const labels = due('map-labels', LABELS_MS, running);
      if (gated) drawDecision('decision', r.model, labels);
      if (cmp) drawDecision('compare', cmp.model, labels);
    });
  }
  const curveKey = `${curveWidth}|${r.curve.length}|${cmp?.curve.length ?? -1}`;
  if (curveKey !== curvesDrawn && !heavy && due('curves', 250, running)) {
    heavy = running;
    timed('curves', () => {
      const c = curvesSvg(curveWidth, true);
      $('curve-loss').innerHTML = c.loss;
      $('curve-acc').innerHTML = c.acc;
      curvesDrawn = curveKey;
    });
  }
  timed('status', () => status(r, cmp, texts));
}

function status(r: Run, cmp: Run | undefined, texts: boolean): void {
  const last = r.curve.at(-1);
  const st = r.state === 'failed' ? `failed: ${r.error}` : r.state;
  if (texts)
    setText(
    'status',
    `${MODEL_LABELS[r.name]} ${r.model.config.widths.join('-')}: epoch ${r.epochsDone}/${settings.epochs}, ${st}` +
    (last ? `; train loss ${last.loss.toFixed(4)}, test accuracy ${(100 * last.testAccuracy).toFixed(1)}%` : '') +
      (cmp?.curve.at(-1) ? `; ReLU test accuracy ${(100 * cmp.curve.at(-1)!.testAccuracy).toFixed(1)}%` : ''),
  );
  const ds = $('status').dataset;
  const setData = (k: 'state' | 'epoch' | 'testAccuracy', v: string): void => {
    if (ds[k] !== v) ds[k] = v;
  };
  setData('state', r.state);
  setData('epoch', String(r.epochsDone));
  setData('testAccuracy', last ? String(last.testAccuracy) : '');
  const playing = r.state === 'running';
  const play = $<HTMLButtonElement>('play');
  setText('play', playing ? 'Pause' : 'Play');
  if (play.getAttribute('aria-pressed') !== String(playing)) play.setAttribute('aria-pressed', String(playing));
  const step = $<HTMLButtonElement>('step');
  if (step.disabled !== (playing || r.state === 'done')) step.disabled = playing || r.state === 'done';
  const off = r.state === 'done' || r.state === 'failed';
  if (play.disabled !== off) play.disabled = off;
  const tip = off ? 'Finished: Reset to train again, or raise Epochs' : '';
  if (play.title !== tip) play.title = tip;
  if (texts) setText('cli', cliCommand(settings, r.name, data, r.epochsDone || settings.epochs));
}

// ---- pacing: one slice of training per frame -------------------------------------------------------
//
// Left to itself, fitAsync yields every few milliseconds and the browser runs several such slices
// between two frames, so a frame came only every 75-100 ms. Instead each optimiser step asks
// `pace()`: training goes on until the slice's deadline, then waits for the next frame. A frame can
// only start on a display refresh (every VSYNC_MS). After a frame is drawn and painted (F ms after
// it started), training runs until FRAME_MARGIN_MS before the first refresh that leaves it at
// least MIN_SLICE_MS and at least F / 2: a cheap frame (F up to ~7 ms) is followed by the next
// refresh, a costlier one by the one after, and training always gets a third of the time or more.

const VSYNC_MS = 1000 / 60;
/** Room left before the refresh, for the step that crosses the deadline. */
const FRAME_MARGIN_MS = 3;
/** Training gets at least this much after every frame, however long the drawing took. */
const MIN_SLICE_MS = 6;
let sliceEnd = 0;
let frameStart = 0;
let held: (() => void)[] = [];
const afterPaint = new MessageChannel();
afterPaint.port1.onmessage = () => {
  const now = performance.now();
  const took = now - frameStart;
  record('frame', took);
  const need = Math.max(MIN_SLICE_MS, took / 2);
  const k = Math.max(1, Math.ceil((took + need + FRAME_MARGIN_MS) / VSYNC_MS));
  sliceEnd = frameStart + k * VSYNC_MS - FRAME_MARGIN_MS;
  release();
};
function release(): void {
  const h = held;
  held = [];
  for (const r of h) r();
}
function pace(): Promise<void> | undefined {
  // a hidden page gets no frames: train freely (fitAsync still yields)
  const now = performance.now();
  if (document.hidden || now < sliceEnd) return undefined;
  if (held.length === 0) record('slice-overrun', now - sliceEnd);
  return new Promise<void>((r) => held.push(r));
}
document.addEventListener('visibilitychange', release);

function loop(): void {
  frameStart = performance.now();
  // training resumes in a task posted now, which runs after this frame's style, layout and paint
  afterPaint.port2.postMessage(null);
  if (dirty) {
    dirty = false;
    try {
      const t0 = performance.now();
      draw();
      drawTimes.push(performance.now() - t0);
      if (drawTimes.length > 200) drawTimes.shift();
    } catch (e) {
      showMessage(`drawing failed: ${(e as Error).message}`, true);
    }
  }
  requestAnimationFrame(loop);
}

// ---- runs -----------------------------------------------------------------------------------------------

function reset(): void {
  for (const r of runs) r.dispose();
  dataVersion++;
  const splits = splitData(data, settings.seed);
  const update = (): void => {
    dirty = true;
  };
  runs = [new Run(settings.model, settings, splits, update, pace)];
  if (settings.compare && settings.model !== 'relu') runs.push(new Run('relu', settings, splits, update, pace));
  arrangement = null;
  arrangementStep = -1;
  lastDrawn.clear();
  curvesDrawn = '';
  if (inspection) inspectAt(inspection.point);
  $('data-summary').textContent = `${data.source}: ${data.x.length} points (${data.labels.filter((l) => l === 1).length} of class 1); split 60/20/20 into ${splits.train.x.shape[0]} train, ${splits.validation.x.shape[0]} validation, ${splits.test.x.shape[0]} test`;
  dirty = true;
}


// ---- controls --------------------------------------------------------------------------------------------

function showMessage(text: string, error = false): void {
  const m = $('message');
  m.textContent = text;
  m.className = error ? 'message error' : 'message';
}

function readSettings(): Settings {
  const num = (id: string): number => Number($<HTMLInputElement>(id).value);
  const widths = $<HTMLInputElement>('widths').value.split(',').map((w) => w.trim()).filter((w) => w !== '');
  const s: Settings = {
    dataset: $<HTMLSelectElement>('dataset').value as Settings['dataset'],
    n: num('n'),
    noise: num('noise'),
    seed: num('seed'),
    model: $<HTMLSelectElement>('model').value as ModelName,
    widths: widths.map(Number),
    beta: num('beta'),
    gate: $<HTMLSelectElement>('gate').value as Settings['gate'],
    optimizer: $<HTMLSelectElement>('optimizer').value as Settings['optimizer'],
    lr: num('lr'),
    batch: num('batch'),
    epochs: num('epochs'),
    compare: $<HTMLInputElement>('compare-relu').checked,
  };
  return checkSettings(s);
}

function writeSettings(s: Settings): void {
  $<HTMLSelectElement>('dataset').value = s.dataset;
  $<HTMLInputElement>('n').value = String(s.n);
  $<HTMLInputElement>('noise').value = String(s.noise);
  $<HTMLInputElement>('seed').value = String(s.seed);
  $<HTMLSelectElement>('model').value = s.model;
  $<HTMLInputElement>('widths').value = s.widths.join(',');
  $<HTMLInputElement>('beta').value = String(s.beta);
  $<HTMLSelectElement>('gate').value = s.gate;
  $<HTMLSelectElement>('optimizer').value = s.optimizer;
  $<HTMLInputElement>('lr').value = String(s.lr);
  $<HTMLInputElement>('batch').value = String(s.batch);
  $<HTMLInputElement>('epochs').value = String(s.epochs);
  $<HTMLInputElement>('compare-relu').checked = s.compare;
  const gated = s.model === 'dlgn' || s.model === 'dlgn-sf';
  $<HTMLInputElement>('beta').disabled = !gated;
  $<HTMLSelectElement>('gate').disabled = !gated;
}

function applySettings(next: Settings, regenerate: boolean): void {
  settings = next;
  writeSettings(settings);
  history.replaceState(null, '', settingsToHash(settings));
  if (regenerate) {
    data = builtinData(settings);
    box = boxFor(data);
    inspection = null;
    renderInspector();
  }
  reset();
}

function onSettingsChange(e: Event): void {
  const id = (e.target as HTMLElement).id;
  let next: Settings;
  try {
    next = readSettings();
  } catch (err) {
    showMessage(`Not applied: ${(err as Error).message}`, true);
    return;
  }
  showMessage('');
  applySettings(next, ['dataset', 'n', 'noise', 'seed'].includes(id) && (id !== 'seed' || data.builtin !== null));
}

function clickMode(): 'inspect' | 'add0' | 'add1' | 'remove' {
  return ($<HTMLFormElement>('controls').elements.namedItem('clickmode') as RadioNodeList).value as 'inspect' | 'add0' | 'add1' | 'remove';
}

/** The point of the box under a mouse event on a plane's canvas (null outside the plot). */
function planePoint(ev: MouseEvent, id: string): [number, number] | null {
  const q = canvasPoint(ev, plane(id).base);
  if (!q) return null;
  const [px, py] = q;
  if (px < PAD || px > PAD + PLANE || py < PAD || py > PAD + PLANE) return null;
  return [box.xmin + ((px - PAD) / PLANE) * (box.xmax - box.xmin), box.ymax - ((py - PAD) / PLANE) * (box.ymax - box.ymin)];
}

function actAt(p: [number, number]): void {
  cursor = p;
  const mode = clickMode();
  if (mode === 'inspect') {
    inspectAt(p);
    return;
  }
  const before = data.x.length;
  const next = mode === 'remove' ? removeNear(data, p[0], p[1], (box.xmax - box.xmin) * 0.03) : addPoint(data, p[0], p[1], mode === 'add1' ? 1 : 0);
  if (next === data) {
    showMessage('No point near there to remove.');
    return;
  }
  if (next.x.length < 5 || new Set(next.labels).size < 2) {
    showMessage('Not removed: the data needs at least 5 points of both classes.', true);
    return;
  }
  data = next;
  showMessage(`${mode === 'remove' ? 'Removed' : 'Added'} a point (${before} → ${data.x.length}); the model restarts from its seed on the new data.`);
  reset();
}

function download(name: string, text: string | Uint8Array, type: string): void {
  const url = URL.createObjectURL(new Blob([text as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function checkpointText(r: Run): string {
  const s = settings;
  const description = data.builtin ? { dataset: data.builtin.dataset, n: data.builtin.n, noise: data.builtin.noise, seed: s.seed, split: [0.6, 0.2, 0.2] } : { file: 'data.csv', rows: data.x.length, seed: s.seed, split: [0.6, 0.2, 0.2] };
  return serializeCheckpoint(r.model, {
    seed: s.seed,
    data: description,
    loss: 'ce',
    optimizer: { kind: s.optimizer, lr: s.lr, momentum: s.optimizer === 'sgd' ? 0.9 : 0, epochs: s.epochs, batchSize: s.batch },
    playground: { epochsTrained: r.epochsDone, steps: r.steps, settings: settingsToHash(s) },
  });
}

function labeledData(): { x: Tensor; y: Tensor } {
  const n = data.x.length;
  const xs = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    xs[2 * i] = data.x[i];
    xs[2 * i + 1] = data.y[i];
  }
  return { x: new Tensor(xs, [n, 2]), y: new Tensor(Float64Array.from(data.labels), [n]) };
}

function exportFigure(which: 'regions' | 'lines' | 'curves' | 'decision'): void {
  const r = runs[0];
  if (!r) return;
  const name = r.name;
  if (which === 'curves') {
    const c = curvesSvg(640);
    download(`${name}-loss.svg`, c.loss, 'image/svg+xml');
    download(`${name}-accuracy.svg`, c.acc, 'image/svg+xml');
    return;
  }
  const gated = arrangementOf(r.model, box) !== null;
  if ((which === 'regions' || which === 'lines') && gated) {
    const svg = which === 'regions' ? regionFigure(r.model, { data: labeledData(), box, colorBy: fill }) : gatingLinesFigure(r.model, { data: labeledData(), box });
    download(`${name}-${which}.svg`, svg, 'image/svg+xml');
    return;
  }
  // the sampled decision map as a heat map (rows top to bottom)
  const p = sampledMap(r.model, box, GRID);
  const svg = heatmap({ title: `${modelName(r.model)}: P(class 1), sampled ${GRID} x ${GRID}`, matrix: new Tensor(p, [GRID, GRID]), colorMap: 'sequential', domain: [0, 1], colorLabel: 'P(class 1)', xLabel: 'x1 (left to right)', yLabel: 'x2 (top to bottom)' });
  download(`${name}-decision.svg`, svg, 'image/svg+xml');
}

function setup(): void {
  // options of the selects, from the library's tables
  $('dataset').innerHTML = DATASET_NAMES.map((d) => `<option value="${d}">${d}</option>`).join('');
  $('model').innerHTML = MODEL_NAMES.map((m) => `<option value="${m}">${MODEL_LABELS[m]}</option>`).join('');

  const fromHash = settingsFromHash(location.hash);
  if (fromHash.problems.length) showMessage(`Some settings in the link were not understood and have their defaults: ${fromHash.problems.join('; ')}`, true);
  settings = fromHash.settings;
  data = builtinData(settings);
  box = boxFor(data);
  writeSettings(settings);
  history.replaceState(null, '', settingsToHash(settings));
  reset();
  renderInspector();

  for (const id of ['dataset', 'n', 'noise', 'seed', 'model', 'widths', 'beta', 'gate', 'optimizer', 'lr', 'batch', 'epochs', 'compare-relu']) {
    $(id).addEventListener('change', onSettingsChange);
  }
  $('controls').addEventListener('submit', (e) => e.preventDefault());
  $('regenerate').addEventListener('click', () => applySettings(readSettingsOr(settings), true));
  $('play').addEventListener('click', () => {
    const playing = runs[0]?.state === 'running';
    for (const r of runs) (playing ? r.pause() : r.play());
    dirty = true;
  });
  $('step').addEventListener('click', () => {
    for (const r of runs) r.step();
  });
  $('reset').addEventListener('click', () => {
    reset();
    showMessage('Reset: the model is back at its seeded initialisation.');
  });
  for (const el of document.querySelectorAll<HTMLInputElement>('input[name="fill"]')) {
    el.addEventListener('change', () => {
      fill = el.value as 'output' | 'pattern';
      dirty = true;
    });
  }
  $('csv').addEventListener('change', async () => {
    const input = $<HTMLInputElement>('csv');
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    try {
      const next = csvData(text, file.name);
      data = next;
      box = boxFor(data);
      inspection = null;
      renderInspector();
      showMessage(`Loaded ${file.name}: ${data.x.length} points.`);
      reset();
    } catch (e) {
      showMessage(`Could not load ${file.name}: ${(e as Error).message.replace(`${file.name}: `, '')}. The previous data is kept.`, true);
    }
    input.value = '';
  });
  for (const id of ['regions', 'decision']) {
    const el = $(id);
    el.addEventListener('click', (ev) => {
      const p = planePoint(ev, id);
      if (p) actAt(p);
    });
  }
  // keyboard: the region map is focusable; arrows move the cross, Enter acts as a click
  $('regions').addEventListener('keydown', (ev) => {
    const step = ((box.xmax - box.xmin) / 40) * (ev.shiftKey ? 5 : 1);
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    const m = moves[ev.key];
    if (m) {
      ev.preventDefault();
      cursor = [Math.min(box.xmax, Math.max(box.xmin, cursor[0] + m[0])), Math.min(box.ymax, Math.max(box.ymin, cursor[1] + m[1]))];
      dirty = true;
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      actAt(cursor);
    }
  });
  $('export-checkpoint').addEventListener('click', () => runs[0] && download(`${runs[0].name}-checkpoint.json`, checkpointText(runs[0]), 'application/json'));
  $('export-safetensors').addEventListener('click', () => runs[0] && download(`${runs[0].name}.safetensors`, modelToSafetensors(runs[0].model), 'application/octet-stream'));
  $('export-regions').addEventListener('click', () => exportFigure('regions'));
  $('export-lines').addEventListener('click', () => exportFigure('lines'));
  $('export-decision').addEventListener('click', () => exportFigure('decision'));
  $('export-curves').addEventListener('click', () => exportFigure('curves'));
  $('export-csv').addEventListener('click', () => download('data.csv', dataToCsv(data), 'text/csv'));
  $('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(location.href);
      showMessage('Link copied: it holds the settings (not the data).');
    } catch {
      showMessage(`Copy this link (it holds the settings, not the data): ${location.href}`);
    }
  });
  window.addEventListener('hashchange', () => {
    if (location.hash === settingsToHash(settings)) return;
    const h = settingsFromHash(location.hash);
    if (h.problems.length) showMessage(`Some settings in the link were not understood: ${h.problems.join('; ')}`, true);
    applySettings(h.settings, true);
  });
  measureCurves();
  window.addEventListener('resize', () => {
    measureCurves();
    dirty = true;
  });
  window.playground = { settings: () => settings, data: () => data, runs: () => runs, inspection: () => inspection, frames: () => frames, drawTimes: () => drawTimes.slice(), regionTimes: () => regionTimes.slice(), partTimes: () => Object.fromEntries(Object.entries(partTimes).map(([k, v]) => [k, v.slice()])),
    box: () => box,
    arrangement: () => arrangement,
    picture: (id) => {
      const p = planes.get(id);
      if (!p?.scene) return null;
      const s = p.scene;
      return {
        kind: s.kind,
        size: SIZE,
        pad: PAD,
        plane: PLANE,
        cells: s.kind === 'exact' ? s.cells.map((c) => ({ index: c.cell.index, fill: c.fill, hatched: c.on, polygon: c.polygon.map((q) => [q[0], q[1]] as [number, number]) })) : [],
        lines: s.lines.map((l) => ({ layer: l.layer, unit: l.unit, width: l.width, arrow: { from: l.arrow.from, to: l.arrow.to } })),
        label: p.base.getAttribute('aria-label') ?? '',
        pixels: [p.width, p.width],
        css: [p.base.clientWidth, p.base.clientHeight],
      };
    },
    hit: (id, x, y) => {
      const p = planes.get(id);
      if (!p) return null;
      const w = p.base.clientWidth;
      return w > 0 ? hitAt(p, (x / w) * SIZE, (y / p.base.clientHeight) * SIZE) : null;
    },
    pixel: (id, x, y) => {
      const p = planes.get(id);
      if (!p) return Promise.reject(new Error(`playground.pixel: no plane '${id}'`));
      if (!p.offscreen) return Promise.resolve(readPixel(p.base, x, y));
      const request = ++pixelRequest;
      return new Promise((ok) => {
        pixelRequests.set(request, ok);
        paintWorker().postMessage({ type: 'pixel', id, x, y, request } satisfies PaintMessage);
      });
    },
    offscreen: () => OFFSCREEN,
  };
  requestAnimationFrame(loop);
}

function readSettingsOr(s: Settings): Settings {
  try {
    return readSettings();
  } catch (e) {
    showMessage(`Not applied: ${(e as Error).message}`, true);
    return s;
  }
}

setup();
