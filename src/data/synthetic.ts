// Seeded 2-D data sets (disk, XOR) and splitting/standardising helpers.

import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

/** Features [n, d] and integer labels [n] (or targets [n, k]). */
export interface LabeledData {
  x: Tensor;
  y: Tensor;
}

export interface Synthetic2DOptions {
  /** Number of points (default 1000). */
  n?: number;
  /** Probability of flipping each label (default 0). */
  noise?: number;
  seed?: number | Rng;
}

function options(op: string, o: Synthetic2DOptions): { n: number; noise: number; rng: Rng } {
  const n = o.n ?? 1000;
  const noise = o.noise ?? 0;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${op}: n must be a positive integer, got ${n}`);
  if (!(noise >= 0 && noise <= 1)) throw new Error(`${op}: noise must be in [0, 1], got ${noise}`);
  return { n, noise, rng: o.seed instanceof Rng ? o.seed : new Rng(o.seed ?? 0) };
}

function generate(op: string, o: Synthetic2DOptions, label: (a: number, b: number) => number): LabeledData {
  const { n, noise, rng } = options(op, o);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniformRange(-1, 1);
    const b = rng.uniformRange(-1, 1);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    let c = label(a, b);
    if (noise > 0 && rng.uniform() < noise) c = 1 - c;
    y[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Radius of the disk holding half of the square [-1, 1]^2: pi r^2 = 2. */
export const DISK_RADIUS = Math.sqrt(2 / Math.PI);

/**
 * Points uniform on [-1, 1]^2, label 1 inside the centred disk of area 2 (half the square),
 * so the classes are balanced. A bias-free half-plane cannot carve it: gating biases matter.
 */
export function disk(o: Synthetic2DOptions = {}): LabeledData {
  const r2 = DISK_RADIUS * DISK_RADIUS;
  return generate('disk', o, (a, b) => (a * a + b * b < r2 ? 1 : 0));
}

/** Points uniform on [-1, 1]^2, label 1 where exactly one coordinate is positive. */
export function xor(o: Synthetic2DOptions = {}): LabeledData {
  return generate('xor', o, (a, b) => ((a > 0) !== (b > 0) ? 1 : 0));
}

/** Named data sets for the command line. */
export const DATASETS_2D = { disk, xor } as const;

export interface Splits {
  train: LabeledData;
  validation: LabeledData;
  test: LabeledData;
}

/** Splits rows by a seeded permutation into train/validation/test fractions (default 0.6/0.2/0.2). */
export function split(data: LabeledData, fractions: [number, number, number] = [0.6, 0.2, 0.2], seed: number | Rng = 0): Splits {
  const total = fractions[0] + fractions[1] + fractions[2];
  if (fractions.some((f) => !(f >= 0)) || Math.abs(total - 1) > 1e-9) {
    throw new Error(`split: fractions must be >= 0 and add up to 1, got [${fractions.join(', ')}]`);
  }
  const n = data.x.shape[0];
  const rng = seed instanceof Rng ? seed : new Rng(seed);
  const perm = rng.permutation(n);
  const nTrain = Math.round(fractions[0] * n);
  const nVal = Math.round(fractions[1] * n);
  const part = (from: number, to: number): LabeledData => {
    const idx = perm.subarray(from, to);
    return { x: data.x.take(idx, 0), y: data.y.take(idx, 0) };
  };
  return { train: part(0, nTrain), validation: part(nTrain, nTrain + nVal), test: part(nTrain + nVal, n) };
}

/** Per-feature mean and standard deviation (std 1 where a feature is constant). */
export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
  apply(x: Tensor): Tensor;
}

/** Fits a standardiser on `x` [n, d]; `apply` maps any [m, d] to zero mean, unit variance. */
export function standardizer(x: Tensor): Standardizer {
  const [n, d] = x.shape;
  const v = x.values();
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += v[i * d + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) std[j] += (v[i * d + j] - mean[j]) ** 2 / n;
  for (let j = 0; j < d; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j]) : 1;
  return {
    mean,
    std,
    apply(t: Tensor): Tensor {
      if (t.ndim !== 2 || t.shape[1] !== d) throw new Error(`standardize: expected [m, ${d}], got [${t.shape.join(', ')}]`);
      const src = t.values();
      const out = new Float64Array(src.length);
      for (let k = 0; k < src.length; k++) out[k] = (src[k] - mean[k % d]) / std[k % d];
      return new Tensor(out, t.shape);
    },
  };
}
