// The 2-D arrangement of a gated linear network's gating lines: every cell as an exact polygon, the lines clipped to a box, the cell of a point.

import { noGrad } from '../autograd/engine.js';
import { hasValueTensor } from '../models/config.js';
import { type HalfSpaces, type Model, withHardGates } from '../models/families.js';
import { Tensor } from '../tensor/tensor.js';
import { activePathCount, patternKey } from './patterns.js';
import { type GatePattern, checkPoint, patternAt, planesOf, requireHalfspaces } from './planes.js';
import { type Box2D, DEFAULT_BOX, type NormLine, type Pt, areaCentroid, boxScale, checkBox, clipLine, split } from './polygon.js';

/** Tolerances of the 2-D geometry (see `arrangement2D`). */
export interface Arrangement2DOptions {
  /** Pieces with area below this fraction of the box area are not split off. Default 1e-12. */
  sliverTolerance?: number;
  /** A line whose |w| is at most this fraction of the largest |w| in the model splits nothing. Default 1e-12. */
  degenerateTolerance?: number;
}

/** A gating line w . x + b = 0 of one unit, clipped to the box. */
export interface Line2D {
  /** Hidden layer, 1-based. */
  layer: number;
  /** Unit, 0-based. */
  unit: number;
  weight: [number, number];
  bias: number;
  /** End points of the line inside the box, or null when it misses the box (or is degenerate). */
  segment: [[number, number], [number, number]] | null;
  /** The unit normal w / |w|, pointing to the ON side (w . x + b > 0); null when degenerate. */
  normal: [number, number] | null;
  /** |w| ~ 0: the gate is constant (1[b > 0]) and the line splits nothing. */
  degenerate: boolean;
}

/** One cell of the arrangement: a convex polygon on which every hard gate is constant. */
export interface Cell2D {
  index: number;
  /** Vertices, counter-clockwise. */
  polygon: [number, number][];
  area: number;
  centroid: [number, number];
  /** Hard-gate pattern per layer at an interior point (the centroid). */
  pattern: GatePattern;
  /** `patternKey(pattern)`. */
  key: string;
  /** Number of active paths there (`activePathCount`). */
  activePaths: number;
  /** Output of the hard-gated model at the centroid. */
  output: number[];
  /**
   * True when the hard-gated output is constant on the cell (valueInput 'ones' and dlgn-vt).
   * With valueInput 'input' the output is affine in x on the cell and `output` is its value at
   * the centroid.
   */
  outputConstant: boolean;
}

/** Every cell of the arrangement of all gating lines inside a box. */
export interface Arrangement2D {
  box: Box2D;
  cells: Cell2D[];
  lines: Line2D[];
  /** The half-spaces the cells were computed from (copies), for `regionOf`. */
  halfspaces: HalfSpaces[];
  /** Absolute tolerances used: distance of a vertex to a line, and the sliver area. */
  tolerance: { distance: number; area: number };
}

function require2D(fn: string, model: Model): HalfSpaces[] {
  const hs = requireHalfspaces(fn, model);
  if (model.config.inputDim !== 2) throw new Error(`${fn}: needs a model with 2-D inputs, got inputDim ${model.config.inputDim}`);
  return hs;
}

/** Every gating line, normalised: n . p + off is the signed distance to the line (positive = ON). */
function normLines(hs: HalfSpaces[], degenerateTolerance: number): NormLine[] {
  let maxNorm = 0;
  for (const h of hs) {
    const w = h.weight.values();
    for (let i = 0; i < h.weight.shape[0]; i++) maxNorm = Math.max(maxNorm, Math.hypot(w[2 * i], w[2 * i + 1]));
  }
  const out: NormLine[] = [];
  hs.forEach((h, l) => {
    const w = h.weight.values();
    const bias = h.bias.values();
    for (let i = 0; i < h.weight.shape[0]; i++) {
      const a = w[2 * i];
      const b = w[2 * i + 1];
      const c = bias[i];
      const r = Math.hypot(a, b);
      const degenerate = !(r > degenerateTolerance * maxNorm) || !Number.isFinite(c / r);
      out.push({ layer: l + 1, unit: i, a, b, c, nx: degenerate ? 0 : a / r, ny: degenerate ? 0 : b / r, off: degenerate ? 0 : c / r, degenerate });
    }
  });
  return out;
}

/**
 * Every gating line of a 2-D model (all layers), with its segment inside the box and the unit
 * normal pointing to its ON side (for drawing an arrow). Throws for a ReLU net or DGN.
 */
export function lines2D(model: Model, box: Box2D = DEFAULT_BOX, options: Arrangement2DOptions = {}): Line2D[] {
  checkBox('lines2D', box);
  const hs = require2D('lines2D', model);
  return toLine2D(normLines(hs, options.degenerateTolerance ?? 1e-12), box);
}

function toLine2D(lines: NormLine[], box: Box2D): Line2D[] {
  const tol = 1e-12 * boxScale(box);
  return lines.map((ln) => ({
    layer: ln.layer,
    unit: ln.unit,
    weight: [ln.a, ln.b],
    bias: ln.c,
    segment: clipLine(ln, box, tol),
    normal: ln.degenerate ? null : [ln.nx, ln.ny],
    degenerate: ln.degenerate,
  }));
}

/**
 * The arrangement of ALL gating lines (every layer) of a 2-D DLGN / DLGN-SF / DLGN-VT inside a
 * box: every non-empty cell as an exact convex polygon, built by clipping the box polygon by
 * every line in turn. On each cell every hard gate is constant, so the hard-gated model's active
 * paths are fixed there (and, with valueInput 'ones', so is its output).
 *
 * Tolerances (float64 cannot resolve finer geometry): a vertex closer than 1e-12 x (box scale)
 * to a line counts as on it; a cut that would leave a piece with area below
 * `sliverTolerance` x (box area) (default 1e-12) is not made, so such a numerical sliver stays
 * part of its neighbour and the areas still add up to the box area. Lines with |w| at most
 * `degenerateTolerance` (default 1e-12) times the largest |w| split nothing. Each cell's pattern
 * is evaluated at its centroid (an interior point); its output by the model rebuilt with
 * `gate: 'hard'` at the centroid. Throws for a ReLU net or DGN (gates are not half-spaces).
 *
 * @example
 * ```ts
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }, { rng: 3 });
 * const arr = arrangement2D(net);
 * arr.cells.length;                         // number of regions in [-1, 1]^2
 * regionOf(arr, [0.1, 0.2])?.activePaths;   // active paths at that point
 * ```
 */
export function arrangement2D(model: Model, box: Box2D = DEFAULT_BOX, options: Arrangement2DOptions = {}): Arrangement2D {
  checkBox('arrangement2D', box);
  const hs = require2D('arrangement2D', model);
  const lines = normLines(hs, options.degenerateTolerance ?? 1e-12);
  const boxArea = (box.xmax - box.xmin) * (box.ymax - box.ymin);
  const tol = 1e-12 * boxScale(box);
  const areaTol = (options.sliverTolerance ?? 1e-12) * boxArea;
  let polys: Pt[][] = [
    [
      [box.xmin, box.ymin],
      [box.xmax, box.ymin],
      [box.xmax, box.ymax],
      [box.xmin, box.ymax],
    ],
  ];
  for (const ln of lines) {
    if (ln.degenerate) continue;
    const next: Pt[][] = [];
    for (const p of polys) next.push(...split(p, ln, tol, areaTol));
    polys = next;
  }
  const planes = planesOf(hs);
  const geo = polys.map(areaCentroid);
  const centroids = new Float64Array(polys.length * 2);
  geo.forEach((g, k) => {
    centroids[2 * k] = g.centroid[0];
    centroids[2 * k + 1] = g.centroid[1];
  });
  const out = hardModelOutput(model, new Tensor(centroids, [polys.length, 2]));
  const k = model.config.outputDim;
  const outputConstant = hasValueTensor(model.config.kind) || model.config.valueInput === 'ones';
  const cells: Cell2D[] = polys.map((polygon, index) => {
    const pattern = patternAt(planes, centroids, 2 * index);
    return {
      index,
      polygon,
      area: geo[index].area,
      centroid: geo[index].centroid,
      pattern,
      key: patternKey(pattern),
      activePaths: activePathCount(model, pattern),
      output: Array.from(out.subarray(index * k, (index + 1) * k)),
      outputConstant,
    };
  });
  return {
    box: { ...box },
    cells,
    lines: toLine2D(lines, box),
    halfspaces: hs.map((h) => ({ weight: h.weight.clone(), bias: h.bias.clone() })),
    tolerance: { distance: tol, area: areaTol },
  };
}

/** The model rebuilt with hard gates (same parameters), evaluated without recording. */
function hardModelOutput(model: Model, x: Tensor): Float64Array {
  const hard = withHardGates(model);
  return noGrad(() => hard.forward(x).value.values());
}

/**
 * The cell of an arrangement containing a point: the cell with the point's gate pattern, or
 * (for a point on a line or in a sliver merged into a neighbour) the cell whose polygon contains
 * it. Undefined for a point outside the box.
 */
export function regionOf(arrangement: Arrangement2D, point: ArrayLike<number>): Cell2D | undefined {
  checkPoint('regionOf', point, 2);
  const { box, cells } = arrangement;
  const x = point[0];
  const y = point[1];
  if (!(x >= box.xmin && x <= box.xmax && y >= box.ymin && y <= box.ymax)) return undefined;
  const key = patternKey(patternAt(planesOf(arrangement.halfspaces), point, 0));
  const hit = cells.find((c) => c.key === key);
  if (hit) return hit;
  // the cell whose polygon the point is furthest inside of (every edge: cross >= -tol)
  let best: Cell2D | undefined;
  let bestDepth = -Infinity;
  for (const c of cells) {
    let depth = Infinity;
    const poly = c.polygon;
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i];
      const [bx, by] = poly[(i + 1) % poly.length];
      const len = Math.hypot(bx - ax, by - ay);
      depth = Math.min(depth, ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / len);
    }
    if (depth > bestDepth) {
      bestDepth = depth;
      best = c;
    }
  }
  return best;
}
