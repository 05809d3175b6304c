// A small WebAssembly assembler: typed opcodes, a function builder with structured control flow, LEB128, and the module encoder.

/*
 * The engine's compiled kernels are written here, in TypeScript, as calls on a `Fn` builder; the
 * module bytes are built when a kernel module is first needed. No binary is checked in and no
 * toolchain is involved, so the kernels survive any bundler and read as code. Only what the
 * kernels use is covered: one imported memory, i32/i64/f64/v128 values, the structured control
 * instructions, loads and stores, and the f64x2 subset of SIMD128 (add and mul, never a fused
 * multiply-add, so a SIMD kernel makes exactly the scalar kernel's roundings).
 *
 * Encoding reference: the WebAssembly core specification, binary format (sections, LEB128
 * integers, instruction opcodes) and the SIMD proposal's opcode table (0xfd prefix).
 */

/** Value types and their encodings. */
export enum Type {
  i32 = 0x7f,
  i64 = 0x7e,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** One-byte opcodes used by the kernels. */
export enum Op {
  unreachable = 0x00,
  block = 0x02,
  loop = 0x03,
  if = 0x04,
  else = 0x05,
  end = 0x0b,
  br = 0x0c,
  br_if = 0x0d,
  return = 0x0f,
  drop = 0x1a,
  select = 0x1b,
  local_get = 0x20,
  local_set = 0x21,
  local_tee = 0x22,
  f64_load = 0x2b,
  f64_store = 0x39,
  i32_const = 0x41,
  f64_const = 0x44,
  i32_eqz = 0x45,
  i32_eq = 0x46,
  i32_ne = 0x47,
  i32_lt_s = 0x48,
  i32_gt_s = 0x4a,
  i32_le_s = 0x4c,
  i32_ge_s = 0x4e,
  f64_eq = 0x61,
  f64_lt = 0x63,
  f64_gt = 0x64,
  f64_le = 0x65,
  f64_ge = 0x66,
  i32_add = 0x6a,
  i32_sub = 0x6b,
  i32_mul = 0x6c,
  i32_and = 0x71,
  i32_or = 0x72,
  i32_shl = 0x74,
  i32_shr_s = 0x75,
  f64_abs = 0x99,
  f64_neg = 0x9a,
  f64_sqrt = 0x9f,
  f64_add = 0xa0,
  f64_sub = 0xa1,
  f64_mul = 0xa2,
  f64_div = 0xa3,
  f64_min = 0xa4,
  f64_max = 0xa5,
  i32_trunc_f64_s = 0xaa,
  f64_convert_i32_s = 0xb7,
}

/** SIMD128 opcodes (after the 0xfd prefix, LEB128-encoded). */
export enum Simd {
  v128_load = 0x00,
  v128_load64_splat = 0x0a,
  v128_store = 0x0b,
  v128_const = 0x0c,
  f64x2_splat = 0x14,
  f64x2_extract_lane = 0x21,
  f64x2_add = 0xf0,
  f64x2_sub = 0xf1,
  f64x2_mul = 0xf2,
  f64x2_div = 0xf3,
  f64x2_sqrt = 0xef,
}

/** Appends the unsigned LEB128 encoding of n (a non-negative integer below 2^32) to out. */
export function uleb(out: number[], n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`uleb: expected an integer in [0, 2^32), got ${n}`);
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Appends the signed LEB128 encoding of n (an integer in [-2^31, 2^31)) to out. */
export function sleb(out: number[], n: number): void {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new Error(`sleb: expected an int32, got ${n}`);
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** A local variable (or parameter) of a function: its index and type. */
export interface Local {
  readonly index: number;
  readonly type: Type;
}

/**
 * Builds one function body. Instructions are appended in stack-machine order; `block`, `loop`,
 * `if_` and `while_` take the body as a callback so nesting is the TypeScript code's nesting,
 * and branch depths are counted by the builder (`break_` and `continue_` name the loop).
 *
 * @example
 * ```ts
 * // (a, b) => a + b over f64
 * const f = new Fn('add', [Type.f64, Type.f64], [Type.f64]);
 * const [a, b] = f.params;
 * f.get(a).get(b).op(Op.f64_add);
 * ```
 */
export class Fn {
  readonly params: Local[];
  private readonly locals: Local[] = [];
  readonly code: number[] = [];
  /** Open control frames, innermost last; a loop frame's label is where `continue_` goes. */
  private readonly frames: { kind: 'block' | 'loop' | 'if'; tag: object | null }[] = [];

  constructor(readonly name: string, readonly paramTypes: readonly Type[], readonly resultTypes: readonly Type[] = []) {
    this.params = paramTypes.map((type, index) => ({ index, type }));
  }

  /** A new local of the given type (zero-initialised, as WebAssembly locals are). */
  local(type: Type): Local {
    const l = { index: this.params.length + this.locals.length, type };
    this.locals.push(l);
    return l;
  }

  /** Appends raw opcodes. */
  op(...ops: Op[]): this {
    this.code.push(...ops);
    return this;
  }

  /** Appends SIMD opcodes (each with its 0xfd prefix). */
  simd(...ops: Simd[]): this {
    for (const o of ops) {
      this.code.push(0xfd);
      uleb(this.code, o);
    }
    return this;
  }

  get(l: Local): this {
    this.code.push(Op.local_get);
    uleb(this.code, l.index);
    return this;
  }

  set(l: Local): this {
    this.code.push(Op.local_set);
    uleb(this.code, l.index);
    return this;
  }

  tee(l: Local): this {
    this.code.push(Op.local_tee);
    uleb(this.code, l.index);
    return this;
  }

  i32(n: number): this {
    this.code.push(Op.i32_const);
    sleb(this.code, n);
    return this;
  }

  f64(x: number): this {
    this.code.push(Op.f64_const);
    const b = new Uint8Array(new Float64Array([x]).buffer);
    for (let i = 0; i < 8; i++) this.code.push(b[i]);
    return this;
  }

  /** v128.const with both f64 lanes equal to x. */
  f64x2(x: number): this {
    this.simd(Simd.v128_const);
    const b = new Uint8Array(new Float64Array([x, x]).buffer);
    for (let i = 0; i < 16; i++) this.code.push(b[i]);
    return this;
  }

  /** A load or store with its memory argument: byte offset added to the address on the stack. */
  mem(op: Op.f64_load | Op.f64_store, offset = 0): this {
    this.code.push(op, 3);
    uleb(this.code, offset);
    return this;
  }

  /** A SIMD load or store (v128.load, v128.load64_splat, v128.store) with its memory argument. */
  vmem(op: Simd.v128_load | Simd.v128_load64_splat | Simd.v128_store, offset = 0): this {
    this.simd(op);
    this.code.push(op === Simd.v128_load64_splat ? 3 : 4);
    uleb(this.code, offset);
    return this;
  }

  /** i32.trunc_sat_f64_s: truncation toward zero, NaN to 0 and out-of-range values saturated (as JavaScript's `x | 0` for |x| < 2^31). */
  truncSat(): this {
    this.code.push(0xfc);
    uleb(this.code, 2);
    return this;
  }

  /** f64x2.extract_lane of lane 0 or 1. */
  lane(i: 0 | 1): this {
    this.simd(Simd.f64x2_extract_lane);
    this.code.push(i);
    return this;
  }

  /** l = l + n (i32). */
  inc(l: Local, n: number | Local): this {
    this.get(l);
    if (typeof n === 'number') this.i32(n);
    else this.get(n);
    return this.op(Op.i32_add).set(l);
  }

  private frame(kind: 'block' | 'loop' | 'if', opcode: Op, tag: object | null, body: () => void): this {
    this.code.push(opcode, 0x40);
    this.frames.push({ kind, tag });
    body();
    this.frames.pop();
    this.code.push(Op.end);
    return this;
  }

  block(body: () => void): this {
    return this.frame('block', Op.block, null, body);
  }

  /** `if` on the i32 on the stack, with an optional `else`. */
  if_(then: () => void, otherwise?: () => void): this {
    this.code.push(Op.if, 0x40);
    this.frames.push({ kind: 'if', tag: null });
    then();
    if (otherwise !== undefined) {
      this.code.push(Op.else);
      otherwise();
    }
    this.frames.pop();
    this.code.push(Op.end);
    return this;
  }

  /**
   * `while (cond) body`: cond pushes an i32. The body may call `break_(tag)` and `continue_(tag)`
   * with the tag it receives.
   */
  while_(cond: () => void, body: (tag: object) => void): this {
    const tag = {};
    return this.frame('block', Op.block, tag, () => {
      this.frame('loop', Op.loop, tag, () => {
        cond();
        this.code.push(Op.i32_eqz, Op.br_if);
        uleb(this.code, 1);
        body(tag);
        this.code.push(Op.br);
        uleb(this.code, 0);
      });
    });
  }

  /** `do body while (cond)`: the body runs at least once; cond pushes an i32. */
  doWhile(body: () => void, cond: () => void): this {
    return this.frame('loop', Op.loop, null, () => {
      body();
      cond();
      this.code.push(Op.br_if);
      uleb(this.code, 0);
    });
  }

  private depth(tag: object, kind: 'block' | 'loop'): number {
    for (let d = 0; d < this.frames.length; d++) {
      const f = this.frames[this.frames.length - 1 - d];
      if (f.tag === tag && f.kind === kind) return d;
    }
    throw new Error(`Fn ${this.name}: no enclosing ${kind} for this tag`);
  }

  /** Leaves the `while_` loop with this tag. */
  break_(tag: object): this {
    this.code.push(Op.br);
    uleb(this.code, this.depth(tag, 'block'));
    return this;
  }

  /** Jumps to the condition of the `while_` loop with this tag. */
  continue_(tag: object): this {
    this.code.push(Op.br);
    uleb(this.code, this.depth(tag, 'loop'));
    return this;
  }

  /** The function's code section entry: locals grouped by type, then the body and `end`. */
  encodeBody(): number[] {
    if (this.frames.length !== 0) throw new Error(`Fn ${this.name}: ${this.frames.length} control frame(s) left open`);
    const groups: [number, Type][] = [];
    for (const l of this.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === l.type) last[0]++;
      else groups.push([1, l.type]);
    }
    const body: number[] = [];
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    body.push(...this.code, Op.end);
    const out: number[] = [];
    uleb(out, body.length);
    out.push(...body);
    return out;
  }
}

/** Memory import of a module: pages of 64 KiB, and whether it is shared between threads. */
export interface MemoryImport {
  initial: number;
  maximum: number;
  shared?: boolean;
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  out.push(...content);
}

function name(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/**
 * Encodes a module that imports one memory as `env.memory` and exports every function under its
 * name. Functions may not call each other (the kernels need no calls).
 */
export function encodeModule(fns: readonly Fn[], memory: MemoryImport): Uint8Array {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // type section: one signature per function (duplicates are allowed and keep this simple)
  const types: number[] = [];
  uleb(types, fns.length);
  for (const f of fns) {
    types.push(0x60);
    uleb(types, f.paramTypes.length);
    types.push(...f.paramTypes);
    uleb(types, f.resultTypes.length);
    types.push(...f.resultTypes);
  }
  section(out, 1, types);
  const imports: number[] = [];
  uleb(imports, 1);
  name(imports, 'env');
  name(imports, 'memory');
  imports.push(0x02, memory.shared === true ? 0x03 : 0x01);
  uleb(imports, memory.initial);
  uleb(imports, memory.maximum);
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, fns.length);
  for (let i = 0; i < fns.length; i++) uleb(funcs, i);
  section(out, 3, funcs);
  const exports: number[] = [];
  uleb(exports, fns.length);
  for (let i = 0; i < fns.length; i++) {
    name(exports, fns[i].name);
    exports.push(0x00);
    uleb(exports, i);
  }
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, fns.length);
  for (const f of fns) code.push(...f.encodeBody());
  section(out, 10, code);
  return Uint8Array.from(out);
}

/*
 * The slice of the WebAssembly JavaScript API the engine uses, typed here rather than through a
 * `lib` (the project compiles without the DOM library, and a consumer's own typings must not
 * clash with ours). Reached through globalThis, so an engine without WebAssembly simply has none.
 */

/** A WebAssembly.Memory as the kernels use it. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

/** The WebAssembly namespace, reduced to what the kernels need. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}

/** The engine's WebAssembly API, or null where it has none. */
export function wasmApi(): WasmApi | null {
  const wa = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  return typeof wa === 'object' && wa !== null && typeof wa.validate === 'function' ? wa : null;
}

/** True when this engine validates a module using the f64x2 SIMD instructions the kernels need. */
export function simdSupported(): boolean {
  const wa = wasmApi();
  if (wa === null) return false;
  const f = new Fn('probe', [Type.i32], []);
  f.get(f.params[0]).get(f.params[0]).vmem(Simd.v128_load).f64x2(1).simd(Simd.f64x2_mul).vmem(Simd.v128_store);
  try {
    return wa.validate(encodeModule([f], { initial: 1, maximum: 1 }));
  } catch {
    return false;
  }
}
