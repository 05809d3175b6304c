// Raw (non-differentiable) tensor kernels: elementwise maps with broadcasting, reductions, joins.

import { type Shape, broadcastShapes, contiguousStrides, normalizeAxes, normalizeAxis, sameShape, shapeStr, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * Walks `shape` in row-major order with two stride sets, calling `visit(i, j, k)` with the
 * flat indices into two buffers and the row-major position k. Used for broadcasting (stride 0
 * on broadcast axes) and for reductions (stride 0 on reduced axes of the output).
 */
export function forEachPair(
  shape: Shape,
  sa: Shape,
  oa: number,
  sb: Shape,
  ob: number,
  visit: (i: number, j: number, k: number) => void,
): void {
  const nd = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  if (nd === 0) {
    visit(oa, ob, 0);
    return;
  }
  const last = nd - 1;
  const inner = shape[last];
  const ia = sa[last];
  const ib = sb[last];
  const counter = new Array<number>(nd).fill(0);
  let ba = oa;
  let bb = ob;
  for (let k = 0; k < n; k += inner) {
    for (let t = 0; t < inner; t++) visit(ba + t * ia, bb + t * ib, k + t);
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      ba += sa[d];
      bb += sb[d];
      if (counter[d] < shape[d]) break;
      ba -= sa[d] * shape[d];
      bb -= sb[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** Strides of `t` seen as broadcast to `shape` (0 on new or stretched axes). */
function broadcastStrides(t: Tensor, shape: Shape): number[] {
  const lead = shape.length - t.ndim;
  return shape.map((d, i) => {
    if (i < lead) return 0;
    const j = i - lead;
    return t.shape[j] === 1 && d !== 1 ? 0 : t.stride[j];
  });
}

/** Applies `f` to every element; returns a new row-major tensor. */
export function map(t: Tensor, f: (v: number) => number): Tensor {
  const n = t.size;
  const out = new Float64Array(n);
  const d = t.data;
  if (t.isContiguous()) {
    const o = t.offset;
    for (let k = 0; k < n; k++) out[k] = f(d[o + k]);
  } else {
    forEachPair(t.shape, t.stride, t.offset, t.shape, 0, (i, _j, k) => {
      out[k] = f(d[i]);
    });
  }
  return new Tensor(out, t.shape);
}

/** Elementwise `f(a, b)` with NumPy broadcasting; `op` names the operation in errors. */
export function zipWith(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const shape = sameShape(a.shape, b.shape) ? a.shape.slice() : broadcastShapes(op, a.shape, b.shape);
  const n = sizeOf(shape);
  const out = new Float64Array(n);
  const da = a.data;
  const db = b.data;
  if (sameShape(a.shape, b.shape) && a.isContiguous() && b.isContiguous()) {
    const oa = a.offset;
    const ob = b.offset;
    for (let k = 0; k < n; k++) out[k] = f(da[oa + k], db[ob + k]);
  } else if (b.size === 1 && a.isContiguous() && sameShape(a.shape, shape)) {
    const oa = a.offset;
    const y = db[b.offset];
    for (let k = 0; k < n; k++) out[k] = f(da[oa + k], y);
  } else {
    forEachPair(shape, broadcastStrides(a, shape), a.offset, broadcastStrides(b, shape), b.offset, (i, j, k) => {
      out[k] = f(da[i], db[j]);
    });
  }
  return new Tensor(out, shape);
}

const asTensor = (x: Tensor | number): Tensor => (typeof x === 'number' ? Tensor.scalar(x) : x);

export const add = (a: Tensor, b: Tensor | number): Tensor => zipWith('add', a, asTensor(b), (x, y) => x + y);
export const sub = (a: Tensor, b: Tensor | number): Tensor => zipWith('sub', a, asTensor(b), (x, y) => x - y);
export const mul = (a: Tensor, b: Tensor | number): Tensor => zipWith('mul', a, asTensor(b), (x, y) => x * y);
export const div = (a: Tensor, b: Tensor | number): Tensor => zipWith('div', a, asTensor(b), (x, y) => x / y);
export const maximum = (a: Tensor, b: Tensor | number): Tensor => zipWith('maximum', a, asTensor(b), (x, y) => (x >= y ? x : y));
export const minimum = (a: Tensor, b: Tensor | number): Tensor => zipWith('minimum', a, asTensor(b), (x, y) => (x <= y ? x : y));
export const neg = (a: Tensor): Tensor => map(a, (x) => -x);
export const exp = (a: Tensor): Tensor => map(a, Math.exp);
export const log = (a: Tensor): Tensor => map(a, Math.log);
export const sqrt = (a: Tensor): Tensor => map(a, Math.sqrt);
export const abs = (a: Tensor): Tensor => map(a, Math.abs);
export const tanh = (a: Tensor): Tensor => map(a, Math.tanh);
export const square = (a: Tensor): Tensor => map(a, (x) => x * x);
export const powScalar = (a: Tensor, p: number): Tensor =>
  p === 2 ? square(a) : map(a, (x) => Math.pow(x, p));
/** relu(x) = max(x, 0); relu(-0) is 0. */
export const relu = (a: Tensor): Tensor => map(a, (x) => (x > 0 ? x : 0));
/** The hard gate 1[x > 0]. */
export const step = (a: Tensor): Tensor => map(a, (x) => (x > 0 ? 1 : 0));

/** The logistic sigmoid, written so that neither branch overflows. */
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
export const sigmoid = (a: Tensor): Tensor => map(a, sigmoidScalar);

/** softplus(x) = log(1 + e^x), computed as max(x, 0) + log1p(e^-|x|) so it never overflows. */
export function softplusScalar(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}
export const softplus = (a: Tensor): Tensor => map(a, softplusScalar);

/** Throws, naming the op, if any element is NaN or infinite. */
export function assertFinite(op: string, t: Tensor, what = 'input'): void {
  const v = t.values();
  for (let k = 0; k < v.length; k++) {
    if (!Number.isFinite(v[k])) {
      throw new Error(`${op}: ${what} holds a non-finite value (${v[k]}) at flat position ${k} of shape ${shapeStr(t.shape)}`);
    }
  }
}

// ---- reductions ----------------------------------------------------------------------------

/** The shape a reduction over `axes` leaves (size-1 kept axes with keepDims). */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(d);
  });
  return out;
}

function reduce(
  op: string,
  t: Tensor,
  axes: number | readonly number[] | undefined,
  keepDims: boolean,
  init: number,
  f: (acc: number, v: number) => number,
): Tensor {
  const ax = normalizeAxes(op, axes, t.ndim);
  const keptShape = reducedShape(t.shape, ax, true);
  const out = new Float64Array(sizeOf(keptShape)).fill(init);
  const os = contiguousStrides(keptShape).map((s, i) => (ax.includes(i) ? 0 : s));
  const d = t.data;
  if (ax.length === t.ndim && t.isContiguous()) {
    let acc = init;
    const o = t.offset;
    const n = t.size;
    for (let k = 0; k < n; k++) acc = f(acc, d[o + k]);
    out[0] = acc;
  } else {
    forEachPair(t.shape, t.stride, t.offset, os, 0, (i, j) => {
      out[j] = f(out[j], d[i]);
    });
  }
  return new Tensor(out, keepDims ? keptShape : reducedShape(t.shape, ax, false));
}

/** Sum over the given axes (all by default). */
export function sum(t: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  return reduce('sum', t, axes, keepDims, 0, (a, v) => a + v);
}

/** Mean over the given axes (all by default); NaN over an empty set, as NumPy. */
export function mean(t: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const ax = normalizeAxes('mean', axes, t.ndim);
  const count = ax.reduce((c, a) => c * t.shape[a], 1);
  const s = sum(t, ax, keepDims);
  const inv = 1 / count;
  for (let k = 0; k < s.data.length; k++) s.data[k] *= inv;
  return s;
}

function checkNonEmpty(op: string, t: Tensor, ax: readonly number[]): void {
  for (const a of ax) {
    if (t.shape[a] === 0) throw new Error(`${op}: cannot reduce over axis ${a} of extent 0 in ${shapeStr(t.shape)}`);
  }
}

/** Maximum over the given axes; NaN propagates. Errors on an empty axis. */
export function max(t: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkNonEmpty('max', t, normalizeAxes('max', axes, t.ndim));
  return reduce('max', t, axes, keepDims, -Infinity, (a, v) => (v > a || Number.isNaN(v) ? v : a));
}

/** Minimum over the given axes; NaN propagates. Errors on an empty axis. */
export function min(t: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  checkNonEmpty('min', t, normalizeAxes('min', axes, t.ndim));
  return reduce('min', t, axes, keepDims, Infinity, (a, v) => (v < a || Number.isNaN(v) ? v : a));
}

/** Index of the largest entry along one axis (the first on ties); the axis is removed. */
export function argmax(t: Tensor, axis = -1, keepDims = false): Tensor {
  const ax = normalizeAxis('argmax', axis, t.ndim);
  checkNonEmpty('argmax', t, [ax]);
  const moved = t.permute([...t.shape.map((_, i) => i).filter((i) => i !== ax), ax]).contiguous();
  const n = t.shape[ax];
  const rows = moved.size / n;
  const out = new Float64Array(rows);
  const d = moved.data;
  const o = moved.offset;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bv = d[o + r * n];
    for (let j = 1; j < n; j++) {
      const v = d[o + r * n + j];
      if (v > bv) {
        bv = v;
        best = j;
      }
    }
    out[r] = best;
  }
  return new Tensor(out, reducedShape(t.shape, [ax], keepDims));
}

/**
 * Sums `g` down to `shape`, undoing NumPy broadcasting: leading axes are summed away and axes
 * where `shape` has extent 1 are summed with keepDims. The autograd engine calls this once for
 * every gradient whose shape differs from its input's.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  if (lead < 0) throw new Error(`sumToShape: cannot reduce ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead) axes.push(i);
    else if (shape[i - lead] === 1 && g.shape[i] !== 1) axes.push(i);
    else if (shape[i - lead] !== g.shape[i]) {
      throw new Error(`sumToShape: cannot reduce ${shapeStr(g.shape)} to ${shapeStr(shape)}`);
    }
  }
  return sum(g, axes, true).reshape(shape);
}

// ---- joins ---------------------------------------------------------------------------------

/** Joins tensors along an existing axis; all other extents must agree. */
export function concat(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error('concat: needs at least one tensor');
  const nd = ts[0].ndim;
  const ax = normalizeAxis('concat', axis, nd);
  for (const [i, t] of ts.entries()) {
    const ok = t.ndim === nd && t.shape.every((d, j) => j === ax || d === ts[0].shape[j]);
    if (!ok) {
      throw new Error(
        `concat: tensor ${i} has shape ${shapeStr(t.shape)}, incompatible with ${shapeStr(ts[0].shape)} along axis ${ax}`,
      );
    }
  }
  const shape = ts[0].shape.slice();
  shape[ax] = ts.reduce((s, t) => s + t.shape[ax], 0);
  const out = Tensor.zeros(shape);
  const outer = sizeOf(shape.slice(0, ax));
  const inner = sizeOf(shape.slice(ax + 1));
  const rowLen = shape[ax] * inner;
  let at = 0;
  for (const t of ts) {
    const c = t.contiguous();
    const chunk = t.shape[ax] * inner;
    const src = c.data;
    for (let o = 0; o < outer; o++) {
      const s = c.offset + o * chunk;
      out.data.set(src.subarray(s, s + chunk), o * rowLen + at);
    }
    at += chunk;
  }
  return out;
}

/** Stacks equally shaped tensors along a new axis. */
export function stack(ts: readonly Tensor[], axis = 0): Tensor {
  if (ts.length === 0) throw new Error('stack: needs at least one tensor');
  for (const [i, t] of ts.entries()) {
    if (!sameShape(t.shape, ts[0].shape)) {
      throw new Error(`stack: tensor ${i} has shape ${shapeStr(t.shape)}, expected ${shapeStr(ts[0].shape)}`);
    }
  }
  const a = axis < 0 ? axis + ts[0].ndim + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > ts[0].ndim) {
    throw new Error(`stack: axis ${axis} is out of range for stacking rank-${ts[0].ndim} tensors`);
  }
  return concat(
    ts.map((t) => t.unsqueeze(a)),
    a,
  );
}
