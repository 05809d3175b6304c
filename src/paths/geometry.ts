// Geometry of learned hyperplanes (docs/experiments/protocols.md E3, E6): sign-invariant distances, DBSCAN, nearness to reference normals.

import type { Model } from '../models/families.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireHalfspaces } from './planes.js';

// A hyperplane {x : w . x + b = 0} has normal direction w up to sign: w and -w give the same
// plane (with the ON side flipped). The paper's distance compares directions only:
//   dist(v, z) = min(|v/|v| - z/|z||, |v/|v| + z/|z||)  in [0, sqrt 2],
// 0 for parallel or antiparallel normals, sqrt 2 for orthogonal ones, and close to sqrt 2 for
// random pairs in high dimension. Biases are ignored (E3 and E6 compare normals).

/** v / |v| into out; |v| computed with scaling so huge or tiny entries neither overflow nor underflow. */
function unitInto(fn: string, what: string, v: ArrayLike<number>, off: number, d: number, out: Float64Array, outOff: number): void {
  let scale = 0;
  for (let j = 0; j < d; j++) {
    const a = Math.abs(v[off + j]);
    if (!Number.isFinite(a)) throw new Error(`${fn}: ${what} has a non-finite entry at ${j}`);
    if (a > scale) scale = a;
  }
  if (scale === 0) throw new Error(`${fn}: ${what} is the zero vector, which has no direction`);
  let ss = 0;
  for (let j = 0; j < d; j++) {
    const a = v[off + j] / scale;
    ss += a * a;
  }
  const norm = Math.sqrt(ss);
  for (let j = 0; j < d; j++) out[outOff + j] = v[off + j] / scale / norm;
}

/** min(|a - b|, |a + b|) for unit vectors stored at a[ia..], b[ib..]. */
function unitDistance(a: Float64Array, ia: number, b: Float64Array, ib: number, d: number): number {
  let minus = 0;
  let plus = 0;
  for (let j = 0; j < d; j++) {
    const x = a[ia + j];
    const y = b[ib + j];
    minus += (x - y) * (x - y);
    plus += (x + y) * (x + y);
  }
  return Math.sqrt(Math.min(minus, plus));
}

/**
 * The sign-invariant distance between two hyperplane normals,
 * min(|v/|v| - z/|z||, |v/|v| + z/|z||) (docs/experiments/protocols.md E3). Throws on zero vectors or differing lengths.
 *
 * @example
 * ```ts
 * signInvariantDistance([1, 0], [-3, 0]); // 0 (antiparallel: the same hyperplane direction)
 * signInvariantDistance([1, 0], [0, 2]);  // Math.SQRT2
 * ```
 */
export function signInvariantDistance(v: ArrayLike<number>, z: ArrayLike<number>): number {
  if (v.length !== z.length) throw new Error(`signInvariantDistance: vectors of different lengths ${v.length} and ${z.length}`);
  if (v.length === 0) throw new Error('signInvariantDistance: empty vectors have no direction');
  const d = v.length;
  const a = new Float64Array(d);
  const b = new Float64Array(d);
  unitInto('signInvariantDistance', 'v', v, 0, d, a, 0);
  unitInto('signInvariantDistance', 'z', z, 0, d, b, 0);
  return unitDistance(a, 0, b, 0, d);
}

function checkMatrix(fn: string, what: string, t: Tensor): [number, number] {
  if (!(t instanceof Tensor) || t.ndim !== 2) {
    throw new Error(`${fn}: ${what} must be a matrix [m, d], got ${t instanceof Tensor ? shapeStr(t.shape) : typeof t}`);
  }
  return [t.shape[0], t.shape[1]];
}

/** Row-normalised copy of a [m, d] matrix; the error names the zero row. */
function unitRows(fn: string, what: string, t: Tensor): Float64Array {
  const [m, d] = checkMatrix(fn, what, t);
  if (d === 0) throw new Error(`${fn}: ${what} rows are empty (d = 0)`);
  const v = t.values();
  const out = new Float64Array(m * d);
  for (let i = 0; i < m; i++) unitInto(fn, `${what} row ${i}`, v, i * d, d, out, i * d);
  return out;
}

/**
 * All pairwise sign-invariant distances between the rows of `normals` [m, d]: a symmetric
 * [m, m] matrix with a zero diagonal. Throws on a zero row (naming it).
 */
export function pairwiseDistances(normals: Tensor): Tensor {
  const [m, d] = checkMatrix('pairwiseDistances', 'normals', normals);
  const u = unitRows('pairwiseDistances', 'normals', normals);
  const D = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const dist = unitDistance(u, i * d, u, j * d, d);
      D[i * m + j] = dist;
      D[j * m + i] = dist;
    }
  }
  return new Tensor(D, [m, m]);
}

/**
 * Per hidden layer, the pairwise distance matrix [m_l, m_l] of the gating units' effective
 * normals (the weights of `model.halfspaces()`). Throws for a ReLU net or DGN, whose gates are
 * not half-spaces, and on a unit whose effective normal is zero.
 */
export function layerDistanceMatrices(model: Model): Tensor[] {
  return requireHalfspaces('layerDistanceMatrices', model).map((h, l) => {
    try {
      return pairwiseDistances(h.weight);
    } catch (e) {
      throw new Error(`layerDistanceMatrices: layer ${l + 1}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  });
}

/** DBSCAN's result: a cluster label per point (-1 = noise) and the number of clusters. */
export interface DbscanResult {
  /** Cluster 0..clusters-1 per point, -1 for noise. */
  labels: Int32Array;
  clusters: number;
  /** 1 for core points (at least minPts points, itself included, within eps). */
  core: Uint8Array;
}

/**
 * DBSCAN (Ester et al. 1996) on a precomputed symmetric distance matrix [m, m]. The
 * eps-neighbourhood of p is every q with D[p, q] <= eps, p itself included (scikit-learn's
 * convention); p is a core point when that holds at least `minPts` points. Clusters are grown
 * breadth-first from the lowest-index unvisited core point, neighbours in index order, so the
 * result is deterministic; a border point reachable from two clusters joins the first one found.
 *
 * @example
 * ```ts
 * const D = layerDistanceMatrices(net)[1];
 * const { clusters, labels } = dbscan(D, 0.2, 2);
 * ```
 */
export function dbscan(distances: Tensor, eps: number, minPts: number): DbscanResult {
  const [m, m2] = checkMatrix('dbscan', 'distances', distances);
  if (m !== m2) throw new Error(`dbscan: distances must be square [m, m], got ${shapeStr(distances.shape)}`);
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new Error(`dbscan: eps must be a finite number >= 0, got ${eps}`);
  if (!Number.isInteger(minPts) || minPts < 1) throw new Error(`dbscan: minPts must be a positive integer, got ${minPts}`);
  const D = distances.values();
  for (let k = 0; k < D.length; k++) {
    if (Number.isNaN(D[k])) throw new Error(`dbscan: distance [${Math.floor(k / m)}, ${k % m}] is NaN`);
  }
  const neighbours = (p: number): number[] => {
    const out: number[] = [];
    for (let q = 0; q < m; q++) if (q === p || D[p * m + q] <= eps) out.push(q);
    return out;
  };
  const UNVISITED = -2;
  const NOISE = -1;
  const labels = new Int32Array(m).fill(UNVISITED);
  const core = new Uint8Array(m);
  let clusters = 0;
  for (let p = 0; p < m; p++) {
    if (labels[p] !== UNVISITED) continue;
    const np = neighbours(p);
    if (np.length < minPts) {
      labels[p] = NOISE; // may become a border point of a later cluster
      continue;
    }
    const c = clusters++;
    labels[p] = c;
    core[p] = 1;
    const queued = new Uint8Array(m);
    queued[p] = 1;
    const queue: number[] = [];
    for (const q of np) {
      if (!queued[q]) {
        queued[q] = 1;
        queue.push(q);
      }
    }
    for (let head = 0; head < queue.length; head++) {
      const q = queue[head];
      if (labels[q] === NOISE) {
        labels[q] = c; // border point: reachable, but not core (its neighbourhood was too small)
        continue;
      }
      if (labels[q] !== UNVISITED) continue;
      labels[q] = c;
      const nq = neighbours(q);
      if (nq.length >= minPts) {
        core[q] = 1;
        for (const r of nq) {
          if (!queued[r]) {
            queued[r] = 1;
            queue.push(r);
          }
        }
      }
    }
  }
  return { labels, clusters, core };
}

/** How many hyperplanes lie near one reference normal. */
export interface NearReference {
  /** The thresholds, as given. */
  thresholds: number[];
  /** counts[t]: hyperplanes with distance <= thresholds[t]. */
  counts: number[];
  /** The smallest distance to any hyperplane (Infinity when there are none). */
  closestDistance: number;
  /** Which row of `normals` is closest (lowest index on ties; -1 when there are none). */
  closestUnit: number;
}

/**
 * For each reference normal (e.g. the node normals of E6's oblique tree), how many rows of
 * `normals` [m, d] lie within each sign-invariant distance threshold (distance <= t), and which
 * one is closest.
 */
export function nearReference(normals: Tensor, references: Tensor, thresholds: number[] = [0.1, 0.2, 0.3]): NearReference[] {
  const [m, d] = checkMatrix('nearReference', 'normals', normals);
  const [r, dr] = checkMatrix('nearReference', 'references', references);
  if (d !== dr) throw new Error(`nearReference: normals have ${d} coordinates, references ${dr}`);
  for (const t of thresholds) {
    if (!(t >= 0) || !Number.isFinite(t)) throw new Error(`nearReference: thresholds must be finite and >= 0, got ${t}`);
  }
  const u = unitRows('nearReference', 'normals', normals);
  const ref = unitRows('nearReference', 'references', references);
  const out: NearReference[] = [];
  for (let k = 0; k < r; k++) {
    const counts = thresholds.map(() => 0);
    let closestDistance = Infinity;
    let closestUnit = -1;
    for (let i = 0; i < m; i++) {
      const dist = unitDistance(ref, k * d, u, i * d, d);
      thresholds.forEach((t, ti) => {
        if (dist <= t) counts[ti]++;
      });
      if (dist < closestDistance) {
        closestDistance = dist;
        closestUnit = i;
      }
    }
    out.push({ thresholds: thresholds.slice(), counts, closestDistance, closestUnit });
  }
  return out;
}

/**
 * The mean over points of the distance to the nearest other point, from a distance matrix
 * [m, m] (the diagonal is ignored). NaN when m < 2: there is no other point.
 */
export function meanNearestNeighbourDistance(distances: Tensor): number {
  const [m, m2] = checkMatrix('meanNearestNeighbourDistance', 'distances', distances);
  if (m !== m2) throw new Error(`meanNearestNeighbourDistance: distances must be square [m, m], got ${shapeStr(distances.shape)}`);
  if (m < 2) return NaN;
  const D = distances.values();
  let total = 0;
  for (let i = 0; i < m; i++) {
    let best = Infinity;
    for (let j = 0; j < m; j++) if (j !== i && D[i * m + j] < best) best = D[i * m + j];
    total += best;
  }
  return total / m;
}
