// The arena: tensor memory in one WebAssembly memory, the workspace's arena mode, and the compiled
// elementwise kernels, which must run (kernel counts) and give the bits of their JavaScript twins.

import { describe, expect, it } from 'vitest';
import { gatedLinear, linear, softGatedLinear } from '../../src/autograd/ops/linalg.js';
import { Var } from '../../src/autograd/engine.js';
import { createModel } from '../../src/models/families.js';
import { Adam } from '../../src/models/optim.js';
import { Trainer } from '../../src/models/train.js';
import { Arena, arenaBytes, arenaKernelsAvailable } from '../../src/tensor/arena.js';
import { EXP_TABLE_BYTES } from '../../src/tensor/wasm/elementwise-module.js';
import { type KernelName, kernelCalls, useCompiledKernels } from '../../src/tensor/kernels.js';
import * as T from '../../src/tensor/ops.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { Workspace, allocData, allocDataUninit, currentArena, withWorkspace } from '../../src/tensor/workspace.js';

function rand(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Rng(seed).normalArray(n, 0, 1), shape);
}

function sameBits(a: Tensor | Float64Array, b: Tensor | Float64Array, what: string): void {
  const x = a instanceof Tensor ? a.values() : a;
  const y = b instanceof Tensor ? b.values() : b;
  expect(x.length, what).toBe(y.length);
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`${what}: element ${i} is ${x[i]} vs ${y[i]}`);
}

describe('Arena', () => {
  it('sizes are whole WebAssembly pages of 64 KiB, at least one', () => {
    expect(arenaBytes(0)).toBe(65536);
    expect(arenaBytes(65536)).toBe(65536);
    expect(arenaBytes(65537)).toBe(131072);
    expect(arenaBytes(5 * 65536 - 3)).toBe(5 * 65536);
  });

  it('hands out disjoint zeroed views until full, then null; holds and at locate them', () => {
    const a = new Arena(10);
    // one page, less the exp tables the compiled sigmoid reads at the start of the memory
    const cap = 8192 - EXP_TABLE_BYTES / 8;
    expect(a.capacity).toBe(cap);
    const x = a.alloc(3)!;
    const y = a.alloc(5)!;
    x.fill(1);
    expect(Array.from(y)).toEqual([0, 0, 0, 0, 0]);
    expect(a.holds(x) && a.holds(y) && !a.holds(new Float64Array(3))).toBe(true);
    expect(a.at(y, 2) - a.at(x, 0)).toBe(8 * (3 + 2));
    expect(a.used).toBe(8);
    expect(a.alloc(cap)).toBeNull();
    expect(a.alloc(cap - 8)).not.toBeNull();
    expect(new Arena(cap + 1).capacity).toBe(cap + 8192);
    expect(() => new Arena(-1)).toThrow('Arena: capacity must be a non-negative integer number of doubles, got -1');
  });

  it('links the compiled kernels (WebAssembly SIMD runs here); its views are the memory the kernels address', () => {
    const a = new Arena(16);
    expect(arenaKernelsAvailable()).toBe(true);
    expect(a.kernels).not.toBeNull();
    const h = a.alloc(3)!, g = a.alloc(3)!, z = a.alloc(3)!;
    g.set([1, 2, 3]);
    z.set([4, 5, -0.5]);
    a.kernels!.gate(a.at(h, 0), a.at(g, 0), a.at(z, 0), 3);
    expect(Array.from(h)).toEqual([4, 10, -1.5]);
  });
});

describe('Workspace arena mode', () => {
  it('the first round allocates as usual, the next lays every buffer out in one arena and keeps it', () => {
    const ws = new Workspace(undefined, { arena: true });
    const round = (): Float64Array[] => withWorkspace(ws, () => [allocData(7), allocDataUninit(300), allocData(1)]);
    const r1 = round();
    expect(ws.arena).toBeNull();
    const r2 = round();
    const arena = ws.arena!;
    expect(arena).not.toBeNull();
    expect(r2.every((b) => arena.holds(b))).toBe(true);
    expect(r2.map((b) => b.length)).toEqual(r1.map((b) => b.length));
    const r3 = round();
    expect(ws.arena).toBe(arena);
    r3.forEach((b, k) => expect(b).toBe(r2[k]));
    expect(r3[0].every((v) => v === 0)).toBe(true);
  });

  it('a round that asks for more than the arena holds gets ordinary buffers, and the next a bigger arena', () => {
    const ws = new Workspace(undefined, { arena: true });
    withWorkspace(ws, () => allocData(100));
    withWorkspace(ws, () => allocData(100));
    const small = ws.arena!;
    const big = withWorkspace(ws, () => [allocData(100), allocData(small.capacity)]);
    expect(small.holds(big[1])).toBe(false);
    const again = withWorkspace(ws, () => [allocData(100), allocData(small.capacity)]);
    expect(ws.arena).not.toBe(small);
    expect(again.every((b) => ws.arena!.holds(b))).toBe(true);
  });

  it('currentArena is the active workspace arena, and an arena excludes a custom allocator', () => {
    expect(currentArena()).toBeNull();
    const ws = new Workspace(undefined, { arena: true });
    withWorkspace(ws, () => allocData(4));
    withWorkspace(ws, () => expect(currentArena()).toBe(ws.arena));
    expect(() => new Workspace((n) => new Float64Array(n), { arena: true })).toThrow(
      'Workspace: an arena holds its own buffers; give either allocate or arena, not both',
    );
  });
});

describe('compiled elementwise kernels give the bits of the JavaScript ones', () => {
  /**
   * Runs f in a workspace without an arena and in a warmed arena workspace; returns both results,
   * and checks that in the arena round every kernel in `compiled` ran its WebAssembly body and
   * in the plain round its JavaScript body.
   */
  function both<R>(f: () => R, compiled: KernelName[]): [R, R] {
    const c0 = kernelCalls();
    const plain = withWorkspace(new Workspace(), f);
    const c1 = kernelCalls();
    const ws = new Workspace(undefined, { arena: true });
    withWorkspace(ws, f);
    const c2 = kernelCalls();
    const viaArena = withWorkspace(ws, () => {
      expect(currentArena()).not.toBeNull();
      return f();
    });
    const c3 = kernelCalls();
    for (const k of compiled) {
      expect(c1[k].wasm - c0[k].wasm, `${k}: no compiled call without an arena`).toBe(0);
      expect(c1[k].javascript - c0[k].javascript, `${k}: JavaScript calls without an arena`).toBeGreaterThan(0);
      expect(c3[k].wasm - c2[k].wasm, `${k}: compiled calls in the arena`).toBeGreaterThan(0);
      expect(c3[k].javascript - c2[k].javascript, `${k}: no JavaScript call in the arena`).toBe(0);
    }
    return [plain, viaArena];
  }

  it('linear (bias rows), gatedLinear and softGatedLinear forward and backward, odd shapes', () => {
    for (const [n, d, m] of [[7, 3, 5], [33, 4, 16], [1, 2, 3], [64, 17, 9]] as const) {
      const x = rand([n, d], n + d);
      const w = rand([m, d], m);
      const b = rand([m], m + 1);
      const zg = rand([n, m], n * m);
      const g = rand([n, m], 3);
      const run = (): Float64Array[] => {
        const xv = new Var(x.clone(), true);
        const wv = new Var(w.clone(), true);
        const bv = new Var(b.clone(), true);
        const zv = new Var(zg.clone(), true);
        const gv = new Var(T.sigmoid(g), true);
        const lin = linear(xv, wv, bv);
        const gated = gatedLinear(gv, xv, wv, bv);
        const soft = softGatedLinear(zv, 4, xv, wv, bv);
        const noBias = gatedLinear(gv, xv, wv, null);
        const total = T.add(T.add(lin.value, gated.value), T.add(soft.out.value, noBias.value));
        const loss = T.sum(T.mul(total, total));
        // backward through every node with a seed gradient the shape of each output
        for (const v of [lin, gated, soft.out, noBias]) v.backward(T.mul(v.value, 0.5));
        return [total.values(), loss.values(), xv.grad!.values(), wv.grad!.values(), bv.grad!.values(), zv.grad!.values(), gv.grad!.values(), soft.gate.value.values()].map((a) => new Float64Array(a));
      };
      const [a, c] = both(run, ['gate', 'gateBias', 'addRow', 'softGateGrads']);
      a.forEach((arr, k) => sameBits(arr, c[k], `n=${n} d=${d} m=${m} result ${k}`));
    }
  });

  it('sigmoid: ordinary values, both signs, -0, the clamp at -708, subnormal results, NaN and infinities, odd lengths', () => {
    const special = [0, -0, 1e-300, -1e-300, 707.9, -707.9, 708, -708, 708.1, -708.1, 745, -745, 746, -746, 1e5, -1e5, Infinity, -Infinity, NaN, 3.7, -3.7];
    for (const n of [1, 2, 3, 255, 256, 257, 1000]) {
      const r = new Rng(n).normalArray(n, 0, 40);
      for (let i = 0; i < n; i++) if (i % 7 === 0) r[i] = special[(i / 7) % special.length];
      const t = new Tensor(r, [n]);
      for (const beta of [1, 10, 0.5]) {
        // x * 1 copies t into the workspace (bits unchanged), so both arrays lie in the arena
        const [a, c] = both(() => new Float64Array(T.scaledSigmoid(T.mul(t, 1), beta).values()), ['sigmoid']);
        sameBits(a, c, `n=${n} beta=${beta}`);
      }
    }
  });

  it('column sums (sum over axis 0) on 1, 3, 4, 5 and 9 rows', () => {
    for (const rows of [1, 3, 4, 5, 9, 256]) {
      const t = rand([rows, 11], rows);
      const [a, c] = both(() => new Float64Array(T.sum(t.clone(), 0).values()), ['colSums']);
      sameBits(a, c, `rows=${rows}`);
    }
  });

  it('a Trainer (arena by default) trains to the same bits as one without an arena', () => {
    const rng = new Rng(5);
    const x = new Tensor(rng.normalArray(64 * 3, 0, 1), [64, 3]);
    const y = new Tensor(Float64Array.from({ length: 64 }, (_, i) => i % 2), [64]);
    for (const kind of ['dlgn', 'dgn', 'dnn', 'dlgn-vt'] as const) {
      const mk = (arena: boolean): Float64Array => {
        const before = kernelCalls().rowOuter;
        const model = createModel({ kind, inputDim: 3, widths: kind === 'dlgn-vt' ? [3, 4, 5] : [8, 8, 8], outputDim: 2, beta: 10 }, { rng: 9 });
        const tr = new Trainer(model, { loss: 'ce', optimizer: new Adam(model.parameters(), { lr: 0.01 }), allocate: arena ? undefined : (n) => new Float64Array(n) });
        for (let i = 0; i < 30; i++) tr.step(x, y);
        if (arena) expect(tr.workspace(64).arena).not.toBeNull();
        // the value-tensor family's path activities run the compiled row-wise outer product
        if (kind === 'dlgn-vt') expect(kernelCalls().rowOuter[arena ? 'wasm' : 'javascript'] - before[arena ? 'wasm' : 'javascript']).toBeGreaterThan(0);
        return new Float64Array(model.namedParameters().flatMap(([, p]) => Array.from(p.value.values())));
      };
      sameBits(mk(true), mk(false), kind);
    }
  });

  it('Adam: the compiled update (state in its own arena) gives the bits of the JavaScript loop, odd and even sizes', () => {
    for (const n of [1, 2, 7, 64]) {
      const mk = (compiled: boolean): Float64Array => {
        useCompiledKernels(compiled);
        try {
          const p = new Var(rand([n], n), true);
          const opt = new Adam([p], { lr: 0.05 });
          const before = kernelCalls().adam;
          for (let s = 0; s < 25; s++) {
            p.grad = T.sub(T.mul(p.value, 3), T.square(p.value));
            opt.step();
          }
          const after = kernelCalls().adam;
          expect(compiled ? after.wasm - before.wasm : after.javascript - before.javascript, `n=${n} compiled=${compiled}`).toBe(25);
          return new Float64Array(p.value.values());
        } finally {
          useCompiledKernels(true);
        }
      };
      sameBits(mk(true), mk(false), `Adam n=${n}`);
    }
  });
});
