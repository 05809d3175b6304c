// E3 of docs/experiments/protocols.md: do later-layer hyperplanes cluster? DBSCAN over effective gating normals, layer by layer, init vs trained.

import { type CirclePreset, CIRCLE_PRESETS, circle, circleMidpoints } from '../data/circle.js';
import { obliqueTree } from '../data/oblique-tree.js';
import { disk } from '../data/synthetic.js';
import { type ModelConfig, archLabel } from '../models/config.js';
import { type HalfSpaces, type Model, createModel } from '../models/families.js';
import { type Dataset, type EpochLog, type LossKind, evaluate, fit } from '../models/train.js';
import { dbscan, meanNearestNeighbourDistance, pairwiseDistances, signInvariantDistance } from '../paths/geometry.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { barChart, heatmap, scatterPlot } from '../viz/charts.js';
import { type Experiment, type ExperimentContext, type ExperimentResult, type Figure, figureRef, reportEpochs, num, pct, table } from './framework.js';

// What is clustered. Gating unit i of layer l is the half-space w . x + b > 0 with (w, b) the
// row of `model.halfspaces()[l]` (for composite gating the product W_l ... W_1 and its bias).
// The paper compares hyperplanes by their normals only, with the sign-invariant distance
// min(|u - v|, |u + v|) of unit vectors (`signInvariantDistance`). That is the `normal` space.
// In 2-D every normal is a direction in a half-circle, so m normals are never far apart
// (m random directions have nearest neighbours about pi / (2m) radians away) and DBSCAN finds
// "clusters" in random data; with gating biases the bias carries half the geometry (parallel
// lines at different offsets have distance 0 as normals). So for models with biases we also
// cluster the augmented vectors (w, b) / |(w, b)| (the `affine` space), and every number is
// shown next to the same statistic for random Gaussian directions in the same dimension.

/** Which vectors are compared: unit normals w / |w| (the paper's), or (w, b) / |(w, b)|. */
export type ClusterSpace = 'normal' | 'affine';

/** One layer's clustering statistics. */
export interface LayerClusters {
  /** 1-based hidden layer. */
  layer: number;
  units: number;
  /** Dimension of the clustered vectors (d for normals, d + 1 for (w, b)). */
  dim: number;
  /** Mean distance of a unit to its nearest other unit. */
  meanNN: number;
  /** Per eps (in protocol order): DBSCAN cluster count. */
  clusters: number[];
  /** Per eps: fraction of the units that belong to some cluster (core or border points). */
  clustered: number[];
  /** Per eps: fraction of the units in the largest cluster. */
  largest: number[];
}

/** The rows to cluster: w, or (w, b), one per gating unit. */
export function clusterVectors(h: HalfSpaces, space: ClusterSpace): Tensor {
  if (space === 'normal') return h.weight;
  const [m, d] = h.weight.shape;
  const w = h.weight.values();
  const b = h.bias.values();
  const out = new Float64Array(m * (d + 1));
  for (let i = 0; i < m; i++) {
    out.set(w.subarray(i * d, (i + 1) * d), i * (d + 1));
    out[i * (d + 1) + d] = b[i];
  }
  return new Tensor(out, [m, d + 1]);
}

/** DBSCAN statistics of one distance matrix (m >= 2). */
export function clusterStats(D: Tensor, eps: readonly number[], minPts: number): Omit<LayerClusters, 'layer' | 'units' | 'dim'> & { labels: Int32Array[] } {
  const m = D.shape[0];
  const clusters: number[] = [];
  const clustered: number[] = [];
  const largest: number[] = [];
  const labels: Int32Array[] = [];
  for (const e of eps) {
    const r = dbscan(D, e, minPts);
    clusters.push(r.clusters);
    const sizes = new Array<number>(r.clusters).fill(0);
    let inside = 0;
    for (const l of r.labels) {
      if (l >= 0) {
        inside++;
        sizes[l]++;
      }
    }
    clustered.push(inside / m);
    largest.push(sizes.length ? Math.max(...sizes) / m : 0);
    labels.push(r.labels);
  }
  return { meanNN: meanNearestNeighbourDistance(D), clusters, clustered, largest, labels };
}

/** Per layer, the distance matrix and DBSCAN statistics of the model's effective hyperplanes. */
export function layerClusters(model: Model, space: ClusterSpace, eps: readonly number[], minPts: number): { layers: LayerClusters[]; distances: Tensor[]; labels: Int32Array[][] } {
  const layers: LayerClusters[] = [];
  const distances: Tensor[] = [];
  const labels: Int32Array[][] = [];
  model.halfspaces().forEach((h, l) => {
    const v = clusterVectors(h, space);
    const D = pairwiseDistances(v);
    const { labels: lab, ...stats } = clusterStats(D, eps, minPts);
    layers.push({ layer: l + 1, units: v.shape[0], dim: v.shape[1], ...stats });
    distances.push(D);
    labels.push(lab);
  });
  return { layers, distances, labels };
}

/** The same statistics for m random directions (standard Gaussian vectors) in `dim` dimensions, averaged over `draws` draws. */
export function randomDirectionClusters(m: number, dim: number, eps: readonly number[], minPts: number, draws: number, rng: Rng): Omit<LayerClusters, 'layer'> {
  const acc = { meanNN: 0, clusters: eps.map(() => 0), clustered: eps.map(() => 0), largest: eps.map(() => 0) };
  for (let k = 0; k < draws; k++) {
    const D = pairwiseDistances(new Tensor(rng.normalArray(m * dim), [m, dim]));
    const s = clusterStats(D, eps, minPts);
    acc.meanNN += s.meanNN / draws;
    eps.forEach((_, i) => {
      acc.clusters[i] += s.clusters[i] / draws;
      acc.clustered[i] += s.clustered[i] / draws;
      acc.largest[i] += s.largest[i] / draws;
    });
  }
  return { units: m, dim, ...acc };
}

/** Model and training settings of one data set. */
export interface E3TaskProtocol {
  /** Total points generated (train part: see `describe`). */
  n: number;
  widths: number[];
  beta: number;
  lr: number;
  batchSize: number;
  epochs: number;
}

export interface E3Protocol {
  eps: number[];
  minPts: number;
  /** Draws of random directions for the null statistics. */
  nullDraws: number;
  circle: E3TaskProtocol & { preset: CirclePreset };
  disk: E3TaskProtocol;
  oblique: E3TaskProtocol & { d: number };
}

export const E3_FULL: E3Protocol = {
  eps: [0.1, 0.2, 0.3],
  minPts: 2,
  nullDraws: 50,
  circle: { preset: 'a2b12', n: 500, widths: [32, 32, 32, 32], beta: 20, lr: 0.003, batchSize: 25, epochs: 600 },
  disk: { n: 2000, widths: [32, 32, 32, 32], beta: 10, lr: 0.01, batchSize: 32, epochs: 150 },
  oblique: { d: 20, n: 40_000, widths: [32, 32, 32, 32], beta: 10, lr: 0.003, batchSize: 64, epochs: 40 },
};

export const E3_QUICK: E3Protocol = {
  eps: [0.1, 0.2, 0.3],
  minPts: 2,
  nullDraws: 20,
  circle: { preset: 'a2b12', n: 200, widths: [16, 16, 16, 16], beta: 20, lr: 0.005, batchSize: 25, epochs: 150 },
  disk: { n: 600, widths: [16, 16, 16, 16], beta: 10, lr: 0.01, batchSize: 32, epochs: 60 },
  oblique: { d: 20, n: 12_000, widths: [16, 16, 16, 16], beta: 10, lr: 0.01, batchSize: 64, epochs: 12 },
};

type TaskKey = 'circle' | 'disk' | 'oblique';

/** A data set with its model, ready to train. */
interface Task {
  key: TaskKey;
  name: string;
  data: string;
  config: ModelConfig;
  train: Dataset;
  test: Dataset;
  loss: LossKind;
  p: E3TaskProtocol;
  spaces: ClusterSpace[];
  /** The space the figures show: (w, b) for 2-D data with biases, where normals alone say little; else normals. */
  figureSpace: ClusterSpace;
  /** Reference normals (the oblique tree's nodes). */
  references?: Tensor;
}

/** Clustering of one model state in one space. */
export interface StateClusters {
  layers: LayerClusters[];
  /** Oblique tree only: per layer, the fraction of units within 0.1 / 0.2 / 0.3 of some tree normal. */
  nearTreeNormal?: number[][];
}

export interface E3TaskMetrics {
  name: string;
  model: string;
  trainSize: number;
  testSize: number;
  /** Test accuracy (classification) or MSE (circle), at init and after training. */
  test: { metric: 'accuracy' | 'mse'; init: number; trained: number };
  trainLoss: number;
  /** Per space: init, trained, and the random-direction null per layer. */
  spaces: Partial<Record<ClusterSpace, { init: StateClusters; trained: StateClusters; random: Omit<LayerClusters, 'layer'>[] }>>;
}

const TREE_THRESHOLDS = [0.1, 0.2, 0.3];

function nearTree(model: Model, refs: Tensor): number[][] {
  const r = refs.shape[0];
  const d = refs.shape[1];
  const R = refs.values();
  return model.halfspaces().map((h) => {
    const m = h.weight.shape[0];
    const w = h.weight.values();
    const counts = TREE_THRESHOLDS.map(() => 0);
    for (let i = 0; i < m; i++) {
      let best = Infinity;
      for (let k = 0; k < r; k++) best = Math.min(best, signInvariantDistance(w.subarray(i * d, (i + 1) * d), R.subarray(k * d, (k + 1) * d)));
      TREE_THRESHOLDS.forEach((t, ti) => {
        if (best <= t) counts[ti]++;
      });
    }
    return counts.map((c) => c / m);
  });
}

function buildTasks(p: E3Protocol, seeds: { circle: number; disk: [number, number]; oblique: number }): Task[] {
  const pc = p.circle;
  const { a, b } = CIRCLE_PRESETS[pc.preset];
  const c = circle({ n: pc.n, preset: pc.preset });
  const ct = circleMidpoints(pc.n, a, b);
  const pd = p.disk;
  const nTrainDisk = Math.round(pd.n * 0.75);
  const po = p.oblique;
  const ob = obliqueTree({ d: po.d, n: po.n, seed: seeds.oblique });
  return [
    {
      key: 'circle',
      name: `circle (E1 data, a = ${a}, b = ${b})`,
      data: `E1's circle: ${pc.n} training points at equally spaced angles, target of setting (a, b) = (${a}, ${b}); test: the ${pc.n} midpoints`,
      config: { kind: 'dlgn', inputDim: 2, widths: pc.widths, outputDim: 1, bias: false, beta: pc.beta },
      train: { x: c.x, y: c.y },
      test: { x: ct.x, y: ct.y },
      loss: 'mse',
      p: pc,
      spaces: ['normal'],
      figureSpace: 'normal',
    },
    {
      key: 'disk',
      name: 'disk (E2 data, gating biases)',
      data: `E2's disk: points uniform on [-1, 1]², label 1 inside the centred disk of area 2; ${nTrainDisk} training and ${pd.n - nTrainDisk} test points (independent draws), no label noise`,
      config: { kind: 'dlgn', inputDim: 2, widths: pd.widths, outputDim: 2, bias: true, beta: pd.beta },
      train: disk({ n: nTrainDisk, seed: seeds.disk[0] }),
      test: disk({ n: pd.n - nTrainDisk, seed: seeds.disk[1] }),
      loss: 'ce',
      p: pd,
      spaces: ['normal', 'affine'],
      figureSpace: 'affine',
    },
    {
      key: 'oblique',
      name: `oblique tree (E6 data, d = ${po.d})`,
      data: `E6's oblique decision tree (depth 4, 15 orthonormal node normals through the origin, label = leaf index mod 2), x uniform on the unit sphere in d = ${po.d}; ${po.n} points split 50/25/25 (${po.n === 40_000 && po.d === 20 ? 'the size of SDI' : 'SDI has 40 000 points in d = 20: this is a smaller instance'})`,
      config: { kind: 'dlgn', inputDim: po.d, widths: po.widths, outputDim: 2, bias: true, beta: po.beta },
      train: ob.train,
      test: ob.test,
      loss: 'ce',
      p: po,
      spaces: ['normal', 'affine'],
      figureSpace: 'normal',
      references: ob.tree.normals,
    },
  ];
}

/** `at` is the task's place among the run's tasks, for progress. */
function runTask(
  ctx: ExperimentContext,
  p: E3Protocol,
  task: Task,
  seeds: { init: number; shuffle: number },
  nullRng: Rng,
  at: { index: number; total: number } = { index: 1, total: 1 },
): { metrics: E3TaskMetrics; init: Model; model: Model } {
  const init = createModel(task.config, { rng: seeds.init });
  const model = createModel(task.config, { rng: seeds.init });
  const tp = task.p;
  const block = Math.max(1, Math.round(tp.epochs / 4));
  ctx.progress(`${task.key}: training ${arch(task.config)} (${tp.epochs} epochs)`);
  const step = reportEpochs(ctx, `${task.key}: ${arch(task.config)}`, at.index, at.total, tp.epochs);
  const h = fit(model, task.train, {
    loss: task.loss,
    epochs: tp.epochs,
    batchSize: tp.batchSize,
    optimizer: 'adam',
    lr: tp.lr,
    schedule: { kind: 'cosine' },
    seed: seeds.shuffle,
    signal: ctx.signal,
    onEpochEnd: (e: EpochLog) => {
      step(e);
      if ((e.epoch + 1) % block === 0 || e.epoch + 1 === tp.epochs) ctx.progress(`${task.key}: epoch ${e.epoch + 1}/${tp.epochs}, train loss ${num(e.loss, 4)}`);
    },
  });
  ctx.signal?.throwIfAborted();
  const metric = task.loss === 'mse' ? 'mse' : 'accuracy';
  const score = (m: Model): number => {
    const r = evaluate(m, task.test, task.loss);
    return metric === 'mse' ? r.loss : (r.accuracy as number);
  };
  ctx.progress(`${task.key}: clustering the hyperplanes`);
  const spaces: E3TaskMetrics['spaces'] = {};
  for (const space of task.spaces) {
    const state = (m: Model): StateClusters => {
      const s: StateClusters = { layers: layerClusters(m, space, p.eps, p.minPts).layers };
      if (task.references && space === 'normal') s.nearTreeNormal = nearTree(m, task.references);
      return s;
    };
    const dimOf = space === 'normal' ? task.config.inputDim : task.config.inputDim + 1;
    spaces[space] = {
      init: state(init),
      trained: state(model),
      random: task.config.widths.map((m) => randomDirectionClusters(m, dimOf, p.eps, p.minPts, p.nullDraws, nullRng)),
    };
  }
  return {
    metrics: {
      name: task.name,
      model: arch(task.config),
      trainSize: task.train.x.shape[0],
      testSize: task.test.x.shape[0],
      test: { metric, init: score(init), trained: score(model) },
      trainLoss: h.epochs.at(-1)?.loss ?? NaN,
      spaces,
    },
    init,
    model,
  };
}

function arch(c: ModelConfig): string {
  return `DLGN ${archLabel(c)}${c.bias === false ? ' (no biases)' : ''}, β = ${c.beta}`;
}

/** The eps index figures use: 0.2 if present, else the middle one. */
function figureEps(p: E3Protocol): number {
  const i = p.eps.indexOf(0.2);
  return i >= 0 ? i : Math.floor(p.eps.length / 2);
}

function figuresFor(p: E3Protocol, task: Task, m: E3TaskMetrics, init: Model, model: Model): Figure[] {
  const k = figureEps(p);
  const eps = p.eps[k];
  const space = task.figureSpace;
  const s = m.spaces[space]!;
  const what = space === 'normal' ? 'gating normals w / |w|' : 'gating hyperplanes (w, b) / |(w, b)|';
  const L = s.trained.layers.length;
  const groups = s.trained.layers.map((l) => `layer ${l.layer}`);
  const out: Figure[] = [];
  out.push({
    file: `e3-clusters-${task.key}.svg`,
    svg: barChart({
      title: `DBSCAN clusters per layer: ${task.key}, ${space === 'normal' ? 'normals' : '(w, b)'}`,
      subtitle: `${what}, sign-invariant distance, ε = ${eps}, minPts = ${p.minPts}; random = mean over ${p.nullDraws} draws of as many random directions`,
      yLabel: 'clusters',
      groups,
      series: [
        { name: 'init', values: s.init.layers.map((l) => l.clusters[k]) },
        { name: 'trained', values: s.trained.layers.map((l) => l.clusters[k]) },
        { name: 'random directions', values: s.random.map((l) => l.clusters[k]) },
      ],
      valueFormat: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(1)),
    }),
    caption: `E3, ${m.name}: number of DBSCAN clusters (ε = ${eps}) among each layer's effective ${what}, at initialisation, after training, and for random directions.`,
  });
  out.push({
    file: `e3-clustered-${task.key}.svg`,
    svg: barChart({
      title: `Units that belong to a cluster, per layer: ${task.key}, ${space === 'normal' ? 'normals' : '(w, b)'}`,
      subtitle: `Fraction of the layer's units in some DBSCAN cluster (ε = ${eps}, minPts = ${p.minPts}), ${what}`,
      yLabel: 'fraction of units in clusters',
      yDomain: [0, 1],
      groups,
      series: [
        { name: 'init', values: s.init.layers.map((l) => l.clustered[k]) },
        { name: 'trained', values: s.trained.layers.map((l) => l.clustered[k]) },
        { name: 'random directions', values: s.random.map((l) => l.clustered[k]) },
      ],
      valueFormat: (v) => `${Math.round(v * 100)}%`,
    }),
    caption: `E3, ${m.name}: fraction of each layer's units (${what}) that DBSCAN (ε = ${eps}) puts in a cluster.`,
  });
  // nearest-neighbour distances of every unit, per layer, init (left) and trained (right)
  const nnPoints: { x: number; y: number; group: string }[] = [];
  const addNN = (mdl: Model, group: string, offset: number): void => {
    layerClusters(mdl, space, [], p.minPts).distances.forEach((D, l) => {
      const n = D.shape[0];
      const v = D.values();
      for (let i = 0; i < n; i++) {
        let best = Infinity;
        for (let j = 0; j < n; j++) if (j !== i && v[i * n + j] < best) best = v[i * n + j];
        // a deterministic spread so the points of one layer do not sit on one vertical line
        nnPoints.push({ x: l + 1 + offset + (((i * 7) % 11) - 5) * 0.012, y: best, group });
      }
    });
  };
  addNN(init, 'init', -0.2);
  addNN(model, 'trained', 0.2);
  out.push({
    file: `e3-nn-${task.key}.svg`,
    svg: scatterPlot({
      title: `Nearest-neighbour distance of every unit: ${task.key}, ${space === 'normal' ? 'normals' : '(w, b)'}`,
      subtitle: `Per layer: init on the left, trained on the right; ${what}, sign-invariant distance (0 = parallel, √2 = orthogonal)`,
      xLabel: 'hidden layer',
      yLabel: 'distance to the nearest other unit',
      xDomain: [0.5, L + 0.5],
      yDomain: [0, Math.SQRT2],
      groups: ['init', 'trained'],
      points: nnPoints,
    }),
    caption: `E3, ${m.name}: each unit's distance to the nearest other unit of its layer (${what}), at initialisation and after training.`,
  });
  // the last layer's trained distance matrix, units ordered by DBSCAN cluster
  const last = layerClusters(model, space, [eps], p.minPts);
  const D = last.distances[L - 1];
  const labels = last.labels[L - 1][0];
  const n = D.shape[0];
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => {
    const li = labels[i] < 0 ? Infinity : labels[i];
    const lj = labels[j] < 0 ? Infinity : labels[j];
    return li - lj || i - j;
  });
  const dv = D.values();
  const sorted = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sorted[i * n + j] = dv[order[i] * n + order[j]];
  out.push({
    file: `e3-distances-${task.key}.svg`,
    svg: heatmap({
      matrix: new Tensor(sorted, [n, n]),
      title: `Layer ${L} after training: pairwise distances (${task.key}, ${space === 'normal' ? 'normals' : '(w, b)'})`,
      subtitle: `${what}; units ordered by DBSCAN cluster (ε = ${eps}), "·" = not in a cluster`,
      xLabel: 'unit (cluster)',
      yLabel: 'unit (cluster)',
      colorMap: 'sequential',
      domain: [0, Math.SQRT2],
      colorLabel: 'sign-invariant distance',
      tickLabels: order.map((i) => (labels[i] < 0 ? '·' : `c${labels[i]}`)),
    }),
    caption: `E3, ${m.name}: pairwise distances between the last layer's trained ${what}, ordered by cluster; dark blocks on the diagonal are clusters.`,
  });
  return out;
}

function tableFor(p: E3Protocol, m: E3TaskMetrics, space: ClusterSpace): string {
  const s = m.spaces[space]!;
  const k = figureEps(p);
  const header = [
    'layer',
    'mean NN distance: init → trained (random)',
    ...p.eps.map((e) => `clusters ε = ${e}: init → trained (random)`),
    `in clusters ε = ${p.eps[k]}: init → trained (random)`,
    `largest cluster ε = ${p.eps[k]}: init → trained`,
  ];
  if (s.trained.nearTreeNormal) header.push('within 0.1 / 0.2 / 0.3 of a tree normal: init → trained');
  const rows = s.trained.layers.map((t, l) => {
    const i = s.init.layers[l];
    const r = s.random[l];
    const row = [
      String(t.layer),
      `${num(i.meanNN, 3)} → ${num(t.meanNN, 3)} (${num(r.meanNN, 3)})`,
      ...p.eps.map((_, e) => `${i.clusters[e]} → ${t.clusters[e]} (${num(r.clusters[e], 1)})`),
      `${pct(i.clustered[k])} → ${pct(t.clustered[k])} (${pct(r.clustered[k])})`,
      `${pct(i.largest[k])} → ${pct(t.largest[k])}`,
    ];
    if (s.trained.nearTreeNormal && s.init.nearTreeNormal) {
      const a = s.init.nearTreeNormal[l];
      const b = s.trained.nearTreeNormal[l];
      row.push(`${a.map((v) => pct(v)).join(' / ')} → ${b.map((v) => pct(v)).join(' / ')}`);
    }
    return row;
  });
  return table(header, rows);
}

/** Mean over layers 2..L of a statistic. */
function laterMean<T>(layers: T[], f: (l: T) => number): number {
  const later = layers.slice(1);
  return later.reduce((s, l) => s + f(l), 0) / Math.max(1, later.length);
}

type Verdict = 'yes' | 'within random' | 'not layer-specific' | 'already at init' | 'no';

/** Do the later layers of one space cluster after training: beyond init, layer 1 and random directions (by 10 points of "in clusters")? */
function assess(s: NonNullable<E3TaskMetrics['spaces']['normal']>, k: number): { verdict: Verdict; text: string; tighter: boolean; nnInit: number; nnRandom: number } {
  const L = s.trained.layers.length;
  const l1 = { init: s.init.layers[0].clustered[k], trained: s.trained.layers[0].clustered[k] };
  const later = {
    init: laterMean(s.init.layers, (l) => l.clustered[k]),
    trained: laterMean(s.trained.layers, (l) => l.clustered[k]),
    random: laterMean(s.random, (l) => l.clustered[k]),
  };
  const nn = {
    init: laterMean(s.init.layers, (l) => l.meanNN),
    trained: laterMean(s.trained.layers, (l) => l.meanNN),
    random: laterMean(s.random, (l) => l.meanNN),
  };
  const grew = later.trained > later.init + 0.1;
  const aboveL1 = later.trained > l1.trained + 0.1;
  const aboveRandom = later.trained > later.random + 0.1;
  const verdict: Verdict =
    grew && aboveL1 && aboveRandom ? 'yes' : grew && !aboveRandom ? 'within random' : grew ? 'not layer-specific' : later.init > later.random + 0.1 ? 'already at init' : 'no';
  const text =
    `units in clusters, layer 1: ${pct(l1.init)} at init → ${pct(l1.trained)} trained; layers 2-${L} (mean): ${pct(later.init)} → ${pct(later.trained)}; random directions: ${pct(later.random)}. ` +
    `Mean nearest-neighbour distance in layers 2-${L}: ${num(nn.init, 3)} → ${num(nn.trained, 3)} (random ${num(nn.random, 3)}).`;
  return { verdict, text, tighter: nn.trained < 0.8 * nn.init, nnInit: nn.init, nnRandom: nn.random };
}

const VERDICT_TEXT: Record<Verdict, string> = {
  yes: 'Training makes the later-layer hyperplanes cluster beyond their initial state, beyond layer 1 and beyond random directions: this supports claim 3.',
  'within random': 'Clustering grows with training but stays within what random directions in this dimension give: no evidence of structure.',
  'not layer-specific': 'Clustering grows with training, but later layers do not cluster clearly more than layer 1: not specific to later layers.',
  'already at init': 'The later layers cluster already at initialisation and training does not add to it: no training-induced clustering.',
  no: 'No training-induced clustering of later-layer hyperplanes.',
};

function findings(p: E3Protocol, tasks: Record<TaskKey, E3TaskMetrics>): string {
  const k = figureEps(p);
  const eps = p.eps[k];
  const paras: string[] = [];
  const verdicts: string[] = [];
  for (const key of Object.keys(tasks) as TaskKey[]) {
    const m = tasks[key];
    const n = assess(m.spaces.normal!, k);
    const modest = (v: Verdict, sp: NonNullable<E3TaskMetrics['spaces']['normal']>): string => {
      const f = laterMean(sp.trained.layers, (l) => l.clustered[k]);
      return v === 'yes' && f < 0.5 ? ` The effect is partial: most later-layer units (${pct(1 - f)}) stay outside any cluster.` : '';
    };
    let text = `**${m.name}.** Normals, ε = ${eps}: ${n.text} ${VERDICT_TEXT[n.verdict]}${modest(n.verdict, m.spaces.normal!)}`;
    if (n.verdict !== 'yes' && n.tighter) text += ' Nearest-neighbour distances do shrink with training, though.';
    if (n.nnInit < 0.9 * n.nnRandom) {
      text += ` At initialisation the later layers are already closer together than random directions (${num(n.nnInit, 3)} vs ${num(n.nnRandom, 3)}): composite gating multiplies random matrices, and the rows of such products line up, so some later-layer closeness is there before any training.`;
    }
    const short = (v: Verdict): string => (v === 'yes' || v === 'no' ? v : `no (${v})`);
    let verdict = `${key}: normals ${short(n.verdict)}`;
    const a = m.spaces.affine;
    if (a) {
      const av = assess(a, k);
      text += ` With the bias included ((w, b) normalised, dimension ${a.trained.layers[0].dim}): ${av.text} ${VERDICT_TEXT[av.verdict]}${modest(av.verdict, a)}`;
      verdict += `, (w, b) ${short(av.verdict)}`;
    }
    const s = m.spaces.normal!;
    if (s.trained.nearTreeNormal && s.init.nearTreeNormal) {
      const near = (x: number[][]): string => x.map((v) => pct(v[2])).join(' / ');
      const mean = (x: number[][]): number => x.reduce((t, v) => t + v[2], 0) / x.length;
      const moved = mean(s.trained.nearTreeNormal) > mean(s.init.nearTreeNormal) + 0.05;
      text += ` Units within 0.3 of one of the tree's 15 node normals, layer by layer: ${near(s.init.nearTreeNormal)} at init → ${near(s.trained.nearTreeNormal)} trained${moved ? ': training moves hyperplanes onto the directions the target is built from' : ''}.`;
    }
    verdicts.push(verdict);
    paras.push(text);
  }
  paras.unshift(
    `**Reading the numbers.** In 2-D (circle, disk) a normal is one angle in [0°, 180°), so ${s2(tasks)} normals per layer are a few degrees from a neighbour even when random: DBSCAN at ε = 0.1-0.3 puts nearly every random direction in a cluster there (see the "random" columns), and cluster counts fall when clusters merge, so they can go down while clustering gets stronger. For 2-D data the normals cannot show clustering at these ε; the (w, b) vectors, which also tell parallel lines apart, can. The fraction of units in clusters and the nearest-neighbour distance, read against the random baseline and against the initial network, are the informative numbers. In d = ${p.oblique.d}, random normals are about ${num(tasks.oblique.spaces.normal!.random[0].meanNN, 2)} apart and any cluster at ε ≤ 0.3 is real structure.`,
  );
  paras.push(`**Claim 3 ("later-layer hyperplanes cluster") in this run, per data set and space:** ${verdicts.join('; ')}.`);
  return paras.join('\n\n');
}

function s2(tasks: Record<TaskKey, E3TaskMetrics>): string {
  const m = tasks.circle.spaces.normal!.trained.layers[0].units;
  const d = tasks.disk.spaces.normal!.trained.layers[0].units;
  return m === d ? String(m) : `${m} or ${d}`;
}

const TITLE = 'Clustering of later-layer hyperplanes';

/**
 * E3 of docs/experiments/protocols.md: trains a DLGN on E1's circle, E2's disk and E6's oblique tree data and
 * clusters each layer's effective gating hyperplanes with DBSCAN (sign-invariant distance), at
 * initialisation and after training, against random directions of the same dimension.
 */
/** E3's metrics.json: the protocol as run, and every number of each task. */
export interface E3Metrics {
  protocol: E3Protocol & { quick: boolean; seed: number };
  tasks: Record<TaskKey, E3TaskMetrics>;
}

export const e3: Experiment<E3Metrics> = {
  id: 'e3',
  title: TITLE,
  claims: 'Claim 3: later-layer hyperplanes are half-spaces like layer 1, yet gradient descent makes them cluster',
  run(ctx: ExperimentContext): ExperimentResult<E3Metrics> {
    const p = ctx.quick ? E3_QUICK : E3_FULL;
    const root = new Rng(ctx.seed);
    const dataSeeds = { circle: 0, disk: [root.nextUint32(), root.nextUint32()] as [number, number], oblique: root.nextUint32() };
    const tasks = buildTasks(p, dataSeeds);
    const metrics = {} as Record<TaskKey, E3TaskMetrics>;
    const figures: Figure[] = [];
    const sections: string[] = [];
    for (const [i, task] of tasks.entries()) {
      const seeds = { init: root.nextUint32(), shuffle: root.nextUint32() };
      const r = runTask(ctx, p, task, seeds, root.fork(), { index: i + 1, total: tasks.length });
      metrics[task.key] = r.metrics;
      const figs = figuresFor(p, task, r.metrics, r.init, r.model);
      figures.push(...figs);
      const m = r.metrics;
      const score = (v: number): string => (m.test.metric === 'accuracy' ? pct(v) : num(v, 5));
      sections.push(
        `### ${m.name}`,
        '',
        `${task.data}. Model: ${m.model}, trained with ${task.loss === 'mse' ? 'MSE' : 'cross-entropy'}, Adam (lr ${task.p.lr}, cosine decay), minibatches of ${task.p.batchSize}, ${task.p.epochs} epochs. Test ${m.test.metric === 'mse' ? 'MSE' : 'accuracy'}: ${score(m.test.init)} at init → ${score(m.test.trained)} trained (final train loss ${num(m.trainLoss, 4)}).`,
        '',
        `Normals w / |w| (the paper's definition):`,
        '',
        tableFor(p, m, 'normal'),
        '',
      );
      if (m.spaces.affine) sections.push('Augmented vectors (w, b) / |(w, b)| (bias included):', '', tableFor(p, m, 'affine'), '');
      for (const f of figs) sections.push(figureRef(f), '');
    }
    const protocol = [
      '## Protocol',
      '',
      `- Hyperplanes: the effective half-spaces of every gating layer, \`model.halfspaces()\` (composite gating: W_l ⋯ W_1 and its bias), at initialisation and after training of the same network (same initial weights).`,
      `- Distance: sign-invariant, min(|u − v|, |u + v|) for unit vectors u, v, in [0, √2]. Two spaces: the unit normals w / |w| (the paper's; biases ignored), and, for the models with gating biases, (w, b) / |(w, b)|, which tells parallel lines at different offsets apart. Both are reported and both get a verdict; the figures show the normals, except for the disk, whose 2-D normals say little (see below) and whose figures show (w, b).`,
      `- DBSCAN (\`dbscan\`, scikit-learn's convention: a unit's neighbourhood includes itself) on each layer's distance matrix with ε in {${p.eps.join(', ')}} and minPts = ${p.minPts}, so any two units within ε form a cluster. "In clusters" = core or border points; noise is the rest.`,
      `- Baseline: the same statistics for as many standard-Gaussian random directions in the same dimension, averaged over ${p.nullDraws} draws ("random" in the tables).`,
      `- Models are trained here, not taken from E1/E2/E6. Every seed derives from seed ${ctx.seed}.`,
      ctx.quick ? '- Quick mode: small data sets, narrow networks and few epochs; the numbers are a smoke test, not the experiment.' : '',
      '',
    ]
      .filter((l, i, a) => l !== '' || a[i - 1] !== '')
      .join('\n');
    const markdown = [protocol, '## Results', '', ...sections, '## What this shows', '', findings(p, metrics)].join('\n');
    return { id: 'e3', title: TITLE, markdown, figures, metrics: { protocol: { ...p, quick: ctx.quick, seed: ctx.seed }, tasks: metrics } };
  },
};
