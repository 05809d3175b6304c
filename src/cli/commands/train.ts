// `halfspace train` and `halfspace eval`: train a model on a CSV or built-in data set, evaluate a checkpoint.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type CsvDataset, parseCsv } from '../../data/csv.js';
import { DATASETS_2D, type LabeledData, split } from '../../data/synthetic.js';
import { cleanStaleTemps, prepareOutputDir, writeFilesAtomic } from '../../node/atomic.js';
import { loadCheckpoint } from '../../node/checkpoint.js';
import { serializeCheckpoint } from '../../models/checkpoint.js';
import { DEFAULT_MAX_PARAMETERS, FAMILY_LIST, type FamilyName, type ModelConfig, checkParameterCap, familyConfig } from '../../models/config.js';
import { type Model, createModel } from '../../models/families.js';
import { DivergenceError, type History, type LossKind, evaluate, fit, predict } from '../../models/train.js';
import { DEFAULT_MAX_CLASSES } from '../../data/csv.js';
import { type CommandSpec, type Flags, didYouMean, type OptionSpec, UsageError } from '../args.js';
import { progress } from '../progress.js';

/** CLI model names: the family names of models/config.ts (FAMILY_NAMES maps them to configs). */
const MODEL_NAMES = FAMILY_LIST;
type ModelName = FamilyName;

function modelConfig(name: ModelName, f: Flags, inputDim: number, outputDim: number): ModelConfig {
  const widths = f.intList('widths', [16, 16, 16]);
  const bias = !f.has('no-bias');
  const gated = { beta: f.number('beta', 10, 'positive'), gate: f.choice('gate', ['soft', 'hard'] as const, 'soft') };
  const valueInput = f.choice('value-input', ['ones', 'input'] as const, name === 'dgn' ? 'input' : 'ones');
  return familyConfig(name, { inputDim, widths, outputDim, bias, ...gated, valueInput });
}

interface Prepared {
  train: LabeledData;
  validation: LabeledData;
  test: LabeledData;
  inputDim: number;
  outputDim: number;
  loss: LossKind;
  description: Record<string, unknown>;
}

function prepareData(f: Flags, seed: number): Prepared {
  const file = f.string('data');
  const dataset = f.string('dataset');
  if (file !== undefined && dataset !== undefined) throw new UsageError('give either --data FILE.csv or --dataset NAME, not both');
  if (file === undefined && dataset === undefined) throw new UsageError('give --data FILE.csv or --dataset disk|xor|rings|spirals|blobs');
  if (dataset !== undefined) {
    if (!(dataset in DATASETS_2D)) throw new UsageError(`--dataset must be one of ${Object.keys(DATASETS_2D).join(', ')}, got '${dataset}'${didYouMean(dataset, Object.keys(DATASETS_2D))}`);
    const n = f.number('n', 2000, 'positive-int');
    if (n > MAX_N) throw new UsageError(`--n ${n} is over the cap of ${MAX_N} samples for a built-in data set (a bigger one belongs in a --data file)`);
    const noise = f.number('noise', 0, 'nonneg');
    const data = DATASETS_2D[dataset as keyof typeof DATASETS_2D]({ n, noise, seed });
    const s = split(data, [0.6, 0.2, 0.2], seed + 1);
    return { ...s, inputDim: 2, outputDim: 2, loss: 'ce', description: { dataset, n, noise, seed, split: [0.6, 0.2, 0.2] } };
  }
  const csv = readCsv(file!, f.string('label-column'), maxClassesOf(f));
  const s = split({ x: csv.x, y: csv.y }, [0.6, 0.2, 0.2], seed + 1);
  return {
    ...s,
    inputDim: csv.x.shape[1],
    outputDim: csv.classification ? Math.max(2, csv.numClasses) : 1,
    loss: csv.classification ? 'ce' : 'mse',
    description: { file: basename(file!), label: csv.labelName, rows: csv.x.shape[0], seed, split: [0.6, 0.2, 0.2] },
  };
}

/** The largest --n of a built-in data set. */
const MAX_N = 10_000_000;

function maxClassesOf(f: Flags): number {
  return f.number('max-classes', DEFAULT_MAX_CLASSES, 'positive-int');
}

function readCsv(file: string, label: string | undefined, maxClasses: number): CsvDataset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read CSV file ${file}`);
  }
  const labelColumn = label === undefined ? undefined : /^\d+$/.test(label) ? Number(label) : label;
  return parseCsv(text, { source: file, labelColumn, maxClasses });
}

export const trainHelp = `halfspace train --model dlgn|dlgn-sf|dlgn-vt|dgn|relu|linear (--dataset disk|xor|rings|spirals|blobs | --data FILE.csv) --out DIR [options]

  --widths 16,16,16     hidden widths                 --beta 10            soft-gate inverse temperature
  --gate soft|hard      gate kind                     --value-input ones|input
  --no-bias             no biases anywhere            --label-column NAME  label column of the CSV (default: last)
  --n 2000 --noise 0    size / label-flip noise of a built-in data set
  --epochs 100          --batch 64                    --lr 0.01            --optimizer adam|sgd
  --momentum 0.9 (sgd)  --seed 1                      --quiet              no progress output
  --json                print the summary as one JSON object (keys in docs/cli.md)
  --max-parameters N    refuse a model of more than N parameters (default 67108864 = 2^26)
  --max-classes N       refuse integer labels that make more than N classes (default 10000)
  --max-loss-growth G   stop when a batch loss exceeds G x the first one (default 1e6)

Splits the data 60/20/20 into train/validation/test by the seed, trains with cross-entropy
(integer labels) or mean squared error (real targets), and writes DIR/model.json (a checkpoint:
the same command gives the same bytes) and DIR/metrics.json (history, final loss and accuracy on
each split, wall time, and the SHA-256 of the model.json it belongs with). DIR is checked (created
if missing, must be writable) before anything is trained. If the run diverges (a NaN or infinite
loss, or one over --max-loss-growth x the first batch loss) training stops, the last good weights
are saved with "weights": "last-good" and the reason in metrics.json, and the exit status is 1.
Progress (epoch, loss, elapsed, time left) goes to stderr.`;

const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { name: 'model', value: 'NAME', choices: MODEL_NAMES },
  { name: 'dataset', value: 'NAME', choices: Object.keys(DATASETS_2D) },
  { name: 'data', value: 'FILE.csv', path: 'file' },
  { name: 'label-column', value: 'NAME' },
  { name: 'out', value: 'DIR', path: 'dir' },
  { name: 'widths', value: 'W1,W2,...' },
  { name: 'beta', value: 'B' },
  { name: 'gate', value: 'KIND', choices: ['soft', 'hard'] },
  { name: 'value-input', value: 'KIND', choices: ['ones', 'input'] },
  { name: 'no-bias' },
  { name: 'n', value: 'N' },
  { name: 'noise', value: 'P' },
  { name: 'epochs', value: 'N' },
  { name: 'batch', value: 'N' },
  { name: 'lr', value: 'RATE' },
  { name: 'optimizer', value: 'NAME', choices: ['adam', 'sgd'] },
  { name: 'momentum', value: 'M' },
  { name: 'seed', value: 'S' },
  { name: 'max-parameters', value: 'N' },
  { name: 'max-classes', value: 'N' },
  { name: 'max-loss-growth', value: 'G' },
  { name: 'quiet' },
  { name: 'json' },
];

async function trainCommand(f: Flags): Promise<number> {
  // every flag, the data and the output directory are checked before a step is taken
  const name = f.choice('model', MODEL_NAMES, 'dlgn');
  const seed = f.number('seed', 1, 'int');
  const out = f.required('out', 'DIR');
  const epochs = f.number('epochs', 100, 'positive-int');
  const batchSize = f.number('batch', 64, 'positive-int');
  const optimizer = f.choice('optimizer', ['adam', 'sgd'] as const, 'adam');
  const lr = f.number('lr', optimizer === 'adam' ? 0.01 : 0.1, 'nonneg');
  const momentum = f.number('momentum', optimizer === 'sgd' ? 0.9 : 0, 'nonneg');
  const maxParameters = f.number('max-parameters', DEFAULT_MAX_PARAMETERS, 'positive-int');
  const maxLossGrowth = f.number('max-loss-growth', 1e6, 'positive');
  if (!(maxLossGrowth > 1)) throw new UsageError(`--max-loss-growth must be a number > 1, got '${f.string('max-loss-growth')}'`);
  maxClassesOf(f);
  const quiet = f.has('quiet');
  const json = f.has('json');
  const modelFile = join(out, 'model.json');
  const metricsFile = join(out, 'metrics.json');
  const data = prepareData(f, seed);
  const config = modelConfig(name, f, data.inputDim, data.outputDim);
  try {
    checkParameterCap(config, maxParameters, '--max-parameters');
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  // only a run that can start creates DIR
  prepareOutputDir(out, ['model.json', 'metrics.json'], '--out');
  // temp files of a run that was killed before its rename
  cleanStaleTemps(out, ['model.json', 'metrics.json']);

  const model = createModel(config, { rng: seed });
  const bar = progress('train', { quiet, json });
  const started = performance.now();
  let history: History;
  let diverged: DivergenceError | undefined;
  try {
    history = fit(model, data.train, {
      loss: data.loss,
      epochs,
      batchSize,
      optimizer,
      lr,
      ...(optimizer === 'sgd' ? { momentum } : {}),
      seed,
      validation: data.validation,
      maxLossGrowth,
      onEpochEnd: (e) => {
        const acc = e.accuracy === undefined ? '' : ` acc ${e.accuracy.toFixed(3)}`;
        const val = e.valAccuracy === undefined ? '' : ` val_acc ${e.valAccuracy.toFixed(3)}`;
        bar.update(e.epoch + 1, epochs, `epoch ${e.epoch + 1}/${epochs} loss ${e.loss.toFixed(4)}${acc}${val}`);
      },
    });
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    diverged = e;
    history = e.detail.history;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const ran = history.epochs.length;
  const lastEpoch = history.epochs.at(-1);
  bar.done(diverged ? `diverged after ${ran} epoch${ran === 1 ? '' : 's'}` : `${ran} epoch${ran === 1 ? '' : 's'}${lastEpoch ? `, final loss ${lastEpoch.loss.toFixed(4)}` : ''}`);
  const final = {
    train: evaluate(model, data.train, data.loss),
    validation: evaluate(model, data.validation, data.loss),
    test: evaluate(model, data.test, data.loss),
  };
  const meta = { seed, data: data.description, loss: data.loss, optimizer: { kind: optimizer, lr, momentum, epochs, batchSize } };
  // serialised first: a model that cannot be saved never touches the directory
  const checkpointText = serializeCheckpoint(model, meta);
  const sha256 = createHash('sha256').update(checkpointText).digest('hex');
  const divergence = diverged
    ? { reason: diverged.detail.reason, epoch: diverged.detail.epoch, batch: diverged.detail.batch, loss: String(diverged.detail.loss), message: diverged.message }
    : null;
  const metrics = {
    model: name,
    config: model.config,
    ...meta,
    history: history.epochs,
    stopped: diverged ? 'diverged' : history.stopped,
    weights: diverged ? 'last-good' : 'final',
    divergence,
    steps: history.steps,
    final,
    wallSeconds,
    checkpointSha256: sha256,
  };
  // both files complete on disk before either is renamed; metrics.json first, model.json last,
  // and metrics.json names the model.json it belongs with by its hash
  writeFilesAtomic([
    { path: metricsFile, data: `${JSON.stringify(metrics, null, 2)}\n` },
    { path: modelFile, data: checkpointText },
  ]);
  if (diverged) {
    process.stderr.write(
      `halfspace train: training diverged: ${diverged.message.replace(/^fit: /, '')}\n` +
        `saved the last good weights (after ${history.steps} steps) to ${modelFile}; ${metricsFile} has "weights": "last-good"\n`,
    );
  }
  const status = diverged ? 1 : 0;
  if (json) {
    const split = (r: { loss: number; accuracy?: number }): { loss: number; accuracy: number | null } => ({ loss: r.loss, accuracy: r.accuracy ?? null });
    const summary = {
      model: name,
      config: model.config,
      parameters: model.numParameters(),
      loss: data.loss,
      epochs: ran,
      wallSeconds,
      stopped: metrics.stopped,
      weights: metrics.weights,
      final: { train: split(final.train), validation: split(final.validation), test: split(final.test) },
      files: { model: modelFile, metrics: metricsFile },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return status;
  }
  const fmt = (r: { loss: number; accuracy?: number }): string =>
    `loss ${r.loss.toFixed(4)}${r.accuracy === undefined ? '' : `, accuracy ${(100 * r.accuracy).toFixed(1)}%`}`;
  process.stdout.write(
    `${describe(model)}\n${diverged ? `diverged; kept the last good weights after ${ran} complete epochs` : `trained ${ran} epochs`} in ${wallSeconds.toFixed(1)} s\n` +
      `train ${fmt(final.train)}\nvalidation ${fmt(final.validation)}\ntest ${fmt(final.test)}\n` +
      `wrote ${modelFile} and ${metricsFile}\n`,
  );
  return status;
}

function describe(model: Model): string {
  return model.toString().split('\n')[0];
}

export const evalHelp = `halfspace eval --checkpoint DIR/model.json --data FILE.csv [--label-column NAME] [--max-classes N] [--json]

Loads a checkpoint and reports its loss and accuracy on the CSV data (the loss the model was
trained with, from the checkpoint; cross-entropy for integer labels otherwise).
--json prints {"loss": .., "accuracy": .. or null, "samples": ..}. Refuses (exit 1) when the
model's output is NaN or infinite for any sample, naming how many.`;

const EVAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'checkpoint', value: 'FILE', path: 'file' },
  { name: 'data', value: 'FILE.csv', path: 'file' },
  { name: 'label-column', value: 'NAME' },
  { name: 'max-classes', value: 'N' },
  { name: 'json' },
];

async function evalCommand(f: Flags): Promise<number> {
  const ckpt = f.required('checkpoint', 'FILE');
  const file = f.required('data', 'FILE.csv');
  const label = f.string('label-column');
  const json = f.has('json');
  const { model, meta } = loadCheckpoint(ckpt);
  // the label column the model was trained with, unless given again
  const trainedLabel = typeof meta.data === 'object' && meta.data !== null ? (meta.data as { label?: unknown }).label : undefined;
  const csv = readCsv(file, label ?? (typeof trainedLabel === 'string' ? trainedLabel : undefined), maxClassesOf(f));
  if (csv.x.shape[1] !== model.config.inputDim) {
    throw new Error(`${file} has ${csv.x.shape[1]} feature columns, the model expects ${model.config.inputDim}`);
  }
  const loss = (typeof meta.loss === 'string' ? meta.loss : csv.classification ? 'ce' : 'mse') as LossKind;
  // an accuracy computed from NaN outputs would be a number that means nothing
  const outputs = predict(model, csv.x).values();
  const bad = outputs.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) {
    const k = model.config.outputDim;
    let rows = 0;
    for (let i = 0; i < csv.x.shape[0]; i++) if (outputs.subarray(i * k, (i + 1) * k).some((v) => !Number.isFinite(v))) rows++;
    throw new Error(
      `${file}: the model's output is ${outputs[bad]} for ${rows} of ${csv.x.shape[0]} samples (the first is data row ${Math.floor(bad / k) + 1}); ` +
        'no loss or accuracy is reported from non-finite outputs (inputs too large for the weights?)',
    );
  }
  const r = evaluate(model, { x: csv.x, y: csv.y }, loss);
  if (json) process.stdout.write(`${JSON.stringify({ loss: r.loss, accuracy: r.accuracy ?? null, samples: csv.x.shape[0] })}\n`);
  else {
    process.stdout.write(
      `${describe(model)}\n${csv.x.shape[0]} samples: ${loss} loss ${r.loss.toFixed(6)}` +
        `${r.accuracy === undefined ? '' : `, accuracy ${(100 * r.accuracy).toFixed(2)}%`}\n`,
    );
  }
  return 0;
}

export const trainSpec: CommandSpec = {
  name: 'train',
  summary: 'train a model on a built-in 2-D data set or a CSV file; writes model.json, metrics.json',
  help: trainHelp,
  options: TRAIN_OPTIONS,
  run: trainCommand,
};

export const evalSpec: CommandSpec = {
  name: 'eval',
  summary: 'loss and accuracy of a checkpoint on a CSV file',
  help: evalHelp,
  options: EVAL_OPTIONS,
  run: evalCommand,
};
