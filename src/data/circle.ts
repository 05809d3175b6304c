// E1's circle regression: equally spaced points on the unit circle, a slow half and a fast half.

import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { LabeledData } from './synthetic.js';

/** The three (a, b) settings of E1. */
export const CIRCLE_PRESETS = {
  a1b9: { a: 1, b: 9 },
  a2b12: { a: 2, b: 12 },
  a1b17: { a: 1, b: 17 },
} as const;

export type CirclePreset = keyof typeof CIRCLE_PRESETS;

export interface CircleOptions {
  /** Number of points (default 1000). */
  n?: number;
  /** Frequency on the slow half theta in [0, pi). */
  a?: number;
  /** Frequency on the fast half theta in [pi, 2 pi). */
  b?: number;
  /** One of the E1 settings; default 'a1b9' when neither a nor b is given. */
  preset?: CirclePreset;
  /** Standard deviation of Gaussian noise added to the targets (default 0: no draws at all). */
  noise?: number;
  seed?: number | Rng;
}

/** Points x [n, 2], targets y [n, 1], the angles and the (a, b) used. */
export interface CircleData extends LabeledData {
  theta: Float64Array;
  a: number;
  b: number;
}

/**
 * The E1 target: sin(a theta) for theta < pi, else sin(a pi + b (theta - pi)).
 * Continuous at theta = pi (both sides give sin(a pi)).
 */
export function circleTarget(theta: number, a: number, b: number): number {
  return theta < Math.PI ? Math.sin(a * theta) : Math.sin(a * Math.PI + b * (theta - Math.PI));
}

/**
 * n points at the equally spaced angles theta_i = 2 pi i / n (i = 0..n-1) on the unit circle,
 * x_i = (cos theta_i, sin theta_i), y_i = `circleTarget(theta_i, a, b)` plus optional Gaussian
 * noise of standard deviation `noise`. Without noise the data does not depend on the seed.
 * Half-planes through the origin cut arcs of this circle, so bias-free DLGNs suit it.
 *
 * `preset` and explicit `a`/`b` may be combined only when they agree.
 * Uses Math.cos/Math.sin: bytes are reproducible on one JS engine (see `twoRings`).
 *
 * @example
 * ```ts
 * const d = circle({ n: 200, preset: 'a2b12' });
 * d.y.shape; // [200, 1]
 * ```
 */
export function circle(o: CircleOptions = {}): CircleData {
  const n = o.n ?? 1000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`circle: n must be a positive integer, got ${n}`);
  let a: number;
  let b: number;
  if (o.preset !== undefined) {
    const p = CIRCLE_PRESETS[o.preset];
    if (p === undefined) throw new Error(`circle: preset must be one of ${Object.keys(CIRCLE_PRESETS).join(', ')}, got '${o.preset}'`);
    if ((o.a !== undefined && o.a !== p.a) || (o.b !== undefined && o.b !== p.b)) {
      throw new Error(`circle: preset '${o.preset}' means a = ${p.a}, b = ${p.b}, but a = ${o.a}, b = ${o.b} were given`);
    }
    ({ a, b } = p);
  } else if (o.a === undefined && o.b === undefined) {
    ({ a, b } = CIRCLE_PRESETS.a1b9);
  } else {
    if (o.a === undefined || o.b === undefined) throw new Error('circle: give both a and b, or a preset');
    a = o.a;
    b = o.b;
  }
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new Error(`circle: a and b must be finite, got a = ${a}, b = ${b}`);
  const noise = o.noise ?? 0;
  if (!(noise >= 0 && Number.isFinite(noise))) throw new Error(`circle: noise must be a finite std >= 0, got ${noise}`);
  const rng = noise > 0 ? (o.seed instanceof Rng ? o.seed : new Rng(o.seed ?? 0)) : null;
  const theta = new Float64Array(n);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    theta[i] = t;
    x[2 * i] = Math.cos(t);
    x[2 * i + 1] = Math.sin(t);
    y[i] = circleTarget(t, a, b) + (rng === null ? 0 : rng.normal(0, noise));
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]), theta, a, b };
}

/** Test points: the n midpoints theta = 2 pi (i + 1/2) / n between the training angles. */
export function circleMidpoints(n: number, a: number, b: number): LabeledData & { theta: Float64Array } {
  const theta = new Float64Array(n);
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * (i + 0.5)) / n;
    theta[i] = t;
    x[2 * i] = Math.cos(t);
    x[2 * i + 1] = Math.sin(t);
    y[i] = circleTarget(t, a, b);
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n, 1]), theta };
}
