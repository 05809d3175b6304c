// Tests for hyperplane geometry: the sign-invariant distance, DBSCAN, nearness to reference normals.

import { describe, expect, it } from 'vitest';
import { createModel } from '../../src/models/families.js';
import {
  dbscan,
  layerDistanceMatrices,
  meanNearestNeighbourDistance,
  nearReference,
  pairwiseDistances,
  signInvariantDistance,
} from '../../src/paths/geometry.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

describe('signInvariantDistance', () => {
  it('is 0 for parallel and antiparallel normals, sqrt 2 for orthogonal ones', () => {
    expect(signInvariantDistance([1, 2, 3], [2, 4, 6])).toBeCloseTo(0, 15);
    expect(signInvariantDistance([1, 2, 3], [-0.5, -1, -1.5])).toBeCloseTo(0, 15);
    expect(signInvariantDistance([1, 0], [0, 1])).toBeCloseTo(Math.SQRT2, 15);
    expect(signInvariantDistance([0, 0, 5], [3, -4, 0])).toBeCloseTo(Math.SQRT2, 15);
    // 45 degrees: |(1,0) - (1,1)/sqrt2| = sqrt(2 - sqrt2)
    expect(signInvariantDistance([1, 0], [1, 1])).toBeCloseTo(Math.sqrt(2 - Math.SQRT2), 15);
    // scale does not matter, even far from 1
    expect(signInvariantDistance([1e200, 0], [0, 1e-200])).toBeCloseTo(Math.SQRT2, 15);
  });

  it('does not change when either vector changes sign, and is symmetric', () => {
    const rng = new Rng(1);
    for (let k = 0; k < 50; k++) {
      const v = Array.from(rng.normalArray(5));
      const z = Array.from(rng.normalArray(5));
      const d = signInvariantDistance(v, z);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(Math.SQRT2 + 1e-15);
      expect(signInvariantDistance(v.map((x) => -x), z)).toBeCloseTo(d, 14);
      expect(signInvariantDistance(v, z.map((x) => -x))).toBeCloseTo(d, 14);
      expect(signInvariantDistance(z, v)).toBeCloseTo(d, 14);
    }
  });

  it('is close to sqrt 2 for random pairs in high dimension', () => {
    const rng = new Rng(2);
    const ds = Array.from({ length: 50 }, () => signInvariantDistance(rng.normalArray(1000), rng.normalArray(1000)));
    expect(ds.reduce((a, b) => a + b, 0) / ds.length).toBeGreaterThan(1.35);
  });

  it('rejects zero vectors and length mismatch', () => {
    expect(() => signInvariantDistance([0, 0], [1, 0])).toThrow(/v is the zero vector/);
    expect(() => signInvariantDistance([1, 0], [0, 0])).toThrow(/z is the zero vector/);
    expect(() => signInvariantDistance([1, 0], [1, 0, 0])).toThrow(/different lengths 2 and 3/);
    expect(() => signInvariantDistance([], [])).toThrow(/empty/);
  });
});

describe('pairwiseDistances and layerDistanceMatrices', () => {
  it('matches the pairwise function, symmetric with a zero diagonal', () => {
    const rng = new Rng(3);
    const N = new Tensor(rng.normalArray(6 * 4), [6, 4]);
    const D = pairwiseDistances(N);
    expect(D.shape).toEqual([6, 6]);
    const rows = N.toArray() as number[][];
    for (let i = 0; i < 6; i++) {
      expect(D.get(i, i)).toBe(0);
      for (let j = 0; j < 6; j++) {
        expect(D.get(i, j)).toBe(D.get(j, i));
        if (i !== j) expect(D.get(i, j)).toBe(signInvariantDistance(rows[i], rows[j]));
      }
    }
    expect(() => pairwiseDistances(Tensor.from([[1, 0], [0, 0]]))).toThrow(/normals row 1 is the zero vector/);
  });

  it('uses the effective half-spaces of each layer; throws for a ReLU net', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 3, widths: [4, 5], outputDim: 1 }, { rng: 4 });
    const Ds = layerDistanceMatrices(net);
    const hs = net.halfspaces();
    expect(Ds.map((d) => d.shape)).toEqual([
      [4, 4],
      [5, 5],
    ]);
    expect(Ds[1].values()).toEqual(pairwiseDistances(hs[1].weight).values());
    const relu = createModel({ kind: 'dnn', inputDim: 3, widths: [4], outputDim: 1 });
    expect(() => layerDistanceMatrices(relu)).toThrow(/layerDistanceMatrices: .*not half-spaces/);
  });
});

/** Euclidean distances between 2-D points. */
function euclid(points: number[][]): Tensor {
  const m = points.length;
  const D = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) D[i * m + j] = Math.hypot(points[i][0] - points[j][0], points[i][1] - points[j][1]);
  return new Tensor(D, [m, m]);
}

/** Whether two labellings are the same partition (noise stays noise). */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === -1) !== (b[i] === -1)) return false;
    if (a[i] === -1) continue;
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

describe('dbscan', () => {
  const rng = new Rng(5);
  const centres = [
    [0, 0],
    [5, 5],
    [-5, 5],
  ];
  const points: number[][] = [];
  const truth: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < 12; i++) {
      points.push([c[0] + rng.normal(0, 0.1), c[1] + rng.normal(0, 0.1)]);
      truth.push(k);
    }
  });
  const outliers = [
    [20, 20],
    [-20, -20],
    [0, -20],
  ];
  for (const o of outliers) {
    points.push(o);
    truth.push(-1);
  }

  it('finds three well separated clusters and marks the outliers as noise', () => {
    const { labels, clusters, core } = dbscan(euclid(points), 0.5, 3);
    expect(clusters).toBe(3);
    expect(Array.from(labels)).toEqual(truth); // clusters numbered in index order
    expect(core.slice(-3)).toEqual(Uint8Array.of(0, 0, 0));
  });

  it('puts everything in one cluster for a large eps, everything in noise for a tiny one', () => {
    const D = euclid(points);
    const one = dbscan(D, 100, 3);
    expect(one.clusters).toBe(1);
    expect(Array.from(one.labels).every((l) => l === 0)).toBe(true);
    const none = dbscan(D, 1e-9, 2);
    expect(none.clusters).toBe(0);
    expect(Array.from(none.labels).every((l) => l === -1)).toBe(true);
    // minPts 1: every point is core, isolated points form their own clusters
    expect(dbscan(D, 0.5, 1).clusters).toBe(3 + outliers.length);
  });

  it('is invariant to the order of the points up to relabelling', () => {
    const base = dbscan(euclid(points), 0.5, 3).labels;
    for (let s = 0; s < 5; s++) {
      const perm = new Rng(10 + s).permutation(points.length);
      const res = dbscan(
        euclid(Array.from(perm, (i) => points[i])),
        0.5,
        3,
      );
      const back = new Int32Array(points.length);
      perm.forEach((i, k) => (back[i] = res.labels[k]));
      expect(res.clusters).toBe(3);
      expect(samePartition(back, base)).toBe(true);
    }
  });

  it('assigns border points: a chain with a non-core end', () => {
    // 0-1-2 dense, 3 within eps of 2 only: with minPts 3, 3 is a border point of the cluster
    const pts = [[0, 0], [0.1, 0], [0.2, 0], [0.3, 0], [5, 5]];
    const r = dbscan(euclid(pts), 0.15, 3);
    expect(Array.from(r.labels)).toEqual([0, 0, 0, 0, -1]);
    expect(Array.from(r.core)).toEqual([0, 1, 1, 0, 0]);
  });

  it('clusters hyperplane normals with the sign-invariant distance', () => {
    // two directions, each with sign flips and small noise
    const r = new Rng(6);
    const rows: number[][] = [];
    for (let i = 0; i < 6; i++) rows.push([(i % 2 ? -1 : 1) * (1 + r.normal(0, 0.01)), r.normal(0, 0.01), 0]);
    for (let i = 0; i < 6; i++) rows.push([r.normal(0, 0.01), 0, (i % 2 ? -2 : 2) + r.normal(0, 0.01)]);
    const D = pairwiseDistances(Tensor.from(rows));
    const res = dbscan(D, 0.1, 2);
    expect(res.clusters).toBe(2);
    expect(Array.from(res.labels)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(meanNearestNeighbourDistance(D)).toBeLessThan(0.05);
  });

  it('validates its inputs', () => {
    expect(() => dbscan(Tensor.zeros([2, 3]), 0.1, 2)).toThrow(/square/);
    expect(() => dbscan(Tensor.zeros([2, 2]), -1, 2)).toThrow(/eps/);
    expect(() => dbscan(Tensor.zeros([2, 2]), 0.1, 0)).toThrow(/minPts/);
    expect(() => dbscan(Tensor.from([[0, NaN], [NaN, 0]]), 0.1, 1)).toThrow(/NaN/);
  });
});

describe('nearReference and meanNearestNeighbourDistance', () => {
  it('counts hyperplanes within each threshold of each reference normal', () => {
    const e1 = [1, 0, 0];
    // angles from e1 in the x-y plane; sign-invariant distance = 2 sin(theta / 2)
    const at = (theta: number, sign = 1): number[] => [sign * Math.cos(theta), sign * Math.sin(theta), 0];
    const dist = (theta: number): number => 2 * Math.sin(theta / 2);
    const thetas = [0.02, 0.08, 0.15, 0.25, 0.5, Math.PI / 2];
    expect(thetas.map(dist).map((d) => Math.round(d * 1000) / 1000)).toEqual([0.02, 0.08, 0.15, 0.249, 0.495, 1.414]);
    const normals = Tensor.from(thetas.map((t, i) => at(t, i % 2 ? -1 : 1).map((v) => v * (i + 1))));
    const refs = Tensor.from([e1, [0, 0, -3]]);
    const [r1, r2] = nearReference(normals, refs);
    expect(r1.thresholds).toEqual([0.1, 0.2, 0.3]);
    expect(r1.counts).toEqual([2, 3, 4]);
    expect(r1.closestUnit).toBe(0);
    expect(r1.closestDistance).toBeCloseTo(dist(0.02), 14);
    expect(r2.counts).toEqual([0, 0, 0]);
    expect(r2.closestDistance).toBeCloseTo(Math.SQRT2, 14);
    const custom = nearReference(normals, refs, [0.5, 2]);
    expect(custom[0].counts).toEqual([5, 6]);
    expect(custom[1].counts).toEqual([0, 6]);
    expect(nearReference(Tensor.zeros([0, 3]), refs)[0]).toEqual({ thresholds: [0.1, 0.2, 0.3], counts: [0, 0, 0], closestDistance: Infinity, closestUnit: -1 });
    expect(() => nearReference(normals, Tensor.from([[1, 0]]))).toThrow(/normals have 3 coordinates, references 2/);
  });

  it('means the distance to the nearest other point', () => {
    const D = euclid([
      [0, 0],
      [1, 0],
      [3, 0],
    ]);
    expect(meanNearestNeighbourDistance(D)).toBeCloseTo((1 + 1 + 2) / 3, 15);
    expect(meanNearestNeighbourDistance(Tensor.zeros([1, 1]))).toBeNaN();
  });
});
