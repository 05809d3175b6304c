// Raw (non-differentiable) tensor kernels: elementwise maps with broadcasting, reductions, joins.

import { type Shape, broadcastShapes, contiguousStrides, normalizeAxes, normalizeAxis, sameShape, shapeStr, sizeOf } from './shape.js';
import { expArray, sigmoidScalar } from './math.js';
import { Tensor } from './tensor.js';
import { colSumsKernel, sigmoidKernel } from './kernels.js';
import { allocData, allocDataUninit } from './workspace.js';

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
  const out = allocDataUninit(n);
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

/**
 * Elementwise `f(a, b)` with NumPy broadcasting; `op` names the operation in errors. The
 * general path for any binary function; add, sub, mul and div have closure-free loops below.
 */
export function zipWith(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const same = sameShape(a.shape, b.shape);
  const shape = same ? a.shape : broadcastShapes(op, a.shape, b.shape);
  const n = sizeOf(shape);
  const out = allocDataUninit(n);
  const da = a.data;
  const db = b.data;
  if (same && a.isContiguous() && b.isContiguous()) {
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

/*
 * Arithmetic without closures: `zipWith`'s call of `f` per element is slow (~9 ns, docs/engine.md,
 * "Why the loops look like this"), so the four arithmetic ops pick a layout case once and run a
 * loop with the operator written in it:
 *   SAME  a, b contiguous with one shape
 *   SCAL  one side holds one value (a scalar, or any shape of size 1)
 *   ROW   a contiguous [..., m], b contiguous with the trailing extents of a (the bias add
 *         `X W^T + b`, and its mirror image b op a)
 * Anything else (strided views, broadcasts along inner axes) goes through `zipWith`. Each case
 * computes exactly what `zipWith` would, element for element: same operands, same operation.
 */
const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;
type Arith = typeof ADD | typeof SUB | typeof MUL | typeof DIV;
const ARITH_NAMES = ['add', 'sub', 'mul', 'div'] as const;
const ARITH_FNS: readonly ((x: number, y: number) => number)[] = [
  (x, y) => x + y,
  (x, y) => x - y,
  (x, y) => x * y,
  (x, y) => x / y,
];

/** out[k] = a[oa + k] op b[ob + k] for k < n. */
function loopSame(op: Arith, out: Float64Array, a: Float64Array, oa: number, b: Float64Array, ob: number, n: number): void {
  switch (op) {
    case ADD: for (let k = 0; k < n; k++) out[k] = a[oa + k] + b[ob + k]; return;
    case SUB: for (let k = 0; k < n; k++) out[k] = a[oa + k] - b[ob + k]; return;
    case MUL: for (let k = 0; k < n; k++) out[k] = a[oa + k] * b[ob + k]; return;
    case DIV: for (let k = 0; k < n; k++) out[k] = a[oa + k] / b[ob + k]; return;
  }
}

/** out[k] = a[oa + k] op y (scalarRight) or y op a[oa + k]. */
function loopScalar(op: Arith, out: Float64Array, a: Float64Array, oa: number, y: number, n: number, scalarRight: boolean): void {
  if (scalarRight) {
    switch (op) {
      case ADD: for (let k = 0; k < n; k++) out[k] = a[oa + k] + y; return;
      case SUB: for (let k = 0; k < n; k++) out[k] = a[oa + k] - y; return;
      case MUL: for (let k = 0; k < n; k++) out[k] = a[oa + k] * y; return;
      case DIV: for (let k = 0; k < n; k++) out[k] = a[oa + k] / y; return;
    }
  }
  switch (op) {
    case ADD: for (let k = 0; k < n; k++) out[k] = y + a[oa + k]; return;
    case SUB: for (let k = 0; k < n; k++) out[k] = y - a[oa + k]; return;
    case MUL: for (let k = 0; k < n; k++) out[k] = y * a[oa + k]; return;
    case DIV: for (let k = 0; k < n; k++) out[k] = y / a[oa + k]; return;
  }
}

/**
 * Row broadcast: out[r*m + j] = a[oa + r*m + j] op b[ob + j] (rowRight) or b[ob + j] op a[...],
 * for n / m rows of length m.
 */
function loopRow(op: Arith, out: Float64Array, a: Float64Array, oa: number, b: Float64Array, ob: number, n: number, m: number, rowRight: boolean): void {
  for (let r = 0; r < n; r += m) {
    const ar = oa + r;
    if (rowRight) {
      switch (op) {
        case ADD: for (let j = 0; j < m; j++) out[r + j] = a[ar + j] + b[ob + j]; break;
        case SUB: for (let j = 0; j < m; j++) out[r + j] = a[ar + j] - b[ob + j]; break;
        case MUL: for (let j = 0; j < m; j++) out[r + j] = a[ar + j] * b[ob + j]; break;
        case DIV: for (let j = 0; j < m; j++) out[r + j] = a[ar + j] / b[ob + j]; break;
      }
    } else {
      switch (op) {
        case ADD: for (let j = 0; j < m; j++) out[r + j] = b[ob + j] + a[ar + j]; break;
        case SUB: for (let j = 0; j < m; j++) out[r + j] = b[ob + j] - a[ar + j]; break;
        case MUL: for (let j = 0; j < m; j++) out[r + j] = b[ob + j] * a[ar + j]; break;
        case DIV: for (let j = 0; j < m; j++) out[r + j] = b[ob + j] / a[ar + j]; break;
      }
    }
  }
}

/** True when `small` (contiguous) equals the trailing extents of `big`, ignoring leading 1s. */
function isTrailing(big: Shape, small: Shape): boolean {
  let s = small.length;
  let lead = 0;
  while (lead < s && small[lead] === 1) lead++;
  s -= lead;
  if (s === 0 || s > big.length) return false;
  const off = big.length - s;
  for (let i = 0; i < s; i++) if (big[off + i] !== small[lead + i]) return false;
  return true;
}

function arith(op: Arith, a: Tensor, b: Tensor): Tensor {
  const as = a.shape;
  const bs = b.shape;
  const ac = a.isContiguous();
  const bc = b.isContiguous();
  if (ac && bc) {
    if (sameShape(as, bs)) {
      const n = sizeOf(as);
      const out = allocDataUninit(n);
      loopSame(op, out, a.data, a.offset, b.data, b.offset, n);
      return new Tensor(out, as);
    }
    const na = sizeOf(as);
    const nb = sizeOf(bs);
    if (nb === 1 && as.length >= bs.length) {
      const out = allocDataUninit(na);
      loopScalar(op, out, a.data, a.offset, b.data[b.offset], na, true);
      return new Tensor(out, as);
    }
    if (na === 1 && bs.length >= as.length) {
      const out = allocDataUninit(nb);
      loopScalar(op, out, b.data, b.offset, a.data[a.offset], nb, false);
      return new Tensor(out, bs);
    }
    if (as.length >= bs.length && nb > 0 && isTrailing(as, bs)) {
      const out = allocDataUninit(na);
      loopRow(op, out, a.data, a.offset, b.data, b.offset, na, nb, true);
      return new Tensor(out, as);
    }
    if (bs.length >= as.length && na > 0 && isTrailing(bs, as)) {
      const out = allocDataUninit(nb);
      loopRow(op, out, b.data, b.offset, a.data, a.offset, nb, na, false);
      return new Tensor(out, bs);
    }
  }
  return zipWith(ARITH_NAMES[op], a, b, ARITH_FNS[op]);
}

const asTensor = (x: Tensor | number): Tensor => (typeof x === 'number' ? Tensor.scalar(x) : x);

export const add = (a: Tensor, b: Tensor | number): Tensor => arith(ADD, a, asTensor(b));
export const sub = (a: Tensor, b: Tensor | number): Tensor => arith(SUB, a, asTensor(b));
export const mul = (a: Tensor, b: Tensor | number): Tensor => arith(MUL, a, asTensor(b));
export const div = (a: Tensor, b: Tensor | number): Tensor => arith(DIV, a, asTensor(b));
/** max(a, b) elementwise; NaN in either operand gives NaN (IEEE maximum, as torch.maximum). */
export const maximum = (a: Tensor, b: Tensor | number): Tensor => zipWith('maximum', a, asTensor(b), (x, y) => (x >= y || x !== x ? x : y));
/** min(a, b) elementwise; NaN in either operand gives NaN (IEEE minimum, as torch.minimum). */
export const minimum = (a: Tensor, b: Tensor | number): Tensor => zipWith('minimum', a, asTensor(b), (x, y) => (x <= y || x !== x ? x : y));

/**
 * `a` as one contiguous run of values (itself when it already is one), so the unary loops below
 * need no strided case.
 */
function runOf(a: Tensor): Tensor {
  return a.isContiguous() ? a : a.clone();
}

export function neg(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  negKernel(out, d, o, n);
  return new Tensor(out, a.shape);
}

/** e^a elementwise, with the accurate JS exp of math.ts (~0.5 ulp, about twice Math.exp's speed). */
export function exp(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  expArray(out, d, o, n);
  return new Tensor(out, a.shape);
}
export const log = (a: Tensor): Tensor => map(a, Math.log);
export const sqrt = (a: Tensor): Tensor => map(a, Math.sqrt);
export const abs = (a: Tensor): Tensor => map(a, Math.abs);
export const tanh = (a: Tensor): Tensor => map(a, Math.tanh);
export function square(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  squareKernel(out, d, o, n);
  return new Tensor(out, a.shape);
}
export const powScalar = (a: Tensor, p: number): Tensor =>
  p === 2 ? square(a) : map(a, (x) => Math.pow(x, p));

/** relu(x) = max(x, 0); relu(-0) is 0, relu(NaN) is NaN (as torch.relu). */
export function relu(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  reluKernel(out, d, o, n);
  return new Tensor(out, a.shape);
}

/** The hard gate 1[x > 0]. */
export function step(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  stepKernel(out, d, o, n);
  return new Tensor(out, a.shape);
}

/** g (*) 1[x > 0] in one pass: the relu gradient (x the relu input, both of one shape). */
export function reluBackward(g: Tensor, x: Tensor): Tensor {
  if (!sameShape(g.shape, x.shape)) return zipWith('reluBackward', g, x, (gv, xv) => (xv > 0 || xv !== xv ? gv : 0));
  const gc = runOf(g);
  const xc = runOf(x);
  const gd = gc.data;
  const go = gc.offset;
  const xd = xc.data;
  const xo = xc.offset;
  const n = gc.size;
  const out = allocDataUninit(n);
  reluBackwardKernel(out, gd, go, xd, xo, n);
  return new Tensor(out, g.shape);
}

export { sigmoidScalar };

/** The logistic sigmoid, overflow-free and accurate to < 1e-15 relative (see math.ts). */
export function sigmoid(a: Tensor): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  sigmoidKernel(out, d, o, n, 1);
  return new Tensor(out, a.shape);
}

/** sigma(beta x) elementwise: the soft gate. */
export function scaledSigmoid(a: Tensor, beta: number): Tensor {
  const c = runOf(a);
  const d = c.data;
  const o = c.offset;
  const n = c.size;
  const out = allocDataUninit(n);
  sigmoidKernel(out, d, o, n, beta);
  return new Tensor(out, a.shape);
}

/**
 * g (*) (s (1 - s)) (*) c in one pass, the gradient of sigma through its output s (c = beta for
 * sigma(beta z), 1 for sigma(z)); evaluated as g * ((s * (1 - s)) * c), the order of the
 * composite it replaces. g and s have one shape.
 */
export function sigmoidBackward(g: Tensor, s: Tensor, c: number): Tensor {
  if (!sameShape(g.shape, s.shape)) return mul(g, mul(map(s, (v) => v * (1 - v)), c));
  const gc = runOf(g);
  const sc = runOf(s);
  const gd = gc.data;
  const go = gc.offset;
  const sd = sc.data;
  const so = sc.offset;
  const n = gc.size;
  const out = allocDataUninit(n);
  sigmoidBackwardKernel(out, gd, go, sd, so, n, c);
  return new Tensor(out, g.shape);
}

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
  const out = allocDataUninit(sizeOf(keptShape)).fill(init);
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

/**
 * Sum over the given axes (all by default). Contiguous tensors summed over everything, and
 * contiguous matrices summed over rows (axis 0, the bias gradient) or columns (axis 1), take
 * direct loops; every case adds the values in row-major order from 0, the order of the
 * general path, so the result is the same to the bit.
 */
export function sum(t: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  if (t.isContiguous()) {
    const d = t.data;
    const o = t.offset;
    if (axes === undefined && !keepDims) {
      const out = allocDataUninit(1);
      totalKernel(out, d, o, t.size);
      return new Tensor(out, []);
    }
    if (t.ndim === 2) {
      const ax = typeof axes === 'number' ? axes : axes !== undefined && axes.length === 1 ? axes[0] : null;
      const [rows, cols] = t.shape;
      if (ax === 0 || ax === -2) {
        // four rows per sweep, added to the running column sums in row order: the same
        // additions as one row at a time, with a quarter of the loads and stores of `out`
        const out = allocData(cols);
        colSumsKernel(out, d, o, rows, cols);
        return new Tensor(out, keepDims ? [1, cols] : [cols]);
      }
      if (ax === 1 || ax === -1) {
        const out = allocDataUninit(rows);
        rowSumsKernel(out, d, o, rows, cols);
        return new Tensor(out, keepDims ? [rows, 1] : [rows]);
      }
    }
  }
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

/**
 * Index of the largest entry along one axis (the first on ties); the axis is removed. NaN counts
 * as larger than everything (the first NaN wins), as torch.argmax and numpy.argmax.
 */
export function argmax(t: Tensor, axis = -1, keepDims = false): Tensor {
  return argBest('argmax', t, axis, keepDims, 1);
}

/**
 * Index of the smallest entry along one axis (the first on ties); the axis is removed. NaN
 * counts as the extreme here too (the first NaN wins), as torch.argmin and numpy.argmin.
 */
export function argmin(t: Tensor, axis = -1, keepDims = false): Tensor {
  return argBest('argmin', t, axis, keepDims, -1);
}

function argBest(op: string, t: Tensor, axis: number, keepDims: boolean, sign: 1 | -1): Tensor {
  const ax = normalizeAxis(op, axis, t.ndim);
  checkNonEmpty(op, t, [ax]);
  const moved = t.permute([...t.shape.map((_, i) => i).filter((i) => i !== ax), ax]).contiguous();
  const n = t.shape[ax];
  const rows = moved.size / n;
  const out = allocDataUninit(rows);
  const d = moved.data;
  const o = moved.offset;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let bv = sign * d[o + r * n];
    for (let j = 1; j < n && bv === bv; j++) {
      const v = sign * d[o + r * n + j];
      if (v > bv || v !== v) {
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

/*
 * Loop kernels. Every long loop of this file lives in a function of its own that ends with the
 * loop, so nothing after the loop can deoptimise (docs/engine.md, "Why the loops look like this").
 */

function negKernel(out: Float64Array, d: Float64Array, o: number, n: number): void {
  for (let k = 0; k < n; k++) out[k] = -d[o + k];
}

function squareKernel(out: Float64Array, d: Float64Array, o: number, n: number): void {
  for (let k = 0; k < n; k++) out[k] = d[o + k] * d[o + k];
}

function reluKernel(out: Float64Array, d: Float64Array, o: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const v = d[o + k];
    // v !== v: NaN passes through (a NaN hidden as 0 would be a silent wrong result)
    out[k] = v > 0 || v !== v ? v : 0;
  }
}

function stepKernel(out: Float64Array, d: Float64Array, o: number, n: number): void {
  // `+(v > 0)` is a compare-and-set, no branch to mispredict on random signs
  for (let k = 0; k < n; k++) out[k] = +(d[o + k] > 0);
}

function reluBackwardKernel(out: Float64Array, gd: Float64Array, go: number, xd: Float64Array, xo: number, n: number): void {
  // a select, not g * 1[x > 0]: where the mask is 0 the gradient is 0 even for g = +-Infinity or
  // NaN (Infinity * 0 would be NaN); at a NaN input the gradient passes, as torch's threshold_backward
  for (let k = 0; k < n; k++) {
    const x = xd[xo + k];
    out[k] = x > 0 || x !== x ? gd[go + k] : 0;
  }
}

function sigmoidBackwardKernel(out: Float64Array, gd: Float64Array, go: number, sd: Float64Array, so: number, n: number, c: number): void {
  for (let k = 0; k < n; k++) {
    const v = sd[so + k];
    out[k] = gd[go + k] * (v * (1 - v) * c);
  }
}

/** out[0] = the sum of d[o..o+n) in order, from 0. */
function totalKernel(out: Float64Array, d: Float64Array, o: number, n: number): void {
  let acc = 0;
  for (let k = 0; k < n; k++) acc += d[o + k];
  out[0] = acc;
}

/** out[i] = the sum of row i of a rows x cols block at d[o..], from 0, in order. */
function rowSumsKernel(out: Float64Array, d: Float64Array, o: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) {
    const r = o + i * cols;
    let acc = 0;
    for (let j = 0; j < cols; j++) acc += d[r + j];
    out[i] = acc;
  }
}
