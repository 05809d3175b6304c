// Kernels of the path view: gate overlaps, the neural path kernel (closed form and brute force), the NTK, alignment.

import { isGradEnabled, propagate } from '../autograd/engine.js';
import { type ResolvedConfig, hasValueTensor, startsAtInput } from '../models/config.js';
import type { Model } from '../models/families.js';
import { matmul } from '../tensor/linalg.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { enumeratePaths, pathCount } from './decompose.js';
import { symmetricEigenvalues } from './linalg.js';

// Everything here reads a model through `gates(x)`, `config` and `namedParameters()` only,
// so no gating loop is re-derived.

/**
 * Per hidden layer l, the gate overlap O_l = G_l(x) G_l(x)^T, [n, n]:
 * O_l[s, t] = sum_j G_l[s, j] G_l[t, j] = <G_l(x_s), G_l(x_t)>. Under hard gates it counts the
 * units of layer l that are on for both inputs.
 *
 * @example
 * ```ts
 * import { Tensor, createModel, overlapMatrices } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1, gate: 'hard' }, { rng: 1 });
 * const [o1, o2] = overlapMatrices(net, Tensor.from([[1, 0], [0, 1], [-1, 0]])); // each [3, 3]
 * ```
 */
export function overlapMatrices(model: Model, x: Tensor): Tensor[] {
  checkBatch('overlapMatrices', model, x);
  return model.gates(x).map((g) => matmul(g, g.transpose()));
}

/** Validates a batch [n, d] at the public boundary, naming the caller. */
function checkBatch(op: string, model: Model, x: Tensor): void {
  const d = model.config.inputDim;
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`${op}: expected input [n, ${d}], got ${x instanceof Tensor ? shapeStr(x.shape) : typeof x}`);
  }
}

/** How `npk` scales the raw kernel (see `npk` for the definitions). */
export type NpkNormalization = 'raw' | 'layer-width' | 'width-power' | 'max-eigenvalue';

const NORMALIZATIONS: readonly NpkNormalization[] = ['raw', 'layer-width', 'width-power', 'max-eigenvalue'];

/** The number of input-start paths of one output: d prod_l m_l (prod_l m_l for dlgn-vt). */
function inputPathCount(c: ResolvedConfig): number {
  const units = c.widths.reduce((p, m) => p * m, 1);
  return hasValueTensor(c.kind) ? units : c.inputDim * units;
}

/**
 * The neural path kernel NPK(x_s, x_t) = Phi(x_s) . Phi(x_t) over the batch, [n, n], in closed
 * form by layers (docs/math.md, "Kernels"), with Phi the activities of every path ending
 * at one output (all outputs share the same paths and activities, so there is one NPK).
 *
 * Derivation. Group the paths by where they start. An input-start path (i, u_1..u_L) has
 * activity v_0(x)_i prod_l G_l(x)[u_l], so summing the product of two activities over i and
 * every unit tuple factorises layer by layer:
 *
 *     K_0 = V_0 V_0^T,  K_l = O_l (*) K_{l-1}  gives  sum over input starts = K_L.
 *
 * A bias start of hidden layer l visits units u_l..u_L with activity prod_{j>=l} G_j[u_j]; its
 * kernel is O_l (*) ... (*) O_L, which is what adding 1 inside the recursion before layer l
 * produces; the output bias alone has activity 1 and adds 1 at the end:
 *
 *     K_l = O_l (*) (K_{l-1} + [bias]),   NPK = K_L + [bias]     ([bias] = 1 iff config.bias).
 *
 * V_0 is the all-ones [n, d] (valueInput `ones`, so K_0 = d everywhere) or x (valueInput
 * `input`, and always for `dln` and `dnn`). For `dlgn-vt` every path is a unit tuple
 * (i_1..i_L) with activity prod_l G_l[i_l]: NPK = O_1 (*) ... (*) O_L (the paper's overlap
 * kernel); gating biases change the gates but add no paths.
 *
 * Normalisations (`options.normalize`, default `raw`; the paper's codebases differ, docs/experiments/protocols.md):
 * - `raw`: the kernel above, exactly Phi Phi^T.
 * - `layer-width`: every factor is averaged instead of summed: K_0 / d, O_l / m_l inside the
 *   recursion, the bias 1s left as they are:
 *   K~_0 = K_0 / d, K~_l = (O_l / m_l) (*) (K~_{l-1} + [bias]), NPK = K~_L + [bias].
 *   Path by path this divides each start group by its own size: input starts by d m_1..m_L,
 *   bias starts of layer l by m_l..m_L, the output bias by 1. So it is the sum over start
 *   groups of the *mean* activity product in that group (the NTK-parametrisation view, where
 *   every layer is scaled by 1/sqrt(width)); each term lies in [0, 1] under gates in [0, 1]
 *   and ones input. For dlgn-vt it equals `width-power`.
 * - `width-power`: raw / (d m_1 ... m_L), the number of input-start paths (raw / (m_1 ... m_L)
 *   for dlgn-vt). Bias paths are divided by the same number, so with biases this is not
 *   `layer-width`.
 * - `max-eigenvalue`: raw / lambda_max(raw), so the top eigenvalue is 1 (the kernel is
 *   symmetric PSD; eigenvalues from `symmetricEigenvalues`). A zero kernel (every path off) is
 *   an error here, as there is nothing to divide by.
 *
 * @example
 * ```ts
 * import { Tensor, createModel, npk } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 1 }, { rng: 3 });
 * const x = Tensor.from([[0.5, 0.1], [-0.3, 0.8], [0.9, -0.9]]);
 * const K = npk(net, x);                                     // [3, 3], raw
 * const Kn = npk(net, x, { normalize: 'max-eigenvalue' });  // top eigenvalue 1
 * ```
 */
export function npk(model: Model, x: Tensor, options: { normalize?: NpkNormalization } = {}): Tensor {
  const normalize = options.normalize ?? 'raw';
  if (!NORMALIZATIONS.includes(normalize)) {
    throw new Error(`npk: normalize must be one of ${NORMALIZATIONS.join(', ')}, got ${JSON.stringify(normalize)}`);
  }
  checkBatch('npk', model, x);
  const c = model.config;
  const overlaps = overlapMatrices(model, x);
  const n = x.shape[0];
  const perLayer = normalize === 'layer-width';
  let K: Float64Array;
  if (hasValueTensor(c.kind)) {
    K = new Float64Array(n * n).fill(1);
    overlaps.forEach((O, l) => {
      const o = O.values();
      const s = perLayer ? 1 / c.widths[l] : 1;
      for (let k = 0; k < K.length; k++) K[k] *= o[k] * s;
    });
  } else {
    const d = c.inputDim;
    if (startsAtInput(c)) {
      K = matmul(x, x.transpose()).values().slice();
      if (perLayer) for (let k = 0; k < K.length; k++) K[k] /= d;
    } else {
      K = new Float64Array(n * n).fill(perLayer ? 1 : d);
    }
    const b = c.bias ? 1 : 0;
    overlaps.forEach((O, l) => {
      const o = O.values();
      const s = perLayer ? 1 / c.widths[l] : 1;
      for (let k = 0; k < K.length; k++) K[k] = o[k] * s * (K[k] + b);
    });
    if (b) for (let k = 0; k < K.length; k++) K[k] += 1;
  }
  const out = new Tensor(K, [n, n]);
  if (normalize === 'width-power') {
    const inv = 1 / inputPathCount(c);
    for (let k = 0; k < K.length; k++) K[k] *= inv;
  } else if (normalize === 'max-eigenvalue') {
    const top = n === 0 ? 0 : symmetricEigenvalues(out)[0];
    if (!(top > 0)) {
      throw new Error(`npk: cannot normalise by the largest eigenvalue: it is ${top} (every path is inactive on this batch)`);
    }
    for (let k = 0; k < K.length; k++) K[k] /= top;
  }
  return out;
}

/** Default cap on the paths `npkBruteForce` will enumerate. */
export const DEFAULT_BRUTE_FORCE_LIMIT = 200_000;

/**
 * The neural path kernel from the paths themselves: the activity vector Phi(x) of every path of
 * one output (from `enumeratePaths`, in docs/fixtures.md's id order), then K = Phi Phi^T. The check of
 * `npk`'s closed form in tests; it holds n x (path count) activities in memory, and refuses,
 * naming the count, above `limit` paths (default 200 000).
 *
 * @example
 * ```ts
 * import { Tensor, createModel, npk, npkBruteForce } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1 }, { rng: 2 });
 * const x = Tensor.from([[0.2, 0.4], [-1, 0.5]]);
 * npkBruteForce(net, x); // equals npk(net, x) to rounding
 * ```
 */
export function npkBruteForce(model: Model, x: Tensor, options: { limit?: number } = {}): Tensor {
  checkBatch('npkBruteForce', model, x);
  const limit = options.limit ?? DEFAULT_BRUTE_FORCE_LIMIT;
  const count = pathCount(model);
  if (count > BigInt(limit)) {
    throw new Error(
      `npkBruteForce: the model has ${count} paths per output, over the limit of ${limit}; use npk (closed form) or raise options.limit`,
    );
  }
  const n = x.shape[0];
  const P = Number(count);
  const phi = new Float64Array(n * P);
  for (let s = 0; s < n; s++) {
    let p = 0;
    for (const path of enumeratePaths(model, x.slice([s, s + 1]), { limit })) phi[s * P + p++] = path.activity;
  }
  const Phi = new Tensor(phi, [n, P]);
  return matmul(Phi, Phi.transpose());
}

/** Options of `ntk`. */
export interface NtkOptions {
  /** Which output's Jacobian (default 0). */
  output?: number;
  /** `all` parameters (default), or `value`: every parameter not named `gate.*`. */
  params?: 'all' | 'value';
}

/**
 * The empirical neural tangent kernel of one output over the batch, J J^T [n, n], with
 * J[s, :] = d out_output(x_s) / d theta flattened over the chosen parameters in
 * `namedParameters()` order (`all`, or `value`: those not named `gate.*`, docs/math.md).
 *
 * Each row of J comes from its own graph: forward the single row x_s, then one reverse sweep
 * seeded with the one-hot vector of `output` (the engine's functional `propagate`, which
 * writes no `.grad`). A parameter the output does not depend on differentiably (gating
 * weights under hard gates, whose step has zero gradient) contributes zeros, so under hard
 * gates `all` and `value` give the same kernel. For the sweep every chosen parameter is
 * marked `requiresGrad` (and the others not), and the flags are restored on return, so
 * frozen parameters still count and the model is left exactly as it was. Must not be called
 * inside `noGrad`.
 *
 * @example
 * ```ts
 * import { Tensor, createModel, ntk } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 2 }, { rng: 5 });
 * const x = Tensor.from([[0.1, 0.2], [0.3, -0.4]]);
 * const all = ntk(net, x);                                   // [2, 2], output 0
 * const value = ntk(net, x, { output: 1, params: 'value' }); // value network only
 * ```
 */
export function ntk(model: Model, x: Tensor, options: NtkOptions = {}): Tensor {
  const c = model.config;
  const output = options.output ?? 0;
  const which = options.params ?? 'all';
  if (!Number.isInteger(output) || output < 0 || output >= c.outputDim) {
    throw new Error(`ntk: output must be an integer in [0, ${c.outputDim - 1}] (the model has ${c.outputDim} outputs), got ${output}`);
  }
  if (which !== 'all' && which !== 'value') {
    throw new Error(`ntk: params must be 'all' or 'value', got ${JSON.stringify(which)}`);
  }
  checkBatch('ntk', model, x);
  if (!isGradEnabled()) {
    throw new Error('ntk: gradient recording is off (called inside noGrad); the Jacobian needs it');
  }
  const named = model.namedParameters();
  const chosen = named.filter(([name]) => which === 'all' || !name.startsWith('gate.')).map(([, p]) => p);
  const chosenSet = new Set(chosen);
  const P = chosen.reduce((s, p) => s + p.value.size, 0);
  const n = x.shape[0];
  const J = Tensor.zeros([n, P]);
  const seed = Tensor.zeros([1, c.outputDim]);
  seed.data[output] = 1;
  const flags = named.map(([, p]) => p.requiresGrad);
  try {
    for (const [, p] of named) p.requiresGrad = chosenSet.has(p);
    for (let s = 0; s < n; s++) {
      const out = model.forward(x.slice([s, s + 1]));
      if (!out.requiresGrad) continue; // no chosen parameter reaches the output: a zero row
      const grads = propagate(out, seed, true);
      let at = s * P;
      for (const p of chosen) {
        const g = grads.get(p);
        if (g !== undefined) J.data.set(g.values(), at);
        at += p.value.size;
      }
    }
  } finally {
    named.forEach(([, p], i) => {
      p.requiresGrad = flags[i];
    });
  }
  return matmul(J, J.transpose());
}

/** Reads a label vector [n] (or [n, 1]) into a Float64Array; `op` names the caller in errors. */
function labelVector(op: string, y: Tensor | ArrayLike<number>): Float64Array {
  if (y instanceof Tensor) {
    if (!(y.ndim === 1 || (y.ndim === 2 && y.shape[1] === 1))) {
      throw new Error(`${op}: labels must have shape [n] or [n, 1], got ${shapeStr(y.shape)}`);
    }
    return y.contiguous().values().slice();
  }
  return Float64Array.from(y);
}

/**
 * Maps binary labels {0, 1} to {-1, +1} (labels already in {-1, +1} pass through). Kernel-target
 * alignment with 0/1 labels measures mostly how K treats the positive class, since y y^T is zero
 * on every pair involving a 0; the paper's alignment uses signed labels, so map first.
 *
 * @example
 * ```ts
 * import { signedLabels } from 'halfspace';
 * signedLabels([0, 1, 1, 0]); // Float64Array [-1, 1, 1, -1]
 * ```
 */
export function signedLabels(y: Tensor | ArrayLike<number>): Float64Array {
  const v = labelVector('signedLabels', y);
  const binary = v.every((t) => t === 0 || t === 1);
  if (binary) return v.map((t) => 2 * t - 1);
  const stray = v.find((t) => t !== -1 && t !== 0 && t !== 1);
  const bad = stray !== undefined ? `found ${stray}` : v.some((t) => t === 0) ? 'found both 0 and -1' : null;
  if (bad !== null) throw new Error(`signedLabels: labels must all be in {0, 1} or all in {-1, +1}, ${bad}`);
  return v;
}

/**
 * Kernel-target alignment A(K, y) = y^T K y / (||K||_F ||y||^2) (docs/experiments/protocols.md, E5), the cosine
 * between K and y y^T in the Frobenius inner product (||y y^T||_F = ||y||^2). It is 1 for
 * K = y y^T (any scale) and, for PSD K, lies in [0, 1]. `K` must be [n, n] and `y` hold n
 * values ([n] or [n, 1]). For {0, 1} labels call `signedLabels` first. A zero kernel or zero
 * label vector has no alignment and is an error.
 *
 * @example
 * ```ts
 * import { Tensor } from 'halfspace';
 * import { kernelTargetAlignment, signedLabels } from 'halfspace';
 * const y = signedLabels([1, 0, 1]);
 * const K = Tensor.from([[1, -1, 1], [-1, 1, -1], [1, -1, 1]]); // y y^T
 * kernelTargetAlignment(K, y); // 1
 * ```
 */
export function kernelTargetAlignment(K: Tensor, y: Tensor | ArrayLike<number>): number {
  if (K.ndim !== 2 || K.shape[0] !== K.shape[1]) {
    throw new Error(`kernelTargetAlignment: K must be a square matrix [n, n], got ${shapeStr(K.shape)}`);
  }
  const v = labelVector('kernelTargetAlignment', y);
  const n = K.shape[0];
  if (v.length !== n) {
    throw new Error(`kernelTargetAlignment: K is ${shapeStr(K.shape)} but y has ${v.length} values`);
  }
  const k = K.contiguous().values();
  let quad = 0;
  let fro = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = 0; j < n; j++) {
      const kij = k[i * n + j];
      row += kij * v[j];
      fro += kij * kij;
    }
    quad += v[i] * row;
  }
  let yy = 0;
  for (let i = 0; i < n; i++) yy += v[i] * v[i];
  if (fro === 0) throw new Error('kernelTargetAlignment: K is zero, so its alignment is undefined');
  if (yy === 0) throw new Error('kernelTargetAlignment: y is zero, so the alignment is undefined');
  return quad / (Math.sqrt(fro) * yy);
}
