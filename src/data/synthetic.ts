// Seeded 2-D classification sets on [-1, 1]^2 (E2) and the splitting/standardising helpers.

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

/** Options of `twoRings`. */
export interface RingsOptions extends Synthetic2DOptions {
  /** Centre radii of the inner and outer ring (default [0.35, 0.75]). */
  radii?: [number, number];
  /** Half the width of each ring: radii lie in [r - halfWidth, r + halfWidth] (default 0.1). */
  halfWidth?: number;
}

/** Flips a binary label with probability `noise` (no draw when noise is 0). */
function flip(rng: Rng, noise: number, c: number): number {
  return noise > 0 && rng.uniform() < noise ? 1 - c : c;
}

/**
 * Two concentric rings around the origin: label 0 on the inner ring, 1 on the outer one.
 * Point i belongs to ring i mod 2 (so the classes are balanced exactly), its angle is uniform
 * and its radius is area-uniform in [r - halfWidth, r + halfWidth] (r = sqrt of a uniform draw
 * between the squared bounds), so each ring is filled with constant density. With the default
 * radii every point lies inside [-0.85, 0.85]^2. A ring is not a union of few half-planes:
 * the gating lines have to surround the inner ring.
 *
 * Uses Math.cos/Math.sin: the same seed gives the same bytes on one JS engine (V8's are
 * fdlibm ports, identical on every platform), though ECMAScript does not require it across engines.
 *
 * @example
 * ```ts
 * const d = twoRings({ n: 500, noise: 0.05, seed: 1 });
 * d.x.shape; // [500, 2]
 * ```
 */
export function twoRings(o: RingsOptions = {}): LabeledData {
  const { n, noise, rng } = options('twoRings', o);
  const radii = o.radii ?? [0.35, 0.75];
  const hw = o.halfWidth ?? 0.1;
  if (!(hw >= 0) || !radii.every((r) => r - hw >= 0 && r + hw <= 1)) {
    throw new Error(`twoRings: need 0 <= r - halfWidth and r + halfWidth <= 1 for both radii, got radii [${radii.join(', ')}], halfWidth ${hw}`);
  }
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ring = i % 2;
    const lo = radii[ring] - hw;
    const hi = radii[ring] + hw;
    const r = Math.sqrt(lo * lo + (hi * hi - lo * lo) * rng.uniform());
    const phi = 2 * Math.PI * rng.uniform();
    x[2 * i] = r * Math.cos(phi);
    x[2 * i + 1] = r * Math.sin(phi);
    y[i] = flip(rng, noise, ring);
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Options of `twoSpirals`. */
export interface SpiralsOptions extends Synthetic2DOptions {
  /** Turns of each spiral (default 1.5). */
  turns?: number;
  /** Radius at the end of each spiral (default 0.9). */
  maxRadius?: number;
  /** Standard deviation of Gaussian jitter added to each coordinate (default 0). */
  jitter?: number;
}

/**
 * Two interleaved Archimedean spirals: point i belongs to spiral c = i mod 2, draws t uniform
 * in [0, 1) and sits at radius `maxRadius * t`, angle `2 pi turns t + c pi`, plus optional
 * Gaussian jitter; coordinates are clamped to [-1, 1]. Label = c (then label noise).
 * The two spirals are the same curve rotated by pi, so they never cross except at the origin.
 *
 * Uses Math.cos/Math.sin: see `twoRings` on determinism.
 *
 * @example
 * ```ts
 * const d = twoSpirals({ n: 1000, turns: 2, jitter: 0.02, seed: 3 });
 * ```
 */
export function twoSpirals(o: SpiralsOptions = {}): LabeledData {
  const { n, noise, rng } = options('twoSpirals', o);
  const turns = o.turns ?? 1.5;
  const rMax = o.maxRadius ?? 0.9;
  const jitter = o.jitter ?? 0;
  if (!(turns > 0 && Number.isFinite(turns))) throw new Error(`twoSpirals: turns must be positive, got ${turns}`);
  if (!(rMax > 0 && rMax <= 1)) throw new Error(`twoSpirals: maxRadius must be in (0, 1], got ${rMax}`);
  if (!(jitter >= 0 && Number.isFinite(jitter))) throw new Error(`twoSpirals: jitter must be >= 0, got ${jitter}`);
  const clamp = (v: number): number => (v < -1 ? -1 : v > 1 ? 1 : v);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const t = rng.uniform();
    const r = rMax * t;
    const phi = 2 * Math.PI * turns * t + c * Math.PI;
    let a = r * Math.cos(phi);
    let b = r * Math.sin(phi);
    if (jitter > 0) {
      a += rng.normal(0, jitter);
      b += rng.normal(0, jitter);
    }
    x[2 * i] = clamp(a);
    x[2 * i + 1] = clamp(b);
    y[i] = flip(rng, noise, c);
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]) };
}

/** Options of `blobs`. */
export interface BlobsOptions extends Synthetic2DOptions {
  /** Number of blobs when `centres` is not given (default 4). */
  k?: number;
  /** Blob centres; default: `k` seeded centres (see `blobs`). */
  centres?: readonly (readonly [number, number])[];
  /** Standard deviation of each blob (default 0.15). */
  std?: number;
  /** 'parity' (default): label = blob index mod 2, a binary task; 'index': label = blob index. */
  labels?: 'parity' | 'index';
  /** Smallest distance between seeded centres (default 3 std). */
  minSeparation?: number;
}

/** Gaussian blobs: labelled points plus the centres [k, 2] and each point's blob index. */
export interface BlobsData extends LabeledData {
  centres: Tensor;
  blob: Int32Array;
}

/**
 * k isotropic Gaussian blobs. Point i belongs to blob i mod k (equal sizes) and is
 * `centre + std N(0, I)`, clamped to [-1, 1]^2. Without `centres`, the centres are drawn first,
 * uniform in [-0.7, 0.7]^2, each redrawn until it is at least `minSeparation` from the earlier ones
 * (an error after 10 000 draws says to lower k or the separation). Label noise flips a parity
 * label, and replaces an index label by a uniformly chosen other blob's index.
 *
 * The default (parity labels) is binary, so `blobs` can sit in `DATASETS_2D` next to the others.
 *
 * @example
 * ```ts
 * const d = blobs({ n: 800, k: 6, labels: 'index', seed: 2 });
 * d.centres.shape; // [6, 2]
 * ```
 */
export function blobs(o: BlobsOptions = {}): BlobsData {
  const { n, noise, rng } = options('blobs', o);
  const std = o.std ?? 0.15;
  const labels = o.labels ?? 'parity';
  if (!(std >= 0 && Number.isFinite(std))) throw new Error(`blobs: std must be >= 0, got ${std}`);
  if (labels !== 'parity' && labels !== 'index') throw new Error(`blobs: labels must be 'parity' or 'index', got '${String(labels)}'`);
  let centres: number[];
  if (o.centres !== undefined) {
    if (o.centres.length < 1 || o.centres.some((c) => c.length !== 2 || !c.every(Number.isFinite))) {
      throw new Error('blobs: centres must be a non-empty list of finite [x, y] pairs');
    }
    centres = o.centres.flatMap((c) => [c[0], c[1]]);
  } else {
    const k = o.k ?? 4;
    if (!Number.isInteger(k) || k < 1) throw new Error(`blobs: k must be a positive integer, got ${k}`);
    const sep = o.minSeparation ?? 3 * std;
    centres = [];
    for (let j = 0; j < k; j++) {
      for (let tries = 0; ; tries++) {
        if (tries === 10_000) {
          throw new Error(`blobs: cannot place ${k} centres ${sep} apart in [-0.7, 0.7]^2; lower k, std or minSeparation, or give centres`);
        }
        const a = rng.uniformRange(-0.7, 0.7);
        const b = rng.uniformRange(-0.7, 0.7);
        let ok = true;
        for (let m = 0; m < j && ok; m++) ok = (a - centres[2 * m]) ** 2 + (b - centres[2 * m + 1]) ** 2 >= sep * sep;
        if (ok) {
          centres.push(a, b);
          break;
        }
      }
    }
  }
  const k = centres.length / 2;
  const clamp = (v: number): number => (v < -1 ? -1 : v > 1 ? 1 : v);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  const blob = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = i % k;
    blob[i] = j;
    x[2 * i] = clamp(centres[2 * j] + std * rng.normal());
    x[2 * i + 1] = clamp(centres[2 * j + 1] + std * rng.normal());
    let c = labels === 'parity' ? j % 2 : j;
    if (noise > 0 && rng.uniform() < noise) {
      if (labels === 'parity') c = 1 - c;
      else if (k > 1) c = (c + 1 + rng.integer(0, k - 1)) % k;
    }
    y[i] = c;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]), centres: new Tensor(Float64Array.from(centres), [k, 2]), blob };
}

/**
 * The 2-D binary classification sets by command-line name (`--dataset NAME`): each takes
 * `{ n, noise, seed }` (noise = label-flip probability) and returns x [n, 2], labels y [n] in {0, 1}.
 * The circle regression set (`circle`) and the four-mode set (`fourMode`, fixed splits) have
 * other shapes of result and are exported on their own.
 */
export const DATASETS_2D = { disk, xor, rings: twoRings, spirals: twoSpirals, blobs } as const;

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
