// The shape of an experiment: its context, its result (report sections, figures, metrics), Markdown helpers.

/** What every experiment receives from the runner. */
export interface ExperimentContext {
  /** Shrink to under a minute (for the test suite); false runs the full protocol. */
  quick: boolean;
  /** Seed of every generator, initialisation and shuffle in the run. */
  seed: number;
  /** E6's data set. */
  dataset?: 'sdi' | 'sdii';
  /** E6's training: our grid (default) or the follow-up paper's authors' recipe. */
  recipe?: 'grid' | 'follow-up';
  /** Progress on long work: one short line at a time (stages: "training the DLGN", "drawing"). */
  progress: (message: string) => void;
  /**
   * Structured progress, optional: which configuration of how many is training, and its epoch.
   * The CLI draws it as a bar with elapsed time and time left; the runner calls it through
   * `reportEpochs`.
   */
  step?: (step: RunStep) => void;
  /** Optional cancellation between training epochs. */
  signal?: AbortSignal;
}

/** Where a run is: configuration `index` of `total` (1-based), and the epoch it has finished. */
export interface RunStep {
  /** The configuration, e.g. `SDII: DLGN beta=10 lr=0.01`. */
  label: string;
  index: number;
  total: number;
  /** Epochs finished (0 at the start) of `epochs`; both absent for a stage without epochs. */
  epoch?: number;
  epochs?: number;
  /** A short measurement to show beside it, e.g. `loss 0.1234`. */
  detail?: string;
  /**
   * The part of the whole run this configuration spans, [start, end] in 0..1, when the
   * configurations differ much in cost (E7's short selection runs); default: equal parts.
   */
  share?: [number, number];
}

/** The fraction of a run that `step` has finished: configurations weigh the same unless `share` says otherwise. */
export function stepFraction(step: RunStep): number {
  const within = step.epochs !== undefined && step.epochs > 0 ? Math.min(1, (step.epoch ?? 0) / step.epochs) : 0;
  if (step.share !== undefined) return Math.min(1, step.share[0] + within * (step.share[1] - step.share[0]));
  return step.total > 0 ? Math.min(1, (step.index - 1 + within) / step.total) : 0;
}

/**
 * Reports configuration `index` of `total` to `ctx.step` (at epoch 0 now) and returns an
 * `onEpochEnd` for `fit` that reports every epoch (with the epoch's training loss). Without
 * `ctx.step` the returned callback does nothing.
 */
export function reportEpochs(
  ctx: Pick<ExperimentContext, 'step'>,
  label: string,
  index: number,
  total: number,
  epochs: number,
  share?: [number, number],
): (e: { epoch: number; loss: number }) => void {
  const step = ctx.step;
  if (step === undefined) return () => {};
  const extra = share === undefined ? {} : { share };
  step({ label, index, total, epoch: 0, epochs, ...extra });
  return (e) => step({ label, index, total, epoch: e.epoch + 1, epochs, detail: `loss ${num(e.loss, 4)}`, ...extra });
}

/** A figure the experiment drew: an SVG document and the file name it is saved under. */
export interface Figure {
  /** File name, e.g. `e1-regions-a1b9.svg`. */
  file: string;
  svg: string;
  caption: string;
}

/**
 * What an experiment returns; the runner writes it to DIR/<id>/. `M` is the experiment's own
 * metrics type (`E6Metrics`, ...), so code and tests read the numbers without casts.
 */
export interface ExperimentResult<M extends object = object> {
  id: string;
  title: string;
  /** Markdown: protocol, tables, findings. Figures are referenced by file name. */
  markdown: string;
  figures: Figure[];
  /** Every number the report shows, machine-readable (written as metrics.json). */
  metrics: M;
}

/** One experiment of docs/experiments/protocols.md. */
export interface Experiment<M extends object = object> {
  id: string;
  title: string;
  /** The claim(s) of docs/experiments/protocols.md it tests, for the index. */
  claims: string;
  run(ctx: ExperimentContext): ExperimentResult<M> | Promise<ExperimentResult<M>>;
}

/** Formats a number for a report: fixed decimals, or scientific when tiny. */
export function num(v: number, digits = 3): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return v.toExponential(1);
  return v.toFixed(digits);
}

/** A percentage with one decimal: 0.9512 -> "95.1%". */
export function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

/** A Markdown table from a header row and rows of cells. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cell = (c: string | number): string => (typeof c === 'number' ? num(c) : c).replace(/\|/g, '\\|');
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

/** A Markdown image reference with its caption underneath. */
export function figureRef(f: Figure): string {
  return `![${f.caption}](${f.file})\n\n*${f.caption}*`;
}

/** Mean and sample standard deviation. */
export function meanStd(values: number[]): { mean: number; std: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(n, 1);
  const v = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(v) };
}
