// Modules: named parameters, state dicts, initialisation, and the Linear layer.

import { Var } from '../autograd/engine.js';
import { linear } from '../autograd/ops/linalg.js';
import { Rng } from '../tensor/random.js';
import { sameShape, shapeStr, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/** How weights are drawn. `torch` is PyTorch's `nn.Linear` default (see `initLinear`). */
export type InitScheme = 'torch' | 'normal' | 'he' | 'xavier';

/** Options for drawing initial weights from a seeded generator. */
export interface InitOptions {
  /** A seed or a generator; the same seed gives the same weights, bit for bit. Default 0. */
  rng?: Rng | number;
  init?: InitScheme;
  /** Standard deviation for `normal` (default 1). */
  std?: number;
}

export function toRng(r: Rng | number | undefined): Rng {
  return r instanceof Rng ? r : new Rng(r ?? 0);
}

/**
 * Fills a [out, in] weight and its [out] bias.
 * - `torch`: W, b ~ U(-1/sqrt(in), 1/sqrt(in)) (what kaiming_uniform_(a = sqrt 5) reduces to)
 * - `normal`: W ~ N(0, std^2), b = 0
 * - `he`: W ~ N(0, 2 / in), b = 0
 * - `xavier`: W ~ U(-sqrt(6 / (in + out)), +sqrt(6 / (in + out))), b = 0
 * Weights are drawn row-major before the bias, so a seed fixes every number.
 */
export function initLinear(weight: Tensor, bias: Tensor | null, rng: Rng, scheme: InitScheme, std = 1): void {
  const [out, fanIn] = weight.shape;
  const w = weight.data;
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  switch (scheme) {
    case 'torch':
      for (let k = 0; k < w.length; k++) w[k] = rng.uniformRange(-bound, bound);
      if (bias) for (let k = 0; k < bias.data.length; k++) bias.data[k] = rng.uniformRange(-bound, bound);
      return;
    case 'normal':
      for (let k = 0; k < w.length; k++) w[k] = rng.normal(0, std);
      break;
    case 'he':
      for (let k = 0; k < w.length; k++) w[k] = rng.normal(0, Math.sqrt(2 / Math.max(fanIn, 1)));
      break;
    case 'xavier': {
      const a = Math.sqrt(6 / Math.max(fanIn + out, 1));
      for (let k = 0; k < w.length; k++) w[k] = rng.uniformRange(-a, a);
      break;
    }
    default:
      throw new Error(`init: unknown scheme '${scheme as string}' (expected torch, normal, he or xavier)`);
  }
  if (bias) bias.data.fill(0);
}

/**
 * A container of named parameters. Subclasses register parameters with `param()` in their
 * canonical order (docs/math.md, "Parameter names").
 */
export abstract class Module {
  private readonly params = new Map<string, Var>();

  /** Registers a parameter under its canonical name. */
  protected param(name: string, value: Tensor): Var {
    if (this.params.has(name)) throw new Error(`Module: parameter '${name}' registered twice`);
    const v = Var.param(value, name);
    this.params.set(name, v);
    return v;
  }

  /** `[name, parameter]` pairs in canonical order. */
  namedParameters(): [string, Var][] {
    return [...this.params.entries()];
  }

  parameters(): Var[] {
    return [...this.params.values()];
  }

  /** The parameter of that name; an error lists the names that exist. */
  parameter(name: string): Var {
    const p = this.params.get(name);
    if (!p) throw new Error(`${this.constructor.name}: no parameter '${name}' (has ${[...this.params.keys()].join(', ')})`);
    return p;
  }

  /** Total number of scalar parameters. */
  numParameters(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.value.size;
    return n;
  }

  zeroGrad(): void {
    for (const p of this.params.values()) p.zeroGrad();
  }

  /** Copies of every parameter by name. */
  stateDict(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const [name, p] of this.params) out[name] = p.value.clone();
    return out;
  }

  /**
   * Copies values into the parameters in place. Every name must exist and every shape match;
   * a missing or unexpected name is an error too (nothing is changed unless all checks pass).
   */
  loadStateDict(state: Record<string, Tensor>): void {
    const kind = this.constructor.name;
    for (const name of Object.keys(state)) {
      if (!this.params.has(name)) {
        throw new Error(`loadStateDict: unexpected parameter '${name}' for ${kind} (expected ${[...this.params.keys()].join(', ')})`);
      }
    }
    for (const [name, p] of this.params) {
      const t = state[name];
      if (t === undefined) throw new Error(`loadStateDict: missing parameter '${name}' for ${kind}`);
      if (!sameShape(t.shape, p.value.shape)) {
        throw new Error(`loadStateDict: parameter '${name}' has shape ${shapeStr(t.shape)}, expected ${shapeStr(p.value.shape)}`);
      }
    }
    for (const [name, p] of this.params) p.value.data.set(state[name].values());
  }

  /** One line per parameter and the total. */
  summary(): string {
    const lines = this.namedParameters().map(([n, p]) => `  ${n.padEnd(18)} ${shapeStr(p.shape)}`);
    return [...lines, `  total parameters: ${this.numParameters()}`].join('\n');
  }
}

/** The affine layer `x W^T + b`, PyTorch layout (weight [out, in], bias [out]). */
export class Linear {
  readonly weight: Var;
  readonly bias: Var | null;

  constructor(weight: Var, bias: Var | null) {
    this.weight = weight;
    this.bias = bias;
  }

  forward(x: Var | Tensor): Var {
    return linear(x, this.weight, this.bias);
  }
}

/** Registers `prefix.weight` (and `prefix.bias`) on a module and initialises them. */
export function makeLinear(
  register: (name: string, value: Tensor) => Var,
  prefix: string,
  inDim: number,
  outDim: number,
  bias: boolean,
  rng: Rng,
  scheme: InitScheme,
  std?: number,
): Linear {
  const w = Tensor.zeros([outDim, inDim]);
  const b = bias ? Tensor.zeros([outDim]) : null;
  initLinear(w, b, rng, scheme, std);
  return new Linear(register(`${prefix}.weight`, w), b ? register(`${prefix}.bias`, b) : null);
}

export { sizeOf };
