// ONNX export: every family runs in onnxruntime and computes what the engine computes (1e-9).

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelToOnnx } from '../../src/io/onnx.js';
import type { ModelConfig } from '../../src/models/config.js';
import { type Model, createModel } from '../../src/models/families.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const CONFIGS: [string, ModelConfig][] = [
  ['dln', { kind: 'dln', inputDim: 3, widths: [4, 3], outputDim: 2 }],
  ['dln no bias', { kind: 'dln', inputDim: 3, widths: [4], outputDim: 2, bias: false }],
  ['dnn', { kind: 'dnn', inputDim: 3, widths: [5, 4, 3], outputDim: 3 }],
  ['dgn', { kind: 'dgn', inputDim: 3, widths: [4, 3], outputDim: 2, beta: 4 }],
  ['dgn hard, ones', { kind: 'dgn', inputDim: 3, widths: [4, 3], outputDim: 2, gate: 'hard', valueInput: 'ones' }],
  ['dlgn cf soft', { kind: 'dlgn', inputDim: 2, widths: [4, 3, 3], outputDim: 1, beta: 4 }],
  ['dlgn cf wide (effective gating in the engine)', { kind: 'dlgn', inputDim: 2, widths: [16, 16, 16], outputDim: 2, beta: 10 }],
  ['dlgn cf hard', { kind: 'dlgn', inputDim: 2, widths: [3, 4], outputDim: 2, gate: 'hard' }],
  ['dlgn sf', { kind: 'dlgn', inputDim: 3, widths: [4, 4], outputDim: 2, features: 'sf', beta: 10 }],
  ['dlgn input, no bias', { kind: 'dlgn', inputDim: 3, widths: [3, 3, 3, 3], outputDim: 1, bias: false, valueInput: 'input', beta: 2 }],
  ['dlgn-vt', { kind: 'dlgn-vt', inputDim: 2, widths: [3, 4, 2], outputDim: 2, beta: 4 }],
  ['dlgn-vt one layer hard', { kind: 'dlgn-vt', inputDim: 2, widths: [5], outputDim: 3, gate: 'hard' }],
];

async function run(bytes: Uint8Array, x: Tensor, float32 = false): Promise<Record<string, Float64Array>> {
  const session = await ort.InferenceSession.create(bytes);
  const data = float32 ? Float32Array.from(x.values()) : Float64Array.from(x.values());
  const feeds = { x: new ort.Tensor(float32 ? 'float32' : 'float64', data, [...x.shape]) };
  const results = await session.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Float64Array.from(v.data as Float64Array)]));
}

function relErr(ours: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(ours.length).toBe(ref.length);
  let m = 0;
  let s = 1;
  for (let i = 0; i < ref.length; i++) {
    m = Math.max(m, Math.abs(ours[i] - ref[i]));
    s = Math.max(s, Math.abs(ref[i]));
  }
  return m / s;
}

describe('ONNX export runs in onnxruntime', () => {
  it.each(CONFIGS)('%s: same outputs and gates (float64, 1e-9)', async (_name, config) => {
    const model: Model = createModel(config, { rng: 5 });
    const x = Tensor.fromArray(new Rng(8).normalArray(7 * config.inputDim), [7, config.inputDim]);
    const out = await run(modelToOnnx(model, { gates: config.kind !== 'dln' }), x);
    expect(relErr(out.output, model.forward(x).value.values())).toBeLessThan(1e-9);
    if (config.kind !== 'dln') {
      model.gates(x).forEach((g, l) => expect(relErr(out[`gates.${l}`], g.values())).toBeLessThan(1e-9));
    }
    // a batch of one and a larger batch through the same file (the batch dimension is symbolic)
    const one = x.slice([2, 3]).contiguous();
    expect(relErr((await run(modelToOnnx(model), one)).output, model.forward(one).value.values())).toBeLessThan(1e-9);
  });

  it('float32 graphs agree to float32 rounding', async () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2, beta: 3 }, { rng: 2 });
    const x = Tensor.fromArray(new Rng(4).normalArray(20), [10, 2]);
    const out = await run(modelToOnnx(model, { dtype: 'float32' }), x, true);
    expect(relErr(out.output, model.forward(x).value.values())).toBeLessThan(1e-5);
  });

  it('carries the config in metadata and accepts later opsets', async () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 1 });
    const bytes = modelToOnnx(model, { opset: 17, producerVersion: '0.1.0' });
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['output']);
    expect(new TextDecoder().decode(bytes)).toContain(JSON.stringify(model.config));
    // the same model gives the same bytes
    expect(modelToOnnx(model, { opset: 17, producerVersion: '0.1.0' })).toEqual(bytes);
  });

  it('refuses what it cannot export', () => {
    const dln = createModel({ kind: 'dln', inputDim: 2, widths: [3], outputDim: 1 });
    expect(() => modelToOnnx(dln, { gates: true })).toThrow(/a dln has no gates/);
    expect(() => modelToOnnx(dln, { opset: 12 })).toThrow(/opset must be an integer >= 13, got 12/);
    expect(() => modelToOnnx(dln, { dtype: 'float16' as 'float32' })).toThrow(/dtype must be float64 or float32/);
  });
});
