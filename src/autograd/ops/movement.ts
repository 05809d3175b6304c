// Differentiable view and movement ops: reshape, transpose/permute, expand, slice, gather, concat.

import * as T from '../../tensor/ops.js';
import { type Shape, normalizeAxis, shapeStr, sizeOf } from '../../tensor/shape.js';
import { type SliceRange, Tensor } from '../../tensor/tensor.js';
import { type Var, asVar, record } from '../engine.js';

/** Same values, new shape (a view where the layout allows). */
export function reshape(a: Var | Tensor, shape: Shape): Var {
  const x = asVar(a);
  // the gradient is reshaped back
  return record('reshape', [x], x.value.reshape(shape), (g) => [g.reshape(x.shape)]);
}

/** Axis i of the result is axis `axes[i]` of `a`. */
export function permute(a: Var | Tensor, axes: readonly number[]): Var {
  const x = asVar(a);
  const out = x.value.permute(axes);
  const norm = axes.map((ax) => normalizeAxis('permute', ax, x.value.ndim));
  const inverse = new Array<number>(norm.length);
  norm.forEach((ax, i) => (inverse[ax] = i));
  // the gradient goes through the inverse permutation
  return record('permute', [x], out, (g) => [g.permute(inverse)]);
}

/** Reverses the axes (for a matrix, the transpose), or permutes as given. */
export function transpose(a: Var | Tensor, axes?: readonly number[]): Var {
  const x = asVar(a);
  return permute(x, axes ?? x.shape.map((_, i) => x.shape.length - 1 - i));
}

/** Broadcasts to `shape` (a stride-0 view). */
export function expand(a: Var | Tensor, shape: Shape): Var {
  const x = asVar(a);
  // d expand(a)/da sums over the broadcast axes; the engine's sumToShape does exactly that
  return record('expand', [x], x.value.expand(shape), (g) => [T.sumToShape(g, x.shape)]);
}

/** Basic slicing (see `Tensor.slice`). */
export function slice(a: Var | Tensor, ...ranges: (SliceRange | null)[]): Var {
  const x = asVar(a);
  const out = x.value.slice(...ranges);
  // the gradient is zero outside the slice: write g into the same view of a zero tensor
  return record('slice', [x], out, (g) => {
    const gx = Tensor.zeros(x.shape);
    const view = gx.slice(...ranges);
    const src = g.contiguous().values();
    let k = 0;
    T.forEachPair(view.shape, view.stride, view.offset, view.shape, 0, (i) => {
      gx.data[i] = src[k++];
    });
    return [gx];
  });
}

/**
 * Picks entries along `axis` by integer index (rows by default): out has `indices.length` there.
 * Indices may repeat; their gradients add up.
 */
export function gather(a: Var | Tensor, indices: ArrayLike<number>, axis = 0): Var {
  const x = asVar(a);
  const ax = normalizeAxis('gather', axis, x.value.ndim);
  const n0 = x.shape[ax];
  for (let i = 0; i < indices.length; i++) {
    if (!Number.isInteger(indices[i]) || indices[i] < -n0 || indices[i] >= n0) {
      throw new Error(`gather: index ${indices[i]} is out of range for axis ${ax} of extent ${n0}`);
    }
  }
  const out = x.value.take(indices, ax);
  // d gather(a)/da scatters g back, adding where an index repeats
  return record('gather', [x], out, (g) => {
    const gx = Tensor.zeros(x.shape);
    const gc = g.contiguous().values();
    const n = x.shape[ax];
    const outer = sizeOf(x.shape.slice(0, ax));
    const inner = sizeOf(x.shape.slice(ax + 1));
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < indices.length; i++) {
        const j = indices[i] < 0 ? indices[i] + n : indices[i];
        const dst = (o * n + j) * inner;
        const src = (o * indices.length + i) * inner;
        for (let t = 0; t < inner; t++) gx.data[dst + t] += gc[src + t];
      }
    }
    return [gx];
  });
}

/** Joins variables along an existing axis. */
export function concat(parts: readonly (Var | Tensor)[], axis = 0): Var {
  const xs = parts.map(asVar);
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const ax = normalizeAxis('concat', axis, xs[0].value.ndim);
  const out = T.concat(
    xs.map((x) => x.value),
    ax,
  );
  // the gradient of each part is its slice of g
  return record('concat', xs, out, (g) => {
    let at = 0;
    return xs.map((x) => {
      const r: (SliceRange | null)[] = x.shape.map(() => null);
      r[ax] = [at, at + x.shape[ax]];
      at += x.shape[ax];
      return g.slice(...r);
    });
  });
}

/** Stacks equally shaped variables along a new axis. */
export function stack(parts: readonly (Var | Tensor)[], axis = 0): Var {
  const xs = parts.map(asVar);
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  for (const [i, x] of xs.entries()) {
    if (x.shape.length !== xs[0].shape.length || x.shape.some((d, j) => d !== xs[0].shape[j])) {
      throw new Error(`stack: tensor ${i} has shape ${shapeStr(x.shape)}, expected ${shapeStr(xs[0].shape)}`);
    }
  }
  const nd = xs[0].shape.length;
  const a = axis < 0 ? axis + nd + 1 : axis;
  if (!Number.isInteger(a) || a < 0 || a > nd) throw new Error(`stack: axis ${axis} is out of range for stacking rank-${nd} tensors`);
  return concat(
    xs.map((x) => reshape(x, [...x.shape.slice(0, a), 1, ...x.shape.slice(a)])),
    a,
  );
}
