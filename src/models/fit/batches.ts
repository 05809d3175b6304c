// fit's batches: each epoch's sample order (the seeded shuffle) and the rows of each batch, gathered without allocating.

import { Tensor } from '../../tensor/tensor.js';
import type { FitPlan } from './options.js';
import type { Dataset } from './types.js';

/** The batches of a run: one order per epoch, and row buffers kept per batch size (steady state: no allocation). */
export class Batches {
  private readonly data: Dataset;
  private readonly plan: FitPlan;
  /** null: every batch is the whole dataset, so shuffling would only reorder a sum */
  private order: Int32Array | null = null;
  private readonly identity: Int32Array | null;
  private readonly buffers = new Map<number, { x: Tensor; y: Tensor }>();

  constructor(data: Dataset, plan: FitPlan) {
    this.data = data;
    this.plan = plan;
    const single = plan.batchSize === plan.n;
    this.identity = single || plan.shuffle ? null : Int32Array.from({ length: plan.n }, (_, i) => i);
  }

  /** The next epoch's order: a fresh permutation when shuffling, else the samples in turn. */
  newEpoch(): void {
    const { n, batchSize, shuffle, rng } = this.plan;
    this.order = batchSize === n ? null : shuffle ? rng.permutation(n) : this.identity!;
  }

  /** The batch of rows `start` to `start + batchSize` of this epoch's order (valid until the next batch of its size). */
  at(start: number): { x: Tensor; y: Tensor } {
    const { data, order } = this;
    if (order === null) return data;
    const idx = order.subarray(start, Math.min(start + this.plan.batchSize, this.plan.n));
    const rows = this.rows(idx.length);
    return { x: takeRowsInto(data.x, idx, rows.x), y: takeRowsInto(data.y, idx, rows.y) };
  }

  private rows(m: number): { x: Tensor; y: Tensor } {
    let b = this.buffers.get(m);
    if (b === undefined) {
      b = { x: Tensor.zeros([m, ...this.data.x.shape.slice(1)]), y: Tensor.zeros([m, ...this.data.y.shape.slice(1)]) };
      this.buffers.set(m, b);
    }
    return b;
  }
}

/**
 * Rows `idx` of `src` (the leading axis), written into `dst` (a tensor of the result's shape):
 * what `src.take(idx, 0)` returns, without allocating.
 */
function takeRowsInto(src: Tensor, idx: Int32Array, dst: Tensor): Tensor {
  const n = idx.length;
  if (!src.isContiguous()) {
    dst.data.set(src.take(idx, 0).values());
    return dst;
  }
  const row = n === 0 ? 0 : dst.size / n;
  const s = src.data;
  const d = dst.data;
  const o = src.offset;
  for (let i = 0; i < n; i++) {
    const from = o + idx[i] * row;
    const to = i * row;
    for (let j = 0; j < row; j++) d[to + j] = s[from + j];
  }
  return dst;
}
