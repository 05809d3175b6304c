// A model's half-spaces read for tight loops, and the argument checks the pattern, region and volume functions share.
// Internal to src/paths except `requireHalfspaces` and the `GatePattern` type, which are public.

import type { HalfSpaces, Model } from '../models/families.js';
import { hasValueTensor } from '../models/config.js';
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
export type PathIdLike = readonly number[];

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
export interface Planes {
  d: number;
  m: number[];
  w: Float64Array[];
  b: Float64Array[];
}

export function planesOf(hs: HalfSpaces[]): Planes {
  const d = hs.length > 0 ? hs[0].weight.shape[1] : 0;
  return {
    d,
    m: hs.map((h) => h.weight.shape[0]),
    w: hs.map((h) => Float64Array.from(h.weight.values())),
    b: hs.map((h) => Float64Array.from(h.bias.values())),
  };
}

/** z = w_{l,i} . x + b_{l,i} for the point stored at xs[off .. off + d). One evaluation order everywhere. */
export function preActivation(p: Planes, l: number, i: number, xs: ArrayLike<number>, off: number): number {
  const w = p.w[l];
  const d = p.d;
  let s = 0;
  for (let j = 0; j < d; j++) s += w[i * d + j] * xs[off + j];
  return s + p.b[l][i];
}

export function patternAt(p: Planes, xs: ArrayLike<number>, off: number): GatePattern {
  return p.m.map((m, l) => {
    const g = new Uint8Array(m);
    for (let i = 0; i < m; i++) g[i] = preActivation(p, l, i, xs, off) > 0 ? 1 : 0;
    return g;
  });
}

export function checkBatch(fn: string, x: Tensor, d: number): Float64Array {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`${fn}: expected inputs [n, ${d}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
  return x.values();
}

export function checkPoint(fn: string, x: ArrayLike<number>, d: number): void {
  if (x.length !== d) throw new Error(`${fn}: expected a point with ${d} coordinates, got ${x.length}`);
}

export function checkPattern(fn: string, model: Model, pattern: readonly ArrayLike<number>[]): void {
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

/** Validates a path id; returns the first hidden layer it visits (1-based) and its units. */
export function parsePathId(fn: string, model: Model, id: PathIdLike): { startLayer: number; units: number[] } {
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
