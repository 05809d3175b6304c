// Half-space regions of gated linear networks: gate patterns, path constraints, the 2-D arrangement of gating lines, membership and Monte Carlo volumes.

import { hasHalfspaceGates, hasValueTensor } from '../models/config.js';
import { noGrad } from '../autograd/engine.js';
import { type HalfSpaces, type Model, withHardGates } from '../models/families.js';
import { Rng } from '../tensor/random.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

// Everything here starts from `model.halfspaces()`: gating unit i of hidden layer l is ON where
// w_{l,i} . x + b_{l,i} > 0 (the hard gate 1[z > 0]; a soft gate sigma(beta z) > 1/2 on the same
// side). The gating loop itself is never re-derived. Layers in constraints, lines and path ids
// are 1-based (as in docs/fixtures.md path ids); units are 0-based (as in path ids); arrays indexed by
// layer (patterns, `halfspaces()`) are 0-based arrays, so `pattern[layer - 1][unit]`.

/**
 * A hard-gate pattern at one point: one Uint8Array per hidden layer, entry i of layer l is
 * 1[w_{l,i} . x + b_{l,i} > 0]. Inputs may be any `ArrayLike<number>` of 0/1 per layer.
 */
export type GatePattern = Uint8Array[];

/** A path id of docs/fixtures.md, `[startLayer, startIndex, unit...]` (decompose.ts's `PathId`, read-only here). */
type PathIdLike = readonly number[];

/**
 * A region, as `inRegion` and `monteCarloVolume` take it: a path id (the path's active region)
 * or a full gate pattern (one array of 0/1 per hidden layer).
 */
export type RegionSpec = PathIdLike | readonly ArrayLike<number>[];

/**
 * The model's effective half-spaces, or an error that names the calling function. For a ReLU net
 * or a DGN the gates are not half-spaces of the input, and the model's own error says so; it is
 * re-thrown with `fn` in front (and, for a ReLU net, a pointer to `localHalfspaces`).
 */
export function requireHalfspaces(fn: string, model: Model): HalfSpaces[] {
  try {
    return model.halfspaces();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const hint =
      model.config.kind === 'dnn'
        ? "; for a ReLU net, localHalfspaces(model, x0) gives each unit's pre-activation as an affine function valid only inside x0's linear region"
        : '';
    throw new Error(`${fn}: ${msg}${hint}`, { cause: e });
  }
}

/** Half-spaces as flat arrays for tight loops: layer l has m[l] rows of w (row-major [m, d]) and b. */
interface Planes {
  d: number;
  m: number[];
  w: Float64Array[];
  b: Float64Array[];
}

function planesOf(hs: HalfSpaces[]): Planes {
  const d = hs.length > 0 ? hs[0].weight.shape[1] : 0;
  return {
    d,
    m: hs.map((h) => h.weight.shape[0]),
    w: hs.map((h) => Float64Array.from(h.weight.values())),
    b: hs.map((h) => Float64Array.from(h.bias.values())),
  };
}

/** z = w_{l,i} . x + b_{l,i} for the point stored at xs[off .. off + d). One evaluation order everywhere. */
function preActivation(p: Planes, l: number, i: number, xs: ArrayLike<number>, off: number): number {
  const w = p.w[l];
  const d = p.d;
  let s = 0;
  for (let j = 0; j < d; j++) s += w[i * d + j] * xs[off + j];
  return s + p.b[l][i];
}

function patternAt(p: Planes, xs: ArrayLike<number>, off: number): GatePattern {
  return p.m.map((m, l) => {
    const g = new Uint8Array(m);
    for (let i = 0; i < m; i++) g[i] = preActivation(p, l, i, xs, off) > 0 ? 1 : 0;
    return g;
  });
}

function checkBatch(fn: string, x: Tensor, d: number): Float64Array {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`${fn}: expected inputs [n, ${d}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
  return x.values();
}

function checkPoint(fn: string, x: ArrayLike<number>, d: number): void {
  if (x.length !== d) throw new Error(`${fn}: expected a point with ${d} coordinates, got ${x.length}`);
}

/**
 * The hard-gate pattern of every sample: for inputs [n, d], `n` patterns, each one Uint8Array per
 * hidden layer with 1[w . x + b > 0] per unit, computed from `halfspaces()`. This is the gate
 * pattern of the model evaluated with `gate: 'hard'` (up to float rounding exactly on a line).
 * Throws for a ReLU net or DGN, whose gates are not half-spaces.
 *
 * @example
 * ```ts
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 1 }, { rng: 1 });
 * const [p] = gatePattern(net, Tensor.from([[0.2, -0.5]]));
 * patternKey(p); // e.g. '0110|101'
 * ```
 */
export function gatePattern(model: Model, x: Tensor): GatePattern[] {
  const p = planesOf(requireHalfspaces('gatePattern', model));
  const xs = checkBatch('gatePattern', x, p.d);
  const n = x.shape[0];
  const out: GatePattern[] = [];
  for (let s = 0; s < n; s++) out.push(patternAt(p, xs, s * p.d));
  return out;
}

/** A compact string for a pattern, layers separated by '|': `'0110|101'`. Equal patterns, equal keys. */
export function patternKey(pattern: readonly ArrayLike<number>[]): string {
  // a plain loop: arrangement2D keys every cell, and the page does that every frame
  let key = '';
  for (let l = 0; l < pattern.length; l++) {
    if (l > 0) key += '|';
    const g = pattern[l];
    for (let i = 0; i < g.length; i++) key += g[i] ? '1' : '0';
  }
  return key;
}

/**
 * The number of paths that are active (every unit they visit has gate 1) under a hard-gate
 * pattern, in closed form (docs/math.md, "The mixture of paths"; path ids of docs/fixtures.md). With
 * on_l the number of ON units of layer l:
 *   dlgn, dgn, dnn, dln with bias:  d * prod_l on_l + sum_{l=1..L} prod_{j>=l} on_j + 1
 *   without bias:                   d * prod_l on_l
 *   dlgn-vt:                        prod_l on_l
 * (input starts, bias starts of each hidden layer, the output bias). With `valueInput: 'input'`
 * the count is the same; a path's activity is then also multiplied by x_i.
 */
export function activePathCount(model: Model, pattern: readonly ArrayLike<number>[]): number {
  const c = model.config;
  checkPattern('activePathCount', model, pattern);
  const on = pattern.map((g) => {
    let k = 0;
    for (let i = 0; i < g.length; i++) if (g[i]) k++;
    return k;
  });
  const L = on.length;
  const all = on.reduce((p, k) => p * k, 1);
  if (hasValueTensor(c.kind)) return all;
  let count = c.inputDim * all;
  if (c.bias) {
    let suffix = 1;
    for (let l = L - 1; l >= 0; l--) {
      suffix *= on[l];
      count += suffix;
    }
    count += 1;
  }
  return count;
}

function checkPattern(fn: string, model: Model, pattern: readonly ArrayLike<number>[]): void {
  const widths = model.config.widths;
  if (!Array.isArray(pattern) || pattern.length !== widths.length) {
    throw new Error(`${fn}: a pattern needs one entry per hidden layer (${widths.length}), got ${Array.isArray(pattern) ? pattern.length : typeof pattern}`);
  }
  pattern.forEach((g, l) => {
    if (g.length !== widths[l]) throw new Error(`${fn}: pattern layer ${l + 1} has ${g.length} entries, the model has ${widths[l]} units`);
    for (let i = 0; i < g.length; i++) {
      if (g[i] !== 0 && g[i] !== 1) throw new Error(`${fn}: pattern layer ${l + 1}, unit ${i} is ${g[i]}, expected 0 or 1`);
    }
  });
}

// ---- path constraints ------------------------------------------------------------------------

/** One half-space constraint of a path's region: `weight . x + bias > 0` (the unit is ON). */
export interface HalfSpaceConstraint {
  /** Hidden layer, 1-based (as in path ids). */
  layer: number;
  /** Unit within the layer, 0-based (as in path ids). */
  unit: number;
  weight: number[];
  bias: number;
}

/**
 * A path's active region (under hard gates) as its list of half-space constraints: one per unit
 * it visits. `units[k]` is the unit of hidden layer `startLayer + k` (layers 1-based), so a path
 * from an input (`startLayer` 1, the default) lists one unit per hidden layer, and a path from the
 * bias of hidden layer l lists units of layers l..L. `startLayer` L+1 (the output bias) has no
 * units and no constraints. The region is the intersection: every constraint holds.
 * Throws for a ReLU net or DGN, whose gates are not half-spaces.
 *
 * @example
 * ```ts
 * const cs = pathConstraints(net, [3, 1]);  // units 3 (layer 1) and 1 (layer 2)
 * cs.map((c) => formatConstraint(c)); // ['0.83 x1 - 1.20 x2 + 0.10 > 0  (layer 1, unit 3)', ...]
 * ```
 */
export function pathConstraints(model: Model, units: readonly number[], startLayer = 1): HalfSpaceConstraint[] {
  return constraintsOf('pathConstraints', requireHalfspaces('pathConstraints', model), units, startLayer);
}

function constraintsOf(fn: string, hs: HalfSpaces[], units: readonly number[], startLayer: number): HalfSpaceConstraint[] {
  const L = hs.length;
  if (!Number.isInteger(startLayer) || startLayer < 1 || startLayer > L + 1) {
    throw new Error(`${fn}: startLayer must be an integer in 1..${L + 1}, got ${startLayer}`);
  }
  if (units.length !== L - startLayer + 1) {
    throw new Error(
      `${fn}: a path starting at layer ${startLayer} visits ${L - startLayer + 1} units (layers ${startLayer}..${L}), got ${units.length}: [${units.join(', ')}]`,
    );
  }
  return units.map((u, k) => {
    const l = startLayer - 1 + k;
    const h = hs[l];
    const [m, d] = h.weight.shape;
    if (!Number.isInteger(u) || u < 0 || u >= m) {
      throw new Error(`${fn}: unit ${u} is out of range for layer ${l + 1} of width ${m}`);
    }
    const w = h.weight.values();
    return { layer: l + 1, unit: u, weight: Array.from(w.subarray(u * d, (u + 1) * d)), bias: h.bias.values()[u] };
  });
}

/**
 * The region constraints of a path given by its docs/fixtures.md id `[startLayer, startIndex, unit...]`:
 * startLayer 0 = input start (startIndex in 0..d-1, one unit per hidden layer); 1..L = the bias
 * of that hidden layer (startIndex -1, units of layers startLayer..L); L+1 = the output bias
 * (no units, no constraints). For `dlgn-vt` the id is `[0, 0, i_1, ..., i_L]`.
 */
export function constraintsForPathId(model: Model, id: PathIdLike): HalfSpaceConstraint[] {
  const { startLayer, units } = parsePathId('constraintsForPathId', model, id);
  return constraintsOf('constraintsForPathId', requireHalfspaces('constraintsForPathId', model), units, startLayer);
}

/** Validates a path id; returns the first hidden layer it visits (1-based) and its units. */
function parsePathId(fn: string, model: Model, id: PathIdLike): { startLayer: number; units: number[] } {
  const c = model.config;
  const L = c.widths.length;
  const bad = (why: string): Error => new Error(`${fn}: invalid path id [${Array.from(id).join(', ')}]: ${why}`);
  if (!Array.isArray(id) || id.length < 2 || !id.every((v) => Number.isInteger(v))) throw bad('expected integers [startLayer, startIndex, unit...]');
  const [s, start] = id;
  const units = id.slice(2);
  if (s === 0) {
    if (hasValueTensor(c.kind) && start !== 0) throw bad('dlgn-vt ids are [0, 0, i_1, ..., i_L]');
    if (start < 0 || start >= c.inputDim) throw bad(`startIndex must be in 0..${c.inputDim - 1} for an input start`);
    if (units.length !== L) throw bad(`an input start visits one unit in each of the ${L} hidden layers`);
    return { startLayer: 1, units };
  }
  if (s < 1 || s > L + 1) throw bad(`startLayer must be in 0..${L + 1}`);
  if (hasValueTensor(c.kind)) throw bad('dlgn-vt has no bias paths');
  if (!c.bias) throw bad('the model has no biases, so no path starts at a bias');
  if (start !== -1) throw bad('startIndex is -1 for a bias start');
  if (units.length !== L - s + 1) throw bad(`a path from the bias of layer ${s} visits ${L - s + 1} units`);
  return { startLayer: s, units };
}

/**
 * Readable text for a constraint, e.g. `0.83 x1 - 1.20 x2 + 0.10 > 0  (layer 2, unit 5)`.
 * `names` name the coordinates (default x1, x2, ...); zero coefficients are left out.
 */
export function formatConstraint(c: HalfSpaceConstraint, names?: readonly string[], digits = 2): string {
  if (names !== undefined && names.length !== c.weight.length) {
    throw new Error(`formatConstraint: ${names.length} names for ${c.weight.length} coordinates`);
  }
  const terms: string[] = [];
  const push = (v: number, name: string): void => {
    const mag = Math.abs(v).toFixed(digits) + (name ? ` ${name}` : '');
    if (terms.length === 0) terms.push(v < 0 ? `-${mag}` : mag);
    else terms.push(v < 0 ? `- ${mag}` : `+ ${mag}`);
  };
  c.weight.forEach((w, j) => {
    if (w !== 0) push(w, names ? names[j] : `x${j + 1}`);
  });
  if (c.bias !== 0 || terms.length === 0) push(c.bias, '');
  return `${terms.join(' ')} > 0  (layer ${c.layer}, unit ${c.unit})`;
}

// ---- ReLU nets: the local linearisation ------------------------------------------------------

/**
 * A ReLU net's pre-activations as affine functions of x, valid ONLY inside the linear region of
 * `x0` (the set of points with x0's activation pattern). Outside it they are not the net's
 * pre-activations: a ReLU unit is not a half-space of the input space.
 */
export interface LocalHalfSpaces {
  /** Always true: these affine maps hold only near x0, inside its linear region. */
  validOnlyNear: true;
  x0: number[];
  /** The ReLU on/off pattern at x0 (from `model.gates(x0)`). */
  pattern: GatePattern;
  /** Per hidden layer, pre-activation z_l(x) = weight x + bias: `weight [m_l, d]`, `bias [m_l]`. */
  layers: HalfSpaces[];
  /** The network output as an affine map there: `weight [k, d]`, `bias [k]`. */
  output: HalfSpaces;
}

/**
 * The local linearisation of a ReLU net (`dnn`) at x0 [1, d]: for x0's activation pattern G
 * (read from `model.gates`), z_1 = W_1 x + b_1 and z_l = W_l (G_{l-1} (*) z_{l-1}) + b_l are
 * affine in x; this returns them. They equal the net's pre-activations exactly (to rounding)
 * at every x with the same pattern (`inLinearRegion`), and nowhere else in general.
 * Throws for other kinds (a DLGN's `halfspaces()` are global; use them).
 */
export function localHalfspaces(model: Model, x0: Tensor): LocalHalfSpaces {
  const c = model.config;
  if (c.kind !== 'dnn') {
    throw new Error(
      `localHalfspaces: only for ReLU nets (dnn), got ${c.kind}` +
        (hasHalfspaceGates(c.kind) ? '; its halfspaces() are exact everywhere, use them' : ''),
    );
  }
  const x = checkBatch('localHalfspaces', x0, c.inputDim);
  if (x0.shape[0] !== 1) throw new Error(`localHalfspaces: expected one point x0 [1, ${c.inputDim}], got ${shapeStr(x0.shape)}`);
  const gates = model.gates(x0).map((g) => g.values());
  const pattern = gates.map((g) => Uint8Array.from(g, (v) => (v > 0 ? 1 : 0)));
  const d = c.inputDim;
  const param = (name: string): Float64Array | null =>
    c.bias || !name.endsWith('.bias') ? model.parameter(name).value.values() : null;
  // (P, q): the affine map of the current layer's input in terms of x; start with the identity.
  let P: Float64Array = new Float64Array(d * d);
  for (let j = 0; j < d; j++) P[j * d + j] = 1;
  let q: Float64Array = new Float64Array(d);
  let rows = d;
  const affine = (W: Float64Array, b: Float64Array | null, m: number, gate: Uint8Array | null): HalfSpaces => {
    // z = W (g (*) (P x + q)) + b
    const Wt = new Float64Array(m * d);
    const bt = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = b ? b[i] : 0;
      for (let r = 0; r < rows; r++) {
        if (gate && !gate[r]) continue;
        const wir = W[i * rows + r];
        s += wir * q[r];
        for (let j = 0; j < d; j++) Wt[i * d + j] += wir * P[r * d + j];
      }
      bt[i] = s;
    }
    return { weight: new Tensor(Wt, [m, d]), bias: new Tensor(bt, [m]) };
  };
  const layers: HalfSpaces[] = [];
  c.widths.forEach((m, l) => {
    const z = affine(model.parameter(`layers.${l}.weight`).value.values(), param(`layers.${l}.bias`), m, l === 0 ? null : pattern[l - 1]);
    layers.push(z);
    P = z.weight.values();
    q = z.bias.values();
    rows = m;
  });
  const output = affine(model.parameter('out.weight').value.values(), param('out.bias'), c.outputDim, pattern[pattern.length - 1]);
  return { validOnlyNear: true, x0: Array.from(x), pattern, layers, output };
}

/** Whether x has the activation pattern of the linearisation's x0, i.e. the local maps hold at x. */
export function inLinearRegion(local: LocalHalfSpaces, x: ArrayLike<number>): boolean {
  const p = planesOf(local.layers);
  checkPoint('inLinearRegion', x, p.d);
  for (let l = 0; l < p.m.length; l++) {
    for (let i = 0; i < p.m[l]; i++) {
      if ((preActivation(p, l, i, x, 0) > 0 ? 1 : 0) !== local.pattern[l][i]) return false;
    }
  }
  return true;
}

// ---- the 2-D arrangement ---------------------------------------------------------------------

/** An axis-aligned box in the plane. */
export interface Box2D {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export const DEFAULT_BOX: Box2D = { xmin: -1, xmax: 1, ymin: -1, ymax: 1 };

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

type Pt = [number, number];

function checkBox(fn: string, box: Box2D): void {
  const { xmin, xmax, ymin, ymax } = box;
  if (![xmin, xmax, ymin, ymax].every(Number.isFinite) || !(xmin < xmax) || !(ymin < ymax)) {
    throw new Error(`${fn}: box needs finite xmin < xmax and ymin < ymax, got ${JSON.stringify(box)}`);
  }
}

function require2D(fn: string, model: Model): HalfSpaces[] {
  const hs = requireHalfspaces(fn, model);
  if (model.config.inputDim !== 2) throw new Error(`${fn}: needs a model with 2-D inputs, got inputDim ${model.config.inputDim}`);
  return hs;
}

/** Scale of coordinates in the box, for absolute tolerances. */
function boxScale(box: Box2D): number {
  return Math.max(Math.hypot(box.xmax - box.xmin, box.ymax - box.ymin), Math.abs(box.xmin), Math.abs(box.xmax), Math.abs(box.ymin), Math.abs(box.ymax));
}

interface NormLine {
  layer: number;
  unit: number;
  a: number;
  b: number;
  c: number;
  nx: number;
  ny: number;
  off: number;
  degenerate: boolean;
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

/** Liang–Barsky clip of an infinite line to the box; null when it misses (or only touches) it. */
function clipLine(ln: NormLine, box: Box2D, tol: number): [Pt, Pt] | null {
  if (ln.degenerate) return null;
  // foot of the perpendicular from the origin, and the direction along the line
  const px = -ln.off * ln.nx;
  const py = -ln.off * ln.ny;
  const tx = -ln.ny;
  const ty = ln.nx;
  let s0 = -Infinity;
  let s1 = Infinity;
  const slab = (p: number, t: number, lo: number, hi: number): boolean => {
    if (t === 0) return p >= lo && p <= hi;
    let u0 = (lo - p) / t;
    let u1 = (hi - p) / t;
    if (u0 > u1) [u0, u1] = [u1, u0];
    s0 = Math.max(s0, u0);
    s1 = Math.min(s1, u1);
    return true;
  };
  if (!slab(px, tx, box.xmin, box.xmax) || !slab(py, ty, box.ymin, box.ymax)) return null;
  if (!(s1 - s0 > tol)) return null;
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const at = (s: number): Pt => [clamp(px + s * tx, box.xmin, box.xmax), clamp(py + s * ty, box.ymin, box.ymax)];
  return [at(s0), at(s1)];
}

/** Signed area (positive for counter-clockwise) and centroid, computed relative to the first vertex. */
function areaCentroid(poly: Pt[]): { area: number; centroid: Pt } {
  const [ox, oy] = poly[0];
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  for (let k = 1; k + 1 < poly.length; k++) {
    const x1 = poly[k][0] - ox;
    const y1 = poly[k][1] - oy;
    const x2 = poly[k + 1][0] - ox;
    const y2 = poly[k + 1][1] - oy;
    const cr = x1 * y2 - x2 * y1;
    a2 += cr;
    cx += (x1 + x2) * cr;
    cy += (y1 + y2) * cr;
  }
  const area = a2 / 2;
  if (a2 === 0) {
    // degenerate: average of vertices
    let sx = 0;
    let sy = 0;
    for (const [x, y] of poly) {
      sx += x;
      sy += y;
    }
    return { area: 0, centroid: [sx / poly.length, sy / poly.length] };
  }
  return { area, centroid: [ox + cx / (3 * a2), oy + cy / (3 * a2)] };
}

/** Drops consecutive vertices closer than tol (the polygon stays closed implicitly). */
function dedupe(poly: Pt[], tol: number): Pt[] {
  const out: Pt[] = [];
  for (const p of poly) {
    const q = out[out.length - 1];
    if (q && Math.abs(p[0] - q[0]) <= tol && Math.abs(p[1] - q[1]) <= tol) continue;
    out.push(p);
  }
  while (out.length > 1) {
    const p = out[out.length - 1];
    const q = out[0];
    if (Math.abs(p[0] - q[0]) <= tol && Math.abs(p[1] - q[1]) <= tol) out.pop();
    else break;
  }
  return out;
}

/**
 * Splits a convex polygon by a line (Sutherland–Hodgman, both sides at once). A vertex within
 * `tol` of the line counts as on it and goes to both sides. Returns the two pieces, or the whole
 * polygon alone when the line does not cut it (or cuts off only a sliver below `areaTol`).
 */
function split(poly: Pt[], ln: NormLine, tol: number, areaTol: number): Pt[][] {
  const n = poly.length;
  const s = poly.map(([x, y]) => ln.nx * x + ln.ny * y + ln.off);
  const side = s.map((v) => (v > tol ? 1 : v < -tol ? -1 : 0));
  if (!side.includes(1) || !side.includes(-1)) return [poly];
  const on: Pt[] = [];
  const off: Pt[] = [];
  for (let k = 0; k < n; k++) {
    const k2 = (k + 1) % n;
    const P = poly[k];
    if (side[k] >= 0) on.push(P);
    if (side[k] <= 0) off.push(P);
    if (side[k] * side[k2] < 0) {
      // the crossing point, interpolated from the lexicographically smaller end point, so the
      // two cells sharing this edge (which walk it in opposite directions) get the same point
      const [i0, i1] = P[0] < poly[k2][0] || (P[0] === poly[k2][0] && P[1] <= poly[k2][1]) ? [k, k2] : [k2, k];
      const A = poly[i0];
      const B = poly[i1];
      const t = s[i0] / (s[i0] - s[i1]);
      const I: Pt = [A[0] + t * (B[0] - A[0]), A[1] + t * (B[1] - A[1])];
      on.push(I);
      off.push(I);
    }
  }
  const a = dedupe(on, tol);
  const b = dedupe(off, tol);
  if (a.length < 3 || b.length < 3) return [poly];
  if (areaCentroid(a).area < areaTol || areaCentroid(b).area < areaTol) return [poly];
  return [a, b];
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

// ---- any dimension: membership and Monte Carlo volume ---------------------------------------

/** A predicate on points xs[off .. off + d), for a path id or a full pattern. */
function compileRegion(fn: string, model: Model, region: RegionSpec): { planes: Planes; test: (xs: ArrayLike<number>, off: number) => boolean } {
  const hs = requireHalfspaces(fn, model);
  const planes = planesOf(hs);
  if (!Array.isArray(region) || region.length === 0) throw new Error(`${fn}: expected a path id or a gate pattern`);
  if (typeof region[0] === 'number') {
    const { startLayer, units } = parsePathId(fn, model, region as PathIdLike);
    for (let k = 0; k < units.length; k++) {
      const m = planes.m[startLayer - 1 + k];
      if (units[k] < 0 || units[k] >= m) throw new Error(`${fn}: unit ${units[k]} is out of range for layer ${startLayer + k} of width ${m}`);
    }
    return {
      planes,
      test: (xs, off) => {
        for (let k = 0; k < units.length; k++) if (!(preActivation(planes, startLayer - 1 + k, units[k], xs, off) > 0)) return false;
        return true;
      },
    };
  }
  const pattern = region as readonly ArrayLike<number>[];
  checkPattern(fn, model, pattern);
  return {
    planes,
    test: (xs, off) => {
      for (let l = 0; l < planes.m.length; l++) {
        for (let i = 0; i < planes.m[l]; i++) {
          if ((preActivation(planes, l, i, xs, off) > 0 ? 1 : 0) !== pattern[l][i]) return false;
        }
      }
      return true;
    },
  };
}

/**
 * Whether points lie in a region: a path id (every unit the path visits is ON under hard gates)
 * or a full gate pattern (the point's pattern equals it, as `gatePattern` computes). A single
 * point gives a boolean, a batch [n, d] one boolean per row. Works in any input dimension.
 */
export function inRegion(model: Model, region: RegionSpec, x: Tensor): boolean[];
export function inRegion(model: Model, region: RegionSpec, x: ArrayLike<number>): boolean;
export function inRegion(model: Model, region: RegionSpec, x: Tensor | ArrayLike<number>): boolean | boolean[] {
  const { planes, test } = compileRegion('inRegion', model, region);
  if (x instanceof Tensor) {
    const xs = checkBatch('inRegion', x, planes.d);
    const out: boolean[] = [];
    for (let s = 0; s < x.shape[0]; s++) out.push(test(xs, s * planes.d));
    return out;
  }
  checkPoint('inRegion', x, planes.d);
  return test(x, 0);
}

/** A box in R^d: per-coordinate bounds, or a half-width h for [-h, h]^d. */
export type BoxND = { lo: readonly number[]; hi: readonly number[] } | number;

export interface MonteCarloOptions {
  /** Default: half-width 1, i.e. [-1, 1]^d. */
  box?: BoxND;
  /** Number of uniform samples in the box (default 10 000). */
  samples?: number;
  /** Seed of the project's `Rng` (default 0). */
  seed?: number;
}

/** A Monte Carlo volume: an estimate, never an exact value. */
export interface VolumeEstimate {
  /** box volume x fraction of samples inside. */
  estimate: number;
  /**
   * box volume x sqrt(p (1 - p) / n). Zero when no sample (or every sample) fell inside, which
   * does not mean the volume is exactly 0 (or the whole box); use more samples to tell.
   */
  standardError: number;
  samples: number;
  fractionInside: number;
  boxVolume: number;
  isEstimate: true;
}

/**
 * The volume of a region (a path id's active region, or the cell of a full gate pattern)
 * inside a box, estimated from uniform samples drawn with `new Rng(seed)` (`uniformRange`, one
 * coordinate after another). Deterministic for a seed. For 2-D models `arrangement2D` gives
 * exact areas.
 */
export function monteCarloVolume(model: Model, region: RegionSpec, options: MonteCarloOptions = {}): VolumeEstimate {
  const { planes, test } = compileRegion('monteCarloVolume', model, region);
  const d = planes.d;
  const n = options.samples ?? 10000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`monteCarloVolume: samples must be a positive integer, got ${n}`);
  const boxSpec = options.box ?? 1;
  let lo: number[];
  let hi: number[];
  if (typeof boxSpec === 'number') {
    if (!(boxSpec > 0) || !Number.isFinite(boxSpec)) throw new Error(`monteCarloVolume: box half-width must be finite and > 0, got ${boxSpec}`);
    lo = new Array<number>(d).fill(-boxSpec);
    hi = new Array<number>(d).fill(boxSpec);
  } else {
    lo = Array.from(boxSpec.lo);
    hi = Array.from(boxSpec.hi);
    if (lo.length !== d || hi.length !== d) throw new Error(`monteCarloVolume: box lo/hi need ${d} entries, got ${lo.length} and ${hi.length}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(lo[j]) || !Number.isFinite(hi[j]) || !(lo[j] < hi[j])) {
        throw new Error(`monteCarloVolume: box coordinate ${j} needs finite lo < hi, got [${lo[j]}, ${hi[j]}]`);
      }
    }
  }
  const boxVolume = lo.reduce((v, l, j) => v * (hi[j] - l), 1);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(d);
  let inside = 0;
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < d; j++) x[j] = rng.uniformRange(lo[j], hi[j]);
    if (test(x, 0)) inside++;
  }
  const p = inside / n;
  return {
    estimate: boxVolume * p,
    standardError: boxVolume * Math.sqrt((p * (1 - p)) / n),
    samples: n,
    fractionInside: p,
    boxVolume,
    isEstimate: true,
  };
}
