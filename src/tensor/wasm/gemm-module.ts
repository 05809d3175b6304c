// The packed GEMM in WebAssembly: the four-lane packing loop and the 4x4 f64x2 register tile, built with the assembler.

import { Fn, Op, Simd, Type, encodeModule, type Local, type WasmApi, type WasmMemory, wasmApi } from './assembler.js';

/*
 * Two functions, both on byte addresses in the imported memory:
 *
 * pack4(dst, src, count, kc, laneStride, pStride)
 *   The packing of gemm.ts (`packSlivers4`): for each sliver of 4 lanes and each p < kc, the four
 *   values src[lane*laneStride + p*pStride] stored contiguously from dst, lanes past `count`
 *   zero. The A block packs its rows as lanes (laneStride = row stride, pStride = column
 *   stride), the B panel its columns (laneStride = column stride, pStride = row stride). Lanes
 *   adjacent in memory (laneStride = 8 bytes) are copied 16 bytes at a time.
 *
 * tiles(kc, mc, nc, ap, bp, c, cRs, add)
 *   Every 4x4 tile of an mc x nc block of C (both multiples of 4, padded by the caller), from
 *   the packed A block at ap (mc/4 slivers of kc*4 values) and the packed B panel at bp (nc/4
 *   slivers): for each column sliver (resident in L1) and each row sliver, eight f64x2
 *   accumulators start at +0 and add a[r] * (b[c], b[c+1]) in p order; then the tile is stored
 *   (add = 0) or added to C (add = 1), c + s. Each lane makes exactly the roundings of the scalar
 *   micro-kernel: a multiply, then an add, in the same order (SIMD128 has no fused multiply-add
 *   outside relaxed SIMD), so the results are the same bits.
 *
 * Register pressure chose the tile: 8 accumulators, 4 splats of A and 2 vectors of B fit the 16
 * x64 vector registers; 6x4 or 4x8 tiles spill.
 */

function pack4(): Fn {
  const f = new Fn('pack4', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [dst, src, count, kc, ls, ps] = f.params;
  const l = f.local(Type.i32), p = f.local(Type.i32), o = f.local(Type.i32), r = f.local(Type.i32);
  const r0 = f.local(Type.i32), r1 = f.local(Type.i32), r2 = f.local(Type.i32), r3 = f.local(Type.i32);
  const lanes = f.local(Type.i32);
  // full slivers: l + 4 <= count
  f.while_(() => f.get(l).i32(4).op(Op.i32_add).get(count).op(Op.i32_le_s), () => {
    f.get(src).get(l).get(ls).op(Op.i32_mul, Op.i32_add).set(r0);
    f.get(r0).get(ls).op(Op.i32_add).set(r1);
    f.get(r1).get(ls).op(Op.i32_add).set(r2);
    f.get(r2).get(ls).op(Op.i32_add).set(r3);
    f.i32(0).set(p).i32(0).set(o);
    // lanes adjacent in memory (a row-major B panel, an A^T block): two 16-byte copies per p
    f.get(ls).i32(8).op(Op.i32_eq).if_(() => {
      f.while_(() => f.get(p).get(kc).op(Op.i32_lt_s), () => {
        f.get(dst).get(r0).get(o).op(Op.i32_add).vmem(Simd.v128_load).vmem(Simd.v128_store);
        f.get(dst).get(r0).get(o).op(Op.i32_add).vmem(Simd.v128_load, 16).vmem(Simd.v128_store, 16);
        f.inc(dst, 32).inc(o, ps).inc(p, 1);
      });
    }, () => {
      f.while_(() => f.get(p).get(kc).op(Op.i32_lt_s), () => {
        const copy = (rowBase: Local, at: number): void => {
          f.get(dst).get(rowBase).get(o).op(Op.i32_add).mem(Op.f64_load).mem(Op.f64_store, at);
        };
        copy(r0, 0);
        copy(r1, 8);
        copy(r2, 16);
        copy(r3, 24);
        f.inc(dst, 32).inc(o, ps).inc(p, 1);
      });
    });
    f.inc(l, 4);
  });
  // the last, partial sliver: `lanes` < 4 real lanes, the rest zero
  f.get(l).get(count).op(Op.i32_lt_s).if_(() => {
    f.get(count).get(l).op(Op.i32_sub).set(lanes);
    f.get(src).get(l).get(ls).op(Op.i32_mul, Op.i32_add).set(o);
    f.i32(0).set(p);
    f.while_(() => f.get(p).get(kc).op(Op.i32_lt_s), () => {
      f.i32(0).set(r);
      f.while_(() => f.get(r).i32(4).op(Op.i32_lt_s), () => {
        // dst[r] = r < lanes ? src[o + r*ls] : 0
        const at = (): void => void f.get(dst).get(r).i32(3).op(Op.i32_shl, Op.i32_add);
        f.get(r).get(lanes).op(Op.i32_lt_s).if_(() => {
          at();
          f.get(o).get(r).get(ls).op(Op.i32_mul, Op.i32_add).mem(Op.f64_load).mem(Op.f64_store);
        }, () => {
          at();
          f.f64(0).mem(Op.f64_store);
        });
        f.inc(r, 1);
      });
      f.inc(dst, 32).inc(o, ps).inc(p, 1);
    });
  });
  return f;
}

function tiles(): Fn {
  const f = new Fn('tiles', [Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32, Type.i32]);
  const [kc, mc, nc, ap, bp, c, cRs, add] = f.params;
  const jr = f.local(Type.i32), ir = f.local(Type.i32), ai = f.local(Type.i32), bi = f.local(Type.i32);
  const aEnd = f.local(Type.i32), aTile = f.local(Type.i32), cTile = f.local(Type.i32), row = f.local(Type.i32);
  const sliver = f.local(Type.i32), sliverBytes = f.local(Type.i32);
  const acc: Local[] = [];
  for (let k = 0; k < 8; k++) acc.push(f.local(Type.v128));
  const a = f.local(Type.v128), b0 = f.local(Type.v128), b1 = f.local(Type.v128);

  f.get(kc).i32(5).op(Op.i32_shl).set(sliverBytes); // kc * 4 values * 8 bytes
  f.get(bp).set(sliver);
  f.while_(() => f.get(jr).get(nc).op(Op.i32_lt_s), () => {
    f.get(ap).set(aTile);
    f.get(c).get(jr).i32(3).op(Op.i32_shl, Op.i32_add).set(cTile);
    f.i32(0).set(ir);
    f.while_(() => f.get(ir).get(mc).op(Op.i32_lt_s), () => {
      for (const x of acc) f.f64x2(0).set(x);
      f.get(aTile).set(ai).get(sliver).set(bi);
      f.get(aTile).get(sliverBytes).op(Op.i32_add).set(aEnd);
      f.doWhile(() => {
        f.get(bi).vmem(Simd.v128_load).set(b0);
        f.get(bi).vmem(Simd.v128_load, 16).set(b1);
        for (let r = 0; r < 4; r++) {
          f.get(ai).vmem(Simd.v128_load64_splat, 8 * r).set(a);
          f.get(acc[2 * r]).get(a).get(b0).simd(Simd.f64x2_mul, Simd.f64x2_add).set(acc[2 * r]);
          f.get(acc[2 * r + 1]).get(a).get(b1).simd(Simd.f64x2_mul, Simd.f64x2_add).set(acc[2 * r + 1]);
        }
        f.inc(ai, 32).inc(bi, 32);
      }, () => f.get(ai).get(aEnd).op(Op.i32_lt_s));
      // C tile rows: store, or add c + s
      f.get(cTile).set(row);
      f.get(add).if_(() => {
        for (let r = 0; r < 4; r++) {
          for (let h = 0; h < 2; h++) {
            f.get(row).get(row).vmem(Simd.v128_load, 16 * h).get(acc[2 * r + h]).simd(Simd.f64x2_add).vmem(Simd.v128_store, 16 * h);
          }
          f.inc(row, cRs);
        }
      }, () => {
        for (let r = 0; r < 4; r++) {
          for (let h = 0; h < 2; h++) f.get(row).get(acc[2 * r + h]).vmem(Simd.v128_store, 16 * h);
          f.inc(row, cRs);
        }
      });
      f.get(aEnd).set(aTile);
      f.get(row).set(cTile);
      f.inc(ir, 4);
    });
    f.inc(sliver, sliverBytes);
    f.inc(jr, 4);
  });
  return f;
}

/** The module's bytes for a memory of `initial`..`maximum` pages (shared for worker threads when asked). */
export function gemmModuleBytes(initial: number, maximum: number, shared = false): Uint8Array {
  return encodeModule([pack4(), tiles()], { initial, maximum, shared });
}

/** The exports of the GEMM module. */
export interface GemmExports {
  pack4(dst: number, src: number, count: number, kc: number, laneStride: number, pStride: number): void;
  tiles(kc: number, mc: number, nc: number, ap: number, bp: number, c: number, cRs: number, add: number): void;
}

/** Pages (64 KiB) the GEMM memory is declared to grow to at most: 1 GiB. */
export const GEMM_MAX_PAGES = 16384;

/**
 * One instance of the GEMM module over its memory, grown on demand up to GEMM_MAX_PAGES: its own,
 * or, for threads, a shared memory other instances of the same module also run on.
 */
export class GemmInstance {
  readonly memory: WasmMemory;
  readonly fns: GemmExports;
  /** A view of the whole memory, re-created after every growth (growing detaches the old one). */
  heap: Float64Array;

  constructor(wa: WasmApi, module: object, initialPages: number, memory?: WasmMemory) {
    this.memory = memory ?? new wa.Memory({ initial: initialPages, maximum: GEMM_MAX_PAGES });
    const instance = new wa.Instance(module, { env: { memory: this.memory } });
    this.fns = instance.exports as unknown as GemmExports;
    this.heap = new Float64Array(this.memory.buffer);
  }

  /** Bytes a product may use; larger products run the JavaScript kernel (see `setGemmMemoryLimit`). */
  limit = 256 * 1024 * 1024;

  /** Makes the memory at least `bytes` long; false when that would pass the limit. */
  reserve(bytes: number): boolean {
    if (bytes > this.limit) return false;
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil(bytes / 65536);
    this.memory.grow(pages - have / 65536);
    this.heap = new Float64Array(this.memory.buffer);
    return true;
  }

  /** The view of the memory as it is now (a shared memory may have been grown by another thread). */
  view(): Float64Array {
    if (this.heap.byteLength !== this.memory.buffer.byteLength) this.heap = new Float64Array(this.memory.buffer);
    return this.heap;
  }
}

/**
 * Compiles the GEMM module and instantiates it with `initialPages` of memory, or returns null
 * where WebAssembly or its SIMD instructions are missing (the JavaScript kernel runs instead).
 */
export function createGemmInstance(initialPages: number): GemmInstance | null {
  const wa = wasmApi();
  if (wa === null) return null;
  const bytes = gemmModuleBytes(initialPages, GEMM_MAX_PAGES);
  try {
    if (!wa.validate(bytes)) return null;
    return new GemmInstance(wa, new wa.Module(bytes), initialPages);
  } catch {
    return null;
  }
}

/** A GEMM module compiled for a shared memory, that memory, and the calling thread's instance on it. */
export interface SharedGemmModule {
  module: object;
  memory: WasmMemory;
  instance: GemmInstance;
}

/**
 * Compiles the GEMM module over a new shared memory of `initialPages` (threads post the module and
 * the memory to their workers, which instantiate it on the same memory), or returns null where
 * WebAssembly SIMD, threads or SharedArrayBuffer are missing (a browser page that is not
 * cross-origin isolated has no shared memory).
 */
export function createSharedGemm(initialPages: number): SharedGemmModule | null {
  const wa = wasmApi();
  if (wa === null || typeof SharedArrayBuffer !== 'function') return null;
  const bytes = gemmModuleBytes(initialPages, GEMM_MAX_PAGES, true);
  try {
    if (!wa.validate(bytes)) return null;
    const module = new wa.Module(bytes);
    const memory = new wa.Memory({ initial: initialPages, maximum: GEMM_MAX_PAGES, shared: true });
    return { module, memory, instance: new GemmInstance(wa, module, initialPages, memory) };
  } catch {
    return null;
  }
}

/** An instance of a shared-memory GEMM module (posted from another thread) over its memory, or null if it cannot be made here. */
export function instantiateShared(module: object, memory: WasmMemory): GemmInstance | null {
  const wa = wasmApi();
  if (wa === null) return null;
  try {
    return new GemmInstance(wa, module, 0, memory);
  } catch {
    return null;
  }
}
