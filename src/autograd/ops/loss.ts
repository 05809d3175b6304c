// Differentiable losses: mean squared error, softmax cross-entropy, logistic and hinge.

import * as T from '../../tensor/ops.js';
import { sameShape, shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { allocDataUninit } from '../../tensor/workspace.js';
import { type Var, asVar, record } from '../engine.js';

/** Labels as a flat list of numbers; accepts a Tensor [n], a typed array or a plain array. */
export type Labels = Tensor | ArrayLike<number>;

function labelValues(op: string, labels: Labels, n: number): ArrayLike<number> {
  const v = labels instanceof Tensor ? labels.values() : labels;
  if (v.length !== n) throw new Error(`${op}: ${v.length} labels for ${n} samples`);
  return v;
}

/**
 * Mean over all elements of (out - target)^2 (PyTorch's `MSELoss`, reduction 'mean').
 * The target must have the output's shape and be finite.
 */
export function mse(out: Var, target: Tensor): Var {
  if (!sameShape(out.shape, target.shape)) {
    throw new Error(`mse: output shape ${shapeStr(out.shape)} differs from target shape ${shapeStr(target.shape)}`);
  }
  T.assertFinite('mse', target, 'target');
  const diff = T.sub(out.value, target);
  const n = diff.size;
  let s = 0;
  for (let k = 0; k < n; k++) s += diff.data[k] * diff.data[k];
  // d/d out of mean (out - y)^2 = 2 (out - y) / n
  return record('mse', [out], Tensor.scalar(n === 0 ? NaN : s / n), (g) => [T.mul(diff, (2 * g.item()) / n).reshape(out.shape)]);
}

/**
 * Mean softmax cross-entropy of logits [n, k] against integer labels in [0, k), computed with
 * log-sum-exp so large logits do not overflow.
 */
export function crossEntropy(logits: Var, labels: Labels): Var {
  if (logits.value.ndim !== 2) throw new Error(`crossEntropy: logits must be [n, k], got ${shapeStr(logits.shape)}`);
  const [n, k] = logits.shape;
  const y = labelValues('crossEntropy', labels, n);
  for (let i = 0; i < n; i++) {
    if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= k) {
      throw new Error(`crossEntropy: label ${y[i]} at sample ${i} is out of range [0, ${k})`);
    }
  }
  const z = logits.value.contiguous().values();
  const p = allocDataUninit(n * k); // softmax probabilities, kept for the gradient
  let total = 0;
  for (let i = 0; i < n; i++) {
    let m = -Infinity;
    for (let j = 0; j < k; j++) m = Math.max(m, z[i * k + j]);
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(z[i * k + j] - m);
      p[i * k + j] = e;
      s += e;
    }
    for (let j = 0; j < k; j++) p[i * k + j] /= s;
    // -log softmax_y = logsumexp(z) - z_y = (m - z_y) + log s; subtracting first keeps
    // full precision when z_y is the (large) maximum
    total += m - z[i * k + y[i]] + Math.log(s);
  }
  // d/dz of the mean loss = (softmax(z) - onehot(y)) / n
  return record('crossEntropy', [logits], Tensor.scalar(n === 0 ? NaN : total / n), (g) => {
    const gz = allocDataUninit(n * k);
    softmaxGradKernel(gz, p, y, n, k, g.item() / n);
    return [new Tensor(gz, [n, k])];
  });
}

/**
 * gz = (softmax - onehot(y)) scale, a loop in a function of its own, so the rule's loop is
 * optimised rather than left in the interpreter (docs/engine.md, "Why the loops look like this").
 */
function softmaxGradKernel(gz: Float64Array, p: Float64Array, y: ArrayLike<number>, n: number, k: number, scale: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) gz[i * k + j] = (p[i * k + j] - (j === y[i] ? 1 : 0)) * scale;
  }
}

/** Converts {0, 1} or {-1, +1} labels to signs; any other value is an error. */
function signs(op: string, labels: Labels, n: number): Float64Array {
  const y = labelValues(op, labels, n);
  const has0 = Array.prototype.some.call(y, (v: number) => v === 0);
  const hasNeg = Array.prototype.some.call(y, (v: number) => v === -1);
  if (has0 && hasNeg) throw new Error(`${op}: labels mix 0 and -1; use {0, 1} or {-1, +1}`);
  const s = allocDataUninit(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (v === 1) s[i] = 1;
    else if (v === 0 || v === -1) s[i] = -1;
    else throw new Error(`${op}: label ${v} at sample ${i} is not in {0, 1} or {-1, +1}`);
  }
  return s;
}

/** One score per sample: out [n] or [n, 1]. */
function scores(op: string, out: Var): Float64Array {
  const ok = out.value.ndim === 1 || (out.value.ndim === 2 && out.shape[1] === 1);
  if (!ok) throw new Error(`${op}: expected one score per sample, [n] or [n, 1], got ${shapeStr(out.shape)}`);
  return out.value.contiguous().values();
}

/**
 * Logistic loss mean(log(1 + e^(-s f))) with s = +-1; labels in {0, 1} or {-1, +1}.
 * It equals softmax cross-entropy over the two logits [0, f] (or [-f, f] on 2f, docs/experiments/protocols.md).
 */
export function logistic(out: Var, labels: Labels): Var {
  const f = scores('logistic', out);
  const n = f.length;
  const s = signs('logistic', labels, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += T.softplusScalar(-s[i] * f[i]);
  // d/df softplus(-s f) = -s sigma(-s f)
  return record('logistic', [out], Tensor.scalar(n === 0 ? NaN : total / n), (g) => {
    const scale = g.item() / n;
    const gf = allocDataUninit(n);
    for (let i = 0; i < n; i++) gf[i] = -s[i] * T.sigmoidScalar(-s[i] * f[i]) * scale;
    return [new Tensor(gf, out.shape)];
  });
}

/** Hinge loss mean(max(0, 1 - s f)); the kink at s f = 1 gets gradient 0. */
export function hinge(out: Var, labels: Labels): Var {
  const f = scores('hinge', out);
  const n = f.length;
  const s = signs('hinge', labels, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, 1 - s[i] * f[i]);
  // d/df max(0, 1 - s f) = -s 1[s f < 1]
  return record('hinge', [out], Tensor.scalar(n === 0 ? NaN : total / n), (g) => {
    const scale = g.item() / n;
    const gf = allocDataUninit(n);
    for (let i = 0; i < n; i++) gf[i] = s[i] * f[i] < 1 ? -s[i] * scale : 0;
    return [new Tensor(gf, out.shape)];
  });
}
