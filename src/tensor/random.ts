// Seeded, explicitly passed random number generator that yields bit-identical sequences on every JS platform.

/*
 * Design notes
 * ------------
 * - Core generator: xoshiro128** (Blackman & Vigna, 2018), 128 bits of state held as four
 *   32-bit integers. Only `Math.imul`, shifts and xors are used, so every JS engine produces
 *   exactly the same integers.
 * - Seeding: the seed (any finite integer) is split exactly into sign + 32-bit limbs and each
 *   of the four state words is an independent splitmix32-style hash chain over those words.
 * - Floating point: everything derived from the integer stream uses only + - * / and
 *   Math.sqrt, which IEEE 754 requires to be correctly rounded. `Math.log`/`Math.cos` are NOT
 *   specified to be correctly rounded in ECMAScript, so `normal()` uses the Marsaglia polar
 *   method with `detLog`, a logarithm built only from basic arithmetic (see its derivation).
 * - No global state: every random quantity comes from an `Rng` instance that the caller owns.
 */

const TWO32 = 4294967296; // 2^32
const TWO53 = 9007199254740992; // 2^53
const TWO54 = 18014398509481984; // 2^54

/** Element types `Rng.shuffle` can permute in place. */
export type Shuffleable =
  | unknown[]
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray;

/** Plain, JSON-serialisable snapshot of an `Rng` (see `Rng.state` / `Rng.fromState`). */
export interface RngState {
  /** Core algorithm tag; `fromState` rejects anything else. */
  readonly algorithm: 'xoshiro128**';
  /** The four 32-bit state words as unsigned integers in [0, 2^32). */
  readonly s: readonly [number, number, number, number];
  /** Cached second standard-normal value of the last Marsaglia pair, or null if none. */
  readonly spareNormal: number | null;
}

/* ------------------------------------------------------------------------------------------ */
/* 32-bit integer helpers                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** 32-bit left rotation (k in 1..31); result is an int32. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * splitmix32-style bijective mixer: add the golden-ratio increment, then two
 * xorshift-multiply rounds (constants from C. Wellons' hash prospector). Returns a uint32.
 */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

/** Per-lane salts (hex digits of pi) so the four state words are independent hashes. */
const LANE_SALTS = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344] as const;
/** Domain-separation tag for `fork()` ("fork"); seed headers never take this value. */
const FORK_TAG = 0x666f726b;

/** Hashes a word sequence into a 128-bit xoshiro state (four int32 words, never all zero). */
function hashToState(words: readonly number[]): [number, number, number, number] {
  const out: [number, number, number, number] = [0, 0, 0, 0];
  for (let lane = 0; lane < 4; lane++) {
    let h = mix32(LANE_SALTS[lane]!);
    for (let i = 0; i < words.length; i++) h = mix32(h ^ words[i]!);
    out[lane] = h | 0;
  }
  // xoshiro's only forbidden state is all zeros (probability 2^-128, but be exact about it).
  if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 0x9e3779b9 | 0;
  return out;
}

/**
 * Exact decomposition of a finite integer seed into 32-bit words:
 * `[header, limb0, limb1, ...]` with header = (sign bit << 31) | number of limbs and the
 * limbs holding |seed| little-endian base 2^32 (at least one limb, so 0 -> [1, 0]).
 * Every float64 integer (up to ~1.8e308) is handled exactly: `%` and division by 2^32 are
 * exact on integers. `-0` is treated as `0`.
 */
function seedWords(seed: number): number[] {
  const negative = seed < 0;
  let a = Math.abs(seed);
  const limbs: number[] = [];
  do {
    const limb = a % TWO32;
    limbs.push(limb >>> 0);
    a = (a - limb) / TWO32;
  } while (a > 0);
  const header = ((negative ? 0x80000000 : 0) | limbs.length) >>> 0;
  return [header, ...limbs];
}

/* ------------------------------------------------------------------------------------------ */
/* Deterministic natural logarithm                                                            */
/* ------------------------------------------------------------------------------------------ */

/** Scratch view for splitting doubles into words. DataView is big-endian by default, so
 * byte offset 0 is always the high word regardless of the platform's native endianness. */
const scratch = new DataView(new ArrayBuffer(8));

/** ln 2 split in two: LN2_HI keeps 20 significant bits, so k * LN2_HI is exact for any exponent k. */
const LN2_HI = 0.6931467056274414;
/** ln 2 - LN2_HI, to double precision. */
const LN2_LO = 4.7493250390316726e-7;
/** Series coefficients 2 / (2j + 1), j = 1..12, each a correctly rounded division. */
const ATANH_COEFFS = Array.from({ length: 12 }, (_, j) => 2 / (2 * j + 3));

/**
 * Deterministic natural logarithm, bit-identical on every IEEE 754 platform, because it uses
 * only + - * / on doubles (each correctly rounded by IEEE 754) and exponent bit access.
 *
 * Derivation: write x = 2^k m with m in [sqrt(1/2), sqrt(2)) by reading the exponent bits
 * (subnormals are first scaled by 2^54, exactly). With f = m - 1 (exact) and s = f / (2 + f),
 * log m = 2 atanh(s) = 2s + 2s^3/3 + 2s^5/5 + ..., and since 2s = f - s f,
 * log m = f - s (f - R) with R = z (2/3 + z (2/5 + ...)), z = s^2 <= 0.0295. Twelve terms put the
 * truncation below 1e-19 relative; the small correction s (f - R) is the only rounded part, so
 * the error stays near one ulp. Finally log x = k LN2_HI + (log m + k LN2_LO).
 *
 * Special cases: log(+-0) = -Infinity, log(x < 0) = NaN, log(+Infinity) = +Infinity,
 * log(NaN) = NaN, log(1) = 0.
 */
export function detLog(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= TWO54; // exact: a subnormal scaled into the normal range
    k = -54;
  }
  scratch.setFloat64(0, x);
  const hi = scratch.getUint32(0);
  k += (hi >>> 20) - 1023;
  scratch.setUint32(0, (hi & 0x000fffff) | 0x3ff00000); // same mantissa, exponent 0: m in [1, 2)
  let m = scratch.getFloat64(0);
  if (m > Math.SQRT2) {
    m *= 0.5; // exact
    k += 1;
  }
  const f = m - 1; // exact for m in [1/2, 2] (Sterbenz)
  const s = f / (2 + f);
  const z = s * s;
  let p = ATANH_COEFFS[ATANH_COEFFS.length - 1];
  for (let j = ATANH_COEFFS.length - 2; j >= 0; j--) p = ATANH_COEFFS[j] + z * p;
  const logm = f - s * (f - z * p);
  if (k === 0) return logm;
  return k * LN2_HI + (logm + k * LN2_LO);
}

/* ------------------------------------------------------------------------------------------ */
/* Rng                                                                                        */
/* ------------------------------------------------------------------------------------------ */

function checkSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) {
    throw new Error(`Rng: seed must be a finite integer, got ${String(seed)}`);
  }
}

/** Validates a uniform range and returns its (finite, positive) width hi - lo. */
function checkRange(lo: number, hi: number): number {
  const width = hi - lo;
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi) || !Number.isFinite(width)) {
    throw new Error(
      `Rng.uniformRange: need finite lo < hi with finite hi - lo, got lo=${String(lo)}, hi=${String(hi)}`,
    );
  }
  return width;
}

function checkNormal(mean: number, std: number): void {
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
    throw new Error(
      `Rng.normal: need finite mean and finite std >= 0, got mean=${String(mean)}, std=${String(std)}`,
    );
  }
}

function checkCount(method: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`Rng.${method}: n must be a non-negative integer, got ${String(n)}`);
  }
}

/**
 * A seeded pseudo-random number generator with bit-identical output on every platform.
 *
 * There is no global generator: create one from an explicit seed and pass it to whatever needs
 * randomness. Use `fork()` to hand independent, deterministic sub-streams to sub-components,
 * and `state()` / `Rng.fromState()` to checkpoint and resume exactly.
 *
 * Core: xoshiro128** over four 32-bit words (period 2^128 - 1), seeded by hashing the seed.
 *
 * @example
 * ```ts
 * const rng = new Rng(42);
 * const w = rng.normalArray(6, 0, 0.02);   // Float64Array of N(0, 0.02^2) samples
 * const order = rng.permutation(10);       // Int32Array, a random permutation of 0..9
 * const child = rng.fork();                // independent deterministic sub-stream
 * const saved = rng.state();               // JSON-serialisable
 * const again = Rng.fromState(saved);      // continues exactly where `rng` is now
 * ```
 */
export class Rng {
  // xoshiro128** state words, stored as int32.
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  // Second standard normal of the last Marsaglia polar pair.
  private hasSpare = false;
  private spare = 0;

  /**
   * @param seed Any finite integer (0, negatives and values beyond 2^32 or 2^53 included).
   *   The seed is decomposed exactly into sign + 32-bit limbs and hashed (four independent
   *   splitmix32-style chains) into the 128-bit state, so distinct seeds give unrelated streams.
   * @throws Error `Rng: seed must be a finite integer, got X` for non-integers, NaN, ±Infinity.
   */
  constructor(seed: number) {
    checkSeed(seed);
    const st = hashToState(seedWords(seed));
    this.s0 = st[0];
    this.s1 = st[1];
    this.s2 = st[2];
    this.s3 = st[3];
  }

  /**
   * Next raw 32-bit output, an integer in [0, 2^32).
   *
   * Algorithm: xoshiro128** — result = rotl(s1 * 5, 7) * 9 (mod 2^32); then the linear
   * xorshift state update t = s1 << 9; s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t;
   * s3 = rotl(s3, 11).
   */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = rotl(s3, 11);
    return result;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits.
   *
   * Algorithm: a = top 27 bits of one output, b = top 26 bits of the next;
   * returns (a * 2^26 + b) / 2^53. Every step is exact, so the result is a multiple of 2^-53.
   */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / TWO53;
  }

  /**
   * Uniform double in [lo, hi).
   *
   * Algorithm: lo + (hi - lo) * uniform(); in the rare case that rounding produces exactly
   * `hi`, the draw is rejected and repeated (deterministically), so `hi` is never returned.
   * @throws if lo/hi are not finite, lo >= hi, or hi - lo overflows.
   */
  uniformRange(lo: number, hi: number): number {
    const width = checkRange(lo, hi);
    for (;;) {
      const x = lo + width * this.uniform();
      if (x < hi) return x;
    }
  }

  /**
   * Normal (Gaussian) sample with the given mean and standard deviation.
   *
   * Algorithm: Marsaglia polar method. Draw u, v uniform in (-1, 1) (as 2 * uniform() - 1)
   * until 0 < s = u^2 + v^2 < 1; then u * m and v * m with m = sqrt(-2 * detLog(s) / s) are two
   * independent standard normals. The second one is cached (and included in `state()`) and
   * returned by the next call. Only + - * /, Math.sqrt and `detLog` are used, so the output is
   * bit-identical across engines. Returns mean + std * z.
   * @throws if mean is not finite or std is negative / not finite.
   */
  normal(mean = 0, std = 1): number {
    checkNormal(mean, std);
    return mean + std * this.standardNormal();
  }

  /**
   * Uniform integer in [lo, hiExclusive), exactly unbiased.
   *
   * Algorithm (rejection sampling), with range = hiExclusive - lo:
   * - range <= 2^32: draw x = nextUint32() until x < 2^32 - (2^32 mod range), return x mod range;
   * - 2^32 < range <= 2^53: draw a high word (masked to the bit length of range - 1) and a low
   *   word, combine to x = hi * 2^32 + lo, and retry until x < range (acceptance >= 1/2).
   * @throws if the bounds are not integers, lo >= hiExclusive, |bound| > 2^53 or range > 2^53.
   */
  integer(lo: number, hiExclusive: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hiExclusive)) {
      throw new Error(
        `Rng.integer: bounds must be integers, got lo=${String(lo)}, hiExclusive=${String(hiExclusive)}`,
      );
    }
    if (!(lo < hiExclusive)) {
      throw new Error(
        `Rng.integer: lo must be < hiExclusive, got lo=${String(lo)}, hiExclusive=${String(hiExclusive)}`,
      );
    }
    const range = hiExclusive - lo;
    if (Math.abs(lo) > TWO53 || Math.abs(hiExclusive) > TWO53 || range > TWO53) {
      throw new Error(
        `Rng.integer: bounds must lie in [-2^53, 2^53] and span at most 2^53, got lo=${String(lo)}, hiExclusive=${String(hiExclusive)}`,
      );
    }
    return lo + this.below(range);
  }

  /**
   * Shuffles `arr` in place and returns it.
   *
   * Algorithm: Fisher–Yates (Durstenfeld): for i = n-1 down to 1, swap arr[i] with arr[j],
   * j = unbiased integer in [0, i] (same rejection sampler as `integer`).
   */
  shuffle<A extends Shuffleable>(arr: A): A {
    const a = arr as unknown as { [index: number]: unknown; length: number };
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
    return arr;
  }

  /**
   * A uniformly random permutation of 0..n-1.
   *
   * Algorithm: fill an Int32Array with 0..n-1 and `shuffle` it (Fisher–Yates).
   */
  permutation(n: number): Int32Array {
    checkCount('permutation', n);
    if (n > 0x7fffffff) {
      throw new Error(`Rng.permutation: n must be <= 2^31 - 1, got ${String(n)}`);
    }
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /**
   * Fills `out` with uniform samples in [lo, hi) and returns it.
   *
   * Algorithm: out[i] = uniformRange(lo, hi) in index order, so the result equals that many
   * consecutive `uniformRange` calls.
   */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    const width = checkRange(lo, hi);
    for (let i = 0; i < out.length; i++) {
      let x: number;
      do x = lo + width * this.uniform();
      while (!(x < hi));
      out[i] = x;
    }
    return out;
  }

  /**
   * Fills `out` with normal samples N(mean, std^2) and returns it.
   *
   * Algorithm: out[i] = normal(mean, std) in index order (Marsaglia polar, pair cache
   * included), so the result equals that many consecutive `normal` calls.
   */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    checkNormal(mean, std);
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.standardNormal();
    return out;
  }

  /** New Float64Array of n uniform samples in [lo, hi); see `fillUniform`. */
  uniformArray(n: number, lo = 0, hi = 1): Float64Array {
    checkCount('uniformArray', n);
    return this.fillUniform(new Float64Array(n), lo, hi);
  }

  /** New Float64Array of n normal samples N(mean, std^2); see `fillNormal`. */
  normalArray(n: number, mean = 0, std = 1): Float64Array {
    checkCount('normalArray', n);
    return this.fillNormal(new Float64Array(n), mean, std);
  }

  /**
   * Derives an independent child generator, deterministically, and advances this one.
   *
   * Algorithm: draw four 32-bit outputs from this generator and hash them, with a "fork"
   * domain tag, through the same four splitmix32-style chains used for seeding into a fresh
   * 128-bit state. The child shares no cached normal with the parent. Calling `fork()` twice
   * gives two different children; the same parent state always gives the same child.
   */
  fork(): Rng {
    const words = [FORK_TAG, this.nextUint32(), this.nextUint32(), this.nextUint32(), this.nextUint32()];
    const child = new Rng(0);
    child.setWords(hashToState(words));
    return child;
  }

  /** `count` independent children from consecutive `fork()` calls (count >= 0). */
  split(count: number): Rng[] {
    checkCount('split', count);
    const out: Rng[] = [];
    for (let i = 0; i < count; i++) out.push(this.fork());
    return out;
  }

  /** An exact copy (same state and cached normal) that then evolves independently. */
  clone(): Rng {
    return Rng.fromState(this.state());
  }

  /**
   * Snapshot of the complete generator state (128-bit core state plus the cached normal),
   * as a plain JSON-serialisable object. `Rng.fromState(rng.state())` continues the exact
   * same sequence for every method.
   */
  state(): RngState {
    return {
      algorithm: 'xoshiro128**',
      s: [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0],
      spareNormal: this.hasSpare ? this.spare : null,
    };
  }

  /**
   * Restores a generator from `state()` output (e.g. after a JSON round trip).
   * @throws if the object is not a valid `RngState` (wrong algorithm tag, words not integers
   *   in [0, 2^32), all-zero state, or a non-finite cached normal).
   */
  static fromState(state: RngState): Rng {
    const st = state as Partial<RngState> | null | undefined;
    if (st === null || typeof st !== 'object' || st.algorithm !== 'xoshiro128**') {
      throw new Error(`Rng.fromState: expected a state with algorithm 'xoshiro128**'`);
    }
    const s = st.s;
    if (
      !Array.isArray(s) ||
      s.length !== 4 ||
      !s.every((w: unknown) => typeof w === 'number' && Number.isInteger(w) && w >= 0 && w < TWO32)
    ) {
      throw new Error('Rng.fromState: s must be four integers in [0, 2^32)');
    }
    if ((s[0] | s[1] | s[2] | s[3]) === 0) {
      throw new Error('Rng.fromState: the all-zero state is invalid for xoshiro128**');
    }
    const spare = st.spareNormal;
    if (spare !== null && !(typeof spare === 'number' && Number.isFinite(spare))) {
      throw new Error('Rng.fromState: spareNormal must be null or a finite number');
    }
    const rng = new Rng(0);
    rng.setWords([s[0]! | 0, s[1]! | 0, s[2]! | 0, s[3]! | 0]);
    if (spare !== null && spare !== undefined) {
      rng.hasSpare = true;
      rng.spare = spare;
    }
    return rng;
  }

  /* ------------------------------------------------------------------------------------ */

  private setWords(st: readonly [number, number, number, number]): void {
    this.s0 = st[0] | 0;
    this.s1 = st[1] | 0;
    this.s2 = st[2] | 0;
    this.s3 = st[3] | 0;
    this.hasSpare = false;
    this.spare = 0;
  }

  /** Standard normal via the Marsaglia polar method with the pair cache (see `normal`). */
  private standardNormal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * detLog(s)) / s);
    this.spare = v * m;
    this.hasSpare = true;
    return u * m;
  }

  /** Unbiased integer in [0, range) for an integer 1 <= range <= 2^53 (see `integer`). */
  private below(range: number): number {
    if (range <= TWO32) {
      const limit = TWO32 - (TWO32 % range);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % range;
      }
    }
    // range - 1 >= 2^32, so hiMax >= 1 and the shift is in 0..31.
    const hiMax = Math.floor((range - 1) / TWO32);
    const shift = Math.clz32(hiMax);
    for (;;) {
      const hi = this.nextUint32() >>> shift;
      const lo = this.nextUint32();
      const x = hi * TWO32 + lo;
      if (x < range) return x;
    }
  }
}
