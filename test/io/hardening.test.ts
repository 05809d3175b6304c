// Hostile and careless inputs to the loaders: sizes checked before anything is allocated, silent
// wrong results refused, and every message short and naming the file, field and rule.

import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/data/csv.js';
import { importSafetensors, serializeSafetensors } from '../../src/io/safetensors.js';
import { MAX_JSON_DEPTH, parseCheckpoint, serializeCheckpoint } from '../../src/models/checkpoint.js';
import { type ModelConfig, checkParameterCap, parameterCount } from '../../src/models/config.js';
import { createModel } from '../../src/models/families.js';
import { clip, clipText } from '../../src/tensor/errors.js';
import { Tensor } from '../../src/tensor/tensor.js';

const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }, { rng: 0 });
const text = serializeCheckpoint(net, { seed: 0 });
const doc = (): Record<string, any> => JSON.parse(text) as Record<string, any>;
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('parameterCount: the size of a model from its config alone', () => {
  const configs: ModelConfig[] = [];
  for (const kind of ['dln', 'dnn', 'dgn', 'dlgn', 'dlgn-vt'] as const) {
    for (const bias of [true, false]) {
      for (const features of kind === 'dlgn-vt' ? (['sf'] as const) : (['cf', 'sf'] as const)) {
        configs.push({ kind, inputDim: 3, widths: [4, 5, 2], outputDim: 2, bias, ...(kind === 'dln' || kind === 'dnn' ? {} : { features }) } as ModelConfig);
      }
    }
  }
  it.each(configs.map((c) => [`${c.kind} bias=${c.bias} ${c.features ?? ''}`, c]))('equals numParameters() of the built model: %s', (_n, c) => {
    expect(parameterCount(c)).toBe(createModel(c).numParameters());
  });

  it('checkParameterCap names the count, the cap and the option that lifts it', () => {
    expect(() => checkParameterCap({ kind: 'dnn', inputDim: 2, widths: [20000, 20000], outputDim: 2 }, 2 ** 26, '--max-parameters')).toThrow(
      'a dnn 2-[20000,20000]-2 has 400120002 parameters (3053 MiB), over the cap of 67108864; raise --max-parameters to allow it',
    );
    expect(checkParameterCap({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 2 }, 17, 'x')).toBe(17);
    expect(() => checkParameterCap({ kind: 'dnn', inputDim: 2, widths: [3], outputDim: 2 }, 16, 'x')).toThrow('over the cap of 16');
  });
});

describe('checkpoints: validate before allocating', () => {
  it('a few-KB file claiming widths [20000, 20000] is refused by the cap, before any model is built', () => {
    const d = doc();
    d.config.widths = [20000, 20000];
    const t0 = performance.now();
    const msg = errorOf(() => parseCheckpoint(JSON.stringify(d), 'big.json'));
    expect(msg).toBe(
      'checkpoint big.json: a dlgn 2-[20000,20000]-1 has 800180001 parameters (6105 MiB), over the cap of 67108864; ' +
        'raise maxParameters (parseCheckpoint/loadCheckpoint option) to allow it',
    );
    expect(performance.now() - t0).toBeLessThan(2000); // a build would take 6 GB and many seconds
  });

  it('under the cap, a config the parameters cannot fill is refused by counting values, not by building', () => {
    const d = doc();
    d.config.widths = [2000, 2000];
    expect(errorOf(() => parseCheckpoint(JSON.stringify(d), 'f.json'))).toBe(
      'checkpoint f.json: config describes 8018001 parameters (dlgn 2-[2000,2000]-1), but the parameters hold only 69 values',
    );
    // and maxParameters lowers the cap: the same small model is refused by it
    expect(() => parseCheckpoint(text, 'f.json', { maxParameters: 68 })).toThrow('has 69 parameters (0 MiB), over the cap of 68');
    expect(parseCheckpoint(text, 'f.json', { maxParameters: 69 }).model.numParameters()).toBe(69);
  });

  it('a million-entry widths list is refused quickly with a short message', () => {
    const d = doc();
    d.config.widths = new Array(1e6).fill(1);
    const msg = errorOf(() => parseCheckpoint(JSON.stringify(d), 'w.json'));
    expect(msg).toBe('checkpoint w.json: config describes 4000004 parameters (dlgn 2-[1,1,1,1,1,1,1,1,... 1000000 layers]-1), but the parameters hold only 69 values');
  });

  it('duplicate keys are refused wherever they are, naming the object (JSON.parse would keep the last)', () => {
    expect(errorOf(() => parseCheckpoint(text.replace('"kind": "dlgn",', '"kind": "dlgn", "kind": "dlgn",'), 'd.json'))).toBe(
      'checkpoint d.json: duplicate key "kind" in the top-level object (JSON.parse would keep the last silently)',
    );
    expect(errorOf(() => parseCheckpoint(text.replace('"beta": 10', '"beta": 10, "beta": 3'), 'd.json'))).toMatch(/duplicate key "beta" in config /);
    expect(errorOf(() => parseCheckpoint(text.replace('"shape"', '"shape": [1], "shape"'), 'd.json'))).toMatch(/duplicate key "shape" in parameters\.gate\.0\.weight /);
    // the same key spelled with an escape is the same key
    expect(errorOf(() => parseCheckpoint(text.replace('"training": {', '"training": {"a\\"b": 1, "a\\u0022b": 2,'), 'd.json'))).toMatch(/duplicate key "a\\"b" in training /);
    // equal keys in different objects are fine, and so are keys that merely look alike
    expect(() => parseCheckpoint(text.replace('"training": {', '"training": {"x": {"seed": 1}, "y": {"seed": 1},'), 'ok.json')).not.toThrow();
    expect(() => parseCheckpoint(text.replace('"training": {', '"training": {"k": "a,\\"k\\": 1", "k2": ["k", "k"],'), 'ok.json')).not.toThrow();
  });

  it(`nesting deeper than ${MAX_JSON_DEPTH} levels is a named error, never a stack overflow`, () => {
    for (const depth of [MAX_JSON_DEPTH + 5, 10_000, 200_000]) {
      const deep = text.replace('"training": {', `"training": {"a": ${'['.repeat(depth)}${']'.repeat(depth)},`);
      const msg = errorOf(() => parseCheckpoint(deep, 'deep.json'));
      expect(msg).toMatch(new RegExp(`^checkpoint deep\\.json: training\\.a(\\[\\])+.* nests deeper than ${MAX_JSON_DEPTH} levels$`));
      expect(msg.length).toBeLessThan(250);
    }
    // the depth a checkpoint needs, and some room, is fine
    const ok = text.replace('"training": {', `"training": {"a": ${'['.repeat(MAX_JSON_DEPTH - 3)}${']'.repeat(MAX_JSON_DEPTH - 3)},`);
    expect(() => parseCheckpoint(ok, 'ok.json')).not.toThrow();
  });

  it('a 10 MB bad value is quoted in at most ~100 characters', () => {
    const huge = 'v'.repeat(10_000_000);
    for (const [field, value] of [
      ['version', huge],
      ['format', huge],
      ['kind', huge],
    ] as const) {
      const d = doc();
      d[field] = value;
      const msg = errorOf(() => parseCheckpoint(JSON.stringify(d), 'v.json'));
      expect(msg.length, field).toBeLessThan(300);
      expect(msg, field).toContain('... (10000000 characters)');
    }
    const d = doc();
    d.config[huge.slice(0, 5000)] = 1;
    expect(errorOf(() => parseCheckpoint(JSON.stringify(d), 'v.json')).length).toBeLessThan(300);
    const p = doc();
    p.parameters['x'.repeat(100_000)] = { shape: [1], data: [0] };
    expect(errorOf(() => parseCheckpoint(JSON.stringify(p), 'v.json')).length).toBeLessThan(700);
  });
});

describe('safetensors import: validate before allocating', () => {
  const meta = (config: ModelConfig): Uint8Array => serializeSafetensors([], { metadata: { config: JSON.stringify(config) } });

  it('a config in the metadata over maxParameters is refused before building', () => {
    expect(errorOf(() => importSafetensors(meta({ kind: 'dlgn', inputDim: 2, widths: [20000, 20000], outputDim: 1 }), { source: 's.st' }))).toBe(
      'import s.st: a dlgn 2-[20000,20000]-1 has 800180001 parameters (6105 MiB), over the cap of 67108864; raise maxParameters to allow it',
    );
  });

  it('a strict import whose tensors cannot fill a big config is refused by counting', () => {
    expect(errorOf(() => importSafetensors(meta({ kind: 'dlgn', inputDim: 2, widths: [2000, 2000], outputDim: 1 }), { source: 's.st' }))).toBe(
      "import s.st: the config describes 8018001 parameters, but the file's tensors hold only 0 values (a strict import needs them all)",
    );
    expect(() => importSafetensors(meta({ kind: 'dlgn', inputDim: 2, widths: [4], outputDim: 1 }), { maxParameters: 10 })).toThrow('over the cap of 10');
  });
});

describe('CSV: no dropped rows, no huge outputs', () => {
  it('a header-less file whose first row has a bad cell is an error, not a header', () => {
    expect(errorOf(() => parseCsv('0.1,abc,1\n0.2,0.3,0\n', { source: 'b.csv' }))).toBe(
      "b.csv: line 1 mixes numbers and text (column 2: 'abc' is not a finite number), so it is neither a header (names only) " +
        'nor a data row (numbers only); fix the cell, or say whether the file has a header (option header)',
    );
    // names only: a header; numbers only: data; forced either way by the option
    expect(parseCsv('a,b,c\n1,2,0\n').x.shape).toEqual([1, 2]);
    expect(parseCsv('1,2,0\n3,4,1\n').x.shape).toEqual([2, 2]);
    expect(parseCsv('x,1990,label\n1,2,0\n', { header: true }).featureNames).toEqual(['x', '1990']);
  });

  it('one huge integer label is refused by maxClasses instead of making 10^7 outputs', () => {
    expect(errorOf(() => parseCsv('x,y\n0.1,0\n0.2,10000000\n', { source: 'l.csv' }))).toBe(
      'l.csv: line 3: label 10000000 would make 10000001 classes (integer labels are classes 0..max), over the cap of 10000; ' +
        'relabel the classes 0..k-1, or raise the cap (--max-classes, option maxClasses)',
    );
    expect(parseCsv('x,y\n0.1,0\n0.2,10000000\n', { maxClasses: 10_000_001 }).numClasses).toBe(10_000_001);
    expect(parseCsv('x,y\n0.1,0\n0.2,9999\n').numClasses).toBe(10_000);
  });

  it('a huge bad cell is quoted short', () => {
    const msg = errorOf(() => parseCsv(`x,y\n0.1,0\n${'z'.repeat(1e6)},1\n`, { source: 'c.csv' }));
    expect(msg).toMatch(/^c\.csv: line 3, column 1 \(x\): 'z{100}\.\.\. \(1000000 characters\)' is not a finite number$/);
  });
});

describe('Tensor construction and views refuse what would be broken', () => {
  it('new Tensor: data too short for the shape, negative or fractional extents, bad strides or offset', () => {
    expect(() => new Tensor(new Float64Array(3), [2, 2])).toThrow('Tensor: shape [2, 2] reaches element 3, but the data holds 3');
    expect(() => new Tensor(new Float64Array(4), [-1, 2])).toThrow('Tensor: shape must hold non-negative integers, got [-1, 2]');
    expect(() => new Tensor(new Float64Array(4), [1.5, 2])).toThrow('Tensor: shape must hold non-negative integers');
    expect(() => new Tensor(new Float64Array(4), [NaN])).toThrow('Tensor: shape must hold non-negative integers');
    expect(() => new Tensor(new Float64Array(4), [2, 2], [2, 1], 1)).toThrow('at offset 1 reaches element 4, but the data holds 4');
    expect(() => new Tensor(new Float64Array(4), [2, 2], [2, 1], -1)).toThrow('Tensor: offset must be a non-negative integer, got -1');
    expect(() => new Tensor(new Float64Array(4), [2, 2], [2, 0.5])).toThrow('Tensor: strides must be integers');
    expect(() => new Tensor(new Float64Array(4), [2, 2], [2])).toThrow('Tensor: 1 strides for a shape of rank 2');
    expect(() => new Tensor([1, 2] as unknown as Float64Array, [2])).toThrow('Tensor: data must be a Float64Array, got Array');
    // what is fine: exact, a view of a bigger buffer, empty, stride 0, a scalar
    expect(new Tensor(new Float64Array(4), [2, 2]).size).toBe(4);
    expect(new Tensor(new Float64Array(10), [2, 2], [2, 1], 6).values()).toEqual(new Float64Array(4));
    expect(new Tensor(new Float64Array(0), [0, 5]).size).toBe(0);
    expect(new Tensor(new Float64Array(1), [3, 3], [0, 0]).size).toBe(9);
    expect(new Tensor(new Float64Array(1), []).size).toBe(1);
    expect(() => new Tensor(new Float64Array(0), [])).toThrow('reaches element 0, but the data holds 0');
  });

  it('expand and slice refuse non-integers instead of returning broken views', () => {
    const t = Tensor.from([1, 2, 3, 4]);
    expect(() => Tensor.from([1]).expand([2.5])).toThrow('expand: shape must hold non-negative integers, got [2.5]');
    expect(() => t.slice([0.5, 3])).toThrow('slice: bounds must be integers, got [0.5, 3] for axis 0');
    expect(() => t.slice([0, NaN])).toThrow('slice: bounds must be integers');
    expect(Array.from(t.slice([1, 3]).values())).toEqual([2, 3]);
    expect(Array.from(Tensor.from([1]).expand([3]).values())).toEqual([1, 1, 1]);
  });
});

describe('clip: bad values quoted short', () => {
  it('cuts strings, lists and objects, and says how long they were', () => {
    expect(clip('abc')).toBe('"abc"');
    expect(clip('x'.repeat(1000))).toBe(`"${'x'.repeat(100)}..." (1000 characters)`);
    expect(clip(new Array(1e6).fill(7))).toMatch(/^\[7,7,.*\.\.\. \(a list of 1000000\)$/);
    expect(clip(new Array(1e6).fill(7)).length).toBeLessThan(140);
    expect(clip({ a: 'y'.repeat(500) })).toMatch(/\.\.\. \(508 characters\)$/);
    expect(clip(NaN)).toBe('NaN');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(clip(cyclic)).toBe('an object');
    expect(clipText('short')).toBe('short');
    expect(clipText('q'.repeat(150), 10)).toBe('qqqqqqqqqq... (150 characters)');
  });
});

describe('forward refuses non-finite inputs instead of passing them silently', () => {
  it('NaN and infinities, naming row and column; gates() too', () => {
    // hard gates read 1[NaN > 0] = 0: without the check this output would be finite and wrong
    const hard = createModel({ kind: 'dlgn', inputDim: 2, widths: [3, 3], outputDim: 1, gate: 'hard' }, { rng: 1 });
    const x = Tensor.from([
      [0.1, 0.2],
      [0.3, NaN],
    ]);
    expect(() => hard.forward(x)).toThrow(
      'forward: input holds NaN at row 1, column 1; inputs must be finite (a NaN gate would read as off and could give a finite, wrong output)',
    );
    expect(() => hard.gates(Tensor.from([[Infinity, 0]]))).toThrow('gates: input holds Infinity at row 0, column 0; inputs must be finite');
    for (const kind of ['dln', 'dnn', 'dgn', 'dlgn-vt'] as const) {
      const m = createModel({ kind, inputDim: 2, widths: [2], outputDim: 1, ...(kind === 'dlgn-vt' ? { features: 'sf' as const } : {}) });
      expect(() => m.forward(Tensor.from([[-Infinity, 1]])), kind).toThrow('forward: input holds -Infinity at row 0, column 0');
      expect(m.forward(Tensor.from([[1e300, -1e300]])).shape, kind).toEqual([1, 1]);
    }
    // a strided view is checked through its values
    const view = Tensor.from([
      [1, NaN],
      [2, 3],
    ]).transpose();
    expect(() => hard.forward(view)).toThrow('forward: input holds NaN at row 1, column 0'); // [[1, 2], [NaN, 3]]
  });
});
