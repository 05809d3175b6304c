// Model configurations: the fields of docs/math.md's families, validated with errors that name the field.

import { clip, clipText } from '../tensor/errors.js';

/** The five families of docs/math.md (`dnn` is the ReLU network). */
export type ModelKind = 'dln' | 'dnn' | 'dgn' | 'dlgn' | 'dlgn-vt';

/** What every family's config has: the sizes and whether it has biases. */
interface BaseConfig {
  inputDim: number;
  /** Hidden widths m_1..m_L (L >= 1). */
  widths: number[];
  outputDim: number;
  /** Biases everywhere (default true). */
  bias?: boolean;
}

/** The fields the gated families read. */
interface GatedFields {
  /** Gating features: `cf` composite (deep linear gating, the DLGN default) or `sf` shallow. */
  features?: 'cf' | 'sf';
  /** Soft gates sigma(beta z) or hard gates 1[z > 0]. */
  gate?: 'soft' | 'hard';
  /** Inverse temperature of soft gates, > 0 (default 10). */
  beta?: number;
  /** Value network input: all ones (the DLGN default) or x (the DGN default). */
  valueInput?: 'ones' | 'input';
}

/**
 * A deep linear network. The gated fields are accepted and ignored (a resolved config states
 * them for every family, and configs are often built by spreading one into another).
 */
export interface DLNConfig extends BaseConfig, GatedFields {
  kind: 'dln';
}

/** A ReLU network (gated fields ignored, as for `DLNConfig`). */
export interface DNNConfig extends BaseConfig, GatedFields {
  kind: 'dnn';
}

/** A deep gated network: ReLU gating features, a gated value network (value input x by default). */
export interface DGNConfig extends BaseConfig, GatedFields {
  kind: 'dgn';
}

/** A deep linearly gated network: linear gating, a gated value network (value input ones by default). */
export interface DLGNConfig extends BaseConfig, GatedFields {
  kind: 'dlgn';
}

/** A DLGN with a value tensor: shallow gates only and no value network, so `features` is `sf` and `valueInput` `ones`. */
export interface DLGNVTConfig extends BaseConfig, GatedFields {
  kind: 'dlgn-vt';
  features?: 'sf';
  valueInput?: 'ones';
}

/**
 * A model's architecture, one variant per family (narrow it on `kind`), with the field names
 * of the PyTorch fixtures (`docs/fixtures.md`). `resolveConfig` checks it at run time as well:
 * a config read from a file is not typed.
 */
export type ModelConfig = DLNConfig | DNNConfig | DGNConfig | DLGNConfig | DLGNVTConfig;

/** Every field filled in, for a set of kinds. */
type Filled<C extends ModelConfig> = Required<C>;

/** A config with every default filled in (what `model.config` holds and a checkpoint stores), one variant per family. */
export type ResolvedConfig = Filled<DLNConfig> | Filled<DNNConfig> | Filled<DGNConfig> | Filled<DLGNConfig> | Filled<DLGNVTConfig>;

const KINDS: readonly ModelKind[] = ['dln', 'dnn', 'dgn', 'dlgn', 'dlgn-vt'];
const KNOWN_FIELDS = new Set(['kind', 'inputDim', 'widths', 'outputDim', 'bias', 'features', 'gate', 'beta', 'valueInput']);

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`model config: ${field} must be a positive integer, got ${clip(v)}`);
  }
  return v;
}

function oneOf<T extends string>(field: string, v: unknown, options: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!options.includes(v as T)) {
    throw new Error(`model config: ${field} must be one of ${options.join(', ')}, got ${clip(v)}`);
  }
  return v as T;
}

/**
 * Checks a config and fills defaults: bias true; features `cf` (`sf` for dlgn-vt, which docs/math.md
 * defines with shallow gates); gate `soft`; beta 10 (the middle of the paper's {3, 10, 30});
 * valueInput `ones` for DLGN (every input-dependence through the gates) and `input` for DGN.
 */
export function resolveConfig(config: ModelConfig): ResolvedConfig {
  if (typeof config !== 'object' || config === null) throw new Error('model config: expected an object');
  for (const key of Object.keys(config)) {
    if (!KNOWN_FIELDS.has(key)) throw new Error(`model config: unknown field '${clipText(key)}'`);
  }
  const kind = oneOf('kind', config.kind, KINDS, undefined as unknown as ModelKind);
  if (kind === undefined) throw new Error(`model config: kind is required (one of ${KINDS.join(', ')})`);
  const inputDim = positiveInt('inputDim', config.inputDim);
  const outputDim = positiveInt('outputDim', config.outputDim);
  if (!Array.isArray(config.widths) || config.widths.length === 0) {
    throw new Error(`model config: widths must be a non-empty list of positive integers, got ${clip(config.widths)}`);
  }
  const widths = config.widths.map((w, i) => positiveInt(`widths[${i}]`, w));
  if (config.bias !== undefined && typeof config.bias !== 'boolean') {
    throw new Error(`model config: bias must be true or false, got ${clip(config.bias)}`);
  }
  const features = oneOf('features', config.features, ['cf', 'sf'] as const, kind === 'dlgn-vt' ? 'sf' : 'cf');
  if (kind === 'dlgn-vt' && features !== 'sf') {
    throw new Error("model config: features must be 'sf' for dlgn-vt (its gates all read x)");
  }
  if (kind === 'dlgn-vt' && config.valueInput !== undefined && config.valueInput !== 'ones') {
    throw new Error('model config: valueInput does not apply to dlgn-vt (it has no value network)');
  }
  const beta = config.beta ?? 10;
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
    throw new Error(`model config: beta must be a finite number > 0, got ${clip(config.beta)}`);
  }
  return {
    kind,
    inputDim,
    widths,
    outputDim,
    bias: config.bias ?? true,
    features,
    gate: oneOf('gate', config.gate, ['soft', 'hard'] as const, 'soft'),
    beta,
    valueInput: oneOf('valueInput', config.valueInput, ['ones', 'input'] as const, kind === 'dgn' ? 'input' : 'ones'),
  } as ResolvedConfig; // a dlgn-vt's features ('sf') and valueInput ('ones') were checked above
}

/**
 * The number of parameters a model with this config has, computed from the config alone (no
 * allocation), so a size from outside can be checked before anything is built. Counts can exceed
 * 2^53 (a huge DLGN-VT value tensor); they are then inexact but still over any cap.
 *
 * @example
 * ```ts
 * parameterCount({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }); // 77
 * ```
 */
export function parameterCount(config: ModelConfig): number {
  const c = resolveConfig(config);
  const b = c.bias ? 1 : 0;
  const linear = (fanIn: number, m: number): number => fanIn * m + b * m;
  const chain = (): number => {
    const dims = [c.inputDim, ...c.widths];
    let n = 0;
    for (let l = 0; l < c.widths.length; l++) n += linear(dims[l], c.widths[l]);
    return n + linear(dims[dims.length - 1], c.outputDim);
  };
  if (!isGated(c.kind)) return chain();
  let gating = 0;
  for (let l = 0; l < c.widths.length; l++) gating += linear(c.features === 'sf' || l === 0 ? c.inputDim : c.widths[l - 1], c.widths[l]);
  if (c.kind === 'dlgn-vt') return gating + c.outputDim * c.widths.reduce((p, m) => p * m, 1);
  return gating + chain();
}

/** The default cap on a model read from outside (checkpoint, safetensors): 2^26 parameters (512 MiB of float64). */
export const DEFAULT_MAX_PARAMETERS = 2 ** 26;

/** Whether a family has gates (a dgn, dlgn or dlgn-vt); the dln and the ReLU net (dnn) have none. */
export function isGated(kind: ModelKind): boolean {
  return kind !== 'dln' && kind !== 'dnn';
}

/**
 * The families by the names users give them (the CLI's `--model`, experiment keys, benchmark
 * cases), each with its display label and what it is as a config: the one map between the
 * three vocabularies. `kind` alone does not name a family: dlgn and dlgn-sf are both kind
 * 'dlgn', told apart by `features`.
 */
export const FAMILY_NAMES = {
  dlgn: { label: 'DLGN', kind: 'dlgn', features: 'cf' },
  'dlgn-sf': { label: 'DLGN-SF', kind: 'dlgn', features: 'sf' },
  'dlgn-vt': { label: 'DLGN-VT', kind: 'dlgn-vt', features: 'sf' },
  dgn: { label: 'DGN', kind: 'dgn', features: undefined },
  relu: { label: 'ReLU', kind: 'dnn', features: undefined },
  linear: { label: 'DLN', kind: 'dln', features: undefined },
} as const satisfies Record<string, { label: string; kind: ModelKind; features: 'cf' | 'sf' | undefined }>;

/** A family's user-facing name: dlgn, dlgn-sf, dlgn-vt, dgn, relu, linear. */
export type FamilyName = keyof typeof FAMILY_NAMES;

/** Every family name, in the order of `FAMILY_NAMES`. */
export const FAMILY_LIST = Object.keys(FAMILY_NAMES) as FamilyName[];

/**
 * The config of the named family: its kind and features, with the rest from `rest`. Options a
 * family does not have are dropped (beta, gate and valueInput for relu and linear; valueInput
 * for dlgn-vt), so one set of options can build every family.
 *
 * @example
 * ```ts
 * familyConfig('dlgn-sf', { inputDim: 2, widths: [8, 8], outputDim: 2, beta: 3 }); // kind 'dlgn', features 'sf'
 * ```
 */
export function familyConfig(name: FamilyName, rest: Omit<ModelConfig, 'kind' | 'features'>): ModelConfig {
  const f = FAMILY_NAMES[name];
  const { beta, gate, valueInput, ...plain } = rest;
  if (!isGated(f.kind)) return { ...plain, kind: f.kind };
  const gated = { ...plain, kind: f.kind, features: f.features, ...(beta === undefined ? {} : { beta }), ...(gate === undefined ? {} : { gate }) };
  // FAMILY_NAMES pairs each kind with its features (sf for dlgn-vt), and a dlgn-vt gets no valueInput
  return (hasValueTensor(f.kind) || valueInput === undefined ? gated : { ...gated, valueInput }) as ModelConfig;
}

/** The family name of a config (the inverse of `familyConfig` on kind and features). */
export function familyOf(c: { kind: ModelKind; features?: 'cf' | 'sf' }): FamilyName {
  if (c.kind === 'dlgn') return (c.features ?? 'cf') === 'sf' ? 'dlgn-sf' : 'dlgn';
  return FAMILY_LIST.find((n) => FAMILY_NAMES[n].kind === c.kind)!;
}

/** Whether a family has a value tensor (one free value per path) instead of a value network: dlgn-vt. */
export function hasValueTensor(kind: ModelKind): boolean {
  return kind === 'dlgn-vt';
}

/**
 * Whether a path from input i starts with the value x_i (true) or with 1 (false): DLN and ReLU
 * nets read x; DGN and DLGN follow `valueInput` (default 'input' for dgn, 'ones' for dlgn);
 * DLGN-VT has no value input, so its paths carry no x_i.
 */
export function startsAtInput(c: { kind: ModelKind; valueInput?: 'ones' | 'input' }): boolean {
  if (!isGated(c.kind)) return true;
  if (hasValueTensor(c.kind)) return false;
  return (c.valueInput ?? (c.kind === 'dgn' ? 'input' : 'ones')) === 'input';
}

/** Whether a family's gates are half-spaces of the input space (dlgn and dlgn-vt: linear gating). */
export function hasHalfspaceGates(kind: ModelKind): boolean {
  return kind === 'dlgn' || kind === 'dlgn-vt';
}

/**
 * The architecture label used in messages, figures and reports: `d-[w_1,..,w_L]-k`, e.g.
 * `2-[16,16,16]-2`. Past 8 layers (a hostile or mistaken config) the list is cut:
 * `2-[1,1,1,1,1,1,1,1,... 1000000 layers]-2`.
 */
export function archLabel(c: { readonly inputDim: number; readonly widths: readonly number[]; readonly outputDim: number }): string {
  const w = c.widths;
  const list = w.length > 8 ? `${w.slice(0, 8).join(',')},... ${w.length} layers` : w.join(',');
  return `${c.inputDim}-[${list}]-${c.outputDim}`;
}

/**
 * Throws unless a config read from `what` describes at most `cap` parameters; the message names
 * the count, the cap and the option that lifts it. Call it before building the model.
 */
export function checkParameterCap(config: ModelConfig, cap: number, option: string): number {
  const n = parameterCount(config);
  if (n > cap) {
    const c = resolveConfig(config);
    throw new Error(
      `a ${c.kind} ${archLabel(c)} has ${n} parameters (${(n * 8 / 2 ** 20).toFixed(0)} MiB), over the cap of ${cap}; raise ${option} to allow it`,
    );
  }
  return n;
}
