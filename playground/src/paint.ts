// Painting a plane (the exact region map or a sampled map, with gating lines) on a 2-D canvas. Used
// by the paint worker (paint-worker.ts) on the OffscreenCanvas the page hands it, and by the page
// itself where a browser has no OffscreenCanvas. A plane is drawn in a fixed coordinate space of
// SIZE x SIZE units (the plot at PAD..PAD + PLANE), scaled to the canvas's pixels.

export const PLANE = 400;
export const PAD = 8;
export const SIZE = PLANE + 2 * PAD;
/** The sampled maps' grid. */
export const GRID = 48;

/** A gating line as drawn (plane units): its segment and the arrow to its ON side. */
export interface DrawnLine {
  layer: number;
  unit: number;
  a: [number, number];
  b: [number, number];
  color: string;
  width: number;
  dashed: boolean;
  /** The arrow from the segment's midpoint along the normal (screen y points down). */
  arrow: { from: [number, number]; to: [number, number]; width: number };
}

/** What a plane's canvas shows: exact cells (plane units; `on`: hatched), or a GRID x GRID sampled map (RGBA); and lines over it. */
export type PaintScene =
  | { kind: 'exact'; cells: { polygon: [number, number][]; fill: string; on: boolean }[]; lines: DrawnLine[] }
  | { kind: 'sampled'; rgba: Uint8ClampedArray; lines: DrawnLine[] };

/** Messages from the page to the paint worker. */
export type PaintMessage =
  | { type: 'init'; id: string; canvas: OffscreenCanvas; width: number }
  | { type: 'resize'; id: string; width: number }
  | { type: 'scene'; id: string; scene: PaintScene | null }
  /** Reply with the RGBA of the canvas's pixel (x, y) (after painting what is pending): for tests. */
  | { type: 'pixel'; id: string; x: number; y: number; request: number };
/** Messages from the paint worker to the page. */
export type PaintReply = { type: 'pixel'; request: number; rgba: number[] } | { type: 'error'; message: string };

type Ctx = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;

/** A canvas of its own for a small picture (a hatch tile, a sampled map), where there is no DOM too. */
function smallCanvas(w: number, h: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(w, h);
  const c = document.createElement('canvas');
  c.width = w;
  c.height = h;
  return c;
}

/** Adds a closed polygon to the current path. */
function polygonPath(ctx: Ctx, poly: readonly (readonly [number, number])[]): void {
  ctx.moveTo(poly[0][0], poly[0][1]);
  for (let i = 1; i < poly.length; i++) ctx.lineTo(poly[i][0], poly[i][1]);
  ctx.closePath();
}

/**
 * The hatching of a path's active region: diagonal lines (45 degrees, 6 plane units apart, as the
 * SVG figures' pattern) as a canvas pattern drawn at the canvas's own resolution. (Clipping to
 * each hatched cell and stroking lines cost 10-16 ms of Chromium's software raster per frame; a
 * pattern fill costs about what the cell's fill does.)
 */
const hatchTiles = new Map<number, CanvasPattern>();
function hatchPattern(ctx: Ctx, scale: number): CanvasPattern {
  const T = 6 * Math.SQRT2; // the tile's side: lines x + y = k T are 6 units apart
  const px = Math.max(4, Math.round(T * scale));
  let pat = hatchTiles.get(px);
  if (!pat) {
    const tile = smallCanvas(px, px);
    const g = tile.getContext('2d') as Ctx;
    g.strokeStyle = 'rgba(0,0,0,0.4)';
    g.lineWidth = 0.9 * (px / T);
    g.beginPath();
    for (const k of [0, px, 2 * px]) {
      g.moveTo(k + 1, -1);
      g.lineTo(-1, k + 1);
    }
    g.stroke();
    pat = ctx.createPattern(tile, 'repeat')!;
    hatchTiles.set(px, pat);
  }
  pat.setTransform(new DOMMatrix([T / px, 0, 0, T / px, 0, 0]));
  return pat;
}

/** A gating line (dashed for even layers) and its ON-side arrow (a head as the SVG figures' marker: 4 stroke widths). */
function drawLine(ctx: Ctx, l: DrawnLine): void {
  ctx.strokeStyle = l.color;
  ctx.lineWidth = l.width;
  ctx.beginPath();
  if (l.dashed) {
    // dashes of 6 and gaps of 3 units as pieces of one path (setLineDash cost ~0.15 ms a line in software raster)
    const L = Math.hypot(l.b[0] - l.a[0], l.b[1] - l.a[1]);
    const ux = (l.b[0] - l.a[0]) / L;
    const uy = (l.b[1] - l.a[1]) / L;
    for (let t = 0; t < L; t += 9) {
      const e = Math.min(L, t + 6);
      ctx.moveTo(l.a[0] + ux * t, l.a[1] + uy * t);
      ctx.lineTo(l.a[0] + ux * e, l.a[1] + uy * e);
    }
  } else {
    ctx.moveTo(l.a[0], l.a[1]);
    ctx.lineTo(l.b[0], l.b[1]);
  }
  ctx.stroke();
  const { from, to, width } = l.arrow;
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const len = Math.hypot(dx, dy);
  const ux = dx / len;
  const uy = dy / len;
  const h = 4 * width;
  // the head's tip 1.2 stroke widths past the end, its back 2.8 behind, its half-width 2, its notch 1.8 behind
  const tip: [number, number] = [to[0] + ux * 0.3 * h, to[1] + uy * 0.3 * h];
  const back: [number, number] = [to[0] - ux * 0.7 * h, to[1] - uy * 0.7 * h];
  const notch: [number, number] = [back[0] + ux * 0.25 * h, back[1] + uy * 0.25 * h];
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(from[0], from[1]);
  ctx.lineTo(notch[0], notch[1]);
  ctx.stroke();
  ctx.fillStyle = l.color;
  ctx.beginPath();
  ctx.moveTo(tip[0], tip[1]);
  ctx.lineTo(back[0] - uy * 0.5 * h, back[1] + ux * 0.5 * h);
  ctx.lineTo(notch[0], notch[1]);
  ctx.lineTo(back[0] + uy * 0.5 * h, back[1] - ux * 0.5 * h);
  ctx.closePath();
  ctx.fill();
}

/** Keeps a sampled map's pixels in a GRID x GRID canvas, to be scaled up (pixelated) onto the plane. */
export class SampledImage {
  private canvas: OffscreenCanvas | HTMLCanvasElement | null = null;
  private shown: Uint8ClampedArray | null = null;

  source(rgba: Uint8ClampedArray): OffscreenCanvas | HTMLCanvasElement {
    this.canvas ??= smallCanvas(GRID, GRID);
    if (this.shown !== rgba) {
      const ctx = this.canvas.getContext('2d') as Ctx;
      const img = ctx.createImageData(GRID, GRID);
      img.data.set(rgba);
      ctx.putImageData(img, 0, 0);
      this.shown = rgba;
    }
    return this.canvas;
  }
}

/** Paints a scene on a square canvas of `width` pixels (null: the empty plot). */
export function paintScene(ctx: Ctx, width: number, scene: PaintScene | null, sampled: SampledImage): void {
  const s = width / SIZE;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, width, width);
  ctx.setTransform(s, 0, 0, s, 0, 0);
  ctx.fillStyle = '#f7f7f7';
  ctx.fillRect(PAD, PAD, PLANE, PLANE);
  if (scene) {
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD, PAD, PLANE, PLANE);
    ctx.clip();
    if (scene.kind === 'exact') {
      for (const c of scene.cells) {
        ctx.beginPath();
        polygonPath(ctx, c.polygon);
        ctx.fillStyle = c.fill;
        ctx.fill();
      }
      // the cells' white borders, then the hatched cells (pattern and outline), each as one path
      ctx.beginPath();
      for (const c of scene.cells) polygonPath(ctx, c.polygon);
      ctx.strokeStyle = '#ffffff';
      ctx.lineWidth = 0.6;
      ctx.stroke();
      ctx.beginPath();
      let hatched = false;
      for (const c of scene.cells) {
        if (!c.on) continue;
        polygonPath(ctx, c.polygon);
        hatched = true;
      }
      if (hatched) {
        ctx.fillStyle = hatchPattern(ctx, s);
        ctx.fill();
        ctx.strokeStyle = 'rgba(0,0,0,0.6)';
        ctx.lineWidth = 1;
        ctx.stroke();
      }
    } else {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(sampled.source(scene.rgba), PAD, PAD, PLANE, PLANE);
    }
    for (const l of scene.lines) drawLine(ctx, l);
    ctx.restore();
  }
  ctx.strokeStyle = '#333';
  ctx.lineWidth = 1;
  ctx.strokeRect(PAD, PAD, PLANE, PLANE);
}

/** The RGBA of one pixel of a canvas, read through a 1 x 1 copy (so the shown canvas is never read back itself). */
export function readPixel(source: OffscreenCanvas | HTMLCanvasElement, x: number, y: number): number[] {
  const one = smallCanvas(1, 1);
  const ctx = one.getContext('2d') as Ctx;
  ctx.drawImage(source, x, y, 1, 1, 0, 0, 1, 1);
  return Array.from(ctx.getImageData(0, 0, 1, 1).data);
}
