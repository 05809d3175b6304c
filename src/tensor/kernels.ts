// The kernel layer: the raw elementwise loops a training step spends its time in, each in JavaScript and compiled WebAssembly, behind one dispatch.

import type { Arena } from './arena.js';
import { sigmoidArray, sigmoidTails } from './math.js';
import { allocDataUninit, currentArena } from './workspace.js';

/*
 * Each kernel below has two bodies with the same floating-point operations in the same order:
 * its JavaScript loop (`...Js`, here) and a function of the compiled elementwise module
 * (src/tensor/wasm/elementwise-module.ts), which runs where every array it touches lies in the
 * current workspace's arena (src/tensor/arena.ts). `compiledArena` is the one dispatch rule;
 * `kernelCalls()` counts which body ran, so tests can prove the compiled one did. The GEMM has
 * its own kernel switch (`useGemmKernel` in gemm.ts): its operands need not lie in an arena.
 */

/** The kernels of this layer. */
export const KERNEL_NAMES = ['gate', 'gateBias', 'addRow', 'softGateGrads', 'colSums', 'adam', 'sigmoid', 'rowOuter', 'rowOuterGrad'] as const;
export type KernelName = (typeof KERNEL_NAMES)[number];

/** Calls of each body since the module loaded (or since `resetKernelCalls`). */
const calls: Record<KernelName, { wasm: number; javascript: number }> = {
  gate: { wasm: 0, javascript: 0 },
  gateBias: { wasm: 0, javascript: 0 },
  addRow: { wasm: 0, javascript: 0 },
  softGateGrads: { wasm: 0, javascript: 0 },
  colSums: { wasm: 0, javascript: 0 },
  adam: { wasm: 0, javascript: 0 },
  sigmoid: { wasm: 0, javascript: 0 },
  rowOuter: { wasm: 0, javascript: 0 },
  rowOuterGrad: { wasm: 0, javascript: 0 },
};

let compiledEnabled = true;

/**
 * Turns the compiled bodies on (the default) or off, e.g. to compare them with the JavaScript
 * loops: both give the same bits.
 */
export function useCompiledKernels(on: boolean): void {
  compiledEnabled = on;
}

/** How often each kernel ran compiled ('wasm') and as JavaScript. */
export function kernelCalls(): Record<KernelName, { wasm: number; javascript: number }> {
  const out = {} as Record<KernelName, { wasm: number; javascript: number }>;
  for (const k of KERNEL_NAMES) out[k] = { ...calls[k] };
  return out;
}

/** Sets every count of `kernelCalls` back to 0. */
export function resetKernelCalls(): void {
  for (const k of KERNEL_NAMES) calls[k].wasm = calls[k].javascript = 0;
}

/** The arena whose compiled kernels may run on these arrays (all of them inside it), or null. */
function compiledArena(arena: Arena | null, a: Float64Array, b: Float64Array | null, c: Float64Array | null, d: Float64Array | null, e: Float64Array | null): Arena | null {
  if (!compiledEnabled || arena === null || arena.kernels === null) return null;
  if (!arena.holds(a)) return null;
  if (b !== null && !arena.holds(b)) return null;
  if (c !== null && !arena.holds(c)) return null;
  if (d !== null && !arena.holds(d)) return null;
  if (e !== null && !arena.holds(e)) return null;
  return arena;
}

/**
 * A bias row (a parameter, outside the arena) as an arena offset: copied into a workspace buffer
 * (m values) first; -1 when that buffer is not in the arena either.
 */
function rowInArena(A: Arena, bd: Float64Array, bo: number, m: number): number {
  if (A.holds(bd)) return A.at(bd, bo);
  const t = allocDataUninit(m);
  if (!A.holds(t)) return -1;
  for (let j = 0; j < m; j++) t[j] = bd[bo + j];
  return A.at(t, 0);
}

/*
 * The JavaScript bodies, each a function that ends with its loop, so nothing after the loop can
 * deoptimise (docs/engine.md, "Why the loops look like this").
 */

/** h[k] = G[go + k] z[k]. */
function gateJs(h: Float64Array, gd: Float64Array, go: number, zd: Float64Array, size: number): void {
  for (let k = 0; k < size; k++) h[k] = gd[go + k] * zd[k];
}

/** z[i][j] += b[j]; h[i][j] = G[i][j] z[i][j], over n x m. */
function gateBiasJs(h: Float64Array, gd: Float64Array, go: number, zd: Float64Array, bd: Float64Array, bo: number, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) {
      const v = zd[r + j] + bd[bo + j];
      zd[r + j] = v;
      h[r + j] = gd[go + r + j] * v;
    }
  }
}

/** z[i][j] += b[j] over an n x m row-major z. */
function addRowJs(zd: Float64Array, bd: Float64Array, bo: number, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) zd[r + j] += bd[bo + j];
  }
}

/** dzg = (d z) (s (1 - s) beta), dz = d s with s = G[k]; either output may be null. */
function softGateGradsJs(dd: Float64Array, doff: number, zd: Float64Array, gd: Float64Array, beta: number, dzg: Float64Array | null, dz: Float64Array | null, size: number): void {
  if (dzg !== null && dz !== null) {
    for (let k = 0; k < size; k++) {
      const v = dd[doff + k];
      const s = gd[k];
      dzg[k] = v * zd[k] * (s * (1 - s) * beta);
      dz[k] = v * s;
    }
  } else if (dzg !== null) {
    for (let k = 0; k < size; k++) {
      const s = gd[k];
      dzg[k] = dd[doff + k] * zd[k] * (s * (1 - s) * beta);
    }
  } else if (dz !== null) {
    for (let k = 0; k < size; k++) dz[k] = dd[doff + k] * gd[k];
  }
}

/** out[j] += the column sums of a rows x cols block at d[o..], four rows per sweep, rows in order. */
function colSumsJs(out: Float64Array, d: Float64Array, o: number, rows: number, cols: number): void {
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const r0 = o + i * cols;
    const r1 = r0 + cols;
    const r2 = r1 + cols;
    const r3 = r2 + cols;
    for (let j = 0; j < cols; j++) out[j] = out[j] + d[r0 + j] + d[r1 + j] + d[r2 + j] + d[r3 + j];
  }
  for (; i < rows; i++) {
    const r = o + i * cols;
    for (let j = 0; j < cols; j++) out[j] += d[r + j];
  }
}

/** Adam's common case: m = m + w1 (g - m); v = v beta2 + b2c g g; w -= stepSize (m / (sqrt(v) / bc2sqrt + eps)). */
function adamJs(w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, n: number, w1: number, beta2: number, b2c: number, stepSize: number, bc2sqrt: number, eps: number): void {
  for (let k = 0; k < n; k++) {
    const gk = g[k];
    const mk = m[k] + w1 * (gk - m[k]);
    m[k] = mk;
    const vk = v[k] * beta2 + b2c * gk * gk;
    v[k] = vk;
    w[k] -= stepSize * (mk / (Math.sqrt(vk) / bc2sqrt + eps));
  }
}

/*
 * The dispatching kernels: the compiled body on arena byte offsets where `compiledArena` allows,
 * else the JavaScript body.
 */

/** h[k] = G[go + k] z[k] for k < size. */
export function gateKernel(h: Float64Array, gd: Float64Array, go: number, zd: Float64Array, size: number): void {
  const A = compiledArena(currentArena(), h, gd, zd, null, null);
  if (A !== null) {
    calls.gate.wasm++;
    A.kernels!.gate(A.at(h, 0), A.at(gd, go), A.at(zd, 0), size);
    return;
  }
  calls.gate.javascript++;
  gateJs(h, gd, go, zd, size);
}

/** z[i][j] += b[j]; h[i][j] = G[go + i m + j] z[i][j], over an n x m row-major z. */
export function gateBiasKernel(h: Float64Array, gd: Float64Array, go: number, zd: Float64Array, bd: Float64Array, bo: number, n: number, m: number): void {
  const A = compiledArena(currentArena(), h, gd, zd, null, null);
  if (A !== null) {
    const b = rowInArena(A, bd, bo, m);
    if (b >= 0) {
      calls.gateBias.wasm++;
      A.kernels!.gateBias(A.at(h, 0), A.at(gd, go), A.at(zd, 0), b, n, m);
      return;
    }
  }
  calls.gateBias.javascript++;
  gateBiasJs(h, gd, go, zd, bd, bo, n, m);
}

/** z[i][j] += b[bo + j] over an n x m row-major z. */
export function addRowKernel(zd: Float64Array, bd: Float64Array, bo: number, n: number, m: number): void {
  const A = compiledArena(currentArena(), zd, null, null, null, null);
  if (A !== null) {
    const b = rowInArena(A, bd, bo, m);
    if (b >= 0) {
      calls.addRow.wasm++;
      A.kernels!.addRow(A.at(zd, 0), b, n, m);
      return;
    }
  }
  calls.addRow.javascript++;
  addRowJs(zd, bd, bo, n, m);
}

/**
 * The soft gated layer's gradients in one pass, with d the upstream gradient (contiguous from
 * doff) and s = G[k]: dzg = (d z) (s (1 - s) beta) and dz = d s; either output may be null.
 */
export function softGateGrads(dd: Float64Array, doff: number, zd: Float64Array, gd: Float64Array, beta: number, dzg: Float64Array | null, dz: Float64Array | null, size: number): void {
  const A = compiledArena(currentArena(), dd, zd, gd, dzg, dz);
  if (A !== null) {
    calls.softGateGrads.wasm++;
    A.kernels!.softGateGrads(
      A.at(dd, doff), A.at(zd, 0), A.at(gd, 0), beta,
      dzg === null ? 0 : A.at(dzg, 0), dz === null ? 0 : A.at(dz, 0), size, dzg === null ? 0 : 1, dz === null ? 0 : 1,
    );
    return;
  }
  calls.softGateGrads.javascript++;
  softGateGradsJs(dd, doff, zd, gd, beta, dzg, dz, size);
}

/** out[j] += the column sums of a rows x cols row-major block at d[o..], rows added in order. */
export function colSumsKernel(out: Float64Array, d: Float64Array, o: number, rows: number, cols: number): void {
  const A = compiledArena(currentArena(), out, d, null, null, null);
  if (A !== null) {
    calls.colSums.wasm++;
    A.kernels!.colSums(A.at(out, 0), A.at(d, o), rows, cols);
    return;
  }
  calls.colSums.javascript++;
  colSumsJs(out, d, o, rows, cols);
}

/**
 * One Adam update of n values in the common case (no weight decay, no amsgrad, not maximising):
 * on the compiled body when m, v, and the scratch views ws and gs lie in `arena` (the weights
 * and gradient are copied in and the weights back), else the JavaScript loop on w and g.
 */
export function adamKernel(
  arena: Arena | null, w: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, ws: Float64Array | null, gs: Float64Array | null,
  w1: number, beta2: number, b2c: number, stepSize: number, bc2sqrt: number, eps: number,
): void {
  const n = w.length;
  const A = ws === null || gs === null ? null : compiledArena(arena, m, v, ws, gs, null);
  if (A !== null) {
    calls.adam.wasm++;
    ws!.set(w);
    gs!.set(g);
    A.kernels!.adam(A.at(ws!, 0), A.at(gs!, 0), A.at(m, 0), A.at(v, 0), n, w1, beta2, b2c, stepSize, bc2sqrt, eps);
    w.set(ws!);
    return;
  }
  calls.adam.javascript++;
  adamJs(w, g, m, v, n, w1, beta2, b2c, stepSize, bc2sqrt, eps);
}

/**
 * out[k] = sigma(c src[o + k]) for k < n, the bits of `sigmoidArray` (math.ts): the compiled
 * loop computes every value with the clamped exp and reports the smallest argument; where one
 * was extreme (below -708, or NaN) those elements are redone through Math.exp, as there.
 */
export function sigmoidKernel(out: Float64Array, src: Float64Array, o: number, n: number, c: number): void {
  const A = compiledArena(currentArena(), out, src, null, null, null);
  if (A !== null) {
    calls.sigmoid.wasm++;
    const lo = A.kernels!.sigmoid(A.at(out, 0), A.at(src, o), n, c);
    if (!(lo > -708)) sigmoidTails(out, src, o, 0, n, c);
    return;
  }
  calls.sigmoid.javascript++;
  sigmoidArray(out, src, o, n, c);
}

/** The row-wise outer product of a DLGN-VT's gates: out[i][j m + k] = a[i][j] b[i][k] for a [n, p], b [n, m] contiguous from ao, bo. */
export function rowOuterKernel(out: Float64Array, a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, p: number, m: number): void {
  const A = compiledArena(currentArena(), out, a, b, null, null);
  if (A !== null) {
    calls.rowOuter.wasm++;
    A.kernels!.rowOuter(A.at(out, 0), A.at(a, ao), A.at(b, bo), n, p, m);
    return;
  }
  calls.rowOuter.javascript++;
  rowOuterJs(out, a, ao, b, bo, n, p, m);
}

/**
 * The gradients of `rowOuterKernel` from g [n, p m] (either output may be null), the bits of the
 * broadcasting composite's reduction (see `rowOuterGradJs`).
 */
export function rowOuterGradKernel(
  da: Float64Array | null, db: Float64Array | null, g: Float64Array, go: number,
  a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, p: number, m: number,
): void {
  const A = compiledArena(currentArena(), g, a, b, da, db);
  if (A !== null) {
    calls.rowOuterGrad.wasm++;
    A.kernels!.rowOuterGrad(da === null ? 0 : A.at(da, 0), db === null ? 0 : A.at(db, 0), A.at(g, go), A.at(a, ao), A.at(b, bo), n, p, m, da === null ? 0 : 1, db === null ? 0 : 1);
    return;
  }
  calls.rowOuterGrad.javascript++;
  rowOuterGradJs(da, db, g, go, a, ao, b, bo, n, p, m);
}

function rowOuterJs(out: Float64Array, a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, p: number, m: number): void {
  let o = 0;
  for (let i = 0; i < n; i++) {
    const ar = ao + i * p, br = bo + i * m;
    for (let j = 0; j < p; j++) {
      const x = a[ar + j];
      for (let k = 0; k < m; k++) out[o++] = x * b[br + k];
    }
  }
}

/**
 * da[i][j] = sum_k g[i][j m + k] b[i][k] and db[i][k] = sum_j g[i][j m + k] a[i][j], each from 0
 * in index order (either output may be null), as the broadcasting composite's reduction computes them.
 */
function rowOuterGradJs(
  da: Float64Array | null, db: Float64Array | null, g: Float64Array, go: number,
  a: Float64Array, ao: number, b: Float64Array, bo: number, n: number, p: number, m: number,
): void {
  // with m = 1 (p = 1) nothing is summed for da (db): the product itself, so -0 stays -0
  if (db !== null && p > 1) db.fill(0);
  for (let i = 0; i < n; i++) {
    const ar = ao + i * p, br = bo + i * m, dr = i * m;
    let gi = go + i * p * m;
    for (let j = 0; j < p; j++, gi += m) {
      if (da !== null) {
        if (m === 1) da[i * p + j] = g[gi] * b[br];
        else {
          let s = 0;
          for (let k = 0; k < m; k++) s += g[gi + k] * b[br + k];
          da[i * p + j] = s;
        }
      }
      if (db !== null) {
        const x = a[ar + j];
        if (p === 1) for (let k = 0; k < m; k++) db[dr + k] = g[gi + k] * x;
        else for (let k = 0; k < m; k++) db[dr + k] += g[gi + k] * x;
      }
    }
  }
}
