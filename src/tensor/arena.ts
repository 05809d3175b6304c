// Tensor memory in one ArrayBuffer that asm.js kernels address directly: the elementwise passes of a training step without V8's per-element checks.

/*
 * Why: a JavaScript loop over typed arrays that arrive as arguments (every kernel's case: the
 * arrays are whatever tensors the step made) is compiled by TurboFan with a map check and
 * reloads of the length and data pointer of every array on every iteration, unless the loop is
 * inlined into a caller that holds the arrays as constants (--print-opt-code shows it). Measured
 * here, z += b; h = G z over 256 x 16: 2.6-2.9 ns per element as a kernel, 0.7 inlined with
 * constant arrays. asm.js code addresses one heap by byte offset; V8 validates a 'use asm'
 * function and compiles it through its WebAssembly back end, with no such checks: 1.1-1.5 ns.
 *
 * So a `Workspace` may keep its buffers in an `Arena`: one ArrayBuffer (the asm.js heap) cut into
 * Float64Array views. A kernel whose operands all lie in the current workspace's arena runs the
 * asm.js loop on their byte offsets; otherwise it runs its JavaScript loop. Both make the same
 * floating-point operations in the same order: the same bits (tested).
 *
 * asm.js dialect notes: double locals are declared with a literal that has a fraction (0.5) and
 * constants such as 1 come in through `foreign`, so no transpiler can turn a "1.0" into the int 1.
 */

interface AsmStdlib {
  Float64Array: Float64ArrayConstructor;
}

interface AsmForeign {
  one: number;
}

/** The loops, on byte offsets into the arena. Each does what its JavaScript twin says. */
export interface ArenaKernels {
  /** h[k] = g[k] z[k] for k < size (`gateKernel`). */
  gate(h: number, g: number, z: number, size: number): void;
  /** z[i][j] += b[j]; h[i][j] = g[i][j] z[i][j] over n x m (`gateBiasKernel`). */
  gateBias(h: number, g: number, z: number, b: number, n: number, m: number): void;
  /** z[i][j] += b[j] over n x m (`addRowKernel`). */
  addRow(z: number, b: number, n: number, m: number): void;
  /** dzg = (d z) (s (1 - s) beta) when wantZg, dz = d s when wantZ, s = g[k] (`softGateGrads`). */
  softGateGrads(d: number, z: number, g: number, beta: number, dzg: number, dz: number, size: number, wantZg: number, wantZ: number): void;
  /** out[j] += the column sums of a rows x cols block, four rows per sweep, in row order (`colSumsKernel`). */
  colSums(out: number, d: number, rows: number, cols: number): void;
}

function arenaKernels(stdlib: AsmStdlib, foreign: AsmForeign, heap: ArrayBuffer): ArenaKernels {
  'use asm';
  var H = new stdlib.Float64Array(heap);
  var ONE = +foreign.one;

  function gateLoop(h: number, g: number, z: number, size: number): void {
    h = h | 0;
    g = g | 0;
    z = z | 0;
    size = size | 0;
    var end = 0;
    end = (h + (size << 3)) | 0;
    while ((h | 0) < (end | 0)) {
      H[h >> 3] = +H[g >> 3] * +H[z >> 3];
      h = (h + 8) | 0;
      g = (g + 8) | 0;
      z = (z + 8) | 0;
    }
  }

  function gateBiasLoop(h: number, g: number, z: number, b: number, n: number, m: number): void {
    h = h | 0;
    g = g | 0;
    z = z | 0;
    b = b | 0;
    n = n | 0;
    m = m | 0;
    var i = 0, bj = 0, bEnd = 0, v = 0.5;
    bEnd = (b + (m << 3)) | 0;
    for (i = 0; (i | 0) < (n | 0); i = (i + 1) | 0) {
      for (bj = b; (bj | 0) < (bEnd | 0); bj = (bj + 8) | 0) {
        v = +H[z >> 3] + +H[bj >> 3];
        H[z >> 3] = v;
        H[h >> 3] = +H[g >> 3] * v;
        h = (h + 8) | 0;
        g = (g + 8) | 0;
        z = (z + 8) | 0;
      }
    }
  }

  function addRowLoop(z: number, b: number, n: number, m: number): void {
    z = z | 0;
    b = b | 0;
    n = n | 0;
    m = m | 0;
    var i = 0, bj = 0, bEnd = 0;
    bEnd = (b + (m << 3)) | 0;
    for (i = 0; (i | 0) < (n | 0); i = (i + 1) | 0) {
      for (bj = b; (bj | 0) < (bEnd | 0); bj = (bj + 8) | 0) {
        H[z >> 3] = +H[z >> 3] + +H[bj >> 3];
        z = (z + 8) | 0;
      }
    }
  }

  function softGateGradsLoop(d: number, z: number, g: number, beta: number, dzg: number, dz: number, size: number, wantZg: number, wantZ: number): void {
    d = d | 0;
    z = z | 0;
    g = g | 0;
    beta = +beta;
    dzg = dzg | 0;
    dz = dz | 0;
    size = size | 0;
    wantZg = wantZg | 0;
    wantZ = wantZ | 0;
    var end = 0, v = 0.5, s = 0.5;
    end = (d + (size << 3)) | 0;
    while ((d | 0) < (end | 0)) {
      v = +H[d >> 3];
      s = +H[g >> 3];
      if (wantZg) H[dzg >> 3] = v * +H[z >> 3] * (s * (ONE - s) * beta);
      if (wantZ) H[dz >> 3] = v * s;
      d = (d + 8) | 0;
      z = (z + 8) | 0;
      g = (g + 8) | 0;
      dzg = (dzg + 8) | 0;
      dz = (dz + 8) | 0;
    }
  }

  function colSumsLoop(out: number, d: number, rows: number, cols: number): void {
    out = out | 0;
    d = d | 0;
    rows = rows | 0;
    cols = cols | 0;
    var i = 0, j = 0, row = 0, o = 0, r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    row = cols << 3;
    for (i = 0; ((i + 4) | 0) <= (rows | 0); i = (i + 4) | 0) {
      r0 = d;
      r1 = (r0 + row) | 0;
      r2 = (r1 + row) | 0;
      r3 = (r2 + row) | 0;
      o = out;
      for (j = 0; (j | 0) < (cols | 0); j = (j + 1) | 0) {
        H[o >> 3] = +H[o >> 3] + +H[r0 >> 3] + +H[r1 >> 3] + +H[r2 >> 3] + +H[r3 >> 3];
        o = (o + 8) | 0;
        r0 = (r0 + 8) | 0;
        r1 = (r1 + 8) | 0;
        r2 = (r2 + 8) | 0;
        r3 = (r3 + 8) | 0;
      }
      d = (d + (row << 2)) | 0;
    }
    for (; (i | 0) < (rows | 0); i = (i + 1) | 0) {
      o = out;
      for (j = 0; (j | 0) < (cols | 0); j = (j + 1) | 0) {
        H[o >> 3] = +H[o >> 3] + +H[d >> 3];
        o = (o + 8) | 0;
        d = (d + 8) | 0;
      }
    }
  }

  // keys differ from the function names: a printer that shortens `{ gate: gate }` to `{ gate }`
  // (vitest's does) would make the module invalid asm.js
  return { gate: gateLoop, gateBias: gateBiasLoop, addRow: addRowLoop, softGateGrads: softGateGradsLoop, colSums: colSumsLoop };
}

/** Whether this build keeps the 'use asm' directive (tsc and vitest do; esbuild as tsx runs it does not). */
const ASM_AVAILABLE = /^[^{]*\{\s*['"]use asm['"]/.test(arenaKernels.toString());

/** Smallest arena: asm.js needs a heap of 2^k bytes (k >= 12) up to 2^24, then multiples of 2^24. */
const MIN_BYTES = 1 << 16;
const BIG = 1 << 24;

/** Bytes of the smallest valid asm.js heap holding at least `bytes`. */
export function arenaBytes(bytes: number): number {
  if (bytes > BIG) return Math.ceil(bytes / BIG) * BIG;
  let b = MIN_BYTES;
  while (b < bytes) b *= 2;
  return b;
}

/**
 * One ArrayBuffer cut into Float64Array views by a bump allocator, with the asm.js kernels
 * linked to it. Views never move or overlap; `alloc` returns null when the arena is full.
 */
export class Arena {
  readonly buffer: ArrayBuffer;
  /** The kernels on this arena, or null where the build has no asm.js (its views still work). */
  readonly kernels: ArenaKernels | null;
  private readonly whole: Float64Array;
  private top = 0;

  /** @param doubles capacity in float64 values (rounded up to a valid asm.js heap size) */
  constructor(doubles: number) {
    if (!Number.isInteger(doubles) || doubles < 0) throw new Error(`Arena: capacity must be a non-negative integer number of doubles, got ${doubles}`);
    this.buffer = new ArrayBuffer(arenaBytes(doubles * 8));
    this.whole = new Float64Array(this.buffer);
    this.kernels = ASM_AVAILABLE ? arenaKernels(globalThis as unknown as AsmStdlib, { one: 1 }, this.buffer) : null;
  }

  /** Capacity in doubles. */
  get capacity(): number {
    return this.whole.length;
  }

  /** Doubles handed out so far. */
  get used(): number {
    return this.top;
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
