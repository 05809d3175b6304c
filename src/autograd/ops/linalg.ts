// Differentiable matrix products: matmul, the affine layer x W^T + b, and the fused gated layer G (*) (x W^T + b).

import { matmul as mm } from '../../tensor/linalg.js';
import * as T from '../../tensor/ops.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { allocDataUninit } from '../../tensor/workspace.js';
import { type Var, asVar, record } from '../engine.js';

/** Matrix product of the last two axes (batch axes broadcast). */
export function matmul(a: Var | Tensor, b: Var | Tensor): Var {
  const x = asVar(a);
  const y = asVar(b);
  const swap = (t: Tensor): Tensor => t.transpose([...t.shape.map((_, i) => i).slice(0, -2), t.ndim - 1, t.ndim - 2]);
  // d(A B)/dA = G B^T, d(A B)/dB = A^T G (transposes are views; the kernel packs through them)
  return record('matmul', [x, y], mm(x.value, y.value), (g) => [
    x.requiresGrad ? mm(g, swap(y.value)) : null,
    y.requiresGrad ? mm(swap(x.value), g) : null,
  ]);
}

/** Checks x [n, in], weight [out, in] and bias [out]; returns the bias as a Var or null. */
function checkLayer(op: string, xv: Var, w: Var, bias: Var | Tensor | null | undefined): Var | null {
  if (xv.value.ndim !== 2 || w.value.ndim !== 2 || xv.shape[1] !== w.shape[1]) {
    throw new Error(`${op}: expected x [n, in] and weight [out, in], got x=${shapeStr(xv.shape)}, weight=${shapeStr(w.shape)}`);
  }
  const b = bias === undefined || bias === null ? null : asVar(bias);
  if (b !== null && (b.value.ndim !== 1 || b.shape[0] !== w.shape[0])) {
    throw new Error(`${op}: bias must have shape [${w.shape[0]}], got ${shapeStr(b.shape)}`);
  }
  return b;
}

/**
 * x W^T (+ b) as a fresh row-major [n, out] tensor: the product from the packed kernel, then the
 * bias added in place, row by row (z[i][j] = (x W^T)[i][j] + b[j], the value `T.add` would give).
 */
function affine(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const z = mm(x, w.transpose());
  if (b !== null) {
    const [n, m] = z.shape;
    const zd = z.data;
    const bc = b.contiguous();
    const bd = bc.data;
    const bo = bc.offset;
    for (let i = 0; i < n; i++) {
      const r = i * m;
      for (let j = 0; j < m; j++) zd[r + j] += bd[bo + j];
    }
  }
  return z;
}

/**
 * The affine layer `x W^T + b` with PyTorch's layout: x [n, in], W [out, in], b [out] (optional).
 */
export function linear(x: Var | Tensor, weight: Var | Tensor, bias?: Var | Tensor | null): Var {
  const xv = asVar(x);
  const w = asVar(weight);
  const b = checkLayer('linear', xv, w, bias);
  const out = affine(xv.value, w.value, b === null ? null : b.value);
  const inputs = b === null ? [xv, w] : [xv, w, b];
  // y = x W^T + b:  dy/dx = G W,  dy/dW = G^T x,  dy/db = sum over rows of G
  return record('linear', inputs, out, (g) => [
    xv.requiresGrad ? mm(g, w.value) : null,
    w.requiresGrad ? mm(g.transpose(), xv.value) : null,
    ...(b === null ? [] : [b.requiresGrad ? T.sum(g, 0) : null]),
  ]);
}

/**
 * The gated linear layer of the DGN and DLGN value networks, fused into one primitive:
 *
 *     h = G (*) z,   z = x W^T + b        G [n, out] (the gates), x [n, in], W [out, in], b [out]
 *
 * It computes exactly what `mul(G, linear(x, W, b))` computes, element for element, but with
 * one output buffer and z kept for the gradient instead of two recorded nodes, and the gate
 * product, bias add and gradient split each done in one pass.
 *
 * @example
 * ```ts
 * const h = gatedLinear(sigmoid(linear(x, Wg, bg)), ones, Wv, bv); // one DLGN value layer
 * ```
 */
export function gatedLinear(gate: Var | Tensor, x: Var | Tensor, weight: Var | Tensor, bias?: Var | Tensor | null): Var {
  const gv = asVar(gate);
  const xv = asVar(x);
  const w = asVar(weight);
  const b = checkLayer('gatedLinear', xv, w, bias);
  const n = xv.shape[0];
  const m = w.shape[0];
  if (gv.value.ndim !== 2 || gv.shape[0] !== n || gv.shape[1] !== m) {
    throw new Error(`gatedLinear: gate must have shape ${shapeStr([n, m])}, got ${shapeStr(gv.shape)}`);
  }
  // forward, one pass after the product: z[i][j] += b[j]; h[i][j] = G[i][j] z[i][j]
  const z = affine(xv.value, w.value, null);
  const zd = z.data;
  const G = gv.value.contiguous();
  const gd = G.data;
  const go = G.offset;
  const h = allocDataUninit(n * m);
  const bc = b === null ? null : b.value.contiguous();
  for (let i = 0; i < n; i++) {
    const r = i * m;
    if (bc === null) {
      for (let j = 0; j < m; j++) h[r + j] = gd[go + r + j] * zd[r + j];
    } else {
      const bd = bc.data;
      const bo = bc.offset;
      for (let j = 0; j < m; j++) {
        const v = zd[r + j] + bd[bo + j];
        zd[r + j] = v;
        h[r + j] = gd[go + r + j] * v;
      }
    }
  }
  const inputs = b === null ? [gv, xv, w] : [gv, xv, w, b];
  // h = G (*) z:  dh/dG = z,  dh/dz = G; then z = x W^T + b as in `linear`
  return record('gatedLinear', inputs, new Tensor(h, [n, m]), (g) => {
    const needZ = xv.requiresGrad || w.requiresGrad || (b !== null && b.requiresGrad);
    const gc = g.contiguous();
    const dd = gc.data;
    const doff = gc.offset;
    const size = n * m;
    const dG = gv.requiresGrad ? allocDataUninit(size) : null;
    const dz = needZ ? allocDataUninit(size) : null;
    // both products in one pass (g * z and g * G, the operand order of `mul`'s rule)
    if (dG !== null && dz !== null) {
      for (let k = 0; k < size; k++) {
        const v = dd[doff + k];
        dG[k] = v * zd[k];
        dz[k] = v * gd[go + k];
      }
    } else if (dG !== null) {
      for (let k = 0; k < size; k++) dG[k] = dd[doff + k] * zd[k];
    } else if (dz !== null) {
      for (let k = 0; k < size; k++) dz[k] = dd[doff + k] * gd[go + k];
    }
    const dzT = dz === null ? null : new Tensor(dz, [n, m]);
    return [
      dG === null ? null : new Tensor(dG, [n, m]),
      dzT !== null && xv.requiresGrad ? mm(dzT, w.value) : null,
      dzT !== null && w.requiresGrad ? mm(dzT.transpose(), xv.value) : null,
      ...(b === null ? [] : [dzT !== null && b.requiresGrad ? T.sum(dzT, 0) : null]),
    ];
  });
}
