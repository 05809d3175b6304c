// Regions in any input dimension: membership of a path's region or a gate pattern's cell, and Monte Carlo volumes.

import type { Model } from '../models/families.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { type PathIdLike, type Planes, checkBatch, checkPattern, checkPoint, parsePathId, planesOf, preActivation, requireHalfspaces } from './planes.js';

/**
 * A region, as `inRegion` and `monteCarloVolume` take it: a path id (the path's active region)
 * or a full gate pattern (one array of 0/1 per hidden layer).
 */
export type RegionSpec = PathIdLike | readonly ArrayLike<number>[];

/** A predicate on points xs[off .. off + d), for a path id or a full pattern. */
function compileRegion(fn: string, model: Model, region: RegionSpec): { planes: Planes; test: (xs: ArrayLike<number>, off: number) => boolean } {
  const hs = requireHalfspaces(fn, model);
  const planes = planesOf(hs);
  if (!Array.isArray(region) || region.length === 0) throw new Error(`${fn}: expected a path id or a gate pattern`);
  if (typeof region[0] === 'number') {
    const { startLayer, units } = parsePathId(fn, model, region as PathIdLike);
    for (let k = 0; k < units.length; k++) {
      const m = planes.m[startLayer - 1 + k];
      if (units[k] < 0 || units[k] >= m) throw new Error(`${fn}: unit ${units[k]} is out of range for layer ${startLayer + k} of width ${m}`);
    }
    return {
      planes,
      test: (xs, off) => {
        for (let k = 0; k < units.length; k++) if (!(preActivation(planes, startLayer - 1 + k, units[k], xs, off) > 0)) return false;
        return true;
      },
    };
  }
  const pattern = region as readonly ArrayLike<number>[];
  checkPattern(fn, model, pattern);
  return {
    planes,
    test: (xs, off) => {
      for (let l = 0; l < planes.m.length; l++) {
        for (let i = 0; i < planes.m[l]; i++) {
          if ((preActivation(planes, l, i, xs, off) > 0 ? 1 : 0) !== pattern[l][i]) return false;
        }
      }
      return true;
    },
  };
}

/**
 * Whether points lie in a region: a path id (every unit the path visits is ON under hard gates)
 * or a full gate pattern (the point's pattern equals it, as `gatePattern` computes). A single
 * point gives a boolean, a batch [n, d] one boolean per row. Works in any input dimension.
 */
export function inRegion(model: Model, region: RegionSpec, x: Tensor): boolean[];
export function inRegion(model: Model, region: RegionSpec, x: ArrayLike<number>): boolean;
export function inRegion(model: Model, region: RegionSpec, x: Tensor | ArrayLike<number>): boolean | boolean[] {
  const { planes, test } = compileRegion('inRegion', model, region);
  if (x instanceof Tensor) {
    const xs = checkBatch('inRegion', x, planes.d);
    const out: boolean[] = [];
    for (let s = 0; s < x.shape[0]; s++) out.push(test(xs, s * planes.d));
    return out;
  }
  checkPoint('inRegion', x, planes.d);
  return test(x, 0);
}

/** A box in R^d: per-coordinate bounds, or a half-width h for [-h, h]^d. */
export type BoxND = { lo: readonly number[]; hi: readonly number[] } | number;

export interface MonteCarloOptions {
  /** Default: half-width 1, i.e. [-1, 1]^d. */
  box?: BoxND;
  /** Number of uniform samples in the box (default 10 000). */
  samples?: number;
  /** Seed of the project's `Rng` (default 0). */
  seed?: number;
}

/** A Monte Carlo volume: an estimate, never an exact value. */
export interface VolumeEstimate {
  /** box volume x fraction of samples inside. */
  estimate: number;
  /**
   * box volume x sqrt(p (1 - p) / n). Zero when no sample (or every sample) fell inside, which
   * does not mean the volume is exactly 0 (or the whole box); use more samples to tell.
   */
  standardError: number;
  samples: number;
  fractionInside: number;
  boxVolume: number;
  isEstimate: true;
}

/**
 * The volume of a region (a path id's active region, or the cell of a full gate pattern)
 * inside a box, estimated from uniform samples drawn with `new Rng(seed)` (`uniformRange`, one
 * coordinate after another). Deterministic for a seed. For 2-D models `arrangement2D` gives
 * exact areas.
 */
export function monteCarloVolume(model: Model, region: RegionSpec, options: MonteCarloOptions = {}): VolumeEstimate {
  const { planes, test } = compileRegion('monteCarloVolume', model, region);
  const d = planes.d;
  const n = options.samples ?? 10000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`monteCarloVolume: samples must be a positive integer, got ${n}`);
  const boxSpec = options.box ?? 1;
  let lo: number[];
  let hi: number[];
  if (typeof boxSpec === 'number') {
    if (!(boxSpec > 0) || !Number.isFinite(boxSpec)) throw new Error(`monteCarloVolume: box half-width must be finite and > 0, got ${boxSpec}`);
    lo = new Array<number>(d).fill(-boxSpec);
    hi = new Array<number>(d).fill(boxSpec);
  } else {
    lo = Array.from(boxSpec.lo);
    hi = Array.from(boxSpec.hi);
    if (lo.length !== d || hi.length !== d) throw new Error(`monteCarloVolume: box lo/hi need ${d} entries, got ${lo.length} and ${hi.length}`);
    for (let j = 0; j < d; j++) {
      if (!Number.isFinite(lo[j]) || !Number.isFinite(hi[j]) || !(lo[j] < hi[j])) {
        throw new Error(`monteCarloVolume: box coordinate ${j} needs finite lo < hi, got [${lo[j]}, ${hi[j]}]`);
      }
    }
  }
  const boxVolume = lo.reduce((v, l, j) => v * (hi[j] - l), 1);
  const rng = new Rng(options.seed ?? 0);
  const x = new Float64Array(d);
  let inside = 0;
  for (let s = 0; s < n; s++) {
    for (let j = 0; j < d; j++) x[j] = rng.uniformRange(lo[j], hi[j]);
    if (test(x, 0)) inside++;
  }
  const p = inside / n;
  return {
    estimate: boxVolume * p,
    standardError: boxVolume * Math.sqrt((p * (1 - p)) / n),
    samples: n,
    fractionInside: p,
    boxVolume,
    isEstimate: true,
  };
}
