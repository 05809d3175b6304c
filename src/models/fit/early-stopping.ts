// fit's stopping rule: after each epoch, whether to stop and why; and which epoch was best.

import type { EpochLog } from './types.js';

/** The checked `earlyStopping` option, with its defaults filled in. */
export interface StoppingRule {
  readonly monitor: 'loss' | 'valLoss';
  /** Epochs in a row without an improvement over `minDelta` before stopping; none: no such rule. */
  readonly patience: number | undefined;
  readonly minDelta: number;
  /** Stop as soon as the monitored loss is <= this; none: no such rule. */
  readonly lossThreshold: number | undefined;
}

/**
 * Reads each epoch's monitored loss (`valLoss` or `loss`). `bestEpoch` is the epoch with the
 * lowest one; the patience rule counts epochs since the last drop below its reference by more
 * than `minDelta` (the reference moves only on such drops, so slow creep cannot reset it).
 */
export class EarlyStopping {
  bestEpoch = -1;
  private best = Infinity;
  private ref = Infinity;
  private wait = 0;

  constructor(private readonly rule: StoppingRule) {}

  /** Records a finished epoch; returns why training stops after it, or null to go on. */
  update(log: EpochLog): 'loss-threshold' | 'early-stopping' | null {
    const { monitor, patience, minDelta, lossThreshold } = this.rule;
    const monitored = monitor === 'valLoss' ? log.valLoss! : log.loss;
    if (monitored < this.best) {
      this.best = monitored;
      this.bestEpoch = log.epoch;
    }
    if (monitored < this.ref - minDelta) {
      this.ref = monitored;
      this.wait = 0;
    } else this.wait++;
    if (lossThreshold !== undefined && monitored <= lossThreshold) return 'loss-threshold';
    if (patience !== undefined && this.wait >= patience) return 'early-stopping';
    return null;
  }
}
