// Model-free 2-D polygon geometry: boxes, clipping a line to a box, splitting a convex polygon by a line, area and centroid.
// Internal to src/paths except `Box2D` and `DEFAULT_BOX`, which are public.

/** An axis-aligned box in the plane. */
export interface Box2D {
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
}

export const DEFAULT_BOX: Box2D = { xmin: -1, xmax: 1, ymin: -1, ymax: 1 };

export type Pt = [number, number];

export function checkBox(fn: string, box: Box2D): void {
  const { xmin, xmax, ymin, ymax } = box;
  if (![xmin, xmax, ymin, ymax].every(Number.isFinite) || !(xmin < xmax) || !(ymin < ymax)) {
    throw new Error(`${fn}: box needs finite xmin < xmax and ymin < ymax, got ${JSON.stringify(box)}`);
  }
}

/** Scale of coordinates in the box, for absolute tolerances. */
export function boxScale(box: Box2D): number {
  return Math.max(Math.hypot(box.xmax - box.xmin, box.ymax - box.ymin), Math.abs(box.xmin), Math.abs(box.xmax), Math.abs(box.ymin), Math.abs(box.ymax));
}

export interface NormLine {
  layer: number;
  unit: number;
  a: number;
  b: number;
  c: number;
  nx: number;
  ny: number;
  off: number;
  degenerate: boolean;
}

/** Liang–Barsky clip of an infinite line to the box; null when it misses (or only touches) it. */
export function clipLine(ln: NormLine, box: Box2D, tol: number): [Pt, Pt] | null {
  if (ln.degenerate) return null;
  // foot of the perpendicular from the origin, and the direction along the line
  const px = -ln.off * ln.nx;
  const py = -ln.off * ln.ny;
  const tx = -ln.ny;
  const ty = ln.nx;
  let s0 = -Infinity;
  let s1 = Infinity;
  const slab = (p: number, t: number, lo: number, hi: number): boolean => {
    if (t === 0) return p >= lo && p <= hi;
    let u0 = (lo - p) / t;
    let u1 = (hi - p) / t;
    if (u0 > u1) [u0, u1] = [u1, u0];
    s0 = Math.max(s0, u0);
    s1 = Math.min(s1, u1);
    return true;
  };
  if (!slab(px, tx, box.xmin, box.xmax) || !slab(py, ty, box.ymin, box.ymax)) return null;
  if (!(s1 - s0 > tol)) return null;
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  const at = (s: number): Pt => [clamp(px + s * tx, box.xmin, box.xmax), clamp(py + s * ty, box.ymin, box.ymax)];
  return [at(s0), at(s1)];
}

/** Signed area (positive for counter-clockwise) and centroid, computed relative to the first vertex. */
export function areaCentroid(poly: Pt[]): { area: number; centroid: Pt } {
  const [ox, oy] = poly[0];
  let a2 = 0;
  let cx = 0;
  let cy = 0;
  for (let k = 1; k + 1 < poly.length; k++) {
    const x1 = poly[k][0] - ox;
    const y1 = poly[k][1] - oy;
    const x2 = poly[k + 1][0] - ox;
    const y2 = poly[k + 1][1] - oy;
    const cr = x1 * y2 - x2 * y1;
    a2 += cr;
    cx += (x1 + x2) * cr;
    cy += (y1 + y2) * cr;
  }
  const area = a2 / 2;
  if (a2 === 0) {
    // degenerate: average of vertices
    let sx = 0;
    let sy = 0;
    for (const [x, y] of poly) {
      sx += x;
      sy += y;
    }
    return { area: 0, centroid: [sx / poly.length, sy / poly.length] };
  }
  return { area, centroid: [ox + cx / (3 * a2), oy + cy / (3 * a2)] };
}

/** Drops consecutive vertices closer than tol (the polygon stays closed implicitly). */
function dedupe(poly: Pt[], tol: number): Pt[] {
  const out: Pt[] = [];
  for (const p of poly) {
    const q = out[out.length - 1];
    if (q && Math.abs(p[0] - q[0]) <= tol && Math.abs(p[1] - q[1]) <= tol) continue;
    out.push(p);
  }
  while (out.length > 1) {
    const p = out[out.length - 1];
    const q = out[0];
    if (Math.abs(p[0] - q[0]) <= tol && Math.abs(p[1] - q[1]) <= tol) out.pop();
    else break;
  }
  return out;
}

/**
 * Splits a convex polygon by a line (Sutherland–Hodgman, both sides at once). A vertex within
 * `tol` of the line counts as on it and goes to both sides. Returns the two pieces, or the whole
 * polygon alone when the line does not cut it (or cuts off only a sliver below `areaTol`).
 */
export function split(poly: Pt[], ln: NormLine, tol: number, areaTol: number): Pt[][] {
  const n = poly.length;
  const s = poly.map(([x, y]) => ln.nx * x + ln.ny * y + ln.off);
  const side = s.map((v) => (v > tol ? 1 : v < -tol ? -1 : 0));
  if (!side.includes(1) || !side.includes(-1)) return [poly];
  const on: Pt[] = [];
  const off: Pt[] = [];
  for (let k = 0; k < n; k++) {
    const k2 = (k + 1) % n;
    const P = poly[k];
    if (side[k] >= 0) on.push(P);
    if (side[k] <= 0) off.push(P);
    if (side[k] * side[k2] < 0) {
      // the crossing point, interpolated from the lexicographically smaller end point, so the
      // two cells sharing this edge (which walk it in opposite directions) get the same point
      const [i0, i1] = P[0] < poly[k2][0] || (P[0] === poly[k2][0] && P[1] <= poly[k2][1]) ? [k, k2] : [k2, k];
      const A = poly[i0];
      const B = poly[i1];
      const t = s[i0] / (s[i0] - s[i1]);
      const I: Pt = [A[0] + t * (B[0] - A[0]), A[1] + t * (B[1] - A[1])];
      on.push(I);
      off.push(I);
    }
  }
  const a = dedupe(on, tol);
  const b = dedupe(off, tol);
  if (a.length < 3 || b.length < 3) return [poly];
  if (areaCentroid(a).area < areaTol || areaCentroid(b).area < areaTol) return [poly];
  return [a, b];
}
