// safetensors: the tensor file format of Hugging Face and PyTorch users, read and written as bytes.

import { DEFAULT_MAX_PARAMETERS, type ModelConfig, type ResolvedConfig, archLabel, checkParameterCap, resolveConfig } from '../models/config.js';
import { type Model, Network, createModel } from '../models/families.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/*
 * The format: 8 bytes of little-endian u64 N, then N bytes of UTF-8 JSON, then the data buffer.
 * The JSON maps each tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets into
 * the data buffer, which starts right after the header) and may hold "__metadata__", a map of
 * strings to strings. Numbers are little-endian, row-major.
 *
 * Validation follows the reference implementation (the `safetensors` Rust crate): the header
 * length must be at most a cap (100 MB there and here) and fit in the file; the header is a JSON
 * object; sorted by begin offset, the tensors tile the data buffer exactly (each begins where the
 * previous ended, the first at 0, the last ends at the end of the file); each tensor's byte span
 * equals its element count times its dtype size. Beyond the crate, duplicate names are an error
 * (a JSON parser would silently keep the last one), and so are shapes whose element count is not
 * a safe integer. Every size is checked before anything is allocated from it, so a hostile header
 * (a 1e9-element shape, a header length of 2^60) costs nothing but the error.
 *
 * Everything here works on Uint8Array and DataView: no Buffer, no file system (src/node/interop.ts
 * has the file helpers).
 */

/** The float dtypes halfspace reads (every one is converted to float64). */
export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16';
/** The dtypes halfspace writes. */
export type SafetensorsWriteDtype = 'F64' | 'F32';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2 };
/** Dtypes of the format that are valid but not float tensors halfspace can use. */
const OTHER_DTYPES = ['BOOL', 'U8', 'I8', 'I16', 'U16', 'I32', 'U32', 'I64', 'U64', 'F8_E4M3', 'F8_E5M2', 'F8_E8M0', 'F4', 'F6_E2M3', 'F6_E3M2', 'C64'];

/** The largest header read by default: 100 MB, as in the reference implementation. */
export const SAFETENSORS_MAX_HEADER_BYTES = 100_000_000;

/** One tensor of a file, converted to float64. */
export interface SafetensorsEntry {
  name: string;
  /** The dtype it was stored in. */
  dtype: SafetensorsDtype;
  shape: number[];
  tensor: Tensor;
}

/** A parsed file: tensors in header order and the `__metadata__` map (empty when absent). */
export interface SafetensorsContents {
  tensors: SafetensorsEntry[];
  metadata: Record<string, string>;
}

export interface ParseSafetensorsOptions {
  /** What to call the bytes in errors (a path, usually); default `<bytes>`. */
  source?: string;
  /** Header size cap in bytes; default {@link SAFETENSORS_MAX_HEADER_BYTES}. */
  maxHeaderBytes?: number;
}

// ---- a strict JSON reader for the header: duplicate keys are errors, keys go into Maps ------

type JsonValue = null | boolean | number | string | JsonValue[] | Map<string, JsonValue>;

class HeaderJson {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly fail: (msg: string) => never,
  ) {}

  parse(): JsonValue {
    const v = this.value(0);
    this.ws();
    if (this.i !== this.s.length) this.fail(`header JSON has trailing characters at position ${this.i}`);
    return v;
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  private value(depth: number): JsonValue {
    if (depth > 64) this.fail('header JSON nests deeper than 64 levels');
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === 't' && this.s.startsWith('true', this.i)) return (this.i += 4), true;
    if (c === 'f' && this.s.startsWith('false', this.i)) return (this.i += 5), false;
    if (c === 'n' && this.s.startsWith('null', this.i)) return (this.i += 4), null;
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i, this.i + 64));
    if (!m) this.fail(`header is not valid JSON at position ${this.i}`);
    this.i += m[0].length;
    return Number(m[0]);
  }

  private object(depth: number): Map<string, JsonValue> {
    const out = new Map<string, JsonValue>();
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') return this.i++, out;
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail(`header is not valid JSON at position ${this.i} (expected a key)`);
      const key = this.string();
      if (out.has(key)) this.fail(`duplicate name '${key}' in the header`);
      this.ws();
      if (this.s[this.i] !== ':') this.fail(`header is not valid JSON at position ${this.i} (expected ':')`);
      this.i++;
      out.set(key, this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail(`header is not valid JSON at position ${this.i - 1} (expected ',' or '}')`);
    }
  }

  private array(depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    this.i++;
    this.ws();
    if (this.s[this.i] === ']') return this.i++, out;
    for (;;) {
      out.push(this.value(depth + 1));
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail(`header is not valid JSON at position ${this.i - 1} (expected ',' or ']')`);
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      if (this.i >= this.s.length) this.fail(`header JSON has an unterminated string at position ${start}`);
      const c = this.s.charCodeAt(this.i);
      if (c === 0x22) break;
      if (c < 0x20) this.fail(`header JSON has a control character in a string at position ${this.i}`);
      this.i += c === 0x5c ? 2 : 1;
    }
    this.i++;
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string;
    } catch {
      return this.fail(`header JSON has an invalid string escape at position ${start}`);
    }
  }
}

// ---- reading ---------------------------------------------------------------------------------

function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function decode(view: DataView, offset: number, count: number, dtype: SafetensorsDtype): Float64Array {
  const out = new Float64Array(count);
  switch (dtype) {
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, true);
      break;
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16ToNumber(view.getUint16(offset + 2 * i, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32
      const scratch = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        scratch.setUint32(0, view.getUint16(offset + 2 * i, true) << 16, true);
        out[i] = scratch.getFloat32(0, true);
      }
      break;
    }
  }
  return out;
}

/** The entry's fields as a plain record; anything but dtype, shape, data_offsets is an error. */
function tensorInfo(name: string, raw: JsonValue, fail: (msg: string) => never): { dtype: SafetensorsDtype; shape: number[]; begin: number; end: number; count: number } {
  if (!(raw instanceof Map)) fail(`tensor '${name}': expected an object {dtype, shape, data_offsets}`);
  for (const key of raw.keys()) {
    if (key !== 'dtype' && key !== 'shape' && key !== 'data_offsets') fail(`tensor '${name}': unknown field '${key}' (expected dtype, shape, data_offsets)`);
  }
  const dtype = raw.get('dtype');
  if (typeof dtype !== 'string') fail(`tensor '${name}': dtype must be a string, got ${JSON.stringify(dtype ?? null)}`);
  if (!(dtype in DTYPE_BYTES)) {
    const known = OTHER_DTYPES.includes(dtype) ? 'a non-float or 8-bit dtype' : 'an unknown dtype';
    fail(`tensor '${name}': dtype '${dtype}' is ${known}; halfspace reads F64, F32, F16, BF16`);
  }
  const shape = raw.get('shape');
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fail(`tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(shape ?? null)}`);
  }
  const dims = shape as number[];
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (!Number.isSafeInteger(count)) fail(`tensor '${name}': shape ${shapeStr(dims)} has more elements than can be counted exactly`);
  }
  const offsets = raw.get('data_offsets');
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) {
    fail(`tensor '${name}': data_offsets must be two non-negative integers [begin, end], got ${JSON.stringify(offsets ?? null)}`);
  }
  const [begin, end] = offsets as number[];
  if (end < begin) fail(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
  return { dtype: dtype as SafetensorsDtype, shape: dims, begin, end, count };
}

/**
 * Parses a safetensors file from its bytes, validating it completely before any tensor is
 * decoded; every tensor comes back as float64. Errors are one line, start with
 * `safetensors <source>:` and name the tensor and the numbers at fault.
 *
 * @example
 * ```ts
 * import { parseSafetensors } from 'halfspace/io';
 * const { tensors, metadata } = parseSafetensors(new Uint8Array(await (await fetch('model.safetensors')).arrayBuffer()));
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, options: ParseSafetensorsOptions = {}): SafetensorsContents {
  const source = options.source ?? '<bytes>';
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`safetensors ${source}: ${msg}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the file as a Uint8Array');
  const cap = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER_BYTES;
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const n = hi * 2 ** 32 + lo; // exact while hi < 2^21; anything larger is over the cap anyway
  if (n > cap) fail(`header length ${hi >= 2 ** 21 ? `>= 2^53` : n} bytes is over the cap of ${cap} bytes`);
  if (8 + n > bytes.length) fail(`header length ${n} bytes runs past the end of the file (${bytes.length} bytes, so at most ${bytes.length - 8})`);
  if (n < 2) fail(`header length ${n} bytes is too short to hold a JSON object`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    return fail(`header (${n} bytes) is not valid UTF-8`);
  }
  if (text[0] !== '{') fail(`header does not start with '{' (got ${JSON.stringify(text.slice(0, 16))})`);
  const header = new HeaderJson(text, fail).parse();
  if (!(header instanceof Map)) return fail('header is not a JSON object');

  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const infos: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number; count: number }[] = [];
  for (const [name, raw] of header) {
    if (name === '__metadata__') {
      if (!(raw instanceof Map)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of raw) {
        if (typeof v !== 'string') fail(`__metadata__ '${k}' must be a string, got ${JSON.stringify(v instanceof Map ? Object.fromEntries(v) : v)}`);
        metadata[k] = v;
      }
      continue;
    }
    infos.push({ name, ...tensorInfo(name, raw, fail) });
  }

  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const byOffset = [...infos].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  let previous = '';
  for (const t of byOffset) {
    if (t.begin < expected) fail(`tensor '${t.name}' data_offsets [${t.begin}, ${t.end}] overlap '${previous}', which ends at ${expected}`);
    if (t.begin > expected) {
      fail(`tensor '${t.name}' data_offsets [${t.begin}, ${t.end}] leave a gap: bytes ${expected}..${t.begin} belong to no tensor`);
    }
    const span = t.end - t.begin;
    const want = t.count * DTYPE_BYTES[t.dtype];
    if (span !== want) {
      fail(`tensor '${t.name}': shape ${shapeStr(t.shape)} of ${t.dtype} needs ${want} bytes, but data_offsets [${t.begin}, ${t.end}] span ${span}`);
    }
    expected = t.end;
    previous = t.name;
  }
  if (expected > dataLength) {
    fail(`tensor '${previous}' ends at data offset ${expected}, past the end of the data (${dataLength} bytes after the ${n}-byte header)`);
  }
  if (expected < dataLength) fail(`the tensors cover ${expected} of the ${dataLength} data bytes; ${dataLength - expected} trailing bytes belong to no tensor`);

  // every size is now known to lie inside the file: decoding allocates at most its length in float64s
  const tensors = infos.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: t.shape,
    tensor: Tensor.fromArray(decode(view, dataStart + t.begin, t.count, t.dtype), t.shape),
  }));
  return { tensors, metadata: { ...metadata } };
}

// ---- writing ---------------------------------------------------------------------------------

export interface SerializeSafetensorsOptions {
  /** F64 (default, exact) or F32 (half the bytes, rounded to nearest). */
  dtype?: SafetensorsWriteDtype;
  /** The `__metadata__` map: string keys and string values. */
  metadata?: Record<string, string>;
}

/**
 * Writes tensors as a safetensors file, in the order given, with the header padded by spaces to
 * a multiple of 8 bytes (so every F64 tensor is 8-byte aligned, as the reference writer does).
 * Deterministic: the same tensors and metadata give the same bytes.
 *
 * @example
 * ```ts
 * import { Tensor } from 'halfspace';
 * import { serializeSafetensors } from 'halfspace/io';
 * const bytes = serializeSafetensors([['w', Tensor.from([[1, 2], [3, 4]])]], { metadata: { note: 'hi' } });
 * ```
 */
export function serializeSafetensors(tensors: readonly (readonly [string, Tensor])[] | Record<string, Tensor>, options: SerializeSafetensorsOptions = {}): Uint8Array {
  const dtype = options.dtype ?? 'F64';
  if (dtype !== 'F64' && dtype !== 'F32') throw new Error(`serializeSafetensors: dtype must be F64 or F32, got ${JSON.stringify(dtype)}`);
  const list = Array.isArray(tensors) ? (tensors as readonly (readonly [string, Tensor])[]) : Object.entries(tensors);
  const size = DTYPE_BYTES[dtype];
  const header: Record<string, unknown> = {};
  const meta = options.metadata;
  if (meta !== undefined) {
    for (const [k, v] of Object.entries(meta)) {
      if (typeof v !== 'string') throw new Error(`serializeSafetensors: metadata '${k}' must be a string, got ${JSON.stringify(v)}`);
    }
    header.__metadata__ = meta;
  }
  const seen = new Set<string>();
  let offset = 0;
  for (const [name, t] of list) {
    if (name === '__metadata__') throw new Error("serializeSafetensors: '__metadata__' is reserved and cannot name a tensor");
    if (seen.has(name)) throw new Error(`serializeSafetensors: duplicate tensor name '${name}'`);
    if (!(t instanceof Tensor)) throw new Error(`serializeSafetensors: '${name}' is not a Tensor`);
    seen.add(name);
    const bytes = t.size * size;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const [, t] of list) {
    const v = t.values();
    if (dtype === 'F64') for (let i = 0; i < v.length; i++, at += 8) view.setFloat64(at, v[i], true);
    else for (let i = 0; i < v.length; i++, at += 4) view.setFloat32(at, v[i], true);
  }
  return out;
}

// ---- models ----------------------------------------------------------------------------------

/** The metadata key holding a model's config (JSON text of the resolved config). */
export const SAFETENSORS_CONFIG_KEY = 'config';

const CONFIG_FIELDS: readonly (keyof ResolvedConfig)[] = ['kind', 'inputDim', 'widths', 'outputDim', 'bias', 'features', 'gate', 'beta', 'valueInput'];

/** The resolved config as JSON text with the fields in a fixed order. */
export function configJson(config: ResolvedConfig): string {
  return JSON.stringify(Object.fromEntries(CONFIG_FIELDS.map((f) => [f, config[f]])));
}

/**
 * A model as safetensors bytes: every parameter under its canonical name, in canonical order, and
 * `__metadata__` = { format: 'pt', config: <the resolved config as JSON> }, which
 * `python/halfspace_torch.py` and {@link importSafetensors} read back.
 *
 * @example
 * ```ts
 * import { createModel } from 'halfspace';
 * import { modelToSafetensors } from 'halfspace/io';
 * const bytes = modelToSafetensors(createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }));
 * ```
 */
export function modelToSafetensors(model: Model, options: { dtype?: SafetensorsWriteDtype } = {}): Uint8Array {
  if (!(model instanceof Network)) throw new Error('modelToSafetensors: expected a model (one of the five families)');
  const tensors = model.namedParameters().map(([name, p]) => [name, p.value] as const);
  return serializeSafetensors(tensors, { dtype: options.dtype, metadata: { format: 'pt', [SAFETENSORS_CONFIG_KEY]: configJson(model.config) } });
}

export interface ImportOptions {
  /** The model config; default: the `config` entry of the file's `__metadata__`. */
  config?: ModelConfig;
  /**
   * Renames applied to the file's tensor names before matching: `{ "fc1.weight": "layers.0.weight" }`.
   * A key ending in '.' renames a prefix: `{ "module.": "" }` strips DistributedDataParallel's.
   */
  rename?: Record<string, string>;
  /**
   * As PyTorch's `load_state_dict(strict=...)`: strict (default) refuses missing and unexpected
   * names, listing them; non-strict keeps missing parameters at their initial values (seed 0)
   * and ignores unexpected tensors, and reports both. Shapes must match either way.
   */
  strict?: boolean;
  /** What to call the bytes in errors; default `<bytes>`. */
  source?: string;
  maxHeaderBytes?: number;
  /**
   * The most parameters the config may describe, checked before the model is built; default
   * 2^26 (512 MiB of float64). Raise it to import a bigger model (`halfspace import --max-parameters N`).
   */
  maxParameters?: number;
}

export interface ImportResult {
  model: Model;
  config: ResolvedConfig;
  /** Parameters the file did not provide (kept at initial values; non-strict only). */
  missing: string[];
  /** File tensors (after renaming) that are not parameters of the model (non-strict only). */
  unexpected: string[];
  /** Dtype of each loaded parameter as stored. */
  dtypes: Record<string, SafetensorsDtype>;
  metadata: Record<string, string>;
}

function applyRename(name: string, rename: Record<string, string>): string {
  if (Object.hasOwn(rename, name)) return rename[name];
  // longest matching prefix rule wins
  let best = '';
  for (const k of Object.keys(rename)) if (k.endsWith('.') && name.startsWith(k) && k.length > best.length) best = k;
  return best ? rename[best] + name.slice(best.length) : name;
}

/**
 * Builds a model from a safetensors file (a state dict saved by `python/halfspace_torch.py`, by
 * `safetensors.torch.save_file`, or by {@link modelToSafetensors}). F64, F32, F16 and BF16 are
 * accepted and converted to float64. Errors name the tensor and the numbers.
 *
 * @example
 * ```ts
 * import { importSafetensors } from 'halfspace/io';
 * const { model, missing } = importSafetensors(bytes, { rename: { 'module.': '' } });
 * ```
 */
export function importSafetensors(bytes: Uint8Array, options: ImportOptions = {}): ImportResult {
  const source = options.source ?? '<bytes>';
  const fail: (msg: string) => never = (msg) => {
    throw new Error(`import ${source}: ${msg}`);
  };
  const contents = parseSafetensors(bytes, { source, maxHeaderBytes: options.maxHeaderBytes });
  let raw: unknown = options.config;
  if (raw === undefined) {
    const text = contents.metadata[SAFETENSORS_CONFIG_KEY];
    if (text === undefined) {
      fail(`no model config: the file's __metadata__ has no '${SAFETENSORS_CONFIG_KEY}' entry; give one (--config config.json, or options.config)`);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      fail(`__metadata__ '${SAFETENSORS_CONFIG_KEY}' is not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  let config: ResolvedConfig;
  try {
    config = resolveConfig(raw as ModelConfig);
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  // validate before allocating: a config in a few bytes of metadata must not build gigabytes
  const cap = options.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  let count: number;
  try {
    count = checkParameterCap(config, cap, 'maxParameters');
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  const held = contents.tensors.reduce((a, t) => a + t.tensor.size, 0);
  if ((options.strict ?? true) && held < count && count > 2 ** 20) {
    fail(`the config describes ${count} parameters, but the file's tensors hold only ${held} values (a strict import needs them all)`);
  }
  let model: Model;
  try {
    model = createModel(config, { rng: 0, maxValueEntries: Math.max(cap, 2 ** 25) });
  } catch (e) {
    return fail(`cannot build the ${config.kind} model: ${e instanceof Error ? e.message : String(e)}`);
  }
  const params = new Map(model.namedParameters());
  const rename = options.rename ?? {};
  for (const [k, v] of Object.entries(rename)) {
    if (typeof v !== 'string') fail(`rename map: '${k}' must map to a string, got ${JSON.stringify(v)}`);
  }
  const strict = options.strict ?? true;

  const byTarget = new Map<string, SafetensorsEntry>();
  const unexpected: string[] = [];
  for (const t of contents.tensors) {
    const target = applyRename(t.name, rename);
    const prior = byTarget.get(target);
    if (prior) fail(`tensors '${prior.name}' and '${t.name}' both become '${target}' after renaming`);
    byTarget.set(target, t);
    if (!params.has(target)) unexpected.push(target === t.name ? target : `${target} (from '${t.name}')`);
  }
  const missing = [...params.keys()].filter((n) => !byTarget.has(n));
  if (strict && (missing.length > 0 || unexpected.length > 0)) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing ${missing.map((n) => `'${n}'`).join(', ')}`);
    if (unexpected.length > 0) parts.push(`unexpected ${unexpected.map((n) => `'${n}'`).join(', ')}`);
    fail(`state dict does not match a ${config.kind} ${archLabel(config)}: ${parts.join('; ')} (use a rename map, or non-strict to load the rest)`);
  }
  const dtypes: Record<string, SafetensorsDtype> = {};
  for (const [name, p] of params) {
    const t = byTarget.get(name);
    if (!t) continue;
    const want = p.value.shape;
    if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      fail(`tensor '${t.name}' has shape ${shapeStr(t.shape)}, but parameter '${name}' is ${shapeStr(want)}`);
    }
    const v = t.tensor.values();
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) fail(`tensor '${t.name}' holds ${v[i]} at flat index ${i}; parameters must be finite`);
    }
  }
  for (const [name, p] of params) {
    const t = byTarget.get(name);
    if (!t) continue;
    p.value.data.set(t.tensor.values());
    dtypes[name] = t.dtype;
  }
  return { model, config, missing, unexpected, dtypes, metadata: contents.metadata };
}
