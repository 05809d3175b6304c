// Path constraints: a path's active region as the half-spaces of the units it visits, and their text.

import type { HalfSpaces, Model } from '../models/families.js';
import { type PathIdLike, parsePathId, requireHalfspaces } from './planes.js';

/** One half-space constraint of a path's region: `weight . x + bias > 0` (the unit is ON). */
export interface HalfSpaceConstraint {
  /** Hidden layer, 1-based (as in path ids). */
  layer: number;
  /** Unit within the layer, 0-based (as in path ids). */
  unit: number;
  weight: number[];
  bias: number;
}

/**
 * A path's active region (under hard gates) as its list of half-space constraints: one per unit
 * it visits. `units[k]` is the unit of hidden layer `startLayer + k` (layers 1-based), so a path
 * from an input (`startLayer` 1, the default) lists one unit per hidden layer, and a path from the
 * bias of hidden layer l lists units of layers l..L. `startLayer` L+1 (the output bias) has no
 * units and no constraints. The region is the intersection: every constraint holds.
 * Throws for a ReLU net or DGN, whose gates are not half-spaces.
 *
 * @example
 * ```ts
 * const cs = pathConstraints(net, [3, 1]);  // units 3 (layer 1) and 1 (layer 2)
 * cs.map((c) => formatConstraint(c)); // ['0.83 x1 - 1.20 x2 + 0.10 > 0  (layer 1, unit 3)', ...]
 * ```
 */
export function pathConstraints(model: Model, units: readonly number[], startLayer = 1): HalfSpaceConstraint[] {
  return constraintsOf('pathConstraints', requireHalfspaces('pathConstraints', model), units, startLayer);
}

function constraintsOf(fn: string, hs: HalfSpaces[], units: readonly number[], startLayer: number): HalfSpaceConstraint[] {
  const L = hs.length;
  if (!Number.isInteger(startLayer) || startLayer < 1 || startLayer > L + 1) {
    throw new Error(`${fn}: startLayer must be an integer in 1..${L + 1}, got ${startLayer}`);
  }
  if (units.length !== L - startLayer + 1) {
    throw new Error(
      `${fn}: a path starting at layer ${startLayer} visits ${L - startLayer + 1} units (layers ${startLayer}..${L}), got ${units.length}: [${units.join(', ')}]`,
    );
  }
  return units.map((u, k) => {
    const l = startLayer - 1 + k;
    const h = hs[l];
    const [m, d] = h.weight.shape;
    if (!Number.isInteger(u) || u < 0 || u >= m) {
      throw new Error(`${fn}: unit ${u} is out of range for layer ${l + 1} of width ${m}`);
    }
    const w = h.weight.values();
    return { layer: l + 1, unit: u, weight: Array.from(w.subarray(u * d, (u + 1) * d)), bias: h.bias.values()[u] };
  });
}

/**
 * The region constraints of a path given by its docs/fixtures.md id `[startLayer, startIndex, unit...]`:
 * startLayer 0 = input start (startIndex in 0..d-1, one unit per hidden layer); 1..L = the bias
 * of that hidden layer (startIndex -1, units of layers startLayer..L); L+1 = the output bias
 * (no units, no constraints). For `dlgn-vt` the id is `[0, 0, i_1, ..., i_L]`.
 */
export function constraintsForPathId(model: Model, id: PathIdLike): HalfSpaceConstraint[] {
  const { startLayer, units } = parsePathId('constraintsForPathId', model, id);
  return constraintsOf('constraintsForPathId', requireHalfspaces('constraintsForPathId', model), units, startLayer);
}

/**
 * Readable text for a constraint, e.g. `0.83 x1 - 1.20 x2 + 0.10 > 0  (layer 2, unit 5)`.
 * `names` name the coordinates (default x1, x2, ...); zero coefficients are left out.
 */
export function formatConstraint(c: HalfSpaceConstraint, names?: readonly string[], digits = 2): string {
  if (names !== undefined && names.length !== c.weight.length) {
    throw new Error(`formatConstraint: ${names.length} names for ${c.weight.length} coordinates`);
  }
  const terms: string[] = [];
  const push = (v: number, name: string): void => {
    const mag = Math.abs(v).toFixed(digits) + (name ? ` ${name}` : '');
    if (terms.length === 0) terms.push(v < 0 ? `-${mag}` : mag);
    else terms.push(v < 0 ? `- ${mag}` : `+ ${mag}`);
  };
  c.weight.forEach((w, j) => {
    if (w !== 0) push(w, names ? names[j] : `x${j + 1}`);
  });
  if (c.bias !== 0 || terms.length === 0) push(c.bias, '');
  return `${terms.join(' ')} > 0  (layer ${c.layer}, unit ${c.unit})`;
}
