// The JavaScript exp and sigmoid of math.ts: accuracy against references, special values, array forms.

import { describe, expect, it } from 'vitest';
import { expArray, expScalar, sigmoidArray, sigmoidScalar } from '../../src/tensor/math.js';
import { mulberry32 } from '../helpers/gradcheck.js';

/** The gap between |v| and the next double away from zero. */
function ulp(v: number): number {
  const a = Math.abs(v);
  if (a === 0) return Number.MIN_VALUE;
  const e = Math.floor(Math.log2(a));
  return Math.max(2 ** (e - 52), Number.MIN_VALUE);
}

// [x, e^x correctly rounded] from Python's decimal module at 60 digits
const EXP_REF: [number, number][] = [
  [-116.73217843652242, 2.0130707773504685e-51], [-685.7631627601043, 1.5025970115846692e-298],
  [455.2891129552404, 5.364749242169742e197], [-281.9042027205701, 3.720148986797825e-123],
  [-184.22363471613403, 9.833135112106975e-81], [-428.874111336896, 5.52509837674237e-187],
  [92.41143622040579, 1.3607452133141873e40], [-473.6370464988845, 2.0046764133610143e-206],
  [-526.0263620030578, 3.545305353198053e-229], [-93.88922478611767, 1.676593450235044e-41],
  [86.90988330618006, 5.5524255337781815e37], [-455.91901498677544, 9.928590447008694e-199],
  [74.50951979706178, 2.2859845829929902e32], [-203.13805912876177, 6.001528265481364e-89],
  [641.2906991393681, 3.228582824804639e278], [-572.1882615725708, 3.175377690623886e-249],
  [0.9572799911408201, 2.604602288374837], [-0.175761214121398, 0.8388182573793915],
  [0.007870736220074948, 1.0079017918879196], [-0.7037076621396217, 0.49474754226613554],
  [0.4379342806017701, 1.549503071663828], [-0.6200572425563593, 0.5379136451612145],
  [-0.31687914845289566, 0.728418780343147], [-0.9529575637155989, 0.38559890201718816],
  [-0.3209644552041586, 0.7254490364697633], [0.9349649177597428, 2.547124097351987],
  [0.9575969083713136, 2.605427862531034], [0.48906008028206926, 1.6307826945626214],
  [-0.9930907784898089, 0.3704300027706622], [0.8804770061954856, 2.4120499948394065],
  [0.7415339375109526, 2.099153015692586], [0.5416686770336216, 1.718872713850759],
  [-25.690098830118792, 6.965171888416651e-12], [-32.040029375231086, 1.2167239094536656e-14],
  [-6.8374025190513805, 0.0010728865859050466], [30.842917371638364, 24826118286640.105],
  [6.2468821893058575, 516.4002738642249], [18.926577195526583, 165847159.3735967],
  [-21.390311741727388, 5.132224486080713e-10], [1.8878064131726688, 6.604864435076528],
  [1e-10, 1.0000000001], [-1e-300, 1.0], [0.5, 1.6487212707001282], [-0.5, 0.6065306597126334],
  [1.0, 2.718281828459045], [700.5, 1.6721859620674984e304], [-707.9, 3.655411389615008e-308],
  [708.9, 7.436322587880697e307],
];

// [x, sigma(x) correctly rounded]
const SIGMOID_REF: [number, number][] = [
  [12.563186249047902, 0.9999965015472111], [19.490036813866837, 0.9999999965677054],
  [18.427471983544976, 0.9999999900676824], [-16.06151322135227, 1.0582137273734858e-7],
  [22.39139802719275, 0.999999999811401], [-17.017174182597316, 4.0694445692119495e-8],
  [18.11395425619886, 0.999999986410308], [3.3051179363026435, 0.9646039693150459],
  [-18.850298408687042, 6.5075785060763785e-9], [5.316517099890959, 0.9951141641877177],
  [1.094363145245019, 0.7492024395710181], [27.519750206113926, 0.9999999999988823],
  [-629.2825111192815, 5.082505563138158e-274], [-51.77867953100463, 3.2569058140168755e-23],
  [-158.29555547538132, 1.7910748978355323e-69], [0, 0.5], [1e-12, 0.50000000000025],
  [-1e-12, 0.49999999999975], [36.5, 0.9999999999999999], [-36.5, 1.4068617124461467e-16],
];

describe('expScalar', () => {
  it('is within half an ulp (plus a hair) of the correctly rounded e^x, and mostly exactly it', () => {
    let exact = 0;
    for (const [x, ref] of EXP_REF) {
      const got = expScalar(x);
      expect(Math.abs(got - ref), `exp(${x})`).toBeLessThanOrEqual(ulp(ref));
      if (got === ref) exact++;
    }
    expect(exact).toBeGreaterThanOrEqual(EXP_REF.length - 1);
  });

  it('agrees with Math.exp to one ulp over a wide range (relative ~2e-16)', () => {
    const rnd = mulberry32(7);
    for (let i = 0; i < 200_000; i++) {
      const x = i % 2 === 0 ? -745 + 1455 * rnd() : 8 * rnd() - 4;
      const a = expScalar(x);
      const b = Math.exp(x);
      if (Math.abs(a - b) > ulp(b)) throw new Error(`exp(${x}): ${a} vs Math.exp ${b}`);
      if (b >= 2.2250738585072014e-308 && Math.abs(a - b) / b > 2.3e-16) throw new Error(`exp(${x}): relative ${Math.abs(a - b) / b}`);
    }
  });

  it('matches Math.exp on the special values and the edges of its range', () => {
    for (const x of [NaN, Infinity, -Infinity, 0, -0, 709.78, 709.79, 710, -708, -708.0001, -745.1, -745.2, -1000, 1e-320, -1e-320]) {
      const a = expScalar(x);
      const b = Math.exp(x);
      if (Number.isNaN(b)) expect(a).toBeNaN();
      else if (!Number.isFinite(b) || b === 0) expect(Object.is(a, b), `exp(${x})`).toBe(true);
      else expect(Math.abs(a - b), `exp(${x})`).toBeLessThanOrEqual(ulp(b));
    }
    expect(expScalar(0)).toBe(1);
    expect(expScalar(1)).toBe(Math.E);
  });

  it('expArray gives the scalar values bit for bit, from an offset', () => {
    const rnd = mulberry32(3);
    const src = Float64Array.from({ length: 1003 }, () => 60 * rnd() - 30);
    src[5] = NaN;
    src[6] = -800;
    const out = new Float64Array(1000);
    expArray(out, src, 3, 1000);
    for (let k = 0; k < 1000; k++) expect(Object.is(out[k], expScalar(src[3 + k])), `k=${k}`).toBe(true);
  });
});

describe('sigmoidScalar', () => {
  it('has relative error below 1e-15 against the correctly rounded sigmoid', () => {
    for (const [x, ref] of SIGMOID_REF) {
      const got = sigmoidScalar(x);
      expect(Math.abs(got - ref) / ref, `sigma(${x})`).toBeLessThan(1e-15);
    }
  });

  it('agrees with the two-branch Math.exp formula to 1e-15 relative, never overflows, keeps NaN', () => {
    const ref = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    const rnd = mulberry32(11);
    for (let i = 0; i < 100_000; i++) {
      const x = 80 * rnd() - 40;
      const a = sigmoidScalar(x);
      const b = ref(x);
      if (Math.abs(a - b) / b > 1e-15) throw new Error(`sigma(${x}): ${a} vs ${b}`);
    }
    expect(sigmoidScalar(Infinity)).toBe(1);
    expect(sigmoidScalar(-Infinity)).toBe(0);
    expect(sigmoidScalar(1e308)).toBe(1);
    expect(sigmoidScalar(-1e308)).toBe(0);
    expect(sigmoidScalar(-0)).toBe(0.5);
    expect(sigmoidScalar(NaN)).toBeNaN();
    // the far negative tail keeps its relative accuracy (no 1 - tiny cancellation)
    expect(sigmoidScalar(-700) / Math.exp(-700)).toBeCloseTo(1, 14);
  });

  it('sigmoidArray gives sigmoidScalar(c x) bit for bit, for any scale c', () => {
    const rnd = mulberry32(5);
    const src = Float64Array.from({ length: 517 }, () => 20 * rnd() - 10);
    src[0] = NaN;
    src[1] = -1e300;
    src[2] = 1e300;
    src[3] = -0;
    for (const c of [1, 10, 0.3, -2]) {
      const out = new Float64Array(515);
      sigmoidArray(out, src, 2, 515, c);
      for (let k = 0; k < 515; k++) expect(Object.is(out[k], sigmoidScalar(c * src[2 + k])), `c=${c} k=${k}`).toBe(true);
    }
  });

  it('sigmoidArray: arguments around the -708 clamp, subnormal and zero results, NaN and infinities, bit for bit', () => {
    const special = [NaN, -Infinity, Infinity, -708, 708, -708.0000001, -709, -720, -744, -745.2, -746, -1e300, 707.9, -0, 0];
    const rnd = mulberry32(9);
    for (const at of [0, 7, 40]) {
      const src = Float64Array.from({ length: 48 }, () => 8 * rnd() - 4);
      special.forEach((v, i) => (src[(at + i) % 48] = v));
      const out = new Float64Array(48);
      sigmoidArray(out, src, 0, 48, 1);
      for (let k = 0; k < 48; k++) expect(Object.is(out[k], sigmoidScalar(src[k])), `x=${src[k]}`).toBe(true);
    }
    // several blocks of 256, extremes in some: only those blocks are redone, all bits still match
    const long = Float64Array.from({ length: 700 }, () => 8 * rnd() - 4);
    long[300] = -800;
    long[511] = NaN;
    long[699] = -Infinity;
    const outLong = new Float64Array(697);
    sigmoidArray(outLong, long, 3, 697, 2);
    for (let k = 0; k < 697; k++) expect(Object.is(outLong[k], sigmoidScalar(2 * long[3 + k])), `k=${k}`).toBe(true);
    const out = new Float64Array(3);
    sigmoidArray(out, Float64Array.of(-740, -1e300, 740), 0, 3, 1);
    expect(out[0]).toBeGreaterThan(0); // e^-740, subnormal: not clamped to e^-708
    expect(out[0]).toBeLessThan(1e-320);
    expect(out[1]).toBe(0);
    expect(out[2]).toBe(1);
  });
});
