// Reads the PyTorch parity fixtures for tests, with a relative-error helper independent of src/io/parity.ts.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '../../src/models/config.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** A tensor as the fixtures store it. */
export interface RawTensor {
  shape: number[];
  data: number[];
}

/** The fields of a fixture case the tests read (docs/fixtures.md). */
export interface RawCase {
  name: string;
  seed: number;
  model: ModelConfig;
  params: Record<string, RawTensor>;
  x: RawTensor;
  y: RawTensor;
  loss: { kind: 'mse' | 'ce'; value: number };
  output: RawTensor;
  gates: RawTensor[];
  grads: Record<string, RawTensor>;
  halfspaces?: { weight: RawTensor; bias: RawTensor }[];
  paths?: unknown;
  npk?: unknown;
  ntk?: unknown;
  train: Record<
    'sgd' | 'adam',
    { config: { lr: number; momentum?: number; betas?: [number, number]; eps?: number }; steps: number; losses: number[]; params: Record<string, RawTensor> }
  >;
}

export interface RawFixtureFile {
  generator: string;
  cases: RawCase[];
}

/** Absolute path of the repository's copy of torch-parity.json. */
export const FIXTURE_PATH = fileURLToPath(new URL('../fixtures/torch-parity.json', import.meta.url));

/** A fresh parse of the fixture file (callers may mutate it). */
export function loadFixtureFile(): RawFixtureFile {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as RawFixtureFile;
}

/** A fixture tensor as an engine tensor (checks the value count against the shape). */
export function tensorOf(t: RawTensor): Tensor {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (size !== t.data.length) throw new Error(`fixture tensor: ${t.data.length} values for shape [${t.shape.join(', ')}]`);
  return new Tensor(Float64Array.from(t.data), t.shape);
}

/** Every parameter of a case as a state dict. */
export function stateOf(c: RawCase): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(c.params).map(([n, t]) => [n, tensorOf(t)]));
}

/**
 * the relative error of docs/fixtures.md: max |ours - ref| / max(1, max |ref|). Shapes must agree exactly;
 * any NaN gives Infinity. Written here independently of src/io/parity.ts.
 */
export function relErr(ours: Tensor | ArrayLike<number>, ref: Tensor | ArrayLike<number>): number {
  if (ours instanceof Tensor && ref instanceof Tensor) {
    if (ours.shape.length !== ref.shape.length || ours.shape.some((d, i) => d !== ref.shape[i])) return Infinity;
  }
  const a = ours instanceof Tensor ? ours.values() : ours;
  const b = ref instanceof Tensor ? ref.values() : ref;
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return diff / scale;
}
