// The playground's logic without the DOM: settings and the URL hash, data sets (built-in, edited,
// CSV), model configs as the CLI builds them, the training run with play/pause/step, the path
// inspector. Everything here is the library's own code (src/data, src/models, src/paths); the page
// (main.ts) only draws it.

import {
  type Arrangement2D,
  type Box2D,
  type Cell2D,
  DATASETS_2D,
  type EpochLog,
  type HalfSpaceConstraint,
  type LabeledData,
  type Model,
  type ModelConfig,
  type Path,
  Tensor,
  arrangement2D,
  constraintsForPathId,
  createModel,
  enumeratePaths,
  evaluate,
  fitAsync,
  noGrad,
  parseCsv,
  pathCount,
  regionOf,
  split,
  topPaths,
} from '../../src/index.js';

export const DATASET_NAMES = Object.keys(DATASETS_2D) as (keyof typeof DATASETS_2D)[];
/** The CLI's model names the playground offers (`halfspace train --model`). */
export const MODEL_NAMES = ['dlgn', 'dlgn-sf', 'relu', 'linear'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const MODEL_LABELS: Record<ModelName, string> = { dlgn: 'DLGN (cf)', 'dlgn-sf': 'DLGN-SF', relu: 'ReLU', linear: 'DLN (linear)' };

/** Everything the URL hash holds: the settings, never the data points. */
export interface Settings {
  dataset: keyof typeof DATASETS_2D;
  n: number;
  noise: number;
  seed: number;
  model: ModelName;
  widths: number[];
  beta: number;
  gate: 'soft' | 'hard';
  optimizer: 'adam' | 'sgd';
  lr: number;
  batch: number;
  epochs: number;
  /** Train a ReLU network of the same widths next to the main model. */
  compare: boolean;
}

export const DEFAULTS: Settings = {
  dataset: 'disk',
  n: 600,
  noise: 0,
  seed: 1,
  model: 'dlgn',
  widths: [8, 8, 8],
  beta: 10,
  gate: 'soft',
  optimizer: 'adam',
  lr: 0.01,
  batch: 32,
  epochs: 100,
  compare: false,
};

/** Checks settings; throws a message naming the field and the bad value. */
export function checkSettings(s: Settings): Settings {
  const int = (name: string, v: number, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new Error(`${name} must be an integer in ${lo}..${hi}, got ${v}`);
  };
  if (!DATASET_NAMES.includes(s.dataset)) throw new Error(`data set must be one of ${DATASET_NAMES.join(', ')}, got '${s.dataset}'`);
  int('points', s.n, 10, 5000);
  if (!(s.noise >= 0 && s.noise <= 0.5)) throw new Error(`noise must be in [0, 0.5], got ${s.noise}`);
  int('seed', s.seed, 0, 2 ** 31 - 1);
  if (!MODEL_NAMES.includes(s.model)) throw new Error(`model must be one of ${MODEL_NAMES.join(', ')}, got '${s.model}'`);
  if (s.widths.length < 1 || s.widths.length > 6) throw new Error(`depth must be 1..6 hidden layers, got ${s.widths.length}`);
  s.widths.forEach((w, i) => int(`width of layer ${i + 1}`, w, 1, 64));
  if (!(Number.isFinite(s.beta) && s.beta > 0)) throw new Error(`beta must be a number > 0, got ${s.beta}`);
  if (s.gate !== 'soft' && s.gate !== 'hard') throw new Error(`gates must be soft or hard, got '${s.gate}'`);
  if (s.optimizer !== 'adam' && s.optimizer !== 'sgd') throw new Error(`optimiser must be adam or sgd, got '${s.optimizer}'`);
  if (!(Number.isFinite(s.lr) && s.lr > 0 && s.lr <= 10)) throw new Error(`learning rate must be in (0, 10], got ${s.lr}`);
  int('batch size', s.batch, 1, 100000);
  int('epochs', s.epochs, 1, 100000);
  return s;
}

/** Settings as a URL hash (`#dataset=disk&n=600&...`), in a fixed key order. */
export function settingsToHash(s: Settings): string {
  const p = new URLSearchParams();
  p.set('dataset', s.dataset);
  p.set('n', String(s.n));
  p.set('noise', String(s.noise));
  p.set('seed', String(s.seed));
  p.set('model', s.model);
  p.set('widths', s.widths.join(','));
  p.set('beta', String(s.beta));
  p.set('gate', s.gate);
  p.set('optimizer', s.optimizer);
  p.set('lr', String(s.lr));
  p.set('batch', String(s.batch));
  p.set('epochs', String(s.epochs));
  p.set('compare', s.compare ? '1' : '0');
  return `#${p.toString()}`;
}

/**
 * Settings from a URL hash: missing keys take the defaults, unknown keys are ignored, and a bad
 * value is reported (`problems`) and replaced by its default, so a mangled link still opens.
 */
export function settingsFromHash(hash: string): { settings: Settings; problems: string[] } {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const s: Settings = { ...DEFAULTS, widths: DEFAULTS.widths.slice() };
  const problems: string[] = [];
  const field = <K extends keyof Settings>(key: K, parse: (v: string) => Settings[K]): void => {
    const v = p.get(key);
    if (v === null) return;
    const old = s[key];
    try {
      s[key] = parse(v);
      checkSettings({ ...s });
    } catch (e) {
      s[key] = old;
      problems.push(`${key}=${v}: ${(e as Error).message}`);
    }
  };
  const num = (v: string): number => {
    if (v.trim() === '' || !Number.isFinite(Number(v))) throw new Error(`'${v}' is not a number`);
    return Number(v);
  };
  field('dataset', (v) => v as Settings['dataset']);
  field('n', num);
  field('noise', num);
  field('seed', num);
  field('model', (v) => v as ModelName);
  field('widths', (v) => v.split(',').map(num));
  field('beta', num);
  field('gate', (v) => v as Settings['gate']);
  field('optimizer', (v) => v as Settings['optimizer']);
  field('lr', num);
  field('batch', num);
  field('epochs', num);
  field('compare', (v) => {
    if (v !== '0' && v !== '1') throw new Error(`'${v}' is not 0 or 1`);
    return v === '1';
  });
  return { settings: s, problems };
}

// ---- data ------------------------------------------------------------------------------------------

/** The data set the page shows: points with labels 0/1, where they came from. */
export interface PlaygroundData {
  x: number[];
  y: number[];
  labels: (0 | 1)[];
  /** `disk (600 points, noise 0, seed 1)`, `file.csv`, ... plus `, edited` after clicks. */
  source: string;
  /** A built-in set as generated (the CLI can regenerate it), or not (CSV, edited). */
  builtin: { dataset: string; n: number; noise: number; seed: number } | null;
}

export function builtinData(s: Settings): PlaygroundData {
  const d = DATASETS_2D[s.dataset]({ n: s.n, noise: s.noise, seed: s.seed });
  return { ...fromTensors(d), source: `${s.dataset} (${s.n} points, noise ${s.noise}, seed ${s.seed})`, builtin: { dataset: s.dataset, n: s.n, noise: s.noise, seed: s.seed } };
}

function fromTensors(d: LabeledData): { x: number[]; y: number[]; labels: (0 | 1)[] } {
  const xv = d.x.values();
  const yv = d.y.values();
  const n = yv.length;
  const x: number[] = [];
  const y: number[] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < n; i++) {
    x.push(xv[2 * i]);
    y.push(xv[2 * i + 1]);
    labels.push(yv[i] === 1 ? 1 : 0);
  }
  return { x, y, labels };
}

export function toLabeled(d: PlaygroundData): LabeledData {
  const n = d.x.length;
  const xs = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    xs[2 * i] = d.x[i];
    xs[2 * i + 1] = d.y[i];
  }
  return { x: new Tensor(xs, [n, 2]), y: new Tensor(Float64Array.from(d.labels), [n]) };
}

/**
 * Parses an uploaded CSV for the playground: two numeric feature columns and a label column of
 * 0/1 (the last column unless a header names one `label`). Throws a message meant for the page:
 * which line, which column, what was wrong. The caller keeps the previous data on a throw.
 */
export function csvData(text: string, name: string): PlaygroundData {
  const header = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  const hasLabel = header !== undefined && header.split(',').some((c) => c.trim().replace(/^"|"$/g, '').toLowerCase() === 'label');
  const csv = parseCsv(text, { source: name, ...(hasLabel ? { labelColumn: header!.split(',').map((c) => c.trim().replace(/^"|"$/g, '')).find((c) => c.toLowerCase() === 'label')! } : {}) });
  const [n, d] = csv.x.shape;
  if (d !== 2) throw new Error(`${name}: the playground needs exactly two feature columns and a label, found ${d} feature column${d === 1 ? '' : 's'} (${csv.featureNames.join(', ')})`);
  const yv = csv.y.values();
  const bad = Array.from(yv).findIndex((v) => v !== 0 && v !== 1);
  if (bad >= 0) throw new Error(`${name}: labels must be 0 or 1; row ${bad + 1} has label ${yv[bad]}`);
  const ones = yv.reduce((a, v) => a + v, 0);
  if (ones === 0 || ones === n) throw new Error(`${name}: every row has label ${ones === 0 ? 0 : 1}; a classifier needs both classes`);
  if (n < 5) throw new Error(`${name}: ${n} rows are too few to split into train, validation and test (need at least 5)`);
  return { ...fromTensors({ x: csv.x, y: csv.y }), source: `${name} (${n} rows)`, builtin: null };
}

/** The data as CSV (`x1,x2,label`), which `csvData` and `halfspace train --data` read back. */
export function dataToCsv(d: PlaygroundData): string {
  const lines = ['x1,x2,label'];
  for (let i = 0; i < d.x.length; i++) lines.push(`${d.x[i]},${d.y[i]},${d.labels[i]}`);
  return `${lines.join('\n')}\n`;
}

/** Adds a point (returns a new data set, marked edited). */
export function addPoint(d: PlaygroundData, x: number, y: number, label: 0 | 1): PlaygroundData {
  return { x: [...d.x, x], y: [...d.y, y], labels: [...d.labels, label], source: edited(d.source), builtin: null };
}

/** Removes the point nearest (x, y) if it is within `radius`; returns the data unchanged otherwise. */
export function removeNear(d: PlaygroundData, x: number, y: number, radius: number): PlaygroundData {
  let best = -1;
  let bestD = radius * radius;
  for (let i = 0; i < d.x.length; i++) {
    const q = (d.x[i] - x) ** 2 + (d.y[i] - y) ** 2;
    if (q <= bestD) {
      bestD = q;
      best = i;
    }
  }
  if (best < 0) return d;
  const keep = (_: unknown, i: number): boolean => i !== best;
  return { x: d.x.filter(keep), y: d.y.filter(keep), labels: d.labels.filter(keep), source: edited(d.source), builtin: null };
}

const edited = (s: string): string => (s.endsWith(', edited') ? s : `${s}, edited`);

/** The box the pictures show: [-1, 1]^2 widened to hold the data with a 5% margin, squared off. */
export function boxFor(d: PlaygroundData): Box2D {
  let xmin = -1;
  let xmax = 1;
  let ymin = -1;
  let ymax = 1;
  for (let i = 0; i < d.x.length; i++) {
    xmin = Math.min(xmin, d.x[i]);
    xmax = Math.max(xmax, d.x[i]);
    ymin = Math.min(ymin, d.y[i]);
    ymax = Math.max(ymax, d.y[i]);
  }
  const h = (Math.max(xmax - xmin, ymax - ymin) / 2) * 1.05;
  const cx = (xmin + xmax) / 2;
  const cy = (ymin + ymax) / 2;
  return { xmin: cx - h, xmax: cx + h, ymin: cy - h, ymax: cy + h };
}

// ---- models and the CLI ------------------------------------------------------------------------

/** The config `halfspace train --model NAME` builds (src/cli/commands/train.ts), for 2-D inputs and two classes. */
export function modelConfig(name: ModelName, s: Settings): ModelConfig {
  const base = { inputDim: 2, widths: s.widths.slice(), outputDim: 2, bias: true };
  switch (name) {
    case 'dlgn':
      return { ...base, kind: 'dlgn', features: 'cf', beta: s.beta, gate: s.gate, valueInput: 'ones' };
    case 'dlgn-sf':
      return { ...base, kind: 'dlgn', features: 'sf', beta: s.beta, gate: s.gate, valueInput: 'ones' };
    case 'relu':
      return { ...base, kind: 'dnn' };
    case 'linear':
      return { ...base, kind: 'dln' };
  }
}

/** The command line that trains the same model on the same data to the same numbers. */
export function cliCommand(s: Settings, name: ModelName, d: PlaygroundData, epochs: number): string {
  const data = d.builtin ? `--dataset ${d.builtin.dataset} --n ${d.builtin.n} --noise ${d.builtin.noise}` : '--data data.csv';
  const gated = name === 'dlgn' || name === 'dlgn-sf' ? ` --beta ${s.beta} --gate ${s.gate}` : '';
  const mom = s.optimizer === 'sgd' ? ' --momentum 0.9' : '';
  return `npx halfspace train --model ${name} ${data} --seed ${s.seed} --widths ${s.widths.join(',')}${gated} --epochs ${epochs} --batch ${s.batch} --optimizer ${s.optimizer} --lr ${s.lr}${mom} --out run`;
}

/** One point of the curves: what the CLI's metrics log (train loss, running train accuracy) and the test split's. */
export interface CurvePoint {
  epoch: number;
  loss: number;
  accuracy: number;
  testLoss: number;
  testAccuracy: number;
}

export interface Splits3 {
  train: LabeledData;
  validation: LabeledData;
  test: LabeledData;
}

/** The CLI's split: 60/20/20 train/validation/test by the seed + 1. */
export function splitData(d: PlaygroundData, seed: number): Splits3 {
  return split(toLabeled(d), [0.6, 0.2, 0.2], seed + 1);
}

/**
 * One model being trained by `fitAsync` with the CLI's options. Pausing is done between
 * optimiser steps by handing `fitAsync` a promise from `onBatchEnd` (it waits for it), so a
 * paused and resumed run computes exactly what an uninterrupted one does.
 */
export class Run {
  readonly name: ModelName;
  readonly model: Model;
  readonly curve: CurvePoint[] = [];
  readonly history: EpochLog[] = [];
  /** 'done' once every epoch ran; 'failed' with `error` when training threw. */
  state: 'idle' | 'running' | 'paused' | 'done' | 'failed' | 'stopped' = 'idle';
  error = '';
  steps = 0;
  private stop = new AbortController();
  private wake: (() => void) | null = null;
  private pauseAtEpoch = Infinity;
  private started = false;
  private finished: Promise<void> | null = null;

  constructor(
    name: ModelName,
    readonly settings: Settings,
    readonly data: Splits3,
    /** Called after every epoch (and on state changes) so the page can redraw. */
    private readonly onUpdate: (r: Run) => void,
    /**
     * Called after every optimiser step while running; a promise it returns holds training until
     * it resolves (the page hands out one slice of training per animation frame this way). Only
     * the pauses change, never the numbers.
     */
    private readonly pace?: () => Promise<void> | undefined,
  ) {
    this.name = name;
    this.model = createModel(modelConfig(name, settings), { rng: settings.seed });
  }

  get epochsDone(): number {
    return this.history.length;
  }

  /** Runs (or resumes) until the last epoch. */
  play(): void {
    this.pauseAtEpoch = Infinity;
    this.go();
  }

  /** Runs one more epoch, then pauses. */
  step(): void {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'stopped') return;
    this.pauseAtEpoch = this.epochsDone + 1;
    this.go();
  }

  /** Pauses after the current optimiser step. */
  pause(): void {
    if (this.state === 'running') this.pauseAtEpoch = -1;
  }

  /** Stops for good (reset): the run is dropped by the page. */
  dispose(): void {
    this.stop.abort();
    this.state = 'stopped';
    this.resume();
  }

  /** Resolves when training has ended (all epochs, error or dispose). */
  whenFinished(): Promise<void> {
    return this.finished ?? Promise.resolve();
  }

  private resume(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private go(): void {
    if (this.state === 'done' || this.state === 'failed' || this.state === 'stopped') return;
    this.state = 'running';
    this.onUpdate(this);
    if (this.started) {
      this.resume();
      return;
    }
    this.started = true;
    const s = this.settings;
    const gate = (): Promise<void> | undefined => {
      if (this.stop.signal.aborted || this.epochsDone >= s.epochs) return undefined;
      if (this.pauseAtEpoch === -1 || this.epochsDone >= this.pauseAtEpoch) {
        this.state = 'paused';
        this.onUpdate(this);
        return new Promise<void>((r) => {
          this.wake = r;
        });
      }
      return undefined;
    };
    this.finished = fitAsync(this.model, this.data.train, {
      loss: 'ce',
      epochs: s.epochs,
      batchSize: s.batch,
      optimizer: s.optimizer,
      lr: s.lr,
      ...(s.optimizer === 'sgd' ? { momentum: 0.9 } : {}),
      seed: s.seed,
      validation: this.data.validation,
      signal: this.stop.signal,
      yieldEvery: { ms: 12 },
      onBatchEnd: () => {
        this.steps++;
        this.onUpdate(this);
        return (this.pauseAtEpoch === -1 ? gate() : undefined) ?? this.pace?.();
      },
      onEpochEnd: (e) => {
        this.history.push(e);
        const t = evaluate(this.model, this.data.test, 'ce');
        this.curve.push({ epoch: e.epoch + 1, loss: e.loss, accuracy: e.accuracy ?? NaN, testLoss: t.loss, testAccuracy: t.accuracy ?? NaN });
        this.onUpdate(this);
        return gate();
      },
    }).then(
      () => {
        if (this.state !== 'stopped') this.state = 'done';
        this.onUpdate(this);
      },
      (e: unknown) => {
        this.state = 'failed';
        this.error = e instanceof Error ? e.message : String(e);
        this.onUpdate(this);
      },
    );
  }
}

// ---- the path inspector ---------------------------------------------------------------------------

export interface Inspection {
  point: [number, number];
  /** The network's output (logits) at the point, `model.forward`. */
  output: number[];
  /** Softmax probability of class 1. */
  p1: number;
  /** Every path's contribution summed, per output (enumeration; null when there are too many paths). */
  sum: number[] | null;
  pathCount: number;
  /** The k paths of largest contribution (`topPaths`). */
  top: Path[];
  /** Half-spaces (one per unit visited) of each top path; empty for a ReLU or linear net. */
  constraints: HalfSpaceConstraint[][];
  /** The region (cell of the arrangement) the point lies in, for gated models. */
  region: Cell2D | null;
}

/** Paths enumerated one by one for the exact sum up to this many. */
export const MAX_ENUMERATED = 300_000;

/** What the inspector shows for a point: output, the sum over every path, the top paths and their half-spaces. */
export function inspect(model: Model, point: [number, number], k = 8, arrangement: Arrangement2D | null = null): Inspection {
  const xt = new Tensor(Float64Array.from(point), [1, 2]);
  const output = Array.from(noGrad(() => model.forward(xt).value.values()));
  const p1 = 1 / (1 + Math.exp(output[0] - output[1]));
  const count = pathCount(model);
  let sum: number[] | null = null;
  if (count <= BigInt(MAX_ENUMERATED)) {
    sum = new Array<number>(output.length).fill(0);
    for (const p of enumeratePaths(model, point)) for (let c = 0; c < sum.length; c++) sum[c] += p.contribution[c];
  }
  const top = topPaths(model, point, k);
  const gated = model.config.kind === 'dlgn' || model.config.kind === 'dlgn-vt';
  const constraints = gated ? top.map((p) => constraintsForPathId(model, p.id)) : top.map(() => []);
  const region = arrangement ? (regionOf(arrangement, point) ?? null) : null;
  return { point, output, p1, sum, pathCount: Number(count), top, constraints, region };
}

/** The arrangement of a gated model's lines in the box, or null for a model without half-spaces. */
export function arrangementOf(model: Model, box: Box2D): Arrangement2D | null {
  const kind = model.config.kind;
  if (kind !== 'dlgn' && kind !== 'dlgn-vt') return null;
  return arrangement2D(model, box);
}

/** The model's softmax probability of class 1 on a g x g grid over the box (row 0 at the top). */
export function sampledMap(model: Model, box: Box2D, g: number): Float64Array {
  const xs = new Float64Array(2 * g * g);
  for (let r = 0; r < g; r++) {
    for (let c = 0; c < g; c++) {
      const i = r * g + c;
      xs[2 * i] = box.xmin + ((c + 0.5) / g) * (box.xmax - box.xmin);
      xs[2 * i + 1] = box.ymax - ((r + 0.5) / g) * (box.ymax - box.ymin);
    }
  }
  const out = noGrad(() => model.forward(new Tensor(xs, [g * g, 2])).value.values());
  const p = new Float64Array(g * g);
  for (let i = 0; i < g * g; i++) p[i] = 1 / (1 + Math.exp(out[2 * i] - out[2 * i + 1]));
  return p;
}
