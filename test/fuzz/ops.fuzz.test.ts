// Fuzz: the engine's ops on tensors full of IEEE specials (NaN, +-Infinity, +-0, subnormals, the
// largest finite values), in random shapes, broadcasts and strided views, against scalar reference
// semantics written here from IEEE 754 and PyTorch's documented behaviour.

import { describe, expect, it } from 'vitest';
import * as ag from '../../src/autograd/index.js';
import { Var } from '../../src/autograd/index.js';
import { matmul } from '../../src/tensor/linalg.js';
import * as T from '../../src/tensor/ops.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type Gen, cases, expectBounded, fuzzLoop, gen } from './fuzz.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 5e-324, -1e-310, 1.7976931348623157e308, -1e308, 3];
/** Values whose sums cannot overflow in any order: only the specials themselves make inf or NaN. */
const TAME = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 0.5, -2.5, 3, 0.125];

function tensor(g: Gen, shape: number[], pool: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let k = 0; k < n; k++) d[k] = g.chance(0.3) ? g.pick(pool) : (g.next() * 2 - 1) * 10;
  return new Tensor(d, shape);
}

/** A random view of the same values: sometimes transposed (a strided view) and copied back. */
function maybeStrided(g: Gen, t: Tensor): Tensor {
  if (t.ndim !== 2 || !g.chance(0.5)) return t;
  return t.transpose().contiguous().transpose(); // same logical values, column-major strides
}

const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
function expectSameValues(got: ArrayLike<number>, want: ArrayLike<number>, what: string, zeroSign = true): void {
  expect(got.length, what).toBe(want.length);
  for (let k = 0; k < want.length; k++) {
    const ok = zeroSign ? same(got[k], want[k]) : same(got[k], want[k]) || (got[k] === 0 && want[k] === 0);
    if (!ok) throw new Error(`${what}: element ${k}: got ${got[k]}, expected ${want[k]}`);
  }
}

const maxRef = (x: number, y: number): number => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x >= y ? x : y);
const minRef = (x: number, y: number): number => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x <= y ? x : y);

describe('fuzz: ops against reference semantics', () => {
  it(`elementwise binary ops with broadcasting (${cases(300)} cases)`, () => {
    const g = gen(6);
    const ops: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
      ['add', T.add, (x, y) => x + y],
      ['sub', T.sub, (x, y) => x - y],
      ['mul', T.mul, (x, y) => x * y],
      ['div', T.div, (x, y) => x / y],
      ['maximum', T.maximum, maxRef],
      ['minimum', T.minimum, minRef],
    ];
    const stats = fuzzLoop(cases(300), (i) => {
      const [name, op, ref] = g.pick(ops);
      const r = g.int(1, 5);
      const c = g.int(1, 6);
      const bShape = g.pick([[r, c], [c], [r, 1], [1, c]]);
      const a = maybeStrided(g, tensor(g, [r, c], SPECIAL));
      const b = tensor(g, bShape, SPECIAL);
      const out = op(a, b).values();
      const av = a.values();
      const bv = b.values();
      const want = new Float64Array(r * c);
      for (let p = 0; p < r; p++) {
        for (let q = 0; q < c; q++) {
          const bi = bShape.length === 1 ? q : (bShape[0] === 1 ? 0 : p) * bShape[1] + (bShape[1] === 1 ? 0 : q);
          want[p * c + q] = ref(av[p * c + q], bv[bi]);
        }
      }
      expectSameValues(out, want, `case ${i}: ${name} [${r}, ${c}] with [${bShape}]`);
    });
    expectBounded(stats, 'binary ops');
  });

  it(`unary ops and reductions (${cases(300)} cases)`, () => {
    const g = gen(7);
    const stats = fuzzLoop(cases(300), (i) => {
      const r = g.int(1, 4);
      const c = g.int(1, 7);
      const a = maybeStrided(g, tensor(g, [r, c], SPECIAL));
      const v = Array.from(a.values());
      const what = `case ${i} [${r}, ${c}]`;
      expectSameValues(T.neg(a).values(), v.map((x) => -x), `${what} neg`);
      expectSameValues(T.abs(a).values(), v.map(Math.abs), `${what} abs`);
      expectSameValues(T.relu(a).values(), v.map((x) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0)), `${what} relu`);
      expectSameValues(T.step(a).values(), v.map((x) => (x > 0 ? 1 : 0)), `${what} step`);
      const e = T.exp(a).values();
      const s = T.sigmoid(a).values();
      v.forEach((x, k) => {
        const want = Math.exp(x);
        if (!Number.isFinite(want) || want === 0) expect(same(e[k], want), `${what} exp(${x})`).toBe(true);
        else expect(Math.abs(e[k] - want) / want, `${what} exp(${x})`).toBeLessThan(1e-14);
        if (Number.isNaN(x)) expect(s[k], `${what} sigmoid(NaN)`).toBeNaN();
        else {
          expect(s[k] >= 0 && s[k] <= 1, `${what} sigmoid(${x}) = ${s[k]}`).toBe(true);
          if (x === Infinity) expect(s[k]).toBe(1);
          if (x === -Infinity) expect(s[k]).toBe(0);
        }
      });
      // reductions along each axis: max/min propagate NaN, argmax/argmin take the first NaN
      for (const axis of [0, 1]) {
        const len = axis === 0 ? r : c;
        const other = axis === 0 ? c : r;
        const at = (o: number, j: number): number => (axis === 0 ? v[j * c + o] : v[o * c + j]);
        const mx = T.max(a, axis).values();
        const mn = T.min(a, axis).values();
        const am = T.argmax(a, axis).values();
        const an = T.argmin(a, axis).values();
        for (let o = 0; o < other; o++) {
          let refMax = -Infinity;
          let refMin = Infinity;
          let iMax = 0;
          let iMin = 0;
          let nanAt = -1;
          for (let j = 0; j < len; j++) {
            const x = at(o, j);
            if (Number.isNaN(x)) {
              if (nanAt < 0) nanAt = j;
              continue;
            }
            if (x > refMax || j === 0) {
              if (x > refMax || (j === 0 && x >= refMax)) iMax = x > refMax || j === 0 ? j : iMax;
              refMax = Math.max(refMax, x);
            }
            if (x < refMin || j === 0) {
              iMin = x < refMin || j === 0 ? j : iMin;
              refMin = Math.min(refMin, x);
            }
          }
          // first index of the extreme among non-NaN values
          if (nanAt < 0) {
            iMax = Array.from({ length: len }, (_, j) => at(o, j)).indexOf(refMax);
            iMin = Array.from({ length: len }, (_, j) => at(o, j)).indexOf(refMin);
          }
          expect(same(mx[o], nanAt >= 0 ? NaN : refMax) || (mx[o] === 0 && refMax === 0), `${what} max axis ${axis}`).toBe(true);
          expect(same(mn[o], nanAt >= 0 ? NaN : refMin) || (mn[o] === 0 && refMin === 0), `${what} min axis ${axis}`).toBe(true);
          expect(am[o], `${what} argmax axis ${axis}`).toBe(nanAt >= 0 ? nanAt : iMax);
          expect(an[o], `${what} argmin axis ${axis}`).toBe(nanAt >= 0 ? nanAt : iMin);
        }
      }
    });
    expectBounded(stats, 'unary ops');
  });

  it(`sum and matmul: specials propagate as IEEE says, finite values to rounding (${cases(200)} cases)`, () => {
    const g = gen(8);
    const stats = fuzzLoop(cases(200), (i) => {
      const m = g.int(1, 9);
      const k = g.int(1, 9);
      const n = g.int(1, 9);
      const a = maybeStrided(g, tensor(g, [m, k], TAME));
      const b = maybeStrided(g, tensor(g, [k, n], TAME));
      const av = a.values();
      const bv = b.values();
      const got = matmul(a, b).values();
      const what = `case ${i}: [${m}, ${k}] x [${k}, ${n}]`;
      for (let p = 0; p < m; p++) {
        for (let q = 0; q < n; q++) {
          let s = 0;
          let mag = 0;
          for (let t = 0; t < k; t++) {
            s += av[p * k + t] * bv[t * n + q];
            mag += Math.abs(av[p * k + t] * bv[t * n + q]);
          }
          const x = got[p * n + q];
          if (!Number.isFinite(s)) expect(same(x, s), `${what} (${p}, ${q}): got ${x}, want ${s}`).toBe(true);
          else expect(Math.abs(x - s), `${what} (${p}, ${q})`).toBeLessThanOrEqual(1e-13 * Math.max(1, mag));
        }
      }
      const rowSums = T.sum(a, 1).values();
      for (let p = 0; p < m; p++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += av[p * k + t];
        if (!Number.isFinite(s)) expect(same(rowSums[p], s), `${what} sum row ${p}`).toBe(true);
        else expect(Math.abs(rowSums[p] - s), `${what} sum row ${p}`).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(s) + k * 10));
      }
    });
    expectBounded(stats, 'matmul');
  });

  it(`gradients at specials: never NaN from a zero mask or a zero exponent (${cases(200)} cases)`, () => {
    const g = gen(9);
    const stats = fuzzLoop(cases(200), (i) => {
      const n = g.int(1, 8);
      const x = tensor(g, [n], SPECIAL.filter((v) => !Number.isNaN(v)));
      const up = g.pick([Infinity, -Infinity, 1, 1e308]);
      const xv = x.values();
      const what = `case ${i}: upstream ${up}, x ${JSON.stringify(Array.from(xv).map(String))}`;
      // relu: upstream where x > 0, +0 elsewhere
      let v = Var.param(x.clone());
      ag.sum(ag.mul(ag.relu(v), up)).backward();
      expectSameValues(v.grad!.values(), Array.from(xv, (t) => (t > 0 ? up : 0)), `${what} relu`, false);
      // pow(x, 0): zero everywhere
      v = Var.param(x.clone());
      ag.sum(ag.mul(ag.pow(v, 0), up)).backward();
      expectSameValues(v.grad!.values(), Array.from(xv, () => 0), `${what} pow 0`, false);
      // maximum with a constant: upstream where x >= c (ties to x), 0 elsewhere
      const c = g.pick([0, 1, -1, Infinity]);
      v = Var.param(x.clone());
      ag.sum(ag.mul(ag.maximum(v, Tensor.full([n], c)), up)).backward();
      expectSameValues(v.grad!.values(), Array.from(xv, (t) => (t >= c ? up : 0)), `${what} maximum ${c}`, false);
    });
    expectBounded(stats, 'gradients');
  });
});
