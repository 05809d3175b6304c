// Decision trees read out of a DLGN: hand-built networks whose hyperplanes hold a known tree, the paper's retraining hook, the fallback, and refusals.

import { describe, expect, it } from 'vitest';
import { createModel, type Model } from '../../src/models/families.js';
import { evaluate, fit } from '../../src/models/train.js';
import { extractTree, formatTree, predictTree, splitNormals, treeAccuracy, treeSplits, type TreeLeaf, type TreeNode } from '../../src/paths/tree.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A one-layer DLGN-SF in 2-D whose gating hyperplanes are exactly the rows given ([w1, w2, b]). */
function withPlanes(planes: number[][]): Model {
  const m = createModel({ kind: 'dlgn', features: 'sf', inputDim: 2, widths: [planes.length], outputDim: 2 }, { rng: 1 });
  m.parameter('gate.0.weight').value.data.set(planes.flatMap((p) => [p[0], p[1]]));
  m.parameter('gate.0.bias').value.data.set(planes.map((p) => p[2]));
  return m;
}

/** n points uniform in [-1, 1]^2 with the labels `label` gives. */
function points(n: number, seed: number, label: (x1: number, x2: number) => number): { x: Tensor; y: Tensor } {
  const x = new Rng(seed).uniformArray(2 * n, -1, 1);
  const y = Float64Array.from({ length: n }, (_, i) => label(x[2 * i], x[2 * i + 1]));
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

const leavesOf = (node: TreeNode): TreeLeaf[] => (node.kind === 'leaf' ? [node] : [...leavesOf(node.left), ...leavesOf(node.right)]);

describe('extractTree on networks that hold a known tree', () => {
  it('the largest cluster of hyperplanes is the root, whatever their scale and sign', () => {
    // three copies of x1 = 0 (scaled, one flipped) and two unrelated hyperplanes
    const model = withPlanes([
      [0, 1, 0.3],
      [1, 0, 0],
      [2, 0, 0],
      [-3, 0, 0],
      [0.6, 0.8, -0.5],
    ]);
    const data = points(500, 1, (x1) => (x1 > 0 ? 1 : 0));
    const tree = extractTree(model, data, { depth: 1 });
    expect(tree.root.kind).toBe('split');
    const root = treeSplits(tree)[0];
    expect(root.chosenBy).toBe('cluster');
    expect(root.units).toEqual([
      { layer: 1, unit: 1 },
      { layer: 1, unit: 2 },
      { layer: 1, unit: 3 },
    ]);
    // the centre is x1 = 0 with unit (w, b), signed as the first member
    expect(Array.from(root.weight)).toEqual([1, 0]);
    expect(root.bias).toBe(0);
    expect(root.samples).toBe(500);
    expect(treeAccuracy(tree, data)).toBe(1);
    expect([tree.depth, tree.splits, tree.leaves]).toEqual([1, 1, 2]);
    // left is w . x + b <= 0: class 0; right class 1
    const [l, r] = leavesOf(tree.root);
    expect([l.label, r.label]).toEqual([0, 1]);
    expect(l.counts[1]).toBe(0);
    expect(r.counts[0]).toBe(0);
    expect(l.samples + r.samples).toBe(500);
  });

  it("pick 'discontinuity': each node takes the hyperplane the model's class flips across, where 'largest' splits a level alike", () => {
    // the tree: x1 = 0 at the root; where x1 <= 0 the split is x2 = 0.5, where x1 > 0 it is x2 = -0.5
    const label = (x1: number, x2: number): number => (x1 <= 0 ? (x2 <= 0.5 ? 0 : 1) : x2 <= -0.5 ? 1 : 0);
    const train = points(1500, 1, label);
    const test = points(1000, 2, label);
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [6, 6], outputDim: 2, beta: 10 }, { rng: 3 });
    fit(net, train, { loss: 'ce', epochs: 150, batchSize: 150, optimizer: 'adam', lr: 0.02, seed: 1 });
    expect(evaluate(net, test, 'ce').accuracy).toBeGreaterThan(0.97);
    const largest = extractTree(net, train, { depth: 2 });
    const asked = extractTree(net, train, { depth: 2, pick: 'discontinuity' });
    // the same root (x1 = 0) for both
    for (const t of [largest, asked]) {
      const root = treeSplits(t)[0];
      expect(Math.abs(root.weight[0])).toBeGreaterThan(0.99);
    }
    // 'largest' puts one hyperplane under both children; 'discontinuity' finds x2 = 0.5 and x2 = -0.5
    const offsets = (t: typeof largest): number[] => treeSplits(t).slice(1).map((sp) => -sp.bias / sp.weight[1]);
    const [a, b] = offsets(largest);
    expect(Math.abs(a - b)).toBeLessThan(1e-12);
    const found = offsets(asked).sort((u, v) => u - v);
    expect(Math.abs(found[0] + 0.5)).toBeLessThan(0.1);
    expect(Math.abs(found[1] - 0.5)).toBeLessThan(0.1);
    expect(treeSplits(asked).every((sp) => sp.chosenBy === 'discontinuity' && Math.abs(sp.weight[sp.level === 0 ? 0 : 1]) > 0.9)).toBe(true);
    expect(treeAccuracy(asked, test)).toBeGreaterThan(0.93);
    expect(treeAccuracy(asked, test)).toBeGreaterThan(treeAccuracy(largest, test) + 0.1);
    expect(formatTree(asked)).toContain("the model's class flips most across it");
    expect(() => extractTree(net, train, { pick: 'best' as 'largest' })).toThrow("extractTree: pick must be 'largest' or 'discontinuity', got best");
    expect(() => extractTree(net, train, { pick: 'discontinuity', probe: 0 })).toThrow('extractTree: probe must be in (0, 1], got 0');
  });

  it("below the root, the paper's procedure: a model retrained on each node's points gives its split", () => {
    // the tree: x1 <= 0 ? (x2 <= 0.5 ? 0 : 1) : (x2 <= -0.5 ? 0 : 1)
    const label = (x1: number, x2: number): number => (x1 <= 0 ? (x2 <= 0.5 ? 0 : 1) : x2 <= -0.5 ? 0 : 1);
    const data = points(800, 2, label);
    const root = withPlanes([
      [1, 0, 0],
      [1, 0, 0],
      [0.3, 1, 0.1],
    ]);
    const calls: { level: number; n: number; side: string }[] = [];
    const retrain = (d: { x: Tensor; y: Tensor }, level: number): Model => {
      const xv = d.x.values();
      const n = d.x.shape[0];
      const left = Array.from({ length: n }, (_, i) => xv[2 * i] <= 0);
      // every point handed over lies in one cell of the root split
      expect(left.every((v) => v === left[0])).toBe(true);
      expect(d.y.shape).toEqual([n]);
      calls.push({ level, n, side: left[0] ? 'left' : 'right' });
      const b = left[0] ? -0.5 : 0.5;
      return withPlanes([
        [0, 1, b],
        [0, 2, 2 * b],
        [1, 1, 0.9],
      ]);
    };
    const tree = extractTree(root, data, { depth: 2, retrain });
    expect(calls.map((c) => [c.level, c.side])).toEqual([
      [1, 'left'],
      [1, 'right'],
    ]);
    expect(calls[0].n + calls[1].n).toBe(800);
    expect(treeAccuracy(tree, data)).toBe(1);
    expect([tree.depth, tree.splits, tree.leaves]).toEqual([2, 3, 4]);
    const s = treeSplits(tree);
    expect(s.map((n) => n.level)).toEqual([0, 1, 1]);
    // splits normalised: (0, 1, -0.5) / |.|
    const k = 1 / Math.hypot(1, 0.5);
    expect(Array.from(s[1].weight)[1]).toBeCloseTo(k, 15);
    expect(s[1].bias).toBeCloseTo(-0.5 * k, 15);
    expect(splitNormals(tree).shape).toEqual([3, 2]);
    // a fresh test set is classified by the same rule
    const test = points(400, 3, label);
    expect(Array.from(predictTree(tree, test.x))).toEqual(Array.from(test.y.values()));
  });

  it('without retraining, a child does not reuse the split of an ancestor', () => {
    const data = points(600, 4, (x1, x2) => (x1 <= 0 ? (x2 <= 0 ? 0 : 1) : x2 <= 0 ? 1 : 0));
    // four near-copies of the root (slightly different offsets: each still cuts the children's points) and two of x2 = 0
    const model = withPlanes([
      [1, 0, 0.05],
      [1, 0, -0.05],
      [1, 0, 0.02],
      [1, 0, -0.02],
      [0, 1, 0],
      [0, -1, 0],
    ]);
    const tree = extractTree(model, data, { depth: 2, eps: 0.1 });
    const s = treeSplits(tree);
    expect(s).toHaveLength(3);
    for (const child of s.slice(1)) {
      expect(child.units).toEqual([
        { layer: 1, unit: 4 },
        { layer: 1, unit: 5 },
      ]);
    }
    expect(treeAccuracy(tree, data)).toBe(1);
  });

  it('falls back to the hyperplane of best Gini decrease when no two agree', () => {
    const data = points(400, 5, (_x1, x2) => (x2 > 0.2 ? 1 : 0));
    const model = withPlanes([
      [1, 0, 0],
      [1, 1, 0],
      [0, 1, -0.2],
      [1, -1, 0.3],
    ]);
    const tree = extractTree(model, data, { depth: 1, eps: 0.01 });
    const root = treeSplits(tree)[0];
    expect(root.chosenBy).toBe('impurity');
    expect(root.units).toEqual([{ layer: 1, unit: 2 }]);
    expect(treeAccuracy(tree, data)).toBe(1);
  });

  it('stops at depth 0, at pure nodes and below minSamples; leaves take the majority, lowest class on ties', () => {
    const model = withPlanes([
      [1, 0, 0],
      [1, 0, 0],
    ]);
    const data = points(300, 6, (x1, x2) => (x1 > 0 && x2 > 0 ? 1 : 0));
    const stump = extractTree(model, data, { depth: 0 });
    expect(stump.root).toMatchObject({ kind: 'leaf', label: 0, samples: 300, level: 0 });
    expect([stump.depth, stump.splits, stump.leaves]).toEqual([0, 0, 1]);
    const ones = Array.from(data.y.values()).filter((v) => v === 1).length;
    expect((stump.root as TreeLeaf).counts).toEqual([300 - ones, ones]);
    // the left half (x1 <= 0) is pure: a leaf at level 1 even with depth 3 allowed
    const tree = extractTree(model, data, { depth: 3 });
    expect(tree.root.kind === 'split' && tree.root.left).toMatchObject({ kind: 'leaf', label: 0, level: 1 });
    expect(extractTree(model, data, { minSamples: 301 }).root.kind).toBe('leaf');
    const tie = { x: new Tensor(Float64Array.from([-1, 0, 1, 0]), [2, 2]), y: new Tensor(Float64Array.from([1, 0]), [2]) };
    expect(extractTree(model, tie, { depth: 0 }).root).toMatchObject({ label: 0, counts: [1, 1] });
  });

  it("labels: 'model' grows the tree on the model's own predictions", () => {
    const model = withPlanes([
      [1, 0, 0],
      [1, 0.01, 0],
      [0, 1, 0],
    ]);
    const data = points(300, 7, () => 0);
    const out = model.forward(data.x).value.values();
    let predictedOnes = 0;
    for (let i = 0; i < 300; i++) if (out[2 * i + 1] > out[2 * i]) predictedOnes++;
    const tree = extractTree(model, data, { labels: 'model', depth: 2 });
    const counts = leavesOf(tree.root).reduce((s, l) => [s[0] + l.counts[0], s[1] + l.counts[1]], [0, 0]);
    expect(counts).toEqual([300 - predictedOnes, predictedOnes]);
    // with the data's labels (all 0) the root is a pure leaf
    expect(extractTree(model, data).root.kind).toBe('leaf');
  });

  it('is deterministic, and formats every node', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [6, 6], outputDim: 2 }, { rng: 9 });
    const data = points(400, 8, (x1, x2) => (x1 * x1 + x2 * x2 < 0.5 ? 1 : 0));
    const a = extractTree(model, data, { depth: 3 });
    const b = extractTree(model, data, { depth: 3 });
    expect(formatTree(a)).toBe(formatTree(b));
    expect(treeSplits(a).map((s) => Array.from(s.weight))).toEqual(treeSplits(b).map((s) => Array.from(s.weight)));
    const text = formatTree(a, { names: ['u', 'v'] });
    expect(text.split('\n')).toHaveLength(a.splits + a.leaves);
    expect(text).toMatch(/^split 400 points: .*[uv].* <= 0 goes left \(/);
    expect(text).toMatch(/leaf: class [01] \(\d+ points; per class \d+ \/ \d+\)/);
  });
});

describe('extractTree refuses what it cannot read', () => {
  const model = withPlanes([[1, 0, 0]]);
  const data = points(10, 1, (x1) => (x1 > 0 ? 1 : 0));
  it('names the option, the shape or the label', () => {
    const relu = createModel({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 2 });
    expect(() => extractTree(relu, data)).toThrow(/^extractTree: halfspaces: a dnn network's gates are not half-spaces/);
    expect(() => extractTree(model, data, { depth: -1 })).toThrow(/^extractTree: depth must be an integer >= 0, got -1$/);
    expect(() => extractTree(model, data, { depth: 1.5 })).toThrow(/depth must be an integer >= 0, got 1.5/);
    expect(() => extractTree(model, data, { eps: Number.NaN })).toThrow(/eps must be a finite number >= 0, got NaN/);
    expect(() => extractTree(model, data, { minSide: 0.5 })).toThrow(/minSide must be in \[0, 0.5\), got 0.5/);
    expect(() => extractTree(model, data, { minPts: 0 })).toThrow(/minPts must be an integer >= 1, got 0/);
    expect(() => extractTree(model, data, { labels: 'x' as 'data' })).toThrow(/labels must be 'data' or 'model', got x/);
    expect(() => extractTree(model, { x: Tensor.zeros([3, 3]), y: Tensor.zeros([3]) })).toThrow(/^extractTree: data.x must be \[n, 2\], got \[3, 3\]$/);
    expect(() => extractTree(model, { x: Tensor.zeros([0, 2]), y: Tensor.zeros([0]) })).toThrow(/data.x has no rows/);
    expect(() => extractTree(model, { x: data.x, y: Tensor.zeros([9]) })).toThrow(/data.y must hold one label per row of x \(10\), got \[9\]/);
    const bad = Float64Array.from(data.y.values());
    bad[4] = 2;
    expect(() => extractTree(model, { x: data.x, y: new Tensor(bad, [10]) })).toThrow(/^extractTree: data.y\[4\] is 2; labels must be class indices 0..1$/);
    const tree = extractTree(model, data);
    expect(() => predictTree(tree, Tensor.zeros([2, 3]))).toThrow(/^predictTree: x must be \[n, 2\], got \[2, 3\]$/);
    expect(() => treeAccuracy(tree, { x: data.x, y: Tensor.zeros([3]) })).toThrow(/treeAccuracy: data.y must hold one label per row/);
  });
});
