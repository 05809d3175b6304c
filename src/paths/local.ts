// ReLU nets: the local linearisation, the pre-activations as affine maps valid only inside one linear region.

import { hasHalfspaceGates } from '../models/config.js';
import type { HalfSpaces, Model } from '../models/families.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type GatePattern, checkBatch, checkPoint, planesOf, preActivation } from './planes.js';

/**
 * A ReLU net's pre-activations as affine functions of x, valid ONLY inside the linear region of
 * `x0` (the set of points with x0's activation pattern). Outside it they are not the net's
 * pre-activations: a ReLU unit is not a half-space of the input space.
 */
export interface LocalHalfSpaces {
  /** Always true: these affine maps hold only near x0, inside its linear region. */
  validOnlyNear: true;
  x0: number[];
  /** The ReLU on/off pattern at x0 (from `model.gates(x0)`). */
  pattern: GatePattern;
  /** Per hidden layer, pre-activation z_l(x) = weight x + bias: `weight [m_l, d]`, `bias [m_l]`. */
  layers: HalfSpaces[];
  /** The network output as an affine map there: `weight [k, d]`, `bias [k]`. */
  output: HalfSpaces;
}

/**
 * The local linearisation of a ReLU net (`dnn`) at x0 [1, d]: for x0's activation pattern G
 * (read from `model.gates`), z_1 = W_1 x + b_1 and z_l = W_l (G_{l-1} (*) z_{l-1}) + b_l are
 * affine in x; this returns them. They equal the net's pre-activations exactly (to rounding)
 * at every x with the same pattern (`inLinearRegion`), and nowhere else in general.
 * Throws for other kinds (a DLGN's `halfspaces()` are global; use them).
 */
export function localHalfspaces(model: Model, x0: Tensor): LocalHalfSpaces {
  const c = model.config;
  if (c.kind !== 'dnn') {
    throw new Error(
      `localHalfspaces: only for ReLU nets (dnn), got ${c.kind}` +
        (hasHalfspaceGates(c.kind) ? '; its halfspaces() are exact everywhere, use them' : ''),
    );
  }
  const x = checkBatch('localHalfspaces', x0, c.inputDim);
  if (x0.shape[0] !== 1) throw new Error(`localHalfspaces: expected one point x0 [1, ${c.inputDim}], got ${shapeStr(x0.shape)}`);
  const gates = model.gates(x0).map((g) => g.values());
  const pattern = gates.map((g) => Uint8Array.from(g, (v) => (v > 0 ? 1 : 0)));
  const d = c.inputDim;
  const param = (name: string): Float64Array | null =>
    c.bias || !name.endsWith('.bias') ? model.parameter(name).value.values() : null;
  // (P, q): the affine map of the current layer's input in terms of x; start with the identity.
  let P: Float64Array = new Float64Array(d * d);
  for (let j = 0; j < d; j++) P[j * d + j] = 1;
  let q: Float64Array = new Float64Array(d);
  let rows = d;
  const affine = (W: Float64Array, b: Float64Array | null, m: number, gate: Uint8Array | null): HalfSpaces => {
    // z = W (g (*) (P x + q)) + b
    const Wt = new Float64Array(m * d);
    const bt = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      let s = b ? b[i] : 0;
      for (let r = 0; r < rows; r++) {
        if (gate && !gate[r]) continue;
        const wir = W[i * rows + r];
        s += wir * q[r];
        for (let j = 0; j < d; j++) Wt[i * d + j] += wir * P[r * d + j];
      }
      bt[i] = s;
    }
    return { weight: new Tensor(Wt, [m, d]), bias: new Tensor(bt, [m]) };
  };
  const layers: HalfSpaces[] = [];
  c.widths.forEach((m, l) => {
    const z = affine(model.parameter(`layers.${l}.weight`).value.values(), param(`layers.${l}.bias`), m, l === 0 ? null : pattern[l - 1]);
    layers.push(z);
    P = z.weight.values();
    q = z.bias.values();
    rows = m;
  });
  const output = affine(model.parameter('out.weight').value.values(), param('out.bias'), c.outputDim, pattern[pattern.length - 1]);
  return { validOnlyNear: true, x0: Array.from(x), pattern, layers, output };
}

/** Whether x has the activation pattern of the linearisation's x0, i.e. the local maps hold at x. */
export function inLinearRegion(local: LocalHalfSpaces, x: ArrayLike<number>): boolean {
  const p = planesOf(local.layers);
  checkPoint('inLinearRegion', x, p.d);
  for (let l = 0; l < p.m.length; l++) {
    for (let i = 0; i < p.m[l]; i++) {
      if ((preActivation(p, l, i, x, 0) > 0 ? 1 : 0) !== local.pattern[l][i]) return false;
    }
  }
  return true;
}
