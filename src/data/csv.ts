// CSV to tensors: header detection, a label column, and errors that name the line and column.

import { Tensor } from '../tensor/tensor.js';

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
  /** Force header detection on or off; by default a first row with any non-numeric cell is a header. */
  header?: boolean;
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
  const hasHeader = options.header ?? rows[0].cells.some((c) => !isNumeric(c));
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
      throw new Error(`${src}: no column named '${options.labelColumn}' (columns: ${names.join(', ')})`);
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
        throw new Error(`${src}: line ${line}, column ${col + 1} (${names[col]}): '${cell}' is not a finite number`);
      }
      const v = Number(cell);
      if (col === labelIdx) y[i] = v;
      else x[i * d + j++] = v;
    });
  });
  const classification = y.every((v) => Number.isInteger(v) && v >= 0);
  const numClasses = classification ? y.reduce((m, v) => Math.max(m, v), 0) + 1 : 0;
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
