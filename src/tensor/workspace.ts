// Tensor memory: where every kernel gets its output buffer, and the workspace that recycles them across training steps.

import { Arena } from './arena.js';

/**
 * A recycling pool for the buffers of one repeated computation, such as a training step.
 *
 * Inside `withWorkspace(ws, fn)` the k-th buffer requested by any kernel is the k-th buffer the
 * workspace handed out the previous time (when its length matches; otherwise a new one replaces
 * it). A computation with the same shapes in the same order, which is what a training step on a
 * fixed batch shape is, therefore allocates no tensor memory after its first run: the GC sees no
 * new typed arrays, and the buffers stay warm in cache.
 *
 * The price is a lifetime rule: every tensor created inside the scope is valid only until the
 * workspace is entered again. Anything that must outlive the step (parameter gradients, optimiser
 * state, copies kept for later) has to be allocated outside it or copied out with
 * `new Float64Array(t.values())`. `Var.backward()` allocates `.grad` outside the workspace for
 * that reason, and `Trainer` (src/models/train.ts) keeps this rule for its callers.
 *
 * The current workspace is module state, set and restored in `finally` like the grad-mode flag,
 * and read only by `allocData`/`allocDataUninit`; nothing else in the engine changes behaviour.
 *
 * @example
 * ```ts
 * const ws = new Workspace();
 * for (let step = 0; step < 1000; step++) {
 *   const loss = withWorkspace(ws, () => lossOf(model.forward(x)).item()); // same buffers every step
 * }
 * ```
 */
export class Workspace {
  private readonly buffers: Float64Array[] = [];
  private next = 0;
  private readonly allocate: (n: number) => Float64Array;
  /** The arena the buffers live in (arena mode), or null. */
  private arenaNow: Arena | null = null;
  private readonly useArena: boolean;
  /** A buffer of the last round lies outside the arena: move them all in at the next rewind. */
  private pack = false;

  /**
   * @param allocate makes a new zeroed buffer of n doubles (default `new Float64Array(n)`); Node's
   *   `allocShared` (src/node) gives buffers worker threads can use without copying.
   * @param options.arena keep the buffers in one `Arena` (src/tensor/arena.ts), so the kernels
   *   that have compiled WebAssembly loops run them on these buffers. The first round allocates as usual and
   *   records the sizes; the next rewind lays every buffer out in one arena (and again whenever a
   *   round asked for a buffer that did not fit). Not with a custom `allocate`.
   */
  constructor(allocate?: (n: number) => Float64Array, options: { arena?: boolean } = {}) {
    if (options.arena === true && allocate !== undefined) throw new Error('Workspace: an arena holds its own buffers; give either allocate or arena, not both');
    this.allocate = allocate ?? ((n) => new Float64Array(n));
    this.useArena = options.arena === true;
  }

  /** The arena holding the buffers, or null (no arena mode, or before the second round). */
  get arena(): Arena | null {
    return this.arenaNow;
  }

  /** Buffers currently held. */
  get count(): number {
    return this.buffers.length;
  }

  /** Total doubles held. */
  get doubles(): number {
    let n = 0;
    for (const b of this.buffers) n += b.length;
    return n;
  }

  /** The next buffer of length n, recycled when the slot already holds one that long. Not zeroed. */
  take(n: number): Float64Array {
    const k = this.next++;
    const b = this.buffers[k];
    if (b !== undefined && b.length === n) return b;
    let fresh: Float64Array | null = null;
    if (this.useArena) {
      fresh = this.arenaNow === null ? null : this.arenaNow.alloc(n);
      if (fresh === null) this.pack = true;
    }
    if (fresh === null) fresh = this.allocate(n);
    this.buffers[k] = fresh;
    return fresh;
  }

  /** Starts a new round: the next `take` returns the first slot again. */
  rewind(): void {
    this.next = 0;
    if (this.pack) this.layOut();
  }

  /**
   * Moves every buffer into one new arena, in slot order, with room to spare. Buffers hold nothing
   * across rounds (the lifetime rule), so they are replaced, not copied.
   */
  private layOut(): void {
    this.pack = false;
    let total = 0;
    for (const b of this.buffers) total += b.length;
    const arena = new Arena(total + (total >> 3));
    for (let k = 0; k < this.buffers.length; k++) this.buffers[k] = arena.alloc(this.buffers[k].length)!;
    this.arenaNow = arena;
  }

  /** Drops every buffer (the next round allocates afresh). */
  clear(): void {
    this.buffers.length = 0;
    this.next = 0;
    this.arenaNow = null;
    this.pack = false;
  }
}

/** The arena of the current workspace, if it keeps one: kernels run their compiled loops on its views. */
export function currentArena(): Arena | null {
  return current === null ? null : current.arena;
}

let current: Workspace | null = null;

/**
 * Runs `fn` with `ws` supplying tensor buffers (rewound first); the previous workspace, usually
 * none, is restored in `finally`. See `Workspace` for the lifetime rule.
 */
export function withWorkspace<T>(ws: Workspace, fn: () => T): T {
  const prev = current;
  current = ws;
  ws.rewind();
  try {
    return fn();
  } finally {
    current = prev;
  }
}

/** A zero-filled buffer of n doubles: from the current workspace if one is active, else new. */
export function allocData(n: number): Float64Array {
  if (current === null) return new Float64Array(n);
  return current.take(n).fill(0);
}

/**
 * A buffer of n doubles whose contents are unspecified (stale values from an earlier step inside
 * a workspace): for kernels that write every element before reading any.
 */
export function allocDataUninit(n: number): Float64Array {
  if (current === null) return new Float64Array(n);
  return current.take(n);
}
