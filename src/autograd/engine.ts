// The tape: differentiable variables, grad mode, and reverse-mode gradient propagation.

import { Tensor } from '../tensor/tensor.js';
import { add as addRaw, sumToShape } from '../tensor/ops.js';
import { sameShape, shapeStr } from '../tensor/shape.js';

/**
 * Every primitive the engine knows. A node can only be recorded with one of these names and a
 * gradient rule (see `record`), so a primitive without a rule cannot be written. `OPS`
 * (src/autograd/ops/table.ts) has an entry for each name, which the compiler checks, and
 * test/autograd/every-op.test.ts gradchecks every entry, so one without a check fails.
 */
export const PRIMITIVES = [
  'add', 'sub', 'mul', 'div', 'neg', 'pow', 'exp', 'log', 'sqrt', 'abs', 'maximum', 'minimum',
  'relu', 'step', 'sigmoid', 'scaledSigmoid', 'tanh', 'softplus',
  'sum', 'mean', 'matmul', 'linear', 'gatedLinear', 'softGatedLinear', 'composeAffine', 'augmentedLinear',
  'reshape', 'permute', 'expand', 'slice', 'gather', 'concat',
  'rowOuter', 'rowContract',
  'mse', 'crossEntropy', 'logistic', 'hinge',
] as const;

/** The name of a primitive (one of `PRIMITIVES`). */
export type Primitive = (typeof PRIMITIVES)[number];

/**
 * A gradient rule: given dL/d(output), returns dL/d(input) for each input in order, or `null`
 * where an input gets no gradient (the hard gate, integer labels). A returned gradient may have
 * the broadcast shape of the output: the engine sums it down to the input's shape, once, here.
 */
export type Rule = (g: Tensor) => (Tensor | null)[];

let gradEnabled = true;

/** Whether operations are being recorded (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording operations (like `torch.no_grad()`); the previous mode is
 * restored in `finally`, so an exception inside cannot leave recording switched off.
 */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/**
 * A differentiable value: a tensor plus its place in the graph.
 *
 * @example
 * ```ts
 * import { Var, mul, sum } from 'halfspace/autograd';
 * const w = Var.param(Tensor.from([1, 2, 3]));
 * sum(mul(w, w)).backward();
 * w.grad!.toArray(); // [2, 4, 6]
 * ```
 */
export class Var {
  value: Tensor;
  /** Accumulated dL/d(this) after `backward()`; only leaves that require grad receive one. */
  grad: Tensor | null = null;
  requiresGrad: boolean;
  /** The primitive that produced this value, or 'leaf'. */
  readonly op: Primitive | 'leaf';
  /** Inputs of `op` (empty for leaves and after the graph has been released). */
  inputs: Var[];
  rule: Rule | null;
  /** Optional label (parameters carry their canonical name). */
  name: string | undefined;

  constructor(value: Tensor, requiresGrad = false, op: Primitive | 'leaf' = 'leaf', inputs: Var[] = [], rule: Rule | null = null) {
    this.value = value;
    this.requiresGrad = requiresGrad;
    this.op = op;
    this.inputs = inputs;
    this.rule = rule;
    this.name = undefined;
  }

  /** A leaf that does not require grad (data, targets). */
  static constant(value: Tensor | number): Var {
    return new Var(typeof value === 'number' ? Tensor.scalar(value) : value, false);
  }

  /** A leaf that requires grad (a parameter). */
  static param(value: Tensor, name?: string): Var {
    const v = new Var(value, true);
    v.name = name;
    return v;
  }

  get shape(): readonly number[] {
    return this.value.shape;
  }

  get isLeaf(): boolean {
    return this.op === 'leaf';
  }

  /** The single value of a one-element variable. */
  item(): number {
    return this.value.item();
  }

  /** The same value, cut from the graph. */
  detach(): Var {
    return new Var(this.value, false);
  }

  /** Zeroes `.grad` in place (the buffer is kept, so training steps do not allocate). */
  zeroGrad(): void {
    if (this.grad !== null) this.grad.data.fill(0);
  }

  /**
   * Accumulates dthis/dleaf into `.grad` of every leaf that requires grad (`+=`, as PyTorch).
   * `seed` defaults to 1 for a one-element value; other shapes need one. The graph is
   * released afterwards unless `retainGraph` is set.
   */
  backward(seed?: Tensor, options: { retainGraph?: boolean } = {}): void {
    const grads = propagate(this, seed, !options.retainGraph);
    for (const [node, g] of grads) {
      if (!node.isLeaf || !node.requiresGrad) continue;
      // .grad outlives this call: a plain copy, never a buffer of an active Workspace
      if (node.grad === null) node.grad = new Tensor(new Float64Array(g.values()), node.shape);
      else {
        const acc = node.grad.data;
        const add = g.values();
        for (let k = 0; k < acc.length; k++) acc[k] += add[k];
      }
    }
  }

  toString(): string {
    return `Var(${this.op}, ${shapeStr(this.shape)}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Wraps numbers and tensors as constants; passes variables through. */
export function asVar(x: Var | Tensor | number): Var {
  if (x instanceof Var) return x;
  return Var.constant(x);
}

/**
 * Records one application of a primitive. When grad mode is off or no input requires grad the
 * result is a plain constant and `rule` is dropped.
 */
export function record(op: Primitive, inputs: Var[], value: Tensor, rule: Rule): Var {
  if (gradEnabled) {
    for (let i = 0; i < inputs.length; i++) if (inputs[i].requiresGrad) return new Var(value, true, op, inputs, rule);
  }
  return new Var(value, false);
}

/**
 * Topological order of the graph below `root` (inputs before users), by an explicit stack
 * rather than recursion, so a graph 10 000 ops deep cannot overflow the call stack. The visited
 * set is local to this call.
 */
function topoOrder(root: Var): Var[] {
  const order: Var[] = [];
  const visited = new Set<Var>();
  // two parallel stacks (node, expanded?) rather than a stack of pairs: no tuple per push
  const nodes: Var[] = [root];
  const expanded: boolean[] = [false];
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    if (expanded.pop()) {
      order.push(node);
      continue;
    }
    if (visited.has(node)) continue;
    visited.add(node);
    nodes.push(node);
    expanded.push(true);
    const inputs = node.inputs;
    for (let i = 0; i < inputs.length; i++) {
      const inp = inputs[i];
      if (inp.requiresGrad && !visited.has(inp)) {
        nodes.push(inp);
        expanded.push(false);
      }
    }
  }
  return order;
}

/**
 * Reverse-mode sweep: returns dL/dv for every variable below `root` that requires grad.
 * After each rule runs, every gradient is reduced to its input's shape (undoing broadcasting)
 * and checked; a mismatch is a bug in that rule and the error names op, input and shapes.
 */
export function propagate(root: Var, seed: Tensor | undefined, release: boolean): Map<Var, Tensor> {
  if (!root.requiresGrad) {
    throw new Error(`backward: ${root.toString()} does not require grad: no input of its graph is a parameter`);
  }
  let g0 = seed;
  if (g0 === undefined) {
    if (root.value.size !== 1) {
      throw new Error(`backward: a seed gradient is needed for a non-scalar output of shape ${shapeStr(root.shape)}`);
    }
    g0 = Tensor.full(root.shape, 1);
  } else if (!sameShape(g0.shape, root.shape)) {
    throw new Error(`backward: seed shape ${shapeStr(g0.shape)} differs from output shape ${shapeStr(root.shape)}`);
  }
  const order = topoOrder(root);
  const grads = new Map<Var, Tensor>([[root, g0]]);
  for (let t = order.length - 1; t >= 0; t--) {
    const node = order[t];
    if (node.isLeaf) continue;
    const g = grads.get(node);
    if (node.rule === null) {
      throw new Error(
        `backward: the graph through '${node.op}' was released by an earlier backward(); pass { retainGraph: true } to keep it`,
      );
    }
    if (g !== undefined) {
      const inGrads = node.rule(g);
      const inputs = node.inputs;
      for (let i = 0; i < inputs.length; i++) {
        const inp = inputs[i];
        const gi = inGrads[i];
        if (!inp.requiresGrad || gi === null || gi === undefined) continue;
        let r = gi;
        if (!sameShape(r.shape, inp.shape)) {
          try {
            r = sumToShape(r, inp.shape);
          } catch {
            throw new Error(
              `${node.op}: gradient for input ${i} has shape ${shapeStr(gi.shape)}, expected ${shapeStr(inp.shape)}`,
            );
          }
        }
        const prev = grads.get(inp);
        grads.set(inp, prev === undefined ? r : addRaw(prev, r));
      }
    }
    if (release) {
      node.rule = null;
      node.inputs = [];
      grads.delete(node);
    }
  }
  return grads;
}

/**
 * The functional API: `valueAndGrad(f)(...xs)` returns `f(...xs)` and its gradient with respect
 * to each argument, touching no `.grad` anywhere (parameters used inside `f` are left as they
 * are). `f` must return a one-element variable.
 *
 * @example
 * ```ts
 * const [v, [dx]] = valueAndGrad((x) => sum(mul(x, x)))(Tensor.from([3]));
 * // v = 9, dx = [6]
 * ```
 */
export function valueAndGrad<A extends Tensor[]>(
  f: (...xs: { [K in keyof A]: Var }) => Var,
): (...xs: A) => [number, Tensor[]] {
  return (...xs: A) => {
    const leaves = xs.map((x) => new Var(x, true)) as { [K in keyof A]: Var };
    const out = f(...leaves);
    if (out.value.size !== 1) {
      throw new Error(`valueAndGrad: f must return one value, got shape ${shapeStr(out.shape)}`);
    }
    if (!out.requiresGrad) return [out.item(), xs.map((x) => Tensor.zeros(x.shape))];
    const grads = propagate(out, undefined, true);
    // cloned: a rule may hand the same tensor to two inputs (add gives g to both)
    return [out.item(), (leaves as Var[]).map((l) => grads.get(l)?.clone() ?? Tensor.zeros(l.shape))];
  };
}

/** Zeroes `.grad` of every variable given, keeping the buffers. */
export function zeroGrad(vars: Iterable<Var>): void {
  for (const v of vars) v.zeroGrad();
}
