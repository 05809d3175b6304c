// The playground page: controls, live pictures, the path inspector and exports. The numbers come
// from logic.ts (the library's own code); this file draws them and wires the controls.

import { type Arrangement2D, type Box2D, type Line2D, type Model, lines2D, serializeCheckpoint } from '../../src/index.js';
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
  marker,
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

/** What tests and the curious can read: `window.playground`. */
interface PlaygroundApi {
  settings: () => Settings;
  data: () => PlaygroundData;
  runs: () => Run[];
  inspection: () => Inspection | null;
  frames: () => number;
  /** Milliseconds each of the last 200 redraws took (region map, and the maps, curves and inspector when due). */
  drawTimes: () => number[];
  /** Milliseconds of the region map alone (arrangement2D and its SVG) in the last 200 redraws. */
  regionTimes: () => number[];
  /** Milliseconds of each part of a redraw (the last 200 times each ran): arrangement, regions (its SVG and DOM), inspector, maps, curves, status. */
  partTimes: () => Record<string, number[]>;
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
  const list = (partTimes[part] ??= []);
  list.push(performance.now() - t0);
  if (list.length > 200) list.shift();
  return v;
}
let dirty = true;
let fill: 'output' | 'pattern' = 'output';

const PLANE = 400;
const PAD = 8;
const GRID = 48;

// ---- the plane: region map, lines, sampled map, points -------------------------------------------

const X = (v: number): number => PAD + ((v - box.xmin) / (box.xmax - box.xmin)) * PLANE;
const Y = (v: number): number => PAD + ((box.ymax - v) / (box.ymax - box.ymin)) * PLANE;
const f = (v: number): string => (Math.round(v * 100) / 100).toString();
const pts = (poly: readonly (readonly [number, number])[]): string => poly.map(([a, b]) => `${f(X(a))},${f(Y(b))}`).join(' ');

function pointsSvg(): string {
  const parts: string[] = [];
  const r = data.x.length <= 300 ? 3.6 : data.x.length <= 1200 ? 2.8 : 2;
  for (let i = 0; i < data.x.length; i++) {
    const c = data.labels[i];
    parts.push(marker(MARKER_SHAPES[c], X(data.x[i]), Y(data.y[i]), r, { fill: CLASS_COLORS[c] }));
  }
  return `<g class="data-points" stroke="#1a1a1a" stroke-width="0.6">${parts.join('')}</g>`;
}

/** A gating line as drawn: its segment (with the equation as a tooltip) and the arrow to its ON side. */
interface DrawnLine {
  seg: Record<string, string>;
  title: string;
  arrow: Record<string, string>;
}

function drawnLines(lines: readonly Line2D[], highlight: ReadonlySet<string>): DrawnLine[] {
  const out: DrawnLine[] = [];
  for (const ln of lines) {
    if (!ln.segment || !ln.normal) continue;
    const [[a, b], [c, d]] = ln.segment;
    const color = LAYER_COLORS[(ln.layer - 1) % LAYER_COLORS.length];
    const hot = highlight.has(`${ln.layer}:${ln.unit}`);
    const seg: Record<string, string> = { x1: f(X(a)), y1: f(Y(b)), x2: f(X(c)), y2: f(Y(d)), stroke: color, 'stroke-width': String(hot ? 4 : 1.6) };
    if (ln.layer % 2 === 0) seg['stroke-dasharray'] = '6 3';
    // ON side: a short arrow from the midpoint along the normal (screen y points down)
    const mx = X((a + c) / 2);
    const my = Y((b + d) / 2);
    const L = hot ? 18 : 11;
    const arrow = { x1: f(mx), y1: f(my), x2: f(mx + ln.normal[0] * L), y2: f(my - ln.normal[1] * L), stroke: color, 'stroke-width': String(hot ? 2.5 : 1.4), 'marker-end': `url(#pg-arrow-${(ln.layer - 1) % LAYER_COLORS.length})` };
    out.push({ seg, title: `layer ${ln.layer}, unit ${ln.unit}: ${ln.weight[0].toFixed(3)} x1 + ${ln.weight[1].toFixed(3)} x2 + ${ln.bias.toFixed(3)} > 0 on the arrow side`, arrow });
  }
  return out;
}

const attrs = (a: Record<string, string>): string =>
  Object.entries(a)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');

function linesSvg(lines: readonly Line2D[], highlight: ReadonlySet<string>): string {
  return drawnLines(lines, highlight)
    .map((l) => `<line${attrs(l.seg)}><title>${escapeXml(l.title)}</title></line><line${attrs(l.arrow)}/>`)
    .join('');
}

function arrowDefs(): string {
  return `<defs>${LAYER_COLORS.map((c, i) => `<marker id="pg-arrow-${i}" viewBox="0 0 10 10" refX="7" refY="5" markerWidth="4" markerHeight="4" orient="auto-start-reverse" markerUnits="strokeWidth"><path d="M0,0 L10,5 L0,10 L2.5,5 z" fill="${c}"/></marker>`).join('')}</defs>`;
}

/**
 * The sampled map's colours, lighten(diverging(p), 0.3) at LUT_SIZE equally spaced p, as RGB bytes
 * (one colour string per pixel cost 10 ms a map). Neighbouring entries differ by under one unit
 * of 255 per channel, so a pixel is within a unit of the colour computed at its own p.
 */
const LUT_SIZE = 2048;
let lut: Uint8Array | null = null;
function sampledColors(): Uint8Array {
  if (lut) return lut;
  lut = new Uint8Array(3 * LUT_SIZE);
  for (let i = 0; i < LUT_SIZE; i++) {
    const hex = lighten(diverging(i / (LUT_SIZE - 1)), 0.3);
    for (let k = 0; k < 3; k++) lut[3 * i + k] = parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  }
  return lut;
}
const mapCanvas = document.createElement('canvas');
mapCanvas.width = GRID;
mapCanvas.height = GRID;

function sampledImage(model: Model): string {
  const p = sampledMap(model, box, GRID);
  const colors = sampledColors();
  const canvas = mapCanvas;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(GRID, GRID);
  for (let i = 0; i < GRID * GRID; i++) {
    const j = 3 * Math.round(Math.min(1, Math.max(0, p[i])) * (LUT_SIZE - 1));
    img.data[4 * i] = colors[j];
    img.data[4 * i + 1] = colors[j + 1];
    img.data[4 * i + 2] = colors[j + 2];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return `<image x="${PAD}" y="${PAD}" width="${PLANE}" height="${PLANE}" preserveAspectRatio="none" style="image-rendering: pixelated" href="${canvas.toDataURL()}"/>`;
}

function frame(inner: string, label: string): string {
  const size = PLANE + 2 * PAD;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" role="img" aria-label="${escapeXml(label)}">${arrowDefs()}<rect x="${PAD}" y="${PAD}" width="${PLANE}" height="${PLANE}" fill="#f7f7f7"/><svg x="${PAD}" y="${PAD}" width="${PLANE}" height="${PLANE}" viewBox="${PAD} ${PAD} ${PLANE} ${PLANE}">${inner}</svg><rect x="${PAD}" y="${PAD}" width="${PLANE}" height="${PLANE}" fill="none" stroke="#333"/></svg>`;
}

/** Points, the inspected point and the keyboard cross: a second SVG over the plane, redrawn only when they change. */
function overlaySvg(): string {
  const size = PLANE + 2 * PAD;
  const sel = inspection ? `<g class="cursor-selected" stroke="#000" stroke-width="2" fill="none"><circle cx="${f(X(inspection.point[0]))}" cy="${f(Y(inspection.point[1]))}" r="7"/><circle cx="${f(X(inspection.point[0]))}" cy="${f(Y(inspection.point[1]))}" r="9" stroke="#fff" stroke-width="1.5"/></g>` : '';
  const cur = `<g class="kbd-cursor" stroke="#000" stroke-width="1.2"><line x1="${f(X(cursor[0]) - 6)}" y1="${f(Y(cursor[1]))}" x2="${f(X(cursor[0]) + 6)}" y2="${f(Y(cursor[1]))}"/><line x1="${f(X(cursor[0]))}" y1="${f(Y(cursor[1]) - 6)}" x2="${f(X(cursor[0]))}" y2="${f(Y(cursor[1]) + 6)}"/></g>`;
  return `<svg class="overlay" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" aria-hidden="true">${pointsSvg()}${sel}${cur}</svg>`;
}

/** A panel's two layers: the picture (.base) and the overlay of points and cursors (.over). */
function layers(id: string): { base: HTMLElement; over: HTMLElement } {
  const el = $(id);
  let base = el.querySelector<HTMLElement>('.base');
  let over = el.querySelector<HTMLElement>('.over');
  if (!base || !over) {
    el.innerHTML = '<div class="base"></div><div class="over"></div>';
    base = el.querySelector<HTMLElement>('.base')!;
    over = el.querySelector<HTMLElement>('.over')!;
  }
  return { base, over };
}

/** Redraws the overlay only when its content changed. */
function syncOverlay(over: HTMLElement): void {
  const key = `${dataVersion}|${box.xmin},${box.xmax},${box.ymin},${box.ymax}|${inspection?.point.join(',') ?? ''}|${cursor.join(',')}`;
  if (over.dataset.key !== key) {
    over.innerHTML = overlaySvg();
    over.dataset.key = key;
  }
}

/** Puts a plane's picture (an SVG string) and its overlay into a panel. */
function setPlane(id: string, svg: string): void {
  const { base, over } = layers(id);
  base.innerHTML = svg;
  delete base.dataset.exact;
  syncOverlay(over);
}

// The exact region map is updated in place: its polygons, lines and tooltips are kept from frame
// to frame and only the attributes and texts that changed are written. Rebuilding it from a
// string every frame cost ~7 ms of HTML parsing and ~9 ms of style recalculation.

const SVG_NS = 'http://www.w3.org/2000/svg';
const setAttr = (el: Element, k: string, v: string): void => {
  if (el.getAttribute(k) !== v) el.setAttribute(k, v);
};
const setTitle = (el: Element, text: string): void => {
  const t = el.firstElementChild!;
  if (t.textContent !== text) t.textContent = text;
};
/** Makes `g` hold exactly n children, adding ones made by `make` or removing from the end. */
function sized(g: Element, n: number, make: () => Element): HTMLCollection {
  while (g.children.length > n) g.lastElementChild!.remove();
  while (g.children.length < n) g.append(make());
  return g.children;
}
const svgEl = (tag: string, a: Record<string, string>, title = false): Element => {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
  if (title) e.append(document.createElementNS(SVG_NS, 'title'));
  return e;
};

interface ExactMap {
  /** A cell's tooltip is made only when it is written (every TITLES_MS while training). */
  cells: { points: string; fill: string; on: boolean; title: () => string }[];
  hatched: string[];
  lines: DrawnLine[];
}

/** While training the tooltips (titles) of the region map are rewritten at most this often; when paused, every redraw. */
const TITLES_MS = 500;

function setRegionPlane(m: ExactMap, titles: boolean): void {
  const { base, over } = layers('regions');
  if (base.dataset.exact !== '1') {
    const hatch = `<defs><pattern id="pg-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="0.9" stroke-opacity="0.4"/></pattern></defs>`;
    base.innerHTML = frame(`${hatch}<g class="cells" stroke="#ffffff" stroke-width="0.6"></g><g class="hatched"></g><g class="lines"></g><g class="arrows"></g>`, 'exact region map');
    base.dataset.exact = '1';
  }
  const g = (c: string): Element => base.querySelector(`g.${c}`)!;
  const cells = sized(g('cells'), m.cells.length, () => svgEl('polygon', {}, true));
  m.cells.forEach((c, i) => {
    const el = cells[i];
    setAttr(el, 'points', c.points);
    setAttr(el, 'fill', c.fill);
    if (c.on) setAttr(el, 'class', 'path-region');
    else if (el.hasAttribute('class')) el.removeAttribute('class');
    if (titles || !el.firstElementChild!.textContent) setTitle(el, c.title());
  });
  const hatched = sized(g('hatched'), m.hatched.length, () => svgEl('polygon', { fill: 'url(#pg-hatch)', stroke: '#000', 'stroke-opacity': '0.6', 'stroke-width': '1' }));
  m.hatched.forEach((p, i) => setAttr(hatched[i], 'points', p));
  const segs = sized(g('lines'), m.lines.length, () => svgEl('line', {}, true));
  const arrows = sized(g('arrows'), m.lines.length, () => svgEl('line', {}));
  m.lines.forEach((l, i) => {
    for (const [k, v] of Object.entries(l.seg)) setAttr(segs[i], k, v);
    if (!('stroke-dasharray' in l.seg) && segs[i].hasAttribute('stroke-dasharray')) segs[i].removeAttribute('stroke-dasharray');
    if (titles || !segs[i].firstElementChild!.textContent) setTitle(segs[i], l.title);
    for (const [k, v] of Object.entries(l.arrow)) setAttr(arrows[i], k, v);
  });
  syncOverlay(over);
}

/** The exact region map: every cell of the arrangement, filled by hard-gated output or pattern. */
function regionMap(model: Model): { svg: string; exact: null; caption: string } | { svg: null; exact: ExactMap; caption: string } {
  const step = runs[0]?.steps ?? 0;
  if (arrangement === null || arrangementStep !== step) {
    arrangement = timed('arrangement', () => arrangementOf(model, box));
    arrangementStep = step;
  }
  const highlight = highlighted();
  if (arrangement === null) {
    // no half-spaces (ReLU, DLN): the sampled decision map is all there is
    return { svg: frame(sampledImage(model), 'sampled decision map'), exact: null, caption: `${modelName(model)} has no gating half-spaces: sampled decision map (${GRID} x ${GRID} grid of the softmax output)` };
  }
  const cells = arrangement.cells;
  let colors: string[];
  if (fill === 'pattern') {
    colors = patternColors(cells).map((i) => REGION_FILLS[i % REGION_FILLS.length]);
  } else {
    const v = cells.map((c) => c.output[1] - c.output[0]);
    const m = Math.max(1e-12, ...v.map(Math.abs));
    colors = v.map((d) => lighten(diverging((d / m + 1) / 2), 0.3));
  }
  // the cells where every half-space of the selected path holds (its active region under hard gates)
  const cs = inspection?.constraints[selectedPath] ?? [];
  const exact: ExactMap = { cells: [], hatched: [], lines: drawnLines(arrangement.lines, highlight) };
  cells.forEach((c, i) => {
    const on = cs.length > 0 && cs.every((k) => c.pattern[k.layer - 1][k.unit] === 1);
    const points = pts(c.polygon);
    exact.cells.push({ points, fill: colors[i], on, title: () => `region ${c.index}: pattern ${c.key}, ${c.activePaths} active paths, hard-gated output [${c.output.map((o) => o.toFixed(4)).join(', ')}]` });
    if (on) exact.hatched.push(points);
  });
  const shown = exact.lines.length;
  return {
    svg: null,
    exact,
    caption: `${cells.length} regions (exact polygons), ${shown} gating lines; fill: ${fill === 'pattern' ? 'one colour per gate pattern' : 'hard-gated logit difference (orange: class 1, blue: class 0)'}; arrows point to the ON side`,
  };
}

function highlighted(): Set<string> {
  const cs = inspection?.constraints[selectedPath] ?? [];
  return new Set(cs.map((c) => `${c.layer}:${c.unit}`));
}

function decisionSvg(model: Model): string {
  // only the half-spaces of the selected path, so the sampled map stays readable
  const hot = highlighted();
  const lines = arrangement !== null && model === runs[0]?.model && hot.size > 0 ? linesSvg(lines2D(model, box).filter((l) => hot.has(`${l.layer}:${l.unit}`)), hot) : '';
  return frame(sampledImage(model) + lines, `sampled decision map of ${modelName(model)}`);
}

// ---- curves ---------------------------------------------------------------------------------------

function curvesSvg(width: number): { loss: string; acc: string } {
  const r = runs[0];
  const ep = r ? r.curve.map((c) => c.epoch) : [];
  const lossSeries = r
    ? [
        { name: 'train', x: ep, y: r.curve.map((c) => c.loss) },
        { name: 'test', x: ep, y: r.curve.map((c) => c.testLoss) },
      ]
    : [];
  const accSeries = r
    ? [
        { name: 'train', x: ep, y: r.curve.map((c) => c.accuracy) },
        { name: 'test', x: ep, y: r.curve.map((c) => c.testAccuracy) },
      ]
    : [];
  const cmp = runs[1];
  if (cmp) {
    lossSeries.push({ name: 'ReLU test', x: cmp.curve.map((c) => c.epoch), y: cmp.curve.map((c) => c.testLoss) });
    accSeries.push({ name: 'ReLU test', x: cmp.curve.map((c) => c.epoch), y: cmp.curve.map((c) => c.testAccuracy) });
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
  // the region map every frame, unless it is expensive (wide nets have thousands of cells):
  // past 30 ms a redraw, at most a quarter of the time goes to it while training
  if (due('regions', regionCost > 30 ? 3 * regionCost : 0, running)) {
    const t0 = performance.now();
    const reg = timed('regions-svg', () => regionMap(r.model));
    timed('regions-dom', () => (reg.exact ? setRegionPlane(reg.exact, due('titles', TITLES_MS, running)) : setPlane('regions', reg.svg)));
    regionCost = performance.now() - t0;
    regionTimes.push(regionCost);
    if (regionTimes.length > 200) regionTimes.shift();
    setText('regions-caption', reg.caption);
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
      if (gated) setPlane('decision', decisionSvg(r.model));
      if (cmp) setPlane('compare', decisionSvg(cmp.model));
    });
  }
  const curveKey = `${curveWidth}|${r.curve.length}|${cmp?.curve.length ?? -1}`;
  if (curveKey !== curvesDrawn && !heavy && due('curves', 250, running)) {
    heavy = running;
    timed('curves', () => {
      const c = curvesSvg(curveWidth);
      $('curve-loss').innerHTML = c.loss;
      $('curve-acc').innerHTML = c.acc;
      curvesDrawn = curveKey;
    });
  }
  timed('status', () => status(r, cmp));
}

function status(r: Run, cmp: Run | undefined): void {
  const last = r.curve.at(-1);
  const st = r.state === 'failed' ? `failed: ${r.error}` : r.state;
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
  setText('cli', cliCommand(settings, r.name, data, r.epochsDone || settings.epochs));
}

// ---- pacing: one slice of training per frame -------------------------------------------------------
//
// Left to itself, fitAsync yields every few milliseconds and the browser runs several such slices
// between two frames, so a frame came only every 75-100 ms. Instead each optimiser step asks
// `pace()`: training goes on until the slice's deadline, then waits for the next frame. After a
// frame is drawn and painted, the slice is what is left of the frame period (at least MIN_SLICE_MS),
// so that the next frame starts on time; when a frame took longer than that, training gets as long
// as the frame took.

const FRAME_MS = 1000 / 30;
/** Room left before the next frame is due, for the step that crosses the deadline. */
const FRAME_MARGIN_MS = 3;
/** Training gets at least this much of every frame, however long the drawing took. */
const MIN_SLICE_MS = 8;
let sliceEnd = 0;
let frameStart = 0;
let held: (() => void)[] = [];
const afterPaint = new MessageChannel();
afterPaint.port1.onmessage = () => {
  const now = performance.now();
  // a frame that took longer than the period leaves training as long again: when 30 frames per
  // second are out of reach, drawing and training share the time half and half
  sliceEnd = Math.max(now + Math.max(MIN_SLICE_MS, now - frameStart), frameStart + FRAME_MS - FRAME_MARGIN_MS);
  release();
};
function release(): void {
  const h = held;
  held = [];
  for (const r of h) r();
}
function pace(): Promise<void> | undefined {
  // a hidden page gets no frames: train freely (fitAsync still yields)
  if (document.hidden || performance.now() < sliceEnd) return undefined;
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

function planePoint(ev: MouseEvent, el: HTMLElement): [number, number] | null {
  const svg = el.querySelector('svg');
  if (!svg) return null;
  const rect = svg.getBoundingClientRect();
  const size = PLANE + 2 * PAD;
  const px = ((ev.clientX - rect.left) / rect.width) * size;
  const py = ((ev.clientY - rect.top) / rect.height) * size;
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
      const p = planePoint(ev, el);
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
  window.playground = { settings: () => settings, data: () => data, runs: () => runs, inspection: () => inspection, frames: () => frames, drawTimes: () => drawTimes.slice(), regionTimes: () => regionTimes.slice(), partTimes: () => Object.fromEntries(Object.entries(partTimes).map(([k, v]) => [k, v.slice()])) };
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
