// The parity runner: every fixture case passes with the documented fields, corrupted copies fail by field.

import { describe, expect, it } from 'vitest';
import {
  type CaseResult,
  type FieldChecker,
  type FixtureCase,
  type FixtureTensor,
  TOLERANCE,
  checkCase,
  compareField,
  fixtureTensor,
  formatCaseResult,
  parseFixtureFile,
  relativeError,
} from '../../src/io/parity.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { type RawCase, loadFixtureFile } from '../helpers/parity-fixtures.js';

const fixture = loadFixtureFile();

/** A deep copy of a case, typed for checkCase. */
function copyOf(c: RawCase): FixtureCase {
  return structuredClone(c) as unknown as FixtureCase;
}

const failing = (r: CaseResult): string[] => r.fields.filter((f) => !f.ok).map((f) => f.field);

function expectedFields(c: RawCase): string[] {
  const valueOnly = (c.ntk as { valueOnly?: unknown } | undefined)?.valueOnly !== undefined;
  return [
    'output', 'gates', 'loss', 'grads', ...(c.halfspaces ? ['halfspaces'] : []), 'train.sgd', 'train.adam',
    'paths', 'npk', 'ntk.all', ...(valueOnly ? ['ntk.valueOnly'] : []),
  ];
}

describe('checkCase on every fixture case', () => {
  for (const c of fixture.cases) {
    it(`${c.name} passes every field, paths, npk and ntk included; nothing unchecked`, () => {
      const r = checkCase(copyOf(c));
      expect(r.name).toBe(c.name);
      expect(r.fields.map((f) => f.field)).toEqual(expectedFields(c));
      expect(r.unchecked).toEqual([]);
      expect(checkCase(copyOf(c), {}).unchecked).toEqual(['paths', 'npk', 'ntk']);
      for (const f of r.fields) {
        expect(f.ok, `${f.field}: ${f.detail ?? f.relError}`).toBe(true);
        expect(f.detail).toBeUndefined();
        expect(f.relError).toBeLessThanOrEqual(f.tolerance);
        expect(f.tolerance).toBe(f.field.startsWith('train.') ? 1e-8 : 1e-9);
      }
      expect(r.ok).toBe(true);
    });
  }

  it('the fixtures have halfspaces exactly for the gated linear kinds', () => {
    for (const c of fixture.cases) {
      expect(c.halfspaces !== undefined, c.name).toBe(c.model.kind === 'dlgn' || c.model.kind === 'dlgn-vt');
    }
  });

  it('TOLERANCE is docs/fixtures.md: 1e-9, 1e-8 for trajectories', () => {
    expect(TOLERANCE).toEqual({ default: 1e-9, train: 1e-8 });
  });

  it('a registered checker takes its field off the unchecked list, and its result counts', () => {
    const c = fixture.cases[0];
    const pass: FieldChecker = () => [{ field: 'npk', relError: 0, tolerance: 1e-9, ok: true }];
    const r = checkCase(copyOf(c), { npk: pass });
    expect(r.unchecked).toEqual(['paths', 'ntk']);
    expect(r.fields.at(-1)!.field).toBe('npk');
    expect(r.ok).toBe(true);
    const fail: FieldChecker = (model, fc) => {
      // the checker sees the built model and the case
      expect(model.config.kind).toBe(fc.model.kind);
      return [{ field: 'paths', relError: 1, tolerance: 1e-9, ok: false }];
    };
    const bad = checkCase(copyOf(c), { paths: fail });
    expect(bad.unchecked).toEqual(['npk', 'ntk']);
    expect(bad.ok).toBe(false);
    expect(failing(bad)).toEqual(['paths']);
  });

  it('fields absent from a case are neither checked nor listed', () => {
    const c = copyOf(fixture.cases[2]);
    delete c.paths;
    delete c.ntk;
    delete c.output;
    delete c.train;
    const r = checkCase(c);
    expect(r.unchecked).toEqual([]);
    expect(r.fields.map((f) => f.field)).toEqual(['gates', 'loss', 'grads', 'halfspaces', 'npk']);
    expect(checkCase(structuredClone(c), {}).unchecked).toEqual(['npk']);
    expect(r.ok).toBe(true);
  });
});

describe('corrupted copies fail, naming the field', () => {
  const base = fixture.cases.find((c) => c.name === 'dlgn-soft-mse')!;

  function corrupt(edit: (c: FixtureCase) => void): CaseResult {
    const c = copyOf(base);
    edit(c);
    return checkCase(c);
  }

  it('one output value off by 1e-6', () => {
    const r = corrupt((c) => {
      c.output!.data[3] += 1e-6;
    });
    expect(r.ok).toBe(false);
    expect(failing(r)).toEqual(['output']);
    const f = r.fields.find((x) => x.field === 'output')!;
    const scale = Math.max(1, ...base.output.data.map(Math.abs));
    expect(f.relError).toBeCloseTo(1e-6 / scale, 12);
  });

  it('a gate value perturbed', () => {
    const r = corrupt((c) => {
      c.gates![1].data[0] += 1e-7;
    });
    expect(failing(r)).toEqual(['gates']);
  });

  it('the loss value perturbed', () => {
    const r = corrupt((c) => {
      c.loss.value += 1e-7;
    });
    expect(failing(r)).toEqual(['loss']);
  });

  it('a gradient perturbed', () => {
    const r = corrupt((c) => {
      c.grads!['value.1.weight'].data[2] -= 1e-6;
    });
    expect(r.ok).toBe(false);
    expect(failing(r)).toEqual(['grads']);
  });

  it('a half-space bias perturbed', () => {
    const r = corrupt((c) => {
      c.halfspaces![2].bias.data[0] += 1e-6;
    });
    expect(failing(r)).toEqual(['halfspaces']);
  });

  it('a trajectory parameter perturbed (sgd), a trajectory loss perturbed (adam)', () => {
    const sgd = corrupt((c) => {
      c.train!.sgd.params['out.weight'].data[0] += 1e-6;
    });
    expect(failing(sgd)).toEqual(['train.sgd']);
    const adam = corrupt((c) => {
      c.train!.adam.losses[4] += 1e-6;
    });
    expect(failing(adam)).toEqual(['train.adam']);
  });

  it('a path-sum, a top-path contribution, an activity or an id perturbed fails paths', () => {
    const sum = corrupt((c) => {
      (c.paths as { sum: { data: number[] } }).sum.data[0] += 1e-6;
    });
    expect(failing(sum)).toEqual(['paths']);
    const contrib = corrupt((c) => {
      (c.paths as { top: { contribution: { data: number[] } }[] }).top[3].contribution.data[0] += 1e-6;
    });
    expect(failing(contrib)).toEqual(['paths']);
    const act = corrupt((c) => {
      (c.paths as { top: { activity: number }[] }).top[1].activity += 1e-6;
    });
    expect(failing(act)).toEqual(['paths']);
    const id = corrupt((c) => {
      (c.paths as { top: { id: number[] }[] }).top[0].id = [0, 0, 0, 0, 0];
    });
    expect(failing(id)).toEqual(['paths']);
    expect(id.fields.find((f) => f.field === 'paths')!.detail).toMatch(/top path 0 is \[0,1,3,2,1\], fixture has \[0,0,0,0,0\]/);
    const count = corrupt((c) => {
      (c.paths as { count: number }).count += 1;
    });
    expect(count.fields.find((f) => f.field === 'paths')!.detail).toBe('path count 121 vs 122');
  });

  it('an npk or ntk entry perturbed fails that field only', () => {
    const k = corrupt((c) => {
      c.npk!.data[7] += 1e-6;
    });
    expect(failing(k)).toEqual(['npk']);
    const all = corrupt((c) => {
      (c.ntk as { all: { data: number[] } }).all.data[0] += 1e-6;
    });
    expect(failing(all)).toEqual(['ntk.all']);
    const vo = corrupt((c) => {
      (c.ntk as { valueOnly: { data: number[] } }).valueOnly.data[5] -= 1e-6;
    });
    expect(failing(vo)).toEqual(['ntk.valueOnly']);
  });

  it('a perturbation below the tolerance still passes', () => {
    const r = corrupt((c) => {
      c.output!.data[0] += 1e-12;
      c.train!.sgd.params['out.weight'].data[0] += 1e-10;
    });
    expect(r.ok).toBe(true);
  });

  it('a gradient missing from the fixture fails grads with a reason', () => {
    const r = corrupt((c) => {
      delete c.grads!['out.bias'];
    });
    expect(failing(r)).toEqual(['grads']);
    expect(r.fields.find((f) => f.field === 'grads')!.detail).toBe('14 parameters vs 13 gradients');
  });

  it('a reference of the same size but another shape fails', () => {
    // output is [6, 1]; stored as [1, 6] the numbers are the same, the tensor is not
    const r = corrupt((c) => {
      c.output!.shape = [...c.output!.shape].reverse();
    });
    expect(base.output.shape).toEqual([6, 1]);
    expect(failing(r)).toEqual(['output']);
    expect(r.fields.find((f) => f.field === 'output')!.detail).toMatch(/shape \[6, 1\] vs \[1, 6\]/);
  });

  it('a model the engine cannot build fails as field "model" with the config error', () => {
    const r = corrupt((c) => {
      c.model = { ...c.model, widths: [4, 0, 3] };
    });
    expect(r.ok).toBe(false);
    expect(r.fields).toEqual([
      { field: 'model', relError: Infinity, tolerance: 0, ok: false, detail: 'model config: widths[1] must be a positive integer, got 0' },
    ]);
  });

  it('a parameter of the wrong shape fails as field "model"', () => {
    const r = corrupt((c) => {
      c.params['out.weight'] = { shape: [3, 1], data: [1, 2, 3] };
    });
    expect(r.fields[0].field).toBe('model');
    expect(r.fields[0].detail).toBe("loadStateDict: parameter 'out.weight' has shape [3, 1], expected [1, 3]");
  });
});

describe('relativeError and compareField', () => {
  it('max abs difference over max(1, max |ref|)', () => {
    expect(relativeError(1.5, 1)).toBe(0.5);
    expect(relativeError(0.3, 0.1)).toBeCloseTo(0.2, 15); // scale 1 below |ref| = 1
    expect(relativeError(Tensor.fromArray([0.5, 10]), Tensor.fromArray([0, 20]))).toBe(0.5); // 10 / 20
    expect(relativeError(Tensor.fromArray([1, 2, 3]), Tensor.fromArray([1, 2, 3]))).toBe(0);
    expect(relativeError(Tensor.fromArray([-4, 0]), Tensor.fromArray([-2, 0]))).toBe(1); // 2 / 2
  });

  it('different lengths give Infinity', () => {
    expect(relativeError(Tensor.fromArray([1, 2]), Tensor.fromArray([1, 2, 3]))).toBe(Infinity);
  });

  it('NaN in our values gives Infinity, and a later finite difference does not hide it', () => {
    expect(relativeError(Number.NaN, 1)).toBe(Infinity);
    expect(relativeError(Tensor.fromArray([Number.NaN, 1]), Tensor.fromArray([0, 1]))).toBe(Infinity);
    expect(relativeError(Tensor.fromArray([1, Number.NaN, 5]), Tensor.fromArray([1, 2, 3]))).toBe(Infinity);
  });

  it('NaN in the reference gives Infinity too (not NaN)', () => {
    expect(relativeError(1, Number.NaN)).toBe(Infinity);
    expect(relativeError(Tensor.fromArray([1, 2]), Tensor.fromArray([1, Number.NaN]))).toBe(Infinity);
  });

  it('compareField turns exceptions into failures with the message', () => {
    const f = compareField('npk', 1e-9, () => {
      throw new Error('boom');
    });
    expect(f).toEqual({ field: 'npk', relError: Infinity, tolerance: 1e-9, ok: false, detail: 'boom' });
    const ok = compareField('x', 1e-9, () => [
      [1, 1],
      [Tensor.fromArray([2, 3]), Tensor.fromArray([2, 3 + 1e-10])],
    ]);
    expect(ok.ok).toBe(true);
    expect(ok.relError).toBeGreaterThan(0);
    const worst = compareField('x', 1e-9, () => [
      [1, 1 + 1e-3],
      [2, 2],
    ]);
    expect(worst.ok).toBe(false);
    expect(worst.relError).toBeCloseTo(1e-3 / (1 + 1e-3), 12);
  });

  it('fixtureTensor checks {shape, data} and the value count', () => {
    expect(fixtureTensor({ shape: [2, 2], data: [1, 2, 3, 4] }).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => fixtureTensor({ shape: [2, 2], data: [1, 2, 3] }, 'x')).toThrow('parity: x has 3 values for shape [2, 2]');
    expect(() => fixtureTensor({ data: [1] } as never, 'y')).toThrow('parity: y is not {shape, data}');
  });
});

describe('parseFixtureFile', () => {
  it('accepts the fixture file as is', () => {
    const f = parseFixtureFile(loadFixtureFile(), 'torch-parity.json');
    expect(f.cases.length).toBe(8);
    expect(f.generator).toMatch(/PyTorch/);
  });

  it('rejects what is not a fixture file, naming the source', () => {
    const msg = 'parity: a.json is not a fixture file (expected an object with a "cases" list)';
    expect(() => parseFixtureFile(null, 'a.json')).toThrow(msg);
    expect(() => parseFixtureFile([], 'a.json')).toThrow(msg);
    expect(() => parseFixtureFile({ cases: {} }, 'a.json')).toThrow(msg);
    expect(() => parseFixtureFile({ generator: 'x' }, 'a.json')).toThrow(msg);
  });

  it('names the first incomplete case by index', () => {
    const file = loadFixtureFile();
    const cases = file.cases.map((c) => structuredClone(c)) as unknown as Record<string, unknown>[];
    delete cases[3].loss;
    expect(() => parseFixtureFile({ cases }, 'b.json')).toThrow('parity: b.json: case 3 lacks one of name, model, params, x, y, loss');
    expect(() => parseFixtureFile({ cases: [null] }, 'c.json')).toThrow('parity: c.json: case 0 lacks one of');
    expect(() => parseFixtureFile({ cases: [{ ...cases[0], name: 7 }] }, 'c.json')).toThrow('case 0 lacks one of');
  });
});

describe('formatCaseResult', () => {
  it('a passing case: status, name, fields, worst error, unchecked', () => {
    const r: CaseResult = {
      name: 'dln-mse',
      fields: [
        { field: 'output', relError: 2e-16, tolerance: 1e-9, ok: true },
        { field: 'train.sgd', relError: 3.5e-15, tolerance: 1e-8, ok: true },
      ],
      unchecked: ['paths', 'npk', 'ntk'],
      ok: true,
    };
    expect(formatCaseResult(r)).toBe('PASS dln-mse: checked output, train.sgd; worst relative error 3.50e-15; unchecked: paths, npk, ntk');
    expect(formatCaseResult({ ...r, unchecked: [] })).toBe('PASS dln-mse: checked output, train.sgd; worst relative error 3.50e-15');
  });

  it('a failing case: a line per failed field, with the detail when there is one', () => {
    const r: CaseResult = {
      name: 'dnn-ce',
      fields: [
        { field: 'output', relError: 1.234e-6, tolerance: 1e-9, ok: false },
        { field: 'loss', relError: 0, tolerance: 1e-9, ok: true },
        { field: 'grads', relError: Infinity, tolerance: 1e-9, ok: false, detail: '8 parameters vs 7 gradients' },
      ],
      unchecked: [],
      ok: false,
    };
    expect(formatCaseResult(r)).toBe(
      'FAIL dnn-ce: checked output, loss, grads; worst relative error Infinity\n' +
        '     output: relative error 1.23e-6 > 1e-9\n' +
        '     grads: 8 parameters vs 7 gradients',
    );
  });

  it('on a real corrupted case the text names the case and the field', () => {
    const c = copyOf(fixture.cases[1]);
    c.grads!['out.bias'].data[0] += 1e-5;
    const text = formatCaseResult(checkCase(c));
    expect(text.split('\n')[0]).toMatch(/^FAIL dnn-ce: checked output, gates, loss, grads, train\.sgd, train\.adam, paths, npk, ntk\.all; worst relative error /);
    expect(text).toMatch(/\n {5}grads: relative error \d\.\d\de-\d+ > 1e-9$/);
  });
});

describe('every fixture tensor is named when it is malformed, and no field throws out of checkCase', () => {
  const base = fixture.cases.find((c) => c.name === 'dlgn-soft-mse')!;
  const short = (t: { shape: number[]; data: number[] }): void => {
    t.data = t.data.slice(1);
  };
  const details = (r: CaseResult): Record<string, string | undefined> => Object.fromEntries(r.fields.filter((f) => !f.ok).map((f) => [f.field, f.detail]));

  it('a malformed x fails every field that reads it, ntk included (it used to throw out of checkCase)', () => {
    const c = copyOf(base);
    short(c.x);
    const msg = `parity: x has ${base.x.data.length - 1} values for shape [${base.x.shape.join(', ')}]`;
    const r = checkCase(c);
    expect(r.ok).toBe(false);
    expect(details(r)).toEqual(Object.fromEntries(expectedFields(base).filter((f) => f !== 'halfspaces').map((f) => [f, msg])));
  });

  it('a malformed y fails the loss, the gradients and the trajectories, naming y', () => {
    const c = copyOf(base);
    short(c.y);
    const msg = `parity: y has ${base.y.data.length - 1} values for shape [${base.y.shape.join(', ')}]`;
    expect(details(checkCase(c))).toEqual({ loss: msg, grads: msg, 'train.sgd': msg, 'train.adam': msg });
  });

  it('each reference tensor by its path in the case', () => {
    const cases: [string, (c: FixtureCase) => void, string, string][] = [
      ['output', (c) => short(c.output!), 'output', 'parity: output has 5 values for shape [6, 1]'],
      ['gates', (c) => short(c.gates![1]), 'gates', `parity: gates[1] has ${base.gates[1].data.length - 1} values for shape [${base.gates[1].shape.join(', ')}]`],
      ['grads', (c) => short(c.grads!['out.bias']), 'grads', 'parity: grads.out.bias has 0 values for shape [1]'],
      ['train', (c) => short(c.train!.adam.params['out.bias']), 'train.adam', 'parity: train.adam.params.out.bias has 0 values for shape [1]'],
      ['paths.sum', (c) => short((c.paths as { sum: FixtureTensor }).sum), 'paths', 'parity: paths.sum has 0 values for shape [1]'],
      ['paths.top', (c) => short((c.paths as { top: { contribution: FixtureTensor }[] }).top[2].contribution), 'paths', 'parity: paths.top[2].contribution has 0 values for shape [1]'],
      ['npk', (c) => short(c.npk!), 'npk', 'parity: npk has 35 values for shape [6, 6]'],
      ['ntk.all', (c) => short((c.ntk as { all: FixtureTensor }).all), 'ntk.all', 'parity: ntk.all has 35 values for shape [6, 6]'],
      ['ntk.valueOnly', (c) => short((c.ntk as { valueOnly: FixtureTensor }).valueOnly), 'ntk.valueOnly', 'parity: ntk.valueOnly has 35 values for shape [6, 6]'],
    ];
    for (const [what, edit, field, msg] of cases) {
      const c = copyOf(base);
      edit(c);
      expect(details(checkCase(c)), what).toEqual({ [field]: msg });
    }
  });

  it('a malformed parameter fails as field "model", named params.<name>', () => {
    const c = copyOf(base);
    c.params['out.weight'] = { shape: [1, 3], data: [1, 2] };
    expect(checkCase(c).fields).toEqual([{ field: 'model', relError: Infinity, tolerance: 0, ok: false, detail: 'parity: params.out.weight has 2 values for shape [1, 3]' }]);
  });

  it('fixtureTensor calls an unnamed tensor "tensor"', () => {
    expect(() => fixtureTensor({ data: [1] } as never)).toThrow(/^parity: tensor is not \{shape, data\}$/);
    expect(() => fixtureTensor({ shape: [2], data: [1] })).toThrow(/^parity: tensor has 1 values for shape \[2\]$/);
  });
});

describe('checkCase reads the options and fields it is given', () => {
  const base = fixture.cases.find((c) => c.name === 'dlgn-soft-mse')!;
  function corrupt(edit: (c: FixtureCase) => void, from: RawCase = base): CaseResult {
    const c = copyOf(from);
    edit(c);
    return checkCase(c);
  }

  it('weight decay in a trajectory config is applied (the references were made without it)', () => {
    expect(failing(corrupt((c) => void (c.train!.sgd.config.weightDecay = 0.1)))).toEqual(['train.sgd']);
    expect(failing(corrupt((c) => void (c.train!.adam.config.weightDecay = 0.1)))).toEqual(['train.adam']);
    // weight decay 0 is the same as none
    expect(corrupt((c) => void (c.train!.sgd.config.weightDecay = 0)).ok).toBe(true);
  });

  it('an optimiser it does not know fails its field by name', () => {
    const r = corrupt((c) => void (c.train!.rmsprop = structuredClone(c.train!.adam)));
    expect(r.fields.find((f) => f.field === 'train.rmsprop')).toEqual({
      field: 'train.rmsprop',
      relError: Infinity,
      tolerance: 1e-8,
      ok: false,
      detail: "parity: unknown optimiser 'rmsprop' in train",
    });
    expect(failing(r)).toEqual(['train.rmsprop']);
  });

  it('paths are checked at the sample the fixture names', () => {
    expect((base.paths as { sample: number }).sample).toBe(0);
    const r = corrupt((c) => void ((c.paths as { sample: number }).sample = 1));
    expect(failing(r)).toEqual(['paths']);
  });

  it('the NTK is taken of the output the fixture names', () => {
    const multi = fixture.cases.find((c) => c.name === 'dnn-ce')!;
    expect(multi.model.outputDim).toBe(3);
    expect((multi.ntk as { output: number }).output).toBe(0);
    const r = corrupt((c) => void ((c.ntk as { output: number }).output = 2), multi);
    expect(failing(r)).toEqual(expectedFields(multi).filter((f) => f.startsWith('ntk.')));
  });

  it('a case without gates or gradients checks neither', () => {
    const r = corrupt((c) => {
      delete c.gates;
      delete c.grads;
    });
    expect(r.fields.map((f) => f.field)).toEqual(expectedFields(base).filter((f) => f !== 'gates' && f !== 'grads'));
    expect(r.ok).toBe(true);
  });

  it('a gate layer missing from the fixture fails gates with the counts', () => {
    const r = corrupt((c) => void c.gates!.pop());
    expect(r.fields.find((f) => f.field === 'gates')!.detail).toBe(`${base.gates.length} gate layers vs ${base.gates.length - 1}`);
    expect(failing(r)).toEqual(['gates']);
  });
});

describe('compareField: numbers against tensors, and the tolerance inclusive', () => {
  it('a number and a one-element tensor compare either way round', () => {
    const r = compareField('x', 1e-9, () => [
      [2, Tensor.fromArray([2])],
      [Tensor.fromArray([3]), 3],
      [4, 4],
    ]);
    expect(r).toEqual({ field: 'x', relError: 0, tolerance: 1e-9, ok: true });
    expect(compareField('x', 1e-9, () => [[2, Tensor.fromArray([2.5])]])).toEqual({ field: 'x', relError: 0.5 / 2.5, tolerance: 1e-9, ok: false });
  });

  it('an error exactly at the tolerance passes', () => {
    expect(compareField('x', 0.5, () => [[1.5, 1]])).toEqual({ field: 'x', relError: 0.5, tolerance: 0.5, ok: true });
    expect(compareField('x', 0.25, () => [[Tensor.fromArray([1, 2.5]), Tensor.fromArray([1, 2])]])).toEqual({ field: 'x', relError: 0.25, tolerance: 0.25, ok: true });
  });
});

describe('parseFixtureFile: the fields of a case by type', () => {
  const good = (): Record<string, unknown> => structuredClone(loadFixtureFile().cases[0]) as unknown as Record<string, unknown>;
  it('refuses a model or params that are not objects', () => {
    expect(() => parseFixtureFile({ cases: [good(), { ...good(), model: 'dlgn' }] }, 'm.json')).toThrow('parity: m.json: case 1 lacks one of name, model, params, x, y, loss');
    expect(() => parseFixtureFile({ cases: [{ ...good(), params: 'w' }] }, 'p.json')).toThrow('parity: p.json: case 0 lacks one of name, model, params, x, y, loss');
  });

  it('refuses a function carrying a cases list', () => {
    const fn = Object.assign(() => undefined, { cases: [] });
    expect(() => parseFixtureFile(fn, 'f.json')).toThrow('parity: f.json is not a fixture file (expected an object with a "cases" list)');
    expect(parseFixtureFile({ cases: [] }, 'e.json').cases).toEqual([]);
  });
});
