// The experiments of docs/experiments/protocols.md, by id; `halfspace experiment ID` runs them.

import type { Experiment } from './framework.js';
import { e1 } from './e1.js';
import { e2 } from './e2.js';
import { e3 } from './e3.js';
import { e4 } from './e4.js';
import { e5 } from './e5.js';
import { e6 } from './e6.js';
import { e7 } from './e7.js';

export * from './framework.js';

/** Every experiment, in docs/experiments/protocols.md order. */
export const EXPERIMENTS: Experiment[] = [e1, e2, e3, e4, e5, e6, e7];

/** The experiment with this id; the error lists the ids that exist. */
export function experimentById(id: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.id === id);
  if (!e) throw new Error(`experiment: unknown experiment '${id}' (known: ${EXPERIMENTS.map((x) => x.id).join(', ')}, all)`);
  return e;
}
