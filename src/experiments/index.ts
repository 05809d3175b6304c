// The experiments of PAPER.md, by id; `halfspace experiment ID` runs them.

import type { Experiment } from './framework.js';
import { e5 } from './e5.js';

export * from './framework.js';

/** Every experiment, in PAPER.md order. */
export const EXPERIMENTS: Experiment[] = [e5];

/** The experiment with this id; the error lists the ids that exist. */
export function experimentById(id: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) throw new Error(`experiment: unknown experiment '${id}' (known: ${EXPERIMENTS.map((x) => x.id).join(', ')}, all)`);
  return e;
}
