// E6's oblique decision tree data: points on the unit sphere labelled by a tree of orthonormal hyperplanes.

import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type LabeledData, split } from './synthetic.js';

/** The two data sets of the follow-up paper (both with a depth-4 tree). */
export const OBLIQUE_TREE_PRESETS = {
  sdi: { n: 40_000, d: 20, depth: 4 },
  sdii: { n: 60_000, d: 100, depth: 4 },
} as const;

export type ObliqueTreePreset = keyof typeof OBLIQUE_TREE_PRESETS;

export interface ObliqueTreeOptions {
  /** Input dimension; must be at least the number of internal nodes, 2^depth - 1. */
  d?: number;
  /** Depth of the complete tree (default 4: 15 internal nodes, 16 leaves). */
  depth?: number;
  /** Total number of points before the 50/25/25 split. */
  n?: number;
  seed?: number | Rng;
  /** 'sdi' (n 40 000, d 20) or 'sdii' (n 60 000, d 100); explicit n, d, depth must agree with it. */
  preset?: ObliqueTreePreset;
}

/** Where a branch of an internal node leads: another internal node, or a leaf with its label. */
export type ObliqueChild = { kind: 'node'; index: number } | { kind: 'leaf'; index: number; label: number };

/** Internal node `index` (heap order: children of k are 2k+1 and 2k+2); its normal is row `index` of `normals`. */
export interface ObliqueNode {
  index: number;
  /** Distance from the root (root = 0). */
  level: number;
  /** Taken when u . x <= 0. */
  left: ObliqueChild;
  /** Taken when u . x > 0. */
  right: ObliqueChild;
}

export interface ObliqueTree {
  depth: number;
  /** Input dimension d. */
  dim: number;
  /** Unit normals [2^depth - 1, d], mutually orthogonal; row k belongs to node k. */
  normals: Tensor;
  /** Internal nodes in heap order. */
  nodes: ObliqueNode[];
  /** Leaf index (0 .. 2^depth - 1, left to right) reached by a point of length d. */
  leafOf(point: ArrayLike<number>): number;
}

export interface ObliqueTreeData {
  train: LabeledData;
  validation: LabeledData;
  test: LabeledData;
  tree: ObliqueTree;
  /** Labels [m] (leaf index mod 2) of points x [m, d]. */
  labelFn(x: Tensor): Tensor;
}

/**
 * Orthonormal columns of a d x m Gaussian matrix, returned as m rows of length d: the Q factor of
 * its thin QR decomposition (with a positive diagonal of R), by modified Gram-Schmidt run twice
 * ("twice is enough"), which keeps |Q^T Q - I| near machine precision. The matrix is drawn
 * column by column.
 */
function orthonormalRows(m: number, d: number, rng: Rng): Float64Array {
  const q = rng.normalArray(m * d);
  for (let k = 0; k < m; k++) {
    const v = q.subarray(k * d, (k + 1) * d);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        const u = q.subarray(j * d, (j + 1) * d);
        let dot = 0;
        for (let t = 0; t < d; t++) dot += u[t] * v[t];
        for (let t = 0; t < d; t++) v[t] -= dot * u[t];
      }
    }
    let norm = 0;
    for (let t = 0; t < d; t++) norm += v[t] * v[t];
    norm = Math.sqrt(norm);
    for (let t = 0; t < d; t++) v[t] /= norm;
  }
  return q;
}

/**
 * The oblique decision tree data of E6.
 *
 * - Inputs: x uniform on the unit sphere in d dimensions (standard Gaussian vectors, normalised).
 * - Tree: complete, of depth `depth` (default 4), so m = 2^depth - 1 internal nodes (15) whose unit
 *   normals through the origin are mutually orthogonal: the Q factor of a d x m Gaussian matrix
 *   (so d >= m is required). A point goes left at node k when u_k . x <= 0, right otherwise;
 *   leaves are numbered 0 .. 2^depth - 1 from left to right and leaf j has label j mod 2.
 * - Splits: n points, 50 / 25 / 25 into train / validation / test by a seeded permutation.
 *
 * Class balance: leaf j's last bit is the last decision on its path, so the label is 1 exactly
 * when the last node on the path sends x right. Projections of an isotropic x onto orthonormal
 * normals have independent, symmetric signs, so every leaf has probability 2^-depth and each
 * class exactly 1/2 (up to sampling noise: about +-0.25% of the points at n = 40 000).
 *
 * The seed's generator is split into three independent streams: the tree, the points, the split.
 * Only + - * / and sqrt touch the numbers, so the same seed gives the same bytes everywhere.
 *
 * @example
 * ```ts
 * const sd = obliqueTree({ preset: 'sdi', seed: 1 });
 * sd.train.x.shape;        // [20000, 20]
 * sd.tree.normals.shape;   // [15, 20]
 * ```
 */
export function obliqueTree(o: ObliqueTreeOptions = {}): ObliqueTreeData {
  let { d, n, depth } = o;
  if (o.preset !== undefined) {
    const p = OBLIQUE_TREE_PRESETS[o.preset];
    if (p === undefined) throw new Error(`obliqueTree: preset must be one of ${Object.keys(OBLIQUE_TREE_PRESETS).join(', ')}, got '${o.preset}'`);
    for (const [key, given] of [['d', d], ['n', n], ['depth', depth]] as const) {
      if (given !== undefined && given !== p[key]) {
        throw new Error(`obliqueTree: preset '${o.preset}' has ${key} = ${p[key]}, but ${key} = ${given} was given`);
      }
    }
    ({ d, n, depth } = p);
  }
  depth ??= 4;
  if (!Number.isInteger(depth) || depth < 1) throw new Error(`obliqueTree: depth must be a positive integer, got ${depth}`);
  if (d === undefined || n === undefined) throw new Error('obliqueTree: give d and n, or a preset (sdi, sdii)');
  const m = 2 ** depth - 1;
  if (!Number.isInteger(d) || d < m) {
    throw new Error(`obliqueTree: d = ${d} is too small: a depth-${depth} tree has ${m} mutually orthogonal normals, which needs d >= ${m}`);
  }
  if (!Number.isInteger(n) || n < 1) throw new Error(`obliqueTree: n must be a positive integer, got ${n}`);
  const dim = d;
  const rng = o.seed instanceof Rng ? o.seed : new Rng(o.seed ?? 0);
  const [treeRng, pointRng, splitRng] = rng.split(3);

  const u = orthonormalRows(m, dim, treeRng);
  const child = (c: number): ObliqueChild => (c < m ? { kind: 'node', index: c } : { kind: 'leaf', index: c - m, label: (c - m) % 2 });
  const nodes: ObliqueNode[] = Array.from({ length: m }, (_, k) => ({
    index: k,
    level: 31 - Math.clz32(k + 1),
    left: child(2 * k + 1),
    right: child(2 * k + 2),
  }));
  const leafAt = (v: ArrayLike<number>, off: number): number => {
    let k = 0;
    while (k < m) {
      let dot = 0;
      for (let t = 0; t < dim; t++) dot += u[k * dim + t] * v[off + t];
      k = dot <= 0 ? 2 * k + 1 : 2 * k + 2;
    }
    return k - m;
  };
  const tree: ObliqueTree = {
    depth,
    dim,
    normals: new Tensor(u, [m, dim]),
    nodes,
    leafOf(point) {
      if (point.length !== dim) throw new Error(`obliqueTree.leafOf: expected a point of length ${dim}, got ${point.length}`);
      return leafAt(point, 0);
    },
  };

  const x = new Float64Array(n * dim);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x.subarray(i * dim, (i + 1) * dim);
    let norm = 0;
    while (norm === 0) {
      pointRng.fillNormal(v);
      norm = 0;
      for (let t = 0; t < dim; t++) norm += v[t] * v[t];
    }
    norm = Math.sqrt(norm);
    for (let t = 0; t < dim; t++) v[t] /= norm;
    y[i] = leafAt(x, i * dim) % 2;
  }
  const parts = split({ x: new Tensor(x, [n, dim]), y: new Tensor(y, [n]) }, [0.5, 0.25, 0.25], splitRng);

  const labelFn = (t: Tensor): Tensor => {
    if (t.ndim !== 2 || t.shape[1] !== dim) throw new Error(`obliqueTree.labelFn: expected [m, ${dim}], got [${t.shape.join(', ')}]`);
    const v = t.values();
    const rows = t.shape[0];
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) out[i] = leafAt(v, i * dim) % 2;
    return new Tensor(out, [rows]);
  };
  return { ...parts, tree, labelFn };
}
