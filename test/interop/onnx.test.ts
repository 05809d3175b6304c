// ONNX export: every family runs in onnxruntime and computes what the engine computes (1e-9).

import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { modelToOnnx } from '../../src/io/onnx.js';
import { configJson } from '../../src/io/safetensors.js';
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

// ---- the file's structure, read back with a protobuf reader written here (onnx.proto field numbers) ----

interface PbField {
  n: number;
  v: bigint | Uint8Array;
}
function pb(b: Uint8Array): PbField[] {
  const out: PbField[] = [];
  let i = 0;
  const varint = (): bigint => {
    let r = 0n;
    for (let s = 0n; ; s += 7n) {
      const x = b[i++];
      r |= BigInt(x & 0x7f) << s;
      if (x < 0x80) return r;
    }
  };
  while (i < b.length) {
    const key = Number(varint());
    if ((key & 7) === 0) out.push({ n: key >> 3, v: varint() });
    else if ((key & 7) === 2) {
      const len = Number(varint());
      out.push({ n: key >> 3, v: b.subarray(i, i + len) });
      i += len;
    } else throw new Error(`wire type ${key & 7} at ${i}`);
  }
  return out;
}
const dec = new TextDecoder();
const of = (fs: PbField[], n: number): PbField['v'][] => fs.filter((f) => f.n === n).map((f) => f.v);
const s = (v: PbField['v']): string => dec.decode(v as Uint8Array);
const int = (v: PbField['v']): number => Number(v as bigint);

function valueInfoOf(b: Uint8Array): { name: string; elem: number; dims: (number | string)[] } {
  const f = pb(b);
  const tensor = pb(of(pb(of(f, 2)[0] as Uint8Array), 1)[0] as Uint8Array);
  const dims = of(pb(of(tensor, 2)[0] as Uint8Array), 1).map((d) => {
    const df = pb(d as Uint8Array);
    return df[0].n === 1 ? int(df[0].v) : s(df[0].v);
  });
  return { name: s(of(f, 1)[0]), elem: int(of(tensor, 1)[0]), dims };
}

function readOnnx(bytes: Uint8Array) {
  const top = pb(bytes);
  const graph = pb(of(top, 7)[0] as Uint8Array);
  return {
    irVersion: of(top, 1).map(int),
    producer: of(top, 2).map(s),
    producerVersion: of(top, 3).map(s),
    opsets: of(top, 8).map((o) => ({ domain: of(pb(o as Uint8Array), 1).map(s), version: of(pb(o as Uint8Array), 2).map(int) })),
    metadata: of(top, 14).map((m) => [s(of(pb(m as Uint8Array), 1)[0]), s(of(pb(m as Uint8Array), 2)[0])]),
    name: of(graph, 2).map(s),
    doc: of(graph, 10).map(s),
    nodes: of(graph, 1).map((n) => {
      const f = pb(n as Uint8Array);
      const attrs = of(f, 5).map((a) => {
        const af = pb(a as Uint8Array);
        return `${s(of(af, 1)[0])}=${int(of(af, 3)[0])}:${int(of(af, 20)[0])}`;
      });
      return `${s(of(f, 3)[0])} ${s(of(f, 4)[0])}(${of(f, 1).map(s).join(', ')}) -> ${of(f, 2).map(s).join(', ')}${attrs.length ? ` [${attrs.join(' ')}]` : ''}`;
    }),
    initializers: of(graph, 5).map((t) => {
      const f = pb(t as Uint8Array);
      return `${s(of(f, 8)[0])} [${of(f, 1).map(int).join(', ')}] type ${int(of(f, 2)[0])}, ${(of(f, 9)[0] as Uint8Array).length} bytes`;
    }),
    inputs: of(graph, 11).map((v) => valueInfoOf(v as Uint8Array)),
    outputs: of(graph, 12).map((v) => valueInfoOf(v as Uint8Array)),
  };
}

describe('ONNX export: the file, field by field', () => {
  it('model fields: IR version, producer, opset of the default domain, the config in metadata_props', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 1 });
    const f = readOnnx(modelToOnnx(model, { producerVersion: '0.1.0' }));
    expect(f.irVersion).toEqual([7]);
    expect(f.producer).toEqual(['halfspace']);
    expect(f.producerVersion).toEqual(['0.1.0']);
    expect(f.opsets).toEqual([{ domain: [''], version: [13] }]);
    expect(f.metadata).toEqual([['config', configJson(model.config)]]);
    expect(JSON.parse(f.metadata[0][1])).toEqual(model.config);
    expect(f.name).toEqual(['halfspace-dlgn']);
    expect(f.doc).toEqual(['dlgn 2-[3]-1 exported by halfspace']);
    expect(readOnnx(modelToOnnx(model)).producerVersion).toEqual([]);
  });

  it('the IR version is the one released with the opset', () => {
    const model = createModel({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 1 });
    const ir = (opset: number): number[] => readOnnx(modelToOnnx(model, { opset })).irVersion;
    expect([13, 14, 18, 19, 20, 21, 23].map(ir)).toEqual([[7], [8], [8], [9], [9], [10], [10]]);
    expect(readOnnx(modelToOnnx(model, { opset: 19 })).opsets).toEqual([{ domain: [''], version: [19] }]);
  });

  it('input and outputs: names, element type, a symbolic batch and fixed widths', () => {
    const model = createModel({ kind: 'dgn', inputDim: 3, widths: [4, 2], outputDim: 5 });
    const f = readOnnx(modelToOnnx(model, { gates: true }));
    expect(f.inputs).toEqual([{ name: 'x', elem: 11, dims: ['batch', 3] }]);
    expect(f.outputs).toEqual([
      { name: 'output', elem: 11, dims: ['batch', 5] },
      { name: 'gates.0', elem: 11, dims: ['batch', 4] },
      { name: 'gates.1', elem: 11, dims: ['batch', 2] },
    ]);
    const f32 = readOnnx(modelToOnnx(model, { dtype: 'float32' }));
    expect(f32.inputs).toEqual([{ name: 'x', elem: 1, dims: ['batch', 3] }]);
    expect(f32.outputs).toEqual([{ name: 'output', elem: 1, dims: ['batch', 5] }]);
  });

  it('a soft DLGN: the nodes in order, fresh names for intermediates, the gates as outputs only when asked', () => {
    const model = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 2], outputDim: 1, beta: 4 });
    const gemm = 'transB=1:2';
    const f = readOnnx(modelToOnnx(model));
    expect(f.nodes).toEqual([
      `Gemm_0 Gemm(x, gate.0.weight, gate.0.bias) -> gemm_0 [${gemm}]`,
      'Mul_1 Mul(gemm_0, beta) -> mul_1',
      'Sigmoid_2 Sigmoid(mul_1) -> sigmoid_2',
      `Gemm_3 Gemm(gemm_0, gate.1.weight, gate.1.bias) -> gemm_3 [${gemm}]`,
      'Mul_4 Mul(gemm_3, beta) -> mul_4',
      'Sigmoid_5 Sigmoid(mul_4) -> sigmoid_5',
      `Gemm_6 Gemm(ones, value.0.weight, value.0.bias) -> gemm_6 [${gemm}]`,
      'Mul_7 Mul(sigmoid_2, gemm_6) -> mul_7',
      `Gemm_8 Gemm(mul_7, value.1.weight, value.1.bias) -> gemm_8 [${gemm}]`,
      'Mul_9 Mul(sigmoid_5, gemm_8) -> mul_9',
      `Gemm_10 Gemm(mul_9, out.weight, out.bias) -> output [${gemm}]`,
    ]);
    expect(f.initializers).toEqual([
      'beta [] type 11, 8 bytes',
      'gate.0.weight [3, 2] type 11, 48 bytes',
      'gate.0.bias [3] type 11, 24 bytes',
      'gate.1.weight [2, 3] type 11, 48 bytes',
      'gate.1.bias [2] type 11, 16 bytes',
      'ones [1, 2] type 11, 16 bytes',
      'value.0.weight [3, 2] type 11, 48 bytes',
      'value.0.bias [3] type 11, 24 bytes',
      'value.1.weight [2, 3] type 11, 48 bytes',
      'value.1.bias [2] type 11, 16 bytes',
      'out.weight [1, 2] type 11, 16 bytes',
      'out.bias [1] type 11, 8 bytes',
    ]);
    const withGates = readOnnx(modelToOnnx(model, { gates: true, dtype: 'float32' }));
    expect(withGates.nodes.filter((n) => n.includes('Sigmoid'))).toEqual(['Sigmoid_2 Sigmoid(mul_1) -> gates.0', 'Sigmoid_5 Sigmoid(mul_3) -> gates.1']);
    expect(withGates.initializers[0]).toBe('beta [] type 1, 4 bytes');
  });

  it('hard gates: Greater and Cast, with one shared zero and no beta; a dnn builds no gate nodes unless asked', () => {
    const hard = readOnnx(modelToOnnx(createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1, gate: 'hard', bias: false })));
    expect(hard.nodes).toEqual([
      'Gemm_0 Gemm(x, gate.0.weight) -> gemm_0 [transB=1:2]',
      'Greater_1 Greater(gemm_0, zero) -> greater_1',
      'Cast_2 Cast(greater_1) -> cast_2 [to=11:2]',
      'Gemm_3 Gemm(ones, value.0.weight) -> gemm_3 [transB=1:2]',
      'Mul_4 Mul(cast_2, gemm_3) -> mul_4',
      'Gemm_5 Gemm(mul_4, out.weight) -> output [transB=1:2]',
    ]);
    expect(hard.initializers.map((i) => i.split(' ')[0])).toEqual(['gate.0.weight', 'zero', 'ones', 'value.0.weight', 'out.weight']);
    const dnn = createModel({ kind: 'dnn', inputDim: 2, widths: [2, 2], outputDim: 1 });
    expect(readOnnx(modelToOnnx(dnn)).nodes.map((n) => n.split(' ')[1].split('(')[0])).toEqual(['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm']);
    expect(readOnnx(modelToOnnx(dnn, { gates: true, dtype: 'float32' })).nodes.filter((n) => n.includes('Cast'))).toEqual([
      'Cast_3 Cast(greater_2) -> gates.0 [to=1:2]',
      'Cast_7 Cast(greater_5) -> gates.1 [to=1:2]' // a named output takes no fresh number,
    ]);
  });

  it('refuses what is not a model, naming the rule', () => {
    expect(() => modelToOnnx({ config: {} } as unknown as Model)).toThrow(/^modelToOnnx: expected a model \(one of the five families\)$/);
    const dln = createModel({ kind: 'dln', inputDim: 2, widths: [3], outputDim: 1 });
    expect(() => modelToOnnx(dln, { opset: 13.5 })).toThrow(/^modelToOnnx: opset must be an integer >= 13, got 13.5$/);
    expect(() => modelToOnnx(dln, { dtype: 'float16' as 'float32' })).toThrow(/^modelToOnnx: dtype must be float64 or float32, got "float16"$/);
  });
});
