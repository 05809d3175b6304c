// Optimisers and learning-rate schedules with PyTorch's exact update rules, updating in place.

import type { Var } from '../autograd/engine.js';
import { Arena, arenaKernelsAvailable } from '../tensor/arena.js';
import { adamKernel } from '../tensor/kernels.js';

/** A parameter group: its own learning rate and weight decay override the optimiser's. */
export interface ParamGroup {
  params: Var[];
  lr?: number;
  weightDecay?: number;
  /** Free-form label (the trainer uses 'gate' and 'value'). */
  name?: string;
}

interface ResolvedGroup {
  params: Var[];
  lr: number;
  /** The learning rate the group started with (schedules scale from it). */
  initialLr: number;
  weightDecay: number;
  name: string | undefined;
}

function checkNonNegative(op: string, name: string, v: number): void {
  if (!Number.isFinite(v) || v < 0) throw new Error(`${op}: ${name} must be a finite number >= 0, got ${v}`);
}

/** Shared bookkeeping: groups, zeroGrad, per-parameter state buffers. */
export abstract class Optimizer {
  readonly groups: ResolvedGroup[];

  protected constructor(kind: string, params: Var[] | ParamGroup[], lr: number, weightDecay: number) {
    checkNonNegative(kind, 'lr', lr);
    checkNonNegative(kind, 'weightDecay', weightDecay);
    const list: ParamGroup[] = params.length > 0 && 'params' in params[0] ? (params as ParamGroup[]) : [{ params: params as Var[] }];
    const seen = new Set<Var>();
    this.groups = list.map((g, i) => {
      for (const p of g.params) {
        if (seen.has(p)) throw new Error(`${kind}: parameter ${p.name ?? '(unnamed)'} appears in more than one group (group ${i})`);
        seen.add(p);
      }
      const glr = g.lr ?? lr;
      const gwd = g.weightDecay ?? weightDecay;
      checkNonNegative(kind, `lr of group ${i}`, glr);
      checkNonNegative(kind, `weightDecay of group ${i}`, gwd);
      return { params: g.params, lr: glr, initialLr: glr, weightDecay: gwd, name: g.name };
    });
  }

  /** Every parameter, in group order. */
  params(): Var[] {
    return this.groups.flatMap((g) => g.params);
  }

  /** Zeroes every parameter's `.grad` in place. */
  zeroGrad(): void {
    for (const g of this.groups) for (const p of g.params) p.zeroGrad();
  }

  /** One update from the current `.grad`s; parameters without a gradient are skipped. */
  abstract step(): void;
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
  maximize?: boolean;
}

/**
 * Stochastic gradient descent, as `torch.optim.SGD`:
 *
 *     d = g + wd p
 *     buf = d                                   (first step)
 *     buf = momentum buf + (1 - dampening) d    (later steps)
 *     d = d + momentum buf  (nesterov)  or  d = buf
 *     p = p - lr d
 *
 * @example
 * ```ts
 * const opt = new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 * ```
 */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly maximize: boolean;
  private readonly buf = new Map<Var, Float64Array>();

  constructor(params: Var[] | ParamGroup[], options: SGDOptions) {
    super('SGD', params, options.lr, options.weightDecay ?? 0);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.maximize = options.maximize ?? false;
    checkNonNegative('SGD', 'momentum', this.momentum);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('SGD: nesterov needs momentum > 0 and dampening 0');
    }
  }

  step(): void {
    const { momentum, dampening, nesterov } = this;
    for (const group of this.groups) {
      const { lr, weightDecay: wd } = group;
      for (const p of group.params) {
        if (p.grad === null) continue;
        const w = p.value.data;
        const g = p.grad.data;
        const n = w.length;
        let buf = this.buf.get(p);
        const first = buf === undefined;
        if (momentum !== 0 && buf === undefined) {
          buf = new Float64Array(n);
          this.buf.set(p, buf);
        }
        const sign = this.maximize ? -1 : 1;
        for (let k = 0; k < n; k++) {
          let d = sign * g[k];
          if (wd !== 0) d += wd * w[k];
          if (momentum !== 0) {
            const b = first ? d : momentum * buf![k] + (1 - dampening) * d;
            buf![k] = b;
            d = nesterov ? d + momentum * b : b;
          }
          w[k] -= lr * d;
        }
      }
    }
  }
}

/**
 * b^n for an integer n >= 0 by repeated squaring: multiplications only, each rounded as IEEE 754
 * says, so every JavaScript engine gives the same bits. `Math.pow` does not: V8 in Node 20 and in
 * current Chromium round some powers differently, which made Adam's bias correction, and so a
 * whole training run, differ in the last bits between a page and the CLI.
 */
export function powInt(b: number, n: number): number {
  let result = 1;
  let base = b;
  let e = n;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e = Math.floor(e / 2);
  }
  return result;
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
}

/**
 * Adam as `torch.optim.Adam` (and AdamW with `decoupled`):
 *
 *     g = g + wd p                 (Adam; AdamW instead does p = p (1 - lr wd) first)
 *     m = lerp(m, g, 1 - beta1);   v = beta2 v + (1 - beta2) g^2
 *     p = p - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * eps is added after the bias-corrected square root, as PyTorch places it. `lerp` is written
 * the way PyTorch evaluates it, so trajectories agree to the last bits, not only in exact math.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly amsgrad: boolean;
  readonly maximize: boolean;
  protected readonly decoupled: boolean;
  private readonly state = new Map<Var, { t: number; m: Float64Array; v: Float64Array; vmax: Float64Array | null }>();
  /**
   * Where the compiled update runs: the moments and a scratch copy of each parameter and its
   * gradient in one arena, laid out at the first step (null: no compiled kernels, or too big).
   */
  private arena: { arena: Arena; slots: Map<Var, { m: Float64Array; v: Float64Array; ws: Float64Array; gs: Float64Array }> } | null | undefined;

  constructor(params: Var[] | ParamGroup[], options: AdamOptions = {}, decoupled = false) {
    super(decoupled ? 'AdamW' : 'Adam', params, options.lr ?? 1e-3, options.weightDecay ?? (decoupled ? 1e-2 : 0));
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.amsgrad = options.amsgrad ?? false;
    this.maximize = options.maximize ?? false;
    this.decoupled = decoupled;
    const kind = decoupled ? 'AdamW' : 'Adam';
    for (const [name, b] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(b >= 0 && b < 1)) throw new Error(`${kind}: ${name} must be in [0, 1), got ${b}`);
    }
    checkNonNegative(kind, 'eps', this.eps);
  }

  /** Lays every parameter's moments and scratch out in one arena (4 n doubles each), once. */
  private layOut(): void {
    this.arena = null;
    if (!arenaKernelsAvailable()) return;
    let total = 0;
    for (const g of this.groups) for (const p of g.params) total += 4 * p.value.data.length;
    if (total * 8 > ADAM_ARENA_MAX_BYTES) return;
    const arena = new Arena(total);
    const slots = new Map<Var, { m: Float64Array; v: Float64Array; ws: Float64Array; gs: Float64Array }>();
    for (const g of this.groups) {
      for (const p of g.params) {
        const n = p.value.data.length;
        if (!slots.has(p)) slots.set(p, { m: arena.alloc(n)!, v: arena.alloc(n)!, ws: arena.alloc(n)!, gs: arena.alloc(n)! });
      }
    }
    this.arena = { arena, slots };
  }

  step(): void {
    const { beta1, beta2, eps } = this;
    if (this.arena === undefined) this.layOut();
    const lay = this.arena ?? null;
    for (const group of this.groups) {
      const { lr, weightDecay: wd } = group;
      for (const p of group.params) {
        if (p.grad === null) continue;
        const w = p.value.data;
        const g = p.grad.data;
        const n = w.length;
        let st = this.state.get(p);
        const slot = lay === null ? undefined : lay.slots.get(p);
        if (st === undefined) {
          st = { t: 0, m: slot?.m ?? new Float64Array(n), v: slot?.v ?? new Float64Array(n), vmax: this.amsgrad ? new Float64Array(n) : null };
          this.state.set(p, st);
        }
        st.t += 1;
        const bc1 = 1 - powInt(beta1, st.t);
        const bc2sqrt = Math.sqrt(1 - powInt(beta2, st.t));
        const stepSize = lr / bc1;
        const { m, v, vmax } = st;
        const w1 = 1 - beta1;
        const maximize = this.maximize;
        const decoupled = this.decoupled;
        if (!maximize && !decoupled && wd === 0 && vmax === null && w1 < 0.5) {
          // the common case (plain Adam, default betas) without the per-element branches: the
          // same operations in the same order as the general loop below
          adamKernel(lay === null ? null : lay.arena, w, g, m, v, slot?.ws ?? null, slot?.gs ?? null, w1, beta2, 1 - beta2, stepSize, bc2sqrt, eps);
          continue;
        }
        const decay = 1 - lr * wd;
        for (let k = 0; k < n; k++) {
          let gk = maximize ? -g[k] : g[k];
          if (decoupled) w[k] *= decay;
          else if (wd !== 0) gk += wd * w[k];
          // torch.lerp(m, g, w1): m + w1 (g - m) when w1 < 0.5, else g - (g - m)(1 - w1)
          m[k] = w1 < 0.5 ? m[k] + w1 * (gk - m[k]) : gk - (gk - m[k]) * (1 - w1);
          v[k] = v[k] * beta2 + (1 - beta2) * gk * gk;
          let vk = v[k];
          if (vmax !== null) {
            if (vk > vmax[k]) vmax[k] = vk;
            vk = vmax[k];
          }
          // addcdiv as PyTorch: p + (-stepSize) * (m / denom)
          w[k] -= stepSize * (m[k] / (Math.sqrt(vk) / bc2sqrt + eps));
        }
      }
    }
  }
}

/** Largest arena Adam lays its state out in (4 doubles per parameter): 256 MiB, i.e. 8M parameters. */
const ADAM_ARENA_MAX_BYTES = 256 * 1024 * 1024;

/** AdamW: Adam with decoupled weight decay (`torch.optim.AdamW`, default weight decay 0.01). */
export class AdamW extends Adam {
  constructor(params: Var[] | ParamGroup[], options: AdamOptions = {}) {
    super(params, options, true);
  }
}

/** A learning-rate schedule: call `step()` once per epoch, after the optimiser's steps. */
export interface LRScheduler {
  step(): void;
  /** The current learning rate of each group. */
  lrs(): number[];
}

/** Epoch counting shared by the schedules: each sets every group's rate from its initial rate. */
abstract class EpochSchedule implements LRScheduler {
  private epoch = 0;
  protected constructor(protected readonly opt: Optimizer) {}

  /** The rate of a group that started at `lr0`, after `t` epochs. */
  protected abstract rate(lr0: number, t: number): number;

  step(): void {
    this.epoch += 1;
    for (const g of this.opt.groups) g.lr = this.rate(g.initialLr, this.epoch);
  }

  lrs(): number[] {
    return this.opt.groups.map((g) => g.lr);
  }
}

/** Multiplies every group's learning rate by `gamma` every `stepSize` epochs (`StepLR`). */
export class StepLR extends EpochSchedule {
  constructor(
    opt: Optimizer,
    private readonly stepSize: number,
    private readonly gamma = 0.1,
  ) {
    super(opt);
    if (!Number.isInteger(stepSize) || stepSize < 1) throw new Error(`StepLR: stepSize must be a positive integer, got ${stepSize}`);
  }

  protected rate(lr0: number, t: number): number {
    return lr0 * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
}

/**
 * Cosine annealing from each group's initial rate to `etaMin` over `tMax` epochs
 * (`CosineAnnealingLR`, closed form): lr = etaMin + (lr0 - etaMin)(1 + cos(pi t / tMax)) / 2;
 * as in PyTorch, stepping past tMax follows the cosine back up.
 */
export class CosineLR extends EpochSchedule {
  constructor(
    opt: Optimizer,
    private readonly tMax: number,
    private readonly etaMin = 0,
  ) {
    super(opt);
    if (!Number.isInteger(tMax) || tMax < 1) throw new Error(`CosineLR: tMax must be a positive integer, got ${tMax}`);
  }

  protected rate(lr0: number, t: number): number {
    return this.etaMin + ((lr0 - this.etaMin) * (1 + Math.cos((Math.PI * t) / this.tMax))) / 2;
  }
}
