// E4's four-mode data: two hard modes with four alternating landmarks, two easy modes with one.

import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import type { LabeledData } from './synthetic.js';

export interface FourModeOptions {
  /** Points in each of train, validation and test (default 3000, as in E4). */
  nPerSplit?: number;
  seed?: number | Rng;
}

/** A landmark: its position (x, y) and the label it gives to the points nearest to it. */
export interface Landmark {
  x: number;
  y: number;
  label: number;
}

export interface FourModeMode {
  centre: [number, number];
  hard: boolean;
  landmarks: Landmark[];
}

/** One split: x [n, 2], labels y [n] in {0, 1}, and the mode each point was drawn from. */
export interface FourModeSplit extends LabeledData {
  mode: Int32Array;
}

export interface FourModeData {
  train: FourModeSplit;
  validation: FourModeSplit;
  test: FourModeSplit;
  modes: FourModeMode[];
}

/** Mode centres in order: +e1 and +e2 are the hard modes, -e1 and -e2 the easy ones. */
const CENTRES: [number, number][] = [
  [1, 0],
  [0, 1],
  [-1, 0],
  [0, -1],
];
const HARD = [true, true, false, false];
/** Labels of the single landmark of each easy mode (-e1: 0, -e2: 1), so the classes balance. */
const EASY_LABEL = [0, 0, 0, 1];
const LANDMARK_STD = 0.05;
const POINT_STD = 0.1;

/**
 * The four-mode data of E4 (d = 2). Modes are centred at +e1, +e2, -e1, -e2 (in that order);
 * the two hard modes (+e1, +e2) each hold 4 landmarks `centre + 0.05 N(0, I)` labelled 0, 1, 0, 1;
 * the easy modes hold one landmark each, labelled 0 (-e1) and 1 (-e2). Each split has
 * `nPerSplit` points; point i comes from mode i mod 4 (a quarter each when nPerSplit is divisible
 * by 4), sits at `centre + 0.1 N(0, I)` and takes the label of its nearest landmark among all ten
 * (Euclidean; ties go to the earlier landmark).
 *
 * The seed's generator is split into four independent streams (landmarks, train, validation,
 * test), so the landmarks do not depend on `nPerSplit`.
 *
 * @example
 * ```ts
 * const d = fourMode({ seed: 1 });
 * d.train.x.shape;                         // [3000, 2]
 * d.modes.map((m) => m.landmarks.length);  // [4, 4, 1, 1]
 * ```
 */
export function fourMode(o: FourModeOptions = {}): FourModeData {
  const n = o.nPerSplit ?? 3000;
  if (!Number.isInteger(n) || n < 1) throw new Error(`fourMode: nPerSplit must be a positive integer, got ${n}`);
  const root = o.seed instanceof Rng ? o.seed : new Rng(o.seed ?? 0);
  const [lmRng, ...splitRngs] = root.split(4);
  const modes: FourModeMode[] = CENTRES.map((centre, m) => {
    const count = HARD[m] ? 4 : 1;
    const landmarks: Landmark[] = [];
    for (let j = 0; j < count; j++) {
      landmarks.push({
        x: centre[0] + lmRng.normal(0, LANDMARK_STD),
        y: centre[1] + lmRng.normal(0, LANDMARK_STD),
        label: HARD[m] ? j % 2 : EASY_LABEL[m],
      });
    }
    return { centre: [centre[0], centre[1]], hard: HARD[m], landmarks };
  });
  const all = modes.flatMap((m) => m.landmarks);
  const nearestLabel = (a: number, b: number): number => {
    let best = Infinity;
    let label = 0;
    for (const l of all) {
      const d2 = (a - l.x) ** 2 + (b - l.y) ** 2;
      if (d2 < best) {
        best = d2;
        label = l.label;
      }
    }
    return label;
  };
  const makeSplit = (rng: Rng): FourModeSplit => {
    const x = new Float64Array(2 * n);
    const y = new Float64Array(n);
    const mode = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const m = i % 4;
      const a = CENTRES[m][0] + rng.normal(0, POINT_STD);
      const b = CENTRES[m][1] + rng.normal(0, POINT_STD);
      x[2 * i] = a;
      x[2 * i + 1] = b;
      y[i] = nearestLabel(a, b);
      mode[i] = m;
    }
    return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]), mode };
  };
  return { train: makeSplit(splitRngs[0]), validation: makeSplit(splitRngs[1]), test: makeSplit(splitRngs[2]), modes };
}
