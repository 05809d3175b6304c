// Argument checks shared by fit, evaluate, predict and the Trainer: errors name the operation, the field and the value.

import { assertFinite } from '../../tensor/ops.js';
import { shapeStr } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Network } from '../families.js';
import type { Dataset, LossKind } from './types.js';

export const LOSSES: readonly LossKind[] = ['mse', 'ce', 'logistic', 'hinge'];

export function checkLossKind(op: string, loss: unknown): LossKind {
  if (!LOSSES.includes(loss as LossKind)) {
    throw new Error(`${op}: loss must be one of ${LOSSES.join(', ')}, got ${JSON.stringify(loss)}`);
  }
  return loss as LossKind;
}

export function positiveInt(op: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${op}: ${field} must be a positive integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function nonNegative(op: string, field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new Error(`${op}: ${field} must be a finite number >= 0, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Checks a dataset against the model and the loss, all at once and before any work, so bad
 * labels in a late batch cannot fail an hour into training. Returns the sample count.
 */
export function checkDataset(op: string, where: string, model: Network, data: Dataset, loss: LossKind): number {
  if (typeof data !== 'object' || data === null || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new Error(`${op}: ${where} must be { x: Tensor, y: Tensor }`);
  }
  const { x, y } = data;
  const { inputDim: d, outputDim: k } = model.config;
  if (x.ndim !== 2 || x.shape[1] !== d) {
    throw new Error(`${op}: ${where}.x must be [n, ${d}] (the model's inputDim is ${d}), got ${shapeStr(x.shape)}`);
  }
  const n = x.shape[0];
  if (n === 0) throw new Error(`${op}: ${where} has no samples`);
  if (y.ndim === 0 || y.shape[0] !== n) {
    throw new Error(`${op}: ${where}.x has ${n} samples but ${where}.y has shape ${shapeStr(y.shape)}`);
  }
  assertFinite(op, x, `${where}.x`);
  if (loss === 'mse') {
    if (y.ndim !== 2 || y.shape[1] !== k) {
      throw new Error(`${op}: for mse ${where}.y must be [${n}, ${k}] (the model's outputDim is ${k}), got ${shapeStr(y.shape)}`);
    }
    assertFinite(op, y, `${where}.y`);
    return n;
  }
  if (y.ndim !== 1) throw new Error(`${op}: for ${loss} ${where}.y must be [${n}] labels, got ${shapeStr(y.shape)}`);
  const v = y.values();
  if (loss === 'ce') {
    for (let i = 0; i < n; i++) {
      if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= k) {
        throw new Error(`${op}: ${where}.y[${i}] = ${v[i]} is not a class index in [0, ${k})`);
      }
    }
    return n;
  }
  if (k !== 1) throw new Error(`${op}: ${loss} needs a model with one output, this one has outputDim ${k}`);
  let has0 = false;
  let hasNeg = false;
  for (let i = 0; i < n; i++) {
    if (v[i] === 0) has0 = true;
    else if (v[i] === -1) hasNeg = true;
    else if (v[i] !== 1) throw new Error(`${op}: ${where}.y[${i}] = ${v[i]} is not a label in {0, 1} or {-1, +1}`);
  }
  if (has0 && hasNeg) throw new Error(`${op}: ${where}.y mixes labels 0 and -1; use {0, 1} or {-1, +1}`);
  return n;
}
