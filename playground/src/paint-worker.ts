// The paint worker: rasterises the page's planes on the OffscreenCanvases it is handed, so that the
// page's main thread (which also trains the model) only computes what to draw. In Chromium without
// a GPU, painting the region map's ~140 antialiased polygons and their lines is 8-12 ms of software
// raster a frame; done on the main thread, it left 20 frames per second at most.
// The page posts PaintMessages; a plane is repainted once for the latest of the scenes that
// arrived since its last paint.

import { type PaintMessage, type PaintReply, type PaintScene, SampledImage, paintScene, readPixel } from './paint.js';

interface WorkerScope {
  onmessage: ((e: MessageEvent<PaintMessage>) => void) | null;
  postMessage(m: PaintReply): void;
}
const scope = self as unknown as WorkerScope;

interface Target {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
  scene: PaintScene | null;
  sampled: SampledImage;
  dirty: boolean;
}
const targets = new Map<string, Target>();
let scheduled = false;

function paintDirty(): void {
  scheduled = false;
  for (const t of targets.values()) {
    if (!t.dirty) continue;
    t.dirty = false;
    paintScene(t.ctx, t.canvas.width, t.scene, t.sampled);
  }
}

function schedule(t: Target): void {
  t.dirty = true;
  if (scheduled) return;
  scheduled = true;
  // after the messages already queued, so a burst of scenes is painted once
  setTimeout(paintDirty, 0);
}

function target(id: string): Target {
  const t = targets.get(id);
  if (!t) throw new Error(`paint worker: no canvas '${id}' (init first)`);
  return t;
}

scope.onmessage = (e) => {
  const m = e.data;
  try {
    switch (m.type) {
      case 'init': {
        m.canvas.width = m.width;
        m.canvas.height = m.width;
        const ctx = m.canvas.getContext('2d');
        if (!ctx) throw new Error('paint worker: no 2-D context on the OffscreenCanvas');
        const t: Target = { canvas: m.canvas, ctx, scene: null, sampled: new SampledImage(), dirty: false };
        targets.set(m.id, t);
        schedule(t);
        break;
      }
      case 'resize': {
        const t = target(m.id);
        t.canvas.width = m.width;
        t.canvas.height = m.width;
        schedule(t);
        break;
      }
      case 'scene': {
        const t = target(m.id);
        t.scene = m.scene;
        schedule(t);
        break;
      }
      case 'pixel': {
        paintDirty();
        const t = target(m.id);
        scope.postMessage({ type: 'pixel', request: m.request, rgba: readPixel(t.canvas, m.x, m.y) });
        break;
      }
    }
  } catch (err) {
    scope.postMessage({ type: 'error', message: (err as Error).message });
  }
};
