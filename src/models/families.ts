// The five model families of docs/math.md, each computing its output and exposing its gates.

import { type Var, asVar, noGrad } from '../autograd/engine.js';
import { mul } from '../autograd/ops/elementwise.js';
import { relu, scaledSigmoid, step } from '../autograd/ops/activation.js';
import { augmentedLinear, composeAffine, gatedLinear, matmul, rowContract, rowOuter, softGatedLinear } from '../autograd/ops/linalg.js';
import { reshape, transpose } from '../autograd/ops/movement.js';
import { shapeStr } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { type CheckpointJson, checkpointFromJson, checkpointJson, parseCheckpoint } from './checkpoint.js';
import { type DLGNVTConfig, type ModelConfig, type ResolvedConfig, archLabel, isGated, resolveConfig, startsAtInput } from './config.js';
import { type InitOptions, type Linear, Module, initLinear, makeLinear, toRng } from './module.js';

/** A gating unit as an affine function of the input: on where `weight . x + bias > 0`. */
export interface HalfSpaces {
  /** [m_l, d] */
  weight: Tensor;
  /** [m_l] */
  bias: Tensor;
}

/** What one pass computes: the output and the gate values of every hidden layer. */
export interface Pass {
  out: Var;
  /** Per hidden layer, [n, m_l]: exactly the values the output was computed with. */
  gates: Var[];
}

/**
 * What a network's paths are made of, as the paths code (src/paths) reads them; each family
 * writes its own (`pathStructure()`), so the paths code never looks parameters up by name.
 * `layers`: a value network, paths start at an input (its value 1, or x_i when `startsAtInput`)
 * or at a bias, visit one unit per layer and end in the output layer (weights [m_l, m_{l-1}]).
 * `value-tensor`: one free value per path and output, V [k, m_1, ..., m_L]. The tensors are
 * the parameters themselves (contiguous), to be read, not written.
 */
export type PathStructure =
  | {
      readonly kind: 'layers';
      readonly startsAtInput: boolean;
      readonly weights: readonly Tensor[];
      readonly biases: readonly (Tensor | null)[];
      readonly outWeight: Tensor;
      readonly outBias: Tensor | null;
    }
  | { readonly kind: 'value-tensor'; readonly value: Tensor };

/**
 * Every family shares this surface: `forward`, `gates`, named parameters, and (for gated linear
 * kinds) `halfspaces`. `gates` and `forward` run the same `pass`, so they cannot disagree.
 */
export abstract class Network extends Module {
  readonly config: ResolvedConfig;

  protected constructor(config: ResolvedConfig) {
    super();
    this.config = config;
  }

  /** The one place each family's computation is written. */
  abstract pass(x: Var): Pass;

  /** What this network's paths are made of (see `PathStructure`). */
  abstract pathStructure(): PathStructure;

  /** The network output [n, k] for inputs [n, d]; a NaN or infinite input is refused, naming row and column. */
  forward(x: Var | Tensor): Var {
    return this.pass(this.checkInput('forward', x)).out;
  }

  /** The gate values of every hidden layer for inputs [n, d], each [n, m_l]; not recorded. */
  gates(x: Tensor): Tensor[] {
    return noGrad(() => this.pass(this.checkInput('gates', x)).gates.map((g) => g.value));
  }

  /**
   * The effective half-spaces of every gating layer. Only gated *linear* networks have them;
   * for a ReLU net or DGN a gate is not a half-space of the input, and this says so.
   */
  halfspaces(): HalfSpaces[] {
    throw new Error(
      `halfspaces: a ${this.config.kind} network's gates are not half-spaces of the input space (only dlgn and dlgn-vt gates are)`,
    );
  }

  /**
   * Sets the inverse temperature of soft gates sigma(beta z) in place; the next pass uses it.
   * Only soft-gated networks (dgn, dlgn, dlgn-vt with `gate: 'soft'`) have one; this says so.
   */
  setBeta(_beta: number): void {
    throw new Error(`setBeta: a ${this.config.kind} network has no beta (only soft-gated dgn, dlgn and dlgn-vt networks have one)`);
  }

  protected checkInput(op: string, x: Var | Tensor): Var {
    const v = asVar(x);
    if (v.value.ndim !== 2 || v.shape[1] !== this.config.inputDim) {
      throw new Error(`${op}: expected input [n, ${this.config.inputDim}], got ${shapeStr(v.shape)}`);
    }
    // refused, not propagated: a hard gate reads 1[NaN > 0] = 0, so a NaN input could come out
    // as a finite, wrong output; one pass over n x d values, small next to the layers' n x d x m
    const xs = v.value.values();
    for (let k = 0; k < xs.length; k++) {
      if (!Number.isFinite(xs[k])) {
        const d = this.config.inputDim;
        throw new Error(
          `${op}: input holds ${xs[k]} at row ${Math.floor(k / d)}, column ${k % d}; inputs must be finite ` +
            '(a NaN gate would read as off and could give a finite, wrong output)',
        );
      }
    }
    return v;
  }

  /**
   * The checkpoint of this model as a JSON value (docs/checkpoint-format.md), so
   * `JSON.stringify(model)` writes a checkpoint that {@link Network.fromJSON} and
   * `parseCheckpoint` read back. For canonical bytes and training metadata use
   * `serializeCheckpoint(model, meta)`.
   */
  toJSON(): CheckpointJson {
    return checkpointJson(this as unknown as Model);
  }

  /**
   * The model a checkpoint describes, from its JSON value (`model.toJSON()`, `JSON.parse` of a
   * file) or its text; every check of `parseCheckpoint` applies. Called on a family
   * (`DLGN.fromJSON(...)`), it also checks the checkpoint holds that family.
   *
   * @example
   * ```ts
   * import { DLGN, Network, Tensor, createModel } from 'halfspace';
   * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [4, 4], outputDim: 1 }, { rng: 3 });
   * const back = Network.fromJSON(JSON.stringify(net));
   * const x = Tensor.from([[0.5, -1]]);
   * console.assert(back.forward(x).value.item() === net.forward(x).value.item());
   * console.assert(DLGN.fromJSON(net.toJSON()) instanceof DLGN);
   * ```
   */
  static fromJSON(json: unknown, source?: string): Model {
    const { model } = typeof json === 'string' ? parseCheckpoint(json, source) : checkpointFromJson(json, source);
    const kind = model.config.kind;
    if (!(model instanceof this)) {
      throw new Error(`${this.name}.fromJSON: the checkpoint${source === undefined ? '' : ` ${source}`} holds a ${kind} network`);
    }
    return model;
  }

  override toString(): string {
    const c = this.config;
    const arch = archLabel(c);
    const opts =
      !isGated(c.kind)
        ? `bias=${c.bias}`
        : `features=${c.features}, gate=${c.gate}, beta=${c.beta}${c.kind === 'dlgn-vt' ? '' : `, valueInput=${c.valueInput}`}, bias=${c.bias}`;
    return `${this.constructor.name} ${arch} (${opts}), ${this.numParameters()} parameters\n${this.summary()}`;
  }
}

/** Layers `layers.{l}` and `out` of the plain networks. */
abstract class PlainNet extends Network {
  protected readonly layers: Linear[];
  protected readonly out: Linear;

  protected constructor(config: ResolvedConfig, options: InitOptions) {
    super(config);
    const rng = toRng(options.rng);
    const reg = (n: string, v: Tensor): Var => this.param(n, v);
    const dims = [config.inputDim, ...config.widths];
    this.layers = config.widths.map((m, l) => makeLinear(reg, `layers.${l}`, dims[l], m, config.bias, rng, options.init ?? 'torch', options.std));
    this.out = makeLinear(reg, 'out', dims[dims.length - 1], config.outputDim, config.bias, rng, options.init ?? 'torch', options.std);
  }

  pathStructure(): PathStructure {
    return layerPaths(startsAtInput(this.config), this.layers, this.out);
  }
}

/** The `layers` path structure of a value network with these layers and output layer. */
function layerPaths(startsAtInput: boolean, layers: readonly Linear[], out: Linear): PathStructure {
  return {
    kind: 'layers',
    startsAtInput,
    weights: layers.map((l) => l.weight.value.contiguous()),
    biases: layers.map((l) => l.bias?.value.contiguous() ?? null),
    outWeight: out.weight.value.contiguous(),
    outBias: out.bias?.value.contiguous() ?? null,
  };
}

/** Deep linear network: h_l = W_l h_{l-1} + b_l; every gate is 1. */
export class LinearNet extends PlainNet {
  constructor(config: Omit<ModelConfig, 'kind'>, options: InitOptions = {}) {
    super(resolveConfig({ ...config, kind: 'dln' }), options);
  }

  pass(x: Var): Pass {
    let h = x;
    const gates: Var[] = [];
    for (const layer of this.layers) {
      h = layer.forward(h);
      gates.push(asVar(Tensor.ones(h.shape)));
    }
    return { out: this.out.forward(h), gates };
  }
}

/** ReLU network: G_l = 1[z_l > 0], h_l = G_l (*) z_l (relu'(0) = 0). */
export class ReLUNet extends PlainNet {
  constructor(config: Omit<ModelConfig, 'kind'>, options: InitOptions = {}) {
    super(resolveConfig({ ...config, kind: 'dnn' }), options);
  }

  pass(x: Var): Pass {
    let h = x;
    const gates: Var[] = [];
    for (const layer of this.layers) {
      const z = layer.forward(h);
      gates.push(step(z));
      h = relu(z);
    }
    return { out: this.out.forward(h), gates };
  }
}

/** Gates from gating pre-activations: sigma(beta z) (soft) or 1[z > 0] (hard, no gradient). */
function gateOf(z: Var, config: ResolvedConfig): Var {
  return config.gate === 'hard' ? step(z) : scaledSigmoid(z, config.beta);
}

/** The gating network `gate.{l}` shared by DGN, DLGN (cf or sf) and DLGN-VT. */
abstract class GatedBase extends Network {
  protected readonly gating: Linear[];

  protected constructor(config: ResolvedConfig, options: InitOptions, rng: ReturnType<typeof toRng>) {
    super(config);
    const reg = (n: string, v: Tensor): Var => this.param(n, v);
    const d = config.inputDim;
    this.gating = config.widths.map((m, l) => {
      const fanIn = config.features === 'sf' || l === 0 ? d : config.widths[l - 1];
      return makeLinear(reg, `gate.${l}`, fanIn, m, config.bias, rng, options.init ?? 'torch', options.std);
    });
  }

  /**
   * Whether a composite linear gating network is evaluated through its effective half-spaces
   * (see `gatingPreActivations`): DLGN with `cf` features when the input is narrower than every
   * gating layer that feeds another. It depends on the architecture alone, never on the batch,
   * so a sample's gates come out with the same bits in any batch.
   */
  get effectiveGating(): boolean {
    const c = this.config;
    if (c.kind !== 'dlgn' || c.features !== 'cf' || c.widths.length < 2) return false;
    return c.widths.slice(0, -1).every((m) => c.inputDim < m);
  }

  /**
   * Gating pre-activations z^g_l for every layer.
   *
   * A DLGN's gating network is linear, so z^g_l = W_eff_l x + b_eff_l with W_eff_l =
   * W_l W_eff_{l-1}, b_eff_l = W_l b_eff_{l-1} + b_l (the half-spaces of `halfspaces()`, the
   * very same products). When `effectiveGating` holds, each layer is computed that way from x:
   * n d m_l multiply-adds for the layer plus m_l m_{l-1} d for its effective weights (shared by
   * the batch), against n m_{l-1} m_l layer by layer: 8x fewer for 2-[16x4]-2. The gradient
   * flows back through the same products, so it is the gradient of the same function; only the
   * rounding differs from the layered evaluation, by reassociating sums (relative ~1e-16).
   */
  protected gatingPreActivations(x: Var): Var[] {
    if (this.effectiveGating) return this.effectivePreActivations(x);
    const zs: Var[] = [];
    let a = x;
    for (const layer of this.gating) {
      const z = layer.forward(this.config.features === 'sf' ? x : a);
      zs.push(z);
      // DGN: the gating network has ReLU layers; DLGN: it is linear (a_l = z_l)
      a = this.config.kind === 'dgn' ? relu(z) : z;
    }
    return zs;
  }

  /**
   * z^g_l = x W_eff_l^T + b_eff_l, with [W_eff_l | b_eff_l] built by `composeAffine` (a
   * differentiable node per layer) and evaluated on x by `augmentedLinear`.
   */
  private effectivePreActivations(x: Var): Var[] {
    const zs: Var[] = [];
    let aug: Var | null = null;
    for (const layer of this.gating) {
      aug = composeAffine(layer.weight, layer.bias, aug);
      zs.push(augmentedLinear(x, aug));
    }
    return zs;
  }

  /**
   * Sets beta, the inverse temperature of the soft gates sigma(beta z), in place: the next
   * `forward` and `gates` use it and `config.beta` reports it. `fit`'s `betaSchedule` anneals
   * beta through this at the start of every epoch. Beta must be a finite number > 0, and the
   * network must have soft gates (a hard gate 1[z > 0] has no beta).
   *
   * @example
   * ```ts
   * const net = new DLGN({ inputDim: 2, widths: [8, 8], outputDim: 2, beta: 1 }, { rng: 1 });
   * const x = Tensor.from([[0.3, -0.2]]);
   * const soft = net.gates(x)[0];
   * net.setBeta(30); // sharper gates, closer to 1[z > 0]
   * console.assert(net.config.beta === 30 && net.gates(x)[0].get(0, 0) !== soft.get(0, 0));
   * ```
   */
  override setBeta(beta: number): void {
    const c = this.config;
    if (c.gate !== 'soft') throw new Error(`setBeta: this ${c.kind} network has hard gates; beta only scales soft gates sigma(beta z)`);
    if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
      throw new Error(`setBeta: beta must be a finite number > 0, got ${String(beta)}`);
    }
    // config is this network's own object (resolveConfig builds a fresh one), read at every pass
    c.beta = beta;
  }

  override halfspaces(): HalfSpaces[] {
    if (this.config.kind === 'dgn') return super.halfspaces();
    // cf: [W_eff_l | b_eff_l] = W_l [W_eff_{l-1} | b_eff_{l-1}] + [0 | b_l], by the very node the
    // effective forward records (so its gates are these half-spaces to the bit); sf: W_l, b_l
    return noGrad(() => {
      let aug: Var | null = null;
      return this.gating.map((layer) => {
        aug = composeAffine(layer.weight, layer.bias, this.config.features === 'sf' ? null : aug);
        const a = aug.value;
        const d = a.shape[1] - 1;
        return { weight: a.slice(null, [0, d]).contiguous(), bias: a.slice(null, [d, d + 1]).reshape([a.shape[0]]).contiguous() };
      });
    });
  }

}

/**
 * The value network `value.{l}`: v_0 is ones or x, v_l = G_l (*) (W^v_l v_{l-1} + b^v_l),
 * out = W_o v_L + b_o. Shared by DGN and DLGN.
 */
abstract class ValueGated extends GatedBase {
  protected readonly values: Linear[];
  protected readonly out: Linear;

  protected constructor(config: ResolvedConfig, options: InitOptions) {
    const rng = toRng(options.rng);
    super(config, options, rng);
    const reg = (n: string, v: Tensor): Var => this.param(n, v);
    const dims = [config.inputDim, ...config.widths];
    const scheme = options.init ?? 'torch';
    this.values = config.widths.map((m, l) => makeLinear(reg, `value.${l}`, dims[l], m, config.bias, rng, scheme, options.std));
    this.out = makeLinear(reg, 'out', dims[dims.length - 1], config.outputDim, config.bias, rng, scheme, options.std);
  }

  pathStructure(): PathStructure {
    return layerPaths(startsAtInput(this.config), this.values, this.out);
  }

  pass(x: Var): Pass {
    const zs = this.gatingPreActivations(x);
    const gates: Var[] = [];
    // v_0 = 1 as one row of ones broadcast over the batch (a stride-0 view): the first value
    // layer then computes one row, not n equal ones (see `linear`)
    let v = this.config.valueInput === 'ones' ? asVar(Tensor.ones([1, x.shape[1]]).expand(x.shape)) : x;
    this.values.forEach((layer, l) => {
      // v_l = G_l (*) (W^v_l v_{l-1} + b^v_l) as one fused node, the same numbers as
      // mul(gateOf(z), linear(v)): soft gates sigma(beta z) are computed inside it (and reported
      // as values), hard gates 1[z > 0] come from `step`, which passes no gradient
      if (this.config.gate === 'soft') {
        const layerOut = softGatedLinear(zs[l], this.config.beta, v, layer.weight, layer.bias);
        gates.push(layerOut.gate);
        v = layerOut.out;
      } else {
        const g = gateOf(zs[l], this.config);
        gates.push(g);
        v = gatedLinear(g, v, layer.weight, layer.bias);
      }
    });
    return { out: this.out.forward(v), gates };
  }
}

/** Deep gated network: ReLU gating network, gated linear value network. */
export class DGN extends ValueGated {
  constructor(config: Omit<ModelConfig, 'kind'>, options: InitOptions = {}) {
    super(resolveConfig({ ...config, kind: 'dgn' }), options);
  }
}

/**
 * Deep linearly gated network: the gating network is linear, so every gate is a half-space of
 * the input space (`halfspaces()`), and every path's activity an intersection of them.
 *
 * @example
 * ```ts
 * const net = new DLGN({ inputDim: 2, widths: [16, 16], outputDim: 1, beta: 10 }, { rng: 1 });
 * const y = net.forward(Tensor.from([[0.3, -0.2]]));
 * const [g1, g2] = net.gates(Tensor.from([[0.3, -0.2]]));
 * ```
 */
export class DLGN extends ValueGated {
  constructor(config: Omit<ModelConfig, 'kind'>, options: InitOptions = {}) {
    super(resolveConfig({ ...config, kind: 'dlgn' }), options);
  }
}

/** Default cap on the entries of a DLGN-VT value tensor: 2^25 (256 MiB of float64). */
export const DEFAULT_MAX_VALUE_ENTRIES = 2 ** 25;

/**
 * DLGN with a value tensor: shallow gates and one free value per path and output,
 * out_c = sum over (i_1..i_L) of V[c, i_1, .., i_L] prod_l G_l[i_l]. The value tensor is
 * initialised like a linear layer whose fan-in is the number of paths.
 */
export class DLGNVT extends GatedBase {
  readonly value: Var;

  constructor(config: Omit<DLGNVTConfig, 'kind' | 'valueInput'>, options: InitOptions & { maxValueEntries?: number } = {}) {
    const resolved = resolveConfig({ ...config, kind: 'dlgn-vt' });
    const paths = resolved.widths.reduce((p, m) => p * m, 1);
    const entries = paths * resolved.outputDim;
    const cap = options.maxValueEntries ?? DEFAULT_MAX_VALUE_ENTRIES;
    if (entries > cap) {
      throw new Error(
        `DLGNVT: the value tensor [${resolved.outputDim}, ${resolved.widths.join(', ')}] would hold ${entries} entries ` +
          `(${entries * 8} bytes), over the cap of ${cap} entries; use fewer or narrower layers or raise maxValueEntries`,
      );
    }
    const rng = toRng(options.rng);
    super(resolved, options, rng);
    const V = Tensor.zeros([resolved.outputDim, ...resolved.widths]);
    // a linear layer from the P path activities to k outputs: W [k, P], no bias
    initLinear(V.reshape([resolved.outputDim, paths]), null, rng, options.init ?? 'torch', options.std);
    this.value = this.param('value', V);
  }

  pathStructure(): PathStructure {
    return { kind: 'value-tensor', value: this.value.value.contiguous() };
  }

  pass(x: Var): Pass {
    const gates = this.gatingPreActivations(x).map((z) => gateOf(z, this.config));
    // Meet in the middle: split the layers at s into a front (1..s) and a back (s+1..L) and form
    // each half's path activities by row-wise outer products, F[n, P_F] and B[n, P_B]. Then
    // W[n, (c, a)] = sum_b B[n, b] V[c, a, b] is one matrix product (V seen as [k P_F, P_B]) and
    // out[n, c] = sum_a W[n, (c, a)] F[n, a] a row-wise contraction. The [n, P] matrix of all path
    // activities is never built; the largest intermediate is [n, max(k P_F, P_B)] (10^4 paths,
    // k = 2: [n, 200]), and nearly all the work (n k P multiply-adds) is one well-shaped product.
    const widths = this.config.widths;
    const k = this.config.outputDim;
    if (gates.length === 1) return { out: matmul(gates[0], transpose(reshape(this.value, [k, widths[0]]))), gates };
    const s = splitPoint(widths, k);
    let front = gates[0];
    for (let l = 1; l < s; l++) front = rowOuter(front, gates[l]);
    let back = gates[s];
    for (let l = s + 1; l < gates.length; l++) back = rowOuter(back, gates[l]);
    const pF = front.shape[1], pB = back.shape[1];
    const w = matmul(back, transpose(reshape(this.value, [k * pF, pB])));
    return { out: rowContract(w, front), gates };
  }
}

/** Where a DLGN-VT's contraction splits its layers: the s in 1..L-1 with the smallest k P_F + P_B. */
function splitPoint(widths: readonly number[], k: number): number {
  let best = 1, bestCost = Infinity;
  for (let s = 1; s < widths.length; s++) {
    let pF = 1, pB = 1;
    for (let l = 0; l < widths.length; l++) if (l < s) pF *= widths[l]; else pB *= widths[l];
    const cost = k * pF + pB;
    if (cost < bestCost) [best, bestCost] = [s, cost];
  }
  return best;
}

/** Any of the five families. */
export type Model = LinearNet | ReLUNet | DGN | DLGN | DLGNVT;

/**
 * Builds a model from a config (the `model` object of a fixture or checkpoint).
 *
 * @example
 * ```ts
 * const net = createModel({ kind: 'dlgn', inputDim: 2, widths: [8, 8], outputDim: 2 }, { rng: 7 });
 * ```
 */
export function createModel(config: ModelConfig, options: InitOptions & { maxValueEntries?: number } = {}): Model {
  const c = resolveConfig(config);
  const { kind: _kind, ...rest } = c;
  switch (c.kind) {
    case 'dln':
      return new LinearNet(rest, options);
    case 'dnn':
      return new ReLUNet(rest, options);
    case 'dgn':
      return new DGN(rest, options);
    case 'dlgn':
      return new DLGN(rest, options);
    case 'dlgn-vt': {
      const { kind: _k, valueInput: _v, ...vt } = c; // narrowed on kind: features is 'sf'
      return new DLGNVT(vt, options);
    }
  }
}

/**
 * The same network with hard gates 1[z > 0] and the same parameters (a copy; the model is left as
 * it is): the piecewise-constant model that regions and region maps describe.
 *
 * @example
 * ```ts
 * const hard = withHardGates(net);
 * hard.config.gate; // 'hard'
 * ```
 */
export function withHardGates(model: Model): Model {
  const hard = createModel({ ...model.config, gate: 'hard' });
  hard.loadStateDict(model.stateDict());
  return hard;
}
