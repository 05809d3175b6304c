// Checkpoints: a model as versioned, deterministic JSON, validated field by field on load (browser-safe).

import { clip, clipText } from '../tensor/errors.js';
import { shapeStr, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { DEFAULT_MAX_PARAMETERS, type ModelConfig, type ModelKind, type ResolvedConfig, archLabel, checkParameterCap, parameterCount, resolveConfig } from './config.js';
// a cycle by design: families.ts gives every model toJSON()/fromJSON() through this module, which
// builds models with createModel; both sides use the other only inside functions, never at load
import { type Model, Network, createModel } from './families.js';

/*
 * The format is specified in docs/checkpoint-format.md (field table and version rule). In short,
 * version 1:
 *
 *   {
 *     "format": "halfspace-checkpoint",
 *     "version": 1,
 *     "kind": "dlgn",
 *     "config": { every field of the resolved config, in ResolvedConfig order },
 *     "parameters": { "<canonical name>": { "shape": [..], "data": [..row-major..] }, ... },
 *     "training": { seed, data, optimizer, ... (keys sorted) }
 *   }
 *
 * Determinism: keys are written in a fixed order (parameters in the model's canonical order,
 * docs/math.md "Parameter names", training keys sorted), numbers by JS's shortest round-trip formatting (plus "-0",
 * which JSON.parse reads back as -0), and nothing time-dependent is added, so one run gives the
 * same bytes every time. The whole resolved config is written, so a change of defaults in a
 * later release cannot change what an old file means.
 *
 * Everything here is pure (no file system, fine in a browser); saveCheckpoint and loadCheckpoint,
 * which read and write files, live in src/node/checkpoint.ts ('halfspace/node').
 */

/** The `format` field of every checkpoint. */
export const CHECKPOINT_FORMAT = 'halfspace-checkpoint';
/** The version this build writes and the only one it reads. */
export const CHECKPOINT_VERSION = 1;

/**
 * What a run records beside the weights. No dates or timings: the same run must give the same
 * bytes. Values must be JSON: plain objects, arrays, strings, finite numbers, booleans, null.
 */
export interface TrainingMeta {
  /** The seed the run started from. */
  seed?: number;
  /** The data set: a name, or the generator's options. */
  data?: string | Record<string, unknown>;
  /** The optimiser and its hyperparameters, e.g. `{ name: 'adam', lr: 1e-3 }`. */
  optimizer?: Record<string, unknown>;
  [k: string]: unknown;
}

/** One parameter in a checkpoint: its shape and its values, row-major. */
export interface CheckpointTensor {
  shape: number[];
  data: number[];
}

/**
 * A checkpoint as a JSON value: what `model.toJSON()` returns and `JSON.parse` of
 * `serializeCheckpoint`'s text gives. docs/checkpoint-format.md has the field table.
 */
export interface CheckpointJson {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  kind: ModelKind;
  config: ResolvedConfig;
  parameters: Record<string, CheckpointTensor>;
  training: TrainingMeta;
}

/** What `parseCheckpoint` and `loadCheckpoint` return. */
export interface LoadedCheckpoint {
  model: Model;
  meta: TrainingMeta;
  config: ModelConfig;
}

const KINDS: readonly ModelKind[] = ['dln', 'dnn', 'dgn', 'dlgn', 'dlgn-vt'];
/** ResolvedConfig's fields in the order they are written. */
const CONFIG_FIELDS: readonly (keyof ResolvedConfig)[] = [
  'kind',
  'inputDim',
  'widths',
  'outputDim',
  'bias',
  'features',
  'gate',
  'beta',
  'valueInput',
];
const TOP_FIELDS = ['format', 'version', 'kind', 'config', 'parameters', 'training'];

/** How deep objects and arrays may nest in a checkpoint (the parameters need 3 levels). */
export const MAX_JSON_DEPTH = 64;

/** A field path for an error: long keys and deep paths cut to ~100 characters. */
function clipPath(where: string): string {
  return where.length > 100 ? `${where.slice(0, 100)}...` : where;
}

// ---- writing -------------------------------------------------------------------------------

/** A finite number as JSON: shortest round-trip digits, and -0 kept (JSON.stringify drops the sign). */
function numberJson(v: number): string {
  return Object.is(v, -0) ? '-0' : String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `the string ${clip(v)}`;
  if (typeof v === 'object') return isPlainObject(v) ? 'an object' : `a ${v.constructor?.name ?? 'non-plain object'}`;
  return `a ${typeof v}`;
}

/**
 * Checks that `v` is plain JSON data (and that the known training fields have their types);
 * throws naming the offending path. Used on save and on load, so what loads can be saved again.
 */
function checkJsonValue(v: unknown, where: string, fail: (msg: string) => never, seen: unknown[] = []): void {
  if (seen.length > MAX_JSON_DEPTH) fail(`${clipPath(where)} nests deeper than ${MAX_JSON_DEPTH} levels`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) fail(`${where} is ${String(v)}; only finite numbers can be stored`);
    return;
  }
  if (v instanceof Date) fail(`${where} is a Date; checkpoints hold no dates or timings (the same run must give the same bytes)`);
  if (Array.isArray(v)) {
    if (seen.includes(v)) fail(`${where} refers to itself (a cycle)`);
    for (let i = 0; i < v.length; i++) {
      if (v[i] === undefined) fail(`${where}[${i}] is undefined, which JSON cannot hold`);
      checkJsonValue(v[i], `${where}[${i}]`, fail, [...seen, v]);
    }
    return;
  }
  if (isPlainObject(v)) {
    if (seen.includes(v)) fail(`${where} refers to itself (a cycle)`);
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) checkJsonValue(x, `${where}.${k}`, fail, [...seen, v]);
    }
    return;
  }
  fail(`${where} is ${describe(v)}, which is not JSON data (plain objects, arrays, strings, finite numbers, booleans, null)`);
}

function checkMeta(meta: unknown, fail: (msg: string) => never): asserts meta is TrainingMeta {
  if (!isPlainObject(meta)) fail(`training metadata must be a plain object, got ${describe(meta)}`);
  if (meta.seed !== undefined && (typeof meta.seed !== 'number' || !Number.isFinite(meta.seed))) {
    fail(`training.seed must be a finite number, got ${describe(meta.seed)}`);
  }
  if (meta.data !== undefined && typeof meta.data !== 'string' && !isPlainObject(meta.data)) {
    fail(`training.data must be a string or an object, got ${describe(meta.data)}`);
  }
  if (meta.optimizer !== undefined && !isPlainObject(meta.optimizer)) {
    fail(`training.optimizer must be an object, got ${describe(meta.optimizer)}`);
  }
  checkJsonValue(meta, 'training', fail);
}

/** Any JSON value, objects with sorted keys (undefined members dropped), 2-space indent, scalar arrays on one line. */
function emitJson(v: unknown, indent: string): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return numberJson(v);
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => x === null || typeof x !== 'object')) return `[${v.map((x) => emitJson(x, inner)).join(', ')}]`;
    return `[\n${v.map((x) => inner + emitJson(x, inner)).join(',\n')}\n${indent}]`;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return emitObject(
    keys.map((k) => [k, emitJson(obj[k], inner)]),
    indent,
  );
}

/** `{ "k": <already-emitted value>, ... }` with the members in the order given. */
function emitObject(members: [string, string][], indent: string): string {
  if (members.length === 0) return '{}';
  const inner = `${indent}  `;
  return `{\n${members.map(([k, s]) => `${inner}${JSON.stringify(k)}: ${s}`).join(',\n')}\n${indent}}`;
}

/**
 * The checkpoint of a model as JSON text (ending in a newline). Deterministic: the same model and
 * metadata give the same bytes (stable key order, parameters in canonical order, numbers in
 * shortest round-trip form so every float64 reads back bit for bit, -0 included). Throws if a
 * parameter holds NaN or Infinity (JSON cannot hold them) or the metadata is not plain JSON data.
 * Pure: needs no file system.
 *
 * @example
 * ```ts
 * import { createModel, parseCheckpoint, serializeCheckpoint } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }, { rng: 0 });
 * const text = serializeCheckpoint(net, { seed: 0, data: 'xor', optimizer: { name: 'adam', lr: 0.001 } });
 * const { model, meta } = parseCheckpoint(text); // model computes exactly what net computes
 * ```
 */
export function serializeCheckpoint(model: Model, meta: TrainingMeta = {}): string {
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`serializeCheckpoint: ${msg}`);
  };
  if (!(model instanceof Network)) fail(`expected a model (one of the five families), got ${describe(model)}`);
  checkMeta(meta, fail);
  const config = model.config;
  const configJson = emitObject(
    CONFIG_FIELDS.map((f) => [f, emitJson(config[f], '    ')]),
    '  ',
  );
  const params: [string, string][] = model.namedParameters().map(([name, p]) => {
    const values = p.value.values();
    const parts = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) {
      const x = values[i];
      if (!Number.isFinite(x)) {
        fail(`parameter '${name}' holds ${String(x)} at flat index ${i}; a checkpoint stores only finite numbers`);
      }
      parts[i] = numberJson(x);
    }
    const entry = emitObject(
      [
        ['shape', `[${p.value.shape.join(', ')}]`],
        ['data', `[${parts.join(', ')}]`],
      ],
      '    ',
    );
    return [name, entry];
  });
  const doc = emitObject(
    [
      ['format', JSON.stringify(CHECKPOINT_FORMAT)],
      ['version', String(CHECKPOINT_VERSION)],
      ['kind', JSON.stringify(config.kind)],
      ['config', configJson],
      ['parameters', emitObject(params, '  ')],
      ['training', emitJson(meta, '  ')],
    ],
    '',
  );
  return `${doc}\n`;
}

/**
 * The checkpoint of a model as a JSON value (a fresh object; what `model.toJSON()` returns, so
 * `JSON.stringify(model)` writes a valid checkpoint). Same checks as {@link serializeCheckpoint}.
 * `JSON.stringify` writes -0 as 0 and does not fix the key order of `training`; use
 * `serializeCheckpoint` when the bytes matter (it also keeps -0).
 */
export function checkpointJson(model: Model, meta: TrainingMeta = {}): CheckpointJson {
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`checkpointJson: ${msg}`);
  };
  if (!(model instanceof Network)) fail(`expected a model (one of the five families), got ${describe(model)}`);
  checkMeta(meta, fail);
  const parameters: Record<string, CheckpointTensor> = {};
  for (const [name, p] of model.namedParameters()) {
    const data = Array.from(p.value.values());
    const bad = data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) fail(`parameter '${name}' holds ${String(data[bad])} at flat index ${bad}; a checkpoint stores only finite numbers`);
    parameters[name] = { shape: [...p.value.shape], data };
  }
  const config = model.config;
  const resolved = Object.fromEntries(CONFIG_FIELDS.map((f) => [f, f === 'widths' ? [...config.widths] : config[f]])) as unknown as ResolvedConfig;
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    kind: config.kind,
    config: resolved,
    parameters,
    training: JSON.parse(JSON.stringify(meta)) as TrainingMeta,
  };
}

// ---- reading -------------------------------------------------------------------------------

function quoted(v: unknown): string {
  return typeof v === 'string' ? `'${clipText(v)}'` : clip(v);
}

function names(list: string[]): string {
  const shown = list.slice(0, 10).map((n) => `'${clipText(n, 60)}'`);
  return list.length > 10 ? `${shown.join(', ')} and ${list.length - 10} more` : shown.join(', ');
}

/** Options of {@link parseCheckpoint}, {@link checkpointFromJson} and `loadCheckpoint`. */
export interface CheckpointReadOptions {
  /**
   * The most parameters a checkpoint may describe, checked from its config before anything is
   * built; default {@link DEFAULT_MAX_PARAMETERS} (2^26, 512 MiB of float64). Raise it to load
   * a bigger model (the CLI has no such model; the library does).
   */
  maxParameters?: number;
}

/**
 * Scans JSON text that JSON.parse accepted for what JSON.parse hides: a key repeated in one
 * object (JSON.parse keeps the last, silently) and nesting deeper than MAX_JSON_DEPTH. Returns
 * the problem, naming the object by its path, or undefined. One pass, no allocation per value.
 */
function scanJson(text: string): string | undefined {
  // one frame per open object/array: its path, its keys (objects), whether a key comes next
  const stack: { path: string; keys: Set<string> | null; expectKey: boolean; last: string }[] = [];
  const n = text.length;
  let i = 0;
  const readString = (): string => {
    const start = i;
    i++;
    let escaped = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x5c) {
        escaped = true;
        i += 2;
        continue;
      }
      if (c === 0x22) break;
      i++;
    }
    i++;
    const raw = text.slice(start + 1, i - 1);
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : raw;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.keys !== null && top.expectKey) {
        const key = readString();
        if (top.keys.has(key)) return `duplicate key ${clip(key, 60)} in ${top.path === '' ? 'the top-level object' : clipPath(top.path)} (JSON.parse would keep the last silently)`;
        top.keys.add(key);
        top.expectKey = false;
        top.last = key;
      } else readString();
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const parent = stack[stack.length - 1];
      const path = parent === undefined ? '' : parent.keys === null ? `${parent.path}[]` : parent.path === '' ? parent.last : `${parent.path}.${parent.last}`;
      if (stack.length >= MAX_JSON_DEPTH) return `${clipPath(path) || 'the document'} nests deeper than ${MAX_JSON_DEPTH} levels`;
      stack.push({ path, keys: c === 0x7b ? new Set() : null, expectKey: c === 0x7b, last: '' });
    } else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top !== undefined && top.keys !== null) top.expectKey = true;
    }
    i++;
  }
  return undefined;
}

/**
 * Reads a checkpoint from its JSON text and rebuilds the model, checking everything on the way:
 * the format and version, the kind (and that it matches `config.kind`), the config (with the
 * error `resolveConfig` gives), that the parameters are exactly the model's (each missing or
 * extra name is listed), each shape, each data length, and that every value is a finite number
 * (naming the parameter and the flat index). Errors start with `checkpoint <source>:`.
 * Pure: needs no file system.
 *
 * @param source what to call the text in errors (a path, usually); default `<text>`
 * @example
 * ```ts
 * import { parseCheckpoint } from 'halfspace';
 * const { model, meta, config } = parseCheckpoint(await (await fetch('model.json')).text(), 'model.json');
 * ```
 */
export function parseCheckpoint(text: string, source = '<text>', options: CheckpointReadOptions = {}): LoadedCheckpoint {
  const fail = failFor(source);
  if (typeof text !== 'string') fail(`expected JSON text, got ${describe(text)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // a stack overflow inside JSON.parse is deep nesting; the scan names where
    const deep = e instanceof RangeError ? scanJson(text) : undefined;
    fail(deep ?? `not valid JSON (${clip(e instanceof Error ? e.message : String(e), 200).replace(/^"|"$/g, '')})`);
  }
  const problem = scanJson(text);
  if (problem !== undefined) fail(problem);
  return checkpointFromJson(doc, source, options);
}

function failFor(source: string): (msg: string) => never {
  return (msg) => {
    // a safety net under the clipped quotations: no message grows with the input
    throw new Error(`checkpoint ${clipPath(source)}: ${msg.length > 600 ? `${msg.slice(0, 600)}...` : msg}`);
  };
}

/**
 * {@link parseCheckpoint} for a checkpoint already parsed into a JSON value (what
 * `model.toJSON()` returns, or `JSON.parse` of a checkpoint file), with the same checks and the
 * same errors. The value is read, never kept or changed.
 *
 * @example
 * ```ts
 * import { checkpointFromJson, createModel } from 'halfspace';
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [3], outputDim: 1 }, { rng: 2 });
 * const copy = checkpointFromJson(JSON.parse(JSON.stringify(net))).model;
 * console.assert(copy.namedParameters().length === net.namedParameters().length);
 * ```
 */
export function checkpointFromJson(doc: unknown, source = '<json>', options: CheckpointReadOptions = {}): LoadedCheckpoint {
  const fail = failFor(source);
  const cap = options.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  if (typeof cap !== 'number' || !(cap >= 0)) fail(`maxParameters must be a number >= 0, got ${clip(cap)}`);
  if (!isPlainObject(doc)) fail(`expected a JSON object at the top level, got ${describe(doc)}`);
  const top = doc as Record<string, unknown>;

  if (!('format' in top)) fail(`missing 'format' (expected '${CHECKPOINT_FORMAT}'); is this a halfspace checkpoint?`);
  if (top.format !== CHECKPOINT_FORMAT) fail(`unknown format ${quoted(top.format)} (expected '${CHECKPOINT_FORMAT}')`);
  if (!('version' in top)) fail(`missing 'version' (this build reads version ${CHECKPOINT_VERSION})`);
  if (top.version !== CHECKPOINT_VERSION) {
    fail(`unsupported version ${quoted(top.version)} (this build reads version ${CHECKPOINT_VERSION} only)`);
  }
  const extraTop = Object.keys(top).filter((k) => !TOP_FIELDS.includes(k));
  if (extraTop.length > 0) {
    fail(`unknown field${extraTop.length > 1 ? 's' : ''} ${names(extraTop)} (a version ${CHECKPOINT_VERSION} checkpoint has ${TOP_FIELDS.join(', ')})`);
  }

  if (!('kind' in top)) fail(`missing 'kind' (one of ${KINDS.join(', ')})`);
  if (!KINDS.includes(top.kind as ModelKind)) fail(`unknown kind ${quoted(top.kind)} (expected one of ${KINDS.join(', ')})`);
  const kind = top.kind as ModelKind;

  if (!('config' in top)) fail(`missing 'config'`);
  if (!isPlainObject(top.config)) fail(`config must be an object, got ${describe(top.config)}`);
  const rawConfig = top.config as Record<string, unknown>;
  let config: ResolvedConfig;
  try {
    config = resolveConfig(rawConfig as unknown as ModelConfig);
  } catch (e) {
    return fail(`invalid config: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (config.kind !== kind) fail(`kind ${quoted(kind)} differs from config.kind ${quoted(rawConfig.kind)}`);
  // the whole resolved config is written, so defaults of a later release cannot change its meaning
  const absent = CONFIG_FIELDS.filter((f) => !(f in rawConfig));
  if (absent.length > 0) fail(`config is missing ${names(absent)} (a checkpoint stores the full resolved config)`);

  let meta: TrainingMeta = {};
  if ('training' in top) {
    checkMeta(top.training, fail);
    meta = top.training as TrainingMeta;
  }

  if (!('parameters' in top)) fail(`missing 'parameters'`);
  if (!isPlainObject(top.parameters)) fail(`parameters must be an object, got ${describe(top.parameters)}`);
  const params = top.parameters as Record<string, unknown>;

  // validate before allocating: the config alone says how big the model is, and the file must
  // hold that many values; a 7 KB file claiming widths [20000, 20000] stops here, not at 6 GB
  try {
    checkParameterCap(config, cap, 'maxParameters (parseCheckpoint/loadCheckpoint option)');
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const want = parameterCount(config);
  let held = 0;
  for (const entry of Object.values(params)) {
    if (isPlainObject(entry) && Array.isArray(entry.data)) held += entry.data.length;
  }
  // (a small model is built anyway, so the errors below can name exactly what is missing)
  if (held < want && want > 2 ** 20) {
    fail(`config describes ${want} parameters (${kind} ${archLabel(config)}), but the parameters hold only ${held} values`);
  }

  let model: Model;
  try {
    model = createModel(config, { maxValueEntries: Math.max(cap, 2 ** 25) });
  } catch (e) {
    return fail(`cannot build the ${kind} model: ${e instanceof Error ? e.message : String(e)}`);
  }
  const expected = model.namedParameters();
  const expectedNames = expected.map(([n]) => n);
  const missing = expectedNames.filter((n) => !Object.hasOwn(params, n));
  if (missing.length > 0) {
    fail(`missing parameter${missing.length > 1 ? 's' : ''} ${names(missing)} (a ${kind} with this config has ${expectedNames.join(', ')})`);
  }
  const extra = Object.keys(params).filter((n) => !expectedNames.includes(n));
  if (extra.length > 0) {
    fail(`unexpected parameter${extra.length > 1 ? 's' : ''} ${names(extra)} (a ${kind} with this config has ${expectedNames.join(', ')})`);
  }

  const state: Record<string, Tensor> = {};
  for (const [name, p] of expected) {
    const entry = params[name];
    const at = `parameter '${name}'`;
    if (!isPlainObject(entry)) fail(`${at} must be an object {shape, data}, got ${describe(entry)}`);
    const e = entry as Record<string, unknown>;
    const extraKeys = Object.keys(e).filter((k) => k !== 'shape' && k !== 'data');
    if (extraKeys.length > 0) fail(`${at} has unknown field${extraKeys.length > 1 ? 's' : ''} ${names(extraKeys)} (expected shape, data)`);
    if (!('shape' in e)) fail(`${at} is missing 'shape'`);
    if (!('data' in e)) fail(`${at} is missing 'data'`);
    const shape = e.shape;
    if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0)) {
      fail(`${at}: shape must be a list of non-negative integers, got ${clip(shape)}`);
    }
    const want = p.value.shape;
    const got = shape as number[];
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      fail(`${at} has shape ${shapeStr(got)}, expected ${shapeStr(want)}`);
    }
    const data = e.data;
    if (!Array.isArray(data)) fail(`${at}: data must be a list of numbers, got ${describe(data)}`);
    const list = data as unknown[];
    const n = sizeOf(want);
    if (list.length !== n) fail(`${at} has ${list.length} values, but shape ${shapeStr(want)} holds ${n}`);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = list[i];
      if (typeof x !== 'number' || !Number.isFinite(x)) {
        const why = typeof x === 'number' ? ' (out of float64 range)' : ' (JSON cannot hold NaN or Infinity; every value must be a finite number)';
        fail(`${at}: value at flat index ${i} is ${describe(x)}, not a finite number${why}`);
      }
      values[i] = x as number;
    }
    state[name] = Tensor.fromArray(values, want);
  }
  model.loadStateDict(state);
  return { model, meta, config: { ...model.config, widths: [...model.config.widths] } };
}
