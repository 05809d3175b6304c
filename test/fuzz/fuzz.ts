// The fuzz suite's shared pieces: a seeded generator, the run length (HALFSPACE_FUZZ=long for a
// longer run), the clean-refusal rule and the time and memory bounds every suite reports.

import { expect } from 'vitest';
import { mulberry32 } from '../helpers/gradcheck.js';

/** `HALFSPACE_FUZZ=long` multiplies every suite's case count by 20 (minutes instead of seconds). */
export const LONG = process.env.HALFSPACE_FUZZ === 'long';
/** The seed: HALFSPACE_FUZZ_SEED, or fixed, so a failure in `npm test` replays exactly. */
export const SEED = Number(process.env.HALFSPACE_FUZZ_SEED ?? 20240611);

export const cases = (n: number): number => (LONG ? 20 * n : n);

export interface Gen {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
}

export function gen(salt: number): Gen {
  const r = mulberry32((SEED ^ Math.imul(salt, 0x9e3779b1)) >>> 0);
  return {
    next: r,
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r() * xs.length)],
    chance: (p) => r() < p,
  };
}

/** The errors a clean refusal may not be: what JS throws when code was not ready for the input. */
const RAW = /^(RangeError|TypeError|SyntaxError|ReferenceError)$/;

/**
 * A clean refusal: an Error (not a raw RangeError/TypeError), whose message starts with `prefix`,
 * is at most `maxLength` characters and holds no stack-overflow or internal wording.
 */
export function expectCleanRefusal(e: unknown, prefix: string, what: string, maxLength = 800): void {
  expect(e, what).toBeInstanceOf(Error);
  const err = e as Error;
  expect(RAW.test(err.name), `${what}: raw ${err.name}: ${err.message.slice(0, 200)}`).toBe(false);
  expect(err.message.startsWith(prefix), `${what}: message ${JSON.stringify(err.message.slice(0, 200))} should start with ${prefix}`).toBe(true);
  expect(err.message.length, `${what}: message of ${err.message.length} characters`).toBeLessThanOrEqual(maxLength);
  expect(err.message, what).not.toMatch(/Maximum call stack|undefined is not|Cannot read propert|is not a function|out of memory/);
}

/** Runs `body` over `n` cases, tracking the slowest case and the peak heap; returns the figures. */
export function fuzzLoop(n: number, body: (i: number) => void): { cases: number; slowestMs: number; totalMs: number; peakHeapMB: number } {
  let slowest = 0;
  let peak = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    body(i);
    slowest = Math.max(slowest, performance.now() - t);
    if (i % 16 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { cases: n, slowestMs: slowest, totalMs: performance.now() - t0, peakHeapMB: peak / 2 ** 20 };
}

/** The bounds docs/hardening.md states: per input and for the whole process. */
export const BOUNDS = { caseMs: 2000, heapMB: 1024 };

export function expectBounded(stats: { slowestMs: number; peakHeapMB: number }, what: string): void {
  expect(stats.slowestMs, `${what}: slowest case`).toBeLessThan(BOUNDS.caseMs);
  expect(stats.peakHeapMB, `${what}: peak heap`).toBeLessThan(BOUNDS.heapMB);
}
