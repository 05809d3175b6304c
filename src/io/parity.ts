// PyTorch parity: rebuilds each fixture case and compares every field within the tolerances of docs/fixtures.md.

import type { Var } from '../autograd/engine.js';
import { lossOf } from '../models/train.js';
import { type Model, createModel } from '../models/families.js';
import type { ModelConfig } from '../models/config.js';
import { Adam, type Optimizer, SGD } from '../models/optim.js';
import { sameShape, shapeStr, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { pathCount, pathSum, topPaths } from '../paths/decompose.js';
import { npk, ntk } from '../paths/kernels.js';

/** A tensor as fixtures store it: row-major data and a shape. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

/** One case of a fixture file (`docs/fixtures.md`). */
export interface FixtureCase {
  name: string;
  seed?: number;
  model: ModelConfig;
  params: Record<string, FixtureTensor>;
  x: FixtureTensor;
  y: FixtureTensor;
  loss: { kind: 'mse' | 'ce'; value: number };
  output?: FixtureTensor;
  gates?: FixtureTensor[];
  grads?: Record<string, FixtureTensor>;
  halfspaces?: { weight: FixtureTensor; bias: FixtureTensor }[];
  paths?: unknown;
  npk?: FixtureTensor;
  ntk?: unknown;
  train?: Record<string, { config: Record<string, unknown>; steps: number; losses: number[]; params: Record<string, FixtureTensor> }>;
}

export interface FixtureFile {
  generator?: string;
  cases: FixtureCase[];
}

/** docs/fixtures.md: 1e-9 for everything, 1e-8 for optimiser trajectories. */
export const TOLERANCE = { default: 1e-9, train: 1e-8 } as const;

/** The result of one field comparison. */
export interface FieldResult {
  field: string;
  /** max |ours - theirs| / max(1, max |theirs|) */
  relError: number;
  tolerance: number;
  ok: boolean;
  /** Why it failed, when it failed for a reason other than size (shape mismatch, exception). */
  detail?: string;
}

export interface CaseResult {
  name: string;
  fields: FieldResult[];
  /** Fields present in the fixture that this runner does not check yet. */
  unchecked: string[];
  ok: boolean;
}

/** Extra checks contributed by layers above src/models (the paths issue adds paths, npk, ntk). */
export type FieldChecker = (model: Model, c: FixtureCase) => FieldResult[];

export function fixtureTensor(t: FixtureTensor, what = 'tensor'): Tensor {
  if (!t || !Array.isArray(t.shape) || !Array.isArray(t.data)) throw new Error(`parity: ${what} is not {shape, data}`);
  if (sizeOf(t.shape) !== t.data.length) {
    throw new Error(`parity: ${what} has ${t.data.length} values for shape ${shapeStr(t.shape)}`);
  }
  return new Tensor(Float64Array.from(t.data), t.shape);
}

/** the relative error of docs/fixtures.md: max abs difference / max(1, max abs reference). */
export function relativeError(ours: Tensor | number, ref: Tensor | number): number {
  const a = typeof ours === 'number' ? Float64Array.of(ours) : ours.values();
  const b = typeof ref === 'number' ? Float64Array.of(ref) : ref.values();
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let k = 0; k < a.length; k++) {
    const d = Math.abs(a[k] - b[k]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(b[k]));
  }
  const r = diff / scale;
  return Number.isNaN(r) ? Infinity : r;
}

/** Compares one field, turning exceptions and shape mismatches into failures with a reason. */
export function compareField(field: string, tolerance: number, compute: () => [Tensor | number, Tensor | number][]): FieldResult {
  try {
    let worst = 0;
    for (const [ours, ref] of compute()) {
      if (typeof ours !== 'number' && typeof ref !== 'number' && !sameShape(ours.shape, ref.shape)) {
        return { field, relError: Infinity, tolerance, ok: false, detail: `shape ${shapeStr(ours.shape)} vs ${shapeStr(ref.shape)}` };
      }
      worst = Math.max(worst, relativeError(ours, ref));
    }
    return { field, relError: worst, tolerance, ok: worst <= tolerance };
  } catch (e) {
    return { field, relError: Infinity, tolerance, ok: false, detail: e instanceof Error ? e.message : String(e) };
  }
}

function buildModel(c: FixtureCase): Model {
  const model = createModel(c.model);
  const state: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(c.params)) state[name] = fixtureTensor(t, `params.${name}`);
  model.loadStateDict(state);
  return model;
}

function targets(c: FixtureCase): Tensor {
  return fixtureTensor(c.y, 'y');
}

function lossVar(model: Model, c: FixtureCase): Var {
  return lossOf(c.loss.kind, model.forward(fixtureTensor(c.x, 'x')), targets(c));
}

/** Runs the fixture's optimiser for `steps` steps on the same batch; losses before each step. */
function trajectory(c: FixtureCase, kind: string): { losses: number[]; model: Model } {
  const spec = c.train![kind];
  const model = buildModel(c);
  const cfg = spec.config as { lr: number; momentum?: number; betas?: [number, number]; eps?: number; weightDecay?: number };
  let opt: Optimizer;
  if (kind === 'sgd') opt = new SGD(model.parameters(), { lr: cfg.lr, momentum: cfg.momentum ?? 0, weightDecay: cfg.weightDecay ?? 0 });
  else if (kind === 'adam') opt = new Adam(model.parameters(), { lr: cfg.lr, betas: cfg.betas, eps: cfg.eps, weightDecay: cfg.weightDecay ?? 0 });
  else throw new Error(`parity: unknown optimiser '${kind}' in train`);
  const losses: number[] = [];
  for (let s = 0; s < spec.steps; s++) {
    opt.zeroGrad();
    const loss = lossVar(model, c);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  }
  return { losses, model };
}

interface FixturePaths {
  sample?: number;
  count: number;
  sum: FixtureTensor;
  top: { id: number[]; contribution: FixtureTensor; activity: number }[];
}

interface FixtureNtk {
  output: number;
  all: FixtureTensor;
  valueOnly?: FixtureTensor;
}

/** `paths`: count (exact), the path sum, and the top paths' ids, contributions and activities. */
const pathsChecker: FieldChecker = (model, c) => {
  const p = c.paths as FixturePaths;
  const tol = TOLERANCE.default;
  return [
    compareField('paths', tol, () => {
      const count = pathCount(model);
      if (count !== BigInt(p.count)) throw new Error(`path count ${count} vs ${p.count}`);
      const s = p.sample ?? 0;
      const x0 = fixtureTensor(c.x, 'x').slice([s, s + 1]);
      const top = topPaths(model, x0, p.top.length);
      top.forEach((q, j) => {
        if (JSON.stringify(q.id) !== JSON.stringify(p.top[j].id)) {
          throw new Error(`top path ${j} is ${JSON.stringify(q.id)}, fixture has ${JSON.stringify(p.top[j].id)}`);
        }
      });
      return [
        [Tensor.fromArray(pathSum(model, x0)), fixtureTensor(p.sum, 'paths.sum')],
        ...top.flatMap((q, j) => [
          [Tensor.fromArray(q.contribution), fixtureTensor(p.top[j].contribution, `paths.top[${j}].contribution`)],
          [q.activity, p.top[j].activity],
        ] as [Tensor | number, Tensor | number][]),
      ];
    }),
  ];
};

/** `npk`: the closed-form neural path kernel of the batch. */
const npkChecker: FieldChecker = (model, c) => [
  compareField('npk', TOLERANCE.default, () => [[npk(model, fixtureTensor(c.x, 'x')), fixtureTensor(c.npk!, 'npk')]]),
];

/** `ntk`: J J^T of one output over all parameters, and over value parameters where given. */
const ntkChecker: FieldChecker = (model, c) => {
  const f = c.ntk as FixtureNtk;
  // the inputs are read inside each comparison, so a malformed x fails the field instead of throwing
  const x = (): Tensor => fixtureTensor(c.x, 'x');
  const out = [compareField('ntk.all', TOLERANCE.default, () => [[ntk(model, x(), { output: f.output, params: 'all' }), fixtureTensor(f.all, 'ntk.all')]])];
  if (f.valueOnly) {
    out.push(
      compareField('ntk.valueOnly', TOLERANCE.default, () => [
        [ntk(model, x(), { output: f.output, params: 'value' }), fixtureTensor(f.valueOnly!, 'ntk.valueOnly')],
      ]),
    );
  }
  return out;
};

/** The checkers for the fields above the model layer: every field of docs/fixtures.md is checked. */
export const PATH_CHECKERS: Record<string, FieldChecker> = { paths: pathsChecker, npk: npkChecker, ntk: ntkChecker };

/**
 * Checks one case on every field; `extra` maps the fields `paths`, `npk`, `ntk` to checkers
 * (all three by default). A field with no checker is reported as unchecked, never passed.
 */
export function checkCase(c: FixtureCase, extra: Record<string, FieldChecker> = PATH_CHECKERS): CaseResult {
  const fields: FieldResult[] = [];
  const unchecked: string[] = [];
  let model: Model;
  try {
    model = buildModel(c);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    return { name: c.name, fields: [{ field: 'model', relError: Infinity, tolerance: 0, ok: false, detail }], unchecked, ok: false };
  }
  const x = (): Tensor => fixtureTensor(c.x, 'x');
  const tol = TOLERANCE.default;
  if (c.output) fields.push(compareField('output', tol, () => [[model.forward(x()).value, fixtureTensor(c.output!, 'output')]]));
  if (c.gates) {
    fields.push(
      compareField('gates', tol, () => {
        const ours = model.gates(x());
        if (ours.length !== c.gates!.length) throw new Error(`${ours.length} gate layers vs ${c.gates!.length}`);
        return ours.map((g, l) => [g, fixtureTensor(c.gates![l], `gates[${l}]`)]);
      }),
    );
  }
  fields.push(compareField('loss', tol, () => [[lossVar(model, c).item(), c.loss.value]]));
  if (c.grads) {
    fields.push(
      compareField('grads', tol, () => {
        model.zeroGrad();
        lossVar(model, c).backward();
        const names = Object.keys(c.grads!);
        const ours = model.namedParameters();
        if (names.length !== ours.length) throw new Error(`${ours.length} parameters vs ${names.length} gradients`);
        // a parameter the loss does not reach (gating under hard gates) has gradient zero
        return ours.map(([name, p]) => [p.grad ?? Tensor.zeros(p.shape), fixtureTensor(c.grads![name], `grads.${name}`)]);
      }),
    );
  }
  if (c.halfspaces) {
    fields.push(
      compareField('halfspaces', tol, () =>
        model.halfspaces().flatMap((h, l) => [
          [h.weight, fixtureTensor(c.halfspaces![l].weight, `halfspaces[${l}].weight`)],
          [h.bias, fixtureTensor(c.halfspaces![l].bias, `halfspaces[${l}].bias`)],
        ] as [Tensor, Tensor][]),
      ),
    );
  }
  for (const kind of Object.keys(c.train ?? {})) {
    fields.push(
      compareField(`train.${kind}`, TOLERANCE.train, () => {
        const spec = c.train![kind];
        const { losses, model: trained } = trajectory(c, kind);
        const pairs: [Tensor | number, Tensor | number][] = [[Tensor.fromArray(losses), Tensor.fromArray(spec.losses)]];
        for (const [name, p] of trained.namedParameters()) pairs.push([p.value, fixtureTensor(spec.params[name], `train.${kind}.params.${name}`)]);
        return pairs;
      }),
    );
  }
  for (const field of ['paths', 'npk', 'ntk'] as const) {
    if ((c as unknown as Record<string, unknown>)[field] === undefined) continue;
    const checker = extra[field];
    if (checker) fields.push(...checker(model, c));
    else unchecked.push(field);
  }
  return { name: c.name, fields, unchecked, ok: fields.every((f) => f.ok) };
}

/** Validates the top level of a parsed fixture file. */
export function parseFixtureFile(json: unknown, source: string): FixtureFile {
  if (typeof json !== 'object' || json === null || !Array.isArray((json as FixtureFile).cases)) {
    throw new Error(`parity: ${source} is not a fixture file (expected an object with a "cases" list)`);
  }
  const f = json as FixtureFile;
  f.cases.forEach((c, i) => {
    if (typeof c?.name !== 'string' || typeof c.model !== 'object' || typeof c.params !== 'object' || !c.x || !c.y || !c.loss) {
      throw new Error(`parity: ${source}: case ${i} lacks one of name, model, params, x, y, loss`);
    }
  });
  return f;
}

/** One report line per case: status, name, fields checked, the worst relative error. */
export function formatCaseResult(r: CaseResult): string {
  const worst = r.fields.reduce((m, f) => Math.max(m, f.relError), 0);
  const failed = r.fields.filter((f) => !f.ok);
  let line = `${r.ok ? 'PASS' : 'FAIL'} ${r.name}: checked ${r.fields.map((f) => f.field).join(', ')}; worst relative error ${worst.toExponential(2)}`;
  if (r.unchecked.length > 0) line += `; unchecked: ${r.unchecked.join(', ')}`;
  for (const f of failed) {
    line += `\n     ${f.field}: ${f.detail ?? `relative error ${f.relError.toExponential(2)} > ${f.tolerance}`}`;
  }
  return line;
}
