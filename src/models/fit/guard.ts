// fit's divergence guard: refuses a non-finite or exploding loss and non-finite weights, and puts the last good weights back.

import type { Var } from '../../autograd/engine.js';
import type { History } from './types.js';

/**
 * What `fit` throws when training diverges: a non-finite loss, an exploding loss (see
 * `maxLossGrowth`) or non-finite weights. The model holds the last good weights (those before
 * the step that broke them); `history` has the epochs completed before it, `history.steps` the
 * steps whose weights are kept. Callers that want to keep the run (the CLI does) save the model from here.
 */
export class DivergenceError extends Error {
  override name = 'DivergenceError';
  constructor(
    message: string,
    readonly detail: { reason: 'non-finite-loss' | 'exploding-loss' | 'non-finite-weights'; epoch: number; batch: number; loss: number; history: History },
  ) {
    super(message);
  }
}

/**
 * Keeps a copy of the trained parameters as they were before the most recent step, in buffers
 * allocated once (the step is O(n P) anyway; the copy is O(P) and allocation-free). When a
 * check fails, the parameters go back to that copy, the step no longer counts in
 * `history.steps`, and a {@link DivergenceError} is thrown.
 */
export class DivergenceGuard {
  private readonly good: Float64Array[];
  /** The first positive batch loss: the reference of `maxLossGrowth`. */
  private firstLoss = 0;

  constructor(
    private readonly op: string,
    private readonly params: readonly Var[],
    private readonly growth: number,
    private readonly history: History,
  ) {
    this.good = params.map((p) => Float64Array.from(p.value.data));
  }

  /**
   * A batch loss, computed before the batch's step: NaN, infinite, or over `growth` times the
   * first positive loss throws; otherwise the current weights become the last good ones.
   */
  check(loss: number, epoch: number, batch: number): void {
    const { op, history } = this;
    if (!Number.isFinite(loss)) {
      this.undoLastStep();
      throw new DivergenceError(`${op}: loss became ${loss} at epoch ${epoch}, batch ${batch}; weights restored to the last finite step`, {
        reason: 'non-finite-loss',
        epoch,
        batch,
        loss,
        history,
      });
    }
    if (this.firstLoss === 0 && loss > 0) this.firstLoss = loss;
    if (this.firstLoss > 0 && loss > this.growth * this.firstLoss) {
      this.undoLastStep();
      throw new DivergenceError(
        `${op}: loss exploded to ${loss.toPrecision(3)} at epoch ${epoch}, batch ${batch} (over maxLossGrowth ${this.growth} x the first batch loss ${this.firstLoss.toPrecision(3)}); ` +
          'weights restored to the last step before it',
        { reason: 'exploding-loss', epoch, batch, loss, history },
      );
    }
    const { params, good } = this;
    for (let i = 0; i < params.length; i++) good[i].set(params[i].value.data);
  }

  /** At the end of an epoch (`batch` its last): a step can leave NaN weights that no later batch loss of the epoch showed. */
  checkWeights(epoch: number, batch: number): void {
    if (allFinite(this.params)) return;
    this.undoLastStep();
    throw new DivergenceError(`${this.op}: parameters became non-finite at epoch ${epoch}, batch ${batch}; weights restored to the last finite step`, {
      reason: 'non-finite-weights',
      epoch,
      batch,
      loss: NaN,
      history: this.history,
    });
  }

  /** The weights go back to before the most recent step, which no longer counts. */
  private undoLastStep(): void {
    this.params.forEach((p, i) => p.value.data.set(this.good[i]));
    if (this.history.steps > 0) this.history.steps--;
  }
}

function allFinite(params: readonly Var[]): boolean {
  for (const p of params) {
    const d = p.value.data;
    for (let k = 0; k < d.length; k++) if (!Number.isFinite(d[k])) return false;
  }
  return true;
}
