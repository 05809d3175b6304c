// Tests for half-space regions: gate patterns, path constraints, the exact 2-D arrangement, membership, Monte Carlo volume.

import { describe, expect, it } from 'vitest';
import { noGrad } from '../../src/autograd/engine.js';
import type { ModelConfig } from '../../src/models/config.js';
import { createModel, type Model, withHardGates } from '../../src/models/families.js';
import type { InitScheme } from '../../src/models/module.js';
import {
  type Arrangement2D,
  type GatePattern,
  activePathCount,
  arrangement2D,
  constraintsForPathId,
  formatConstraint,
  gatePattern,
  inLinearRegion,
  inRegion,
  lines2D,
  localHalfspaces,
  monteCarloVolume,
  pathConstraints,
  patternKey,
  regionOf,
} from '../../src/paths/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

interface Case {
  name: string;
  config: ModelConfig;
  seed: number;
  init?: InitScheme;
}

const cases: Case[] = [
  { name: 'dlgn cf [4,4,3]', config: { kind: 'dlgn', inputDim: 2, widths: [4, 4, 3], outputDim: 2, features: 'cf' }, seed: 1 },
  { name: 'dlgn sf [4,4,3]', config: { kind: 'dlgn', inputDim: 2, widths: [4, 4, 3], outputDim: 2, features: 'sf' }, seed: 2 },
  { name: 'dlgn cf [3,2] normal init', config: { kind: 'dlgn', inputDim: 2, widths: [3, 2], outputDim: 1, features: 'cf' }, seed: 3, init: 'normal' },
  { name: 'dlgn sf [2,3] normal init', config: { kind: 'dlgn', inputDim: 2, widths: [2, 3], outputDim: 3, features: 'sf' }, seed: 4, init: 'normal' },
  { name: 'dlgn cf [4,3] seed 11', config: { kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 1, features: 'cf', beta: 3 }, seed: 11, init: 'normal' },
  {
    name: 'dlgn cf [4,4,3] valueInput input',
    config: { kind: 'dlgn', inputDim: 2, widths: [4, 4, 3], outputDim: 2, features: 'cf', valueInput: 'input' },
    seed: 5,
    init: 'normal',
  },
  { name: 'dlgn cf [3,3] no bias', config: { kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1, bias: false }, seed: 6 },
  { name: 'dlgn-vt [3,3]', config: { kind: 'dlgn-vt', inputDim: 2, widths: [3, 3], outputDim: 2 }, seed: 7, init: 'normal' },
];

const build = (c: Case): Model => createModel(c.config, { rng: c.seed, init: c.init });

const forward = (m: Model, x: Tensor): Float64Array => noGrad(() => m.forward(x).value.values());

/** Every path id's unit tuple over layers from..L-1 (0-based), by explicit enumeration. */
function tuples(widths: number[], from: number): number[][] {
  let out: number[][] = [[]];
  for (let l = from; l < widths.length; l++) out = out.flatMap((t) => Array.from({ length: widths[l] }, (_, u) => [...t, u]));
  return out;
}

/** Active paths under a hard pattern, by enumerating every path of docs/fixtures.md. */
function bruteActivePaths(model: Model, pattern: GatePattern): number {
  const { kind, inputDim, widths, bias } = model.config;
  const on = (units: number[], from: number): boolean => units.every((u, k) => pattern[from + k][u] === 1);
  let count = 0;
  const starts = kind === 'dlgn-vt' ? 1 : inputDim;
  for (let i = 0; i < starts; i++) for (const t of tuples(widths, 0)) if (on(t, 0)) count++;
  if (kind !== 'dlgn-vt' && bias) {
    for (let l = 1; l <= widths.length; l++) for (const t of tuples(widths, l - 1)) if (on(t, l - 1)) count++;
    count++; // the output bias
  }
  return count;
}

const cross = (o: number[], a: number[], b: number[]): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);

describe('arrangement2D on random 2-D DLGNs', () => {
  const arrangements = new Map<string, { model: Model; arr: Arrangement2D }>();
  const get = (c: Case): { model: Model; arr: Arrangement2D } => {
    if (!arrangements.has(c.name)) {
      const model = build(c);
      arrangements.set(c.name, { model, arr: arrangement2D(model) });
    }
    return arrangements.get(c.name)!;
  };

  it.each(cases.map((c) => [c.name, c] as const))('%s: cell areas add up to the box area', (_n, c) => {
    const { arr } = get(c);
    expect(arr.cells.length).toBeGreaterThan(1);
    const total = arr.cells.reduce((s, cell) => s + cell.area, 0);
    expect(Math.abs(total - 4) / 4).toBeLessThan(1e-9);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: every cell is a convex counter-clockwise polygon', (_n, c) => {
    const { arr } = get(c);
    for (const cell of arr.cells) {
      const p = cell.polygon;
      expect(p.length).toBeGreaterThanOrEqual(3);
      expect(cell.area).toBeGreaterThan(0);
      for (let k = 0; k < p.length; k++) {
        expect(cross(p[k], p[(k + 1) % p.length], p[(k + 2) % p.length])).toBeGreaterThanOrEqual(-1e-12);
      }
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))(
    '%s: points inside a cell have its pattern, the hard model its output, regionOf finds it',
    (_n, c) => {
      const { model, arr } = get(c);
      const hard = withHardGates(model);
      const rng = new Rng(100 + c.seed);
      const per = 12;
      for (const cell of arr.cells) {
        const pts = new Float64Array(per * 2);
        for (let s = 0; s < per; s++) {
          const w = cell.polygon.map(() => rng.uniform() + 1e-3);
          const total = w.reduce((a, b) => a + b, 0);
          let qx = 0;
          let qy = 0;
          cell.polygon.forEach(([x, y], k) => {
            qx += (w[k] / total) * x;
            qy += (w[k] / total) * y;
          });
          // shrink towards the centroid, away from the cell's edges
          pts[2 * s] = cell.centroid[0] + 0.9 * (qx - cell.centroid[0]);
          pts[2 * s + 1] = cell.centroid[1] + 0.9 * (qy - cell.centroid[1]);
        }
        const X = new Tensor(pts, [per, 2]);
        const patterns = gatePattern(model, X);
        const out = forward(hard, X);
        const k = model.config.outputDim;
        for (let s = 0; s < per; s++) {
          expect(patternKey(patterns[s])).toBe(cell.key);
          expect(regionOf(arr, [pts[2 * s], pts[2 * s + 1]])!.index).toBe(cell.index);
          if (cell.outputConstant) {
            for (let j = 0; j < k; j++) expect(Math.abs(out[s * k + j] - cell.output[j])).toBeLessThanOrEqual(1e-12);
          }
        }
        // the hard model's own gates agree with the pattern read off the half-spaces
        const g = noGrad(() => hard.gates(X));
        for (let s = 0; s < per; s++) {
          expect(patternKey(g.map((t) => t.values().subarray(s * t.shape[1], (s + 1) * t.shape[1])))).toBe(cell.key);
        }
      }
      // the output at the centroid is the hard model's output there
      const cen = new Tensor(Float64Array.from(arr.cells.flatMap((cell) => cell.centroid)), [arr.cells.length, 2]);
      const oc = forward(hard, cen);
      arr.cells.forEach((cell, i) => expect(cell.output).toEqual(Array.from(oc.subarray(i * cell.output.length, (i + 1) * cell.output.length))));
      expect(arr.cells.every((cell) => cell.outputConstant === (c.config.kind === 'dlgn-vt' || c.config.valueInput !== 'input'))).toBe(true);
    },
  );

  it.each(cases.map((c) => [c.name, c] as const))('%s: the cells are exactly the patterns seen on a 200 x 200 grid', (_n, c) => {
    const { model, arr } = get(c);
    const n = 200;
    const pts = new Float64Array(n * n * 2);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        pts[2 * (i * n + j)] = -1 + (2 * (i + 0.5)) / n;
        pts[2 * (i * n + j) + 1] = -1 + (2 * (j + 0.5)) / n;
      }
    }
    const seen = new Set(gatePattern(model, new Tensor(pts, [n * n, 2])).map(patternKey));
    const cellKeys = new Set(arr.cells.map((cell) => cell.key));
    expect(cellKeys.size).toBe(arr.cells.length); // one cell per pattern
    for (const key of seen) expect(cellKeys.has(key)).toBe(true);
    const bigEnough = (4 / (n * n)) * 4;
    for (const cell of arr.cells) if (cell.area > bigEnough) expect(seen.has(cell.key)).toBe(true);
    expect(seen.size).toBeLessThanOrEqual(arr.cells.length);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: activePaths matches an explicit enumeration of paths', (_n, c) => {
    const { model, arr } = get(c);
    for (const cell of arr.cells) {
      expect(cell.activePaths).toBe(bruteActivePaths(model, cell.pattern));
      expect(activePathCount(model, cell.pattern)).toBe(cell.activePaths);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s: lines2D normals point to the ON side', (_n, c) => {
    const { model, arr } = get(c);
    const lines = lines2D(model);
    expect(lines.length).toBe(c.config.widths.reduce((a, b) => a + b, 0));
    expect(arr.lines).toEqual(lines);
    const hs = model.halfspaces();
    let drawn = 0;
    for (const ln of lines) {
      const w = hs[ln.layer - 1].weight.values();
      const b = hs[ln.layer - 1].bias.values()[ln.unit];
      expect(ln.weight).toEqual([w[2 * ln.unit], w[2 * ln.unit + 1]]);
      expect(Math.hypot(...ln.normal!)).toBeCloseTo(1, 14);
      if (!ln.segment) continue;
      drawn++;
      const [[x0, y0], [x1, y1]] = ln.segment;
      for (const [x, y] of ln.segment) {
        expect(x).toBeGreaterThanOrEqual(-1);
        expect(x).toBeLessThanOrEqual(1);
        expect(y).toBeGreaterThanOrEqual(-1);
        expect(y).toBeLessThanOrEqual(1);
        expect(Math.abs(ln.weight[0] * x + ln.weight[1] * y + ln.bias)).toBeLessThan(1e-12);
      }
      const mx = (x0 + x1) / 2;
      const my = (y0 + y1) / 2;
      const z = (x: number, y: number): number => ln.weight[0] * x + ln.weight[1] * y + b;
      expect(z(mx + 1e-3 * ln.normal![0], my + 1e-3 * ln.normal![1])).toBeGreaterThan(0);
      expect(z(mx - 1e-3 * ln.normal![0], my - 1e-3 * ln.normal![1])).toBeLessThan(0);
    }
    expect(drawn).toBeGreaterThan(0);
  });
});

describe('arrangement2D: constructed cases', () => {
  /** A 2-D DLGN-SF whose first layer is the given lines (w1, w2, b) and a 1-unit second layer. */
  function withLines(lines: [number, number, number][], box?: boolean): Model {
    const m = createModel({ kind: 'dlgn', inputDim: 2, widths: [lines.length, 1], outputDim: 1, features: 'sf', bias: box ?? true }, { rng: 1 });
    const sd = m.stateDict();
    sd['gate.0.weight'] = Tensor.from(lines.map(([a, b]) => [a, b]));
    sd['gate.0.bias'] = Tensor.from(lines.map(([, , c]) => c));
    sd['gate.1.weight'] = Tensor.from([[0, 0]]); // degenerate: splits nothing
    sd['gate.1.bias'] = Tensor.from([1]); // ... and always on
    m.loadStateDict(sd);
    return m;
  }

  it('two axis lines give four unit quadrants; a degenerate line splits nothing', () => {
    const arr = arrangement2D(withLines([[1, 0, 0], [0, 1, 0]]));
    expect(arr.cells.length).toBe(4);
    for (const cell of arr.cells) {
      expect(cell.area).toBeCloseTo(1, 14);
      expect(cell.pattern[1]).toEqual(Uint8Array.of(1));
    }
    const q1 = regionOf(arr, [0.5, 0.5])!;
    expect(q1.key).toBe('11|1');
    expect(q1.centroid[0]).toBeCloseTo(0.5, 14);
    expect(regionOf(arr, [-0.5, 0.5])!.key).toBe('01|1');
    expect(regionOf(arr, [2, 0])).toBeUndefined();
    // on a line: the gate is off there (1[z > 0]), the off-side cell contains it
    expect(regionOf(arr, [0, 0.5])!.key).toBe('01|1');
    const deg = arr.lines.find((l) => l.layer === 2)!;
    expect(deg.degenerate).toBe(true);
    expect(deg.segment).toBeNull();
    expect(deg.normal).toBeNull();
  });

  it('a line outside the box splits nothing and has no segment; a custom box works', () => {
    const box = { xmin: 0, xmax: 3, ymin: -1, ymax: 1 };
    const arr = arrangement2D(withLines([[1, 0, -1], [1, 0, 10]]), box);
    expect(arr.cells.length).toBe(2);
    expect(arr.cells.map((c) => c.area).sort()).toEqual([2, 4]);
    const lines = lines2D(withLines([[1, 0, -1], [1, 0, 10]]), box);
    expect(lines[0].segment).toEqual([[1, -1], [1, 1]]);
    expect(lines[1].segment).toBeNull();
    expect(lines[0].normal).toEqual([1, 0]);
  });

  it('three lines through one point give six cells', () => {
    const arr = arrangement2D(withLines([[1, 0, 0], [0, 1, 0], [1, 1, 0]]));
    expect(arr.cells.length).toBe(6);
    expect(arr.cells.reduce((s, c) => s + c.area, 0)).toBeCloseTo(4, 13);
  });

  it('needs 2-D inputs and a valid box', () => {
    const m3 = createModel({ kind: 'dlgn', inputDim: 3, widths: [2], outputDim: 1 });
    expect(() => arrangement2D(m3)).toThrow(/arrangement2D: needs a model with 2-D inputs/);
    const m2 = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1 });
    expect(() => arrangement2D(m2, { xmin: 1, xmax: 0, ymin: 0, ymax: 1 })).toThrow(/arrangement2D: box/);
  });
});

describe('ReLU nets and DGNs: gates are not half-spaces', () => {
  const relu = createModel({ kind: 'dnn', inputDim: 2, widths: [4, 3], outputDim: 1 }, { rng: 2 });
  const dgn = createModel({ kind: 'dgn', inputDim: 2, widths: [4, 3], outputDim: 1 }, { rng: 2 });

  it.each([
    ['dnn', relu],
    ['dgn', dgn],
  ] as const)('%s: every half-space API throws and says why', (_k, model) => {
    const x = Tensor.from([[0.1, 0.2]]);
    expect(() => arrangement2D(model)).toThrow(/arrangement2D: .*not half-spaces/);
    expect(() => lines2D(model)).toThrow(/lines2D: .*not half-spaces/);
    expect(() => pathConstraints(model, [0, 0])).toThrow(/pathConstraints: .*not half-spaces/);
    expect(() => constraintsForPathId(model, [0, 0, 0, 0])).toThrow(/constraintsForPathId: .*not half-spaces/);
    expect(() => constraintsForPathId(model, [3, -1])).toThrow(/not half-spaces/);
    expect(() => gatePattern(model, x)).toThrow(/gatePattern: .*not half-spaces/);
    expect(() => inRegion(model, [0, 0, 0, 0], [0, 0])).toThrow(/inRegion: .*not half-spaces/);
    expect(() => monteCarloVolume(model, [0, 0, 0, 0])).toThrow(/monteCarloVolume: .*not half-spaces/);
  });

  it('the ReLU error points to localHalfspaces', () => {
    expect(() => arrangement2D(relu)).toThrow(/localHalfspaces/);
    expect(() => localHalfspaces(dgn, Tensor.from([[0, 0]]))).toThrow(/only for ReLU nets/);
    const dl = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1 });
    expect(() => localHalfspaces(dl, Tensor.from([[0, 0]]))).toThrow(/halfspaces\(\) are exact everywhere/);
  });
});

describe('localHalfspaces: the linear region of a ReLU net', () => {
  for (const bias of [true, false]) {
    it(`reproduces the pre-activations and output near x0 (bias ${bias})`, () => {
      const d = 3;
      const net = createModel({ kind: 'dnn', inputDim: d, widths: [6, 5, 4], outputDim: 2, bias }, { rng: 9 });
      const rng = new Rng(4);
      const x0 = Array.from(rng.uniformArray(d, -1, 1));
      const local = localHalfspaces(net, Tensor.from([x0]));
      expect(local.validOnlyNear).toBe(true);
      expect(local.x0).toEqual(x0);
      expect(inLinearRegion(local, x0)).toBe(true);
      const W = (n: string): number[][] => net.parameter(n).value.toArray() as number[][];
      const B = (n: string, m: number): number[] => (bias ? (net.parameter(n).value.toArray() as number[]) : new Array(m).fill(0));
      const affine = (h: { weight: Tensor; bias: Tensor }, x: number[]): number[] =>
        (h.weight.toArray() as number[][]).map((row, i) => row.reduce((s, w, j) => s + w * x[j], 0) + h.bias.values()[i]);
      /** The net's pre-activations, layer by layer (the test's own forward loop). */
      const preacts = (x: number[]): number[][] => {
        const zs: number[][] = [];
        let h = x;
        net.config.widths.forEach((m, l) => {
          const z = W(`layers.${l}.weight`).map((row, i) => row.reduce((s, w, j) => s + w * h[j], 0) + B(`layers.${l}.bias`, m)[i]);
          zs.push(z);
          h = z.map((v) => (v > 0 ? v : 0));
        });
        return zs;
      };
      let same = 0;
      let differs = 0;
      for (let s = 0; s < 200; s++) {
        const r = s < 100 ? 0.02 : 2;
        const x = x0.map((v) => v + rng.uniformRange(-r, r));
        const g = net.gates(Tensor.from([x])).map((t) => Uint8Array.from(t.values()));
        const samePattern = patternKey(g) === patternKey(local.pattern);
        expect(inLinearRegion(local, x)).toBe(samePattern);
        const zs = preacts(x);
        if (samePattern) {
          same++;
          zs.forEach((z, l) => affine(local.layers[l], x).forEach((v, i) => expect(Math.abs(v - z[i])).toBeLessThan(1e-12)));
          const out = forward(net, Tensor.from([x]));
          affine(local.output, x).forEach((v, j) => expect(Math.abs(v - out[j])).toBeLessThan(1e-12));
        } else if (zs.some((z, l) => affine(local.layers[l], x).some((v, i) => Math.abs(v - z[i]) > 1e-6))) {
          differs++;
        }
      }
      expect(same).toBeGreaterThan(50);
      expect(differs).toBeGreaterThan(0); // outside x0's region the maps are wrong: validOnlyNear
    });
  }

  it('checks x0', () => {
    const net = createModel({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 1 });
    expect(() => localHalfspaces(net, Tensor.from([[0, 0], [1, 1]]))).toThrow(/one point x0/);
    expect(() => localHalfspaces(net, Tensor.from([[0, 0, 0]]))).toThrow(/expected inputs \[n, 2\]/);
  });
});

describe('path constraints', () => {
  const model = createModel({ kind: 'dlgn', inputDim: 3, widths: [3, 4, 2], outputDim: 2, features: 'cf' }, { rng: 21, init: 'normal' });
  const hard = withHardGates(model);

  it('hold exactly when every unit of the path is on', () => {
    const rng = new Rng(8);
    const n = 400;
    const X = new Tensor(rng.uniformArray(n * 3, -1.5, 1.5), [n, 3]);
    const xs = X.values();
    const gates = noGrad(() => hard.gates(X)).map((g) => g.values());
    const ids = [
      [0, 0, 1, 2, 0],
      [0, 2, 2, 3, 1],
      [1, -1, 0, 1, 1],
      [2, -1, 3, 0],
      [3, -1, 1],
    ];
    for (const id of ids) {
      const cs = constraintsForPathId(model, id);
      const first = id[0] === 0 ? 1 : id[0];
      expect(cs.map((c) => c.layer)).toEqual(id.slice(2).map((_, k) => first + k));
      expect(cs.map((c) => c.unit)).toEqual(id.slice(2));
      expect(pathConstraints(model, id.slice(2), first)).toEqual(cs);
      let on = 0;
      for (let s = 0; s < n; s++) {
        const allOn = cs.every((c) => gates[c.layer - 1][s * model.config.widths[c.layer - 1] + c.unit] === 1);
        const holds = cs.every((c) => c.weight.reduce((a, w, j) => a + w * xs[s * 3 + j], 0) + c.bias > 0);
        expect(holds).toBe(allOn);
        expect(inRegion(model, id, [xs[s * 3], xs[s * 3 + 1], xs[s * 3 + 2]])).toBe(allOn);
        if (allOn) on++;
      }
      expect(on).toBeGreaterThan(0);
    }
    expect(constraintsForPathId(model, [4, -1])).toEqual([]);
  });

  it('uses the effective half-spaces (composite weights)', () => {
    const hs = model.halfspaces();
    const [c] = pathConstraints(model, [1], 3);
    expect(c.weight).toEqual(Array.from(hs[2].weight.values().subarray(1 * 3, 2 * 3)));
    expect(c.bias).toBe(hs[2].bias.values()[1]);
    expect(() => pathConstraints(model, [2], 3)).toThrow(/pathConstraints: unit 2 is out of range for layer 3 of width 2/);
    expect(() => pathConstraints(model, [0, 0], 3)).toThrow(/visits 1 units \(layers 3..3\)/);
  });

  it('rejects malformed ids', () => {
    expect(() => constraintsForPathId(model, [0, 3, 0, 0, 0])).toThrow(/startIndex must be in 0..2/);
    expect(() => constraintsForPathId(model, [0, 0, 0, 0])).toThrow(/one unit in each of the 3 hidden layers/);
    expect(() => constraintsForPathId(model, [2, 0, 0, 0])).toThrow(/startIndex is -1/);
    expect(() => constraintsForPathId(model, [5, -1])).toThrow(/startLayer must be in 0..4/);
    expect(() => constraintsForPathId(model, [0, 0, 0, 9, 0])).toThrow(/unit 9 is out of range for layer 2/);
    const nb = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1, bias: false });
    expect(() => constraintsForPathId(nb, [1, -1, 0])).toThrow(/no biases/);
    const vt = createModel({ kind: 'dlgn-vt', inputDim: 2, widths: [2, 2], outputDim: 1 });
    expect(constraintsForPathId(vt, [0, 0, 1, 0]).length).toBe(2);
    expect(() => constraintsForPathId(vt, [0, 1, 1, 0])).toThrow(/dlgn-vt ids/);
  });

  it('formats constraints as readable text', () => {
    const c = { layer: 2, unit: 5, weight: [0.83, -1.2], bias: 0.1 };
    expect(formatConstraint(c)).toBe('0.83 x1 - 1.20 x2 + 0.10 > 0  (layer 2, unit 5)');
    expect(formatConstraint(c, ['u', 'v'])).toBe('0.83 u - 1.20 v + 0.10 > 0  (layer 2, unit 5)');
    expect(formatConstraint({ layer: 1, unit: 0, weight: [-0.5, 0, 2], bias: -1 }, undefined, 1)).toBe('-0.5 x1 + 2.0 x3 - 1.0 > 0  (layer 1, unit 0)');
    expect(formatConstraint({ layer: 1, unit: 0, weight: [0, 0], bias: 0 })).toBe('0.00 > 0  (layer 1, unit 0)');
    expect(() => formatConstraint(c, ['u'])).toThrow(/1 names for 2 coordinates/);
  });
});

describe('gate patterns, membership and Monte Carlo volume', () => {
  it('gatePattern equals the hard-gated model gates; inRegion agrees with it in 4-D', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 4, widths: [3, 3], outputDim: 1, features: 'sf' }, { rng: 5 });
    const rng = new Rng(6);
    const n = 300;
    const X = new Tensor(rng.uniformArray(n * 4, -1, 1), [n, 4]);
    const pats = gatePattern(model, X);
    expect(pats.length).toBe(n);
    const hg = noGrad(() => withHardGates(model).gates(X)).map((g) => g.values());
    pats.forEach((p, s) => p.forEach((g, l) => expect(Array.from(g)).toEqual(Array.from(hg[l].subarray(s * 3, s * 3 + 3)))));
    const target = pats[0];
    const member = inRegion(model, target, X);
    expect(member).toEqual(pats.map((p) => patternKey(p) === patternKey(target)));
    expect(inRegion(model, target, Array.from(X.values().subarray(0, 4)))).toBe(true);
    // plain arrays are patterns too
    expect(inRegion(model, target.map((g) => Array.from(g)), X)).toEqual(member);
    const id = [0, 1, 2, 0];
    expect(inRegion(model, id, X)).toEqual(pats.map((p) => p[0][2] === 1 && p[1][0] === 1));
    expect(() => inRegion(model, [Uint8Array.of(1, 0)], X)).toThrow(/one entry per hidden layer/);
    expect(() => inRegion(model, target, [0, 0])).toThrow(/4 coordinates/);
    expect(() => gatePattern(model, Tensor.from([[0, 0]]))).toThrow(/expected inputs \[n, 4\]/);
  });

  it('estimates the exact area of a 2-D cell and of a path region within 4 standard errors', () => {
    const model = build(cases[0]);
    const arr = arrangement2D(model);
    const big = [...arr.cells].sort((a, b) => b.area - a.area)[0];
    const est = monteCarloVolume(model, big.pattern, { box: 1, samples: 20000, seed: 3 });
    expect(est.isEstimate).toBe(true);
    expect(est.samples).toBe(20000);
    expect(est.boxVolume).toBe(4);
    expect(est.estimate).toBeCloseTo(4 * est.fractionInside, 12);
    expect(est.standardError).toBeGreaterThan(0);
    expect(Math.abs(est.estimate - big.area)).toBeLessThan(4 * est.standardError);
    expect(monteCarloVolume(model, big.pattern, { box: 1, samples: 20000, seed: 3 })).toEqual(est);
    // a path's region is the union of the cells where its units are on
    const id = [0, 1, 1, 2, 0];
    const exact = arr.cells.filter((c) => c.pattern[0][1] && c.pattern[1][2] && c.pattern[2][0]).reduce((s, c) => s + c.area, 0);
    const pe = monteCarloVolume(model, id, { box: { lo: [-1, -1], hi: [1, 1] }, samples: 20000, seed: 4 });
    expect(Math.abs(pe.estimate - exact)).toBeLessThan(4 * Math.max(pe.standardError, 1e-3));
    expect(() => monteCarloVolume(model, id, { box: { lo: [-1], hi: [1] } })).toThrow(/need 2 entries/);
    expect(() => monteCarloVolume(model, id, { samples: 0 })).toThrow(/samples/);
  });
});
