// CSV to tensors: header detection, a label column, and errors that name the line and column.

import { clipText } from '../tensor/errors.js';
import { Tensor } from '../tensor/tensor.js';

/** The default cap on the number of classes integer labels may define (see CsvOptions.maxClasses). */
export const DEFAULT_MAX_CLASSES = 10000;

export interface CsvDataset {
  /** Features [n, d]. */
  x: Tensor;
  /** Labels [n] (integers, for classification) or targets [n, 1] (regression). */
  y: Tensor;
  /** Feature column names (`c0, c1, ...` without a header). */
  featureNames: string[];
  labelName: string;
  /** True when every label is an integer >= 0: the labels are classes. */
  classification: boolean;
  /** Number of classes (max label + 1) when `classification`. */
  numClasses: number;
}

export interface CsvOptions {
  /** Label column by header name or zero-based index; default: the last column. */
  labelColumn?: string | number;
  /** Where the text came from, for error messages. */
  source?: string;
  /**
   * Force header detection on or off. By default a first row of names only (no numeric cell) is
   * a header, a first row of numbers only is data, and a first row that mixes the two is an
   * error naming the cell (a data row with a typo must not be dropped as a header).
   */
  header?: boolean;
  /**
   * Integer labels are classes 0..max; a label over this cap is refused (it would set the number
   * of outputs, and the memory of every one-hot and output row); default
   * {@link DEFAULT_MAX_CLASSES}. The CLI's `--max-classes N` sets it.
   */
  maxClasses?: number;
}

function splitLine(line: string): string[] {
  // Plain CSV: comma separated, optional double quotes around a cell, "" for a quote inside.
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

const isNumeric = (s: string): boolean => s !== '' && Number.isFinite(Number(s));

/**
 * Parses numeric CSV text into features and labels.
 *
 * @example
 * ```ts
 * const d = parseCsv('x1,x2,label\n0.1,0.2,1\n-0.3,0.5,0\n');
 * d.x.shape; // [2, 2]
 * ```
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvDataset {
  const src = options.source ?? 'csv';
  const raw = text.split(/\r?\n/);
  const rows: { line: number; cells: string[] }[] = [];
  raw.forEach((l, i) => {
    if (l.trim() !== '' && !l.trimStart().startsWith('#')) rows.push({ line: i + 1, cells: splitLine(l) });
  });
  if (rows.length === 0) throw new Error(`${src}: no data rows`);
  const first = rows[0];
  const numericCells = first.cells.filter(isNumeric).length;
  if (options.header === undefined && numericCells > 0 && numericCells < first.cells.length) {
    const col = first.cells.findIndex((c) => !isNumeric(c));
    throw new Error(
      `${src}: line ${first.line} mixes numbers and text (column ${col + 1}: '${clipText(first.cells[col])}' is not a finite number), so it is ` +
        'neither a header (names only) nor a data row (numbers only); fix the cell, or say whether the file has a header (option header)',
    );
  }
  const hasHeader = options.header ?? numericCells === 0;
  const header = hasHeader ? rows.shift()!.cells : null;
  if (rows.length === 0) throw new Error(`${src}: a header but no data rows`);
  const width = header ? header.length : rows[0].cells.length;
  if (width < 2) throw new Error(`${src}: need at least one feature column and a label column, found ${width} column(s)`);
  const names = header ?? Array.from({ length: width }, (_, i) => `c${i}`);
  let labelIdx = width - 1;
  if (typeof options.labelColumn === 'number') {
    if (!Number.isInteger(options.labelColumn) || options.labelColumn < 0 || options.labelColumn >= width) {
      throw new Error(`${src}: label column ${options.labelColumn} is out of range (the file has ${width} columns)`);
    }
    labelIdx = options.labelColumn;
  } else if (typeof options.labelColumn === 'string') {
    labelIdx = names.indexOf(options.labelColumn);
    if (labelIdx < 0) {
      throw new Error(`${src}: no column named '${clipText(options.labelColumn)}' (columns: ${names.slice(0, 20).map((c) => clipText(c, 40)).join(', ')}${names.length > 20 ? `, ... ${names.length} in all` : ''})`);
    }
  }
  const n = rows.length;
  const d = width - 1;
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  rows.forEach(({ line, cells }, i) => {
    if (cells.length !== width) {
      throw new Error(`${src}: line ${line} has ${cells.length} columns, expected ${width}`);
    }
    let j = 0;
    cells.forEach((cell, col) => {
      if (!isNumeric(cell)) {
        throw new Error(`${src}: line ${line}, column ${col + 1} (${clipText(names[col], 60)}): '${clipText(cell)}' is not a finite number`);
      }
      const v = Number(cell);
      if (col === labelIdx) y[i] = v;
      else x[i * d + j++] = v;
    });
  });
  const classification = y.every((v) => Number.isInteger(v) && v >= 0);
  const numClasses = classification ? y.reduce((m, v) => Math.max(m, v), 0) + 1 : 0;
  const maxClasses = options.maxClasses ?? DEFAULT_MAX_CLASSES;
  if (classification && numClasses > maxClasses) {
    const at = y.findIndex((v) => v === numClasses - 1);
    throw new Error(
      `${src}: line ${rows[at].line}: label ${numClasses - 1} would make ${numClasses} classes (integer labels are classes 0..max), ` +
        `over the cap of ${maxClasses}; relabel the classes 0..k-1, or raise the cap (--max-classes, option maxClasses)`,
    );
  }
  return {
    x: new Tensor(x, [n, d]),
    y: classification ? new Tensor(y, [n]) : new Tensor(y, [n, 1]),
    featureNames: names.filter((_, i) => i !== labelIdx),
    labelName: names[labelIdx],
    classification,
    numClasses,
  };
}

/** Writes features and labels as CSV text with a header (`x0..x{d-1},label`). */
export function toCsv(x: Tensor, y: Tensor, names?: string[]): string {
  const [n, d] = x.shape;
  const xs = x.values();
  const ys = y.values();
  const head = [...(names ?? Array.from({ length: d }, (_, i) => `x${i}`)), 'label'].join(',');
  const lines = [head];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < d; j++) row.push(xs[i * d + j]);
    row.push(ys[i]);
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
