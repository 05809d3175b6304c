// The elementwise passes of a training step in WebAssembly: gated layer, bias rows, column sums, soft-gate gradients, sigmoid, Adam.

import { EXP_METHOD } from '../math.js';
import { Fn, Op, Simd, Type, encodeModule, type Local } from './assembler.js';

/*
 * Every function works on byte addresses in the memory of an `Arena` (src/tensor/arena.ts) and
 * makes exactly the floating-point operations of its JavaScript twin in src/tensor/kernels.ts,
 * in the same order, so the results are the same bits. The loops run two values at a time with
 * f64x2 where elements are independent (the lanes round exactly as scalar code does) and finish
 * an odd element with scalar code. The sigmoid looks up a table per element, which SIMD128
 * cannot gather, so it stays scalar (still without the checks a JavaScript loop over argument
 * arrays pays per element); every arena holds a copy of its tables at its start.
 */

/** How a loop body reads, writes and combines values: one f64, or two lanes of f64x2. */
interface Width {
  /** Bytes per step: 8 or 16. */
  readonly bytes: number;
  load(p: Local, offset?: number): void;
  /** Stores what `value` pushes at p. */
  store(p: Local, value: () => void): void;
  add(): void;
  sub(): void;
  mul(): void;
  div(): void;
  sqrt(): void;
  /** Pushes the f64 local x (as both lanes when vector). */
  scalar(x: Local): void;
  /** Pushes the constant x. */
  constant(x: number): void;
}

function scalarWidth(f: Fn): Width {
  return {
    bytes: 8,
    load: (p, offset = 0) => void f.get(p).mem(Op.f64_load, offset),
    store: (p, value) => {
      f.get(p);
      value();
      f.mem(Op.f64_store);
    },
    add: () => void f.op(Op.f64_add),
    sub: () => void f.op(Op.f64_sub),
    mul: () => void f.op(Op.f64_mul),
    div: () => void f.op(Op.f64_div),
    sqrt: () => void f.op(Op.f64_sqrt),
    scalar: (x) => void f.get(x),
    constant: (x) => void f.f64(x),
  };
}

function vectorWidth(f: Fn): Width {
  return {
    bytes: 16,
    load: (p, offset = 0) => void f.get(p).vmem(Simd.v128_load, offset),
    store: (p, value) => {
      f.get(p);
      value();
      f.vmem(Simd.v128_store);
    },
    add: () => void f.simd(Simd.f64x2_add),
    sub: () => void f.simd(Simd.f64x2_sub),
    mul: () => void f.simd(Simd.f64x2_mul),
    div: () => void f.simd(Simd.f64x2_div),
    sqrt: () => void f.simd(Simd.f64x2_sqrt),
    scalar: (x) => void f.get(x).simd(Simd.f64x2_splat),
    constant: (x) => void f.f64x2(x),
  };
}

/**
 * Emits a loop over `count` elements: pairs with f64x2, then an odd last element with f64. The
 * body is written once against a `Width`; every pointer in `ptrs` advances by one step.
 */
function lanes(f: Fn, count: Local, ptrs: readonly Local[], body: (w: Width) => void): void {
  const k = f.local(Type.i32);
  f.i32(0).set(k);
  for (const [w, step] of [[vectorWidth(f), 2], [scalarWidth(f), 1]] as const) {
    f.while_(() => f.get(k).i32(step).op(Op.i32_add).get(count).op(Op.i32_le_s), () => {
      body(w);
      for (const p of ptrs) f.inc(p, w.bytes);
      f.inc(k, step);
    });
  }
}

/** gate(h, g, z, size): h[k] = g[k] z[k]. */
function gate(): Fn {
  const f = new Fn('gate', [Type.i32, Type.i32, Type.i32, Type.i32]);
  const [h, g, z, size] = f.params;
  lanes(f, size, [h, g, z], (w) => w.store(h, () => { w.load(g); w.load(z); w.mul(); }));
  return f;
}

/** gateBias(h, g, z, b, n, m): v = z[i][j] + b[j]; z[i][j] = v; h[i][j] = g[i][j] v, over n x m. */
function gateBias(): Fn {
  const f = new Fn('gateBias', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [h, g, z, b, n, m] = f.params;
  const i = f.local(Type.i32), bj = f.local(Type.i32);
  f.while_(() => f.get(i).get(n).op(Op.i32_lt_s), () => {
    f.get(b).set(bj);
    lanes(f, m, [h, g, z, bj], (w) => {
      w.store(z, () => { w.load(z); w.load(bj); w.add(); });
      w.store(h, () => { w.load(g); w.load(z); w.mul(); });
    });
    f.inc(i, 1);
  });
  return f;
}

/** addRow(z, b, n, m): z[i][j] = z[i][j] + b[j] over n x m. */
function addRow(): Fn {
  const f = new Fn('addRow', [Type.i32, Type.i32, Type.i32, Type.i32]);
  const [z, b, n, m] = f.params;
  const i = f.local(Type.i32), bj = f.local(Type.i32);
  f.while_(() => f.get(i).get(n).op(Op.i32_lt_s), () => {
    f.get(b).set(bj);
    lanes(f, m, [z, bj], (w) => w.store(z, () => { w.load(z); w.load(bj); w.add(); }));
    f.inc(i, 1);
  });
  return f;
}

/**
 * softGateGrads(d, z, g, beta, dzg, dz, size, wantZg, wantZ): with v = d[k], s = g[k],
 * dzg[k] = (v z[k]) (s (1 - s) beta) when wantZg, dz[k] = v s when wantZ.
 */
function softGateGrads(): Fn {
  const f = new Fn('softGateGrads', [Type.i32, Type.i32, Type.i32, Type.f64, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [d, z, g, beta, dzg, dz, size, wantZg, wantZ] = f.params;
  const both = (w: Width): void => {
    w.store(dzg, () => { w.load(d); w.load(z); w.mul(); w.load(g); w.constant(1); w.load(g); w.sub(); w.mul(); w.scalar(beta); w.mul(); w.mul(); });
  };
  const plain = (w: Width): void => w.store(dz, () => { w.load(d); w.load(g); w.mul(); });
  f.get(wantZg).if_(() => {
    f.get(wantZ).if_(() => lanes(f, size, [d, z, g, dzg, dz], (w) => { both(w); plain(w); }), () => lanes(f, size, [d, z, g, dzg], both));
  }, () => {
    f.get(wantZ).if_(() => lanes(f, size, [d, g, dz], plain));
  });
  return f;
}

/**
 * colSums(out, d, rows, cols): out[j] = out[j] + d[r0][j] + d[r1][j] + d[r2][j] + d[r3][j] for
 * each sweep of four rows, then out[j] = out[j] + d[r][j] for the rows left.
 */
function colSums(): Fn {
  const f = new Fn('colSums', [Type.i32, Type.i32, Type.i32, Type.i32]);
  const [out, d, rows, cols] = f.params;
  const i = f.local(Type.i32), o = f.local(Type.i32), rowBytes = f.local(Type.i32);
  const r0 = f.local(Type.i32), r1 = f.local(Type.i32), r2 = f.local(Type.i32), r3 = f.local(Type.i32);
  f.get(cols).i32(3).op(Op.i32_shl).set(rowBytes);
  f.while_(() => f.get(i).i32(4).op(Op.i32_add).get(rows).op(Op.i32_le_s), () => {
    f.get(d).set(r0);
    f.get(r0).get(rowBytes).op(Op.i32_add).set(r1);
    f.get(r1).get(rowBytes).op(Op.i32_add).set(r2);
    f.get(r2).get(rowBytes).op(Op.i32_add).set(r3);
    f.get(out).set(o);
    lanes(f, cols, [o, r0, r1, r2, r3], (w) => w.store(o, () => {
      w.load(o); w.load(r0); w.add(); w.load(r1); w.add(); w.load(r2); w.add(); w.load(r3); w.add();
    }));
    f.get(r3).set(d);
    f.inc(i, 4);
  });
  f.while_(() => f.get(i).get(rows).op(Op.i32_lt_s), () => {
    f.get(out).set(o);
    lanes(f, cols, [o, d], (w) => w.store(o, () => { w.load(o); w.load(d); w.add(); }));
    f.inc(i, 1);
  });
  return f;
}

/**
 * adam(w, g, m, v, n, w1, beta2, b2c, stepSize, bc2sqrt, eps): the common case of `Adam.step`
 * (no weight decay, no amsgrad, not maximising): m = m + w1 (g - m); v = v beta2 + b2c g g;
 * w = w - stepSize (m / (sqrt(v) / bc2sqrt + eps)).
 */
function adam(): Fn {
  const f = new Fn('adam', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.f64, Type.f64, Type.f64, Type.f64, Type.f64, Type.f64]);
  const [w, g, m, v, n, w1, beta2, b2c, stepSize, bc2sqrt, eps] = f.params;
  lanes(f, n, [w, g, m, v], (x) => {
    x.store(m, () => { x.load(m); x.scalar(w1); x.load(g); x.load(m); x.sub(); x.mul(); x.add(); });
    x.store(v, () => { x.load(v); x.scalar(beta2); x.mul(); x.scalar(b2c); x.load(g); x.mul(); x.load(g); x.mul(); x.add(); });
    x.store(w, () => {
      x.load(w); x.scalar(stepSize); x.load(m); x.load(v); x.sqrt(); x.scalar(bc2sqrt); x.div(); x.scalar(eps); x.add(); x.div(); x.mul(); x.sub();
    });
  });
  return f;
}

/** Byte address of the exp method's tables in every arena: TAB (2N values) at 0, then POW2. */
export const EXP_TABLE_BYTES = 8 * (EXP_METHOD.TAB.length + EXP_METHOD.POW2.length);
const TAB_AT = 0;
const POW2_AT = 8 * EXP_METHOD.TAB.length;

/** Writes the exp tables at the start of a memory the module runs on. */
export function writeExpTables(heap: Float64Array): void {
  heap.set(EXP_METHOD.TAB, TAB_AT / 8);
  heap.set(EXP_METHOD.POW2, POW2_AT / 8);
}

/**
 * sigmoid(out, src, n, c) -> lo: out[k] = sigma(c src[k]) as `sigmoidBlock` in math.ts computes
 * it (the exp argument -|c v| clamped at -708, numerator picked by a select), over all n values;
 * returns the smallest argument -|c v| (NaN if any was NaN), so the caller redoes the extreme
 * elements through Math.exp exactly as `sigmoidArray` does. Needs the tables at TAB_AT/POW2_AT.
 */
function sigmoid(): Fn {
  const E = EXP_METHOD;
  const f = new Fn('sigmoid', [Type.i32, Type.i32, Type.i32, Type.f64], [Type.f64]);
  const [out, src, n, c] = f.params;
  const k = f.local(Type.i32), ki = f.local(Type.i32), j = f.local(Type.i32);
  const v = f.local(Type.f64), a = f.local(Type.f64), lo = f.local(Type.f64), x = f.local(Type.f64);
  const kd = f.local(Type.f64), r = f.local(Type.f64), r2 = f.local(Type.f64), p = f.local(Type.f64);
  const s = f.local(Type.f64), e = f.local(Type.f64);
  f.while_(() => f.get(k).get(n).op(Op.i32_lt_s), () => {
    f.get(c).get(src).mem(Op.f64_load).op(Op.f64_mul).set(v); // v = c * src[k]
    f.get(v).op(Op.f64_abs, Op.f64_neg).set(a); // a = -|v|
    f.get(lo).get(a).op(Op.f64_min).set(lo);
    f.get(a).f64(-708).op(Op.f64_max).set(x);
    // kd = x * INV_LN2N + SHIFT - SHIFT; ki = kd | 0
    f.get(x).f64(E.INV_LN2N).op(Op.f64_mul).f64(E.SHIFT).op(Op.f64_add).f64(E.SHIFT).op(Op.f64_sub).tee(kd).truncSat().set(ki);
    // r = x - kd * LN2N_HI - kd * LN2N_LO
    f.get(x).get(kd).f64(E.LN2N_HI).op(Op.f64_mul, Op.f64_sub).get(kd).f64(E.LN2N_LO).op(Op.f64_mul, Op.f64_sub).set(r);
    // j = (ki & (N - 1)) << 1, as a byte offset: << 3 more
    f.get(ki).i32(E.N - 1).op(Op.i32_and).i32(4).op(Op.i32_shl).set(j);
    f.get(r).get(r).op(Op.f64_mul).set(r2);
    // p = r + r2 * (C2 + r * C3 + r2 * (C4 + r * C5))
    f.get(r).get(r2).f64(E.C2).get(r).f64(E.C3).op(Op.f64_mul, Op.f64_add);
    f.get(r2).f64(E.C4).get(r).f64(E.C5).op(Op.f64_mul, Op.f64_add, Op.f64_mul, Op.f64_add, Op.f64_mul, Op.f64_add).set(p);
    f.get(j).mem(Op.f64_load, TAB_AT).set(s);
    // e = (s + (TAB[j + 1] + s * p)) * POW2[(ki >> LOG2N) + 1022]
    f.get(s).get(j).mem(Op.f64_load, TAB_AT + 8).get(s).get(p).op(Op.f64_mul, Op.f64_add, Op.f64_add);
    f.get(ki).i32(E.LOG2N).op(Op.i32_shr_s).i32(1022).op(Op.i32_add).i32(3).op(Op.i32_shl).mem(Op.f64_load, POW2_AT).op(Op.f64_mul).set(e);
    // out[k] = (v >= 0 ? 1 : e) / (1 + e)
    f.get(out).f64(1).get(e).get(v).f64(0).op(Op.f64_ge, Op.select).f64(1).get(e).op(Op.f64_add, Op.f64_div).mem(Op.f64_store);
    f.inc(out, 8).inc(src, 8).inc(k, 1);
  });
  f.get(lo);
  return f;
}

/** rowOuter(out, a, b, n, p, m): out[i][j m + k] = a[i][j] b[i][k], a [n, p], b [n, m]. */
function rowOuter(): Fn {
  const f = new Fn('rowOuter', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [out, a, b, n, p, m] = f.params;
  const i = f.local(Type.i32), j = f.local(Type.i32), bk = f.local(Type.i32), x = f.local(Type.f64), rowB = f.local(Type.i32);
  f.while_(() => f.get(i).get(n).op(Op.i32_lt_s), () => {
    f.i32(0).set(j);
    f.while_(() => f.get(j).get(p).op(Op.i32_lt_s), () => {
      f.get(a).mem(Op.f64_load).set(x);
      f.get(b).set(bk);
      lanes(f, m, [out, bk], (w) => w.store(out, () => { w.scalar(x); w.load(bk); w.mul(); }));
      f.inc(a, 8).inc(j, 1);
    });
    f.get(m).i32(3).op(Op.i32_shl).set(rowB);
    f.inc(b, rowB).inc(i, 1);
  });
  return f;
}

/**
 * rowOuterGrad(da, db, g, a, b, n, p, m, wantA, wantB): from g [n, p m],
 * da[i][j] = sum_k g[i][j m + k] b[i][k] (from 0 in k order; the product itself when m = 1) and
 * db[i][k] = sum_j g[i][j m + k] a[i][j] (from 0 in j order; the product itself when p = 1), as
 * `rowOuterGradKernel` in kernels.ts. da's sums are sequential (scalar); db's run over k in pairs.
 */
function rowOuterGrad(): Fn {
  const f = new Fn('rowOuterGrad', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [da, db, g, a, b, n, p, m, wantA, wantB] = f.params;
  const i = f.local(Type.i32), j = f.local(Type.i32), k = f.local(Type.i32), s = f.local(Type.f64), x = f.local(Type.f64);
  const gk = f.local(Type.i32), bk = f.local(Type.i32), dbk = f.local(Type.i32), rowB = f.local(Type.i32);
  f.get(m).i32(3).op(Op.i32_shl).set(rowB);
  f.while_(() => f.get(i).get(n).op(Op.i32_lt_s), () => {
    f.i32(0).set(j);
    f.while_(() => f.get(j).get(p).op(Op.i32_lt_s), () => {
      f.get(wantA).if_(() => {
        f.get(m).i32(1).op(Op.i32_eq).if_(() => {
          f.get(da).get(g).mem(Op.f64_load).get(b).mem(Op.f64_load).op(Op.f64_mul).mem(Op.f64_store);
        }, () => {
          f.f64(0).set(s).i32(0).set(k).get(g).set(gk).get(b).set(bk);
          f.while_(() => f.get(k).get(m).op(Op.i32_lt_s), () => {
            f.get(s).get(gk).mem(Op.f64_load).get(bk).mem(Op.f64_load).op(Op.f64_mul, Op.f64_add).set(s);
            f.inc(gk, 8).inc(bk, 8).inc(k, 1);
          });
          f.get(da).get(s).mem(Op.f64_store);
        });
        f.inc(da, 8);
      });
      f.get(wantB).if_(() => {
        f.get(a).mem(Op.f64_load).set(x);
        f.get(g).set(gk).get(db).set(dbk);
        f.get(p).i32(1).op(Op.i32_eq).if_(() => {
          lanes(f, m, [gk, dbk], (w) => w.store(dbk, () => { w.load(gk); w.scalar(x); w.mul(); }));
        }, () => {
          // the first j stores 0 + g x (db starts at 0, as the composite's sum does)
          f.get(j).op(Op.i32_eqz).if_(() => {
            lanes(f, m, [gk, dbk], (w) => w.store(dbk, () => { w.constant(0); w.load(gk); w.scalar(x); w.mul(); w.add(); }));
          }, () => {
            lanes(f, m, [gk, dbk], (w) => w.store(dbk, () => { w.load(dbk); w.load(gk); w.scalar(x); w.mul(); w.add(); }));
          });
        });
      });
      f.inc(a, 8).inc(g, rowB).inc(j, 1);
    });
    f.inc(b, rowB).inc(db, rowB).inc(i, 1);
  });
  return f;
}

/** The exports of the elementwise module, on byte addresses. */
export interface ElementwiseExports {
  gate(h: number, g: number, z: number, size: number): void;
  gateBias(h: number, g: number, z: number, b: number, n: number, m: number): void;
  addRow(z: number, b: number, n: number, m: number): void;
  softGateGrads(d: number, z: number, g: number, beta: number, dzg: number, dz: number, size: number, wantZg: number, wantZ: number): void;
  colSums(out: number, d: number, rows: number, cols: number): void;
  adam(w: number, g: number, m: number, v: number, n: number, w1: number, beta2: number, b2c: number, stepSize: number, bc2sqrt: number, eps: number): void;
  sigmoid(out: number, src: number, n: number, c: number): number;
  rowOuter(out: number, a: number, b: number, n: number, p: number, m: number): void;
  rowOuterGrad(da: number, db: number, g: number, a: number, b: number, n: number, p: number, m: number, wantA: number, wantB: number): void;
}

/** The module's bytes for a memory of `initial`..`maximum` pages. */
export function elementwiseModuleBytes(initial: number, maximum: number): Uint8Array {
  return encodeModule([gate(), gateBias(), addRow(), softGateGrads(), colSums(), adam(), sigmoid(), rowOuter(), rowOuterGrad()], { initial, maximum });
}
