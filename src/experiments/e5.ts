// E5: fixed vs learned gates - the kernel regime against feature learning, on held-out data.

import { noGrad } from '../autograd/engine.js';
import { circle } from '../data/circle.js';
import { type LabeledData, disk, split } from '../data/synthetic.js';
import { type ModelConfig, archLabel } from '../models/config.js';
import { type Model, createModel } from '../models/families.js';
import { type History, type LossKind, evaluate, fit } from '../models/train.js';
import { kernelTargetAlignment, overlapMatrices, signedLabels } from '../paths/kernels.js';
import { Tensor } from '../tensor/tensor.js';
import { barChart, lineChart } from '../viz/charts.js';
import { type Experiment, type ExperimentContext, type ExperimentResult, type Figure, figureRef, reportEpochs, num, pct, table } from './framework.js';

/** One task of E5: a data set, the DLGN trained on it, and how it is scored. */
interface Task {
  name: string;
  description: string;
  config: ModelConfig;
  loss: LossKind;
  epochs: number;
  batchSize: number;
  train: LabeledData;
  validation: LabeledData;
  test: LabeledData;
  /** Targets for kernel-target alignment (±1 labels, or centred regression targets). */
  alignTargets(d: LabeledData): Float64Array;
}

/** The three regimes docs/experiments/protocols.md E5 compares. */
const REGIMES = ['learned', 'frozen-init', 'frozen-learned'] as const;
type Regime = (typeof REGIMES)[number];
const REGIME_LABEL: Record<Regime, string> = {
  learned: 'gates and values trained',
  'frozen-init': 'gates frozen at init (kernel regime)',
  'frozen-learned': 'gates learned in run 1, values retrained from init',
};

/** The paper's overlap kernel: the product over layers of the gate overlaps G_l G_l^T. */
function overlapKernel(model: Model, x: Tensor): Tensor {
  const mats = overlapMatrices(model, x);
  const out = mats[0].clone();
  for (const m of mats.slice(1)) {
    const a = out.data;
    const b = m.values();
    for (let i = 0; i < a.length; i++) a[i] *= b[i];
  }
  return out;
}

function tasks(ctx: ExperimentContext): Task[] {
  const seed = ctx.seed;
  const n = ctx.quick ? 1500 : 4000;
  const width = ctx.quick ? 12 : 16;
  const depth = ctx.quick ? 3 : 4;
  const widths = Array.from({ length: depth }, () => width);
  const d = split(disk({ n, noise: 0.02, seed }), [0.6, 0.2, 0.2], seed + 1);
  const out: Task[] = [
    {
      name: 'disk',
      description: `disk on [-1, 1]^2 (label 1 inside the centred disk of area 2), ${n} points, 2% label noise, split 60/20/20`,
      config: { kind: 'dlgn', inputDim: 2, widths, outputDim: 2, beta: 10 },
      loss: 'ce',
      epochs: ctx.quick ? 25 : 80,
      batchSize: 64,
      ...d,
      alignTargets: (s) => signedLabels(s.y),
    },
  ];
  if (!ctx.quick) {
    // circle regression, setting (a, b) = (1, 9); test points sit between training angles
    const trainC = circle({ n: 400, preset: 'a1b9' });
    const all = circle({ n: 800, preset: 'a1b9' });
    const mids = Int32Array.from({ length: 400 }, (_, i) => 2 * i + 1);
    const midData = { x: all.x.take(mids, 0), y: all.y.take(mids, 0) };
    const half = Int32Array.from({ length: 200 }, (_, i) => 2 * i);
    const other = Int32Array.from({ length: 200 }, (_, i) => 2 * i + 1);
    out.push({
      name: 'circle a1b9',
      description: 'circle regression (a, b) = (1, 9): 400 training angles; validation and test alternate over the 400 midpoints',
      config: { kind: 'dlgn', inputDim: 2, widths, outputDim: 1, beta: 10, bias: false },
      loss: 'mse',
      // many small steps: with frozen gates the value network is a deep multilinear fit that
      // converges slowly, and too few steps would flatter the learned gates
      epochs: 400,
      batchSize: 25,
      train: { x: trainC.x, y: trainC.y },
      validation: { x: midData.x.take(half, 0), y: midData.y.take(half, 0) },
      test: { x: midData.x.take(other, 0), y: midData.y.take(other, 0) },
      alignTargets: (s) => {
        const v = s.y.values();
        const mean = v.reduce((a, b) => a + b, 0) / v.length;
        return Float64Array.from(v, (t) => t - mean);
      },
    });
  }
  return out;
}

interface RunResult {
  regime: Regime;
  history: History;
  validation: { loss: number; accuracy?: number };
  test: { loss: number; accuracy?: number };
  model: Model;
}

/** `at` places this training among the run's (3 per task), for progress. */
function train(task: Task, model: Model, regime: Regime, ctx: ExperimentContext, at: { index: number; total: number } = { index: 1, total: 1 }): RunResult {
  const epochs = task.epochs;
  ctx.progress(`${task.name}: ${REGIME_LABEL[regime]} (${epochs} epochs)`);
  const history = fit(model, task.train, {
    loss: task.loss,
    epochs,
    batchSize: task.batchSize,
    lr: 0.01,
    // cosine decay to 0: the end of training is not decided by the noise of the last steps
    schedule: { kind: 'cosine' },
    seed: ctx.seed,
    validation: task.validation,
    train: regime === 'learned' ? 'both' : 'values',
    signal: ctx.signal,
    onEpochEnd: reportEpochs(ctx, `${task.name}: ${REGIME_LABEL[regime]}`, at.index, at.total, epochs),
  });
  return { regime, history, validation: evaluate(model, task.validation, task.loss), test: evaluate(model, task.test, task.loss), model };
}

/** Copies the `gate.*` parameters of `from` into `to` (same architecture). */
function copyGates(from: Model, to: Model): void {
  const state = to.stateDict();
  for (const [name, p] of from.namedParameters()) if (name.startsWith('gate.')) state[name] = p.value.clone();
  to.loadStateDict(state);
}

/**
 * E5 (docs/experiments/protocols.md): the same data and model three ways: (1) train gates and values; (2) freeze the
 * gating network at its initialisation and train the values only (the kernel regime, with the
 * overlap kernel fixed at init); (3) take the gates learned in (1), freeze them, and retrain the
 * values from the same initial values as (1). Reports held-out loss/accuracy and the kernel-target
 * alignment of the overlap kernel at init and after training.
 */
/** One task's results: each regime's held-out scores and the kernel alignment of the gates. */
export interface E5TaskMetrics {
  regimes: Record<Regime, { validationLoss: number; validationAccuracy: number | null; testLoss: number; testAccuracy: number | null; finalTrainLoss: number | null }>;
  /** Kernel-target alignment of the overlap kernel, at initialisation and after training, on `points` points. */
  alignment: { init: number; trained: number; points: number };
  epochs: number;
  batchSize: number;
  /** Test loss with gates frozen at initialisation over that with learned gates. */
  frozenOverLearnedLoss: number;
}

/** E5's metrics.json: by task name. */
export interface E5Metrics {
  tasks: Record<string, E5TaskMetrics>;
}

export const e5: Experiment<E5Metrics> = {
  id: 'e5',
  title: 'Fixed vs learned gates',
  claims: 'Claim 2: feature learning happens; a network with gates frozen at initialisation (the kernel regime) does measurably worse.',
  run(ctx: ExperimentContext): ExperimentResult<E5Metrics> {
    const figures: Figure[] = [];
    const metrics: E5Metrics = { tasks: {} };
    const sections: string[] = [];
    const all = tasks(ctx);
    for (const [ti, task] of all.entries()) {
      const t = trainTask(ctx, task, ti, all.length);
      const m = taskMetrics(task, t);
      const figs = taskFigures(task, t.runs);
      figures.push(...figs);
      sections.push(taskSection(ctx.seed, task, m, figs));
      metrics.tasks[task.name] = m;
    }
    const markdown = [
      'Protocol (docs/experiments/protocols.md E5): the same data and model three ways: (1) train the gating and value networks;',
      '(2) freeze the gating network at initialisation and train only the values (the kernel regime: the overlap',
      'kernel is fixed at init); (3) freeze the gates learned in run (1) and retrain the values from the same',
      'initial values. Claim 2 predicts (1) and (3) beat (2) on held-out data.',
      '',
      ...sections,
    ].join('\n');
    return { id: 'e5', title: this.title, markdown, figures, metrics };
  },
};

/** One task's three trainings, from the same initial weights, and the overlap kernel's alignment before and after. */
interface TaskRuns {
  runs: RunResult[];
  ktaInit: number;
  ktaTrained: number;
  /** Test points the alignment is measured on. */
  points: number;
}

function trainTask(ctx: ExperimentContext, task: Task, ti: number, nTasks: number): TaskRuns {
  const at = (k: number): { index: number; total: number } => ({ index: 3 * ti + k, total: 3 * nTasks });
  const init = createModel(task.config, { rng: ctx.seed });
  const initState = init.stateDict();
  const fresh = (): Model => {
    const m = createModel(task.config, { rng: ctx.seed });
    m.loadStateDict(initState);
    return m;
  };
  const learned = train(task, fresh(), 'learned', ctx, at(1));
  const frozen = train(task, fresh(), 'frozen-init', ctx, at(2));
  const relearn = fresh();
  copyGates(learned.model, relearn);
  const runs = [learned, frozen, train(task, relearn, 'frozen-learned', ctx, at(3))];

  // alignment of the overlap kernel with the targets on (at most 500) test points
  const points = Math.min(500, task.test.x.shape[0]);
  const xs = task.test.x.slice([0, points]);
  const targets = task.alignTargets({ x: xs, y: task.test.y.slice([0, points]) });
  const ktaInit = noGrad(() => kernelTargetAlignment(overlapKernel(init, xs), targets));
  const ktaTrained = noGrad(() => kernelTargetAlignment(overlapKernel(learned.model, xs), targets));
  return { runs, ktaInit, ktaTrained, points };
}

function taskMetrics(task: Task, t: TaskRuns): E5TaskMetrics {
  const [a, b] = t.runs;
  return {
    regimes: Object.fromEntries(
      t.runs.map((r) => [
        r.regime,
        {
          validationLoss: r.validation.loss,
          validationAccuracy: r.validation.accuracy ?? null,
          testLoss: r.test.loss,
          testAccuracy: r.test.accuracy ?? null,
          finalTrainLoss: r.history.epochs.at(-1)?.loss ?? null,
        },
      ]),
    ) as E5TaskMetrics['regimes'],
    alignment: { init: t.ktaInit, trained: t.ktaTrained, points: t.points },
    epochs: task.epochs,
    batchSize: task.batchSize,
    frozenOverLearnedLoss: b.test.loss / a.test.loss,
  };
}

/** The validation curves of the three regimes, and their held-out score. */
function taskFigures(task: Task, runs: RunResult[]): [Figure, Figure] {
  const classification = task.loss === 'ce';
  const slug = task.name.replace(/[^a-z0-9]+/gi, '-');
  const curves: Figure = {
    file: `e5-curves-${slug}.svg`,
    caption: `E5, ${task.name}: validation loss per epoch in the three regimes`,
    svg: lineChart({
      title: `Fixed vs learned gates: ${task.name}`,
      subtitle: 'validation loss per epoch',
      xLabel: 'epoch',
      yLabel: task.loss === 'ce' ? 'cross-entropy' : 'mean squared error',
      logY: true,
      series: runs.map((r) => ({
        name: REGIME_LABEL[r.regime],
        x: r.history.epochs.map((e) => e.epoch + 1),
        y: r.history.epochs.map((e) => e.valLoss ?? NaN),
      })),
    }),
  };
  const bars: Figure = {
    file: `e5-test-${slug}.svg`,
    caption: `E5, ${task.name}: held-out ${classification ? 'accuracy' : 'loss'} per regime`,
    svg: barChart({
      title: `Held-out ${classification ? 'accuracy' : 'loss'}: ${task.name}`,
      yLabel: classification ? 'test accuracy' : 'test MSE',
      groups: [task.name],
      series: runs.map((r) => ({ name: REGIME_LABEL[r.regime], values: [classification ? r.test.accuracy ?? NaN : r.test.loss] })),
      ...(classification ? { yDomain: [0.5, 1] as [number, number] } : {}),
    }),
  };
  return [curves, bars];
}

/** A task's section of the report, written from its metrics. */
function taskSection(seed: number, task: Task, m: E5TaskMetrics, [curves, bars]: [Figure, Figure]): string {
  const classification = task.loss === 'ce';
  const rows = REGIMES.map((regime) => {
    const r = m.regimes[regime];
    return [
      REGIME_LABEL[regime],
      num(r.validationLoss, 4),
      num(r.testLoss, 4),
      ...(classification ? [pct(r.validationAccuracy ?? NaN), pct(r.testAccuracy ?? NaN)] : []),
      num(r.finalTrainLoss ?? NaN, 4),
    ];
  });
  const a = m.regimes.learned;
  const b = m.regimes['frozen-init'];
  const c = m.regimes['frozen-learned'];
  const gain = m.frozenOverLearnedLoss;
  const { init: ktaInit, trained: ktaTrained } = m.alignment;
  return [
    `## ${task.name}`,
    '',
    `Data: ${task.description}. Model: DLGN ${archLabel(task.config)}, ` +
      `beta ${task.config.beta}, soft gates, ${task.config.bias === false ? 'no biases' : 'biases'}; Adam lr 0.01 with cosine decay, batch ${task.batchSize}, ${task.epochs} epochs, ` +
      `${task.loss === 'ce' ? 'cross-entropy' : 'mean squared error'}; all three runs start from the same initial weights (seed ${seed}).`,
    '',
    table(['regime', 'validation loss', 'test loss', ...(classification ? ['validation accuracy', 'test accuracy'] : []), 'final train loss'], rows),
    '',
    `Kernel-target alignment of the overlap kernel (product of per-layer gate overlaps) on ${m.alignment.points} test points: ` +
      `${num(ktaInit, 4)} at initialisation, ${num(ktaTrained, 4)} after training both networks.`,
    '',
    figureRef(curves),
    '',
    figureRef(bars),
    '',
    `**What this shows.** With gates frozen at initialisation, held-out loss is ${num(gain, 2)}x the loss with learned gates on ` +
      `the test split and ${num(b.validationLoss / a.validationLoss, 2)}x on the validation split; retraining the values on the learned gates gives ` +
      `${num(c.testLoss, 4)} (test). ` +
      (gain > 1 && b.validationLoss > a.validationLoss
        ? 'On both held-out splits the learned gates, not only the values, carry what was learned: this supports claim 2.'
        : gain > 1 || b.validationLoss > a.validationLoss
          ? 'The two held-out splits disagree, so this run supports claim 2 only weakly.'
          : 'Here frozen gates did not do worse: this run does not support claim 2.') +
      ` The alignment ${ktaTrained > ktaInit ? 'rises' : 'does not rise'} with training (${num(ktaInit, 3)} to ${num(ktaTrained, 3)}).`,
  ].join('\n');
}
