// E1 of docs/experiments/protocols.md: circle regression with a bias-free DLGN — gating lines, regions, overlap kernel, slow vs fast half.

import { noGrad } from '../autograd/engine.js';
import { CIRCLE_PRESETS, type CirclePreset, circle, circleMidpoints, circleTarget } from '../data/circle.js';
import type { LabeledData } from '../data/synthetic.js';
import { type ModelConfig, archLabel } from '../models/config.js';
import { type Model, createModel, withHardGates } from '../models/families.js';
import { type EpochLog, type FitOptions, evaluate, fit } from '../models/train.js';
import { overlapMatrices } from '../paths/kernels.js';
import { arrangement2D } from '../paths/arrangement.js';
import { activePathCount, gatePattern, patternKey } from '../paths/patterns.js';
import type { Box2D } from '../paths/polygon.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { barChart, heatmap, lineChart } from '../viz/charts.js';
import { gatingLinesFigure, regionFigure } from '../viz/model-figures.js';
import { type Experiment, type ExperimentContext, type ExperimentResult, type Figure, figureRef, reportEpochs, num, table } from './framework.js';

// Why these measurements. A bias-free gating unit is on where w . x > 0: a half-plane through the
// origin, which cuts the unit circle at two antipodal angles phi and phi + pi, one in the slow
// half [0, pi) and one in the fast half [pi, 2 pi). Composite (cf) gating does not change that:
// W_l ... W_1 x is still linear in x. So the gate pattern at theta + pi is the complement of the
// pattern at theta, and every gate-pattern boundary in one half has a twin in the other: the
// *number* of boundaries per half is equal by construction, at init and after training. What
// training can change is which boundaries *matter*: how much the hard-gated output jumps across
// each one (the value network decides that), and how local the overlap kernel is in each half
// (the number of gates that are on differs between a pattern and its complement). We report all
// three, so the symmetric counts are shown next to the measures that can tell the halves apart.

/** The protocol of one run (full or quick). */
export interface E1Protocol {
  /** Training points per setting (equally spaced angles); test = the n midpoints. */
  n: number;
  settings: CirclePreset[];
  widths: number[];
  beta: number;
  lr: number;
  batchSize: number;
  epochs: number;
  /** The annealed variant: beta stays at `beta` for the first half of the epochs, then grows geometrically to this. */
  betaFinal: number;
  /** Points (every k-th training angle) shown in the kernel heat maps. */
  kernelPoints: number;
  /** A jump of the hard-gated output above this counts as an "active" boundary. */
  jumpThreshold: number;
}

export const E1_FULL: E1Protocol = {
  n: 500,
  settings: ['a1b9', 'a2b12', 'a1b17'],
  widths: [32, 32, 32, 32],
  beta: 20,
  lr: 0.003,
  batchSize: 25,
  epochs: 600,
  betaFinal: 200,
  kernelPoints: 100,
  jumpThreshold: 0.05,
};

export const E1_QUICK: E1Protocol = {
  n: 200,
  settings: ['a1b9'],
  widths: [16, 16, 16, 16],
  beta: 20,
  lr: 0.005,
  batchSize: 25,
  epochs: 200,
  betaFinal: 200,
  kernelPoints: 100,
  jumpThreshold: 0.05,
};

/** The box of every plane figure: the unit circle with a margin. */
const BOX: Box2D = { xmin: -1.1, xmax: 1.1, ymin: -1.1, ymax: 1.1 };


function outputs(model: Model, x: Tensor): Float64Array {
  return noGrad(() => Float64Array.from(model.forward(x).value.values()));
}

/**
 * The paper's overlap kernel: the elementwise product over layers of the gate overlaps
 * O_l = G_l G_l^T (docs/math.md), with the gates the model computes (soft here), divided by its
 * largest entry. Unlike `npk` it leaves out the value-input factor (d for ones input).
 */
export function overlapKernel(model: Model, x: Tensor): Float64Array {
  const n = x.shape[0];
  const K = new Float64Array(n * n).fill(1);
  for (const O of overlapMatrices(model, x)) {
    const o = O.values();
    for (let k = 0; k < K.length; k++) K[k] *= o[k];
  }
  let max = 0;
  for (let k = 0; k < K.length; k++) if (K[k] > max) max = K[k];
  if (max > 0) for (let k = 0; k < K.length; k++) K[k] /= max;
  return K;
}

/** The normalised kernel K_ij / sqrt(K_ii K_jj) (the cosine of the path activity vectors; 0 where a diagonal entry is 0). */
export function cosineKernel(K: Float64Array, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const den = Math.sqrt(K[i * n + i] * K[j * n + j]);
      C[i * n + j] = den > 0 ? K[i * n + j] / den : 0;
    }
  }
  return C;
}

/**
 * Mean angular width (degrees) of the kernel's diagonal band, per half: for a point i, the
 * measure of the angles j whose normalised kernel K_ij / sqrt(K_ii K_jj) is at least 1/2
 * (points are equally spaced, so count x 360 / n); averaged over the points i of each half.
 */
export function kernelWidths(K: Float64Array, theta: Float64Array): { slow: number; fast: number } {
  const n = theta.length;
  const sum = { slow: 0, fast: 0 };
  const cnt = { slow: 0, fast: 0 };
  for (let i = 0; i < n; i++) {
    const kii = K[i * n + i];
    let c = 0;
    for (let j = 0; j < n; j++) {
      const den = Math.sqrt(kii * K[j * n + j]);
      if (den > 0 && K[i * n + j] / den >= 0.5) c++;
    }
    const h = theta[i] < Math.PI ? 'slow' : 'fast';
    sum[h] += (c * 360) / n;
    cnt[h]++;
  }
  return { slow: sum.slow / Math.max(1, cnt.slow), fast: sum.fast / Math.max(1, cnt.fast) };
}

/** What the circle shows in one half, [0, pi) (slow) or [pi, 2 pi) (fast). */
export interface HalfStats {
  /** Angles in this half where some effective gating line crosses the circle (distinct angles). */
  boundaries: number;
  /** Distinct hard-gate patterns on the arcs that meet this half. */
  patterns: number;
  /** Boundaries across which the hard-gated output jumps by more than the threshold. */
  activeBoundaries: number;
  /** Total variation of the hard-gated output along the half (the sum of its jumps). */
  modelVariation: number;
  /** Total variation of the target along the half (on a grid of 7200 angles). */
  targetVariation: number;
  /** Fraction of gates (all layers) that are on, averaged over the half (arc-length weighted). */
  onFraction: number;
  /** Active paths under hard gates (d prod_l on_l, `activePathCount`), averaged over the half (arc-length weighted). */
  activePaths: number;
}

export interface CircleRegionStats {
  slow: HalfStats;
  fast: HalfStats;
  /** Arcs of the circle between consecutive crossings; each is the trace of one wedge-shaped region. */
  arcs: number;
  /** Distinct hard-gate patterns over all arcs (equals `arcs` unless two arcs share a pattern). */
  patterns: number;
}

/** Angles in [0, 2 pi) where the bias-free gating lines of the model cross the unit circle, sorted, distinct. */
export function crossingAngles(model: Model): number[] {
  const out: number[] = [];
  const TAU = 2 * Math.PI;
  for (const h of model.halfspaces()) {
    const w = h.weight.values();
    const b = h.bias.values();
    for (let i = 0; i < h.weight.shape[0]; i++) {
      if (b[i] !== 0) throw new Error('crossingAngles: the model has a gating bias; the circle analysis of E1 needs lines through the origin');
      if (w[2 * i] === 0 && w[2 * i + 1] === 0) continue; // a constant gate crosses nothing
      // w . (cos t, sin t) = |w| cos(t - atan2(w)) vanishes at atan2(w) +- pi / 2
      const phi = Math.atan2(w[2 * i + 1], w[2 * i]) + Math.PI / 2;
      for (const t of [phi, phi + Math.PI]) out.push(((t % TAU) + TAU) % TAU);
    }
  }
  out.sort((p, q) => p - q);
  // identical lines (or antipodal duplicates) give the same angle up to rounding: keep one
  return out.filter((t, k) => k === 0 || t - out[k - 1] > 1e-12);
}

/**
 * The circle cut by the model's gating lines. Every effective gating line of a bias-free DLGN
 * crosses the unit circle at two antipodal angles (`crossingAngles`); between consecutive
 * crossings lies an arc on which every hard gate is constant. The hard-gate pattern
 * (`gatePattern`) and the hard-gated output are read at each arc's midpoint; a boundary is a
 * crossing, counted in the half that contains it, and its jump is the change of the hard-gated
 * output across it. Exact (no grid), so arbitrarily thin wedges count.
 */
export function circleRegionStats(model: Model, a: number, b: number, jumpThreshold: number): CircleRegionStats {
  const TAU = 2 * Math.PI;
  const cross = crossingAngles(model);
  const half = (t: number): 'slow' | 'fast' => (t < Math.PI ? 'slow' : 'fast');
  const empty = (): HalfStats => ({ boundaries: 0, patterns: 0, activeBoundaries: 0, modelVariation: 0, targetVariation: 0, onFraction: 0, activePaths: 0 });
  const out = { slow: empty(), fast: empty() };
  // arcs: arc k runs from cross[k] to cross[k + 1] (the last one wraps through 0)
  const K = cross.length;
  const starts = K === 0 ? [0] : cross;
  const ends = K === 0 ? [TAU] : cross.map((_, k) => (k + 1 < K ? cross[k + 1] : cross[0] + TAU));
  const arcs = starts.length;
  const mids = new Float64Array(2 * arcs);
  for (let k = 0; k < arcs; k++) {
    const t = (starts[k] + ends[k]) / 2;
    mids[2 * k] = Math.cos(t);
    mids[2 * k + 1] = Math.sin(t);
  }
  const x = new Tensor(mids, [arcs, 2]);
  const patterns = gatePattern(model, x);
  const keys = patterns.map(patternKey);
  const f = outputs(withHardGates(model), x);
  const gates = model.config.widths.reduce((s, m) => s + m, 0);
  const sets = { slow: new Set<string>(), fast: new Set<string>() };
  for (let k = 0; k < arcs; k++) {
    let on = 0;
    for (const g of patterns[k]) for (let i = 0; i < g.length; i++) on += g[i];
    const paths = activePathCount(model, patterns[k]);
    // the arc's length in each half (an arc may straddle 0 or pi)
    for (const [lo, hi, h] of [
      [0, Math.PI, 'slow'],
      [Math.PI, TAU, 'fast'],
      [TAU, TAU + Math.PI, 'slow'],
    ] as const) {
      const len = Math.max(0, Math.min(ends[k], hi) - Math.max(starts[k], lo));
      if (len > 0) {
        out[h].onFraction += (len / Math.PI) * (on / gates);
        out[h].activePaths += (len / Math.PI) * paths;
        sets[h].add(keys[k]);
      }
    }
    if (K > 0) {
      // the boundary at the end of arc k, into arc k + 1
      const next = (k + 1) % arcs;
      const h = out[half(ends[k] % TAU)];
      const jump = Math.abs(f[next] - f[k]);
      h.boundaries++;
      h.modelVariation += jump;
      if (jump > jumpThreshold) h.activeBoundaries++;
    }
  }
  const G = 7200;
  for (let k = 0; k < G; k++) {
    const t0 = (TAU * k) / G;
    const t1 = (TAU * (k + 1)) / G;
    out[half(t0)].targetVariation += Math.abs(circleTarget(t1 % TAU, a, b) - circleTarget(t0, a, b));
  }
  out.slow.patterns = sets.slow.size;
  out.fast.patterns = sets.fast.size;
  return { ...out, arcs, patterns: new Set(keys).size };
}

/** Everything measured for one (a, b) setting. */
/** Everything measured for one (a, b) setting. */
export interface E1SettingMetrics {
  a: number;
  b: number;
  /** MSE on the test points of predicting the mean training target. */
  meanPredictorMse: number;
  /** Gates and values trained at fixed beta (the main model of every figure). */
  learned: { trainMse: number; testMse: number; hardTrainMse: number; hardTestMse: number; initTestMse: number };
  /** Kernel regime: gates frozen at initialisation, value network trained with the same optimiser. */
  frozenGates: { trainMse: number; testMse: number };
  /** Same as `learned`, but beta annealed to `betaFinal` over the second half of training. */
  annealed: { finalBeta: number; trainMse: number; testMse: number; hardTestMse: number };
  regions: { init: CircleRegionStats; trained: CircleRegionStats; annealed: CircleRegionStats };
  /** Cells of `arrangement2D` (box [-1.1, 1.1]^2) of the trained model: every wedge, so it should equal `regions.trained.patterns`. */
  arrangementCells: number;
  /** Half-height width of the overlap kernel's diagonal band, degrees, per half (see `kernelWidths`). */
  kernelWidthDeg: { init: { slow: number; fast: number }; trained: { slow: number; fast: number } };
  /** Mean training loss per epoch. */
  curves: { learned: number[]; frozenGates: number[]; annealed: number[] };
}

function modelConfig(p: E1Protocol): ModelConfig {
  return { kind: 'dlgn', inputDim: 2, widths: p.widths, outputDim: 1, bias: false, features: 'cf', gate: 'soft', beta: p.beta, valueInput: 'ones' };
}

/** The annealing schedule: beta for the first half of the epochs, then geometric growth to betaFinal at the last epoch. */
export function annealedBeta(p: E1Protocol): (epoch: number) => number {
  const start = Math.floor(p.epochs / 2);
  const span = Math.max(1, p.epochs - 1 - start);
  return (e) => (e < start ? p.beta : p.beta * (p.betaFinal / p.beta) ** (Math.min(e - start, span) / span));
}

function trainOptions(p: E1Protocol, seed: number, onEpochEnd: (e: EpochLog) => void, ctx: ExperimentContext): FitOptions {
  return { loss: 'mse', epochs: p.epochs, batchSize: p.batchSize, optimizer: 'adam', lr: p.lr, schedule: { kind: 'cosine' }, seed, signal: ctx.signal, onEpochEnd };
}

/** A line every quarter of the epochs, and every epoch to `ctx.step` as training `index` of `total`. */
function progressEvery(ctx: ExperimentContext, label: string, epochs: number, index: number, total: number): (e: EpochLog) => void {
  const block = Math.max(1, Math.round(epochs / 4));
  const step = reportEpochs(ctx, label, index, total, epochs);
  return (e) => {
    step(e);
    if ((e.epoch + 1) % block === 0 || e.epoch + 1 === epochs) ctx.progress(`${label}: epoch ${e.epoch + 1}/${epochs}, train MSE ${num(e.loss, 4)}`);
  };
}

function kernelFigure(C: Float64Array, n: number, idx: number[], theta: Float64Array, file: string, title: string, caption: string): Figure {
  const m = idx.length;
  const sub = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) sub[i * m + j] = C[idx[i] * n + idx[j]];
  const svg = heatmap({
    matrix: new Tensor(sub, [m, m]),
    title,
    subtitle: 'K = ∏_l G_l G_lᵀ (soft gates), shown as K(θ, θ′) / √(K(θ, θ) K(θ′, θ′)); angles sorted, slow half [0°, 180°) first',
    xLabel: 'angle θ′',
    yLabel: 'angle θ',
    colorMap: 'sequential',
    domain: [0, 1],
    colorLabel: 'normalised overlap kernel',
    tickLabels: idx.map((i) => `${Math.round((theta[i] * 180) / Math.PI)}°`),
  });
  return { file, svg, caption };
}

/** `settingIndex` (0-based) places the setting's three trainings among all the run's, for progress. */
function runSetting(
  ctx: ExperimentContext,
  p: E1Protocol,
  preset: CirclePreset,
  seeds: { init: number; shuffle: number },
  figures: Figure[],
  settingIndex = 0,
): E1SettingMetrics {
  const { a, b } = CIRCLE_PRESETS[preset];
  const train = circle({ n: p.n, preset });
  const test = circleMidpoints(p.n, a, b);
  const config = modelConfig(p);
  // four copies of one initialisation: kept as is, trained, trained with frozen gates, trained with annealed beta
  const init = createModel(config, { rng: seeds.init });
  const model = createModel(config, { rng: seeds.init });
  const frozen = createModel(config, { rng: seeds.init });
  const annealedModel = createModel(config, { rng: seeds.init });
  const tag = preset;
  const setting = `a = ${a}, b = ${b}`;

  ctx.progress(`${setting}: training the DLGN, β = ${p.beta} (${p.epochs} epochs)`);
  const h = fit(model, train, trainOptions(p, seeds.shuffle, progressEvery(ctx, `${setting}, learned gates`, p.epochs, 3 * settingIndex + 1, 3 * p.settings.length), ctx));
  ctx.signal?.throwIfAborted();
  ctx.progress(`${setting}: training the values with gates frozen at init (kernel regime)`);
  const hf = fit(frozen, train, { ...trainOptions(p, seeds.shuffle, progressEvery(ctx, `${setting}, frozen gates`, p.epochs, 3 * settingIndex + 2, 3 * p.settings.length), ctx), train: 'values' });
  ctx.signal?.throwIfAborted();
  ctx.progress(`${setting}: training the DLGN with β annealed ${p.beta} → ${p.betaFinal}`);
  const ha = fit(annealedModel, train, {
    ...trainOptions(p, seeds.shuffle, progressEvery(ctx, `${setting}, annealed β`, p.epochs, 3 * settingIndex + 3, 3 * p.settings.length), ctx),
    betaSchedule: annealedBeta(p),
  });
  ctx.signal?.throwIfAborted();

  const yTrain = train.y.values();
  const mean = yTrain.reduce((s, v) => s + v, 0) / yTrain.length;
  const meanPredictorMse = test.y.values().reduce((s, v) => s + (v - mean) ** 2, 0) / p.n;
  const hard = withHardGates(model);
  const learned = {
    trainMse: evaluate(model, train, 'mse').loss,
    testMse: evaluate(model, test, 'mse').loss,
    hardTrainMse: evaluate(hard, train, 'mse').loss,
    hardTestMse: evaluate(hard, test, 'mse').loss,
    initTestMse: evaluate(init, test, 'mse').loss,
  };
  const frozenGates = { trainMse: evaluate(frozen, train, 'mse').loss, testMse: evaluate(frozen, test, 'mse').loss };
  const annealed = {
    finalBeta: annealedModel.config.beta,
    trainMse: evaluate(annealedModel, train, 'mse').loss,
    testMse: evaluate(annealedModel, test, 'mse').loss,
    hardTestMse: evaluate(withHardGates(annealedModel), test, 'mse').loss,
  };

  ctx.progress(`${setting}: regions, kernels and figures`);
  const regions = {
    init: circleRegionStats(init, a, b, p.jumpThreshold),
    trained: circleRegionStats(model, a, b, p.jumpThreshold),
    annealed: circleRegionStats(annealedModel, a, b, p.jumpThreshold),
  };
  const arrangementCells = arrangement2D(model, BOX).cells.length;
  const Cinit = cosineKernel(overlapKernel(init, train.x), p.n);
  const Ctrained = cosineKernel(overlapKernel(model, train.x), p.n);
  const kernelWidthDeg = { init: kernelWidths(Cinit, train.theta), trained: kernelWidths(Ctrained, train.theta) };

  const arch = `DLGN ${archLabel({ inputDim: 2, widths: p.widths, outputDim: 1 })}, no biases`;
  const data = { x: train.x, y: train.y };
  const linesSub = `Points coloured by the target: sin(${a === 1 ? '' : a}θ) for θ < 180° (upper half), frequency ${b} below; lines pass through the origin`;
  const lineFig = (m: Model, when: string, file: string, caption: string): Figure => ({
    file,
    svg: gatingLinesFigure(m, { box: BOX, data, dataKind: 'targets', title: `${arch}: gating lines ${when} (${setting})`, subtitle: linesSub, arrows: false, idPrefix: file.replace(/\.svg$/, '') }),
    caption,
  });
  figures.push(
    lineFig(init, 'at init', `e1-lines-init-${tag}.svg`, `E1 (${setting}): the effective gating lines of every layer at initialisation, over the training points coloured by the target.`),
    lineFig(
      model,
      'after training',
      `e1-lines-trained-${tag}.svg`,
      `E1 (${setting}): the effective gating lines after training (β = ${p.beta}). The slow half is the upper half-plane (θ in [0°, 180°)), the fast half the lower one; each line crosses both.`,
    ),
  );
  figures.push({
    file: `e1-patterns-${tag}.svg`,
    svg: regionFigure(model, { box: BOX, colorBy: 'pattern', arrows: false, title: `Active-path regions after training (${setting}): ${arrangementCells} wedges`, idPrefix: `e1-patterns-${tag}` }),
    caption: `E1 (${setting}): every region of the trained network under hard gates (a wedge from the origin; ${arrangementCells} of them), one colour per gate pattern, neighbours differ.`,
  });
  figures.push({
    file: `e1-regions-${tag}.svg`,
    svg: regionFigure(model, { box: BOX, data, dataKind: 'targets', colorBy: 'output', arrows: false, title: `Hard-gated output per region, β = ${p.beta} model (${setting})`, idPrefix: `e1-regions-${tag}` }),
    caption: `E1 (${setting}): the same wedges filled with the output of the trained network evaluated with hard gates (test MSE ${num(learned.hardTestMse, 4)} against ${num(learned.testMse, 5)} with its soft gates).`,
  });
  figures.push({
    file: `e1-regions-annealed-${tag}.svg`,
    svg: regionFigure(annealedModel, {
      box: BOX,
      data,
      dataKind: 'targets',
      colorBy: 'output',
      arrows: false,
      title: `Hard-gated output per region, β annealed to ${p.betaFinal} (${setting})`,
      idPrefix: `e1-regions-annealed-${tag}`,
    }),
    caption: `E1 (${setting}): regions and hard-gated output of the network trained with β annealed ${p.beta} → ${p.betaFinal} (hard-gated test MSE ${num(annealed.hardTestMse, 4)}): its piecewise-constant reading is faithful.`,
  });
  const step = Math.max(1, Math.floor(p.n / p.kernelPoints));
  const idx: number[] = [];
  for (let i = 0; i < p.n; i += step) idx.push(i);
  figures.push(
    kernelFigure(Cinit, p.n, idx, train.theta, `e1-kernel-init-${tag}.svg`, `Overlap kernel at initialisation (${setting})`, `E1 (${setting}): the normalised overlap kernel over pairs of angles at initialisation (every ${step === 1 ? '' : `${step}th `}training point).`),
    kernelFigure(Ctrained, p.n, idx, train.theta, `e1-kernel-trained-${tag}.svg`, `Overlap kernel after training (${setting})`, `E1 (${setting}): the normalised overlap kernel after training (same points, same colour scale).`),
  );
  const deg = Array.from(test.theta, (t) => (t * 180) / Math.PI);
  figures.push({
    file: `e1-fit-${tag}.svg`,
    svg: lineChart({
      title: `Fit along the circle at the test angles (${setting})`,
      subtitle: 'Test angles are the midpoints between training angles; the slow half is θ < 180°',
      xLabel: 'angle θ (degrees)',
      yLabel: 'y',
      xDomain: [0, 360],
      markers: false,
      series: [
        { name: 'target', x: deg, y: test.y.values() },
        { name: `DLGN, soft gates`, x: deg, y: outputs(model, test.x) },
        { name: `DLGN, hard gates`, x: deg, y: outputs(hard, test.x) },
        { name: 'gates frozen at init', x: deg, y: outputs(frozen, test.x) },
        { name: `β → ${p.betaFinal}, hard gates`, x: deg, y: outputs(withHardGates(annealedModel), test.x) },
      ],
    }),
    caption: `E1 (${setting}): target and predictions at the test angles: the trained DLGN (β = ${p.beta}) with its soft gates and with hard gates, the kernel-regime network whose gates stayed at initialisation, and the network trained with β annealed to ${p.betaFinal}, read with hard gates.`,
  });
  const curves = { learned: h.epochs.map((e) => e.loss), frozenGates: hf.epochs.map((e) => e.loss), annealed: ha.epochs.map((e) => e.loss) };
  const ep = curves.learned.map((_, i) => i + 1);
  figures.push({
    file: `e1-training-${tag}.svg`,
    svg: lineChart({
      title: `Training loss per epoch (${setting})`,
      subtitle: `Mean minibatch MSE over each epoch; β annealing starts at epoch ${Math.floor(p.epochs / 2) + 1}`,
      xLabel: 'epoch',
      yLabel: 'train MSE (log scale)',
      logY: true,
      markers: false,
      series: [
        { name: `gates learned, β = ${p.beta}`, x: ep, y: curves.learned },
        { name: 'gates frozen at init', x: ep, y: curves.frozenGates },
        { name: `gates learned, β → ${p.betaFinal}`, x: ep, y: curves.annealed },
      ],
    }),
    caption: `E1 (${setting}): training curves of the three networks trained from the same initial weights.`,
  });

  return { a, b, meanPredictorMse, learned, frozenGates, annealed, regions, arrangementCells, kernelWidthDeg, curves };
}

const label = (r: E1SettingMetrics): string => `(${r.a}, ${r.b})`;

function markdown(p: E1Protocol, quick: boolean, seed: number, m: Record<string, E1SettingMetrics>, figures: Figure[]): string {
  const rows = Object.values(m);
  const L = p.widths.length;
  const params = createModel(modelConfig(p)).numParameters();
  const out: string[] = [];
  out.push('## Protocol', '');
  out.push(
    [
      `- Data (\`circle\`, src/data/circle.ts): ${p.n} training points at the equally spaced angles θ_i = 2π i / ${p.n} on the unit circle, x = (cos θ, sin θ); target sin(aθ) on the slow half θ < π and sin(aπ + b(θ − π)) on the fast half; no noise. Test: the ${p.n} midpoints θ = 2π (i + ½) / ${p.n}.`,
      `- Settings (a, b): ${rows.map(label).join(', ')}${quick ? ' (quick mode: one setting, smaller network and data)' : ''}.`,
      `- Model: DLGN, composite (cf) gating, widths ${p.widths.join(' x ')} (${L} layers), one output, **no biases anywhere**, so every gate is a half-plane through the origin; soft gates σ(βz), β = ${p.beta}; value input all ones; ${params} parameters; PyTorch-style uniform initialisation.`,
      `- Training: MSE, Adam (lr ${p.lr}, cosine decay to 0), minibatches of ${p.batchSize}, ${p.epochs} epochs, reshuffled every epoch.`,
      `- Two more networks from the same initial weights, same optimiser and epochs: **frozen gates** (the kernel regime: gating network fixed at initialisation, \`train: 'values'\`), and **annealed β** (gates learned; β = ${p.beta} for the first half, then growing geometrically to ${p.betaFinal} at the last epoch), so that the hard-gated reading of the regions can be checked against a network trained towards hard gates.`,
      `- Regions on the circle, computed exactly: every effective gating line (\`halfspaces()\`) crosses the circle at two antipodal angles; between consecutive crossings lies an arc, the trace of one wedge-shaped region, whose hard-gate pattern (\`gatePattern\`) and hard-gated output are read at its midpoint. A boundary is a crossing, counted in the half [0°, 180°) or [180°, 360°) that holds it; it is *active* when the hard-gated output jumps by more than ${p.jumpThreshold} across it. Output total variation = the sum of those jumps over the half (the target's is measured on 7200 angles). Gates on and active paths (d ∏_l on_l) are averaged along each half.`,
      `- Overlap kernel (docs/math.md): K = ∏_l G_l G_lᵀ over the training points, with the soft gates the model computes. The heat maps show K normalised to K(θ, θ′) / √(K(θ, θ) K(θ′, θ′)) (dividing by the maximum instead leaves the fast half almost black after training, because its patterns have fewer gates on; the active-path column reports that). Its half-height width at θ is the measure of the angles θ′ where the normalised kernel is at least ½, averaged over each half.`,
      `- Seeds: everything derives from seed ${seed} (initial weights and minibatch order per setting); the data has no randomness.`,
    ].join('\n'),
  );
  out.push('', '## Fit', '');
  out.push(
    table(
      ['(a, b)', 'mean predictor', 'init', 'learned: train', 'learned: test', 'learned, hard gates: test', 'frozen gates: train', 'frozen gates: test', `β → ${p.betaFinal}: test`, `β → ${p.betaFinal}, hard gates: test`],
      rows.map((r) => [
        label(r),
        num(r.meanPredictorMse, 4),
        num(r.learned.initTestMse, 4),
        num(r.learned.trainMse, 5),
        num(r.learned.testMse, 5),
        num(r.learned.hardTestMse, 4),
        num(r.frozenGates.trainMse, 5),
        num(r.frozenGates.testMse, 5),
        num(r.annealed.testMse, 5),
        num(r.annealed.hardTestMse, 4),
      ]),
    ),
  );
  out.push('', 'All numbers are MSE; "mean predictor" predicts the mean training target everywhere, "init" is the untrained network.', '');
  out.push('## Where the half-spaces fall: slow half vs fast half', '');
  out.push(
    table(
      ['(a, b)', 'half', 'boundaries init → trained', 'patterns init → trained', `active boundaries init → trained (β → ${p.betaFinal})`, 'output total variation init → trained (target)', 'gates on init → trained', 'active paths init → trained', 'kernel width init → trained'],
      rows.flatMap((r) =>
        (['slow', 'fast'] as const).map((h) => {
          const i = r.regions.init[h];
          const t = r.regions.trained[h];
          return [
            label(r),
            h === 'slow' ? 'slow [0°, 180°)' : 'fast [180°, 360°)',
            `${i.boundaries} → ${t.boundaries}`,
            `${i.patterns} → ${t.patterns}`,
            `${i.activeBoundaries} → ${t.activeBoundaries} (${r.regions.annealed[h].activeBoundaries})`,
            `${num(i.modelVariation, 2)} → ${num(t.modelVariation, 2)} (${num(t.targetVariation, 2)})`,
            `${num(i.onFraction * 100, 1)}% → ${num(t.onFraction * 100, 1)}%`,
            `${num(i.activePaths, 0)} → ${num(t.activePaths, 0)}`,
            `${num(r.kernelWidthDeg.init[h], 1)}° → ${num(r.kernelWidthDeg.trained[h], 1)}°`,
          ];
        }),
      ),
    ),
  );
  out.push('', `Region count check (trained, β = ${p.beta}): ${rows.map((r) => `${label(r)}: ${r.arrangementCells} cells of the exact arrangement (\`arrangement2D\`), ${r.regions.trained.arcs} arcs of the circle, ${r.regions.trained.patterns} distinct gate patterns`).join('; ')}.`, '');
  out.push('## Figures', '');
  for (const f of figures) out.push(figureRef(f), '');
  out.push('## What this shows', '');
  out.push(findings(p, m));
  return out.join('\n');
}

function findings(p: E1Protocol, m: Record<string, E1SettingMetrics>): string {
  const rows = Object.values(m);
  const all = (f: (r: E1SettingMetrics) => boolean): boolean => rows.every(f);
  const count = (f: (r: E1SettingMetrics) => boolean): number => rows.filter(f).length;
  const paras: string[] = [];

  const ratio = rows.map((r) => r.frozenGates.testMse / Math.max(r.learned.testMse, 1e-300));
  const fitText = rows.map((r, k) => `${label(r)}: ${num(r.learned.testMse, 5)} learned vs ${num(r.frozenGates.testMse, 5)} frozen (${num(ratio[k], 1)}x)`).join('; ');
  let fitClaim: string;
  if (all((r) => r.learned.testMse * 5 < r.frozenGates.testMse)) {
    fitClaim =
      'In every setting the network whose half-planes were trained fits the unseen test angles at least five times better than the same network with its gates frozen at initialisation (the kernel regime). That supports claim 2: the gates move, and the moved gates do work the initial overlap kernel cannot.';
  } else if (all((r) => r.learned.testMse < r.frozenGates.testMse)) {
    fitClaim = 'Learned gates beat frozen gates in every setting, but not by a wide margin everywhere: the support for claim 2 is real but modest at this size.';
  } else {
    fitClaim = `Learned gates beat frozen gates in only ${count((r) => r.learned.testMse < r.frozenGates.testMse)} of ${rows.length} settings: this run does not support claim 2 across the board.`;
  }
  paras.push(
    `**Fit, learned vs frozen gates (claim 2).** Test MSE ${fitText}. ${fitClaim}` +
      (all((r) => r.frozenGates.testMse < 0.1 * r.meanPredictorMse)
        ? ` The frozen-gates network still fits well (under 10% of the mean predictor's error): with ${p.widths.join(' x ')} random half-planes the initial kernel is already rich on a 1-D circle, so the gain from feature learning is a factor, not the difference between failing and fitting.`
        : ''),
  );

  const hardBad = rows.filter((r) => r.learned.hardTestMse > 3 * r.learned.testMse + 1e-3);
  const annealOk = all((r) => r.annealed.hardTestMse < 0.1 * r.meanPredictorMse);
  paras.push(
    `**Are the features intersections of half-spaces? (claim 1).** Exactly, under hard gates: the trained network's regions are the ${rows.map((r) => r.arrangementCells).join(' / ')} wedges of the figures, each with its own gate pattern. ` +
      (hardBad.length === 0
        ? `Evaluating the soft-trained network with hard gates keeps its accuracy, so the piecewise-constant region pictures describe the function it computes.`
        : `But the network trained at β = ${p.beta} leans on the soft transitions of σ(βz): evaluated with hard gates its test MSE rises to ${hardBad.map((r) => `${num(r.learned.hardTestMse, 3)} ${label(r)}`).join(', ')} (spikes in the fit figure), so its region-by-region reading is only an approximation of what it computes. ` +
          (annealOk
            ? `Annealing β to ${p.betaFinal} during the second half of training fixes that at a cost in accuracy: hard-gated test MSE ${rows.map((r) => `${num(r.annealed.hardTestMse, 4)} ${label(r)}`).join(', ')}, under 10% of the target variance, while its soft test MSE becomes ${rows.map((r) => num(r.annealed.testMse, 4)).join(' / ')}` +
              (all((r) => r.annealed.testMse > r.frozenGates.testMse)
                ? ` — worse than the frozen-gates network at β = ${p.beta}, which keeps its smooth transitions (so the annealed run says nothing for or against claim 2).`
                : '.') +
              ' A near-hard DLGN is a faithful sum of region indicators.'
            : `Annealing β to ${p.betaFinal} does not fully fix it here (hard-gated test MSE ${rows.map((r) => num(r.annealed.hardTestMse, 4)).join(' / ')}).`)),
  );

  const sym = all((r) => r.regions.trained.slow.boundaries === r.regions.trained.fast.boundaries && r.regions.init.slow.boundaries === r.regions.init.fast.boundaries);
  const moreActive = count((r) => r.regions.trained.fast.activeBoundaries > r.regions.trained.slow.activeBoundaries);
  paras.push(
    `**Where the half-spaces fall (slow vs fast half).** A bias-free gate is a line through the origin, so it cuts the circle at two antipodal points, one in each half; composite gating keeps every effective gate linear in x. Hence ${sym ? 'the number of boundaries (and of gate patterns) is the same in both halves, at initialisation and after training, as it must be' : 'the boundary counts per half should be equal; they differ here, which can only come from coincident crossings'}: gating lines cannot gather in the fast half of this data set, and the question "how many half-spaces fall in each half" has a fixed answer. ` +
      `What training changes is which boundaries matter. Active boundaries (output jump > ${p.jumpThreshold}), slow vs fast: ${rows.map((r) => `${label(r)} ${r.regions.trained.slow.activeBoundaries} vs ${r.regions.trained.fast.activeBoundaries}`).join(', ')} ${all((r) => r.regions.init.slow.activeBoundaries + r.regions.init.fast.activeBoundaries === 0) ? '(none at initialisation, where the output is still small). ' : ''}` +
      (moreActive === rows.length
        ? `In every setting the fast half uses more of its boundaries${
            all((r) => (['slow', 'fast'] as const).every((h) => r.regions.trained[h].modelVariation < 2 * r.regions.trained[h].targetVariation && r.regions.trained[h].modelVariation > 0.5 * r.regions.trained[h].targetVariation))
              ? ", and the hard-gated output's total variation per half is within a factor of 2 of the target's"
              : ''
          }: the same lines act as breakpoints on the fast side and are largely idle on the slow side.`
        : `The fast half uses more of its boundaries in ${moreActive} of ${rows.length} settings only.`) +
      ` ${all((r) => r.regions.trained.fast.onFraction < r.regions.init.fast.onFraction) ? 'The gates also rebalance' : 'Gates on in the fast half'}: ${rows.map((r) => `${label(r)} ${num(r.regions.init.fast.onFraction * 100, 0)}% → ${num(r.regions.trained.fast.onFraction * 100, 0)}%`).join(', ')} of the gates are on in the fast half (init → trained; the two halves' fractions add up to 100% by the same antipodal symmetry)${
        all((r) => r.regions.trained.fast.activePaths < r.regions.trained.slow.activePaths) ? ', so fast-half points have fewer active paths than slow-half points' : ''
      }.`,
  );

  const narrower = count((r) => r.kernelWidthDeg.trained.fast < r.kernelWidthDeg.trained.slow);
  const narrowerInit = count((r) => r.kernelWidthDeg.init.fast < r.kernelWidthDeg.init.slow);
  const shrankFast = count((r) => r.kernelWidthDeg.trained.fast < r.kernelWidthDeg.init.fast);
  paras.push(
    `**Overlap kernel.** Half-height width, slow / fast: ${rows.map((r) => `${label(r)} ${num(r.kernelWidthDeg.init.slow, 0)}° / ${num(r.kernelWidthDeg.init.fast, 0)}° at init → ${num(r.kernelWidthDeg.trained.slow, 0)}° / ${num(r.kernelWidthDeg.trained.fast, 0)}° trained`).join('; ')}. ` +
      `Training narrows the kernel on the fast half in ${shrankFast} of ${rows.length} settings, and after training it is narrower on the fast half than on the slow half in ${narrower} of ${rows.length}` +
      (narrower === rows.length
        ? `: similarity between inputs becomes more local where the target varies quickly, which is the kernel-side picture of feature learning (a frozen kernel keeps its initial width).${
            narrowerInit > 0 ? ` At initialisation the random lines already made it narrower on the fast half in ${narrowerInit} of ${rows.length} settings, so the asymmetry is not all learned; the narrowing with training is.` : ''
          }`
        : ', so this run shows no consistent slow/fast asymmetry of the kernel.') +
      (all((r) => Math.min(r.kernelWidthDeg.trained.slow, r.kernelWidthDeg.trained.fast) > 360 / r.b)
        ? ' The widths stay wider than a whole period of the fast target (360° / b), though: the kernel is far from a nearest-neighbour kernel, and the value network, not the kernel alone, produces the fast oscillations.'
        : ''),
  );
  if (p.settings.length < 3) paras.push('*Quick run: one setting, a smaller network, fewer points and epochs; the full protocol runs all three settings.*');
  return paras.join('\n\n');
}

const TITLE = 'Circle regression: slow and fast halves, gating lines, regions and overlap kernel';

/**
 * E1 of docs/experiments/protocols.md: circle regression with a bias-free DLGN, trained three ways from one
 * initialisation (gates learned, gates frozen, gates learned with β annealed); gating lines,
 * regions, overlap kernels and the slow/fast-half analysis of `circleRegionStats`.
 */
/** E1's metrics.json: the protocol as run, and every number of each setting. */
export interface E1Metrics {
  protocol: E1Protocol & { quick: boolean; seed: number };
  settings: Record<string, E1SettingMetrics>;
}

export const e1: Experiment<E1Metrics> = {
  id: 'e1',
  title: TITLE,
  claims: 'Claims 1-2: DLGN features are intersections of half-spaces; learned gates beat the frozen (kernel-regime) gates',
  run(ctx: ExperimentContext): ExperimentResult<E1Metrics> {
    const p = ctx.quick ? E1_QUICK : E1_FULL;
    const root = new Rng(ctx.seed);
    const perSetting: Figure[] = [];
    const settings: Record<string, E1SettingMetrics> = {};
    for (const [i, preset] of p.settings.entries()) {
      // two seeds per setting, drawn in order from the run's seed
      const seeds = { init: root.nextUint32(), shuffle: root.nextUint32() };
      settings[preset] = runSetting(ctx, p, preset, seeds, perSetting, i);
    }
    const rows = Object.values(settings);
    const boundaries: Figure = {
      file: 'e1-boundaries.svg',
      svg: barChart({
        title: 'Gate-pattern boundaries met along each half of the circle',
        subtitle: `All boundaries (equal in both halves: each line through the origin crosses both) and active ones (output jump > ${p.jumpThreshold})`,
        yLabel: 'boundaries',
        groups: rows.flatMap((r) => [`${label(r)} slow`, `${label(r)} fast`]),
        series: [
          { name: 'all, init', values: rows.flatMap((r) => [r.regions.init.slow.boundaries, r.regions.init.fast.boundaries]) },
          { name: 'all, trained', values: rows.flatMap((r) => [r.regions.trained.slow.boundaries, r.regions.trained.fast.boundaries]) },
          { name: `active, trained β = ${p.beta}`, values: rows.flatMap((r) => [r.regions.trained.slow.activeBoundaries, r.regions.trained.fast.activeBoundaries]) },
          { name: `active, β → ${p.betaFinal}`, values: rows.flatMap((r) => [r.regions.annealed.slow.activeBoundaries, r.regions.annealed.fast.activeBoundaries]) },
        ],
        valueFormat: (v) => String(Math.round(v)),
      }),
      caption: 'E1: boundaries between gate patterns along the slow and the fast half of the circle, at initialisation and after training, and the active ones (where the hard-gated output jumps).',
    };
    const figures = [boundaries, ...perSetting];
    const metrics: E1Metrics = { protocol: { ...p, quick: ctx.quick, seed: ctx.seed }, settings };
    return { id: 'e1', title: TITLE, markdown: markdown(p, ctx.quick, ctx.seed, settings, figures), figures, metrics };
  },
};
