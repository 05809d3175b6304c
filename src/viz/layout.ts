// What every figure of halfspace/viz shares: its conventions, panel spacing, the size check and the finite extent of data. Internal.

// Conventions of every figure here: the plot area has a frame or axes with ticks, labels are
// never drawn over the data (legends and colour bars sit in a panel right of the plot), colours
// come from the Okabe-Ito palette (categories) or viridis / blue-white-orange (values), and
// a category is told apart by a second channel too (marker shape or dash pattern) so the
// figure survives greyscale printing and colour-vision deficiencies.

export const PANEL_GAP = 24;
export const PAD = 16;

export function checkSize(fn: string, width: number, height: number): void {
  if (!(width >= 120) || !(height >= 120) || !Number.isFinite(width) || !Number.isFinite(height)) {
    throw new Error(`${fn}: width and height must be finite and at least 120 px, got ${width} x ${height}`);
  }
}

export function finiteExtent(values: Iterable<number>, positiveOnly = false): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positiveOnly && !(v > 0))) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}
