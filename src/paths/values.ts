// Path values as a tensor, and the DLGN -> DLGN-VT conversion that makes "one expert per path" literal.

import { noGrad } from '../autograd/engine.js';
import { DEFAULT_MAX_VALUE_ENTRIES, DLGNVT, type Model } from '../models/families.js';
import { Tensor } from '../tensor/tensor.js';
import { pathNet } from './decompose.js';

/**
 * The value of every input-start path, as a tensor T [k, d, m_1, ..., m_L]:
 * T[c, i, u_1, .., u_L] = W_o[c, u_L] W_L[u_L, u_{L-1}] ... W_1[u_1, i]. (Bias-start paths are
 * not in it: they visit fewer layers; `enumeratePaths` lists them.) Refused above `maxEntries`.
 */
export function pathValueTensor(model: Model, options: { maxEntries?: number } = {}): Tensor {
  const net = pathNet(model);
  if (net.kind === 'value-tensor') throw new Error('pathValueTensor: a dlgn-vt model already is its value tensor (its `value` parameter)');
  const { d, k, widths } = net;
  const cap = options.maxEntries ?? DEFAULT_MAX_VALUE_ENTRIES;
  const entries = widths.reduce((a, b) => a * b, k * d);
  if (entries > cap) {
    throw new Error(`pathValueTensor: ${entries} path values (${entries * 8} bytes) exceed the cap of ${cap} entries`);
  }
  // T_1[i, u_1] = W_1[u_1, i]; T_l[i, .., u_l] = T_{l-1}[i, .., u_{l-1}] W_l[u_l, u_{l-1}]
  let T = new Float64Array(d * widths[0]);
  const W0 = net.weights[0].values();
  for (let i = 0; i < d; i++) for (let u = 0; u < widths[0]; u++) T[i * widths[0] + u] = W0[u * d + i];
  let rows = d;
  for (let l = 1; l < widths.length; l++) {
    const m = widths[l];
    const prev = widths[l - 1];
    const W = net.weights[l].values();
    const next = new Float64Array(rows * prev * m);
    for (let r = 0; r < rows * prev; r++) {
      const p = r % prev;
      for (let u = 0; u < m; u++) next[r * m + u] = T[r] * W[u * prev + p];
    }
    T = next;
    rows *= prev;
  }
  const mL = widths[widths.length - 1];
  const P = T.length; // d * prod m
  const Wo = net.outWeight.values();
  const out = new Float64Array(k * P);
  for (let c = 0; c < k; c++) for (let r = 0; r < P; r++) out[c * P + r] = T[r] * Wo[c * mL + (r % mL)];
  return new Tensor(out, [k, d, ...widths]);
}

function allZero(t: Tensor | null): boolean {
  return t === null || t.values().every((v) => v === 0);
}

/**
 * Converts a DLGN with value input `ones` into a DLGN-VT computing the same function: its
 * gates become shallow gates on the effective half-spaces (`halfspaces()`), and the value of
 * the path through units (u_1..u_L) is the sum over input starts i of the path values, since
 * with v_0 = 1 every input start of the same units has the same activity.
 *
 * Requires no bias in the value network (value.l.bias and out.bias absent or all zero): a bias
 * start at layer l has activity prod_{j >= l} G_j, a product over fewer than L layers, which no
 * value tensor over all L layers can express; the error says which bias is non-zero.
 *
 * @example
 * ```ts
 * const vt = toValueTensor(dlgn);
 * vt.forward(x); // equals dlgn.forward(x) to ~1e-15
 * ```
 */
export function toValueTensor(model: Model, options: { maxValueEntries?: number } = {}): DLGNVT {
  const c = model.config;
  if (c.kind !== 'dlgn') throw new Error(`toValueTensor: needs a dlgn model, got ${c.kind}`);
  if (c.valueInput !== 'ones') {
    throw new Error("toValueTensor: needs valueInput 'ones' (with 'input' a path's activity carries x_i, not a product of gates)");
  }
  const net = pathNet(model);
  if (net.kind !== 'layers') throw new Error(`toValueTensor: needs a value network, got ${c.kind}`);
  net.biases.forEach((b, l) => {
    if (!allZero(b)) throw new Error(`toValueTensor: value.${l}.bias is non-zero; bias-start paths cannot be written as a value tensor`);
  });
  if (!allZero(net.outBias)) throw new Error('toValueTensor: out.bias is non-zero; the output-bias path cannot be written as a value tensor');
  const T = pathValueTensor(model, { maxEntries: options.maxValueEntries });
  const { d, k, widths } = net;
  const P = widths.reduce((a, b) => a * b, 1);
  const V = new Float64Array(k * P);
  const t = T.values();
  for (let ci = 0; ci < k; ci++) {
    for (let i = 0; i < d; i++) for (let r = 0; r < P; r++) V[ci * P + r] += t[(ci * d + i) * P + r];
  }
  const vt = new DLGNVT(
    { inputDim: d, widths: widths.slice(), outputDim: k, bias: c.bias, features: 'sf', gate: c.gate, beta: c.beta },
    { maxValueEntries: options.maxValueEntries },
  );
  const state: Record<string, Tensor> = { value: new Tensor(V, [k, ...widths]) };
  noGrad(() => model.halfspaces()).forEach((h, l) => {
    state[`gate.${l}.weight`] = h.weight;
    if (c.bias) state[`gate.${l}.bias`] = h.bias;
  });
  vt.loadStateDict(state);
  return vt;
}
