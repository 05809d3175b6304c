// Checkpoints: exact round trips of every family, deterministic bytes, atomic writes, precise load errors.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as io from '../../src/io/index.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  type TrainingMeta,
  checkpointFromJson,
  checkpointJson,
  parseCheckpoint,
  serializeCheckpoint,
} from '../../src/models/checkpoint.js';
import type { ModelConfig } from '../../src/models/config.js';
import { DLGN, type Model, Network, ReLUNet, createModel } from '../../src/models/families.js';
import { writeFileAtomic, writeFileAtomicAsync } from '../../src/node/atomic.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/node/checkpoint.js';
import * as node from '../../src/node/index.js';
import { Rng } from '../../src/tensor/random.js';
import { Tensor } from '../../src/tensor/tensor.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halfspace-checkpoint-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function tmpFiles(d: string): string[] {
  return fs.readdirSync(d).filter((f) => f.endsWith('.tmp'));
}

function randomInput(n: number, d: number, seed: number): Tensor {
  return Tensor.fromArray(new Rng(seed).normalArray(n * d), [n, d]);
}

/** Equal bit for bit, -0 and all (toEqual would call -0 and 0 equal only via Object.is, so be explicit). */
function expectBitIdentical(a: Float64Array, b: Float64Array): void {
  expect(a.length).toBe(b.length);
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length);
  const ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) if (ua[i] !== ub[i]) expect.fail(`bit difference at ${i}: ${a[i]} vs ${b[i]}`);
}

const base = { inputDim: 3, widths: [4, 3], outputDim: 2 };
const families: ModelConfig[] = [];
for (const bias of [true, false]) {
  families.push({ ...base, kind: 'dln', bias });
  families.push({ ...base, kind: 'dnn', bias });
  for (const gate of ['soft', 'hard'] as const) {
    families.push({ ...base, kind: 'dgn', bias, gate });
    for (const features of ['cf', 'sf'] as const) {
      for (const valueInput of ['ones', 'input'] as const) {
        families.push({ ...base, kind: 'dlgn', bias, gate, features, valueInput, beta: 3 });
      }
    }
    families.push({ ...base, kind: 'dlgn-vt', bias, gate });
  }
}
const label = (c: ModelConfig): string =>
  `${c.kind} bias=${c.bias} gate=${c.gate ?? '-'} features=${c.features ?? '-'} valueInput=${c.valueInput ?? '-'}`;

const meta: TrainingMeta = {
  seed: 7,
  data: { name: 'xor', n: 200, noise: 0.1 },
  optimizer: { name: 'adam', lr: 0.001, betas: [0.9, 0.999] },
  loss: 'ce',
};

describe('checkpoint round trip', () => {
  it.each(families.map((c) => [label(c), c] as const))('%s: same outputs bit for bit, same state dict', (_name, config) => {
    const net = createModel(config, { rng: 11 });
    // a -0 and a tiny subnormal must survive the trip too
    const first = net.namedParameters()[0][1].value;
    first.data[0] = -0;
    first.data[1] = 5e-324;
    const file = path.join(dir, `rt-${label(config).replace(/[ =]/g, '_')}.json`);
    saveCheckpoint(file, net, meta);
    const { model, meta: m, config: cfg } = loadCheckpoint(file);

    expect(model.constructor).toBe(net.constructor);
    expect(cfg).toEqual(net.config);
    expect(m).toEqual(meta);
    const a = net.stateDict();
    const b = model.stateDict();
    expect(Object.keys(b)).toEqual(Object.keys(a));
    for (const k of Object.keys(a)) {
      expect(b[k].shape).toEqual(a[k].shape);
      expectBitIdentical(b[k].values(), a[k].values());
    }
    expect(Object.is(model.namedParameters()[0][1].value.data[0], -0)).toBe(true);
    const x = randomInput(17, config.inputDim, 3);
    expectBitIdentical(model.forward(x).value.values(), net.forward(x).value.values());
    const ga = net.gates(x);
    const gb = model.gates(x);
    ga.forEach((g, l) => expectBitIdentical(gb[l].values(), g.values()));
    // and the reloaded model writes the same bytes
    expect(serializeCheckpoint(model, m)).toBe(fs.readFileSync(file, 'utf8'));
  });

  it('parseCheckpoint works on text without the file system', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 1 });
    const { model, meta: m } = parseCheckpoint(serializeCheckpoint(net));
    expect(m).toEqual({});
    const x = randomInput(5, 2, 9);
    expectBitIdentical(model.forward(x).value.values(), net.forward(x).value.values());
  });

  it('the entries export the API: text and JSON forms from the root and halfspace/io, files from halfspace/node', () => {
    for (const entry of [root, io] as Record<string, unknown>[]) {
      expect(entry.CHECKPOINT_FORMAT).toBe('halfspace-checkpoint');
      expect(entry.CHECKPOINT_VERSION).toBe(1);
      for (const f of ['serializeCheckpoint', 'parseCheckpoint', 'checkpointJson', 'checkpointFromJson']) expect(typeof entry[f]).toBe('function');
      for (const f of ['saveCheckpoint', 'loadCheckpoint', 'writeFileAtomic']) expect(entry[f]).toBeUndefined();
    }
    for (const f of ['saveCheckpoint', 'loadCheckpoint', 'writeFileAtomic', 'writeFileAtomicAsync', 'loadFashionMnist', 'loadCifarBinary', 'setThreads']) {
      expect(typeof (node as Record<string, unknown>)[f]).toBe('function');
    }
  });
});

describe('checkpoints as JSON values: toJSON, fromJSON', () => {
  const configs: ModelConfig[] = [
    { kind: 'dln', inputDim: 2, widths: [3], outputDim: 2 },
    { kind: 'dnn', inputDim: 3, widths: [4, 2], outputDim: 1, bias: false },
    { kind: 'dgn', inputDim: 2, widths: [3, 3], outputDim: 2 },
    { kind: 'dlgn', inputDim: 2, widths: [4, 3], outputDim: 1, features: 'sf', gate: 'hard' },
    { kind: 'dlgn-vt', inputDim: 2, widths: [2, 3], outputDim: 2 },
  ];

  it.each(configs.map((c) => [c.kind, c] as const))('%s: JSON.stringify(model) reads back bit for bit, and toJSON is the parsed text', (_k, config) => {
    const net = createModel(config, { rng: 11 });
    const json = net.toJSON();
    expect(json).toEqual(JSON.parse(serializeCheckpoint(net)));
    const x = randomInput(6, config.inputDim, 4);
    for (const back of [Network.fromJSON(JSON.stringify(net)), Network.fromJSON(json), checkpointFromJson(JSON.parse(JSON.stringify(net))).model]) {
      expect(back.config).toEqual(net.config);
      expectBitIdentical(back.forward(x).value.values(), net.forward(x).value.values());
    }
    // a fresh object: changing it leaves the model alone
    json.parameters[net.namedParameters()[0][0]].data[0] = 123;
    expect(net.namedParameters()[0][1].value.values()[0]).not.toBe(123);
  });

  it('checkpointJson carries the training metadata; serializeCheckpoint of the loaded model gives the same bytes', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 2 });
    const meta: TrainingMeta = { seed: 3, data: 'xor', optimizer: { name: 'adam', lr: 0.01 } };
    const json = checkpointJson(net, meta);
    expect(json.training).toEqual(meta);
    const { model, meta: m } = checkpointFromJson(json);
    expect(serializeCheckpoint(model, m)).toBe(serializeCheckpoint(net, meta));
  });

  it('fromJSON on a family checks the family; bad values get the one-line errors of parseCheckpoint', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 2 });
    expect(DLGN.fromJSON(net.toJSON())).toBeInstanceOf(DLGN);
    expect(() => ReLUNet.fromJSON(net.toJSON())).toThrow('ReLUNet.fromJSON: the checkpoint holds a dlgn network');
    expect(() => Network.fromJSON('{"format": 1', 'model.json')).toThrow(/^checkpoint model\.json: not valid JSON/);
    expect(() => Network.fromJSON([1, 2])).toThrow('checkpoint <json>: expected a JSON object at the top level, got an array');
    const bad = net.toJSON();
    bad.parameters['out.bias'].data = [Number.NaN];
    expect(() => Network.fromJSON(bad)).toThrow("checkpoint <json>: parameter 'out.bias': value at flat index 0 is NaN, not a finite number");
    expect(() => checkpointJson({} as Model)).toThrow('checkpointJson: expected a model (one of the five families), got an object');
  });
});

describe('checkpoint determinism and layout', () => {
  const config: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [3, 2], outputDim: 1 };

  it('same model and meta give the same bytes; meta key order does not matter', () => {
    const net = createModel(config, { rng: 5 });
    const reordered: TrainingMeta = { loss: 'ce', optimizer: { betas: [0.9, 0.999], lr: 0.001, name: 'adam' }, data: { noise: 0.1, n: 200, name: 'xor' }, seed: 7 };
    expect(serializeCheckpoint(net, meta)).toBe(serializeCheckpoint(net, meta));
    expect(serializeCheckpoint(net, reordered)).toBe(serializeCheckpoint(net, meta));
  });

  it('two identically seeded models saved to two files give byte-identical files', () => {
    const f1 = path.join(dir, 'seeded-1.json');
    const f2 = path.join(dir, 'seeded-2.json');
    saveCheckpoint(f1, createModel(config, { rng: 42 }), meta);
    saveCheckpoint(f2, createModel(config, { rng: 42 }), meta);
    expect(fs.readFileSync(f1).equals(fs.readFileSync(f2))).toBe(true);
    const f3 = path.join(dir, 'seeded-3.json');
    saveCheckpoint(f3, createModel(config, { rng: 43 }), meta);
    expect(fs.readFileSync(f1).equals(fs.readFileSync(f3))).toBe(false);
  });

  it('writes the documented layout: fields in order, full config, one line per data array', () => {
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1 }, { rng: 0 });
    const text = serializeCheckpoint(net, { seed: 0 });
    const doc = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['format', 'version', 'kind', 'config', 'parameters', 'training']);
    expect(doc.format).toBe(CHECKPOINT_FORMAT);
    expect(doc.version).toBe(CHECKPOINT_VERSION);
    expect(doc.kind).toBe('dlgn');
    expect(doc.config).toEqual({ kind: 'dlgn', inputDim: 2, widths: [2], outputDim: 1, bias: true, features: 'cf', gate: 'soft', beta: 10, valueInput: 'ones' });
    expect(Object.keys(doc.parameters as object)).toEqual(net.namedParameters().map(([n]) => n));
    expect(doc.training).toEqual({ seed: 0 });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toMatch(/^ {6}"data": \[[^\n]*\]$/m);
    expect(text).toMatch(/^ {4}"widths": \[2\],$/m);
    // nothing time-like is added
    expect(text).not.toMatch(/date|time|created|elapsed/i);
  });

  it('refuses to serialize what cannot round-trip', () => {
    const net = createModel(config, { rng: 1 });
    expect(() => serializeCheckpoint(net, { startedAt: new Date(0) })).toThrow(/training\.startedAt is a Date; checkpoints hold no dates/);
    expect(() => serializeCheckpoint(net, { seed: Number.NaN })).toThrow(/training\.seed must be a finite number/);
    expect(() => serializeCheckpoint(net, { optimizer: { lr: Infinity } })).toThrow(/training\.optimizer\.lr is Infinity/);
    expect(() => serializeCheckpoint(net, { data: 3 as unknown as string })).toThrow(/training\.data must be a string or an object/);
    expect(() => serializeCheckpoint(net, { extra: new Map() })).toThrow(/training\.extra is a Map, which is not JSON data/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => serializeCheckpoint(net, { cyclic })).toThrow(/training\.cyclic\.self refers to itself/);
    net.parameter('value.1.weight').value.data[3] = Number.NaN;
    expect(() => serializeCheckpoint(net)).toThrow(/serializeCheckpoint: parameter 'value\.1\.weight' holds NaN at flat index 3/);
  });
});

describe('atomic writes', () => {
  it('writes strings and bytes and leaves no temp files', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'atomic-'));
    const f = path.join(d, 'a.txt');
    writeFileAtomic(f, 'hello\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('hello\n');
    writeFileAtomic(f, new Uint8Array([104, 105]));
    expect(fs.readFileSync(f, 'utf8')).toBe('hi');
    await writeFileAtomicAsync(f, 'async ünïcode\n');
    expect(fs.readFileSync(f, 'utf8')).toBe('async ünïcode\n');
    writeFileAtomic(f, '');
    expect(fs.readFileSync(f, 'utf8')).toBe('');
    expect(fs.readdirSync(d)).toEqual(['a.txt']);
  });

  it('keeps the permissions of a file it replaces', () => {
    const f = path.join(dir, 'mode.txt');
    fs.writeFileSync(f, 'x');
    fs.chmodSync(f, 0o600);
    writeFileAtomic(f, 'y');
    expect(fs.statSync(f).mode & 0o777).toBe(0o600);
  });

  it('throws naming the directory when it does not exist, creating nothing', async () => {
    const missing = path.join(dir, 'no-such-dir');
    const f = path.join(missing, 'x.json');
    expect(() => writeFileAtomic(f, 'x')).toThrow(`writeFileAtomic: cannot write '${f}': directory '${missing}' does not exist`);
    await expect(writeFileAtomicAsync(f, 'x')).rejects.toThrow(`directory '${missing}' does not exist`);
    expect(fs.existsSync(missing)).toBe(false);
    expect(() => saveCheckpoint(f, createModel({ kind: 'dln', inputDim: 1, widths: [1], outputDim: 1 }))).toThrow(/does not exist/);
  });

  it('removes its temp file when the rename fails, and names the target', async () => {
    const d = fs.mkdtempSync(path.join(dir, 'atomic-fail-'));
    const target = path.join(d, 'is-a-dir');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep'), 'k');
    // renaming a file over a non-empty directory fails after the temp file was written
    expect(() => writeFileAtomic(target, 'data')).toThrow(new RegExp(`writeFileAtomic: cannot write '${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`));
    await expect(writeFileAtomicAsync(target, 'data')).rejects.toThrow(/writeFileAtomicAsync: cannot write/);
    expect(tmpFiles(d)).toEqual([]);
    expect(fs.readdirSync(d)).toEqual(['is-a-dir']);
    expect(fs.readFileSync(path.join(target, 'keep'), 'utf8')).toBe('k');
  });

  it('leaves an existing checkpoint untouched when saving fails', () => {
    const d = fs.mkdtempSync(path.join(dir, 'atomic-keep-'));
    const f = path.join(d, 'model.json');
    const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 2 });
    saveCheckpoint(f, net, meta);
    const before = fs.readFileSync(f);
    net.parameter('out.bias').value.data[0] = Number.POSITIVE_INFINITY;
    expect(() => saveCheckpoint(f, net, meta)).toThrow(/parameter 'out\.bias' holds Infinity at flat index 0/);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
    expect(fs.readdirSync(d)).toEqual(['model.json']);
  });
});

describe('training metadata round trips and refusals', () => {
  const config: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 };
  const net = createModel(config, { rng: 5 });
  const trip = (m: TrainingMeta): TrainingMeta => parseCheckpoint(serializeCheckpoint(net, m)).meta;

  it('keeps a data set given by name, the form the docs show', () => {
    const m: TrainingMeta = { seed: 0, data: 'xor', optimizer: { name: 'adam', lr: 0.001 } };
    expect(serializeCheckpoint(net, m)).toMatch(/^ {4}"data": "xor",$/m);
    expect(trip(m)).toEqual(m);
    expect(checkpointFromJson(checkpointJson(net, m)).meta).toEqual(m);
  });

  it('keeps nested arrays, null members and -0; drops undefined members', () => {
    const m: TrainingMeta = { seed: 1, optimizer: { name: 'adam', betas: [0.9, 0.999], schedule: [[0, 1], [10, 0.5]] }, note: null, flags: [true, false, null, 'x'], zero: -0 };
    const back = trip(m);
    expect(back).toEqual(m);
    expect(Object.is(back.zero, -0)).toBe(true);
    expect(trip({ seed: 2, gone: undefined })).toEqual({ seed: 2 });
    expect('gone' in trip({ seed: 2, gone: undefined })).toBe(false);
  });

  it('checks every value inside arrays, naming the index', () => {
    expect(() => serializeCheckpoint(net, { optimizer: { betas: [0.9, Number.NaN] } })).toThrow(/^serializeCheckpoint: training\.optimizer\.betas\[1\] is NaN; only finite numbers can be stored$/);
    expect(() => serializeCheckpoint(net, { schedule: [[0, 1], [2, -Infinity]] })).toThrow(/training\.schedule\[1\]\[1\] is -Infinity/);
    expect(() => serializeCheckpoint(net, { list: [1, undefined] })).toThrow(/training\.list\[1\] is undefined, which JSON cannot hold/);
    expect(() => serializeCheckpoint(net, { list: [new Date(0)] })).toThrow(/training\.list\[0\] is a Date/);
    const loop: unknown[] = [1];
    loop.push(loop);
    expect(() => serializeCheckpoint(net, { loop })).toThrow(/training\.loop\[1\] refers to itself \(a cycle\)/);
    const inner: unknown[] = [];
    const outer = { a: [inner] };
    inner.push(outer);
    expect(() => serializeCheckpoint(net, { outer })).toThrow(/training\.outer\.a\[0\]\[0\] refers to itself \(a cycle\)/);
    // the same array twice (not a cycle) is fine
    const shared = [1, 2];
    expect(trip({ a: shared, b: shared })).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('refuses the same checks on load, so what loads can be saved again', () => {
    const doc = JSON.parse(serializeCheckpoint(net, { seed: 3 })) as Record<string, any>;
    doc.training.optimizer = { betas: [0.9, 1e999] };
    expect(() => checkpointFromJson(doc, 'm.json')).toThrow(/training\.optimizer\.betas\[1\] is Infinity/);
  });
});

describe('checkpoint load errors', () => {
  const config: ModelConfig = { kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 };
  let good: Record<string, unknown>;
  let net: Model;
  beforeAll(() => {
    net = createModel(config, { rng: 3 });
    good = JSON.parse(serializeCheckpoint(net, meta)) as Record<string, unknown>;
  });
  const clone = (): Record<string, any> => structuredClone(good) as Record<string, any>;

  /** Writes `text` to model.json in a fresh temp dir and loads it. */
  const load = (text: string): (() => unknown) => {
    const d = fs.mkdtempSync(path.join(dir, 'bad-'));
    const f = path.join(d, 'model.json');
    fs.writeFileSync(f, text);
    return () => loadCheckpoint(f);
  };
  const loadDoc = (doc: unknown): (() => unknown) => load(JSON.stringify(doc));
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

  it('names the path of a missing file', () => {
    const f = path.join(dir, 'nope', 'model.json');
    expect(() => loadCheckpoint(f)).toThrow(`checkpoint ${f}: no such file`);
    expect(() => loadCheckpoint(dir)).toThrow(`checkpoint ${dir}: is a directory, not a file`);
  });

  it('a good file loads', () => {
    expect(() => loadDoc(good)()).not.toThrow();
  });

  it('not JSON, with the parser message', () => {
    expect(load('{"format": ')).toThrow(/checkpoint .*model\.json: not valid JSON \(.+\)/);
    expect(load('')).toThrow(/not valid JSON \(Unexpected end of JSON input\)/);
  });

  it('not an object', () => {
    expect(load('[1, 2]')).toThrow(/model\.json: expected a JSON object at the top level, got an array/);
    expect(load('null')).toThrow(/expected a JSON object at the top level, got null/);
    expect(load('42')).toThrow(/expected a JSON object at the top level, got 42/);
  });

  it('unknown format, in the documented words', () => {
    expect(() => parseCheckpoint(JSON.stringify({ ...clone(), format: 'foo' }), 'model.json')).toThrow(
      "checkpoint model.json: unknown format 'foo' (expected 'halfspace-checkpoint')",
    );
    const { format: _f, ...noFormat } = clone();
    expect(loadDoc(noFormat)).toThrow(/missing 'format' \(expected 'halfspace-checkpoint'\)/);
    expect(loadDoc({ ...clone(), format: 7 })).toThrow(/unknown format 7 \(expected 'halfspace-checkpoint'\)/);
  });

  it('unsupported or missing version, naming both', () => {
    expect(loadDoc({ ...clone(), version: 2 })).toThrow(/unsupported version 2 \(this build reads version 1 only\)/);
    expect(loadDoc({ ...clone(), version: '1' })).toThrow(/unsupported version '1' \(this build reads version 1 only\)/);
    const { version: _v, ...noVersion } = clone();
    expect(loadDoc(noVersion)).toThrow(/missing 'version' \(this build reads version 1\)/);
  });

  it('unknown top-level fields', () => {
    expect(loadDoc({ ...clone(), createdAt: '2024-01-01' })).toThrow(/unknown field 'createdAt' \(a version 1 checkpoint has format, version, kind, config, parameters, training\)/);
  });

  it('kind missing, unknown or differing from config.kind', () => {
    const { kind: _k, ...noKind } = clone();
    expect(loadDoc(noKind)).toThrow(/missing 'kind' \(one of dln, dnn, dgn, dlgn, dlgn-vt\)/);
    expect(loadDoc({ ...clone(), kind: 'mlp' })).toThrow(/unknown kind 'mlp' \(expected one of dln, dnn, dgn, dlgn, dlgn-vt\)/);
    expect(loadDoc({ ...clone(), kind: 'dgn' })).toThrow(/kind 'dgn' differs from config\.kind 'dlgn'/);
  });

  it('invalid config, with the resolveConfig error', () => {
    const { config: _c, ...noConfig } = clone();
    expect(loadDoc(noConfig)).toThrow(/model\.json: missing 'config'/);
    expect(loadDoc({ ...clone(), config: [1] })).toThrow(/config must be an object, got an array/);
    const c1 = clone();
    c1.config.widths = [3, 0];
    expect(loadDoc(c1)).toThrow(/model\.json: invalid config: model config: widths\[1\] must be a positive integer, got 0/);
    const c2 = clone();
    c2.config.activation = 'relu';
    expect(loadDoc(c2)).toThrow(/invalid config: model config: unknown field 'activation'/);
    const c3 = clone();
    c3.config.beta = -1;
    expect(loadDoc(c3)).toThrow(/invalid config: model config: beta must be a finite number > 0, got -1/);
    const c4 = clone();
    delete c4.config.beta;
    expect(loadDoc(c4)).toThrow(/config is missing 'beta' \(a checkpoint stores the full resolved config\)/);
  });

  it('missing parameter, named', () => {
    const c = clone();
    delete c.parameters['out.bias'];
    expect(loadDoc(c)).toThrow(/model\.json: missing parameter 'out\.bias' \(a dlgn with this config has gate\.0\.weight, /);
    const c2 = clone();
    delete c2.parameters['gate.0.weight'];
    delete c2.parameters['value.0.bias'];
    expect(loadDoc(c2)).toThrow(/missing parameters 'gate\.0\.weight', 'value\.0\.bias'/);
    const { parameters: _p, ...noParams } = clone();
    expect(loadDoc(noParams)).toThrow(/missing 'parameters'/);
  });

  it('extra parameter, named', () => {
    const c = clone();
    c.parameters['gate.1.weight'] = { shape: [1], data: [0] };
    expect(loadDoc(c)).toThrow(/model\.json: unexpected parameter 'gate\.1\.weight' \(a dlgn with this config has /);
    // bias parameters in a bias-free model are extra
    const c2 = clone();
    c2.config.bias = false;
    expect(loadDoc(c2)).toThrow(/unexpected parameters 'gate\.0\.bias', 'value\.0\.bias', 'out\.bias'/);
  });

  it('wrong shape, naming the parameter and both shapes', () => {
    const c = clone();
    c.parameters['gate.0.weight'].shape = [2, 3];
    expect(loadDoc(c)).toThrow(/parameter 'gate\.0\.weight' has shape \[2, 3\], expected \[3, 2\]/);
    const c2 = clone();
    c2.parameters['out.bias'].shape = [];
    expect(loadDoc(c2)).toThrow(/parameter 'out\.bias' has shape \[\], expected \[1\]/);
    const c3 = clone();
    c3.parameters['out.bias'].shape = [-1];
    expect(loadDoc(c3)).toThrow(/parameter 'out\.bias': shape must be a list of non-negative integers, got \[-1\]/);
    const c4 = clone();
    delete c4.parameters['out.bias'].shape;
    expect(loadDoc(c4)).toThrow(/parameter 'out\.bias' is missing 'shape'/);
    const c5 = clone();
    c5.parameters['out.bias'] = [0.1];
    expect(loadDoc(c5)).toThrow(/parameter 'out\.bias' must be an object \{shape, data\}, got an array/);
    // a permutation of the right shape: same size, first dimension equal (a dlgn-vt value tensor)
    const vt = createModel({ kind: 'dlgn-vt', inputDim: 2, widths: [2, 3], outputDim: 2 }, { rng: 3 });
    const c7 = JSON.parse(serializeCheckpoint(vt)) as Record<string, any>;
    expect(c7.parameters.value.shape).toEqual([2, 2, 3]);
    c7.parameters.value.shape = [2, 3, 2];
    expect(loadDoc(c7)).toThrow(/parameter 'value' has shape \[2, 3, 2\], expected \[2, 2, 3\]/);
    const c8 = clone();
    c8.parameters['gate.0.weight'].shape = [3, 2, 1];
    expect(loadDoc(c8)).toThrow(/parameter 'gate\.0\.weight' has shape \[3, 2, 1\], expected \[3, 2\]/);
    const c6 = clone();
    c6.parameters['out.bias'].dtype = 'float32';
    expect(loadDoc(c6)).toThrow(/parameter 'out\.bias' has unknown field 'dtype' \(expected shape, data\)/);
  });

  it('data length not matching the shape', () => {
    const c = clone();
    c.parameters['value.0.weight'].data.pop();
    expect(loadDoc(c)).toThrow(/parameter 'value\.0\.weight' has 5 values, but shape \[3, 2\] holds 6/);
    const c2 = clone();
    c2.parameters['value.0.weight'].data = 'abc';
    expect(loadDoc(c2)).toThrow(/parameter 'value\.0\.weight': data must be a list of numbers, got the string "abc"/);
    const c3 = clone();
    delete c3.parameters['value.0.weight'].data;
    expect(loadDoc(c3)).toThrow(/parameter 'value\.0\.weight' is missing 'data'/);
  });

  it('non-number or non-finite value, naming the parameter and the flat index', () => {
    const c = clone();
    c.parameters['gate.0.bias'].data[2] = null; // what JSON.stringify makes of NaN and Infinity
    expect(loadDoc(c)).toThrow(/parameter 'gate\.0\.bias': value at flat index 2 is null, not a finite number \(JSON cannot hold NaN or Infinity/);
    const c2 = clone();
    c2.parameters['out.weight'].data[1] = 'NaN';
    expect(loadDoc(c2)).toThrow(/parameter 'out\.weight': value at flat index 1 is the string "NaN", not a finite number/);
    const c3 = clone();
    c3.parameters['out.weight'].data[0] = [1];
    expect(loadDoc(c3)).toThrow(/parameter 'out\.weight': value at flat index 0 is an array, not a finite number/);
    // 1e999 is valid JSON that parses to Infinity
    const text = serializeCheckpoint(net, meta);
    const broken = text.replace(/("value\.0\.bias": \{\n\s*"shape": \[3\],\n\s*"data": \[)[^,]+/, '$11e999');
    expect(broken).not.toBe(text);
    expect(load(broken)).toThrow(/parameter 'value\.0\.bias': value at flat index 0 is Infinity, not a finite number \(out of float64 range\)/);
  });

  it('bad training metadata', () => {
    expect(loadDoc({ ...clone(), training: [] })).toThrow(/training metadata must be a plain object, got an array/);
    expect(loadDoc({ ...clone(), training: { seed: 'x' } })).toThrow(/training\.seed must be a finite number, got the string "x"/);
    expect(loadDoc({ ...clone(), training: { optimizer: 'adam' } })).toThrow(/training\.optimizer must be an object/);
    const { training: _t, ...noTraining } = clone();
    expect((loadDoc(noTraining)() as { meta: TrainingMeta }).meta).toEqual({});
  });

  it('a dlgn-vt value tensor over the cap is refused before allocating it', () => {
    const c = clone();
    c.kind = 'dlgn-vt';
    c.config = { ...c.config, kind: 'dlgn-vt', features: 'sf', widths: [4096, 4096, 4096] };
    expect(loadDoc(c)).toThrow(/a dlgn-vt 2-\[4096,4096,4096\]-1 has 68719513600 parameters \(524288 MiB\), over the cap of 67108864; raise maxParameters/);
  });
});
