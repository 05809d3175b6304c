// safetensors: exact round trips, the files written by python/halfspace_torch.py, and hostile files refused.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSafetensors, modelToSafetensors, parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import type { ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/families.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'safetensors');

interface RawTensor {
  shape: number[];
  data: number[];
}
interface ExpectedCase {
  file: string;
  dtype: string;
  config: ModelConfig;
  x: RawTensor;
  output: RawTensor;
  gates: RawTensor[];
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as { cases: ExpectedCase[] };

const tensorOf = (t: RawTensor): Tensor => Tensor.fromArray(Float64Array.from(t.data), t.shape);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A file from a header object and a data buffer, with the length field optionally overridden. */
function fileOf(header: unknown, data: Uint8Array = new Uint8Array(0), headerText?: string, lengthField?: bigint): Uint8Array {
  const h = new TextEncoder().encode(headerText ?? JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const f64 = (n: number): Uint8Array => new Uint8Array(new Float64Array(n).fill(1.5).buffer);

describe('safetensors bytes', () => {
  it('round-trips F64 bit for bit, -0 and subnormals included, in the order given', () => {
    const a = Tensor.fromArray(Float64Array.from([1, -0, 5e-324, -1.7976931348623157e308, Math.PI, 1 / 3]), [2, 3]);
    const b = Tensor.fromArray(new Rng(3).normalArray(7), [7]);
    const bytes = serializeSafetensors([['z.first', a], ['a.second', b]], { metadata: { note: 'hello' } });
    expect((bytes.length - 8 - (6 + 7) * 8) % 8).toBe(0); // header padded to 8 bytes
    const back = parseSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'hello' });
    expect(back.tensors.map((t) => t.name)).toEqual(['z.first', 'a.second']);
    expect(back.tensors[0].shape).toEqual([2, 3]);
    const va = back.tensors[0].tensor.values();
    a.values().forEach((v, i) => expect(Object.is(va[i], v)).toBe(true));
    expect(Array.from(back.tensors[1].tensor.values())).toEqual(Array.from(b.values()));
    expect(serializeSafetensors([['z.first', a], ['a.second', b]], { metadata: { note: 'hello' } })).toEqual(bytes);
  });

  it('writes F32 on request, rounded to nearest', () => {
    const t = Tensor.fromArray(Float64Array.from([0.1, 1e-3, 3]), [3]);
    const back = parseSafetensors(serializeSafetensors({ t }, { dtype: 'F32' }));
    expect(back.tensors[0].dtype).toBe('F32');
    expect(Array.from(back.tensors[0].tensor.values())).toEqual(Array.from(Float32Array.from([0.1, 1e-3, 3])));
  });

  it('reads F16 and BF16 (normals, subnormals, zero, infinities)', () => {
    const f16 = [0x3c00, 0xc000, 0x0001, 0x8000, 0x7c00, 0x3555]; // 1, -2, 2^-24, -0, inf, ~1/3
    const bf16 = [0x3f80, 0xc040, 0x0000, 0xff80]; // 1, -3, 0, -inf
    const data = new Uint8Array(2 * (f16.length + bf16.length));
    const dv = new DataView(data.buffer);
    [...f16, ...bf16].forEach((v, i) => dv.setUint16(2 * i, v, true));
    const bytes = fileOf({
      a: { dtype: 'F16', shape: [6], data_offsets: [0, 12] },
      b: { dtype: 'BF16', shape: [2, 2], data_offsets: [12, 20] },
    }, data);
    const back = parseSafetensors(bytes);
    const a = Array.from(back.tensors[0].tensor.values());
    expect(a.slice(0, 5)).toEqual([1, -2, 2 ** -24, -0, Infinity]);
    expect(Object.is(a[3], -0)).toBe(true);
    expect(a[5]).toBeCloseTo(1 / 3, 3);
    expect(Array.from(back.tensors[1].tensor.values())).toEqual([1, -3, 0, -Infinity]);
  });

  it('accepts a scalar and an empty tensor, and offsets listed out of header order', () => {
    const bytes = fileOf({ s: { dtype: 'F64', shape: [], data_offsets: [8, 16] }, e: { dtype: 'F64', shape: [0, 3], data_offsets: [0, 0] }, f: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } }, f64(2));
    const back = parseSafetensors(bytes);
    expect(back.tensors.map((t) => [t.name, t.shape, t.tensor.size])).toEqual([['s', [], 1], ['e', [0, 3], 0], ['f', [1], 1]]);
  });
});

describe('hostile safetensors files are refused with one-line errors', () => {
  const ok = { w: { dtype: 'F64', shape: [2, 2], data_offsets: [0, 32] } };
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /file is 0 bytes, shorter than the 8-byte header length/],
    ['truncated length field', new Uint8Array(5), /file is 5 bytes/],
    ['truncated data', fileOf(ok, f64(3)), /'w' ends at data offset 32, past the end of the data \(24 bytes/],
    ['header length past the end', fileOf(ok, f64(4), undefined, 1000n), /header length 1000 bytes runs past the end of the file \(\d+ bytes, so at most \d+\)/],
    ['header length 2^60', fileOf(ok, f64(4), undefined, 2n ** 60n), /header length >= 2\^53 bytes is over the cap of 100000000 bytes/],
    ['header length just over the cap', fileOf(ok, f64(4), undefined, 100_000_001n), /header length 100000001 bytes is over the cap/],
    ['header not JSON', fileOf(null, f64(4), '{"w": nope}'), /header is not valid JSON at position 6/],
    ['header not an object', fileOf(null, new Uint8Array(0), '[1, 2]'), /header does not start with '\{'/],
    ['header not UTF-8', fileOf(null, new Uint8Array(0), '{}').map((b, i) => (i === 9 ? 0xff : b)), /not valid UTF-8/],
    [
      'overlapping offsets',
      fileOf({ a: { dtype: 'F64', shape: [2], data_offsets: [0, 16] }, b: { dtype: 'F64', shape: [2], data_offsets: [8, 24] } }, f64(3)),
      /tensor 'b' data_offsets \[8, 24\] overlap 'a', which ends at 16/,
    ],
    [
      'gapped offsets',
      fileOf({ a: { dtype: 'F64', shape: [1], data_offsets: [0, 8] }, b: { dtype: 'F64', shape: [1], data_offsets: [16, 24] } }, f64(3)),
      /tensor 'b' data_offsets \[16, 24\] leave a gap: bytes 8\.\.16 belong to no tensor/,
    ],
    ['first tensor not at 0', fileOf({ a: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } }, f64(2)), /tensor 'a' data_offsets \[8, 16\] leave a gap: bytes 0\.\.8/],
    ['trailing bytes', fileOf(ok, f64(5)), /the tensors cover 32 of the 40 data bytes; 8 trailing bytes belong to no tensor/],
    [
      'shape/size mismatch',
      fileOf({ w: { dtype: 'F64', shape: [2, 3], data_offsets: [0, 32] } }, f64(4)),
      /tensor 'w': shape \[2, 3\] of F64 needs 48 bytes, but data_offsets \[0, 32\] span 32/,
    ],
    ['dtype size mismatch', fileOf({ w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 32] } }, f64(4)), /tensor 'w': shape \[2, 2\] of F32 needs 16 bytes/],
    ['unknown dtype', fileOf({ w: { dtype: 'F128', shape: [2], data_offsets: [0, 32] } }, f64(4)), /tensor 'w': dtype 'F128' is an unknown dtype; halfspace reads F64, F32, F16, BF16/],
    ['integer dtype', fileOf({ w: { dtype: 'I64', shape: [4], data_offsets: [0, 32] } }, f64(4)), /tensor 'w': dtype 'I64' is a non-float or 8-bit dtype/],
    [
      '1e9-element shape',
      fileOf({ w: { dtype: 'F64', shape: [1000, 1000, 1000], data_offsets: [0, 32] } }, f64(4)),
      /tensor 'w': shape \[1000, 1000, 1000\] of F64 needs 8000000000 bytes, but data_offsets \[0, 32\] span 32/,
    ],
    [
      '1e9-element shape with matching offsets',
      fileOf({ w: { dtype: 'F64', shape: [1000, 1000, 1000], data_offsets: [0, 8e9] } }, f64(4)),
      /tensor 'w' ends at data offset 8000000000, past the end of the data \(32 bytes/,
    ],
    ['uncountable shape', fileOf({ w: { dtype: 'F64', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 32] } }, f64(4)), /more elements than can be counted exactly/],
    ['negative dimension', fileOf({ w: { dtype: 'F64', shape: [-4], data_offsets: [0, 32] } }, f64(4)), /tensor 'w': shape must be a list of non-negative integers, got \[-4\]/],
    ['offsets reversed', fileOf({ w: { dtype: 'F64', shape: [0], data_offsets: [32, 0] } }, f64(4)), /tensor 'w': data_offsets \[32, 0\] end before they begin/],
    [
      'duplicate names',
      fileOf(null, f64(2), '{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"w":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}}'),
      /duplicate name 'w' in the header/,
    ],
    ['unknown tensor field', fileOf({ w: { dtype: 'F64', shape: [4], data_offsets: [0, 32], extra: 1 } }, f64(4)), /tensor 'w': unknown field 'extra'/],
    ['metadata not strings', fileOf({ __metadata__: { config: { kind: 'dlgn' } } }), /__metadata__ 'config' must be a string/],
  ];

  it.each(cases)('%s', (_name, bytes, message) => {
    let error: Error | undefined;
    try {
      parseSafetensors(bytes, { source: 'evil.safetensors' });
    } catch (e) {
      error = e as Error;
    }
    expect(error, 'must be refused').toBeInstanceOf(Error);
    expect(error!.message).toMatch(/^safetensors evil\.safetensors: /);
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain('\n');
  });

  it('checks sizes before allocating: a 1e9-element claim costs no memory', () => {
    const before = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 20; i++) {
      expect(() => parseSafetensors(fileOf({ w: { dtype: 'F64', shape: [1e9], data_offsets: [0, 8e9] } }, f64(1)))).toThrow(/past the end/);
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50e6);
  });
});

describe('the files written by python/halfspace_torch.py', () => {
  it('cover every family and every dtype', () => {
    expect(new Set(expected.cases.map((c) => c.config.kind))).toEqual(new Set(['dln', 'dnn', 'dgn', 'dlgn', 'dlgn-vt']));
    expect(new Set(expected.cases.map((c) => c.dtype))).toEqual(new Set(['F64', 'F32', 'F16', 'BF16']));
  });

  it.each(expected.cases.map((c) => [c.file, c] as const))('%s imports and computes what PyTorch computed (1e-12)', (file, c) => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, file)));
    const { model, config, dtypes, missing, unexpected } = importSafetensors(bytes, { source: file });
    expect(missing).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(config).toEqual(c.config);
    expect(new Set(Object.values(dtypes))).toEqual(new Set([c.dtype]));
    const x = tensorOf(c.x);
    expect(maxAbsDiff(model.forward(x).value.values(), c.output.data)).toBeLessThan(1e-12);
    model.gates(x).forEach((g, l) => expect(maxAbsDiff(g.values(), c.gates[l].data)).toBeLessThan(1e-12));
    // and back out: our F64 file holds exactly the float64 weights we hold
    const again = importSafetensors(modelToSafetensors(model));
    expect(Array.from(again.model.forward(x).value.values())).toEqual(Array.from(model.forward(x).value.values()));
  });
});

describe('importSafetensors: config, renames, strictness', () => {
  const config: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1, beta: 5 };
  const net = createModel(config, { rng: 9 });
  const state = net.namedParameters().map(([n, p]) => [n, p.value] as [string, Tensor]);
  const x = Tensor.fromArray(new Rng(1).normalArray(8), [4, 2]);
  const out = Array.from(net.forward(x).value.values());

  it('writes the resolved config into __metadata__ and reads it back', () => {
    const bytes = modelToSafetensors(net);
    const { metadata } = parseSafetensors(bytes);
    expect(JSON.parse(metadata.config)).toEqual(net.config);
    expect(metadata.format).toBe('pt');
    expect(Array.from(importSafetensors(bytes).model.forward(x).value.values())).toEqual(out);
  });

  it('needs a config when the metadata has none, and says how to give one', () => {
    const bare = serializeSafetensors(state);
    expect(() => importSafetensors(bare, { source: 'w.safetensors' })).toThrow(/^import w\.safetensors: no model config: .*--config config\.json/);
    expect(Array.from(importSafetensors(bare, { config }).model.forward(x).value.values())).toEqual(out);
    expect(() => importSafetensors(bare, { config: { ...config, kind: 'dlgm' as 'dlgn' } })).toThrow(/kind must be one of/);
  });

  it('strict by default: lists missing and unexpected names', () => {
    const partial = serializeSafetensors(
      state.filter(([n]) => n !== 'out.bias').concat([['extra.weight', Tensor.zeros([1])]]),
      { metadata: { config: JSON.stringify(config) } },
    );
    expect(() => importSafetensors(partial)).toThrow(/missing 'out\.bias'; unexpected 'extra\.weight' \(use a rename map, or non-strict/);
    const loose = importSafetensors(partial, { strict: false });
    expect(loose.missing).toEqual(['out.bias']);
    expect(loose.unexpected).toEqual(['extra.weight']);
    expect(Array.from(loose.model.parameter('out.weight').value.values())).toEqual(Array.from(net.parameter('out.weight').value.values()));
  });

  it('shape mismatches are errors even when not strict', () => {
    const bad = serializeSafetensors(state.map(([n, t]) => [n, n === 'gate.1.weight' ? Tensor.zeros([3, 2]) : t] as [string, Tensor]), { metadata: { config: JSON.stringify(config) } });
    expect(() => importSafetensors(bad, { strict: false })).toThrow(/tensor 'gate\.1\.weight' has shape \[3, 2\], but parameter 'gate\.1\.weight' is \[3, 3\]/);
  });

  it('refuses a model over the value tensor cap before building it', () => {
    const huge = serializeSafetensors([], { metadata: { config: JSON.stringify({ kind: 'dlgn-vt', inputDim: 2, widths: [64, 64, 64, 64, 64], outputDim: 10 }) } });
    expect(() => importSafetensors(huge, { source: 'vt.safetensors' })).toThrow(/^import vt\.safetensors: a dlgn-vt 2-\[64,64,64,64,64\]-10 has 10737419200 parameters \(81920 MiB\), over the cap of 67108864; raise maxParameters/);
  });

  it('refuses non-finite weights, naming the tensor and index', () => {
    const t = Tensor.zeros([3]);
    t.data[2] = NaN;
    const bad = serializeSafetensors(state.map(([n, v]) => [n, n === 'value.0.bias' ? t : v] as [string, Tensor]), { metadata: { config: JSON.stringify(config) } });
    expect(() => importSafetensors(bad)).toThrow(/tensor 'value\.0\.bias' holds NaN at flat index 2/);
  });

  it('renames exact names and prefixes (a DDP state dict)', () => {
    const ddp = serializeSafetensors(state.map(([n, t]) => [`module.${n.replace('out.', 'head.')}`, t] as [string, Tensor]), { metadata: { config: JSON.stringify(config) } });
    expect(() => importSafetensors(ddp)).toThrow(/missing 'gate\.0\.weight'/);
    const r = importSafetensors(ddp, { rename: { 'module.': '', 'module.head.weight': 'out.weight', 'module.head.bias': 'out.bias' } });
    expect(Array.from(r.model.forward(x).value.values())).toEqual(out);
    expect(() => importSafetensors(ddp, { rename: { 'module.': '', 'module.head.weight': 'out.weight', 'module.head.bias': 'out.weight' } })).toThrow(
      /tensors 'module\.head\.weight' and 'module\.head\.bias' both become 'out\.weight'/,
    );
  });
});
