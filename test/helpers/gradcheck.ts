// The one gradient checker of the project: analytic gradients against float64 central differences.

import { Var, noGrad, record, valueAndGrad } from '../../src/autograd/engine.js';
import { shapeStr, sizeOf, type Shape } from '../../src/tensor/shape.js';
import { type NestedArray, Tensor } from '../../src/tensor/tensor.js';

/** mulberry32: a tiny deterministic generator in [0, 1), private to the test helpers. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A row-major tensor of uniform values in [lo, hi), the same for the same seed. */
export function randomTensor(shape: Shape, seed: number, lo = -1, hi = 1): Tensor {
  const rnd = mulberry32(seed);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) data[k] = lo + (hi - lo) * rnd();
  return new Tensor(data, shape);
}

/**
 * Values with a random sign and magnitude in [min, max): inputs kept away from a kink at 0
 * (abs, relu, step, division).
 */
export function randomSigned(shape: Shape, seed: number, min = 0.2, max = 1.5): Tensor {
  const rnd = mulberry32(seed);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) {
    const m = min + (max - min) * rnd();
    data[k] = rnd() < 0.5 ? -m : m;
  }
  return new Tensor(data, shape);
}

/** Row-major multi-index of flat position k in `shape`, for error messages. */
function multiIndex(shape: Shape, k: number): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = shape[d] === 0 ? 0 : k % shape[d];
    k = shape[d] === 0 ? 0 : Math.floor(k / shape[d]);
  }
  return idx;
}

type Closeable = Tensor | NestedArray | ArrayLike<number>;

function flatten(x: Closeable): { shape: number[] | null; values: ArrayLike<number> } {
  if (x instanceof Tensor) return { shape: x.shape.slice(), values: x.values() };
  if (typeof x === 'number') return { shape: [], values: [x] };
  if (Array.isArray(x)) {
    const t = Tensor.from(x as NestedArray);
    return { shape: t.shape.slice(), values: t.values() };
  }
  // a typed array: compared by values only
  return { shape: null, values: x as ArrayLike<number> };
}

/**
 * Throws unless `actual` and `expected` have the same shape (when both carry one) and every
 * element satisfies |a - e| <= tol * max(1, |e|). NaN matches NaN; infinities must match exactly.
 */
export function expectClose(actual: Closeable, expected: Closeable, tol = 1e-12): void {
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.shape !== null && e.shape !== null && shapeStr(a.shape) !== shapeStr(e.shape)) {
    throw new Error(`expectClose: shape ${shapeStr(a.shape)} differs from expected ${shapeStr(e.shape)}`);
  }
  if (a.values.length !== e.values.length) {
    throw new Error(`expectClose: ${a.values.length} values, expected ${e.values.length}`);
  }
  for (let k = 0; k < a.values.length; k++) {
    const x = a.values[k];
    const y = e.values[k];
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x === y) continue;
    } else if (Math.abs(x - y) <= tol * Math.max(1, Math.abs(y))) continue;
    throw new Error(`expectClose: element ${k}: got ${x}, expected ${y} (tol ${tol})`);
  }
}

export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-6), applied to max(1, |numeric|). */
  rtol?: number;
  /** Absolute tolerance (default 1e-8). */
  atol?: number;
  /** Which inputs to differentiate (default all); the others enter `f` as constants. */
  wrt?: boolean[];
}

/** The fixed pseudo-random projection weights for an output of `shape`, in +-[0.5, 1.5). */
function projectionWeights(shape: Shape): Tensor {
  const rnd = mulberry32(0x9e3779b9);
  const data = new Float64Array(sizeOf(shape));
  for (let k = 0; k < data.length; k++) {
    const m = 0.5 + rnd();
    data[k] = rnd() < 0.5 ? -m : m;
  }
  return new Tensor(data, shape);
}

/** <y, R> in plain float64, walking y row-major through its strides. */
function dot(y: Tensor, r: Tensor): number {
  const v = y.values();
  let s = 0;
  for (let k = 0; k < v.length; k++) s += v[k] * r.data[k];
  return s;
}

/**
 * L = <y, R> as a recorded node, written against the engine directly (dL/dy = g R) so the
 * projection does not depend on the mul and sum rules it may be checking.
 */
function project(y: Var, r: Tensor): Var {
  return record('sum', [y], Tensor.scalar(dot(y.value, r)), (g) => {
    const gy = new Float64Array(r.data.length);
    const s = g.item();
    for (let k = 0; k < gy.length; k++) gy[k] = s * r.data[k];
    return [new Tensor(gy, y.shape)];
  });
}

/**
 * Checks the gradients of `f` at `inputs` against central differences.
 *
 * The output is projected onto fixed pseudo-random weights R, L = sum(f(x) * R), so one
 * scalar exercises every output element. Analytic gradients come from `valueAndGrad` and,
 * independently, from `.backward()` on fresh `Var.param` leaves (the two must agree exactly);
 * numeric ones from (L(x + h e_k) - L(x - h e_k)) / 2h on contiguous copies of the inputs.
 * Each element must satisfy |analytic - numeric| <= atol + rtol * max(1, |numeric|); the
 * error names the input, the element and both values. Returns the largest |analytic - numeric|.
 *
 * @example
 * ```ts
 * gradcheck((a, b) => mul(a, b), [randomTensor([2, 3], 1), randomTensor([3], 2)]);
 * ```
 */
export function gradcheck(f: (...xs: Var[]) => Var, inputs: Tensor[], opts: GradcheckOptions = {}): number {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-6;
  const atol = opts.atol ?? 1e-8;
  const wrt = opts.wrt ?? inputs.map(() => true);
  if (wrt.length !== inputs.length) {
    throw new Error(`gradcheck: wrt has ${wrt.length} entries for ${inputs.length} inputs`);
  }
  const active = inputs.map((_, i) => i).filter((i) => wrt[i]);
  if (active.length === 0) throw new Error('gradcheck: no input to differentiate');

  const y0 = noGrad(() => f(...inputs.map((t) => Var.constant(t))));
  const outShape = y0.shape.slice();
  const R = projectionWeights(outShape);

  // analytic, functional API: only the active inputs are arguments, the rest constants
  const [value, grads] = valueAndGrad((...vs: Var[]) => {
    const all = inputs.map((t) => Var.constant(t));
    active.forEach((i, j) => (all[i] = vs[j]));
    const y = f(...all);
    if (shapeStr(y.shape) !== shapeStr(outShape)) {
      throw new Error(`gradcheck: f gave shape ${shapeStr(y.shape)} under grad mode, ${shapeStr(outShape)} without`);
    }
    return project(y, R);
  })(...active.map((i) => inputs[i]));
  const l0 = dot(y0.value, R);
  if (!(Math.abs(value - l0) <= 1e-12 * Math.max(1, Math.abs(l0))) && !(Number.isNaN(value) && Number.isNaN(l0))) {
    throw new Error(`gradcheck: value under grad mode ${value} differs from value under noGrad ${l0}`);
  }

  // analytic, tape API: fresh parameters, .backward(), read .grad
  const leaves = inputs.map((t, i) => (wrt[i] ? Var.param(t) : Var.constant(t)));
  const loss = project(f(...leaves), R);
  if (loss.requiresGrad) loss.backward(); // else no parameter reaches the output: every .grad stays null

  // numeric: central differences on contiguous copies
  const copies = inputs.map((t) => t.clone());
  const evalL = (): number => noGrad(() => dot(f(...copies.map((t) => Var.constant(t))).value, R));

  let maxErr = 0;
  active.forEach((i, j) => {
    const shape = inputs[i].shape;
    const g = grads[j];
    if (shapeStr(g.shape) !== shapeStr(shape)) {
      throw new Error(`gradcheck: gradient of input ${i} has shape ${shapeStr(g.shape)}, expected ${shapeStr(shape)}`);
    }
    const ga = g.values();
    const leafGrad = leaves[i].grad;
    if (leafGrad !== null && shapeStr(leafGrad.shape) !== shapeStr(shape)) {
      throw new Error(`gradcheck: .grad of input ${i} has shape ${shapeStr(leafGrad.shape)}, expected ${shapeStr(shape)}`);
    }
    const gb = leafGrad === null ? new Float64Array(ga.length) : leafGrad.values();
    const x = copies[i].data;
    for (let k = 0; k < x.length; k++) {
      const where = `input ${i} element ${k} (index [${multiIndex(shape, k).join(', ')}])`;
      if (!(ga[k] === gb[k])) {
        throw new Error(`gradcheck: ${where}: valueAndGrad gives ${ga[k]} but backward() gives ${gb[k]}`);
      }
      const orig = x[k];
      x[k] = orig + eps;
      const lp = evalL();
      x[k] = orig - eps;
      const lm = evalL();
      x[k] = orig;
      const numeric = (lp - lm) / (2 * eps);
      const err = Math.abs(ga[k] - numeric);
      const tol = atol + rtol * Math.max(1, Math.abs(numeric));
      if (!(err <= tol)) {
        throw new Error(`gradcheck: ${where}: analytic ${ga[k]} vs numeric ${numeric} (|diff| ${err} > tol ${tol})`);
      }
      maxErr = Math.max(maxErr, err);
    }
  });
  return maxErr;
}
