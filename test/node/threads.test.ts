// The worker-thread pool: products split by rows give the one-thread bits exactly, training included; clean start and stop.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModel } from '../../src/models/families.js';
import { Adam } from '../../src/models/optim.js';
import { Trainer } from '../../src/models/train.js';
import { allocShared, setThreads, threadInfo, threadsReady } from '../../src/node/threads.js';
import { gemm, gemmKernel, useGemmKernel } from '../../src/tensor/gemm.js';
import { gemmExecutor, matmul, matmulInto } from '../../src/tensor/linalg.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { mulberry32 } from '../helpers/gradcheck.js';

function bitsEqual(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

describe('setThreads', () => {
  beforeAll(async () => {
    // split everything with at least 4 rows per thread, so small shapes exercise the pool
    expect(setThreads(2, { minWork: 0, minRows: 4 }).threads).toBe(2);
    await threadsReady();
  });
  afterAll(() => {
    setThreads(1);
  });

  it('installs an executor and reports two threads', () => {
    expect(gemmExecutor()).not.toBeNull();
    expect(threadInfo().threads).toBe(2);
  });

  // every product on the blocked path is computed in the shared WebAssembly memory; the rest
  // (and everything under the JavaScript kernel) by `gemm` on each chunk
  const oddShapes = (): number => {
    const rnd = mulberry32(1);
    let cases = 0;
    for (const M of [8, 13, 37, 101, 260]) {
      for (const N of [1, 2, 5, 16, 33]) {
        for (const K of [1, 3, 17, 300]) {
          const A = Float64Array.from({ length: M * K }, () => rnd() * 2 - 1);
          const B = Float64Array.from({ length: K * N }, () => rnd() * 2 - 1);
          for (const [aRs, aCs] of [[K, 1], [1, M]]) {
            for (const [bRs, bCs] of [[N, 1], [1, K]]) {
              for (const acc of [false, true]) {
                const C0 = Float64Array.from({ length: M * N }, () => rnd());
                const one = C0.slice();
                gemm(M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, one, 0, N, acc);
                const a = new Tensor(A, [M, K], [aRs, aCs]);
                const b = new Tensor(B, [K, N], [bRs, bCs]);
                const two = new Tensor(C0.slice(), [M, N]);
                matmulInto(two, a, b, acc);
                if (!bitsEqual(two.data, one)) throw new Error(`M=${M} N=${N} K=${K} a(${aRs},${aCs}) b(${bRs},${bCs}) acc=${acc}`);
                cases++;
              }
            }
          }
        }
      }
    }
    return cases;
  };

  it('runs the workers on the shared WebAssembly memory where the SIMD kernel runs', () => {
    expect(gemmKernel()).toBe('wasm-simd');
    expect(threadInfo().sharedMemory).toBe(true);
  });

  it('gives every product the one-thread bits, on odd shapes, all layouts, both modes (shared memory)', () => {
    const before = threadInfo();
    expect(oddShapes()).toBe(5 * 5 * 4 * 8);
    const after = threadInfo();
    expect(after.splits! - before.splits!).toBeGreaterThan(100);
    // most shapes here are blocked products: those ran in the shared memory
    expect(after.sharedSplits! - before.sharedSplits!).toBeGreaterThan(80);
    expect(after.splits! - before.splits! - (after.sharedSplits! - before.sharedSplits!)).toBeGreaterThan(10);
  });

  it('gives the same bits with the JavaScript kernel, every chunk running gemm', () => {
    useGemmKernel('javascript');
    try {
      const before = threadInfo();
      expect(oddShapes()).toBe(5 * 5 * 4 * 8);
      const after = threadInfo();
      expect(after.splits! - before.splits!).toBeGreaterThan(100);
      expect(after.sharedSplits).toBe(before.sharedSplits);
    } finally {
      useGemmKernel('wasm-simd');
    }
  });

  it('reads and writes SharedArrayBuffer operands in place, offsets and views included', () => {
    const rnd = mulberry32(2);
    const M = 67;
    const N = 29;
    const K = 41;
    const bufA = allocShared(M * K + 5);
    const bufB = allocShared(K * N + 3);
    const bufC = allocShared(M * N + 7);
    for (let i = 0; i < bufA.length; i++) bufA[i] = rnd() - 0.5;
    for (let i = 0; i < bufB.length; i++) bufB[i] = rnd() - 0.5;
    const a = new Tensor(bufA.subarray(5), [M, K]);
    const b = new Tensor(bufB, [K, N], [N, 1], 3);
    const c = new Tensor(bufC, [M, N], [N, 1], 7);
    matmulInto(c, a, b);
    const ref = new Float64Array(M * N);
    gemm(M, N, K, bufA, 5, K, 1, bufB, 3, N, 1, ref, 0, N, false);
    expect(bitsEqual(bufC.subarray(7), ref)).toBe(true);
  });

  it('trains to the same bits as one thread (a DLGN through the Trainer, shared workspace)', () => {
    const config = { kind: 'dlgn' as const, inputDim: 10, widths: [24, 20], outputDim: 3 };
    const rng = new Rng(4);
    const x = new Tensor(rng.uniformArray(64 * 10, -1, 1), [64, 10]);
    const y = Tensor.fromArray(Float64Array.from({ length: 64 }, () => rng.integer(0, 3)), [64]);
    const run = (threads: boolean): Float64Array[] => {
      const model = createModel(config, { rng: 9 });
      const trainer = new Trainer(model, { loss: 'ce', optimizer: new Adam(model.parameters(), { lr: 0.01 }), allocate: threads ? allocShared : undefined });
      for (let s = 0; s < 8; s++) trainer.step(x, y);
      return model.parameters().map((p) => Float64Array.from(p.value.data));
    };
    const two = run(true);
    const splits = threadInfo().splits ?? 0;
    setThreads(1);
    const one = run(false);
    setThreads(2, { minWork: 0, minRows: 4 });
    expect(splits).toBeGreaterThan(0);
    two.forEach((t, i) => expect(bitsEqual(t, one[i]), `parameter ${i}`).toBe(true));
  });

  it('leaves products below the thresholds on the calling thread', async () => {
    setThreads(2); // defaults: 2^20 multiply-adds, 16 rows per thread
    await threadsReady();
    const small = matmul(Tensor.ones([20, 20]), Tensor.ones([20, 20]));
    expect(small.get(3, 4)).toBe(20);
    expect(threadInfo().splits).toBe(0);
    setThreads(2, { minWork: 0, minRows: 4 });
    await threadsReady();
  });
});

describe('setThreads arguments and one thread', () => {
  it('rejects bad counts, and 1 removes the executor', () => {
    expect(() => setThreads(0)).toThrow(/setThreads: threads must be a positive integer or 'auto', got 0/);
    expect(() => setThreads(1.5)).toThrow(/positive integer/);
    expect(setThreads(1)).toEqual({ threads: 1 });
    expect(gemmExecutor()).toBeNull();
    expect(threadInfo().threads).toBe(1);
  });
});
