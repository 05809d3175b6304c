// Differentiable elementwise arithmetic; each rule sits under its forward, derivative in a comment.

import * as T from '../../tensor/ops.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Var, asVar, record } from '../engine.js';

type In = Var | Tensor | number;

/** a + b with broadcasting. */
export function add(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  // d(a+b)/da = 1, d(a+b)/db = 1 (broadcast axes are summed by the engine)
  return record('add', [x, y], T.add(x.value, y.value), (g) => [g, g]);
}

/** a - b with broadcasting. */
export function sub(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  // d(a-b)/da = 1, d(a-b)/db = -1
  return record('sub', [x, y], T.sub(x.value, y.value), (g) => [g, T.neg(g)]);
}

/** a * b elementwise, with broadcasting. */
export function mul(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  // d(ab)/da = b, d(ab)/db = a
  return record('mul', [x, y], T.mul(x.value, y.value), (g) => [
    x.requiresGrad ? T.mul(g, y.value) : null,
    y.requiresGrad ? T.mul(g, x.value) : null,
  ]);
}

/** a / b elementwise, with broadcasting (division by zero gives IEEE infinities). */
export function div(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  const out = T.div(x.value, y.value);
  // d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
  return record('div', [x, y], out, (g) => [
    x.requiresGrad ? T.div(g, y.value) : null,
    y.requiresGrad ? T.neg(T.div(T.mul(g, out), y.value)) : null,
  ]);
}

/** -a. */
export function neg(a: In): Var {
  const x = asVar(a);
  // d(-a)/da = -1
  return record('neg', [x], T.neg(x.value), (g) => [T.neg(g)]);
}

/** a^p for a constant exponent p (a^p with a < 0 and non-integer p is NaN, as Math.pow). */
export function pow(a: In, p: number): Var {
  if (!Number.isFinite(p)) throw new Error(`pow: exponent must be finite, got ${p}`);
  const x = asVar(a);
  // d(a^p)/da = p a^(p-1); for p = 0 it is 0 everywhere, also at a = 0 where 0 * 0^-1 would be NaN
  // (torch masks the same case)
  return record('pow', [x], T.powScalar(x.value, p), (g) => [
    p === 0 ? Tensor.zeros(x.shape) : T.mul(g, p === 2 ? T.mul(x.value, 2) : T.mul(T.powScalar(x.value, p - 1), p)),
  ]);
}

/** e^a. */
export function exp(a: In): Var {
  const x = asVar(a);
  const out = T.exp(x.value);
  // d(e^a)/da = e^a
  return record('exp', [x], out, (g) => [T.mul(g, out)]);
}

/** Natural log; log(0) = -Infinity and log of a negative number is NaN, as Math.log. */
export function log(a: In): Var {
  const x = asVar(a);
  // d(log a)/da = 1/a
  return record('log', [x], T.log(x.value), (g) => [T.div(g, x.value)]);
}

/** Square root; NaN below zero, as Math.sqrt. */
export function sqrt(a: In): Var {
  const x = asVar(a);
  const out = T.sqrt(x.value);
  // d(sqrt a)/da = 1 / (2 sqrt a)
  return record('sqrt', [x], out, (g) => [T.div(g, T.mul(out, 2))]);
}

/** |a|, with the subgradient sign(0) = 0 at the kink. */
export function abs(a: In): Var {
  const x = asVar(a);
  // d|a|/da = sign(a), 0 at a = 0
  return record('abs', [x], T.abs(x.value), (g) => [T.mul(g, T.map(x.value, Math.sign))]);
}

/**
 * The gradient of a pick between two operands: g where `pick` is 1 goes to the first, the rest to
 * the second, as a select (never g * 0, which is NaN for an infinite g).
 */
function selectGrad(g: Tensor, pick: Tensor): [Tensor, Tensor] {
  return [T.zipWith('select', g, pick, (v, m) => (m === 1 ? v : 0)), T.zipWith('select', g, pick, (v, m) => (m === 1 ? 0 : v))];
}

/**
 * max(a, b) elementwise; NaN in either operand gives NaN, and the gradient goes to the operand
 * that was picked: a on ties (`a >= b` picks a; torch splits ties half and half, see
 * docs/hardening.md), the NaN one where one is NaN.
 */
export function maximum(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  // d max(a,b)/da = 1[a >= b], d/db = 1[a < b]
  return record('maximum', [x, y], T.maximum(x.value, y.value), (g) => {
    const pick = T.zipWith('maximum', x.value, y.value, (p, q) => (p >= q || p !== p ? 1 : 0));
    return selectGrad(g, pick);
  });
}

/** min(a, b) elementwise; NaN in either operand gives NaN; the gradient as for {@link maximum}. */
export function minimum(a: In, b: In): Var {
  const x = asVar(a);
  const y = asVar(b);
  // d min(a,b)/da = 1[a <= b], d/db = 1[a > b]
  return record('minimum', [x, y], T.minimum(x.value, y.value), (g) => {
    const pick = T.zipWith('minimum', x.value, y.value, (p, q) => (p <= q || p !== p ? 1 : 0));
    return selectGrad(g, pick);
  });
}
