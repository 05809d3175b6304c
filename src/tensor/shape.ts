// Shape arithmetic shared by every tensor operation: sizes, strides, broadcasting, axis checks.

/** A shape is a list of non-negative integer extents, outermost first. */
export type Shape = readonly number[];

/** `[2, 3]` -> `"[2, 3]"`: how shapes appear in error messages. */
export function shapeStr(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Number of elements of a shape (1 for a scalar `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major (C order) strides of a shape. Size-1 axes get stride 0 only if asked. */
export function contiguousStrides(shape: Shape): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i];
  }
  return stride;
}

/** Throws unless every extent is a non-negative integer. */
export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${op}: shape must hold non-negative integers, got ${shapeStr(shape)}`);
    }
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * NumPy broadcasting: align trailing axes; extents must be equal or one of them 1.
 * `broadcastShapes('add', [2, 1, 3], [4, 3])` is `[2, 4, 3]`.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new Error(`${op}: shapes do not broadcast: a=${shapeStr(a)}, b=${shapeStr(b)}`);
    }
  }
  return out;
}

/**
 * Normalises an axis list against a rank: negative axes count from the end, duplicates and
 * out-of-range axes are errors naming the op. `undefined` means every axis.
 */
export function normalizeAxes(op: string, axes: number | readonly number[] | undefined, ndim: number): number[] {
  if (axes === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out: number[] = [];
  for (const a of list) {
    if (!Number.isInteger(a) || a < -ndim || a >= ndim) {
      throw new Error(`${op}: axis ${a} is out of range for a tensor of rank ${ndim}`);
    }
    const k = a < 0 ? a + ndim : a;
    if (out.includes(k)) throw new Error(`${op}: axis ${a} is repeated in [${list.join(', ')}]`);
    out.push(k);
  }
  return out.sort((x, y) => x - y);
}

/** One axis, normalised (negative counts from the end). */
export function normalizeAxis(op: string, axis: number, ndim: number): number {
  return normalizeAxes(op, axis, ndim)[0];
}
