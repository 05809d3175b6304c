import { describe, expect, it } from 'vitest';
import { Rng, detLog, type RngState } from '../../src/tensor/random.js';

/* -------------------------------------------------------------------------------------------- */
/* Independent reference implementation (BigInt arithmetic, written straight from the specs of  */
/* splitmix32-style mixing and xoshiro128**), used to check the golden constants below.         */
/* -------------------------------------------------------------------------------------------- */

const M32 = 0xffffffffn;

function refMix32(x: bigint): bigint {
  let z = (x + 0x9e3779b9n) & M32;
  z = ((z ^ (z >> 16n)) * 0x21f0aaadn) & M32;
  z = ((z ^ (z >> 15n)) * 0x735a2d97n) & M32;
  return z ^ (z >> 15n);
}

function refSeedWords(seed: number): bigint[] {
  let a = BigInt(seed);
  const negative = a < 0n;
  if (negative) a = -a;
  const limbs: bigint[] = [];
  do {
    limbs.push(a & M32);
    a >>= 32n;
  } while (a > 0n);
  const header = (negative ? 0x80000000n : 0n) | BigInt(limbs.length);
  return [header, ...limbs];
}

function refState(words: bigint[]): bigint[] {
  const salts = [0x243f6a88n, 0x85a308d3n, 0x13198a2en, 0x03707344n];
  return salts.map((salt) => {
    let h = refMix32(salt);
    for (const w of words) h = refMix32(h ^ w);
    return h;
  });
}

function refRotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (32n - k))) & M32;
}

/** xoshiro128** exactly as in the C reference (uint32_t s[4]). */
function refXoshiro(s: bigint[]): () => bigint {
  return () => {
    const result = (refRotl((s[1]! * 5n) & M32, 7n) * 9n) & M32;
    const t = (s[1]! << 9n) & M32;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = refRotl(s[3]!, 11n);
    return result;
  };
}

function refStream(seed: number, n: number): number[] {
  const next = refXoshiro(refState(refSeedWords(seed)));
  return Array.from({ length: n }, () => Number(next()));
}

/* -------------------------------------------------------------------------------------------- */
/* Golden values for new Rng(42)                                                                 */
/* -------------------------------------------------------------------------------------------- */

const GOLDEN_UINT32 = [
  2027997759, 3995063030, 6408421, 3782483128, 2275089632, 2328527441, 2012385478, 913643018,
];
const GOLDEN_UNIFORM = [
  0.47218002326915476, 0.001492082183643939, 0.5297105874281566, 0.4685450063103742,
  0.024799192702025574, 0.6473905598815833,
];
const GOLDEN_NORMAL = [
  -0.004219814726884552, -0.07561512626060705, 2.14835710502639, -2.2744942133869035,
  -0.13432569873772252, 0.04166310250189301,
];
const GOLDEN_PERMUTATION_10 = [0, 6, 3, 7, 1, 8, 4, 5, 2, 9];
const GOLDEN_INTEGER_PM1000 = [759, 30, -579, 128, 632, 441, 478, 18];
const GOLDEN_FORK_UINT32 = [1487489347, 2424371522, 1366832665, 558732197];

function take<T>(n: number, f: () => T): T[] {
  return Array.from({ length: n }, f);
}

describe('Rng golden values', () => {
  it('nextUint32 matches the literal constants and the independent BigInt reference', () => {
    const rng = new Rng(42);
    expect(take(8, () => rng.nextUint32())).toEqual(GOLDEN_UINT32);
    expect(refStream(42, 8)).toEqual(GOLDEN_UINT32);
  });

  it('long streams agree with the reference for several seeds (incl. 0, negative, > 2^32, > 2^53)', () => {
    for (const seed of [42, 0, 1, -1, 2 ** 32, 2 ** 40 + 7, -(2 ** 53 - 1), 2 ** 53, 1e20, -3e300]) {
      const rng = new Rng(seed);
      expect(take(1000, () => rng.nextUint32()), `seed ${seed}`).toEqual(refStream(seed, 1000));
    }
  });

  it('uniform matches the literal constants and the 53-bit construction from two outputs', () => {
    const rng = new Rng(42);
    expect(take(6, () => rng.uniform())).toEqual(GOLDEN_UNIFORM);
    const u = refStream(42, 12);
    const ref = Array.from({ length: 6 }, (_, i) => {
      const a = BigInt(u[2 * i]! >>> 5);
      const b = BigInt(u[2 * i + 1]! >>> 6);
      return Number((a << 26n) | b) / 2 ** 53;
    });
    expect(ref).toEqual(GOLDEN_UNIFORM);
  });

  it('normal matches the literal constants and a Marsaglia-polar reference using Math.log', () => {
    const rng = new Rng(42);
    expect(take(6, () => rng.normal())).toEqual(GOLDEN_NORMAL);

    const next = refXoshiro(refState(refSeedWords(42)));
    const uni = (): number => {
      const a = next() >> 5n;
      const b = next() >> 6n;
      return Number((a << 26n) | b) / 2 ** 53;
    };
    const ref: number[] = [];
    while (ref.length < 6) {
      const u = 2 * uni() - 1;
      const v = 2 * uni() - 1;
      const s = u * u + v * v;
      if (s >= 1 || s === 0) continue;
      const m = Math.sqrt((-2 * Math.log(s)) / s);
      ref.push(u * m, v * m);
    }
    ref.forEach((r, i) => expect(GOLDEN_NORMAL[i]).toBeCloseTo(r, 12));
  });

  it('integer, permutation and fork have stable outputs', () => {
    const a = new Rng(42);
    expect(take(8, () => a.integer(-1000, 1000))).toEqual(GOLDEN_INTEGER_PM1000);
    expect(GOLDEN_INTEGER_PM1000).toEqual(GOLDEN_UINT32.map((x) => -1000 + (x % 2000)));
    expect(Array.from(new Rng(42).permutation(10))).toEqual(GOLDEN_PERMUTATION_10);
    const f = new Rng(42).fork();
    expect(take(4, () => f.nextUint32())).toEqual(GOLDEN_FORK_UINT32);
  });
});

describe('Rng seeding', () => {
  it('same seed gives the same sequence; different seeds differ', () => {
    const a = new Rng(123);
    const b = new Rng(123);
    const c = new Rng(124);
    const sa = take(100, () => a.nextUint32());
    expect(take(100, () => b.nextUint32())).toEqual(sa);
    expect(take(100, () => c.nextUint32())).not.toEqual(sa);
  });

  it('seed 0 works, and sign / high limbs / -0 are handled', () => {
    const z = new Rng(0);
    const zs = take(10, () => z.nextUint32());
    expect(new Set(zs).size).toBe(10);
    expect(zs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
    const first = (seed: number): number[] => {
      const r = new Rng(seed);
      return take(4, () => r.nextUint32());
    };
    expect(first(-0)).toEqual(zs.slice(0, 4));
    expect(first(1)).not.toEqual(first(-1));
    expect(first(2 ** 32)).not.toEqual(first(0));
    expect(first(2 ** 32 + 1)).not.toEqual(first(1));
    expect(first(2 ** 53)).not.toEqual(first(2 ** 53 - 2));
    expect(() => new Rng(Number.MAX_VALUE)).not.toThrow();
    expect(() => new Rng(-Number.MAX_VALUE)).not.toThrow();
  });

  it('distinct small seeds give distinct first outputs', () => {
    const seen = new Set<string>();
    for (let seed = -500; seed <= 500; seed++) {
      const r = new Rng(seed);
      seen.add(`${r.nextUint32()},${r.nextUint32()}`);
    }
    expect(seen.size).toBe(1001);
  });

  it('rejects non-integer seeds', () => {
    expect(() => new Rng(1.5)).toThrow('Rng: seed must be a finite integer, got 1.5');
    expect(() => new Rng(NaN)).toThrow('Rng: seed must be a finite integer, got NaN');
    expect(() => new Rng(Infinity)).toThrow('Rng: seed must be a finite integer, got Infinity');
    expect(() => new Rng('3' as unknown as number)).toThrow('Rng: seed must be a finite integer');
  });
});

describe('Rng uniform', () => {
  it('stays in [0, 1) and has the right mean and variance (5 sigma on 100k samples)', () => {
    const rng = new Rng(2024);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      sum += u;
      sumSq += u * u;
      if (u < min) min = u;
      if (u > max) max = u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    // sd(mean) = sqrt(1/12 / n) ~ 9.1e-4; sd(var) = sqrt((1/80 - 1/144) / n) ~ 2.4e-4.
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });

  it('uniformRange respects bounds and validates arguments', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.uniformRange(-3, 2);
      expect(x >= -3 && x < 2).toBe(true);
    }
    // Width so small that lo + width * u rounds to hi for many u: hi must still never appear.
    const lo = 1;
    const hi = 1 + 2 ** -52;
    for (let i = 0; i < 1000; i++) expect(rng.uniformRange(lo, hi)).toBe(lo);
    expect(() => rng.uniformRange(1, 1)).toThrow(/Rng\.uniformRange/);
    expect(() => rng.uniformRange(2, 1)).toThrow(/lo=2, hi=1/);
    expect(() => rng.uniformRange(0, Infinity)).toThrow(/Rng\.uniformRange/);
    expect(() => rng.uniformRange(-Number.MAX_VALUE, Number.MAX_VALUE)).toThrow(/Rng\.uniformRange/);
  });

  it('uniformArray / fillUniform equal consecutive uniformRange calls', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const arr = a.uniformArray(50, -1, 4);
    expect(arr).toBeInstanceOf(Float64Array);
    expect(Array.from(arr)).toEqual(take(50, () => b.uniformRange(-1, 4)));
    const buf = new Float64Array(20);
    expect(a.fillUniform(buf)).toBe(buf);
    expect(Array.from(buf)).toEqual(take(20, () => b.uniform()));
    expect(a.uniformArray(0).length).toBe(0);
    expect(a.nextUint32()).toBe(b.nextUint32());
  });
});

describe('Rng normal', () => {
  it('has mean ~0, variance ~1 and ~68.27% within one sigma (5 sigma on 100k samples)', () => {
    const rng = new Rng(77);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let within = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      if (Math.abs(z) < 1) within++;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    const p = 0.6826894921370859;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(within / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
  });

  it('applies mean and std, and normalArray equals consecutive normal calls', () => {
    const a = new Rng(31);
    const b = new Rng(31);
    expect(a.normal(10, 0.5)).toBe(10 + 0.5 * b.normal());
    expect(a.normal(-2, 3)).toBe(-2 + 3 * b.normal()); // the cached second value
    const arr = a.normalArray(41, 1, 2);
    expect(Array.from(arr)).toEqual(take(41, () => b.normal(1, 2)));
    const buf = new Float64Array(7);
    expect(a.fillNormal(buf)).toBe(buf);
    expect(Array.from(buf)).toEqual(take(7, () => b.normal()));
    expect(a.normal(3, 0)).toBe(3);
    expect(() => a.normal(0, -1)).toThrow(/Rng\.normal/);
    expect(() => a.normal(NaN, 1)).toThrow(/Rng\.normal/);
    expect(() => a.normalArray(-1)).toThrow(/Rng\.normalArray: n must be a non-negative integer/);
  });
});

describe('Rng integer', () => {
  it('is unbiased on a small range (chi-square)', () => {
    const rng = new Rng(11);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[rng.integer(0, k)]!++;
    const expected = n / k;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // df = 6: P(chi2 > 40) ~ 5e-7.
    expect(chi2).toBeLessThan(40);
  });

  it('rejects the modulo bias on a range where naive % would be badly biased', () => {
    // range = 3 * 2^30: naive (uint32 % range) puts 1/2 of the mass below 2^30 instead of 1/3.
    const rng = new Rng(12);
    const range = 3 * 2 ** 30;
    const n = 30_000;
    let low = 0;
    for (let i = 0; i < n; i++) if (rng.integer(0, range) < 2 ** 30) low++;
    expect(Math.abs(low / n - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / n));
  });

  it('supports ranges above 2^32 up to 2^53 without bias', () => {
    const rng = new Rng(13);
    const range = 3 * 2 ** 40;
    const n = 30_000;
    let top = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.integer(0, range);
      expect(Number.isInteger(x) && x >= 0 && x < range).toBe(true);
      if (x >= 2 * 2 ** 40) top++;
    }
    expect(Math.abs(top / n - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / n));
    for (let i = 0; i < 1000; i++) {
      const x = rng.integer(-(2 ** 52), 2 ** 52);
      expect(Number.isSafeInteger(x) && x >= -(2 ** 52) && x < 2 ** 52).toBe(true);
      const y = rng.integer(0, 2 ** 53);
      expect(Number.isInteger(y) && y >= 0 && y < 2 ** 53).toBe(true);
    }
  });

  it('respects bounds, covers the range, and handles negative / single-value ranges', () => {
    const rng = new Rng(14);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.integer(-5, 5);
      expect(Number.isInteger(x) && x >= -5 && x < 5).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(10);
    expect(rng.integer(7, 8)).toBe(7);
    expect(rng.integer(0, 2 ** 32)).toBeLessThan(2 ** 32);
  });

  it('throws helpful errors for bad bounds', () => {
    const rng = new Rng(1);
    expect(() => rng.integer(3, 3)).toThrow('Rng.integer: lo must be < hiExclusive, got lo=3, hiExclusive=3');
    expect(() => rng.integer(5, 2)).toThrow('Rng.integer: lo must be < hiExclusive, got lo=5, hiExclusive=2');
    expect(() => rng.integer(0.5, 3)).toThrow('Rng.integer: bounds must be integers');
    expect(() => rng.integer(0, NaN)).toThrow('Rng.integer: bounds must be integers');
    expect(() => rng.integer(-(2 ** 53), 2 ** 53)).toThrow(/span at most 2\^53/);
    expect(() => rng.integer(0, 2 ** 54)).toThrow(/Rng\.integer/);
  });
});

describe('Rng shuffle and permutation', () => {
  it('permutation(n) is a permutation of 0..n-1', () => {
    const rng = new Rng(3);
    for (const n of [0, 1, 2, 10, 1000]) {
      const p = rng.permutation(n);
      expect(p).toBeInstanceOf(Int32Array);
      expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(() => rng.permutation(-1)).toThrow(/Rng\.permutation/);
    expect(() => rng.permutation(2.5)).toThrow(/Rng\.permutation/);
  });

  it('shuffle is in place, deterministic, preserves elements, and works on typed arrays', () => {
    const base = Array.from({ length: 20 }, (_, i) => `item${i}`);
    const a = base.slice();
    const b = base.slice();
    expect(new Rng(8).shuffle(a)).toBe(a);
    new Rng(8).shuffle(b);
    expect(a).toEqual(b);
    expect(a).not.toEqual(base);
    expect(a.slice().sort()).toEqual(base.slice().sort());

    const f = Float64Array.from([0.5, 1.5, 2.5, 3.5, 4.5]);
    const out: Float64Array = new Rng(8).shuffle(f);
    expect(out).toBe(f);
    expect(Array.from(f).sort()).toEqual([0.5, 1.5, 2.5, 3.5, 4.5]);
    const i32 = Int32Array.from([0, 1, 2, 3, 4]);
    new Rng(8).shuffle(i32);
    expect(Array.from(i32)).toEqual(Array.from(new Rng(8).permutation(5)));
    expect(new Rng(8).shuffle([])).toEqual([]);
  });

  it('all 6 orders of 3 elements are equally likely (chi-square)', () => {
    const rng = new Rng(21);
    const n = 60_000;
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const key = rng.shuffle([0, 1, 2]).join('');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const expected = n / 6;
    let chi2 = 0;
    for (const c of counts.values()) chi2 += (c - expected) ** 2 / expected;
    expect(chi2).toBeLessThan(35); // df = 5: P(chi2 > 35) ~ 1.5e-6
  });
});

describe('Rng fork / split', () => {
  it('child streams differ from the parent and from each other, and are deterministic', () => {
    const p1 = new Rng(100);
    const p2 = new Rng(100);
    const c1 = p1.fork();
    const c2 = p2.fork();
    const s1 = take(50, () => c1.nextUint32());
    expect(take(50, () => c2.nextUint32())).toEqual(s1);
    const parentNext = take(50, () => p1.nextUint32());
    expect(parentNext).not.toEqual(s1);
    expect(take(50, () => p2.nextUint32())).toEqual(parentNext);

    const fresh = new Rng(100);
    const [d1, d2] = fresh.split(2) as [Rng, Rng];
    expect(take(10, () => d1.nextUint32())).toEqual(s1.slice(0, 10));
    expect(take(10, () => d2.nextUint32())).not.toEqual(s1.slice(0, 10));
    expect(new Rng(100).split(0)).toEqual([]);
  });

  it('fork advances the parent by exactly four outputs and does not inherit the cached normal', () => {
    const a = new Rng(55);
    const b = new Rng(55);
    a.normal(); // leaves a cached value
    b.normal();
    const child = a.fork();
    // The parent keeps its own cached normal.
    expect(a.normal()).toBe(b.normal());
    take(4, () => b.nextUint32());
    expect(a.nextUint32()).toBe(b.nextUint32());
    // The child starts a fresh pair.
    expect(child.state().spareNormal).toBeNull();
  });
});

describe('Rng state / fromState', () => {
  it('round trips through JSON and continues every method identically, including a cached normal', () => {
    const rng = new Rng(2718);
    rng.uniformArray(13);
    rng.normal(); // now a second normal is cached
    const saved = rng.state();
    expect(saved.spareNormal).not.toBeNull();
    const restored = Rng.fromState(JSON.parse(JSON.stringify(saved)) as RngState);
    expect(restored.state()).toEqual(saved);
    expect(restored.normal()).toBe(rng.normal());
    expect(restored.normal()).toBe(rng.normal());
    expect(restored.uniform()).toBe(rng.uniform());
    expect(restored.integer(0, 1e12)).toBe(rng.integer(0, 1e12));
    expect(Array.from(restored.permutation(30))).toEqual(Array.from(rng.permutation(30)));
    expect(restored.fork().nextUint32()).toBe(rng.fork().nextUint32());
    expect(take(20, () => restored.nextUint32())).toEqual(take(20, () => rng.nextUint32()));

    const copy = rng.clone();
    expect(take(5, () => copy.normal())).toEqual(take(5, () => rng.normal()));
  });

  it('state words are unsigned 32-bit integers and invalid states are rejected', () => {
    const s = new Rng(-9).state();
    expect(s.algorithm).toBe('xoshiro128**');
    expect(s.s.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    expect(() => Rng.fromState({ ...s, algorithm: 'mt19937' as 'xoshiro128**' })).toThrow(/algorithm/);
    expect(() => Rng.fromState({ ...s, s: [0, 0, 0, 0] })).toThrow(/all-zero/);
    expect(() => Rng.fromState({ ...s, s: [1, 2, 3, 2 ** 32] })).toThrow(/four integers/);
    expect(() => Rng.fromState({ ...s, s: [1, 2, 3] as unknown as [number, number, number, number] })).toThrow(
      /four integers/,
    );
    expect(() => Rng.fromState({ ...s, spareNormal: NaN })).toThrow(/spareNormal/);
    expect(() => Rng.fromState(null as unknown as RngState)).toThrow(/Rng\.fromState/);
  });
});

/* -------------------------------------------------------------------------------------------- */
/* detLog                                                                                        */
/* -------------------------------------------------------------------------------------------- */

const dv = new DataView(new ArrayBuffer(8));
function bitsOf(x: number): bigint {
  dv.setFloat64(0, x);
  return dv.getBigInt64(0);
}
function fromBits(hi: number, lo: number): number {
  dv.setUint32(0, hi >>> 0);
  dv.setUint32(4, lo >>> 0);
  return dv.getFloat64(0);
}
/** Distance in ulps between two finite doubles of the same sign. */
function ulpDiff(a: number, b: number): number {
  if (a === b) return 0;
  if (Math.sign(a) !== Math.sign(b)) return Infinity;
  const d = bitsOf(a) - bitsOf(b);
  return Number(d < 0n ? -d : d);
}

/** Returns a description of the mismatch between detLog(x) and Math.log(x), or null if close. */
function logMismatch(x: number): string | null {
  const got = detLog(x);
  const want = Math.log(x);
  if (want === 0) return Object.is(got, 0) ? null : `log(${x}): got ${got}, want 0`;
  const rel = Math.abs(got - want) / Math.abs(want);
  const ulps = ulpDiff(got, want);
  return rel <= 1e-15 && ulps <= 2 ? null : `log(${x}): got ${got}, want ${want} (rel ${rel}, ${ulps} ulp)`;
}

/** Checks many inputs with one assertion (per-value expect() calls are slow). */
function expectLogsClose(xs: Iterable<number>): void {
  const bad: string[] = [];
  for (const x of xs) {
    const m = logMismatch(x);
    if (m !== null) bad.push(m);
  }
  expect(bad.slice(0, 10)).toEqual([]);
}

describe('detLog', () => {
  it('handles the special values', () => {
    expect(detLog(0)).toBe(-Infinity);
    expect(detLog(-0)).toBe(-Infinity);
    expect(detLog(-1)).toBeNaN();
    expect(detLog(-Number.MIN_VALUE)).toBeNaN();
    expect(detLog(-Infinity)).toBeNaN();
    expect(detLog(NaN)).toBeNaN();
    expect(detLog(Infinity)).toBe(Infinity);
    expect(Object.is(detLog(1), 0)).toBe(true);
    expect(detLog(2)).toBe(Math.LN2);
    expect(detLog(10)).toBe(Math.LN10);
    expect(detLog(Math.E)).toBeCloseTo(1, 15);
  });

  it('matches Math.log at edge values: subnormals, near 1, huge, powers of two', () => {
    const eps = Number.EPSILON;
    const xs: number[] = [
      Number.MIN_VALUE, 2 * Number.MIN_VALUE, 3e-320, 1e-310, 2.2250738585072009e-308, 2.2250738585072014e-308,
      Number.MAX_VALUE, 1e300, 1e100, 1e-100, 1e-300,
      1 + eps, 1 - eps / 2, 1 + 2 * eps, 1 - eps, 1 + 1e-10, 1 - 1e-10, 1 + 2 ** -20, 1 - 2 ** -20,
      1 + 2 ** -21, 1 - 2 ** -21, 1 + 3 * 2 ** -21, 1 + 1e-7, 0.999999, 1.000001,
      Math.SQRT2, Math.SQRT1_2, Math.SQRT2 * (1 + eps), Math.SQRT1_2 * (1 - eps), 0.5, 0.1, 0.3, 3, 7, 1e-5,
    ];
    for (let e = -1074; e <= 1023; e++) xs.push(2 ** e);
    expectLogsClose(xs);
  });

  it('matches Math.log on 200k random bit patterns across the whole positive range', () => {
    const rng = new Rng(4242);
    const xs: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      // Random exponent field 0..0x7fe (includes subnormals) and random mantissa.
      const hi = rng.integer(0, 0x7ff) * 0x100000 + rng.integer(0, 0x100000);
      const x = fromBits(hi, rng.nextUint32());
      if (x !== 0) xs.push(x);
    }
    expectLogsClose(xs);
  });

  it('matches Math.log densely near 1 and on the s values the polar method uses', () => {
    const rng = new Rng(99);
    const xs: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      xs.push(1 + (rng.uniform() - 0.5) * 2 ** -18);
      xs.push(rng.uniform() + 2 ** -53);
    }
    expectLogsClose(xs);
  });
});
