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

// ---- every refusal by its exact message, and the accepted inputs next to each -------------------

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};
/** The message parseSafetensors gives for a header text (no data). */
const headerError = (text: string, data?: Uint8Array): string => errorOf(() => parseSafetensors(fileOf(null, data, text)));
const one = (entry: string): string => headerError(`{"w":${entry}}`);

describe('the header JSON reader', () => {
  it('refuses trailing characters, naming the position', () => {
    expect(headerError('{} x')).toBe('safetensors <bytes>: header JSON has trailing characters at position 3');
    expect(headerError('{}}')).toBe('safetensors <bytes>: header JSON has trailing characters at position 2');
    // whitespace of every JSON kind is fine around and inside
    expect(parseSafetensors(fileOf(null, undefined, '{ \t\n\r"__metadata__" \r\n:\t{ "a b" : "c d" } }\n \t\r')).metadata).toEqual({ 'a b': 'c d' });
  });

  it('reads an empty header and an empty file of tensors', () => {
    expect(parseSafetensors(fileOf(null, undefined, '{}'))).toEqual({ tensors: [], metadata: {} });
    expect(parseSafetensors(fileOf(null, undefined, '{ }'))).toEqual({ tensors: [], metadata: {} });
    expect(parseSafetensors(fileOf(null, undefined, '{"__metadata__":{}}'))).toEqual({ tensors: [], metadata: {} });
  });

  it('nests 64 levels and refuses 65, through arrays and objects alike, without a stack overflow', () => {
    // the header object is level 0; "w" holds k nested arrays, the innermost at level k
    expect(one(`${'['.repeat(64)}${']'.repeat(64)}`)).toBe("safetensors <bytes>: tensor 'w': expected an object {dtype, shape, data_offsets}");
    expect(one(`${'['.repeat(65)}${']'.repeat(65)}`)).toBe('safetensors <bytes>: header JSON nests deeper than 64 levels');
    expect(one(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBe('safetensors <bytes>: header JSON nests deeper than 64 levels');
    const objects = (k: number): string => `${'{"a":'.repeat(k)}1${'}'.repeat(k)}`;
    expect(one(objects(63))).toBe("safetensors <bytes>: tensor 'w': unknown field 'a' (expected dtype, shape, data_offsets)");
    expect(one(objects(64))).toBe('safetensors <bytes>: header JSON nests deeper than 64 levels');
    expect(one(objects(50_000))).toBe('safetensors <bytes>: header JSON nests deeper than 64 levels');
  });

  it('reads true, false, null and numbers by the JSON grammar (seen through the messages that quote them)', () => {
    expect(one('{"dtype":"F64","shape":[true,false,null],"data_offsets":[0,0]}')).toBe(
      "safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got [true,false,null]",
    );
    expect(one('{"dtype":"F64","shape":[1.25,0.5,1e2,2E+1,5e-1,1e12,-0,0,10],"data_offsets":[0,0]}')).toBe(
      "safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got [1.25,0.5,100,20,0.5,1000000000000,0,0,10]",
    );
    expect(one('{"dtype":true}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got true");
    expect(one('{"dtype":false}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got false");
    expect(one('{"dtype":null}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got null");
    expect(one('{"dtype":-12.5e-1}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got -1.25");
    expect(one('{"dtype":["F64"]}')).toBe('safetensors <bytes>: tensor \'w\': dtype must be a string, got ["F64"]');
    // words and numbers that JSON does not have
    expect(one('tru')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('fals')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('nul')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('True')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('x1')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('+1')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('.5')).toBe('safetensors <bytes>: header is not valid JSON at position 5');
    expect(one('01')).toBe("safetensors <bytes>: header is not valid JSON at position 6 (expected ',' or '}')");
    expect(one('1.')).toBe("safetensors <bytes>: header is not valid JSON at position 6 (expected ',' or '}')");
    expect(one('1e')).toBe("safetensors <bytes>: header is not valid JSON at position 6 (expected ',' or '}')");
    expect(one('truex')).toBe("safetensors <bytes>: header is not valid JSON at position 9 (expected ',' or '}')");
  });

  it('refuses a missing key, colon or comma, naming the position', () => {
    expect(headerError('{"a":1,}')).toBe('safetensors <bytes>: header is not valid JSON at position 7 (expected a key)');
    expect(headerError('{ 1: 2}')).toBe('safetensors <bytes>: header is not valid JSON at position 2 (expected a key)');
    expect(headerError('{"a" 1}')).toBe("safetensors <bytes>: header is not valid JSON at position 5 (expected ':')");
    expect(headerError('{"a":1 "b":2}')).toBe("safetensors <bytes>: header is not valid JSON at position 7 (expected ',' or '}')");
    expect(headerError('{"a":1')).toBe("safetensors <bytes>: header is not valid JSON at position 6 (expected ',' or '}')");
    expect(headerError('{"a":[1 2]}')).toBe("safetensors <bytes>: header is not valid JSON at position 8 (expected ',' or ']')");
    expect(headerError('{"a":[1,2}')).toBe("safetensors <bytes>: header is not valid JSON at position 9 (expected ',' or ']')");
  });

  it('refuses unterminated strings, raw control characters and bad escapes; reads good escapes', () => {
    expect(headerError('{"abc')).toBe('safetensors <bytes>: header JSON has an unterminated string at position 1');
    expect(headerError('{"ab\\"')).toBe('safetensors <bytes>: header JSON has an unterminated string at position 1');
    expect(headerError('{"a\tb":1}')).toBe('safetensors <bytes>: header JSON has a control character in a string at position 3');
    expect(headerError('{"a\u001fb":1}')).toBe('safetensors <bytes>: header JSON has a control character in a string at position 3');
    expect(headerError('{"a\\xb":1}')).toBe('safetensors <bytes>: header JSON has an invalid string escape at position 1');
    expect(headerError('{"a\\u12":1}')).toBe('safetensors <bytes>: header JSON has an invalid string escape at position 1');
    const meta = parseSafetensors(fileOf(null, undefined, '{"__metadata__":{"q\\"\\\\\\/\\n\\u00e9 ":"x y"}}')).metadata;
    expect(meta).toEqual({ 'q"\\/\né ': 'x y' });
  });
});

describe('parseSafetensors: every field refused by its rule', () => {
  const OTHER = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64'];
  it.each(OTHER)('dtype %s is named a valid dtype halfspace does not read', (dtype) => {
    expect(one(`{"dtype":"${dtype}","shape":[1],"data_offsets":[0,1]}`)).toBe(
      `safetensors <bytes>: tensor 'w': dtype '${dtype}' is a non-float or 8-bit dtype; halfspace reads F64, F32, F16, BF16`,
    );
  });

  it('dtypes are case-sensitive and unknown ones are named unknown', () => {
    for (const d of ['f64', 'F8', 'bool', '']) {
      expect(one(`{"dtype":"${d}","shape":[1],"data_offsets":[0,1]}`)).toBe(`safetensors <bytes>: tensor 'w': dtype '${d}' is an unknown dtype; halfspace reads F64, F32, F16, BF16`);
    }
  });

  it('a tensor entry that is not an object, a missing dtype, a shape that is not a list of integers', () => {
    for (const v of ['1', '"F64"', '[0, 8]', 'null', 'true']) expect(one(v)).toBe("safetensors <bytes>: tensor 'w': expected an object {dtype, shape, data_offsets}");
    expect(one('{}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got null");
    expect(one('{"shape":[1]}')).toBe("safetensors <bytes>: tensor 'w': dtype must be a string, got null");
    expect(one('{"dtype":"F64","data_offsets":[0,8]}')).toBe("safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got null");
    expect(one('{"dtype":"F64","shape":3,"data_offsets":[0,8]}')).toBe("safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got 3");
    expect(one('{"dtype":"F64","shape":["2"],"data_offsets":[0,16]}')).toBe('safetensors <bytes>: tensor \'w\': shape must be a list of non-negative integers, got ["2"]');
    expect(one('{"dtype":"F64","shape":[1.5],"data_offsets":[0,8]}')).toBe("safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got [1.5]");
    expect(one('{"dtype":"F64","shape":[1e300],"data_offsets":[0,8]}')).toBe("safetensors <bytes>: tensor 'w': shape must be a list of non-negative integers, got [1e+300]");
  });

  it('data_offsets must be exactly two non-negative integers', () => {
    const msg = (got: string): string => `safetensors <bytes>: tensor 'w': data_offsets must be two non-negative integers [begin, end], got ${got}`;
    const entry = (offsets: string): string => one(`{"dtype":"F64","shape":[1]${offsets === '' ? '' : `,"data_offsets":${offsets}`}}`);
    expect(entry('')).toBe(msg('null'));
    expect(entry('"0,8"')).toBe(msg('"0,8"'));
    expect(entry('{"0":0,"1":8}')).toBe(msg('{}'));
    expect(entry('[8]')).toBe(msg('[8]'));
    expect(entry('[]')).toBe(msg('[]'));
    expect(entry('[0,8,16]')).toBe(msg('[0,8,16]'));
    expect(entry('[0,-8]')).toBe(msg('[0,-8]'));
    expect(entry('[-8,0]')).toBe(msg('[-8,0]'));
    expect(entry('[0,8.5]')).toBe(msg('[0,8.5]'));
    expect(entry('[0.5,8]')).toBe(msg('[0.5,8]'));
    expect(entry('["0",8]')).toBe(msg('["0",8]'));
    expect(entry('[0,null]')).toBe(msg('[0,null]'));
    expect(entry('[0,1e300]')).toBe(msg('[0,1e+300]'));
  });

  it('__metadata__ must be an object of strings', () => {
    expect(headerError('{"__metadata__":"config"}')).toBe('safetensors <bytes>: __metadata__ must be an object of strings');
    expect(headerError('{"__metadata__":["a"]}')).toBe('safetensors <bytes>: __metadata__ must be an object of strings');
    expect(headerError('{"__metadata__":[]}')).toBe('safetensors <bytes>: __metadata__ must be an object of strings');
    expect(headerError('{"__metadata__":null}')).toBe('safetensors <bytes>: __metadata__ must be an object of strings');
    expect(headerError('{"__metadata__":{"a":"x","b":7}}')).toBe("safetensors <bytes>: __metadata__ 'b' must be a string, got 7");
    expect(headerError('{"__metadata__":{"b":null}}')).toBe("safetensors <bytes>: __metadata__ 'b' must be a string, got null");
    expect(headerError('{"__metadata__":{"b":{"c":[1]}}}')).toBe('safetensors <bytes>: __metadata__ \'b\' must be a string, got {"c":[1]}');
  });

  it('the bytes themselves: not a Uint8Array, 8 bytes, lengths at the caps and past the end', () => {
    expect(errorOf(() => parseSafetensors(new Array(16).fill(0) as unknown as Uint8Array))).toBe('safetensors <bytes>: expected the file as a Uint8Array');
    expect(errorOf(() => parseSafetensors(new ArrayBuffer(16) as unknown as Uint8Array, { source: 'a.st' }))).toBe('safetensors a.st: expected the file as a Uint8Array');
    expect(errorOf(() => parseSafetensors(new Uint8Array(7)))).toBe('safetensors <bytes>: file is 7 bytes, shorter than the 8-byte header length');
    expect(errorOf(() => parseSafetensors(new Uint8Array(8)))).toBe('safetensors <bytes>: header length 0 bytes is too short to hold a JSON object');
    expect(errorOf(() => parseSafetensors(fileOf(null, undefined, '{')))).toBe('safetensors <bytes>: header length 1 bytes is too short to hold a JSON object');
    expect(errorOf(() => parseSafetensors(fileOf(null, undefined, '{}', 3n)))).toBe('safetensors <bytes>: header length 3 bytes runs past the end of the file (10 bytes, so at most 2)');
    // the cap is inclusive: a header of exactly maxHeaderBytes is read
    const bytes = fileOf(null, undefined, '{"__metadata__":{"a":"b"}}');
    expect(parseSafetensors(bytes, { maxHeaderBytes: 26 }).metadata).toEqual({ a: 'b' });
    expect(errorOf(() => parseSafetensors(bytes, { maxHeaderBytes: 25 }))).toBe('safetensors <bytes>: header length 26 bytes is over the cap of 25 bytes');
    // 2^53 - 1 is still exact; 2^53 and up are not printed as numbers
    expect(errorOf(() => parseSafetensors(fileOf(null, undefined, '{}', 2n ** 53n - 1n)))).toBe(
      'safetensors <bytes>: header length 9007199254740991 bytes is over the cap of 100000000 bytes',
    );
    expect(errorOf(() => parseSafetensors(fileOf(null, undefined, '{}', 2n ** 53n)))).toBe('safetensors <bytes>: header length >= 2^53 bytes is over the cap of 100000000 bytes');
    // what a header that is not an object starts with is quoted, cut to 16 characters
    expect(headerError('[1, 2, 3, 4, 5, 6, 7, 8, 9]')).toBe('safetensors <bytes>: header does not start with \'{\' (got "[1, 2, 3, 4, 5, ")');
    expect(headerError(' {}')).toBe('safetensors <bytes>: header does not start with \'{\' (got " {}")');
  });

  it('zero-size tensors sharing a begin offset are tiled in either header order', () => {
    for (const header of [
      { f: { dtype: 'F64', shape: [1], data_offsets: [0, 8] }, e: { dtype: 'F64', shape: [0], data_offsets: [0, 0] } },
      { e: { dtype: 'F64', shape: [0], data_offsets: [0, 0] }, f: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } },
      { g: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, e: { dtype: 'F64', shape: [0, 4], data_offsets: [8, 8] }, f: { dtype: 'F64', shape: [1], data_offsets: [8, 16] } },
    ]) {
      const back = parseSafetensors(fileOf(header, f64(Object.keys(header).length === 3 ? 2 : 1)));
      expect(back.tensors.map((t) => [t.name, t.shape])).toEqual(Object.entries(header).map(([n, h]) => [n, h.shape]));
    }
  });

  it('F16 NaN stays NaN, and the F16 infinities keep their sign', () => {
    const data = new Uint8Array(8);
    const dv = new DataView(data.buffer);
    [0x7e00, 0xfc00, 0x7c01, 0x3c01].forEach((v, i) => dv.setUint16(2 * i, v, true));
    const back = Array.from(parseSafetensors(fileOf({ h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] } }, data)).tensors[0].tensor.values());
    expect(back).toEqual([NaN, -Infinity, NaN, 1 + 2 ** -10]);
  });
});

describe('serializeSafetensors: exact bytes and refusals', () => {
  it('an empty file is the 2-byte header padded with spaces to 8', () => {
    expect(Array.from(serializeSafetensors([]))).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{}      ')]);
    expect(Array.from(serializeSafetensors({}))).toEqual(Array.from(serializeSafetensors([])));
  });

  it('lays out the header and data exactly, and does not pad a header already a multiple of 8', () => {
    const t = Tensor.fromArray(Float64Array.from([1.5, -2]), [2]);
    const bytes = serializeSafetensors([['abc', t]], { dtype: 'F32' });
    const json = '{"abc":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    expect(json.length).toBe(56);
    const view = new DataView(bytes.buffer);
    expect(bytes.length).toBe(8 + 56 + 8);
    expect(view.getUint32(0, true)).toBe(56);
    expect(view.getUint32(4, true)).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(8, 64))).toBe(json);
    expect([view.getFloat32(64, true), view.getFloat32(68, true)]).toEqual([1.5, -2]);
    // one character less in the name: 55 bytes, padded to 56 with a space
    const shorter = serializeSafetensors([['ab', t]], { dtype: 'F32' });
    expect(shorter.length).toBe(8 + 56 + 8);
    expect(new DataView(shorter.buffer).getUint32(0, true)).toBe(56);
    expect(new TextDecoder().decode(shorter.subarray(8, 64))).toBe(`${json.replace('"abc"', '"ab"')} `);
  });

  it('refuses a dtype it does not write, non-string metadata, the reserved name, duplicates and non-tensors', () => {
    const t = Tensor.zeros([1]);
    expect(errorOf(() => serializeSafetensors({ t }, { dtype: 'F16' as 'F32' }))).toBe('serializeSafetensors: dtype must be F64 or F32, got "F16"');
    expect(errorOf(() => serializeSafetensors({ t }, { dtype: 'f64' as 'F64' }))).toBe('serializeSafetensors: dtype must be F64 or F32, got "f64"');
    expect(errorOf(() => serializeSafetensors({ t }, { metadata: { a: 'x', b: 1 as unknown as string } }))).toBe("serializeSafetensors: metadata 'b' must be a string, got 1");
    expect(errorOf(() => serializeSafetensors({ t }, { metadata: { c: { d: 2 } as unknown as string } }))).toBe('serializeSafetensors: metadata \'c\' must be a string, got {"d":2}');
    expect(errorOf(() => serializeSafetensors([['__metadata__', t]]))).toBe("serializeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    expect(errorOf(() => serializeSafetensors({ __metadata__: t }))).toBe("serializeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    expect(errorOf(() => serializeSafetensors([['w', t], ['v', t], ['w', t]]))).toBe("serializeSafetensors: duplicate tensor name 'w'");
    expect(errorOf(() => serializeSafetensors([['w', [1, 2] as unknown as Tensor]]))).toBe("serializeSafetensors: 'w' is not a Tensor");
    expect(errorOf(() => serializeSafetensors({ w: t, v: Float64Array.of(1) as unknown as Tensor }))).toBe("serializeSafetensors: 'v' is not a Tensor");
    // a name that merely contains the reserved one is fine, and so is the same tensor under two names
    expect(parseSafetensors(serializeSafetensors([['__metadata__x', t], ['y', t]])).tensors.map((e) => e.name)).toEqual(['__metadata__x', 'y']);
  });

  it('modelToSafetensors refuses what is not a model', () => {
    expect(errorOf(() => modelToSafetensors({ namedParameters: () => [] } as unknown as Parameters<typeof modelToSafetensors>[0]))).toBe(
      'modelToSafetensors: expected a model (one of the five families)',
    );
  });
});

describe('importSafetensors: messages, renames and the counting guard', () => {
  const config: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1, beta: 5 };
  const net = createModel(config, { rng: 9 });
  const state = net.namedParameters().map(([n, p]) => [n, p.value] as [string, Tensor]);
  const withConfig = (tensors: [string, Tensor][], c: ModelConfig = config): Uint8Array => serializeSafetensors(tensors, { metadata: { config: JSON.stringify(c) } });

  it('errors name <bytes> by default and the source given, also for errors of the file itself', () => {
    expect(errorOf(() => importSafetensors(serializeSafetensors(state)))).toBe(
      "import <bytes>: no model config: the file's __metadata__ has no 'config' entry; give one (--config config.json, or options.config)",
    );
    expect(errorOf(() => importSafetensors(new Uint8Array(3), { source: 'm.st' }))).toBe('safetensors m.st: file is 3 bytes, shorter than the 8-byte header length');
    expect(errorOf(() => importSafetensors(new Uint8Array(3)))).toBe('safetensors <bytes>: file is 3 bytes, shorter than the 8-byte header length');
    const bytes = withConfig(state);
    const n = new DataView(bytes.buffer).getUint32(0, true);
    expect(errorOf(() => importSafetensors(bytes, { source: 'm.st', maxHeaderBytes: n - 1 }))).toBe(`safetensors m.st: header length ${n} bytes is over the cap of ${n - 1} bytes`);
    expect(importSafetensors(bytes, { maxHeaderBytes: n }).missing).toEqual([]);
  });

  it('a config entry that is not JSON is named, with the parser message', () => {
    let parserMessage = '';
    try {
      JSON.parse('{kind: dlgn}');
    } catch (e) {
      parserMessage = (e as Error).message;
    }
    expect(errorOf(() => importSafetensors(serializeSafetensors(state, { metadata: { config: '{kind: dlgn}' } }), { source: 'c.st' }))).toBe(
      `import c.st: __metadata__ 'config' is not JSON (${parserMessage})`,
    );
  });

  it('strict: the message lists only the missing, only the unexpected, or both', () => {
    const arch = 'state dict does not match a dlgn 2-[3,3]-1';
    const tail = '(use a rename map, or non-strict to load the rest)';
    expect(errorOf(() => importSafetensors(withConfig(state.filter(([n]) => n !== 'out.bias' && n !== 'gate.0.bias'))))).toBe(
      `import <bytes>: ${arch}: missing 'gate.0.bias', 'out.bias' ${tail}`,
    );
    expect(errorOf(() => importSafetensors(withConfig([...state, ['extra', Tensor.zeros([1])]])))).toBe(`import <bytes>: ${arch}: unexpected 'extra' ${tail}`);
    expect(errorOf(() => importSafetensors(withConfig([...state, ['extra', Tensor.zeros([1])], ['more', Tensor.zeros([1])]])))).toBe(
      `import <bytes>: ${arch}: unexpected 'extra', 'more' ${tail}`,
    );
    expect(errorOf(() => importSafetensors(withConfig([...state.slice(1), ['extra', Tensor.zeros([1])]])))).toBe(
      `import <bytes>: ${arch}: missing '${state[0][0]}'; unexpected 'extra' ${tail}`,
    );
    expect(errorOf(() => importSafetensors(withConfig([...state, ['module.extra', Tensor.zeros([1])]]), { rename: { 'module.': '' } }))).toBe(
      `import <bytes>: ${arch}: unexpected 'extra (from 'module.extra')' ${tail}`,
    );
  });

  it('non-strict: missing parameters keep the seed-0 initial values; unexpected names say where they came from', () => {
    const r = importSafetensors(withConfig([...state.filter(([n]) => n !== 'value.1.weight'), ['module.extra', Tensor.zeros([1])], ['stray', Tensor.zeros([2])]]), {
      strict: false,
      rename: { 'module.': '' },
    });
    expect(r.missing).toEqual(['value.1.weight']);
    expect(r.unexpected).toEqual(["extra (from 'module.extra')", 'stray']);
    const seed0 = createModel(config, { rng: 0 });
    expect(Array.from(r.model.parameter('value.1.weight').value.values())).toEqual(Array.from(seed0.parameter('value.1.weight').value.values()));
    expect(Array.from(r.model.parameter('gate.0.weight').value.values())).toEqual(Array.from(net.parameter('gate.0.weight').value.values()));
    expect(r.dtypes['gate.0.weight']).toBe('F64');
    expect('value.1.weight' in r.dtypes).toBe(false);
  });

  it('a rename prefix applies only to names it begins, only when it ends in a dot, and the longest wins', () => {
    const prefixed = withConfig(state.map(([n, t]) => [n.startsWith('out.') ? `module.head.${n.slice(4)}` : `module.${n}`, t] as [string, Tensor]));
    // the longer prefix first and last in the map: the longest wins either way
    for (const rename of [{ 'module.head.': 'out.', 'module.': '' }, { 'module.': '', 'module.head.': 'out.' }]) {
      expect(importSafetensors(prefixed, { rename }).missing).toEqual([]);
    }
    // a prefix that begins no name leaves names alone
    const plain = withConfig(state);
    expect(importSafetensors(plain, { rename: { 'module.': '' } }).unexpected).toEqual([]);
    // a key without a trailing dot is an exact name, never a prefix
    expect(importSafetensors(plain, { rename: { gate: 'g', 'gate.0': 'x' }, strict: false }).unexpected).toEqual([]);
    expect(importSafetensors(plain, { rename: { 'gate.0.weight': 'g' }, strict: false }).unexpected).toEqual(["g (from 'gate.0.weight')"]);
    // and the exact name beats any prefix
    expect(importSafetensors(prefixed, { rename: { 'module.': '', 'module.head.weight': 'out.weight', 'module.head.bias': 'out.bias' } }).missing).toEqual([]);
  });

  it('rename values must be strings', () => {
    expect(errorOf(() => importSafetensors(withConfig(state), { rename: { a: 'b', 'module.': 5 as unknown as string } }))).toBe("import <bytes>: rename map: 'module.' must map to a string, got 5");
    expect(errorOf(() => importSafetensors(withConfig(state), { rename: { a: null as unknown as string } }))).toBe("import <bytes>: rename map: 'a' must map to a string, got null");
  });

  it('a tensor of a different rank is refused even when its dimensions agree as far as they go', () => {
    const bad = withConfig(state.map(([n, t]) => [n, n === 'gate.1.weight' ? Tensor.zeros([3]) : t] as [string, Tensor]));
    expect(errorOf(() => importSafetensors(bad))).toBe("import <bytes>: tensor 'gate.1.weight' has shape [3], but parameter 'gate.1.weight' is [3, 3]");
    const longer = withConfig(state.map(([n, t]) => [n, n === 'gate.1.weight' ? Tensor.zeros([3, 3, 1]) : t] as [string, Tensor]));
    expect(errorOf(() => importSafetensors(longer, { strict: false }))).toBe("import <bytes>: tensor 'gate.1.weight' has shape [3, 3, 1], but parameter 'gate.1.weight' is [3, 3]");
  });

  describe('the counting guard (strict imports of configs over 2^20 parameters)', () => {
    // dnn 1-[524288]-1 without biases: exactly 2^20 parameters; dnn 2-[1024,1024]-1: 1053697
    const exact: ModelConfig = { kind: 'dnn', inputDim: 1, widths: [2 ** 19], outputDim: 1, bias: false };
    const big: ModelConfig = { kind: 'dnn', inputDim: 2, widths: [1024, 1024], outputDim: 1 };

    it('counts the values the tensors hold', () => {
      expect(errorOf(() => importSafetensors(withConfig([['a', Tensor.zeros([3])], ['b', Tensor.zeros([2, 2])]], big)))).toBe(
        "import <bytes>: the config describes 1053697 parameters, but the file's tensors hold only 7 values (a strict import needs them all)",
      );
    });

    it('at exactly 2^20 parameters the guard stays out of the way, and the missing names are listed', () => {
      expect(errorOf(() => importSafetensors(withConfig([], exact)))).toBe(
        "import <bytes>: state dict does not match a dnn 1-[524288]-1: missing 'layers.0.weight', 'out.weight' (use a rename map, or non-strict to load the rest)",
      );
    });

    it('non-strict imports and files that hold every value are not refused by it', () => {
      const loose = importSafetensors(withConfig([], big), { strict: false });
      expect(loose.missing).toEqual(['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias', 'out.weight', 'out.bias']);
      const full = createModel(big, { rng: 4 });
      const r = importSafetensors(modelToSafetensors(full, { dtype: 'F32' }));
      expect(r.missing).toEqual([]);
      expect(r.model.numParameters()).toBe(1053697);
      expect(r.dtypes['out.bias']).toBe('F32');
    });
  });
});
