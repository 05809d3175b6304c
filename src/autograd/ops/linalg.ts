// Differentiable matrix products: matmul, the affine layer x W^T + b, and the fused gated layers G (*) (x W^T + b).

import { matmul as mm } from '../../tensor/linalg.js';
import * as T from '../../tensor/ops.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { addRowKernel, gateBiasKernel, gateKernel, rowOuterGradKernel, rowOuterKernel, softGateGrads } from '../../tensor/kernels.js';
import { allocDataUninit } from '../../tensor/workspace.js';
import { Var, asVar, record } from '../engine.js';

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

/**
 * The row-wise outer product (face-splitting product) of a [n, p] and b [n, m]:
 * out[i][j m + k] = a[i][j] b[i][k], shape [n, p m]. A DLGN-VT builds its path activities this
 * way, one gating layer at a time. The sums of the rule run in index order from 0, so the result
 * has the bits of `mul(reshape(a, [n, p, 1]), reshape(b, [n, 1, m]))` and its broadcast
 * gradient.
 *
 * @example
 * ```ts
 * rowOuter(Tensor.from([[1, 2]]), Tensor.from([[3, 4, 5]])).value.toArray(); // [[3, 4, 5, 6, 8, 10]]
 * ```
 */
export function rowOuter(a: Var | Tensor, b: Var | Tensor): Var {
  const x = asVar(a);
  const y = asVar(b);
  if (x.value.ndim !== 2 || y.value.ndim !== 2 || x.shape[0] !== y.shape[0]) {
    throw new Error(`rowOuter: expected a [n, p] and b [n, m] with the same n, got a=${shapeStr(x.shape)}, b=${shapeStr(y.shape)}`);
  }
  const [n, p] = x.shape;
  const m = y.shape[1];
  const ac = x.value.contiguous(), bc = y.value.contiguous();
  const out = allocDataUninit(n * p * m);
  rowOuterKernel(out, ac.data, ac.offset, bc.data, bc.offset, n, p, m);
  const needA = x.requiresGrad, needB = y.requiresGrad;
  // d/da[i][j] = sum_k g[i][j m + k] b[i][k], d/db[i][k] = sum_j g[i][j m + k] a[i][j]
  return record('rowOuter', [x, y], new Tensor(out, [n, p * m]), (g) => {
    const gc = g.contiguous();
    const da = needA ? allocDataUninit(n * p) : null;
    const db = needB ? allocDataUninit(n * m) : null;
    rowOuterGradKernel(da, db, gc.data, gc.offset, ac.data, ac.offset, bc.data, bc.offset, n, p, m);
    return [da === null ? null : new Tensor(da, [n, p]), db === null ? null : new Tensor(db, [n, m])];
  });
}

/**
 * The row-wise contraction of t [n, p m] with b [n, m], the transpose of `rowOuter`:
 * out[i][j] = sum_k t[i][j m + k] b[i][k], shape [n, p]. A DLGN-VT contracts its value tensor
 * with its gates this way, one gating layer at a time, without building the [n, P] matrix of
 * path activities. Sums run in index order from 0.
 *
 * @example
 * ```ts
 * rowContract(Tensor.from([[1, 2, 3, 4]]), Tensor.from([[10, 1]])).value.toArray(); // [[12, 34]]
 * ```
 */
export function rowContract(t: Var | Tensor, b: Var | Tensor): Var {
  const x = asVar(t);
  const y = asVar(b);
  if (x.value.ndim !== 2 || y.value.ndim !== 2 || x.shape[0] !== y.shape[0] || y.shape[1] === 0 || x.shape[1] % y.shape[1] !== 0) {
    throw new Error(`rowContract: expected t [n, p m] and b [n, m] with the same n and m > 0 dividing t's columns, got t=${shapeStr(x.shape)}, b=${shapeStr(y.shape)}`);
  }
  const n = x.shape[0];
  const m = y.shape[1];
  const p = x.shape[1] / m;
  const tc = x.value.contiguous(), bc = y.value.contiguous();
  const out = allocDataUninit(n * p);
  // the forward is rowOuter's gradient for its first input (the unused `a` argument gets b)
  rowOuterGradKernel(out, null, tc.data, tc.offset, bc.data, bc.offset, bc.data, bc.offset, n, p, m);
  const needT = x.requiresGrad, needB = y.requiresGrad;
  // d/dt[i][j m + k] = g[i][j] b[i][k] (a row-wise outer product), d/db[i][k] = sum_j g[i][j] t[i][j m + k]
  return record('rowContract', [x, y], new Tensor(out, [n, p]), (g) => {
    const gc = g.contiguous();
    let dt: Tensor | null = null;
    if (needT) {
      const d = allocDataUninit(n * p * m);
      rowOuterKernel(d, gc.data, gc.offset, bc.data, bc.offset, n, p, m);
      dt = new Tensor(d, [n, p * m]);
    }
    let db: Tensor | null = null;
    if (needB) {
      const d = allocDataUninit(n * m);
      rowOuterGradKernel(null, d, tc.data, tc.offset, gc.data, gc.offset, bc.data, bc.offset, n, p, m);
      db = new Tensor(d, [n, m]);
    }
    return [dt, db];
  });
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

/** True when every row of the matrix x is the same row (a stride-0 broadcast, like DLGN's v_0 = 1). */
function rowsRepeat(x: Tensor): boolean {
  return x.shape[0] > 1 && x.stride[0] === 0;
}

/**
 * Which inputs of a layer want a gradient, read once when the node is recorded: the rules test
 * these booleans, never their inputs' properties, and the weight-gradient routine is picked then
 * too, so a rule is not deoptimised (docs/engine.md, "Why the loops look like this").
 */
function needs(xv: Var, w: Var, b: Var | null): { needX: boolean; needW: boolean; needB: boolean } {
  return { needX: xv.requiresGrad, needW: w.requiresGrad, needB: b !== null && b.requiresGrad };
}

/**
 * The gradients of z = x W^T + b from dz: [dx, dW] or [dx, dW, db], null where not wanted.
 * One named function for every layer's rule, so it is optimised once, on all their feedback.
 */
function affineGrads(
  dz: Tensor | null, wt: Tensor, xt: Tensor, wgrad: (dz: Tensor, x: Tensor) => Tensor,
  needX: boolean, needW: boolean, hasBias: boolean, needB: boolean,
): (Tensor | null)[] {
  const dx = dz !== null && needX ? mm(dz, wt) : null;
  const dw = dz !== null && needW ? wgrad(dz, xt) : null;
  return hasBias ? [dx, dw, dz !== null && needB ? T.sum(dz, 0) : null] : [dx, dw];
}

/**
 * x W^T (+ b) as a fresh row-major [n, out] tensor: the product from the packed kernel, then the
 * bias added in place, row by row (z[i][j] = (x W^T)[i][j] + b[j], the value `T.add` would give).
 *
 * When x is one row repeated (stride 0 along its rows: `Tensor.ones([1, d]).expand([n, d])`,
 * the all-ones input of a DLGN value network), every row of z is the same: one row is computed
 * and copied, O(out * in) instead of O(n * out * in). (That row is a vector-matrix product, so
 * for in > 256 its last bits can differ from the blocked kernel's, which sums in k-blocks.)
 */
function affine(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  if (rowsRepeat(x)) {
    const n = x.shape[0];
    const row = mm(x.slice([0, 1]), w.transpose());
    const m = row.shape[1];
    if (b !== null) {
      const bc = b.contiguous();
      addRowKernel(row.data, bc.data, bc.offset, 1, m);
    }
    const zd = allocDataUninit(n * m);
    repeatRowKernel(zd, row.data, n, m);
    return new Tensor(zd, [n, m]);
  }
  const z = mm(x, w.transpose());
  if (b !== null) {
    const bc = b.contiguous();
    addRowKernel(z.data, bc.data, bc.offset, z.shape[0], z.shape[1]);
  }
  return z;
}

/**
 * dL/dW = dz^T x for z = x W^T: the packed kernel on dz^T x (`weightGradDense`), or, when x is
 * one row repeated, dz^T x = (sum_i dz_i) x_0^T, an outer product of the column sums of dz (in
 * row order, as the kernel adds them for n <= 256) and that row (`weightGradRepeated`). Rules
 * pick one of the two when the node is recorded (see `needs`).
 */
/** dz^T x by the packed kernel. */
function weightGradDense(dz: Tensor, x: Tensor): Tensor {
  return mm(dz.transpose(), x);
}

/** dz^T x for x one row repeated: (sum_i dz_i) x_0^T. */
function weightGradRepeated(dz: Tensor, x: Tensor): Tensor {
  const s = T.sum(dz, 0);
  const m = s.shape[0];
  const d = x.shape[1];
  const xr = x.slice([0, 1]).contiguous();
  const out = allocDataUninit(m * d);
  outerKernel(out, s.data, xr.data, xr.offset, m, d);
  return new Tensor(out, [m, d]);
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
  const { needX, needW, needB } = needs(xv, w, b);
  const xt = xv.value;
  const wt = w.value;
  const wgrad = rowsRepeat(xt) ? weightGradRepeated : weightGradDense;
  // y = x W^T + b:  dy/dx = G W,  dy/dW = G^T x,  dy/db = sum over rows of G
  return record('linear', inputs, out, (g) => affineGrads(g, wt, xt, wgrad, needX, needW, b !== null, needB));
}

/**
 * One step of the effective half-spaces of a linear gating network, as one node holding the
 * weights and the bias side by side, A = [W_eff | b_eff] ([m, d + 1]):
 *
 *     prev = null:   A = [W | b]
 *     otherwise:     A = W prev + [0 | b]        (W [m, m'], prev [m', d + 1])
 *
 * so the bias column is W b_eff_prev + b, and A's columns are computed by one product whose sums
 * are those of `mm(W, W_eff_prev)` and `mm(W, b_eff_prev)`: the numbers `halfspaces()` gives.
 * `augmentedLinear(x, A)` then evaluates the half-spaces. Two nodes per layer instead of the
 * five a chain of matmul, reshape and linear records.
 *
 * @example
 * ```ts
 * const a1 = composeAffine(W1, b1, null), a2 = composeAffine(W2, b2, a1);
 * const z2 = augmentedLinear(x, a2); // = linear(linear(x, W1, b1), W2, b2), one product from x
 * ```
 */
export function composeAffine(weight: Var | Tensor, bias: Var | Tensor | null, prev: Var | Tensor | null): Var {
  const w = asVar(weight);
  if (w.value.ndim !== 2) throw new Error(`composeAffine: weight must be [out, in], got ${shapeStr(w.shape)}`);
  const m = w.shape[0];
  const b = bias === null ? null : asVar(bias);
  if (b !== null && (b.value.ndim !== 1 || b.shape[0] !== m)) {
    throw new Error(`composeAffine: bias must have shape [${m}], got ${shapeStr(b.shape)}`);
  }
  const pv = prev === null ? null : asVar(prev);
  if (pv !== null && (pv.value.ndim !== 2 || pv.shape[0] !== w.shape[1] || pv.shape[1] < 1)) {
    throw new Error(`composeAffine: prev must be [${w.shape[1]}, d + 1] for weight ${shapeStr(w.shape)}, got ${shapeStr(pv.shape)}`);
  }
  const d = pv === null ? w.shape[1] : pv.shape[1] - 1;
  const cols = d + 1;
  let out: Tensor;
  if (pv === null) {
    const a = allocDataUninit(m * cols);
    const wc = w.value.contiguous();
    const bc = b === null ? null : b.value.contiguous();
    augmentKernel(a, wc.data, wc.offset, bc === null ? null : bc.data, bc === null ? 0 : bc.offset, m, d);
    out = new Tensor(a, [m, cols]);
  } else {
    out = mm(w.value, pv.value);
    if (b !== null) {
      const bc = b.value.contiguous();
      addColumnKernel(out.data, bc.data, bc.offset, m, cols);
    }
  }
  const wt = w.value;
  const pt = pv === null ? null : pv.value;
  const needW = w.requiresGrad;
  const needB = b !== null && b.requiresGrad;
  const needP = pv !== null && pv.requiresGrad;
  const inputs = [w, ...(b === null ? [] : [b]), ...(pv === null ? [] : [pv])];
  return record('composeAffine', inputs, out, (g) => {
    const gc = g.contiguous();
    // dA -> dW (G prev^T, or the first d columns of G), db (the last column), dprev (W^T G)
    let dw: Tensor | null = null;
    if (needW) dw = pt === null ? gc.slice(null, [0, d]).contiguous() : mm(gc, pt.transpose());
    const db = needB ? gc.slice(null, [d, cols]).reshape([m]).contiguous() : null;
    const dp = needP && pt !== null ? mm(wt.transpose(), gc) : null;
    return [dw, ...(b === null ? [] : [db]), ...(pv === null ? [] : [dp])];
  });
}

/**
 * The half-spaces of `composeAffine` evaluated on x: z = x A[:, :d]^T + A[:, d] ([n, m]), the
 * product and then the bias row, the additions `linear(x, W_eff, b_eff)` makes.
 */
export function augmentedLinear(x: Var | Tensor, aug: Var | Tensor): Var {
  const xv = asVar(x);
  const a = asVar(aug);
  if (xv.value.ndim !== 2 || a.value.ndim !== 2 || a.shape[1] !== xv.shape[1] + 1) {
    throw new Error(`augmentedLinear: expected x [n, d] and aug [m, d + 1], got x=${shapeStr(xv.shape)}, aug=${shapeStr(a.shape)}`);
  }
  const d = xv.shape[1];
  const n = xv.shape[0];
  const m = a.shape[0];
  const at = a.value;
  const weight = at.slice(null, [0, d]);
  const z = mm(xv.value, weight.transpose());
  const bc = at.slice(null, [d, d + 1]).reshape([m]).contiguous();
  addRowKernel(z.data, bc.data, bc.offset, n, m);
  const xt = xv.value;
  const needX = xv.requiresGrad;
  const needA = a.requiresGrad;
  return record('augmentedLinear', [xv, a], z, (g) => {
    const dx = needX ? mm(g, weight) : null;
    let da: Tensor | null = null;
    if (needA) {
      // [dz^T x | column sums of dz]
      const dw = mm(g.transpose(), xt);
      const db = T.sum(g, 0);
      const dd = allocDataUninit(m * (d + 1));
      augmentKernel(dd, dw.data, dw.offset, db.data, db.offset, m, d);
      da = new Tensor(dd, [m, d + 1]);
    }
    return [dx, da];
  });
}

/**
 * How a gated layer's gradient splits at h = G (*) z: from dh (contiguous) and the values of z
 * and of the gate G (contiguous from `go`), writes dz = dh (*) G and the gradient of the gate's
 * own input into `dGate`; either output may be null (not wanted).
 */
type GateRule = (
  dh: Tensor, zd: Float64Array, gd: Float64Array, go: number, dGate: Float64Array | null, dz: Float64Array | null, size: number,
) => void;

/**
 * The core the two gated layers share, h = G (*) (x W^T + b) recorded as `op`: checks x, W, b
 * and the shape of the gate's input (named `gateWhat` in the error), makes the gate G from that
 * input by `makeGate` (after the checks), computes the product, then z += b and h = G (*) z in
 * one pass; its rule hands dh to `gateRule` and the dz it gives to `affineGrads`. Returns h and G.
 */
function gatedAffine(
  op: 'gatedLinear' | 'softGatedLinear', gateIn: Var, gateWhat: string,
  x: Var | Tensor, weight: Var | Tensor, bias: Var | Tensor | null | undefined,
  makeGate: (input: Tensor) => Tensor, gateRule: GateRule,
): { out: Var; gate: Tensor } {
  const xv = asVar(x);
  const w = asVar(weight);
  const b = checkLayer(op, xv, w, bias);
  const n = xv.shape[0];
  const m = w.shape[0];
  if (gateIn.value.ndim !== 2 || gateIn.shape[0] !== n || gateIn.shape[1] !== m) {
    throw new Error(`${op}: ${gateWhat} must have shape ${shapeStr([n, m])}, got ${shapeStr(gateIn.shape)}`);
  }
  const G = makeGate(gateIn.value);
  const gd = G.data;
  const go = G.offset;
  // forward, one pass after the product: z[i][j] += b[j]; h[i][j] = G[i][j] z[i][j]
  const z = affine(xv.value, w.value, null);
  const zd = z.data;
  const h = allocDataUninit(n * m);
  if (b === null) gateKernel(h, gd, go, zd, n * m);
  else {
    const bc = b.value.contiguous();
    gateBiasKernel(h, gd, go, zd, bc.data, bc.offset, n, m);
  }
  const inputs = b === null ? [gateIn, xv, w] : [gateIn, xv, w, b];
  const { needX, needW, needB } = needs(xv, w, b);
  const needGate = gateIn.requiresGrad;
  const needZ = needX || needW || needB;
  const xt = xv.value;
  const wt = w.value;
  const wgrad = rowsRepeat(xt) ? weightGradRepeated : weightGradDense;
  // h = G (*) z: the gate's rule gives dz and the gate input's gradient; then z = x W^T + b as in `linear`
  const hasBias = b !== null;
  const out = record(op, inputs, new Tensor(h, [n, m]), (g) => {
    const size = n * m;
    const dGate = needGate ? allocDataUninit(size) : null;
    const dz = needZ ? allocDataUninit(size) : null;
    gateRule(g.contiguous(), zd, gd, go, dGate, dz, size);
    const dzT = dz === null ? null : new Tensor(dz, [n, m]);
    const grads = affineGrads(dzT, wt, xt, wgrad, needX, needW, hasBias, needB);
    grads.unshift(dGate === null ? null : new Tensor(dGate, [n, m]));
    return grads;
  });
  return { out, gate: G };
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
  // the gate is given (read in place when contiguous); dh/dG = z, dh/dz = G
  return gatedAffine('gatedLinear', asVar(gate), 'gate', x, weight, bias, contiguousGate, productGrads).out;
}

/** A given gate as the gated core reads it. */
function contiguousGate(g: Tensor): Tensor {
  return g.contiguous();
}

/** dG = g (*) z and dz = g (*) G in one pass (either may be null), g contiguous; the order of `mul`'s rule. */
function productGrads(g: Tensor, zd: Float64Array, gd: Float64Array, go: number, dG: Float64Array | null, dz: Float64Array | null, size: number): void {
  const dd = g.data;
  const doff = g.offset;
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
}

/**
 * The soft-gated layer of the DGN and DLGN value networks, gate included, as one node:
 *
 *     G = sigma(beta zg),   h = G (*) (x W^T + b)        zg [n, out] (the gating pre-activation)
 *
 * Returns h and the gates G (a constant: `Pass.gates` reports values, and every gradient reaches
 * zg through h). It computes exactly what `gatedLinear(scaledSigmoid(zg, beta), x, W, b)`
 * computes, value and gradients to the bit, with one node fewer and the gradient of the gate
 * folded into the same pass as the value gradient:
 *
 *     dz = dh (*) G,    dzg = (dh (*) z) (*) (G (1 - G) beta)
 *
 * @example
 * ```ts
 * const { out, gate } = softGatedLinear(linear(x, Wg, bg), 10, ones, Wv, bv); // one DLGN layer
 * ```
 */
export function softGatedLinear(
  zg: Var | Tensor, beta: number, x: Var | Tensor, weight: Var | Tensor, bias?: Var | Tensor | null,
): { out: Var; gate: Var } {
  // G = sigma(beta zg), a fresh buffer (offset 0, as softGateGrads reads it); dh/dzg = z beta G (1 - G)
  const { out, gate } = gatedAffine(
    'softGatedLinear', asVar(zg), 'gate pre-activation', x, weight, bias,
    (t) => {
      if (!Number.isFinite(beta)) throw new Error(`softGatedLinear: beta must be finite, got ${beta}`);
      return T.scaledSigmoid(t, beta);
    },
    (dh, zd, gd, _go, dzg, dz, size) => softGateGrads(dh.data, dh.offset, zd, gd, beta, dzg, dz, size),
  );
  return { out, gate: new Var(gate, false) };
}

/*
 * Loop kernels, each a function that ends with its loop, so nothing after the loop can
 * deoptimise (docs/engine.md, "Why the loops look like this").
 */

/** Every one of n rows of zd = the m values of row. */
function repeatRowKernel(zd: Float64Array, row: Float64Array, n: number, m: number): void {
  for (let i = 0; i < n; i++) {
    const r = i * m;
    for (let j = 0; j < m; j++) zd[r + j] = row[j];
  }
}

/** out[j][k] = s[j] x[xo + k], an m x d outer product. */
function outerKernel(out: Float64Array, sd: Float64Array, xd: Float64Array, xo: number, m: number, d: number): void {
  for (let j = 0; j < m; j++) {
    const sj = sd[j];
    for (let k = 0; k < d; k++) out[j * d + k] = sj * xd[xo + k];
  }
}

/** a = [W | b] row by row (b null: a zero column), W m x d row-major at wo. */
function augmentKernel(a: Float64Array, wd: Float64Array, wo: number, bd: Float64Array | null, bo: number, m: number, d: number): void {
  for (let i = 0; i < m; i++) {
    const r = i * (d + 1);
    for (let k = 0; k < d; k++) a[r + k] = wd[wo + i * d + k];
    a[r + d] = bd === null ? 0 : bd[bo + i];
  }
}

/** The last column of an m x cols row-major matrix += b. */
function addColumnKernel(a: Float64Array, bd: Float64Array, bo: number, m: number, cols: number): void {
  for (let i = 0; i < m; i++) a[i * cols + cols - 1] += bd[bo + i];
}
