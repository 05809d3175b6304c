// Oblique decision trees read out of a DLGN's effective half-spaces: clusters of gating hyperplanes become the tree's splits.

import { noGrad } from '../autograd/engine.js';
import type { Model } from '../models/families.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { dbscan, pairwiseDistances } from './geometry.js';
import { requireHalfspaces } from './planes.js';

// The procedure follows the follow-up paper's idea (Banerjee, Ramaswamy, Yadav, Lakshminarayanan,
// ICLR 2025): training pulls many gating hyperplanes of a DLGN onto each discontinuity of the
// label function, so the largest cluster of hyperplanes marks the most important split. Their
// procedure retrains a DLGN on the data of every node; this one reads every split out of the one
// trained DLGN it is given (docs/paths.md, "Decision trees"): at each node it clusters the
// hyperplanes that cut the node's training points, splits by the centre of the largest cluster
// and recurses on the two sides.

/** A hidden unit of the DLGN, as in path ids: layer 1-based, unit 0-based. */
export interface TreeUnit {
  layer: number;
  unit: number;
}

/** An internal node: points with weight . x + bias <= 0 go left, the others right. */
export interface TreeSplit {
  kind: 'split';
  /** The split's normal and offset, scaled so that |(weight, bias)| = 1. */
  weight: Float64Array;
  bias: number;
  /** Depth of the node (the root is 0). */
  level: number;
  /** Training points that reached the node. */
  samples: number;
  /**
   * 'cluster': the centre of the largest DBSCAN cluster; 'discontinuity' (pick 'discontinuity'):
   * the cluster or lone hyperplane across which the model's class flips most often for the node's
   * points; 'impurity': no cluster formed, the single hyperplane of best Gini decrease.
   */
  chosenBy: 'cluster' | 'discontinuity' | 'impurity';
  /** The gating units whose hyperplanes made the split (the cluster's members). */
  units: TreeUnit[];
  left: TreeNode;
  right: TreeNode;
}

/** A leaf: the majority class of the training points that reached it (lowest class on ties). */
export interface TreeLeaf {
  kind: 'leaf';
  label: number;
  level: number;
  samples: number;
  /** Training points per class at the leaf. */
  counts: number[];
}

export type TreeNode = TreeSplit | TreeLeaf;

/** An oblique decision tree extracted from a model. */
export interface ExtractedTree {
  root: TreeNode;
  inputDim: number;
  classes: number;
  /** Depth reached (0 when the root is a leaf). */
  depth: number;
  splits: number;
  leaves: number;
}

/** Options of `extractTree`. */
export interface ExtractTreeOptions {
  /** Largest depth of a split; the tree has at most 2^depth leaves (default 4). */
  depth?: number;
  /** A node with fewer training points becomes a leaf (default 10). */
  minSamples?: number;
  /** DBSCAN radius on the sign-invariant distance of unit (w, b) vectors (default 0.3). */
  eps?: number;
  /** DBSCAN core size, the point itself included (default 2). */
  minPts?: number;
  /** A hyperplane is a candidate at a node only if at least this fraction of its points lie on each side (default 0.02). */
  minSide?: number;
  /**
   * Which cluster makes a node's split. 'largest' (default, the follow-up paper's rule): the one
   * most hyperplanes agree on. 'discontinuity': the one across which the model's class changes
   * most often for the node's own points: the `probe` share of them nearest each cluster's centre
   * are mirrored across it and the model's class compared at both; ties to the larger, then the
   * lower-labelled cluster. Without `retrain` the one model's clusters are the same at every node,
   * so 'largest' splits all nodes of a level alike (hyperplanes through the origin cut every
   * node); 'discontinuity' asks the model which of them is a boundary inside this node.
   */
  pick?: 'largest' | 'discontinuity';
  /** With pick 'discontinuity': the share of a node's points probed per cluster (default 0.1, at least 10 points). */
  probe?: number;
  /** Leaf labels from the data's labels ('data', default) or from the model's own predictions ('model'). */
  labels?: 'data' | 'model';
  /**
   * The follow-up paper's full procedure: below the root, each node's split is read out of a
   * model trained on that node's points only (this function is called with them and returns the
   * trained model). Without it, every split comes from the one model given.
   */
  retrain?: (data: { x: Tensor; y: Tensor }, level: number) => Model;
}

function checkInt(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new Error(`extractTree: ${name} must be an integer >= ${min}, got ${v}`);
  return v;
}

/** The model's predicted class per row of x: argmax of the outputs (one output: 1 when it is > 0). */
function predictedClasses(model: Model, x: Tensor): Int32Array {
  const out = noGrad(() => model.forward(x).value).contiguous();
  const [n, k] = out.shape;
  const v = out.values();
  const cls = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (k === 1) {
      cls[i] = v[i] > 0 ? 1 : 0;
      continue;
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (v[i * k + c] > v[i * k + best]) best = c;
    cls[i] = best;
  }
  return cls;
}

function classLabels(y: Tensor, n: number, classes: number): Int32Array {
  if (y.size !== n) throw new Error(`extractTree: data.y must hold one label per row of x (${n}), got ${shapeStr(y.shape)}`);
  const v = y.contiguous().values();
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= classes) {
      throw new Error(`extractTree: data.y[${i}] is ${v[i]}; labels must be class indices 0..${classes - 1}`);
    }
    out[i] = v[i];
  }
  return out;
}

function gini(counts: ArrayLike<number>, n: number): number {
  if (n === 0) return 0;
  let s = 1;
  for (let c = 0; c < counts.length; c++) s -= (counts[c] / n) ** 2;
  return s;
}

/**
 * An oblique decision tree read out of a trained DLGN's effective half-spaces (every gating unit
 * of every layer, `model.halfspaces()`), grown top-down on `data`: at each node, the hyperplanes
 * that leave at least `minSide` of the node's points on each side are clustered with DBSCAN on
 * the sign-invariant distance of their unit (w, b) vectors (leaving out those within eps of an
 * ancestor's split, which bound the node's cell rather than cut it); the centre of the largest cluster
 * (the mean of its members, signs aligned to its first member, rescaled to unit length; with
 * `pick: 'discontinuity'` the cluster across which the model's class changes most for the node's
 * points) is the node's split. When no cluster forms, the single candidate of largest Gini decrease is used.
 * A node becomes a leaf at `depth`, below `minSamples` points, when pure, or when no hyperplane
 * cuts it. Deterministic: ties go to the lowest unit, the lowest cluster label, the lowest class.
 *
 * @example
 * ```ts
 * const tree = extractTree(net, { x: train.x, y: train.y }, { depth: 3 });
 * treeAccuracy(tree, test); // next to evaluate(net, test, 'ce').accuracy
 * ```
 */
export function extractTree(model: Model, data: { x: Tensor; y: Tensor }, options: ExtractTreeOptions = {}): ExtractedTree {
  const maxDepth = checkInt('depth', options.depth ?? 4, 0);
  const minSamples = checkInt('minSamples', options.minSamples ?? 10, 1);
  const minPts = checkInt('minPts', options.minPts ?? 2, 1);
  const eps = options.eps ?? 0.3;
  if (!(eps >= 0 && Number.isFinite(eps))) throw new Error(`extractTree: eps must be a finite number >= 0, got ${eps}`);
  const minSide = options.minSide ?? 0.02;
  if (!(minSide >= 0 && minSide < 0.5)) throw new Error(`extractTree: minSide must be in [0, 0.5), got ${minSide}`);
  const pick = options.pick ?? 'largest';
  if (pick !== 'largest' && pick !== 'discontinuity') throw new Error(`extractTree: pick must be 'largest' or 'discontinuity', got ${String(pick)}`);
  const probe = options.probe ?? 0.1;
  if (!(probe > 0 && probe <= 1)) throw new Error(`extractTree: probe must be in (0, 1], got ${probe}`);
  const labelsFrom = options.labels ?? 'data';
  if (labelsFrom !== 'data' && labelsFrom !== 'model') throw new Error(`extractTree: labels must be 'data' or 'model', got ${String(labelsFrom)}`);
  const hs = requireHalfspaces('extractTree', model);
  const d = model.config.inputDim;
  const { x } = data;
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`extractTree: data.x must be [n, ${d}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
  const n = x.shape[0];
  if (n === 0) throw new Error('extractTree: data.x has no rows');
  const classes = Math.max(2, model.config.outputDim);
  const y = labelsFrom === 'model' ? predictedClasses(model, x) : classLabels(data.y, n, classes);
  const xv = x.contiguous().values();

  // every gating hyperplane of a model as a unit vector (w, b) of length d + 1 (zero normals cannot split)
  const planesOf = (m: Model): { rows: number[][]; units: TreeUnit[] } => {
    const rows: number[][] = [];
    const units: TreeUnit[] = [];
    requireHalfspaces('extractTree', m).forEach((h, l) => {
      if (h.weight.shape[1] !== d) throw new Error(`extractTree: a retrained model has ${h.weight.shape[1]} inputs, expected ${d}`);
      const w = h.weight.contiguous().values();
      const b = h.bias.contiguous().values();
      for (let i = 0; i < h.weight.shape[0]; i++) {
        const row = [...w.subarray(i * d, (i + 1) * d), b[i]];
        const norm = Math.hypot(...row);
        if (!(norm > 0) || row.slice(0, d).every((v) => v === 0)) continue;
        rows.push(row.map((v) => v / norm));
        units.push({ layer: l + 1, unit: i });
      }
    });
    return { rows, units };
  };
  const positive = (r: ArrayLike<number>, i: number): boolean => {
    let z = r[d];
    for (let c = 0; c < d; c++) z += r[c] * xv[i * d + c];
    return z > 0;
  };
  // the share of the node's points nearest the plane (w, b) whose model class changes when they
  // are mirrored across it: x' = x - 2 (w . x + b) w / |w|^2
  const flipRate = (m0: Model, r: ArrayLike<number>, idx: Int32Array): number => {
    let ww = 0;
    for (let c = 0; c < d; c++) ww += r[c] * r[c];
    const z = Float64Array.from(idx, (i) => {
      let v = r[d];
      for (let c = 0; c < d; c++) v += r[c] * xv[i * d + c];
      return v;
    });
    const order = Array.from(idx.keys()).sort((a, b) => Math.abs(z[a]) - Math.abs(z[b]) || a - b);
    const m = Math.min(idx.length, Math.max(10, Math.ceil(probe * idx.length)));
    const both = new Float64Array(2 * m * d);
    for (let t = 0; t < m; t++) {
      const i = idx[order[t]];
      const f = (2 * z[order[t]]) / ww;
      for (let c = 0; c < d; c++) {
        both[t * d + c] = xv[i * d + c];
        both[(m + t) * d + c] = xv[i * d + c] - f * r[c];
      }
    }
    const cls = predictedClasses(m0, new Tensor(both, [2 * m, d]));
    let flips = 0;
    for (let t = 0; t < m; t++) if (cls[t] !== cls[m + t]) flips++;
    return flips / m;
  };
  const given = planesOf(model);
  const subset = (idx: Int32Array): { x: Tensor; y: Tensor } => {
    const sx = new Float64Array(idx.length * d);
    const sy = new Float64Array(idx.length);
    idx.forEach((i, r) => {
      sx.set(xv.subarray(i * d, (i + 1) * d), r * d);
      sy[r] = y[i];
    });
    return { x: new Tensor(sx, [idx.length, d]), y: new Tensor(sy, [idx.length]) };
  };

  let depthReached = 0;
  let splits = 0;
  let leaves = 0;
  const leaf = (idx: Int32Array, level: number, counts: number[]): TreeLeaf => {
    leaves++;
    depthReached = Math.max(depthReached, level);
    let label = 0;
    for (let c = 1; c < classes; c++) if (counts[c] > counts[label]) label = c;
    return { kind: 'leaf', label, level, samples: idx.length, counts };
  };

  // sign-invariant distance of two unit (w, b) vectors
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
    let minus = 0;
    let plus = 0;
    for (let c = 0; c <= d; c++) {
      minus += (a[c] - b[c]) ** 2;
      plus += (a[c] + b[c]) ** 2;
    }
    return Math.sqrt(Math.min(minus, plus));
  };

  const grow = (idx: Int32Array, level: number, ancestors: Float64Array[]): TreeNode => {
    const counts = new Array<number>(classes).fill(0);
    for (const i of idx) counts[y[i]]++;
    if (level >= maxDepth || idx.length < minSamples || counts.filter((c) => c > 0).length <= 1) return leaf(idx, level, counts);
    const least = Math.max(1, Math.ceil(minSide * idx.length));
    const nodeModel = level > 0 && options.retrain ? options.retrain(subset(idx), level) : model;
    const { rows, units } = nodeModel === model ? given : planesOf(nodeModel);
    // side[j][t]: point idx[t] is on the positive side of hyperplane j
    const side = rows.map((r) => Uint8Array.from(idx, (i) => (positive(r, i) ? 1 : 0)));
    const candidates: number[] = [];
    for (let j = 0; j < rows.length; j++) {
      let pos = 0;
      for (let t = 0; t < idx.length; t++) pos += side[j][t];
      // a hyperplane within eps of an ancestor's split is that split again (a boundary of this node's cell, not a new one)
      if (pos >= least && idx.length - pos >= least && ancestors.every((a) => dist(rows[j], a) > eps)) candidates.push(j);
    }
    if (candidates.length === 0) return leaf(idx, level, counts);

    // the centre of a set of hyperplanes: signs aligned to the first member (w, b and -w, -b are
    // the same hyperplane), summed, rescaled to unit length
    const centreOf = (members: readonly number[]): Float64Array => {
      const centre = new Float64Array(d + 1);
      const first = rows[members[0]];
      for (const j of members) {
        const r = rows[j];
        let dot = 0;
        for (let c = 0; c <= d; c++) dot += r[c] * first[c];
        const s = dot < 0 ? -1 : 1;
        for (let c = 0; c <= d; c++) centre[c] += s * r[c];
      }
      const norm = Math.hypot(...centre);
      for (let c = 0; c <= d; c++) centre[c] /= norm;
      return centre;
    };

    let members: number[];
    let chosenBy: TreeSplit['chosenBy'];
    let centre: Float64Array;
    const cand = new Tensor(Float64Array.from(candidates.flatMap((j) => rows[j])), [candidates.length, d + 1]);
    const clusters = candidates.length >= minPts ? dbscan(pairwiseDistances(cand), eps, minPts) : { clusters: 0, labels: new Int32Array(0) };
    if (clusters.clusters > 0) {
      const groups: number[][] = Array.from({ length: clusters.clusters }, () => []);
      candidates.forEach((j, t) => {
        if (clusters.labels[t] >= 0) groups[clusters.labels[t]].push(j);
        // asking the model, a lone hyperplane (DBSCAN noise) is a candidate as well
        else if (pick === 'discontinuity') groups.push([j]);
      });
      const centres = groups.map(centreOf);
      let best = 0;
      if (pick === 'largest') {
        for (let c = 1; c < groups.length; c++) if (groups[c].length > groups[best].length) best = c;
      } else {
        const scores = centres.map((ct) => flipRate(nodeModel, ct, idx));
        for (let c = 1; c < groups.length; c++) {
          if (scores[c] > scores[best] || (scores[c] === scores[best] && groups[c].length > groups[best].length)) best = c;
        }
      }
      members = groups[best];
      centre = centres[best];
      chosenBy = pick === 'largest' ? 'cluster' : 'discontinuity';
    } else {
      // no two hyperplanes agree: the one of largest Gini decrease
      let bestJ = candidates[0];
      let bestGain = -Infinity;
      const parent = gini(counts, idx.length);
      for (const j of candidates) {
        const right = new Array<number>(classes).fill(0);
        let nr = 0;
        idx.forEach((i, t) => {
          if (side[j][t]) {
            right[y[i]]++;
            nr++;
          }
        });
        const left = counts.map((c, k) => c - right[k]);
        const gain = parent - (nr / idx.length) * gini(right, nr) - ((idx.length - nr) / idx.length) * gini(left, idx.length - nr);
        if (gain > bestGain) {
          bestGain = gain;
          bestJ = j;
        }
      }
      members = [bestJ];
      chosenBy = 'impurity';
      centre = centreOf(members);
    }
    const weight = centre.slice(0, d);
    const bias = centre[d];
    const left = idx.filter((i) => !positive(centre, i));
    const right = idx.filter((i) => positive(centre, i));
    if (left.length === 0 || right.length === 0) return leaf(idx, level, counts);
    splits++;
    return {
      kind: 'split',
      weight,
      bias,
      level,
      samples: idx.length,
      chosenBy,
      units: members.map((j) => units[j]),
      left: grow(left, level + 1, [...ancestors, centre]),
      right: grow(right, level + 1, [...ancestors, centre]),
    };
  };

  const root = grow(Int32Array.from({ length: n }, (_, i) => i), 0, []);
  return { root, inputDim: d, classes, depth: depthReached, splits, leaves };
}

/** The leaf class of every row of x [n, d]. */
export function predictTree(tree: ExtractedTree, x: Tensor): Int32Array {
  const d = tree.inputDim;
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`predictTree: x must be [n, ${d}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
  const xv = x.contiguous().values();
  const out = new Int32Array(x.shape[0]);
  for (let i = 0; i < out.length; i++) {
    let node = tree.root;
    while (node.kind === 'split') {
      let z = node.bias;
      for (let c = 0; c < d; c++) z += node.weight[c] * xv[i * d + c];
      node = z > 0 ? node.right : node.left;
    }
    out[i] = node.label;
  }
  return out;
}

/** The fraction of rows whose label (class index) the tree predicts. */
export function treeAccuracy(tree: ExtractedTree, data: { x: Tensor; y: Tensor }): number {
  const pred = predictTree(tree, data.x);
  const y = data.y.contiguous().values();
  if (y.length !== pred.length) throw new Error(`treeAccuracy: data.y must hold one label per row of x (${pred.length}), got ${shapeStr(data.y.shape)}`);
  if (pred.length === 0) throw new Error('treeAccuracy: data.x has no rows');
  let right = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === y[i]) right++;
  return right / pred.length;
}

/** The tree's splits in depth-first order (root first, left before right). */
export function treeSplits(tree: ExtractedTree): TreeSplit[] {
  const out: TreeSplit[] = [];
  const walk = (node: TreeNode): void => {
    if (node.kind === 'leaf') return;
    out.push(node);
    walk(node.left);
    walk(node.right);
  };
  walk(tree.root);
  return out;
}

/** The split normals as a matrix [splits, d] (for `nearReference` against known normals). */
export function splitNormals(tree: ExtractedTree): Tensor {
  const s = treeSplits(tree);
  const out = new Float64Array(s.length * tree.inputDim);
  s.forEach((node, i) => out.set(node.weight, i * tree.inputDim));
  return new Tensor(out, [s.length, tree.inputDim]);
}

/**
 * The tree as indented text, one line per node, e.g.
 * `split 1200 points: 0.71 x1 - 0.70 x2 + 0.01 <= 0 (cluster of 9: L2:3, L3:1, ...)`.
 */
export function formatTree(tree: ExtractedTree, options: { digits?: number; names?: readonly string[]; maxTerms?: number } = {}): string {
  const digits = options.digits ?? 2;
  const maxTerms = options.maxTerms ?? 6;
  const name = (c: number): string => options.names?.[c] ?? `x${c + 1}`;
  const lines: string[] = [];
  const walk = (node: TreeNode, indent: string, tag: string): void => {
    if (node.kind === 'leaf') {
      lines.push(`${indent}${tag}leaf: class ${node.label} (${node.samples} points; per class ${node.counts.join(' / ')})`);
      return;
    }
    const order = Array.from(node.weight, (v, c) => [v, c] as const).sort((a, b) => Math.abs(b[0]) - Math.abs(a[0]) || a[1] - b[1]);
    const shown = order.slice(0, maxTerms);
    let expr = shown.map(([v, c], t) => `${v < 0 ? (t === 0 ? '-' : '- ') : t === 0 ? '' : '+ '}${Math.abs(v).toFixed(digits)} ${name(c)}`).join(' ');
    if (order.length > shown.length) expr += ` + ... (${order.length - shown.length} more terms)`;
    expr += ` ${node.bias < 0 ? '-' : '+'} ${Math.abs(node.bias).toFixed(digits)}`;
    const who =
      node.chosenBy === 'impurity'
        ? 'best Gini decrease, no cluster'
        : `${node.chosenBy === 'discontinuity' ? "the model's class flips most across it: " : ''}${node.units.length === 1 ? 'one hyperplane' : `cluster of ${node.units.length}`}`;
    const unitList = node.units.slice(0, 8).map((u) => `L${u.layer}:${u.unit}`).join(', ') + (node.units.length > 8 ? ', ...' : '');
    lines.push(`${indent}${tag}split ${node.samples} points: ${expr} <= 0 goes left (${who}: ${unitList})`);
    walk(node.left, `${indent}  `, 'left: ');
    walk(node.right, `${indent}  `, 'right: ');
  };
  walk(tree.root, '', '');
  return lines.join('\n');
}
