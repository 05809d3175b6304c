// Tensor memory in one WebAssembly memory that the compiled elementwise kernels address directly.

import { wasmApi, type WasmApi, type WasmMemory } from './wasm/assembler.js';
import { EXP_TABLE_BYTES, type ElementwiseExports, elementwiseModuleBytes, writeExpTables } from './wasm/elementwise-module.js';

/*
 * Why: a JavaScript loop re-checks every typed array it was passed on each iteration
 * (docs/engine.md, "Why the loops look like this"); WebAssembly addresses its memory by byte
 * offset without those checks, and runs two values per instruction with f64x2.
 *
 * So a `Workspace` may keep its buffers in an `Arena`: one WebAssembly.Memory cut into
 * Float64Array views, with the elementwise module (src/tensor/wasm/elementwise-module.ts)
 * instantiated on it. A kernel whose operands all lie in the current workspace's arena runs the
 * compiled loop on their byte offsets (src/tensor/kernels.ts); otherwise its JavaScript loop.
 * Both make the same floating-point operations in the same order: the same bits (tested).
 *
 * The memory never grows, so its views never detach; a workspace that needs more lays its
 * buffers out in a new, larger arena. Where the kernels run, the memory starts with the exp
 * method's tables (18 KB, for the compiled sigmoid); views are handed out after them.
 */

/** Bytes of a WebAssembly page. */
const PAGE = 65536;

/** Bytes of the smallest arena holding at least `bytes`: whole pages, at least one. */
export function arenaBytes(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PAGE)) * PAGE;
}

/** The compiled module, shared by every arena of this thread (instantiating it is cheap). */
let compiled: { wa: WasmApi; module: object } | null | undefined;

function elementwiseModule(): { wa: WasmApi; module: object } | null {
  if (compiled === undefined) {
    compiled = null;
    const wa = wasmApi();
    if (wa !== null) {
      // the memory limits written into the module are checked against the memory given at
      // instantiation: declare the widest range (1 page to 4 GiB) and link any arena to it
      const bytes = elementwiseModuleBytes(1, 65536);
      try {
        if (wa.validate(bytes)) compiled = { wa, module: new wa.Module(bytes) };
      } catch {
        compiled = null;
      }
    }
  }
  return compiled;
}

/** Whether the compiled elementwise kernels can run here (WebAssembly with SIMD128). */
export function arenaKernelsAvailable(): boolean {
  return elementwiseModule() !== null;
}

/**
 * One WebAssembly memory cut into Float64Array views by a bump allocator, with the compiled
 * elementwise kernels linked to it. Views never move or overlap; `alloc` returns null when the
 * arena is full. Where the engine has no WebAssembly SIMD the memory is a plain ArrayBuffer and
 * `kernels` is null (the views still work and the JavaScript loops run).
 *
 * @example
 * ```ts
 * const arena = new Arena(1024);
 * const x = arena.alloc(16)!;      // a Float64Array view of 16 doubles inside the arena
 * arena.holds(x);                  // true
 * ```
 */
export class Arena {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** The compiled kernels on this arena, or null where the engine cannot run them. */
  readonly kernels: ElementwiseExports | null;
  private readonly memory: WasmMemory | null;
  private readonly whole: Float64Array;
  private top: number;
  /** The first double handed out (after the tables). */
  private readonly base: number;

  /** @param doubles capacity in float64 values (rounded up to whole 64 KiB pages) */
  constructor(doubles: number) {
    if (!Number.isInteger(doubles) || doubles < 0) throw new Error(`Arena: capacity must be a non-negative integer number of doubles, got ${doubles}`);
    const m = elementwiseModule();
    const header = m === null ? 0 : EXP_TABLE_BYTES;
    const bytes = arenaBytes(header + doubles * 8);
    if (m !== null) {
      this.memory = new m.wa.Memory({ initial: bytes / PAGE, maximum: bytes / PAGE });
      this.buffer = this.memory.buffer;
      const instance = new m.wa.Instance(m.module, { env: { memory: this.memory } });
      this.kernels = instance.exports as unknown as ElementwiseExports;
    } else {
      this.memory = null;
      this.buffer = new ArrayBuffer(bytes);
      this.kernels = null;
    }
    this.whole = new Float64Array(this.buffer);
    if (this.kernels !== null) writeExpTables(this.whole);
    this.base = this.top = header / 8;
  }

  /** Capacity in doubles (what `alloc` can hand out in all). */
  get capacity(): number {
    return this.whole.length - this.base;
  }

  /** Doubles handed out so far. */
  get used(): number {
    return this.top - this.base;
  }

  /** A zeroed view of n doubles, or null when the arena has no room. */
  alloc(n: number): Float64Array | null {
    if (this.top + n > this.whole.length) return null;
    const v = this.whole.subarray(this.top, this.top + n);
    this.top += n;
    return v;
  }

  /** True when x is a view into this arena. */
  holds(x: Float64Array): boolean {
    return x.buffer === this.buffer;
  }

  /** The byte offset in the arena of element `i` of x (a view into it). */
  at(x: Float64Array, i: number): number {
    return x.byteOffset + 8 * i;
  }
}
