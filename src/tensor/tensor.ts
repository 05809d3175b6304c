// The strided Float64 tensor: data, shape, stride, offset (ndarray's field names), and its views.

import {
  type Shape,
  broadcastShapes,
  checkShape,
  contiguousStrides,
  normalizeAxes,
  normalizeAxis,
  sameShape,
  shapeStr,
  sizeOf,
} from './shape.js';
import { allocData, allocDataUninit } from './workspace.js';

/**
 * A view into a Float64Array: element `[i0, i1, ...]` lives at
 * `data[offset + i0 * stride[0] + i1 * stride[1] + ...]`.
 *
 * Views (`reshape` where possible, `transpose`, `permute`, `expand`, `slice`) share `data`;
 * `contiguous()` copies only when the layout is not already row-major.
 *
 * @example
 * ```ts
 * import { Tensor } from 'halfspace/tensor';
 * const a = Tensor.from([[1, 2, 3], [4, 5, 6]]);
 * a.transpose().toArray(); // [[1, 4], [2, 5], [3, 6]], no copy made
 * ```
 */
export class Tensor {
  readonly data: Float64Array;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
  readonly offset: number;

  /**
   * Wraps `data` (no copy) as a tensor of `shape`, row-major unless `stride` is given. Checked,
   * O(rank): every extent a non-negative integer, `offset` and the strides integers, and every
   * element the view can reach inside `data` (a 3-element buffer is not a [2, 2] tensor).
   * A larger buffer is fine (a view of part of it).
   */
  constructor(data: Float64Array, shape: Shape, stride?: Shape, offset = 0) {
    if (!(data instanceof Float64Array)) throw new Error(`Tensor: data must be a Float64Array, got ${data === null ? 'null' : typeof data === 'object' ? (data as object).constructor?.name ?? 'an object' : typeof data}`);
    if (!Array.isArray(shape)) throw new Error(`Tensor: shape must be an array of non-negative integers, got ${typeof shape}`);
    checkShape('Tensor', shape);
    this.data = data;
    this.shape = shape.slice();
    this.stride = stride ? stride.slice() : contiguousStrides(shape);
    this.offset = offset;
    if (this.stride.length !== shape.length) throw new Error(`Tensor: ${this.stride.length} strides for a shape of rank ${shape.length}`);
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`Tensor: offset must be a non-negative integer, got ${offset}`);
    let lo = offset;
    let hi = offset;
    let empty = false;
    for (let i = 0; i < shape.length; i++) {
      const st = this.stride[i];
      if (!Number.isInteger(st)) throw new Error(`Tensor: strides must be integers, got [${this.stride.join(', ')}]`);
      if (shape[i] === 0) empty = true;
      const reach = (shape[i] - 1) * st;
      if (reach > 0) hi += reach;
      else lo += reach;
    }
    if (!empty && (lo < 0 || hi >= data.length)) {
      throw new Error(
        `Tensor: shape ${shapeStr(shape)}${stride ? ` with strides [${this.stride.join(', ')}]` : ''}${offset ? ` at offset ${offset}` : ''} ` +
          `reaches element ${lo < 0 ? lo : hi}, but the data holds ${data.length}`,
      );
    }
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Rank (number of axes). */
  get ndim(): number {
    return this.shape.length;
  }

  // ---- creation ----------------------------------------------------------------------------

  /** A tensor from nested arrays (`[[1, 2], [3, 4]]`) or a number (a scalar, shape `[]`). */
  static from(values: NestedArray): Tensor {
    const shape: number[] = [];
    let probe: NestedArray = values;
    while (Array.isArray(probe)) {
      shape.push(probe.length);
      if (probe.length === 0) break;
      probe = probe[0];
    }
    const data = new Float64Array(sizeOf(shape));
    let k = 0;
    const walk = (v: NestedArray, depth: number): void => {
      if (depth === shape.length) {
        if (typeof v !== 'number') throw new Error(`Tensor.from: ragged nested array at depth ${depth}`);
        data[k++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw new Error(
          `Tensor.from: ragged nested array: expected length ${shape[depth]} at depth ${depth}, got ${
            Array.isArray(v) ? v.length : typeof v
          }`,
        );
      }
      for (const x of v) walk(x, depth + 1);
    };
    walk(values, 0);
    return new Tensor(data, shape);
  }

  /** Wraps (does not copy) a typed array as a row-major tensor of the given shape. */
  static fromArray(data: Float64Array | ArrayLike<number>, shape?: Shape): Tensor {
    const buf = data instanceof Float64Array ? data : Float64Array.from(data);
    const sh = shape ?? [buf.length];
    checkShape('Tensor.fromArray', sh);
    if (sizeOf(sh) !== buf.length) {
      throw new Error(`Tensor.fromArray: ${buf.length} values do not fill shape ${shapeStr(sh)}`);
    }
    return new Tensor(buf, sh);
  }

  static zeros(shape: Shape): Tensor {
    checkShape('zeros', shape);
    return new Tensor(allocData(sizeOf(shape)), shape);
  }

  static full(shape: Shape, value: number): Tensor {
    checkShape('full', shape);
    return new Tensor(allocDataUninit(sizeOf(shape)).fill(value), shape);
  }

  static ones(shape: Shape): Tensor {
    return Tensor.full(shape, 1);
  }

  static scalar(value: number): Tensor {
    const data = allocDataUninit(1);
    data[0] = value;
    return new Tensor(data, []);
  }

  /** `[start, start + step, ...)` below `stop` (NumPy's arange). */
  static arange(start: number, stop?: number, step = 1): Tensor {
    if (stop === undefined) {
      stop = start;
      start = 0;
    }
    if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be finite and non-zero, got ${step}`);
    const n = Math.max(0, Math.ceil((stop - start) / step));
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = start + i * step;
    return new Tensor(data, [n]);
  }

  /** The n x m identity (m defaults to n). */
  static eye(n: number, m = n): Tensor {
    const t = Tensor.zeros([n, m]);
    for (let i = 0; i < Math.min(n, m); i++) t.data[i * m + i] = 1;
    return t;
  }

  // ---- element access --------------------------------------------------------------------

  /** True when elements are laid out row-major from `offset` with no gaps. */
  isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.stride[i] !== s) return false;
      s *= this.shape[i];
    }
    return true;
  }

  /** Flat index into `data` of a multi-index. */
  index(...idx: number[]): number {
    if (idx.length !== this.shape.length) {
      throw new Error(`Tensor.get: expected ${this.shape.length} indices, got ${idx.length}`);
    }
    let k = this.offset;
    for (let i = 0; i < idx.length; i++) {
      const j = idx[i] < 0 ? idx[i] + this.shape[i] : idx[i];
      if (!Number.isInteger(j) || j < 0 || j >= this.shape[i]) {
        throw new Error(`Tensor.get: index ${idx[i]} out of range for axis ${i} of ${shapeStr(this.shape)}`);
      }
      k += j * this.stride[i];
    }
    return k;
  }

  get(...idx: number[]): number {
    return this.data[this.index(...idx)];
  }

  set(value: number, ...idx: number[]): void {
    this.data[this.index(...idx)] = value;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor has ${this.size} elements, shape ${shapeStr(this.shape)}`);
    return this.data[this.offset];
  }

  /** A row-major Float64Array of the values: `data` itself when contiguous and whole. */
  values(): Float64Array {
    const n = this.size;
    if (this.isContiguous()) {
      if (this.offset === 0 && this.data.length === n) return this.data;
      return this.data.subarray(this.offset, this.offset + n);
    }
    return this.contiguous().data;
  }

  /** The values as nested arrays. */
  toArray(): NestedArray {
    const flat = this.values();
    if (this.shape.length === 0) return flat[0];
    let k = 0;
    const build = (d: number): NestedArray => {
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[d]; i++) out.push(d === this.shape.length - 1 ? flat[k++] : build(d + 1));
      return out;
    };
    return build(0);
  }

  /** A fresh row-major copy (always copies). */
  clone(): Tensor {
    const out = allocDataUninit(this.size);
    copyStrided(this, out);
    return new Tensor(out, this.shape);
  }

  /** This tensor if already row-major, else a row-major copy. */
  contiguous(): Tensor {
    if (this.isContiguous()) {
      return this.offset === 0 && this.data.length === this.size ? this : new Tensor(this.data, this.shape, undefined, this.offset);
    }
    return this.clone();
  }

  // ---- views -------------------------------------------------------------------------------

  /**
   * Same elements, new shape (one extent may be -1). A view when the layout allows it
   * (any contiguous tensor); otherwise the values are copied first, as NumPy does.
   */
  reshape(shape: Shape): Tensor {
    const sh = shape.slice();
    const unknown = sh.indexOf(-1);
    if (unknown >= 0) {
      const rest = sizeOf(sh.filter((_, i) => i !== unknown));
      if (rest === 0 || this.size % rest !== 0) {
        throw new Error(`reshape: cannot infer -1 in ${shapeStr(shape)} for ${this.size} elements`);
      }
      sh[unknown] = this.size / rest;
    }
    checkShape('reshape', sh);
    if (sizeOf(sh) !== this.size) {
      throw new Error(`reshape: cannot reshape ${shapeStr(this.shape)} (${this.size} elements) to ${shapeStr(shape)}`);
    }
    const base = this.isContiguous() ? this : this.clone();
    return new Tensor(base.data, sh, undefined, base.offset);
  }

  /** Reverses the axes, or permutes them as given. Always a view. */
  transpose(axes?: readonly number[]): Tensor {
    if (axes === undefined && this.shape.length === 2) {
      // the matrix transpose, which every layer's gradient takes: no axis bookkeeping
      return new Tensor(this.data, [this.shape[1], this.shape[0]], [this.stride[1], this.stride[0]], this.offset);
    }
    const perm = axes ?? this.shape.map((_, i) => this.shape.length - 1 - i);
    return this.permute(perm);
  }

  /** Axis i of the result is axis `axes[i]` of this tensor. Always a view. */
  permute(axes: readonly number[]): Tensor {
    if (axes.length !== this.ndim) {
      throw new Error(`permute: expected ${this.ndim} axes for shape ${shapeStr(this.shape)}, got [${axes.join(', ')}]`);
    }
    const norm = axes.map((a) => normalizeAxis('permute', a, this.ndim));
    if (new Set(norm).size !== norm.length) throw new Error(`permute: repeated axis in [${axes.join(', ')}]`);
    return new Tensor(
      this.data,
      norm.map((a) => this.shape[a]),
      norm.map((a) => this.stride[a]),
      this.offset,
    );
  }

  /** Broadcasts to a larger shape with stride 0 on the new and size-1 axes. Always a view. */
  expand(shape: Shape): Tensor {
    checkShape('expand', shape);
    const target = broadcastShapes('expand', this.shape, shape);
    if (!sameShape(target, shape)) {
      throw new Error(`expand: cannot broadcast ${shapeStr(this.shape)} to ${shapeStr(shape)}`);
    }
    const lead = shape.length - this.ndim;
    const stride = shape.map((d, i) => {
      if (i < lead) return 0;
      const j = i - lead;
      return this.shape[j] === 1 && d !== 1 ? 0 : this.stride[j];
    });
    return new Tensor(this.data, shape, stride, this.offset);
  }

  /** Alias of `expand` with NumPy's name. */
  broadcastTo(shape: Shape): Tensor {
    return this.expand(shape);
  }

  /**
   * Basic slicing, one `[start, stop, step?]` (or `null` for the whole axis) per leading axis;
   * negative bounds count from the end, as in Python. Always a view.
   */
  slice(...ranges: (SliceRange | null)[]): Tensor {
    if (ranges.length > this.ndim) {
      throw new Error(`slice: ${ranges.length} ranges for a tensor of rank ${this.ndim}`);
    }
    const shape = this.shape.slice();
    const stride = this.stride.slice();
    let offset = this.offset;
    ranges.forEach((r, axis) => {
      if (r === null) return;
      const n = this.shape[axis];
      if (!Array.isArray(r)) throw new Error(`slice: range ${axis} must be [start, stop, step?] or null, got ${typeof r}`);
      for (const b of [r[0], r[1]]) {
        if (b !== undefined && !Number.isInteger(b)) throw new Error(`slice: bounds must be integers, got [${r.join(', ')}] for axis ${axis}`);
      }
      const step = r[2] ?? 1;
      if (!Number.isInteger(step) || step === 0) throw new Error(`slice: step must be a non-zero integer, got ${step}`);
      const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
      let start: number;
      let stop: number;
      if (step > 0) {
        start = r[0] === undefined ? 0 : clamp(r[0] < 0 ? r[0] + n : r[0], 0, n);
        stop = r[1] === undefined ? n : clamp(r[1] < 0 ? r[1] + n : r[1], 0, n);
      } else {
        start = r[0] === undefined ? n - 1 : clamp(r[0] < 0 ? r[0] + n : r[0], -1, n - 1);
        stop = r[1] === undefined ? -1 : clamp(r[1] < 0 ? r[1] + n : r[1], -1, n - 1);
      }
      const len = Math.max(0, Math.ceil((stop - start) / step));
      shape[axis] = len;
      if (len > 0) offset += start * this.stride[axis];
      stride[axis] = this.stride[axis] * step;
    });
    return new Tensor(this.data, shape, stride, offset);
  }

  /** Inserts a size-1 axis at `axis`. A view. */
  unsqueeze(axis: number): Tensor {
    const a = axis < 0 ? axis + this.ndim + 1 : axis;
    if (!Number.isInteger(a) || a < 0 || a > this.ndim) {
      throw new Error(`unsqueeze: axis ${axis} is out of range for a tensor of rank ${this.ndim}`);
    }
    const shape = this.shape.slice();
    const stride = this.stride.slice();
    shape.splice(a, 0, 1);
    stride.splice(a, 0, 0);
    return new Tensor(this.data, shape, stride, this.offset);
  }

  /** Removes size-1 axes (the given ones, or all). A view. */
  squeeze(axes?: number | readonly number[]): Tensor {
    const drop = axes === undefined ? this.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes('squeeze', axes, this.ndim);
    for (const a of drop) {
      if (this.shape[a] !== 1) throw new Error(`squeeze: axis ${a} has extent ${this.shape[a]}, not 1, in ${shapeStr(this.shape)}`);
    }
    return new Tensor(
      this.data,
      this.shape.filter((_, i) => !drop.includes(i)),
      this.stride.filter((_, i) => !drop.includes(i)),
      this.offset,
    );
  }

  /**
   * Selects entries along one axis by index (NumPy's `take`; `take(rows, 0)` picks rows).
   * An arbitrary index list is not a strided view, so this copies.
   */
  take(indices: ArrayLike<number>, axis = 0): Tensor {
    const ax = normalizeAxis('take', axis, this.ndim);
    const n = this.shape[ax];
    for (let i = 0; i < indices.length; i++) {
      const j = indices[i];
      if (!Number.isInteger(j) || j < -n || j >= n) {
        throw new Error(`take: index ${j} is out of range for axis ${ax} of extent ${n}`);
      }
    }
    const shape = this.shape.slice();
    shape[ax] = indices.length;
    const out = Tensor.zeros(shape);
    const outer = sizeOf(this.shape.slice(0, ax));
    const inner = sizeOf(this.shape.slice(ax + 1));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < indices.length; i++) {
        const j = indices[i] < 0 ? indices[i] + n : indices[i];
        const src = this.selectAxisView(ax, j, o);
        const dst = (o * indices.length + i) * inner;
        copyStrided(src, out.data, dst);
      }
    }
    return out;
  }

  /** Rows of a matrix (or leading-axis entries) by index; copies. */
  selectRows(indices: ArrayLike<number>): Tensor {
    return this.take(indices, 0);
  }

  /** The sub-tensor at index j of axis ax, for the o-th combination of the axes before ax. */
  private selectAxisView(ax: number, j: number, o: number): Tensor {
    let offset = this.offset + j * this.stride[ax];
    let rem = o;
    for (let d = ax - 1; d >= 0; d--) {
      offset += (rem % this.shape[d]) * this.stride[d];
      rem = Math.floor(rem / this.shape[d]);
    }
    return new Tensor(this.data, this.shape.slice(ax + 1), this.stride.slice(ax + 1), offset);
  }

  toString(): string {
    return `Tensor(${shapeStr(this.shape)}) ${JSON.stringify(this.toArray())}`;
  }
}

/** Nested arrays of numbers, as `Tensor.from` takes and `toArray` gives. */
export type NestedArray = number | NestedArray[];

/** `[start, stop, step]` with Python semantics; omitted parts mean the whole extent. */
export type SliceRange = [start?: number, stop?: number, step?: number];

/**
 * Visits every element of `t` in row-major order, calling `visit(flatIndexIntoData, k)` with k
 * the row-major position. The innermost axis is a tight loop.
 */
export function forEachIndex(t: Tensor, visit: (i: number, k: number) => void): void {
  const nd = t.ndim;
  const n = t.size;
  if (n === 0) return;
  if (nd === 0) {
    visit(t.offset, 0);
    return;
  }
  const { shape, stride } = t;
  const last = nd - 1;
  const inner = shape[last];
  const s = stride[last];
  const counter = new Array<number>(nd).fill(0);
  let base = t.offset;
  for (let k = 0; k < n; k += inner) {
    for (let j = 0; j < inner; j++) visit(base + j * s, k + j);
    // advance the outer counter
    for (let d = last - 1; d >= 0; d--) {
      counter[d]++;
      base += stride[d];
      if (counter[d] < shape[d]) break;
      base -= stride[d] * shape[d];
      counter[d] = 0;
    }
  }
}

/** Copies `src` in row-major order into `dst` from position `at`. */
export function copyStrided(src: Tensor, dst: Float64Array, at = 0): void {
  if (src.isContiguous()) {
    dst.set(src.data.subarray(src.offset, src.offset + src.size), at);
    return;
  }
  const data = src.data;
  if (src.ndim === 2) {
    // matrices (transposes above all) without the per-element callback
    const [rows, cols] = src.shape;
    const [rs, cs] = src.stride;
    let k = at;
    for (let i = 0, r = src.offset; i < rows; i++, r += rs) {
      for (let j = 0, c = r; j < cols; j++, c += cs) dst[k++] = data[c];
    }
    return;
  }
  forEachIndex(src, (i, k) => {
    dst[at + k] = data[i];
  });
}
