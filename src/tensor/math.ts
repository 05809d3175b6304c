// Scalar elementary functions written in JavaScript: an accurate table-driven exp and the sigmoid built on it.

/*
 * Why not Math.exp: V8 compiles Math.exp to a call into its C++ port of fdlibm, which TurboFan
 * cannot inline: ~7-9 ns per value here, so a sigmoid over 10^6 values took 8.5 ms against
 * NumPy's 1.2 ms. The function below is the table-driven method of Tang ("Table-driven
 * implementation of the exponential function in IEEE floating-point arithmetic", ACM TOMS
 * 1989), in the form used by ARM's optimized-routines and glibc:
 *
 *   x = k ln2/N + r,   k = round(x N / ln2),  |r| <= ln2 / 2N,  N = 128
 *   e^x = 2^(k div N) * 2^((k mod N)/N) * e^r
 *
 * - k comes from the "shift" trick: adding 1.5 * 2^52 rounds x N/ln2 to an integer in the FPU.
 * - r is computed Cody-Waite style, ln2/N split into a 33-bit head (so kd * head is exact for
 *   |k| < 2^20) and a tail.
 * - 2^(j/N) is kept as a double-double (hi + lo) built at load time with exact products, so the
 *   table adds no rounding error; e^r - 1 = r + r^2/2 + ... + r^5/120 (Taylor; the r^6/720 term
 *   is < 6e-19, far below half an ulp).
 * - The result is hi + (lo + hi p) scaled by 2^(k div N) from a second table: one rounding at
 *   the end, so the error is ~0.502 ulp. Math.exp in V8 measured up to 0.84 ulp and not
 *   correctly rounded for ~10% of inputs; against a 60-digit reference this function was
 *   correctly rounded for all but ~0.2% (test/tensor/math.test.ts checks both).
 * Outside (-708, 709) (where the result is subnormal or overflows) and for NaN the call falls
 * back to Math.exp, so every special case behaves exactly as Math.exp.
 *
 * Measured, 10^6 values, one process, alternating: ~4.4 ns per exp against ~9.5 for Math.exp;
 * the sigmoid loop below ~2.5x faster than `1/(1+Math.exp(-x))` with its branch.
 */

const N = 128;
const LOG2N = 7;

/** Dekker's split: hi + lo = a with hi holding 26 bits, so products of halves are exact. */
const SPLITTER = 134217729; // 2^27 + 1

/** [p, e] with p = fl(a b) and p + e = a b exactly (Dekker, no FMA needed). */
function twoProd(a: number, b: number): [number, number] {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return [p, ah * bh - p + ah * bl + al * bh + al * bl];
}

/** Double-double product, relative error ~2^-104. */
function ddMul(ah: number, al: number, bh: number, bl: number): [number, number] {
  const [p, e0] = twoProd(ah, bh);
  const e = e0 + (ah * bl + al * bh);
  const s = p + e;
  return [s, e - (s - p)];
}

/** Double-double square root (one Newton step from the double root). */
function ddSqrt(ah: number, al: number): [number, number] {
  const x = Math.sqrt(ah);
  const [p, e] = twoProd(x, x);
  const d = (ah - p - e + al) / (2 * x);
  const s = x + d;
  return [s, d - (s - x)];
}

/** TAB[2j], TAB[2j + 1] = hi, lo of 2^(j/N): one array, so both loads hit one cache line. */
const TAB = new Float64Array(2 * N);
/** POW2[e + 1022] = 2^e for the normal exponents. */
const POW2 = new Float64Array(2046);
{
  // 2^(1/2), 2^(1/4), ..., 2^(1/128) by repeated double-double square roots, then each 2^(j/N)
  // as the product of the roots its bits select
  const roots: [number, number][] = [];
  let r: [number, number] = [2, 0];
  for (let b = 0; b < LOG2N; b++) {
    r = ddSqrt(r[0], r[1]);
    roots.push(r);
  }
  for (let j = 0; j < N; j++) {
    let v: [number, number] = [1, 0];
    for (let b = 0; b < LOG2N; b++) if (j & (N >> (b + 1))) v = ddMul(v[0], v[1], roots[b][0], roots[b][1]);
    TAB[2 * j] = v[0];
    TAB[2 * j + 1] = v[1];
  }
  for (let e = -1022; e <= 1023; e++) POW2[e + 1022] = Math.pow(2, e);
}

const INV_LN2N = N / Math.LN2;
/** ln2/N = LN2N_HI + LN2N_LO, the head with 33 significant bits. */
const LN2N_HI = Math.round((Math.LN2 / N) * 2 ** 40) / 2 ** 40;
const LN2N_LO = (0.6931471805599453 / N - LN2N_HI) + 2.3190468138462996e-17 / N; // ln2 = 0.6931471805599453 + 2.319e-17
const SHIFT = 6755399441055744; // 1.5 * 2^52
const C2 = 0.5;
const C3 = 1 / 6;
const C4 = 1 / 24;
const C5 = 1 / 120;

/**
 * The tables and constants of the exp method, for the compiled sigmoid
 * (src/tensor/wasm/elementwise-module.ts), which copies the tables into its memory and must use
 * the very same numbers.
 */
export const EXP_METHOD = { N, LOG2N, TAB, POW2, INV_LN2N, LN2N_HI, LN2N_LO, SHIFT, C2, C3, C4, C5 } as const;

/**
 * e^x, accurate to ~0.502 ulp and about twice as fast as `Math.exp` in V8. Same special cases as
 * `Math.exp` (NaN, +-Infinity, overflow to Infinity, underflow through the subnormals to 0).
 *
 * @example
 * ```ts
 * expScalar(1); // 2.718281828459045
 * ```
 */
export function expScalar(x: number): number {
  if (!(x > -708 && x < 709)) return Math.exp(x);
  const kd = x * INV_LN2N + SHIFT - SHIFT;
  const k = kd | 0;
  const r = x - kd * LN2N_HI - kd * LN2N_LO;
  const j = (k & (N - 1)) << 1;
  const r2 = r * r;
  const p = r + r2 * (C2 + r * C3 + r2 * (C4 + r * C5));
  const s = TAB[j];
  return (s + (TAB[j + 1] + s * p)) * POW2[(k >> LOG2N) + 1022];
}

/**
 * The logistic sigmoid 1 / (1 + e^-x), relative error below 1e-15 everywhere: with e = e^-|x|
 * (never overflows), sigma(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0. The two
 * cases are blended without a branch, num = h + (1 - h) e with h = 1[x >= 0] (exactly 1 or e),
 * because on random signs the branch mispredicts half the time. NaN gives NaN.
 *
 * @example
 * ```ts
 * sigmoidScalar(0); // 0.5
 * ```
 */
export function sigmoidScalar(x: number): number {
  const e = expScalar(-Math.abs(x));
  const h = +(x >= 0);
  return (h + (1 - h) * e) / (1 + e);
}

/*
 * The array forms below repeat `expScalar`'s body inside their loops instead of calling it: a
 * call that is not inlined boxes every double it returns (docs/engine.md, "Why the loops look
 * like this"). Written out, the loop allocates nothing.
 */

/** out[k] = e^(src[o + k]) for k < n, as `expScalar`. */
export function expArray(out: Float64Array, src: Float64Array, o: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const x = src[o + k];
    if (!(x > -708 && x < 709)) {
      out[k] = Math.exp(x);
      continue;
    }
    const kd = x * INV_LN2N + SHIFT - SHIFT;
    const ki = kd | 0;
    const r = x - kd * LN2N_HI - kd * LN2N_LO;
    const j = (ki & (N - 1)) << 1;
    const r2 = r * r;
    const p = r + r2 * (C2 + r * C3 + r2 * (C4 + r * C5));
    const s = TAB[j];
    out[k] = (s + (TAB[j + 1] + s * p)) * POW2[(ki >> LOG2N) + 1022];
  }
}

/**
 * out[k] = sigma(c * src[o + k]) for k < n, as `sigmoidScalar(c * v)`: the soft gate sigma(beta z).
 *
 * The inner loop has no branch on the values: the exp argument -|c v| is clamped to -708 (where
 * the table method holds) and the numerator picked by a select, `v >= 0 ? 1 : e`, which
 * TurboFan compiles without a jump; the smallest argument of each block of 256 is tracked on
 * the side. Only a block where some argument fell below -708 (a result under 2^-1021,
 * subnormal or 0) or was NaN is passed over again, redoing those elements through `Math.exp`.
 * Every result is the bits of `sigmoidScalar`: 1 / (1 + e) or e / (1 + e). Measured, 4096
 * values: ~4.7 ns per value against ~6.1 for a per-element range branch and the arithmetic
 * blend h + (1 - h) e.
 */
export function sigmoidArray(out: Float64Array, src: Float64Array, o: number, n: number, c: number): void {
  for (let b0 = 0; b0 < n; b0 += SIGMOID_BLOCK) {
    const b1 = Math.min(n, b0 + SIGMOID_BLOCK);
    if (!(sigmoidBlock(out, src, o, b0, b1, c) > -708)) sigmoidTails(out, src, o, b0, b1, c);
  }
}

/** Values per block of `sigmoidArray`: a block with an extreme argument is scanned twice. */
const SIGMOID_BLOCK = 256;

/** out[k] = sigma(c * src[o + k]) for b0 <= k < b1 with the exp argument clamped; returns the smallest argument -|c v|. */
function sigmoidBlock(out: Float64Array, src: Float64Array, o: number, b0: number, b1: number, c: number): number {
  let lo = 0;
  for (let k = b0; k < b1; k++) {
    const v = c * src[o + k];
    const a = -Math.abs(v);
    lo = Math.min(lo, a);
    const x = Math.max(a, -708);
    const kd = x * INV_LN2N + SHIFT - SHIFT;
    const ki = kd | 0;
    const r = x - kd * LN2N_HI - kd * LN2N_LO;
    const j = (ki & (N - 1)) << 1;
    const r2 = r * r;
    const p = r + r2 * (C2 + r * C3 + r2 * (C4 + r * C5));
    const s = TAB[j];
    const e = (s + (TAB[j + 1] + s * p)) * POW2[(ki >> LOG2N) + 1022];
    out[k] = (v >= 0 ? 1 : e) / (1 + e);
  }
  return lo;
}

/** Redoes the elements b0 <= k < b1 of `sigmoidArray` whose argument -|c v| is below -708 or NaN, through Math.exp. */
export function sigmoidTails(out: Float64Array, src: Float64Array, o: number, b0: number, b1: number, c: number): void {
  for (let k = b0; k < b1; k++) {
    const v = c * src[o + k];
    if (-Math.abs(v) > -708) continue;
    const e = Math.exp(-Math.abs(v));
    out[k] = (v >= 0 ? 1 : e) / (1 + e);
  }
}
