// The WebAssembly assembler: LEB128 integers, structured control flow, and modules that validate and run.

import { describe, expect, it } from 'vitest';
import { Fn, Op, Simd, Type, encodeModule, simdSupported, sleb, uleb, wasmApi } from '../../src/tensor/wasm/assembler.js';

function bytes(f: (out: number[], n: number) => void, n: number): number[] {
  const out: number[] = [];
  f(out, n);
  return out;
}

/** Instantiates one function over a fresh memory of one page; returns it and the memory's f64 view. */
function instantiate(fn: Fn): { call: (...args: number[]) => number; heap: Float64Array } {
  const wa = wasmApi()!;
  const memory = new wa.Memory({ initial: 1, maximum: 1 });
  const inst = new wa.Instance(new wa.Module(encodeModule([fn], { initial: 1, maximum: 1 })), { env: { memory } });
  return { call: inst.exports[fn.name] as (...args: number[]) => number, heap: new Float64Array(memory.buffer) };
}

describe('assembler', () => {
  it('LEB128 as the specification encodes it, and refuses what does not fit', () => {
    expect(bytes(uleb, 0)).toEqual([0]);
    expect(bytes(uleb, 127)).toEqual([0x7f]);
    expect(bytes(uleb, 128)).toEqual([0x80, 0x01]);
    expect(bytes(uleb, 624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(bytes(uleb, 0xffffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(bytes(sleb, -1)).toEqual([0x7f]);
    expect(bytes(sleb, 63)).toEqual([0x3f]);
    expect(bytes(sleb, 64)).toEqual([0xc0, 0x00]);
    expect(bytes(sleb, -64)).toEqual([0x40]);
    expect(bytes(sleb, -65)).toEqual([0xbf, 0x7f]);
    expect(bytes(sleb, -123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(() => uleb([], -1)).toThrow('uleb: expected an integer in [0, 2^32), got -1');
    expect(() => sleb([], 2 ** 31)).toThrow('sleb: expected an int32, got 2147483648');
  });

  it('a function with a while loop, an if/else and f64 memory: sum of the positive values of an array', () => {
    const f = new Fn('sumPositive', [Type.i32, Type.i32], [Type.f64]);
    const [p, n] = f.params;
    const acc = f.local(Type.f64), k = f.local(Type.i32), v = f.local(Type.f64);
    f.while_(() => f.get(k).get(n).op(Op.i32_lt_s), (loop) => {
      f.get(p).get(k).i32(3).op(Op.i32_shl, Op.i32_add).mem(Op.f64_load).set(v);
      f.inc(k, 1);
      f.get(v).f64(0).op(Op.f64_gt).if_(() => {
        f.get(acc).get(v).op(Op.f64_add).set(acc);
      }, () => {
        f.continue_(loop);
      });
    });
    f.get(acc);
    const { call, heap } = instantiate(f);
    heap.set([1.5, -2, 3, -0.25, 4], 2);
    expect(call(16, 5)).toBe(8.5);
    expect(call(16, 0)).toBe(0);
  });

  it('break_ leaves the loop; doWhile runs its body once even when the condition is false', () => {
    const f = new Fn('firstNegative', [Type.i32, Type.i32], [Type.i32]);
    const [p, n] = f.params;
    const k = f.local(Type.i32), runs = f.local(Type.i32);
    f.while_(() => f.get(k).get(n).op(Op.i32_lt_s), (loop) => {
      f.get(p).get(k).i32(3).op(Op.i32_shl, Op.i32_add).mem(Op.f64_load).f64(0).op(Op.f64_lt).if_(() => f.break_(loop));
      f.inc(k, 1);
    });
    f.doWhile(() => f.inc(runs, 1), () => f.i32(0));
    f.get(k).i32(100).op(Op.i32_mul).get(runs).op(Op.i32_add);
    const { call, heap } = instantiate(f);
    heap.set([1, 2, -3, 4]);
    expect(call(0, 4)).toBe(201);
    expect(call(0, 2)).toBe(201);
  });

  it('f64x2 SIMD: two lanes per instruction, each rounded as scalar code', () => {
    expect(simdSupported()).toBe(true);
    const f = new Fn('axpy2', [Type.i32, Type.i32]);
    const [x, y] = f.params;
    // y[0..1] = y[0..1] + 3 * x[0..1]
    f.get(y).get(y).vmem(Simd.v128_load).f64x2(3).get(x).vmem(Simd.v128_load).simd(Simd.f64x2_mul, Simd.f64x2_add).vmem(Simd.v128_store);
    const { call, heap } = instantiate(f);
    heap.set([0.1, 1e308, 0.2, 5]);
    call(0, 16);
    expect(heap[2]).toBe(0.2 + 3 * 0.1);
    expect(heap[3]).toBe(Infinity);
  });

  it('refuses an unbalanced body and a branch to no loop', () => {
    const f = new Fn('bad', []);
    f.block(() => expect(() => f.encodeBody()).toThrow('Fn bad: 1 control frame(s) left open'));
    expect(() => f.encodeBody()).not.toThrow();
    expect(() => new Fn('bad2', []).break_({})).toThrow('Fn bad2: no enclosing block for this tag');
  });
});
