// E6 oblique tree data: orthonormal normals, labels recomputed by an independent tree walk, sphere, presets, seeds.

import { describe, expect, it } from 'vitest';
import { OBLIQUE_TREE_PRESETS, type ObliqueTreeData, obliqueTree } from '../../src/data/oblique-tree.js';
import type { LabeledData } from '../../src/data/synthetic.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

function bytes(t: Tensor): Buffer {
  const v = t.values();
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Leaf reached by x, walking the heap-ordered tree from the normal matrix with Tensor.get only. */
function walk(normals: Tensor, x: Tensor, i: number): number {
  const [m, d] = normals.shape;
  let node = 0;
  while (node < m) {
    let s = 0;
    for (let t = 0; t < d; t++) s += normals.get(node, t) * x.get(i, t);
    node = s <= 0 ? 2 * node + 1 : 2 * node + 2;
  }
  return node - m;
}

function checkLabels(data: ObliqueTreeData, part: LabeledData): void {
  const n = part.x.shape[0];
  for (let i = 0; i < n; i++) {
    const leaf = walk(data.tree.normals, part.x, i);
    if (part.y.get(i) !== leaf % 2) throw new Error(`row ${i}: label ${part.y.get(i)}, leaf ${leaf}`);
  }
}

function orthonormalityError(u: Tensor): number {
  const [m, d] = u.shape;
  let worst = 0;
  for (let a = 0; a < m; a++) {
    for (let b = 0; b < m; b++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += u.get(a, t) * u.get(b, t);
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('obliqueTree', () => {
  const sd = obliqueTree({ preset: 'sdi', seed: 1 });

  it('presets: SDI 40 000 points in d = 20, SDII 60 000 in d = 100, both depth 4', () => {
    expect(OBLIQUE_TREE_PRESETS).toEqual({ sdi: { n: 40_000, d: 20, depth: 4 }, sdii: { n: 60_000, d: 100, depth: 4 } });
  });

  it('SDI: split 50/25/25 into 20 000 / 10 000 / 10 000 points of dimension 20', () => {
    expect(sd.train.x.shape).toEqual([20_000, 20]);
    expect(sd.validation.x.shape).toEqual([10_000, 20]);
    expect(sd.test.x.shape).toEqual([10_000, 20]);
    expect(sd.train.y.shape).toEqual([20_000]);
    expect(sd.tree.normals.shape).toEqual([15, 20]);
    expect(sd.tree.depth).toBe(4);
    expect(sd.tree.dim).toBe(20);
  });

  it('the 15 normals are orthonormal: |U U^T - I| < 1e-12', () => {
    expect(orthonormalityError(sd.tree.normals)).toBeLessThan(1e-12);
  });

  it('points lie on the unit sphere', () => {
    for (const part of [sd.train, sd.validation, sd.test]) {
      const [n, d] = part.x.shape;
      const v = part.x.values();
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let t = 0; t < d; t++) s += v[i * d + t] ** 2;
        if (Math.abs(Math.sqrt(s) - 1) > 1e-14) throw new Error(`row ${i} has norm ${Math.sqrt(s)}`);
      }
    }
  });

  it('every label is the parity of the leaf reached by walking the tree from the normals', () => {
    for (const part of [sd.train, sd.validation, sd.test]) checkLabels(sd, part);
  });

  it('labelFn and tree.leafOf agree with the walk on fresh points', () => {
    const rng = new Rng(5);
    const x = new Tensor(rng.normalArray(200 * 20), [200, 20]);
    const labels = sd.labelFn(x);
    expect(labels.shape).toEqual([200]);
    for (let i = 0; i < 200; i++) {
      const leaf = walk(sd.tree.normals, x, i);
      expect(labels.get(i)).toBe(leaf % 2);
      expect(sd.tree.leafOf(x.values().subarray(i * 20, (i + 1) * 20))).toBe(leaf);
    }
    expect(() => sd.labelFn(Tensor.zeros([3, 19]))).toThrow('obliqueTree.labelFn: expected [m, 20], got [3, 19]');
    expect(() => sd.tree.leafOf([1, 2])).toThrow('obliqueTree.leafOf: expected a point of length 20, got 2');
  });

  it('the tree in heap order: children 2k+1 and 2k+2, leaves 0..15 left to right with label = index mod 2', () => {
    const nodes = sd.tree.nodes;
    expect(nodes.length).toBe(15);
    const leaves: number[] = [];
    nodes.forEach((node, k) => {
      expect(node.index).toBe(k);
      expect(node.level).toBe(Math.floor(Math.log2(k + 1)));
      for (const [c, side] of [
        [node.left, 1],
        [node.right, 2],
      ] as const) {
        if (c.kind === 'node') expect(c.index).toBe(2 * k + side);
        else {
          expect(node.level).toBe(3);
          expect(c.index).toBe(2 * k + side - 15);
          expect(c.label).toBe(c.index % 2);
          leaves.push(c.index);
        }
      }
    });
    expect(leaves).toEqual(Array.from({ length: 16 }, (_, j) => j));
  });

  it('classes and leaves are balanced: each class near 1/2, every leaf near 1/16', () => {
    const y = sd.train.y.values();
    const ones = y.reduce((a, b) => a + b, 0) / y.length;
    expect(Math.abs(ones - 0.5)).toBeLessThan(0.015);
    const counts = new Array<number>(16).fill(0);
    for (let i = 0; i < 20_000; i++) counts[walk(sd.tree.normals, sd.train.x, i)]++;
    for (const c of counts) expect(Math.abs(c / 20_000 - 1 / 16)).toBeLessThan(0.01);
  });

  it('SDII: 30 000 / 15 000 / 15 000 points of dimension 100, orthonormal normals, labels by the tree', () => {
    const big = obliqueTree({ preset: 'sdii', seed: 2 });
    expect(big.train.x.shape).toEqual([30_000, 100]);
    expect(big.validation.x.shape).toEqual([15_000, 100]);
    expect(big.test.x.shape).toEqual([15_000, 100]);
    expect(big.tree.normals.shape).toEqual([15, 100]);
    expect(orthonormalityError(big.tree.normals)).toBeLessThan(1e-12);
    checkLabels(big, big.test);
  });

  it('same seed same bytes; another seed another tree and other points', () => {
    const a = obliqueTree({ d: 16, n: 400, seed: 3 });
    const b = obliqueTree({ d: 16, n: 400, seed: 3 });
    const c = obliqueTree({ d: 16, n: 400, seed: 4 });
    for (const k of ['train', 'validation', 'test'] as const) {
      expect(bytes(a[k].x).equals(bytes(b[k].x))).toBe(true);
      expect(bytes(a[k].y).equals(bytes(b[k].y))).toBe(true);
    }
    expect(bytes(a.tree.normals).equals(bytes(b.tree.normals))).toBe(true);
    expect(bytes(a.tree.normals).equals(bytes(c.tree.normals))).toBe(false);
    expect(bytes(a.train.x).equals(bytes(c.train.x))).toBe(false);
    const r = obliqueTree({ d: 16, n: 400, seed: new Rng(3) });
    expect(bytes(r.train.x).equals(bytes(a.train.x))).toBe(true);
  });

  it('other depths: 2^depth - 1 normals; d smaller than that is an error', () => {
    const t = obliqueTree({ d: 7, depth: 3, n: 100, seed: 1 });
    expect(t.tree.normals.shape).toEqual([7, 7]);
    expect(orthonormalityError(t.tree.normals)).toBeLessThan(1e-12);
    checkLabels(t, t.train);
    expect(() => obliqueTree({ d: 14, n: 100 })).toThrow(
      'obliqueTree: d = 14 is too small: a depth-4 tree has 15 mutually orthogonal normals, which needs d >= 15',
    );
    expect(() => obliqueTree({ preset: 'sdi', d: 30 })).toThrow("obliqueTree: preset 'sdi' has d = 20, but d = 30 was given");
    expect(() => obliqueTree({ d: 20 })).toThrow('obliqueTree: give d and n, or a preset (sdi, sdii)');
    expect(() => obliqueTree({ d: 20, n: 0 })).toThrow('obliqueTree: n must be a positive integer, got 0');
  });
});
