// The CIFAR-10/100 binary record format parsed from bytes (browser-safe; src/node/datasets.ts reads the files).

import { Tensor } from '../tensor/tensor.js';
import type { LabeledData } from './synthetic.js';

export type CifarVariant = 'cifar10' | 'cifar100';

export interface CifarOptions {
  variant: CifarVariant;
  /** CIFAR-100 only: which label byte becomes y (default 'fine', 100 classes; 'coarse' has 20). */
  label?: 'coarse' | 'fine';
  /** Read at most this many records. */
  limit?: number;
  /** Where the bytes came from, for error messages. */
  source?: string;
}

/** Images x [n, 3072] in [0, 1] (channel-major, see `readCifarBinary`), labels y [n]. */
export interface CifarData extends LabeledData {
  numClasses: number;
}

/** Pixels per image: 3 channels of 32 x 32. */
export const CIFAR_PIXELS = 3 * 32 * 32;

/** CIFAR-10 class names by label. */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** Bytes per record: label byte(s) + 3072 pixel bytes (3073 for CIFAR-10, 3074 for CIFAR-100). */
export function cifarRecordSize(variant: CifarVariant): number {
  return labelBytes(variant) + CIFAR_PIXELS;
}

function labelBytes(variant: CifarVariant): number {
  if (variant === 'cifar10') return 1;
  if (variant === 'cifar100') return 2;
  throw new Error(`readCifarBinary: variant must be 'cifar10' or 'cifar100', got '${String(variant)}'`);
}

/**
 * Parses the standard CIFAR binary format.
 *
 * - CIFAR-10 record: 1 label byte (0..9) + 3072 pixel bytes.
 * - CIFAR-100 record: 1 coarse label byte (0..19) + 1 fine label byte (0..99) + 3072 pixel bytes.
 *
 * The 3072 pixel bytes are 1024 red, then 1024 green, then 1024 blue values, each channel a 32 x 32
 * image in row-major order. x keeps that channel-major order (x[i, c * 1024 + r * 32 + col]),
 * so `x.reshape([n, 3, 32, 32])` is NCHW; pixels are scaled by 1/255 into [0, 1].
 *
 * @throws when the length is zero or not a whole number of records (the error gives the record
 *   size and the remainder), or a label byte is out of range (the error names the record).
 *
 * @example
 * ```ts
 * const d = readCifarBinary(bytes, { variant: 'cifar100', label: 'coarse' });
 * d.numClasses; // 20
 * ```
 */
export function readCifarBinary(buffer: Uint8Array, options: CifarOptions): CifarData {
  const { variant } = options;
  const src = options.source ?? 'readCifarBinary';
  const head = labelBytes(variant);
  const size = head + CIFAR_PIXELS;
  if (variant === 'cifar10' && options.label !== undefined && options.label !== 'fine') {
    throw new Error(`${src}: CIFAR-10 has a single label; label '${options.label}' applies to CIFAR-100 only`);
  }
  const which = options.label ?? 'fine';
  if (which !== 'fine' && which !== 'coarse') throw new Error(`${src}: label must be 'coarse' or 'fine', got '${String(which)}'`);
  const labelAt = variant === 'cifar100' && which === 'fine' ? 1 : 0;
  const numClasses = variant === 'cifar10' ? 10 : which === 'fine' ? 100 : 20;
  if (buffer.length === 0) throw new Error(`${src}: empty ${variant} data, expected records of ${size} bytes`);
  const remainder = buffer.length % size;
  if (remainder !== 0) {
    const whole = Math.floor(buffer.length / size);
    throw new Error(
      `${src}: ${buffer.length} bytes is not a whole number of ${variant} records of ${size} bytes ` +
        `(${head} label byte${head > 1 ? 's' : ''} + ${CIFAR_PIXELS} pixel bytes): ` +
        `${whole} record${whole === 1 ? '' : 's'} and ${remainder} bytes left over`,
    );
  }
  let n = buffer.length / size;
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 0) throw new Error(`${src}: limit must be a non-negative integer, got ${options.limit}`);
    n = Math.min(n, options.limit);
  }
  const x = new Float64Array(n * CIFAR_PIXELS);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * size;
    const label = buffer[at + labelAt];
    if (label >= numClasses) {
      throw new Error(`${src}: record ${i} has ${which === 'coarse' ? 'coarse ' : variant === 'cifar100' ? 'fine ' : ''}label ${label}, expected 0..${numClasses - 1}`);
    }
    y[i] = label;
    const px = at + head;
    const out = i * CIFAR_PIXELS;
    for (let k = 0; k < CIFAR_PIXELS; k++) x[out + k] = buffer[px + k] / 255;
  }
  return { x: new Tensor(x, [n, CIFAR_PIXELS]), y: new Tensor(y, [n]), numClasses };
}

/** Concatenates labelled sets (x [n_i, d], y [n_i]) row-wise, in order. */
export function concatLabeled<T extends LabeledData>(parts: readonly T[]): LabeledData {
  if (parts.length === 0) throw new Error('concatLabeled: nothing to concatenate');
  const width = parts[0].x.shape[1];
  for (const p of parts) {
    if (p.x.ndim !== 2 || p.x.shape[1] !== width) throw new Error(`concatLabeled: expected x of shape [n, ${width}], got [${p.x.shape.join(', ')}]`);
    if (p.y.ndim !== 1 || p.y.shape[0] !== p.x.shape[0]) throw new Error(`concatLabeled: expected y of shape [${p.x.shape[0]}], got [${p.y.shape.join(', ')}]`);
  }
  const rows = parts.reduce((s, p) => s + p.x.shape[0], 0);
  const x = new Float64Array(rows * width);
  const y = new Float64Array(rows);
  let at = 0;
  for (const p of parts) {
    x.set(p.x.values(), at * width);
    y.set(p.y.values(), at);
    at += p.x.shape[0];
  }
  return { x: new Tensor(x, [rows, width]), y: new Tensor(y, [rows]) };
}
