// ONNX export: every family as an ONNX graph, with the protobuf encoding written out by hand.

import { type ResolvedConfig, archLabel, isGated } from '../models/config.js';
import { type Model, Network } from '../models/families.js';
import type { Tensor } from '../tensor/tensor.js';
import { configJson } from './safetensors.js';

/*
 * Protocol buffers, the little of them an ONNX file needs: a message is a sequence of fields,
 * each a key varint (field number << 3 | wire type) followed by a varint (type 0) or a varint
 * length and that many bytes (type 2: strings, bytes, nested messages; float data goes into
 * raw_data bytes). The field numbers below are those of onnx.proto (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto).
 * Repeated scalars are written unpacked, which every proto2 and proto3 reader accepts.
 */

const enc = new TextEncoder();

function varint(value: number | bigint): number[] {
  // negative int64s are ten bytes of two's complement
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const intField = (field: number, v: number | bigint): Uint8Array => Uint8Array.from([...varint(field << 3), ...varint(v)]);
const bytesField = (field: number, bytes: Uint8Array): Uint8Array => concat([Uint8Array.from([...varint((field << 3) | 2), ...varint(bytes.length)]), bytes]);
const stringField = (field: number, s: string): Uint8Array => bytesField(field, enc.encode(s));
const messageField = (field: number, ...parts: Uint8Array[]): Uint8Array => bytesField(field, concat(parts));

/** TensorProto.DataType values used here. */
const ELEM = { float: 1, bool: 9, int64: 7, double: 11 } as const;
/** AttributeProto.AttributeType INT: the only attribute type the graphs need (Gemm's transB, Cast's to). */
const ATTR_INT = 2;

export type OnnxDtype = 'float64' | 'float32';

export interface OnnxExportOptions {
  /** Element type of the graph: float64 (default, the engine's numbers) or float32. */
  dtype?: OnnxDtype;
  /** Also output every hidden layer's gate values as `gates.{l}` [batch, m_l] (not for dln, whose gates are all 1). */
  gates?: boolean;
  /** Operator set version, at least 13 (default 13). */
  opset?: number;
  /** `producer_version` of the file. */
  producerVersion?: string;
}

type Attr = { name: string; int: number };

/** Nodes and initializers of one graph, with fresh names for intermediate values. */
class GraphBuilder {
  readonly nodes: Uint8Array[] = [];
  readonly initializers: Uint8Array[] = [];
  private counter = 0;
  private readonly names = new Set<string>();

  constructor(readonly elem: number) {}

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`modelToOnnx: initializer '${name}' defined twice`);
    this.names.add(name);
  }

  /** A float initializer in the graph's element type. */
  constant(name: string, shape: readonly number[], values: ArrayLike<number>): string {
    this.claim(name);
    const f64 = this.elem === ELEM.double;
    const raw = new Uint8Array(values.length * (f64 ? 8 : 4));
    const dv = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) {
      if (f64) dv.setFloat64(8 * i, values[i], true);
      else dv.setFloat32(4 * i, values[i], true);
    }
    this.initializers.push(concat([...shape.map((d) => intField(1, d)), intField(2, this.elem), stringField(8, name), bytesField(9, raw)]));
    return name;
  }

  /** An int64 initializer (shapes for Reshape). */
  int64s(name: string, values: readonly number[]): string {
    this.claim(name);
    const raw = new Uint8Array(values.length * 8);
    const dv = new DataView(raw.buffer);
    values.forEach((v, i) => dv.setBigInt64(8 * i, BigInt(v), true));
    this.initializers.push(concat([intField(1, values.length), intField(2, ELEM.int64), stringField(8, name), bytesField(9, raw)]));
    return name;
  }

  param(name: string, t: Tensor): string {
    return this.constant(name, t.shape, t.values());
  }

  node(op: string, inputs: string[], attrs: Attr[] = [], output?: string): string {
    const out = output ?? `${op.toLowerCase()}_${this.counter++}`;
    const attributes = attrs.map((a) => messageField(5, stringField(1, a.name), intField(3, a.int), intField(20, ATTR_INT)));
    this.nodes.push(concat([...inputs.map((i) => stringField(1, i)), stringField(2, out), stringField(3, `${op}_${this.nodes.length}`), stringField(4, op), ...attributes]));
    return out;
  }
}

function valueInfo(name: string, elem: number, dims: (number | string)[]): Uint8Array {
  const shape = dims.map((d) => messageField(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)));
  return concat([stringField(1, name), messageField(2, messageField(1, intField(1, elem), messageField(2, ...shape)))]);
}

/** The computation of one family, node by node (SPEC's equations; the layered gating network). */
function buildGraph(g: GraphBuilder, model: Model, gateOutputs: boolean): { output: string; gates: string[] } {
  const c: ResolvedConfig = model.config;
  const p = (name: string): string => g.param(name, model.parameter(name).value);
  const has = (name: string): boolean => model.namedParameters().some(([n]) => n === name);
  const linear = (h: string, prefix: string, output?: string): string =>
    g.node('Gemm', has(`${prefix}.bias`) ? [h, p(`${prefix}.weight`), p(`${prefix}.bias`)] : [h, p(`${prefix}.weight`)], [{ name: 'transB', int: 1 }], output);
  let zeroName = '';
  const zero = (): string => (zeroName ||= g.constant('zero', [], [0]));
  const step = (z: string, out?: string): string => g.node('Cast', [g.node('Greater', [z, zero()])], [{ name: 'to', int: g.elem }], out);
  const L = c.widths.length;
  const gates: string[] = [];
  const gateName = (l: number): string | undefined => (gateOutputs ? `gates.${l}` : undefined);

  if (!isGated(c.kind)) {
    let h = 'x';
    for (let l = 0; l < L; l++) {
      const z = linear(h, `layers.${l}`);
      if (c.kind === 'dnn') {
        h = g.node('Relu', [z]);
        if (gateOutputs) gates.push(step(z, gateName(l)));
      } else h = z;
    }
    return { output: linear(h, 'out', 'output'), gates };
  }

  const beta = c.gate === 'soft' ? g.constant('beta', [], [c.beta]) : '';
  const gateOf = (z: string, l: number): string => (c.gate === 'soft' ? g.node('Sigmoid', [g.node('Mul', [z, beta])], [], gateName(l)) : step(z, gateName(l)));
  let a = 'x';
  for (let l = 0; l < L; l++) {
    const z = linear(c.features === 'sf' ? 'x' : a, `gate.${l}`);
    gates.push(gateOf(z, l));
    a = c.kind === 'dgn' ? g.node('Relu', [z]) : z;
  }

  if (c.kind === 'dlgn-vt') {
    // Phi [n, m_1 ... m_l] as an outer product per layer, then out = Phi V^T with V as [k, P]
    let phi = gates[0];
    let width = c.widths[0];
    for (let l = 1; l < L; l++) {
      const m = c.widths[l];
      const left = g.node('Reshape', [phi, g.int64s(`shape.phi.${l}`, [0, width, 1])]);
      const right = g.node('Reshape', [gates[l], g.int64s(`shape.gate.${l}`, [0, 1, m])]);
      width *= m;
      phi = g.node('Reshape', [g.node('Mul', [left, right]), g.int64s(`shape.paths.${l}`, [0, width])]);
    }
    const v = g.node('Reshape', [p('value'), g.int64s('shape.value', [c.outputDim, width])]);
    return { output: g.node('Gemm', [phi, v], [{ name: 'transB', int: 1 }], 'output'), gates };
  }

  // v_0 = ones: the first value layer is one row [1, m_1], broadcast by the gate product
  let v = c.valueInput === 'ones' ? linear(g.constant('ones', [1, c.inputDim], new Float64Array(c.inputDim).fill(1)), 'value.0') : linear('x', 'value.0');
  v = g.node('Mul', [gates[0], v]);
  for (let l = 1; l < L; l++) v = g.node('Mul', [gates[l], linear(v, `value.${l}`)]);
  return { output: linear(v, 'out', 'output'), gates };
}

/** The IR version released with an opset (ONNX 1.8: opset 13, IR 7; 1.9-1.13: 14-18, IR 8; ...). */
function irVersion(opset: number): number {
  return opset <= 13 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

/**
 * A model as an ONNX file (the bytes of a ModelProto): input `x` [batch, d], output `output`
 * [batch, k] (and `gates.{l}` with `gates: true`); parameters are initializers under their
 * canonical names; the model config is in `metadata_props` as `config`. Opset 13 by default
 * (operators Gemm, with the bias inside, Mul, Sigmoid, Relu, Greater, Cast, Reshape), float64 by
 * default. Runs in onnxruntime (the tests check every family against the engine to 1e-9).
 *
 * @example
 * ```ts
 * import { createModel } from 'halfspace';
 * import { modelToOnnx } from 'halfspace/io';
 * const onnx = modelToOnnx(createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 1 }));
 * ```
 */
export function modelToOnnx(model: Model, options: OnnxExportOptions = {}): Uint8Array {
  if (!(model instanceof Network)) throw new Error('modelToOnnx: expected a model (one of the five families)');
  const dtype = options.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw new Error(`modelToOnnx: dtype must be float64 or float32, got ${JSON.stringify(dtype)}`);
  const opset = options.opset ?? 13;
  if (!Number.isInteger(opset) || opset < 13) throw new Error(`modelToOnnx: opset must be an integer >= 13, got ${opset}`);
  const c = model.config;
  if (options.gates && c.kind === 'dln') throw new Error('modelToOnnx: a dln has no gates to output (every gate is 1)');
  const elem = dtype === 'float64' ? ELEM.double : ELEM.float;
  const g = new GraphBuilder(elem);
  const { output, gates } = buildGraph(g, model, options.gates ?? false);
  const outputs = [valueInfo(output, elem, ['batch', c.outputDim]), ...(options.gates ? gates.map((name, l) => valueInfo(name, elem, ['batch', c.widths[l]])) : [])];
  const graph = concat([
    ...g.nodes.map((n) => bytesField(1, n)),
    stringField(2, `halfspace-${c.kind}`),
    ...g.initializers.map((t) => bytesField(5, t)),
    stringField(10, `${c.kind} ${archLabel(c)} exported by halfspace`),
    bytesField(11, valueInfo('x', elem, ['batch', c.inputDim])),
    ...outputs.map((o) => bytesField(12, o)),
  ]);
  return concat([
    intField(1, irVersion(opset)),
    stringField(2, 'halfspace'),
    ...(options.producerVersion ? [stringField(3, options.producerVersion)] : []),
    messageField(7, graph),
    messageField(8, stringField(1, ''), intField(2, opset)),
    messageField(14, stringField(1, 'config'), stringField(2, configJson(c))),
  ]);
}
